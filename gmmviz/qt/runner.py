"""Run a generator of snapshots on a worker thread and hand them to the GUI as Qt signals.

:class:`SnapshotRunner` knows nothing about Gaussian mixtures: it pulls whatever *run
factory* it is given (a callable returning an iterator of snapshots, such as
``gmmviz.app.runs.em_run``) on its own :class:`~PySide6.QtCore.QThread`, and re-emits the
snapshots on the GUI thread. Two runners can live side by side (the animation and a sweep);
the numba kernels serialise on the core's ``KERNEL_LOCK``.

Threading rules:

* the worker pulls the generator; the GUI thread never does;
* every run has an id; anything that arrives from an older run is dropped on arrival;
* a run is cancelled through a :class:`threading.Event` checked between snapshots (a busy
  worker would never see a queued signal);
* when to compute, send or wait is decided by :func:`gmmviz.app.pacing.next_action`
  (never more than one update in flight; one snapshot and its display computed ahead);
* :meth:`SnapshotRunner.shutdown` (also hooked to ``aboutToQuit`` and ``atexit``) cancels,
  stops and waits.
"""

from __future__ import annotations

import atexit
import itertools
import threading
import time
import weakref
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from gmmviz.app.pacing import Mode
from gmmviz.qt._worker import (
    Rendered,
    Renderer,
    RunFactory,
    Update,
    _Run,
    _Shared,
    _Worker,
    describe_error,
)

__all__ = ["Rendered", "SnapshotRunner", "Update", "describe_error"]

# Runners still open when the interpreter exits (a script that never closed its window) are
# shut down first, so that no QThread is destroyed while running.
_OPEN_RUNNERS: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _shutdown_open_runners() -> None:
    for runner in list(_OPEN_RUNNERS):
        try:
            runner.shutdown()
        except RuntimeError:  # its C++ side is already gone
            pass


class SnapshotRunner(QObject):
    """Runs one generator of snapshots at a time on its own worker thread.

    Parameters
    ----------
    parent : QObject, optional
    auto_ack : bool
        Acknowledge each :class:`Update` as soon as the ``updated`` slots return. A UI that
        paces the worker by what it has actually painted passes ``False`` and calls
        :meth:`frame_done` itself.
    name : str
        The worker thread's name.

    Signals
    -------
    runStarted(int)
    updated(Update)
        New snapshots of the current run, with display data for the newest.
    rendered(Rendered)
        Display data asked for with :meth:`render`.
    renderFailed(int, str)
        A :meth:`render` request raised (token, message).
    runFinished(int)
        The current run's generator is exhausted.
    runFailed(int, str)
        The current run raised; the message says why. The run is over.
    playingChanged(bool)
        Playing or running to the end started (True) or stopped (False).
    """

    runStarted = Signal(int)
    updated = Signal(object)
    rendered = Signal(object)
    renderFailed = Signal(int, str)
    runFinished = Signal(int)
    runFailed = Signal(int, str)
    playingChanged = Signal(bool)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        auto_ack: bool = True,
        name: str = "gmmviz-snapshot-runner",
    ) -> None:
        super().__init__(parent)
        self._shared = _Shared()
        self._worker = _Worker(self._shared, threading.get_native_id(), name)
        self._worker.updateReady.connect(self._on_update)
        self._worker.renderReady.connect(self.rendered)
        self._worker.renderError.connect(self.renderFailed)
        self._worker.runEnded.connect(self._on_run_ended)
        self._worker.runError.connect(self._on_run_error)
        self._auto_ack = auto_ack
        self._ids = itertools.count(1)
        self._tokens = itertools.count(1)
        self._run_id = 0
        self._live = False  # the current run can still produce snapshots
        self._playing = False
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        _OPEN_RUNNERS.add(self)

    # ------------------------------------------------------------------ state

    @property
    def run_id(self) -> int:
        """Id of the current run (0 before the first)."""
        return self._run_id

    @property
    def is_live(self) -> bool:
        """Whether the current run can still produce snapshots."""
        return self._live

    @property
    def is_playing(self) -> bool:
        """Whether the worker is playing or running to the end."""
        return self._playing

    @property
    def is_closed(self) -> bool:
        return self._closed

    def is_running(self) -> bool:
        """Whether the worker thread is running (it starts with the first run or render)."""
        return self._worker.isRunning()

    @property
    def request(self) -> Any:
        with self._shared.cond:
            return self._shared.request

    # ------------------------------------------------------------------ commands

    def set_renderer(self, render: Renderer | None) -> None:
        """``render(snapshot or None, request) -> display``, called on the worker for every
        update and render request from now on."""
        with self._shared.cond:
            self._shared.render = render
            self._shared.render_job = None
            self._shared.request_version += 1  # a display computed ahead is stale
            self._shared.cond.notify_all()

    def start(self, factory: RunFactory, *, play: bool = False, rate: float | None = None) -> int:
        """Cancel the current run and start a new one.

        Parameters
        ----------
        factory : callable
            Called on the worker; returns an iterator of snapshots. Its first snapshot is
            always sent; the following ones as the mode says.
        play : bool
            Start playing at ``rate`` right away.
        rate : float or None
            Snapshots per second while playing; ``None`` means as fast as possible.

        Returns
        -------
        int
            The new run's id.
        """
        self._check_open()
        run_id = next(self._ids)
        with self._shared.cond:
            old = self._shared.run
            if old is not None:
                old.cancel.set()
            self._shared.run = _Run(run_id, factory)
            self._shared.awaiting_ack = False
            self._set_mode_locked(Mode.PLAY if play else Mode.PAUSED, rate=rate)
            self._shared.cond.notify_all()
        self._run_id = run_id
        self._live = True
        self._ensure_started()
        self.runStarted.emit(run_id)
        self._set_playing(play)
        return run_id

    def step(self, n: int = 1) -> None:
        """Send the next ``n`` snapshots, then pause (stops playing first)."""
        with self._shared.cond:
            if self._shared.mode is not Mode.STEP:
                self._shared.budget = 0
            self._shared.mode = Mode.STEP
            self._shared.budget += max(1, int(n))
            self._shared.cond.notify_all()
        self._set_playing(False)

    def play(self, rate: float | None = None) -> None:
        """Send every snapshot, at most ``rate`` per second (``None``: as fast as possible)."""
        with self._shared.cond:
            self._set_mode_locked(Mode.PLAY, rate=rate)
            self._shared.cond.notify_all()
        self._set_playing(self._live)

    def set_rate(self, rate: float | None) -> None:
        """Change the playing speed (takes effect now if playing)."""
        with self._shared.cond:
            self._shared.interval = 0.0 if not rate else 1.0 / float(rate)
            self._shared.next_emit_at = min(
                self._shared.next_emit_at, time.monotonic() + self._shared.interval
            )
            self._shared.cond.notify_all()

    def run_to_end(self) -> None:
        """Compute as fast as possible until the generator ends, sending batches."""
        with self._shared.cond:
            self._set_mode_locked(Mode.RUN)
            self._shared.cond.notify_all()
        self._set_playing(self._live)

    def pause(self) -> None:
        """Stop sending snapshots (the worker still computes one ahead)."""
        with self._shared.cond:
            self._set_mode_locked(Mode.PAUSED)
            self._shared.cond.notify_all()
        self._set_playing(False)

    def cancel(self) -> None:
        """End the current run; nothing more arrives from it."""
        with self._shared.cond:
            run = self._shared.run
            if run is not None:
                run.cancel.set()
            self._shared.run = None
            self._set_mode_locked(Mode.PAUSED)
            self._shared.cond.notify_all()
        self._run_id = next(self._ids)  # updates already queued now look stale
        self._live = False
        self._set_playing(False)

    def set_request(self, request: Any) -> None:
        """The display request used for the snapshots sent from now on."""
        with self._shared.cond:
            self._shared.request = request
            self._shared.request_version += 1
            self._shared.cond.notify_all()

    def render(self, snapshot: Any, request: Any = None) -> int:
        """Ask the worker for the display of ``snapshot`` (``None``: the data alone); replaces
        a pending request.

        Returns
        -------
        int
            A token; the answer is the ``rendered`` (or ``renderFailed``) signal with it.
        """
        self._check_open()
        token = next(self._tokens)
        with self._shared.cond:
            req = self._shared.request if request is None else request
            self._shared.render_job = (token, snapshot, req)
            self._shared.cond.notify_all()
        self._ensure_started()
        return token

    def frame_done(self, run_id: int | None = None) -> None:
        """The UI has drawn the last update of ``run_id``; the worker may send the next."""
        with self._shared.cond:
            run = self._shared.run
            if run is not None and (run_id is None or run.run_id == run_id):
                self._shared.awaiting_ack = False
                self._shared.cond.notify_all()

    @Slot()
    def shutdown(self) -> None:
        """Cancel everything, stop the worker thread and wait for it. Idempotent."""
        if self._closed:
            return
        self._closed = True
        with self._shared.cond:
            if self._shared.run is not None:
                self._shared.run.cancel.set()
            self._shared.quit = True
            self._shared.cond.notify_all()
        self._live = False
        self._set_playing(False)
        self._worker.quit()
        self._worker.wait()
        _OPEN_RUNNERS.discard(self)

    # ------------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the runner has been shut down")

    def _ensure_started(self) -> None:
        if not self._worker.isRunning() and not self._closed:
            self._worker.start()

    def _set_mode_locked(self, mode: Mode, rate: float | None = None) -> None:
        s = self._shared
        s.mode = mode
        s.budget = 0
        if mode is Mode.PLAY:
            s.interval = 0.0 if not rate else 1.0 / float(rate)
            s.next_emit_at = time.monotonic()

    def _set_playing(self, playing: bool) -> None:
        if playing != self._playing:
            self._playing = playing
            self.playingChanged.emit(playing)

    @Slot(object)
    def _on_update(self, update: Update) -> None:
        if update.run_id != self._run_id:
            return  # a cancelled run's snapshot: never draw it over the new run
        self.updated.emit(update)
        if self._auto_ack:
            # Deferred, so that whatever the slots scheduled (a repaint) happens first.
            QTimer.singleShot(0, lambda rid=update.run_id: self.frame_done(rid))

    @Slot(int)
    def _on_run_ended(self, run_id: int) -> None:
        if run_id != self._run_id:
            return
        self._live = False
        self._set_playing(False)
        self.runFinished.emit(run_id)

    @Slot(int, str)
    def _on_run_error(self, run_id: int, message: str) -> None:
        if run_id != self._run_id:
            return
        self._live = False
        self._set_playing(False)
        self.runFailed.emit(run_id, message)
