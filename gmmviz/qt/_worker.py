"""The snapshot runner's worker thread and its messages (used by :mod:`gmmviz.qt.runner`).

The worker owns the generator; at every turn it asks :func:`gmmviz.app.pacing.next_action`
what to do, under the condition variable it shares with the GUI thread.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QThread, Signal

from gmmviz.app.pacing import Action, Mode, PacingState, after_emit, batch_size, next_action
from gmmviz.qt._platform import lower_background_priority

S = TypeVar("S")  # a snapshot
D = TypeVar("D")  # what a renderer makes of one

RunFactory = Callable[[], Iterator[Any]]
Renderer = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Update(Generic[S, D]):
    """New snapshots of one run, delivered on the GUI thread.

    Attributes
    ----------
    run_id : int
    steps : tuple of snapshots
        The snapshots produced since the previous update, oldest first (at least one).
    display : object or None
        ``render(steps[-1], request)`` (``None`` when the runner has no renderer).
    request : object or None
        The request ``display`` was computed for.
    """

    run_id: int
    steps: tuple[S, ...]
    display: D | None
    request: Any


@dataclass(frozen=True)
class Rendered(Generic[S, D]):
    """Display data computed on request (a past iteration, a new view, the bare data).

    Attributes
    ----------
    token : int
        The value :meth:`SnapshotRunner.render` returned.
    snapshot : object or None
    request : object
    display : object
    """

    token: int
    snapshot: S | None
    request: Any
    display: D


def describe_error(exc: BaseException) -> str:
    """One line for the user: the message of expected errors, the type of unexpected ones."""
    if isinstance(exc, ValueError | MemoryError | OSError):
        text = str(exc) or type(exc).__name__
        return text if not isinstance(exc, MemoryError) else f"out of memory: {text}"
    return f"{type(exc).__name__}: {exc}"


class _Run:
    """One run: its id, how to start it, and its cancel flag."""

    __slots__ = ("cancel", "factory", "run_id")

    def __init__(self, run_id: int, factory: RunFactory) -> None:
        self.run_id = run_id
        self.factory = factory
        self.cancel = threading.Event()


class _Shared:
    """State shared by the GUI thread and the worker, always accessed under ``cond``."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.quit = False
        self.run: _Run | None = None
        self.render: Renderer | None = None
        self.mode = Mode.PAUSED
        self.budget = 0
        self.interval = 0.0
        self.next_emit_at = 0.0
        self.awaiting_ack = False
        self.request: Any = None
        self.request_version = 0
        self.render_job: tuple[int, Any, Any] | None = None  # token, snapshot, request


class _Worker(QThread):
    """The worker thread: a loop over the shared state, no Qt event loop of its own."""

    updateReady = Signal(object)  # Update
    renderReady = Signal(object)  # Rendered
    runEnded = Signal(int)  # run id
    runError = Signal(int, str)  # run id, message
    renderError = Signal(int, str)  # token, message

    def __init__(self, shared: _Shared, gui_tid: int, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._s = shared
        self._gui_tid = gui_tid

    def run(self) -> None:
        s = self._s
        run: _Run | None = None
        gen: Iterator[Any] | None = None
        buffer: list[Any] = []  # computed, not yet sent
        ahead: tuple[int, Any] | None = None  # (request version, display) for buffer[0]
        exhausted = initial_pending = False
        while True:
            with s.cond:
                while True:
                    if s.quit:
                        return
                    if s.run is not run:
                        run = s.run
                        gen, buffer, ahead, exhausted = None, [], None, False
                        initial_pending = run is not None
                        action = Action.COMPUTE if run is not None else Action.WAIT
                        break
                    live = run is not None and gen is not None and not run.cancel.is_set()
                    state = PacingState(
                        mode=s.mode,
                        budget=s.budget,
                        now=time.monotonic(),
                        next_emit_at=s.next_emit_at,
                        awaiting_ack=s.awaiting_ack,
                        live=live,
                        initial_pending=initial_pending,
                        buffered=len(buffer),
                        exhausted=exhausted,
                        render_pending=s.render_job is not None and s.render is not None,
                        ahead_ready=ahead is not None and ahead[0] == s.request_version,
                        can_render=s.render is not None,
                    )
                    action, timeout = next_action(state)
                    if action is not Action.WAIT:
                        break
                    s.cond.wait(timeout)
                if action is Action.WAIT:
                    continue
                mode, first, render = s.mode, initial_pending, s.render
                request, version = s.request, s.request_version
                job = s.render_job if action is Action.RENDER else None
                if job is not None:
                    s.render_job = None

            if action is Action.RENDER:
                token, snapshot, job_request = job
                try:
                    display = render(snapshot, job_request)
                except Exception as exc:  # reported to the user
                    self._report(exc)
                    self.renderError.emit(token, describe_error(exc))
                    continue
                self.renderReady.emit(Rendered(token, snapshot, job_request, display))
            elif action is Action.COMPUTE:
                try:
                    if gen is None:
                        # numba's pool threads may have appeared since the last run
                        lower_background_priority(self._gui_tid)
                        gen = iter(run.factory())
                    buffer.append(next(gen))
                except StopIteration:
                    gen, exhausted = gen or iter(()), True
                except Exception as exc:  # reported to the user; the run ends
                    self._fail(run, exc)
                    gen = None
            elif action is Action.PRERENDER:
                try:
                    ahead = (version, render(buffer[0], request))
                except Exception as exc:
                    self._fail(run, exc)
                    gen = None
            elif action is Action.FINISH:
                gen = None
                with s.cond:
                    if s.run is run:
                        s.mode, s.budget = Mode.PAUSED, 0
                self.runEnded.emit(run.run_id)
            elif action is Action.EMIT:
                batch = buffer[: batch_size(mode, first, len(buffer))]
                del buffer[: len(batch)]
                display = None
                if render is not None:
                    if len(batch) == 1 and ahead is not None and ahead[0] == version:
                        display = ahead[1]
                    else:
                        try:
                            display = render(batch[-1], request)
                        except Exception as exc:
                            self._fail(run, exc)
                            gen = None
                            continue
                ahead = None
                with s.cond:
                    if s.run is not run or run.cancel.is_set():
                        continue
                    initial_pending = False
                    s.awaiting_ack = True
                    s.mode, s.budget, s.next_emit_at = after_emit(
                        s.mode, s.budget, s.next_emit_at, s.interval, time.monotonic(), first
                    )
                self.updateReady.emit(Update(run.run_id, tuple(batch), display, request))

    @staticmethod
    def _report(exc: BaseException) -> None:
        if not isinstance(exc, ValueError):
            traceback.print_exception(exc, file=sys.stderr)

    def _fail(self, run: _Run, exc: BaseException) -> None:
        self._report(exc)
        with self._s.cond:
            if self._s.run is run:
                self._s.mode, self._s.budget = Mode.PAUSED, 0
        self.runError.emit(run.run_id, describe_error(exc))
