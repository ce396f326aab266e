"""The main window: panels, canvas, likelihood plot, history; menus, toolbar, shortcuts.

The window owns the app state (:class:`~gmmviz.ui.session.DataSource`,
:class:`~gmmviz.ui.session.History`) and one :class:`~gmmviz.controller.EMController`.
EM, data generation, file loading, per-point colours and the CSV export all run on the
controller's worker; this thread only moves finished arrays into widgets.
"""

from __future__ import annotations

import gc
import json
import math
import sys
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QByteArray,
    QSettings,
    Qt,
    QThread,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from gmmviz.controller import EMController, Rendered, Update
from gmmviz.core import backend, initialise, iter_em
from gmmviz.core.datasets import DatasetSpec, generate
from gmmviz.ui import export
from gmmviz.ui.canvas import MixtureCanvas
from gmmviz.ui.dataset_panel import DatasetPanel
from gmmviz.ui.display import COLOUR_MODES, MARKER_LIMIT, Display, DisplayRenderer
from gmmviz.ui.em_panel import DEFAULT_SPEED, EMPanel, speed_label
from gmmviz.ui.history_bar import HistoryBar
from gmmviz.ui.likelihood_plot import LikelihoodPlot
from gmmviz.ui.model_panel import ModelPanel
from gmmviz.ui.session import (
    DATASET_TITLES,
    DataSource,
    History,
    ModelSettings,
    dataset_spec_from_dict,
    dataset_spec_to_dict,
)
from gmmviz.ui.style import STYLE_SHEET
from gmmviz.ui.view_bar import ViewBar

APP_NAME = "gmmviz"
#: Longest wait for a paint before the worker is released anyway (hidden or minimised window).
PAINT_TIMEOUT_MS = 250
#: Python's thread switch interval while the window is open (the default is 5 ms).
SWITCH_INTERVAL_S = 0.001
#: Shortest interval between two redraws of the log-likelihood curve while playing.
PLOT_INTERVAL_MS = 80


def em_steps(X: np.ndarray, settings: ModelSettings):
    """The run factory's generator: initialise, then EM, one snapshot per iteration."""
    initial = initialise(
        X,
        settings.n_components,
        covariance_type=settings.covariance_type,
        init_params=settings.init_params,
        reg_covar=settings.reg_covar,
        random_state=settings.seed,
    )
    yield from iter_em(
        X, initial, tol=settings.tol, reg_covar=settings.reg_covar, max_iter=settings.max_iter
    )


def generate_source(spec: DatasetSpec) -> DataSource:
    """Generate a dataset (runs on the worker)."""
    X, y = generate(spec)
    title = f"{DATASET_TITLES.get(spec.name, spec.name)} · {spec.n_samples:,} points"
    return DataSource(X, y, title, spec=spec)


def load_source(path: str) -> DataSource:
    """Read a data file (runs on the worker)."""
    from gmmviz.io import load_data

    X, y = load_data(path)
    name = Path(path).name
    if X.shape[1] < 2:
        # A made-up second column would change the model (its variance is 0), so refuse.
        raise ValueError(
            f"{name} has one numeric column; the window shows EM on two or more features "
            f"(fit one-dimensional data with `gmmviz fit {name}`)"
        )
    title = f"{name} · {X.shape[0]:,} × {X.shape[1]}"
    return DataSource(X, y, title, path=str(path))


class MainWindow(QMainWindow):
    """gmmviz's window.

    Parameters
    ----------
    settings : QSettings, optional
        Where window layout and last settings are kept (default: the user's gmmviz settings).
    remember : bool
        Restore and save settings. Scripted runs pass ``False`` so that a command line
        always gives the same picture.

    Signals
    -------
    frameShown(int)
        A snapshot (its iteration) has been put on the canvas.
    runEnded(str)
        The current run ended: ``"converged"``, ``"max_iter"`` or ``"error"``.
    dataReady()
        A new dataset is on the canvas.
    """

    frameShown = Signal(int)
    runEnded = Signal(str)
    dataReady = Signal()
    errorShown = Signal(str)
    exportDone = Signal(str)

    def __init__(self, settings: QSettings | None = None, remember: bool = True) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setStyleSheet(STYLE_SHEET)
        self._store = settings if settings is not None else QSettings(APP_NAME, APP_NAME)
        self._remember = remember
        # The worker runs Python between its kernels; with the default 5 ms switch interval
        # every paint callback of this thread could wait that long for the GIL.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        # Compile the numba kernels off this thread (numpy serves until they are ready).
        backend.start_warm_up()
        self.controller = EMController(self, auto_ack=False)
        self.data: DataSource | None = None
        self.history = History()
        self._renderer: DisplayRenderer | None = None
        self._run_settings: dict[int, ModelSettings] = {}
        self._following = True
        self._shown_index: int | None = None
        self._render_token = 0
        self._data_token = 0
        self._tasks: dict[int, tuple] = {}
        self._awaiting_paint: int | None = None
        self._message_box: QMessageBox | None = None
        self.quiet_errors = False  # scripted runs print errors instead of showing a dialog

        self._build_actions()
        self._build_ui()
        self._build_menus()
        self._connect()
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.setInterval(PAINT_TIMEOUT_MS)
        self._paint_timer.timeout.connect(self._release_worker)
        self._plot_timer = QTimer(self)
        self._plot_timer.setSingleShot(True)
        self._plot_timer.setInterval(PLOT_INTERVAL_MS)
        self._plot_timer.timeout.connect(self._redraw_likelihood)
        self.resize(1280, 820)
        if self._remember:
            self._restore_settings()
        self._on_colour_changed(self.view_bar.colour_by(), self.view_bar.component_index())
        self._update_actions()
        _freeze_startup_objects()

    # ================================================================== construction

    def _action(self, text: str, slot, shortcuts=(), tip: str = "", icon=None) -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        keys = ", ".join(
            QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts
        )
        action.setToolTip(f"{tip} ({keys})" if keys and tip else tip or text)
        action.setStatusTip(tip)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.act_step = self._action(
            "Step",
            self.step,
            ("Right", "N"),
            "One EM iteration (E-step + M-step)",
            sp.SP_MediaSeekForward,
        )
        self.act_play = self._action(
            "Play", self.toggle_play, ("Space",), "Animate EM / pause", sp.SP_MediaPlay
        )
        self.act_play.setCheckable(True)
        self.act_run = self._action(
            "Run to convergence",
            self.run_to_end,
            ("Ctrl+R",),
            "Run EM until it converges or reaches max_iter",
            sp.SP_MediaSkipForward,
        )
        self.act_reset = self._action(
            "Reset",
            self.reset,
            ("R",),
            "Re-initialise EM with the model settings",
            sp.SP_BrowserReload,
        )
        self.act_generate = self._action(
            "Generate",
            self.generate,
            ("G",),
            "Generate the dataset of the dataset panel",
            sp.SP_FileDialogNewFolder,
        )
        self.act_open = self._action(
            "Open data file…",
            self.open_data_dialog,
            ("Ctrl+O",),
            "Load points from a file",
            sp.SP_DialogOpenButton,
        )
        self.act_export_model = self._action(
            "Export model…",
            self.export_model_dialog,
            ("Ctrl+S",),
            "Save the shown model as JSON or NPZ",
            sp.SP_DialogSaveButton,
        )
        self.act_export_data = self._action(
            "Export labelled data (CSV)…",
            self.export_data_dialog,
            ("Ctrl+E",),
            "Save x, y, true label, EM label and every responsibility as CSV",
        )
        self.act_export_png = self._action(
            "Canvas as PNG…",
            partial(self.export_canvas_dialog, "png", 1.0),
            (),
            "Save the canvas as a PNG image",
        )
        self.act_export_png2 = self._action(
            "Canvas as PNG (2x)…",
            partial(self.export_canvas_dialog, "png", 2.0),
            (),
            "Save the canvas at twice its resolution",
        )
        self.act_export_svg = self._action(
            "Canvas as SVG…",
            partial(self.export_canvas_dialog, "svg", 1.0),
            (),
            "Save the canvas as an SVG drawing",
        )
        self.act_screenshot = self._action(
            "Screenshot…",
            self.screenshot_dialog,
            ("Ctrl+Shift+S",),
            "Save the whole window as PNG",
            sp.SP_DesktopIcon,
        )
        self.act_quit = self._action("Quit", self.close, ("Ctrl+Q",), "Close gmmviz")
        self.act_latest = self._action(
            "Go to latest iteration",
            self.follow_latest,
            ("End",),
            "Show the latest iteration again",
        )
        self.act_fit_view = self._action(
            "Fit view to data", self._fit_view, ("F",), "Zoom to show all points"
        )
        self.act_shortcuts = self._action(
            "Keyboard shortcuts", self._show_shortcuts, ("F1",), "List the keyboard shortcuts"
        )
        self.act_about = self._action("About gmmviz", self._show_about, (), "What this is")

    def _build_ui(self) -> None:
        self.dataset_panel = DatasetPanel()
        self.model_panel = ModelPanel()
        self.em_panel = EMPanel(
            {
                "step": self.act_step,
                "play": self.act_play,
                "run": self.act_run,
                "reset": self.act_reset,
            }
        )
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 2, 6, 6)
        side_layout.addWidget(self.dataset_panel)
        side_layout.addWidget(self.model_panel)
        side_layout.addWidget(self.em_panel)
        side_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(300)
        scroll.setMaximumWidth(380)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.view_bar = ViewBar()
        self.canvas = MixtureCanvas()
        self.canvas.setToolTip("")
        self.history_bar = HistoryBar()
        self.likelihood = LikelihoodPlot()
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(2)
        top_layout.addWidget(self.view_bar)
        top_layout.addWidget(self.canvas, 1)
        top_layout.addWidget(self.history_bar)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.likelihood)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        right.setSizes([600, 190])
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 960])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (
            self.act_generate,
            self.act_open,
            None,
            self.act_step,
            self.act_play,
            self.act_run,
            self.act_reset,
            None,
            self.act_export_model,
            self.act_screenshot,
        ):
            if action is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(action)
        self.size_label = QLabel("")
        self.statusBar().addPermanentWidget(self.size_label)
        self.statusBar().showMessage(
            "Welcome: pick a dataset and press Generate, or Step / Play to watch EM."
        )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.act_generate)
        file_menu.addAction(self.act_open)
        file_menu.addSeparator()
        file_menu.addAction(self.act_export_model)
        file_menu.addAction(self.act_export_data)
        image_menu = file_menu.addMenu("Export canvas image")
        image_menu.addAction(self.act_export_png)
        image_menu.addAction(self.act_export_png2)
        image_menu.addAction(self.act_export_svg)
        file_menu.addAction(self.act_screenshot)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        em_menu = bar.addMenu("&EM")
        for action in (self.act_step, self.act_play, self.act_run, self.act_reset):
            em_menu.addAction(action)
        em_menu.addSeparator()
        em_menu.addAction(self.act_latest)
        view_menu = bar.addMenu("&View")
        colour_menu = view_menu.addMenu("Colour points by")
        self.colour_actions = {}
        from gmmviz.ui.display import COLOUR_MODE_LABELS

        for mode in COLOUR_MODES:
            act = QAction(COLOUR_MODE_LABELS[mode], self, checkable=True)
            act.triggered.connect(partial(self.view_bar.set_colour_by, mode))
            colour_menu.addAction(act)
            self.colour_actions[mode] = act
        view_menu.addAction(self.act_fit_view)
        self.act_show_ellipses = QAction("Show ellipses", self, checkable=True, checked=True)
        self.act_show_ellipses.toggled.connect(self.view_bar.ellipses.setChecked)
        self.act_show_legend = QAction("Show legend", self, checkable=True, checked=True)
        self.act_show_legend.toggled.connect(self.view_bar.legend.setChecked)
        view_menu.addAction(self.act_show_ellipses)
        view_menu.addAction(self.act_show_legend)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_shortcuts)
        help_menu.addAction(self.act_about)

    def _connect(self) -> None:
        c = self.controller
        c.updated.connect(self._on_update)
        c.rendered.connect(self._on_rendered)
        c.runFinished.connect(self._on_run_finished)
        c.runFailed.connect(self._on_run_failed)
        c.playingChanged.connect(self._on_playing_changed)
        c.taskFinished.connect(self._on_task_finished)
        c.taskFailed.connect(self._on_task_failed)
        self.dataset_panel.generateRequested.connect(self.generate)
        self.dataset_panel.openRequested.connect(self.open_data_dialog)
        self.model_panel.settingsChanged.connect(self._on_model_changed)
        self.em_panel.speedChanged.connect(self._on_speed_changed)
        self.view_bar.colourChanged.connect(self._on_colour_changed)
        self.view_bar.ellipsesToggled.connect(self._on_ellipses_toggled)
        self.view_bar.legendToggled.connect(self._on_legend_toggled)
        self.history_bar.indexChosen.connect(self.show_index)
        self.history_bar.latestRequested.connect(self.follow_latest)
        self.canvas.viewChanged.connect(self._on_view_changed)
        self.canvas.painted.connect(self._release_worker)

    # ================================================================== state queries

    @property
    def shown_step(self):
        """The snapshot on the canvas (``None`` before the first)."""
        if not len(self.history):
            return None
        if self._following or self._shown_index is None:
            return self.history.latest
        return self.history[self._shown_index]

    @property
    def is_following(self) -> bool:
        return self._following

    def status(self, text: str) -> None:
        self.statusBar().showMessage(text)

    # ================================================================== data

    def generate(self, spec: DatasetSpec | None = None, play: bool = False) -> None:
        """Generate a dataset on the worker; EM restarts on it when it arrives (and plays
        at once with ``play``)."""
        if self.is_closed:
            return
        if not isinstance(spec, DatasetSpec):
            spec = self.dataset_panel.spec()
        self.dataset_panel.set_spec(spec)
        self.controller.pause()
        self.status(
            f"Generating {DATASET_TITLES.get(spec.name, spec.name)}: {spec.n_samples:,} points…"
        )
        token = self.controller.submit(partial(generate_source, spec))
        self._tasks[token] = ("data", f"generate {spec.name}", play)
        self._data_token = token

    def open_data(self, path: str | Path, play: bool = False) -> None:
        """Load a data file on the worker; EM restarts on it when it arrives."""
        if self.is_closed:
            return
        self.controller.pause()
        self.status(f"Reading {path}…")
        token = self.controller.submit(partial(load_source, str(path)))
        self._tasks[token] = ("data", f"open {Path(path).name}", play)
        self._data_token = token

    def open_data_dialog(self) -> None:
        from gmmviz.io import DATA_SUFFIXES

        patterns = " ".join(f"*{s}" for s in DATA_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open data file", self._last_dir(), f"Data files ({patterns});;All files (*)"
        )
        if path:
            self._remember_dir(path)
            self.open_data(path)

    def set_data(self, source: DataSource, restart: bool = True, play: bool = False) -> None:
        """Put a dataset on the canvas and (by default) start EM on it."""
        self.data = source
        # The old run belongs to other data: its model, curve and readouts go with it.
        self.history.reset(0, None)
        self._following, self._shown_index = True, None
        self.canvas.show_model(None)
        self.em_panel.show_step(None, None, True)
        self.em_panel.set_badge("not started", "idle")
        self.likelihood.set_cursor(None)
        self._refresh_history_widgets()
        use_markers = source.n_samples <= MARKER_LIMIT
        self._renderer = DisplayRenderer(source.X, source.y_true, source.view)
        self.canvas.set_points(source.view, use_markers, source.n_classes)
        self.controller.set_request(self.canvas.view_request())
        extra = ""
        if source.n_features > 2:
            extra = f" — EM uses all {source.n_features} features; the canvas shows the first two"
        self.dataset_panel.set_source(f"Showing: {source.title}{extra}")
        self.size_label.setText(
            f"{source.n_samples:,} points · {'markers' if use_markers else 'raster'}"
        )
        self.setWindowTitle(f"{APP_NAME} — {source.title}")
        self.dataReady.emit()
        self._render_data_only()
        if restart:
            self.reset(play=play)

    # ================================================================== EM commands

    def reset(self, play: bool = False) -> None:
        """Start EM again from the initialisation (with the current model settings)."""
        if self.is_closed:
            return
        if self.data is None:
            self.status("No data yet: press Generate or open a data file.")
            return
        settings = self.model_panel.settings()
        try:
            settings.validated()
        except ValueError as exc:
            self._error(str(exc))
            return
        factory = partial(em_steps, self.data.X, settings)
        run_id = self.controller.start(
            factory, self._renderer, play=play, rate=self.em_panel.rate()
        )
        self._run_settings = {run_id: settings}
        self._following = True
        self._awaiting_paint = None
        self.em_panel.set_badge("initialising…", "running")
        self.status(
            f"Initialising K={settings.n_components} ({settings.covariance_type}, "
            f"{settings.init_params}, seed {settings.seed})…"
        )
        self._update_actions()

    def step(self) -> None:
        """One EM iteration (pauses if playing)."""
        if not self._ensure_live("step"):
            return
        self._go_live()
        self.controller.step()

    def toggle_play(self) -> None:
        if self.controller.is_playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if not self._ensure_live("play"):
            self.act_play.setChecked(False)
            return
        self._go_live()
        rate = self.em_panel.rate()
        self.controller.play(rate)
        self.status(f"Playing at {speed_label(rate)}.")

    def pause(self) -> None:
        self.controller.pause()
        if self.history.latest is not None:
            self.status(f"Paused at iteration {self.history.latest.iteration}.")

    def run_to_end(self) -> None:
        if not self._ensure_live("run"):
            return
        self._go_live()
        self.controller.run_to_end()
        self.status("Running to convergence…")

    def _ensure_live(self, what: str) -> bool:
        if self.data is None:
            self.status("No data yet: press Generate or open a data file.")
            return False
        if self.controller.is_live:
            return True
        if self.history.error is not None or not len(self.history):
            # the last run failed (or never started): start afresh with the current settings
            self.reset(play=(what in ("play", "run")))
            if what == "run" and self.controller.is_live:
                self.controller.run_to_end()
            return False
        last = self.history.latest
        if last.converged:
            self.status(
                f"EM converged at iteration {last.iteration}; press Reset (R) to start again."
            )
        else:
            self.status(
                f"EM stopped at max_iter ({last.iteration}); raise Max iterations or press Reset."
            )
        return False

    def _go_live(self) -> None:
        if not self._following:
            self.follow_latest()

    # ================================================================== controller signals

    def _on_update(self, update: Update) -> None:
        assert _on_gui_thread(), "widgets touched off the GUI thread"
        if self.history.run_id != update.run_id:
            self.history.reset(update.run_id, self._run_settings.get(update.run_id))
            self._following = True
            self._shown_index = None
            self.view_bar.set_n_components(update.steps[0].params.n_components)
            new_run = True
        else:
            new_run = False
        self.history.extend(update.steps)
        latest = self.history.latest
        if self._following:
            self._show_frame(latest, update.display)
            if update.request != self.controller.request:
                self._request_render(latest)  # the view changed while this was computed
        # While playing fast the curve is redrawn at most every PLOT_INTERVAL_MS: it is a
        # second full plot to paint, and 10+ redraws a second look just as live.
        self._refresh_history_widgets(plot_now=not self.controller.is_playing)
        self.em_panel.set_badge(
            "playing" if self.controller.is_playing else f"iteration {latest.iteration}", "running"
        )
        if not self.controller.is_playing:
            self._status_for_step(latest)
        if new_run:
            self._update_actions()  # a model exists now: the exports can be used
        if self._following:
            self._await_paint(update.run_id)
        else:
            self.controller.frame_done(update.run_id)  # nothing new to paint

    def _show_frame(self, step, display: Display | None) -> None:
        if display is not None:
            self.canvas.show_display(display)
        self.canvas.show_model(step)
        self._apply_ellipse_visibility()
        settings = self.history.settings
        self.em_panel.show_step(step, settings.max_iter if settings else None, self._following)
        # the cursor marks a past iteration; following the run it would only cost repaints
        self.likelihood.set_cursor(
            step.iteration if step is not None and not self._following else None
        )
        if step is not None:
            self.frameShown.emit(step.iteration)

    def _await_paint(self, run_id: int) -> None:
        # The worker sends the next snapshot once this one is painted (or after a timeout
        # when nothing can be painted, e.g. a minimised window).
        if self.canvas.isVisible() and self.isVisible() and not self.isMinimized():
            self._awaiting_paint = run_id
            self._paint_timer.start()
        else:
            self.canvas.take_frame_pending()
            self.controller.frame_done(run_id)

    def _release_worker(self) -> None:
        if self._awaiting_paint is not None:
            run_id, self._awaiting_paint = self._awaiting_paint, None
            self._paint_timer.stop()
            self.controller.frame_done(run_id)

    def _on_rendered(self, rendered: Rendered) -> None:
        assert _on_gui_thread(), "widgets touched off the GUI thread"
        if rendered.token != self._render_token:
            return  # superseded by a newer request
        shown = self.shown_step
        if shown is not None and rendered.snapshot is not shown:
            return
        self.canvas.show_display(rendered.display)

    def _on_run_finished(self, run_id: int) -> None:
        self.history.finished = True
        last = self.history.latest
        if last is not None and last.converged:
            self.em_panel.set_badge(f"converged at iteration {last.iteration}", "converged")
            self.status(
                f"Converged after {last.iteration} iterations: mean log-likelihood "
                f"{last.log_likelihood:.6f} (change {last.change:+.2e} < tol)."
            )
            reason = "converged"
        else:
            it = last.iteration if last is not None else 0
            self.em_panel.set_badge(f"stopped at max_iter ({it})", "stopped")
            self.status(f"Stopped at max_iter = {it} without converging; raise Max iterations.")
            reason = "max_iter"
        self._refresh_history_widgets()
        self._update_actions()
        self.runEnded.emit(reason)

    def _on_run_failed(self, run_id: int, message: str) -> None:
        self.history.error = message
        self.em_panel.set_badge("error — see message", "error")
        self._update_actions()
        self._error(f"EM could not run: {message}")
        self.runEnded.emit("error")

    def _on_playing_changed(self, playing: bool) -> None:
        self.act_play.setChecked(playing)
        self.act_play.setText("Pause" if playing else "Play")
        self.act_play.setIcon(
            self.style().standardIcon(
                QStyle.StandardPixmap.SP_MediaPause
                if playing
                else QStyle.StandardPixmap.SP_MediaPlay
            )
        )
        if not playing and self.history.latest is not None and not self.history.finished:
            self.em_panel.set_badge(f"paused at iteration {self.history.latest.iteration}", "idle")
        self._update_actions()

    def _on_task_finished(self, token: int, result) -> None:
        assert _on_gui_thread(), "widgets touched off the GUI thread"
        kind = self._tasks.pop(token, ("?", ""))
        if kind[0] == "data":
            if token != self._data_token:
                return  # a newer Generate / Open superseded this one
            self.set_data(result, play=kind[2])
        elif kind[0] == "render":
            if kind[2] is self._renderer and self.shown_step is None:
                self.canvas.show_display(result)
        elif kind[0] == "export":
            self.status(f"Exported {kind[1]} to {result}.")
            self.exportDone.emit(str(result))

    def _on_task_failed(self, token: int, message: str) -> None:
        kind = self._tasks.pop(token, ("?", "task"))
        if kind[0] == "data" and token != self._data_token:
            return
        self._error(f"Could not {kind[1]}: {message}")

    # ================================================================== history

    def show_index(self, index: int) -> None:
        """Show a past snapshot (pauses EM)."""
        if not len(self.history):
            return
        index = int(min(max(index, 0), len(self.history) - 1))
        if self.controller.is_playing:
            self.controller.pause()
        self._following = index == len(self.history) - 1 and self._following
        if index != len(self.history) - 1:
            self._following = False
        self._shown_index = index
        step = self.history[index]
        self._show_frame(step, None)
        self._request_render(step)
        self._refresh_history_widgets()
        self.status(f"Showing iteration {step.iteration} (of {self.history.latest.iteration}).")

    def follow_latest(self) -> None:
        """Show the latest snapshot and follow the run again."""
        if not len(self.history):
            return
        self._following = True
        self._shown_index = None
        step = self.history.latest
        self._show_frame(step, None)
        self._request_render(step)
        self._refresh_history_widgets()
        self.status(f"Back at the latest iteration ({step.iteration}).")

    def _refresh_history_widgets(self, plot_now: bool = True) -> None:
        n = len(self.history)
        index = n - 1 if self._following or self._shown_index is None else self._shown_index
        step = self.shown_step
        self.history_bar.set_state(n, index, self._following, step.iteration if step else None)
        if plot_now:
            self._plot_timer.stop()
            self._redraw_likelihood()
        elif not self._plot_timer.isActive():
            self._plot_timer.start()

    def _redraw_likelihood(self) -> None:
        it, ll = self.history.log_likelihoods()
        self.likelihood.set_history(it, ll, self.history.converged_at)

    def _request_render(self, step) -> None:
        if self.is_closed:
            return
        self._render_token = self.controller.render(step, self.canvas.view_request())

    # ================================================================== view

    def _on_colour_changed(self, mode: str, component: int) -> None:
        for m, act in self.colour_actions.items():
            act.setChecked(m == mode)
        self.canvas.set_colour_mode(mode, component)
        self.controller.set_request(self.canvas.view_request())
        step = self.shown_step
        if step is not None:
            self._request_render(step)
        elif self.data is not None and self._renderer is not None:
            self._render_data_only()

    def _on_view_changed(self) -> None:
        if self.is_closed:
            return
        if self.canvas.uses_markers or self.data is None:
            return
        self.controller.set_request(self.canvas.view_request())
        if self.shown_step is not None:
            self._request_render(self.shown_step)
        else:
            self._render_data_only()

    def _render_data_only(self) -> None:
        # Before EM's first snapshot arrives (k-means on a million points takes a while),
        # show the data coloured by its true classes.
        if self._renderer is None or self.is_closed:
            return
        renderer, request = self._renderer, self.canvas.view_request()
        token = self.controller.submit(lambda: renderer(None, request))
        self._tasks[token] = ("render", "draw the data", renderer)

    def _on_ellipses_toggled(self, on: bool) -> None:
        self.act_show_ellipses.setChecked(on)
        self._apply_ellipse_visibility()

    def _apply_ellipse_visibility(self) -> None:
        on = self.view_bar.ellipses.isChecked()
        self.canvas.fills.setVisible(on)
        self.canvas.outlines.setVisible(on)

    def _on_legend_toggled(self, on: bool) -> None:
        self.act_show_legend.setChecked(on)
        self.canvas.legend.setVisible(on)

    def _fit_view(self) -> None:
        self.canvas.auto_range()

    def _on_speed_changed(self, rate) -> None:
        self.controller.set_rate(rate)
        if self.controller.is_playing:
            self.status(f"Playing at {speed_label(rate)}.")

    def _on_model_changed(self, settings: ModelSettings) -> None:
        if self.is_closed:
            return
        if self.data is None:
            return
        self.reset()
        self.status(
            f"Model settings changed: re-initialised with K={settings.n_components}, "
            f"{settings.covariance_type} covariance, {settings.init_params} init."
        )

    # ================================================================== readouts

    def _status_for_step(self, step) -> None:
        if step.iteration == 0:
            s = self.history.settings
            what = (
                f" K={s.n_components} ({s.covariance_type}, {s.init_params}, seed {s.seed})"
                if s is not None
                else ""
            )
            self.status(
                f"Initialised{what}: mean log-likelihood {step.log_likelihood:.6f}. "
                "Press Step (→) or Play (Space)."
            )
        else:
            change = "" if math.isnan(step.change) else f" (change {step.change:+.2e})"
            ll = f"{step.log_likelihood:.6f}"
            self.status(f"Iteration {step.iteration}: mean log-likelihood {ll}{change}.")

    def _update_actions(self) -> None:
        has_data = self.data is not None
        has_model = self.history.latest is not None
        live = self.controller.is_live
        self.act_step.setEnabled(has_data)
        self.act_play.setEnabled(has_data)
        self.act_run.setEnabled(has_data and (live or self.history.error is not None))
        self.act_reset.setEnabled(has_data)
        for act in (self.act_export_model, self.act_export_data):
            act.setEnabled(has_model)

    # ================================================================== errors

    def _error(self, message: str) -> None:
        self.status(message)
        self.errorShown.emit(message)
        if self.quiet_errors:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("gmmviz")
        box.setText(message)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()  # never blocks: the event loop keeps running
        self._message_box = box

    # ================================================================== exports

    def _last_dir(self) -> str:
        return str(self._store.value("paths/last_dir", str(Path.home())))

    def _remember_dir(self, path: str) -> None:
        if self._remember:
            self._store.setValue("paths/last_dir", str(Path(path).parent))

    def _save_path(self, title: str, name: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self, title, str(Path(self._last_dir()) / name), filters
        )
        if path:
            self._remember_dir(path)
        return path

    def export_model(self, path: str | Path) -> Path:
        """Save the shown model (``.json`` or ``.npz``)."""
        step = self.shown_step
        if step is None:
            raise ValueError("there is no model yet: generate data and initialise EM first")
        out = export.write_model(path, step, self.history.settings)
        self.status(f"Exported the model of iteration {step.iteration} to {out}.")
        return out

    def export_model_dialog(self) -> None:
        path = self._save_path(
            "Export model", "model.json", "JSON model (*.json);;NumPy archive (*.npz)"
        )
        if path:
            if not Path(path).suffix:
                path += ".json"
            self._guarded(self.export_model, path)

    def export_data(self, path: str | Path) -> int:
        """Write the labelled data CSV on the worker; returns the task token."""
        step = self.shown_step
        if step is None or self.data is None:
            raise ValueError("there is no model yet: generate data and initialise EM first")
        data = self.data
        token = self.controller.submit(
            partial(export.write_labelled_csv, str(path), data.X, data.y_true, step.params)
        )
        self._tasks[token] = ("export", "the labelled data")
        self.status(f"Writing {data.n_samples:,} labelled points to {path}…")
        return token

    def export_data_dialog(self) -> None:
        path = self._save_path("Export labelled data", "labelled.csv", "CSV (*.csv)")
        if path:
            if not Path(path).suffix:
                path += ".csv"
            self._guarded(self.export_data, path)

    def export_canvas(self, path: str | Path, scale: float = 1.0) -> Path:
        """The canvas as PNG (at ``scale``) or SVG, by suffix."""
        path = Path(path)
        if path.suffix.lower() == ".svg":
            out = export.save_svg(self.canvas, path)
        else:
            out = export.save_png(self.canvas, path, scale)
        self.status(f"Saved the canvas to {out}.")
        return out

    def export_canvas_dialog(self, kind: str, scale: float) -> None:
        suffix = ".svg" if kind == "svg" else ".png"
        name = "canvas" + ("@2x" if scale == 2 else "") + suffix
        path = self._save_path("Export canvas image", name, export.IMAGE_FORMATS[kind])
        if path:
            if not Path(path).suffix:
                path += suffix
            self._guarded(self.export_canvas, path, scale)

    def screenshot(self, path: str | Path) -> Path:
        """The whole window as PNG."""
        out = export.save_window_png(self, path)
        self.status(f"Saved a screenshot of the window to {out}.")
        return out

    def screenshot_dialog(self) -> None:
        path = self._save_path("Save window screenshot", "gmmviz.png", "PNG image (*.png)")
        if path:
            if not Path(path).suffix:
                path += ".png"
            self._guarded(self.screenshot, path)

    def _guarded(self, fn, *args) -> None:
        try:
            folder = Path(args[0]).expanduser().parent
            if not folder.is_dir():
                # say so plainly (the writer would name its hidden temporary file instead)
                raise ValueError(f"the folder {folder} does not exist")
            fn(*args)
        except (OSError, ValueError) as exc:
            self._error(f"Export failed: {exc}")

    # ================================================================== help

    def _show_shortcuts(self) -> None:
        rows = [
            ("Space", "Play / pause"),
            ("→ or N", "One EM iteration"),
            ("Ctrl+R", "Run to convergence"),
            ("R", "Reset (re-initialise)"),
            ("G", "Generate the dataset"),
            ("End", "Back to the latest iteration"),
            ("F", "Fit the view to the data"),
            ("Ctrl+O", "Open a data file"),
            ("Ctrl+S", "Export the model"),
            ("Ctrl+E", "Export the labelled data"),
            ("Ctrl+Shift+S", "Window screenshot"),
            ("Ctrl+Q", "Quit"),
        ]
        text = (
            "<table>"
            + "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
            + "</table>"
        )
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", text, parent=self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()
        self._message_box = box

    def _show_about(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "About gmmviz",
            "<b>gmmviz</b> lets you watch the EM algorithm fit a Gaussian mixture, one "
            "iteration at a time: E-step responsibilities as colours, M-step means and "
            "covariance ellipses (1, 2, 3 σ), and the log-likelihood climbing to convergence.",
            parent=self,
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()
        self._message_box = box

    # ================================================================== settings

    def _restore_settings(self) -> None:
        store = self._store
        geometry = store.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(geometry)
        state = store.value("window/state")
        if isinstance(state, QByteArray | bytes) and state:
            self.restoreState(state)
        dataset = _json_setting(store, "settings/dataset")
        if dataset:
            self.dataset_panel.set_spec(dataset_spec_from_dict(dataset))
        model = _json_setting(store, "settings/model")
        if model:
            self.model_panel.set_settings(ModelSettings.from_dict(model))
        view = _json_setting(store, "settings/view")
        if view:
            if view.get("colour_by") in COLOUR_MODES:
                self.view_bar.set_colour_by(view["colour_by"])
            speed = view.get("speed", DEFAULT_SPEED)
            self.em_panel.set_rate(speed)

    def save_settings(self) -> None:
        if not self._remember:
            return
        store = self._store
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        store.setValue(
            "settings/dataset", json.dumps(dataset_spec_to_dict(self.dataset_panel.spec()))
        )
        store.setValue("settings/model", json.dumps(self.model_panel.settings().to_dict()))
        store.setValue(
            "settings/view",
            json.dumps({"colour_by": self.view_bar.colour_by(), "speed": self.em_panel.rate()}),
        )
        store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.hide()  # closing feels instant even if the worker finishes an iteration first
        # pending timers (a debounced K change, say) must not restart EM after this
        for timer in (
            self._paint_timer,
            self._plot_timer,
            self.model_panel._debounce,
            self.canvas._view_timer,
        ):
            timer.stop()
        self.controller.shutdown()
        event.accept()

    @property
    def is_closed(self) -> bool:
        return self.controller.is_closed

    # ================================================================== start-up

    def start_default(self) -> None:
        """What a first start shows: the dataset panel's dataset, EM initialised."""
        self.generate(self.dataset_panel.spec())


_startup_frozen = False


def _freeze_startup_objects() -> None:
    """Keep what start-up created (Qt wrappers, pyqtgraph items, numpy, numba: all alive as
    long as the app) out of the cyclic collector's full passes, which otherwise scan it all
    and stall the event loop for tens of milliseconds. Once per process, garbage first."""
    global _startup_frozen
    if not _startup_frozen:
        _startup_frozen = True
        gc.collect()
        gc.freeze()


def _on_gui_thread() -> bool:
    """Whether the caller runs on the GUI thread (slots that touch widgets must)."""
    app = QApplication.instance()
    return app is None or QThread.currentThread() is app.thread()


def _json_setting(store: QSettings, key: str) -> dict | None:
    raw = store.value(key)
    if not raw:
        return None
    try:
        value = json.loads(str(raw))
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _qt_message(mode: QtMsgType, context, message: str) -> None:
    # The offscreen platform warns about a window-manager hint it cannot honour; noise.
    if "propagateSizeHints" in message:
        return
    if mode != QtMsgType.QtDebugMsg:
        sys.stderr.write(message + "\n")


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created if needed) with the app's names set for QSettings."""
    app = QApplication.instance()
    if app is None:
        qInstallMessageHandler(_qt_message)
        app = QApplication(argv or [APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    return app
