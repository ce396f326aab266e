"""Run generators of snapshots on a worker thread and hand them to the UI as Qt signals.

:class:`EMController` knows nothing about Gaussian mixtures: it runs whatever *run factory*
it is given (a callable returning an iterator of snapshots, such as ``iter_em``) on one
worker :class:`~PySide6.QtCore.QThread`, and re-emits the snapshots on the GUI thread. The
app's EM runs and, later, a BIC sweep are both such runs.

Threading rules (see DESIGN.md):

* the worker pulls the generator; the GUI thread never does;
* every run has an id; anything that arrives from an older run is dropped on arrival;
* a run is cancelled through a :class:`threading.Event` checked between iterations (a busy
  worker would never see a queued signal);
* there is never more than one :class:`Update` in flight: the worker waits for the UI to
  acknowledge (``frame_done``) before it sends the next one. While playing, every snapshot
  goes out on its own, so every iteration is drawn; when running to the end, the snapshots
  computed while the UI was busy go out together as one batch, so nothing floods the event
  queue and the history still gets every snapshot;
* the worker computes one snapshot ahead (and its display data), so Step is instant and,
  while playing, EM and drawing overlap;
* :meth:`EMController.shutdown` (also hooked to ``aboutToQuit``) cancels, stops and waits.
"""

from __future__ import annotations

import atexit
import enum
import itertools
import os
import sys
import threading
import time
import traceback
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

# Controllers still open when the interpreter exits (a script that never closed its
# window) are shut down first, so that no QThread is destroyed while running.
_OPEN_CONTROLLERS: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _shutdown_open_controllers() -> None:
    for controller in list(_OPEN_CONTROLLERS):
        try:
            controller.shutdown()
        except RuntimeError:  # its C++ side is already gone
            pass


#: Nice value for the threads that compute (the worker and numba's pool): the GUI thread
#: keeps its normal priority, so that it gets a core whenever it has something to draw.
BACKGROUND_NICE = 2


def lower_background_priority(gui_tid: int) -> int:
    """Give every thread of this process but the GUI thread a lower CPU priority (Linux).

    On Linux a nice value belongs to a thread, and the worker's numba kernels keep both
    cores busy; without this the GUI thread competes with them on equal terms and a repaint
    can take twice as long. Lowering one's own priority needs no privilege.

    Returns
    -------
    int
        How many threads were changed.
    """
    if sys.platform != "linux" or not hasattr(os, "setpriority"):
        return 0
    changed = 0
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return 0
    for tid in tids:
        if tid == gui_tid:
            continue
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) < BACKGROUND_NICE:
                os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
                changed += 1
        except OSError:
            continue  # the thread ended meanwhile
    return changed


RunFactory = Callable[[], Iterator[Any]]
Renderer = Callable[[Any, Any], Any]


class Mode(enum.Enum):
    """What the worker does with the current run."""

    PAUSED = "paused"  # compute one snapshot ahead, send nothing
    STEP = "step"  # send the next ``budget`` snapshots, then pause
    PLAY = "play"  # send one snapshot at a time, at most ``rate`` per second
    RUN = "run"  # compute as fast as possible, send batches


@dataclass(frozen=True)
class Update:
    """New snapshots of one run, delivered on the GUI thread.

    Attributes
    ----------
    run_id : int
    steps : tuple
        The snapshots produced since the previous update, oldest first (at least one).
    display : object or None
        ``render(steps[-1], request)``, the data the canvas needs to draw the newest snapshot
        (``None`` when the run has no renderer).
    request : object or None
        The display request ``display`` was computed for.
    """

    run_id: int
    steps: tuple
    display: Any
    request: Any


@dataclass(frozen=True)
class Rendered:
    """Display data computed on request for a given snapshot (a past iteration, a new view).

    Attributes
    ----------
    run_id, token : int
        The run and the value :meth:`EMController.render` returned.
    snapshot : object
    request : object
    display : object
    """

    run_id: int
    token: int
    snapshot: Any
    request: Any
    display: Any


def _describe(exc: BaseException) -> str:
    """One line for the user: the message of expected errors, the type of unexpected ones."""
    if isinstance(exc, ValueError | MemoryError | OSError):
        text = str(exc) or type(exc).__name__
        return text if not isinstance(exc, MemoryError) else f"out of memory: {text}"
    return f"{type(exc).__name__}: {exc}"


class _Run:
    """One run: its id, how to start it, how to draw it, and its cancel flag."""

    __slots__ = ("cancel", "factory", "render", "run_id")

    def __init__(self, run_id: int, factory: RunFactory, render: Renderer | None) -> None:
        self.run_id = run_id
        self.factory = factory
        self.render = render
        self.cancel = threading.Event()


class _Shared:
    """State shared by the GUI thread and the worker, always accessed under ``cond``."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.quit = False
        self.run: _Run | None = None
        self.mode = Mode.PAUSED
        self.budget = 0
        self.interval = 0.0
        self.next_emit_at = 0.0
        self.awaiting_ack = False
        self.request: Any = None
        self.request_version = 0
        self.render_job: tuple[int, int, Any, Any] | None = None  # run id, token, snap, req
        self.tasks: deque[tuple[int, Callable[[], Any]]] = deque()


class _Worker(QThread):
    """The worker thread: a loop over the shared state, no Qt event loop of its own."""

    updateReady = Signal(object)  # Update
    renderReady = Signal(object)  # Rendered
    runEnded = Signal(int)  # run id
    runError = Signal(int, str)  # run id, message
    taskDone = Signal(int, object)  # token, result
    taskError = Signal(int, str)  # token, message

    def __init__(self, shared: _Shared, gui_tid: int) -> None:
        super().__init__()
        self.setObjectName("gmmviz-em-worker")
        self._s = shared
        self._gui_tid = gui_tid

    def run(self) -> None:
        s = self._s
        run: _Run | None = None
        gen: Iterator[Any] | None = None
        buffer: list[Any] = []  # computed, not yet sent
        ahead: tuple[int, Any] | None = None  # (request version, display) for buffer[0]
        exhausted = False
        initial_pending = False
        while True:
            with s.cond:
                while True:
                    if s.quit:
                        return
                    if s.run is not run:
                        run = s.run
                        gen, buffer, ahead, exhausted = None, [], None, False
                        initial_pending = run is not None
                        action = "start" if run is not None else "wait"
                        break
                    if s.tasks:
                        action = "task"
                        break
                    if s.render_job is not None:
                        action = "render"
                        break
                    if run is None or gen is None or run.cancel.is_set():
                        s.cond.wait()
                        continue
                    now = time.monotonic()
                    if buffer and not s.awaiting_ack:
                        if initial_pending or s.mode is Mode.RUN:
                            action = "emit"
                            break
                        if s.mode is Mode.STEP and s.budget > 0:
                            action = "emit"
                            break
                        if s.mode is Mode.PLAY and now >= s.next_emit_at:
                            action = "emit"
                            break
                    if exhausted and not buffer:
                        action = "finish"
                        break
                    if not exhausted and (not buffer or s.mode is Mode.RUN):
                        action = "compute"
                        break
                    if buffer and ahead is None and run.render is not None:
                        action = "prerender"
                        break
                    timeout = None
                    if s.mode is Mode.PLAY and buffer and not s.awaiting_ack:
                        timeout = max(0.0, s.next_emit_at - now)
                    s.cond.wait(timeout)
                if action == "wait":
                    continue
                mode = s.mode
                first = initial_pending
                request, version = s.request, s.request_version
                job = s.render_job if action == "render" else None
                task = s.tasks.popleft() if action == "task" else None
                if action == "render":
                    s.render_job = None

            if action == "start":
                # numba's pool threads may have appeared since the last run
                lower_background_priority(self._gui_tid)
                try:
                    gen = iter(run.factory())
                    buffer.append(next(gen))
                except StopIteration:
                    gen, exhausted = iter(()), True
                except Exception as exc:  # reported to the user; the run ends
                    self._fail(run, exc)
                    gen = None
            elif action == "task":
                token, fn = task
                try:
                    result = fn()
                except Exception as exc:  # reported to the user
                    self.taskError.emit(token, _describe(exc))
                else:
                    self.taskDone.emit(token, result)
            elif action == "render":
                job_run_id, token, snapshot, job_request = job
                if run is None or job_run_id != run.run_id or run.render is None:
                    continue
                try:
                    display = run.render(snapshot, job_request)
                except Exception as exc:
                    self._fail(run, exc)
                    gen = None
                    continue
                self.renderReady.emit(Rendered(run.run_id, token, snapshot, job_request, display))
            elif action == "compute":
                try:
                    buffer.append(next(gen))
                except StopIteration:
                    exhausted = True
                except Exception as exc:
                    self._fail(run, exc)
                    gen = None
            elif action == "prerender":
                try:
                    ahead = (version, run.render(buffer[0], request))
                except Exception as exc:
                    self._fail(run, exc)
                    gen = None
            elif action == "finish":
                gen = None
                with s.cond:
                    if s.run is run:
                        s.mode, s.budget = Mode.PAUSED, 0
                self.runEnded.emit(run.run_id)
            elif action == "emit":
                batch = buffer[:] if mode is Mode.RUN and not first else buffer[:1]
                del buffer[: len(batch)]
                display = None
                if run.render is not None:
                    if len(batch) == 1 and ahead is not None and ahead[0] == version:
                        display = ahead[1]
                    else:
                        try:
                            display = run.render(batch[-1], request)
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
                    if first:
                        pass  # the initial snapshot is sent whatever the mode
                    elif s.mode is Mode.STEP:
                        s.budget -= 1
                        if s.budget <= 0:
                            s.mode, s.budget = Mode.PAUSED, 0
                    elif s.mode is Mode.PLAY:
                        s.next_emit_at = max(time.monotonic(), s.next_emit_at + s.interval)
                self.updateReady.emit(Update(run.run_id, tuple(batch), display, request))

    def _fail(self, run: _Run, exc: BaseException) -> None:
        if not isinstance(exc, ValueError):
            traceback.print_exception(exc, file=sys.stderr)
        with self._s.cond:
            if self._s.run is run:
                self._s.mode, self._s.budget = Mode.PAUSED, 0
        self.runError.emit(run.run_id, _describe(exc))


class EMController(QObject):
    """Runs one generator of snapshots at a time on a worker thread.

    Parameters
    ----------
    parent : QObject, optional
    auto_ack : bool
        Acknowledge each :class:`Update` as soon as the ``updated`` slots return. A UI that
        wants to pace the worker by what it has actually painted passes ``False`` and calls
        :meth:`frame_done` itself.

    Signals
    -------
    runStarted(int)
        A run was started (its id).
    updated(Update)
        New snapshots of the current run, with display data for the newest.
    rendered(Rendered)
        Display data asked for with :meth:`render`.
    runFinished(int)
        The current run's generator is exhausted (converged or out of iterations).
    runFailed(int, str)
        The current run raised; the message says why. The run is over.
    playingChanged(bool)
        Playing or running to the end started (True) or stopped (False).
    taskFinished(int, object), taskFailed(int, str)
        Result of a :meth:`submit` call (token, result or message).
    """

    runStarted = Signal(int)
    updated = Signal(object)
    rendered = Signal(object)
    runFinished = Signal(int)
    runFailed = Signal(int, str)
    playingChanged = Signal(bool)
    taskFinished = Signal(int, object)
    taskFailed = Signal(int, str)

    def __init__(self, parent: QObject | None = None, *, auto_ack: bool = True) -> None:
        super().__init__(parent)
        self._shared = _Shared()
        self._worker = _Worker(self._shared, threading.get_native_id())
        self._worker.updateReady.connect(self._on_update)
        self._worker.renderReady.connect(self._on_rendered)
        self._worker.runEnded.connect(self._on_run_ended)
        self._worker.runError.connect(self._on_run_error)
        self._worker.taskDone.connect(self.taskFinished)
        self._worker.taskError.connect(self.taskFailed)
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
        _OPEN_CONTROLLERS.add(self)

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
        """Whether the worker thread is running (it starts with the first run or task)."""
        return self._worker.isRunning()

    # ------------------------------------------------------------------ commands

    def start(
        self,
        factory: RunFactory,
        render: Renderer | None = None,
        *,
        play: bool = False,
        rate: float | None = None,
    ) -> int:
        """Cancel the current run and start a new one.

        Parameters
        ----------
        factory : callable
            Called on the worker; returns an iterator of snapshots. Its first snapshot is
            always sent; the following ones as the mode says.
        render : callable, optional
            ``render(snapshot, request) -> display``, called on the worker.
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
            self._shared.run = _Run(run_id, factory, render)
            self._shared.awaiting_ack = False
            self._shared.render_job = None
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
            self._shared.render_job = None
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

    @property
    def request(self) -> Any:
        with self._shared.cond:
            return self._shared.request

    def render(self, snapshot: Any, request: Any = None) -> int:
        """Ask the worker for the display data of ``snapshot`` (replaces a pending request).

        Returns
        -------
        int
            A token; the answer is the ``rendered`` signal with this token.
        """
        self._check_open()
        token = next(self._tokens)
        with self._shared.cond:
            req = self._shared.request if request is None else request
            self._shared.render_job = (self._run_id, token, snapshot, req)
            self._shared.cond.notify_all()
        self._ensure_started()
        return token

    def submit(self, fn: Callable[[], Any]) -> int:
        """Run ``fn()`` on the worker (between iterations); answered by ``taskFinished`` or
        ``taskFailed`` with the returned token."""
        self._check_open()
        token = next(self._tokens)
        with self._shared.cond:
            self._shared.tasks.append((token, fn))
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
            self._shared.tasks.clear()
            self._shared.cond.notify_all()
        self._live = False
        self._set_playing(False)
        self._worker.quit()
        self._worker.wait()
        _OPEN_CONTROLLERS.discard(self)

    # ------------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the controller has been shut down")

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

    @Slot(object)
    def _on_rendered(self, rendered: Rendered) -> None:
        if rendered.run_id == self._run_id:
            self.rendered.emit(rendered)

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
