"""The presenter: wires the app state to the widgets, runs the use cases, owns the runners.

Two directions, kept apart (ndv's controller does the same):

* **model → view**: the widgets are views of :class:`~gmmviz.app.state.AppState`; every
  state signal has one handler in :mod:`gmmviz.qt.state_view` that updates them;
* **view → model**: widget signals become state changes or use cases (``_on_widget_*`` and
  the public commands); nothing reads a widget back to learn a setting.

Its helpers, one job each: :mod:`gmmviz.qt.render_cycle` (the one render request cycle),
:mod:`gmmviz.qt.readouts` (EM panel, history, curve), :mod:`gmmviz.qt.run_report` (what a
run's end means, and the fix), :mod:`gmmviz.qt.exporter`, :mod:`gmmviz.qt.sweep` (choosing
K on a second runner).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QApplication

from gmmviz.app.presets import Preset, apply_preset
from gmmviz.app.presets import preset as find_preset
from gmmviz.app.runs import draw_samples, em_run, generate_source, make_renderer, resumed_run
from gmmviz.app.settings import ModelSettings
from gmmviz.app.state import (
    AppState,
    DataSource,
    Run,
    RunStatus,
    matched_colour_slots,
    view_for,
)
from gmmviz.core.datasets import DATASETS, DatasetSpec
from gmmviz.core.projection import Projection
from gmmviz.qt import dialogs
from gmmviz.qt.data_import import DataImporter
from gmmviz.qt.exporter import Exporter
from gmmviz.qt.painter import Painter
from gmmviz.qt.panels.em_panel import speed_label
from gmmviz.qt.readouts import Readouts
from gmmviz.qt.render_cycle import RenderCycle
from gmmviz.qt.run_report import RunReport
from gmmviz.qt.runner import SnapshotRunner, Update
from gmmviz.qt.sessions import SessionKeeper, is_session
from gmmviz.qt.start_editor import StartEditor
from gmmviz.qt.state_view import StateView
from gmmviz.qt.sweep import SweepController
from gmmviz.qt.tasks import TaskResult, TaskRunner
from gmmviz.qt.unsaved import UnsavedPainting


@dataclass(frozen=True)
class PendingRun:
    """A run the runner started whose first snapshot has not arrived yet.

    ``done`` holds the snapshots a resumed run already had, and ``colour_slots`` its
    colours (None: matched to the previous run's when the first snapshot arrives)."""

    run_id: int
    settings: ModelSettings
    start_means: np.ndarray | None = None
    done: tuple = ()
    colour_slots: tuple[int, ...] | None = None


def _on_gui_thread() -> bool:
    app = QApplication.instance()
    return app is None or QThread.currentThread() is app.thread()


class Presenter(QObject):
    """Use cases of the window, on the GUI thread; EM and file work on the runners.

    Signals
    -------
    frameShown(int)
        A snapshot's display (its iteration) has been put on the canvas.
    runEnded(str)
        The current run ended: ``"converged"``, ``"max_iter"`` or ``"error"``.
    dataReady()
        A new dataset is on the canvas.
    errorShown(str)
    """

    runEnded = Signal(str)
    dataReady = Signal()
    errorShown = Signal(str)

    def __init__(self, window, state: AppState) -> None:
        super().__init__(window)
        self.w = window
        self.state = state
        self.runner = SnapshotRunner(self, auto_ack=False, name="gmmviz-em-worker")
        self.tasks = TaskRunner(self)
        self.importer = DataImporter(self)
        self.unsaved = UnsavedPainting(self)
        self.sessions = SessionKeeper(self)
        self.painter = Painter(self)
        self.render = RenderCycle(self, self.runner, window.canvas, state, window.can_paint)
        self.frameShown = self.render.frameShown
        self.exports = Exporter(window, state, self.tasks, self.error)
        self.report = RunReport(self, window, state)
        self.readouts = Readouts(window, state)
        self.sweeps = SweepController(self, window.selection_panel, state)
        self.render.displayShown.connect(lambda d: window.metrics_panel.show_metrics(d.metrics))
        self.loaded_ids = itertools.count(-1, -1)  # runs that no runner made (a swept model)
        self.quiet_errors = False  # scripted runs print errors instead of showing a dialog
        self.data_what = "load the data"
        self._preset_sample = 0  # points to draw when the preset's run converges
        self._preset_hint = ""  # what to look for, said again when its run plays
        self._pending: PendingRun | None = None  # a run before its first snapshot
        self.restored_run_id: int | None = None  # a paused run reopened from a session
        self.continued_run_id: int | None = None  # a run that went on from a shown model
        self._sample_seeds = itertools.count()
        self._connect()

    def _connect(self) -> None:
        s, w, r = self.state, self.w, self.runner
        # connected before the view's handlers, so these run first: the old run is
        # cancelled before the widgets show new data
        s.dataChanged.connect(self._on_data_replaced)
        s.runStarted.connect(self._on_run_started)
        self.view = StateView(self)
        s.runEnded.connect(self._on_run_ended)  # after the view reported the run's end
        r.updated.connect(self._on_update)
        r.runFinished.connect(self._on_run_finished)
        r.runFailed.connect(self._on_run_failed)
        r.playingChanged.connect(self._on_playing_changed)
        self.tasks.finished.connect(self._on_task_finished)
        w.dataset_panel.generateRequested.connect(self.generate)
        w.dataset_panel.specChanged.connect(s.set_dataset)
        w.dataset_panel.openRequested.connect(self.open_data_dialog)
        w.model_panel.settingsChanged.connect(self._on_widget_model)
        w.em_panel.speedChanged.connect(self._on_widget_speed)
        w.em_panel.half_steps.toggled.connect(lambda on: self.set_view(half_steps=on))
        w.view_bar.colourChanged.connect(lambda mode, k: self.set_view(colour_by=mode, component=k))
        w.view_bar.ellipsesToggled.connect(lambda on: self.set_view(show_ellipses=on))
        w.view_bar.legendToggled.connect(lambda on: self.set_view(show_legend=on))
        w.view_bar.viewChosen.connect(
            lambda i, j, pca, scaled: self.set_view(axes=(i, j), pca=pca, pca_scaled=scaled)
        )
        w.history_bar.indexChosen.connect(self.show_index)
        w.history_bar.latestRequested.connect(self.follow_latest)
        w.canvas.viewChanged.connect(self._on_widget_view_rect)
        self.start_editor = StartEditor(self)

    def sync_widgets(self) -> None:
        """Make every widget show the state (once, after the state was restored)."""
        self.view.sync_widgets()

    # ================================================================== queries

    @property
    def projection(self) -> Projection | None:
        """The plane the canvas shows (two features or two principal axes)."""
        return self.view.projection

    @property
    def is_closed(self) -> bool:
        return self.runner.is_closed

    @property
    def shown_step(self) -> Any:
        return self.state.shown_step

    def status(self, text: str) -> None:
        self.w.show_status(text)

    # ================================================================== use cases: data

    def generate(self, spec: DatasetSpec | None = None, play: bool = False) -> None:
        """Generate a dataset in the background; EM restarts on it when it arrives (and
        plays at once with ``play``)."""
        if self.is_closed:
            return
        if self.unsaved.blocks("Generating new data", partial(self.generate, spec, play)):
            return
        if isinstance(spec, DatasetSpec):
            self.state.set_dataset(spec)
        spec = self.state.dataset
        self.runner.pause()
        title = getattr(DATASETS.get(spec.name), "title", spec.name)  # unknown: reported later
        self.status(f"Generating {title}: {spec.n_samples:,} points…")
        self.data_what = f"generate {spec.name}"
        self.importer.abandon()  # the newest request wins over a file still being read
        self.sessions.forget()
        self.tasks.submit("data", partial(self.data_job, partial(generate_source, spec), play))

    def open_data(self, path: str | Path, play: bool = False, ask: bool = False) -> None:
        """Read a data file in the background, with progress and Cancel; EM restarts on it
        when it arrives. The column dialog shows with ``ask``, or when the file needs a
        decision (bad rows, text columns, an ambiguous label column)."""
        if self.is_closed:
            return
        if is_session(path):
            self.sessions.open(path, play=play)
            return
        if self.unsaved.blocks("Opening a data file", partial(self.open_data, path, play, ask)):
            return
        self.runner.pause()
        self.importer.open(path, play=play, ask=ask)

    def data_job(self, make, play: bool) -> tuple[DataSource, bool, tuple]:
        """``make()`` a data source and, still on the worker, its renderer in the view the
        state has now (so that a million points never get projected on the GUI thread)."""
        view, previous = self.state.view, self.state.data  # immutable: safe to read here
        source = make()
        new_view = view_for(source, view, previous)
        return source, play, (source, new_view.projection_key, make_renderer(source, new_view))

    def open_data_dialog(self) -> None:
        path = dialogs.open_data_path(self.w)
        if path:
            self.open_data(path, ask=True)

    def set_data(self, source: DataSource, restart: bool = True, play: bool = False) -> None:
        """Put a dataset on the canvas and (by default) start EM on it."""
        self.state.set_data(source)
        if restart:
            self.reset(play=play)

    def load_preset(self, name: str, play: bool = True) -> None:
        """One of the lecture's experiments: its data, settings and view; EM runs at once
        (and, for the density preset, points are drawn from the fit when it converges)."""
        if self.unsaved.blocks("Loading a preset", partial(self.load_preset, name, play)):
            return
        p = self.prepare_preset(name)
        self.generate(p.dataset, play=play)
        self._preset_hint = p.hint
        self.status(f"{p.title} — {p.hint}")

    def prepare_preset(self, name: str) -> Preset:
        """A preset's settings into the state (and its sampling, for when EM converges)."""
        p = find_preset(name)
        apply_preset(self.state, p)
        self._preset_sample = p.sample
        return p

    def sample(self, n: int = 400, seed: int | None = None) -> None:
        """Draw ``n`` points from the shown model, in the background."""
        if seed is None:  # each press draws new points; the seed is in the status line
            seed = next(self._sample_seeds)
        step = self.state.shown_step
        if step is None:
            self.error("There is no model to sample from yet: generate data and run EM.")
            return
        self.tasks.submit("sample", partial(draw_samples, step, n, seed))
        self.status(f"Drawing {n:,} points from the model of iteration {step.iteration}…")

    def show_fitted(self, step, settings: ModelSettings) -> None:
        """Show an already fitted model (from the sweep) as a finished run of one snapshot;
        the settings follow it, so Reset runs EM from its start."""
        self.runner.cancel()
        self._pending = None
        self.state.set_model(settings)
        run_id = next(self.loaded_ids)
        self.state.start_run(run_id, settings)
        self.state.add_snapshots(run_id, [step])
        self.state.end_run(run_id)
        self.readouts.show_step(step)
        self.render.request()  # no runner sends it: ask for its display
        self.w.update_actions()

    # ================================================================== use cases: EM

    def reset(self, play: bool = False) -> None:
        """Start EM again from the initialisation (with the state's model settings)."""
        if self.is_closed:
            return
        if self.state.data is None or self.state.data.n_samples < 2:
            self.status("No data yet: press Generate, open a data file or paint points.")
            return
        settings = self.state.model
        start = self.state.start_means
        factory = partial(em_run, self.state.data.X, settings, self.state.view.half_steps, start)
        run_id = self.runner.start(factory, play=play, rate=self.state.speed)
        self._pending = PendingRun(run_id, settings, start)
        self.w.em_panel.set_badge("initialising…", "running")
        self.status(
            f"Initialising K={settings.n_components} ({settings.covariance_type}, "
            f"{settings.init_params}, seed {settings.seed})…"
        )
        self.w.update_actions()

    def resume(self, play: bool = False) -> None:
        """Continue a run reopened from a session where it paused (EM replays it on the
        worker, checks it, and goes on; see :func:`~gmmviz.app.runs.resumed_run`)."""
        run = self.state.run
        if self.state.data is None or run is None or not len(run):
            return
        done = list(run.steps)
        factory = partial(resumed_run, self.state.data.X, run.settings, done, run.start_means)
        run_id = self.runner.start(factory, play=play, rate=self.state.speed)
        self._pending = PendingRun(run_id, run.settings, run.start_means, done, run.colour_slots)
        self.restored_run_id = None
        self.w.em_panel.set_badge(f"continuing from iteration {run.latest.iteration}…", "running")
        self.w.update_actions()

    def continue_from(self, params: Any) -> None:
        """A new run on the current data starting from ``params`` (no initialisation)."""
        settings = self.state.model
        factory = partial(em_run, self.state.data.X, settings, self.state.view.half_steps,
                          None, params)  # fmt: skip
        run_id = self.runner.start(factory, rate=self.state.speed)
        self._pending = PendingRun(run_id, settings)
        self.continued_run_id = run_id
        self.w.update_actions()

    def step(self) -> None:
        """One EM iteration (pauses if playing)."""
        if self._ensure_live("step"):
            self.state.follow_latest()
            self.runner.step()

    def toggle_play(self) -> None:
        if self.runner.is_playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if not self._ensure_live("play"):
            self.w.act("play").setChecked(False)
            return
        self.state.follow_latest()
        self.runner.play(self.state.speed)
        self.status(f"Playing at {speed_label(self.state.speed)}.")

    def pause(self) -> None:
        self.runner.pause()
        step = self.state.shown_step
        if step is not None:
            self.status(f"Paused at iteration {step.iteration}.")

    def run_to_end(self) -> None:
        if self._ensure_live("run"):
            self.state.follow_latest()
            self.runner.run_to_end()
            self.status("Running to convergence…")

    def _ensure_live(self, what: str) -> bool:
        run = self.state.run
        if self.state.data is None or self.state.data.n_samples < 2:
            self.status("No data yet: press Generate, open a data file or paint points.")
            return False
        if self.runner.is_live:
            return True
        interrupted = run is not None and run.status is RunStatus.RUNNING
        if interrupted and run.run_id == self.restored_run_id and len(run):
            self.resume(play=what in ("play", "run"))  # its next snapshot is the step
            if what == "run" and self.runner.is_live:
                self.runner.run_to_end()
            return False
        if run is None or run.status is RunStatus.ERROR or not len(run) or interrupted:
            # the last run failed, never started, or lost its worker to a run that could not
            # start (the previous one stays on screen): start afresh with the settings
            self.reset(play=what in ("play", "run"))
            if what == "run" and self.runner.is_live:
                self.runner.run_to_end()
            return False
        last = run.latest
        if last.converged:
            self.status(
                f"EM converged at iteration {last.iteration}; press Reset (R) to start again."
            )
        else:
            self.status(
                f"EM stopped at max_iter ({last.iteration}); raise Max iterations or press Reset."
            )
        return False

    # ================================================================== use cases: history

    def show_index(self, index: int) -> None:
        """Show a past snapshot (pauses EM, and says so)."""
        run = self.state.run
        if run is None or not len(run):
            return
        was_playing = self.runner.is_playing
        if was_playing:
            self.runner.pause()
        self.state.select(index)
        step = self.state.shown_step
        paused = " EM is paused; Play continues from the latest." if was_playing else ""
        self.status(f"Showing iteration {step.iteration} (of {run.latest.iteration}).{paused}")

    def follow_latest(self) -> None:
        """Show the latest snapshot and follow the run again."""
        run = self.state.run
        if run is None or not len(run):
            return
        self.state.follow_latest()
        self.status(f"Back at the latest iteration ({run.latest.iteration}).")

    # ================================================================== errors

    def error(self, message: str) -> None:
        self.status(message)
        self.errorShown.emit(message)
        if not self.quiet_errors:
            dialogs.show_error(self.w, message)

    # ================================================================== view → model

    def _on_widget_model(self, settings: ModelSettings) -> None:
        if self.is_closed:
            return
        try:
            self.state.set_model(settings)
        except ValueError as exc:
            self.w.model_panel.set_settings(self.state.model)  # the panel shows the truth
            self.error(str(exc))
            return
        if self.state.data is not None:
            self.reset()
            self.status(
                f"Model settings changed: re-initialised with K={settings.n_components}, "
                f"{settings.covariance_type} covariance, {settings.init_params} init."
            )

    def _on_widget_speed(self, rate: float | None) -> None:
        self.state.set_speed(rate)
        if self.runner.is_playing:
            self.status(f"Playing at {speed_label(rate)}.")

    def set_view(self, **changes) -> None:
        try:
            self.state.set_view(**changes)
        except ValueError as exc:
            self.error(str(exc))

    def _on_widget_view_rect(self) -> None:
        if not self.is_closed and self.w.canvas.wants_view_updates and self.state.data is not None:
            self.render.request()

    # ================================================================== state → use cases
    # (the widgets follow the state in StateView; these are the use cases' own reactions)

    def _on_data_replaced(self, _source: DataSource) -> None:
        self._pending = None
        self.runner.cancel()
        self.tasks.forget("sample")  # points drawn from the old data's model stay away

    def _on_run_started(self, _run: Run) -> None:
        self.tasks.forget("sample")  # drawn from the previous run's model: not this one's

    def _on_run_ended(self, run: Run) -> None:
        if self._preset_sample and run.status is not RunStatus.ERROR:
            n, self._preset_sample = self._preset_sample, 0
            self.sample(n, seed=0)  # the lecture's draw

    # ================================================================== runner signals

    @Slot(object)
    def _on_update(self, update: Update) -> None:
        assert _on_gui_thread(), "widgets touched off the GUI thread"
        pending = self._pending
        new_run = pending is not None and pending.run_id == update.run_id
        if new_run:
            slots = pending.colour_slots
            if slots is None:
                slots = matched_colour_slots(self.state.run, update.steps[0])
            self.state.start_run(update.run_id, pending.settings, slots, pending.start_means)
            self.state.add_snapshots(update.run_id, list(pending.done))  # a resumed run's past
            self.w.canvas.set_colour_slots(slots)
            self._pending = None
        following = self.state.selection.following
        if not self.state.add_snapshots(update.run_id, update.steps):
            self.runner.frame_done(update.run_id)
            return
        if new_run:
            self.w.update_actions()  # a model exists now: the exports can be used
            if self.runner.is_playing:
                hint, self._preset_hint = self._preset_hint, ""
                self.status(f"Playing at {speed_label(self.state.speed)}. {hint}".strip())
        if following:
            self.readouts.show_step(self.state.run.latest)
            self.render.show_update(update)
        else:
            self.runner.frame_done(update.run_id)  # nothing new to paint

    def _on_run_finished(self, run_id: int) -> None:
        self.state.end_run(run_id)
        run = self.state.run
        if run is not None and run.run_id == run_id:
            self.runEnded.emit(run.status.value)

    def _on_run_failed(self, run_id: int, message: str) -> None:
        pending = self._pending
        if pending is not None and pending.run_id == run_id:
            # Failed before its first snapshot: the previous run (if any) stays, and the
            # settings go back to the ones that made it, so the panel never contradicts it.
            self._pending = None
            previous = self.state.run
            if previous is not None:
                self.state.set_model(previous.settings)
                kept = (
                    " The previous run is still shown, and its settings are back in the model "
                    "panel; Step or Play starts it again."
                )
                self.report.badge_for(previous)
            else:
                kept = ""
                self.w.em_panel.set_badge("error — see message", "error")
            self.w.update_actions()
            self.error(f"EM could not start: {message.rstrip('.')}.{kept}")
        else:
            self.state.end_run(run_id, error=message)
            self.error(f"EM stopped: {message}")
        self.runEnded.emit("error")

    def _on_playing_changed(self, playing: bool) -> None:
        self.w.set_playing(playing)
        self.start_editor.update_editable()
        run = self.state.run
        if not playing and run is not None and run.latest is not None and not run.finished:
            if run.status is not RunStatus.ERROR:
                self.w.em_panel.set_badge(f"paused at iteration {run.latest.iteration}", "idle")
        self.w.update_actions()

    def _on_task_finished(self, result: TaskResult) -> None:
        assert _on_gui_thread(), "widgets touched off the GUI thread"
        if result.slot == "sample":
            if result.error is not None:
                self.error(f"Could not draw points from the model: {result.error}")
                return
            self.state.set_samples(result.value)
            self.state.set_view(show_samples=True)
            n, it = len(result.value.X), result.value.iteration
            self.status(f"Drew {n:,} points from the model of iteration {it} (seed "
                        f"{result.value.seed}); File ▸ Export samples saves them.")  # fmt: skip
        if result.slot == "data":
            if result.error is not None:
                self.error(f"Could not {self.data_what}: {result.error}")
                return
            source, play, self.view.prepared = result.value
            self.set_data(source, play=play)

    # ================================================================== drawing

    # ================================================================== shutdown

    def shutdown(self) -> None:
        """Stop timers, the runner and the task thread (waits for both). Idempotent."""
        self.readouts.stop()
        self.render.stop()
        self.sweeps.shutdown()
        self.importer.shutdown()
        self.sessions.forget()
        self.runner.shutdown()
        self.tasks.shutdown()
