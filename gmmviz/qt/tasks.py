"""One-off jobs (generate, load, export) on a background thread, answered on the GUI thread.

They never queue behind a running EM: they have a thread of their own (a one-worker
:class:`~concurrent.futures.ThreadPoolExecutor`, Orange's choice), and the numba kernels
serialise on the core's ``KERNEL_LOCK``. Every job belongs to a *slot* (``"data"``,
``"export"``, ...); a newer job in the same slot makes the older one's answer stale, and stale
answers are dropped on arrival, so a fast second Generate wins over a slow first.
"""

from __future__ import annotations

import itertools
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from gmmviz.qt._platform import lower_background_priority
from gmmviz.qt.runner import describe_error


@dataclass(frozen=True)
class TaskResult:
    """The answer to one job.

    Attributes
    ----------
    token : int
    slot : str
    value : object
        What the job returned (``None`` when it failed).
    error : str or None
        One line for the user when the job raised.
    """

    token: int
    slot: str
    value: Any = None
    error: str | None = None


class TaskRunner(QObject):
    """Runs callables off the GUI thread, one at a time, in submission order.

    Signals
    -------
    finished(TaskResult)
        The newest job of its slot ended (successfully or not), on the GUI thread.
    """

    finished = Signal(object)
    _done = Signal(object)  # emitted on the pool thread, queued to the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gmmviz-task")
        self._tokens = itertools.count(1)
        self._latest: dict[str, int] = {}
        self._pending: set[Future] = set()
        self._closed = False
        self._gui_tid = threading.get_native_id()
        self._done.connect(self._deliver)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def busy(self) -> bool:
        """Whether a job is queued or running."""
        return bool(self._pending)

    def submit(self, slot: str, fn: Callable[[], Any]) -> int:
        """Run ``fn()`` in the background; returns the job's token."""
        if self._closed:
            raise RuntimeError("the task runner has been shut down")
        token = next(self._tokens)
        self._latest[slot] = token
        future = self._pool.submit(self._call, token, slot, fn)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return token

    def is_current(self, token: int, slot: str) -> bool:
        return self._latest.get(slot) == token

    def forget(self, slot: str) -> None:
        """Make every pending job of ``slot`` stale."""
        self._latest.pop(slot, None)

    def _call(self, token: int, slot: str, fn: Callable[[], Any]) -> None:
        lower_background_priority(self._gui_tid)
        try:
            result = TaskResult(token, slot, value=fn())
        except Exception as exc:  # reported to the user
            if not isinstance(exc, ValueError | OSError):
                traceback.print_exception(exc, file=sys.stderr)
            result = TaskResult(token, slot, error=describe_error(exc))
        if not self._closed:
            self._done.emit(result)

    @Slot(object)
    def _deliver(self, result: TaskResult) -> None:
        if self._closed or not self.is_current(result.token, result.slot):
            return  # superseded by a newer job of the same slot
        self.finished.emit(result)

    @Slot()
    def shutdown(self) -> None:
        """Drop queued jobs and wait for the running one. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
