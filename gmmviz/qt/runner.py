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
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from gmmviz.app.pacing import Action, Mode, PacingState, after_emit, batch_size, next_action
from gmmviz.qt._platform import lower_background_priority

S = TypeVar("S")  # a snapshot
D = TypeVar("D")  # what a renderer makes of one

RunFactory = Callable[[], Iterator[Any]]
Renderer = Callable[[Any, Any], Any]

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
