"""The main window: layout only — panels, canvas, likelihood plot, history, menus, toolbar.

The state lives in :class:`~gmmviz.app.state.AppState`, the use cases and the wiring in
:class:`~gmmviz.qt.presenter.Presenter`, the commands in :mod:`gmmviz.qt.actions`, the
dialogs in :mod:`gmmviz.qt.dialogs`. What is left here is where each widget sits, the few
"show this" methods the presenter calls, and the window's own settings (geometry).
"""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gmmviz.app.state import AppState, DataSource, ViewSettings
from gmmviz.qt import actions, dialogs
from gmmviz.qt.canvas import MixtureCanvas
from gmmviz.qt.elided_label import ElidedLabel
from gmmviz.qt.file_drop import dropped_data_file
from gmmviz.qt.memberships_window import MembershipsWindow
from gmmviz.qt.panels.dataset_panel import DatasetPanel
from gmmviz.qt.panels.em_panel import EMPanel
from gmmviz.qt.panels.equations_panel import EquationsPanel
from gmmviz.qt.panels.history_bar import HistoryBar
from gmmviz.qt.panels.likelihood_plot import LikelihoodPlot
from gmmviz.qt.panels.metrics_panel import MetricsPanel
from gmmviz.qt.panels.model_panel import ModelPanel
from gmmviz.qt.panels.paint_bar import PaintBar
from gmmviz.qt.panels.selection_panel import SelectionPanel
from gmmviz.qt.panels.view_bar import ViewBar
from gmmviz.qt.presenter import Presenter
from gmmviz.qt.restarts_window import RestartsWindow
from gmmviz.qt.side_by_side_window import SideBySideWindow
from gmmviz.qt.start_page import StartPage
from gmmviz.qt.style import STYLE_SHEET

APP_NAME = "gmmviz"
_STATE_KEY = "settings/state"
#: Height the bottom pane takes while Choose K shows (its controls and plot need it).
TALL_TAB_HEIGHT = 400


class MainWindow(QMainWindow):
    """gmmviz's window.

    Parameters
    ----------
    settings : QSettings, optional
        Where window layout and last settings are kept (default: the user's gmmviz settings).
    remember : bool
        Restore and save settings. Scripted runs pass ``False`` so that a command line
        always gives the same picture.

    Attributes
    ----------
    state : AppState
    presenter : Presenter
    """

    def __init__(self, settings: QSettings | None = None, remember: bool = True) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setStyleSheet(STYLE_SHEET)
        self.store = settings if settings is not None else QSettings(APP_NAME, APP_NAME)
        self.remember = remember
        #: No settings were saved yet: the app shows its start page.
        self.first_start = not (remember and self.store.contains(_STATE_KEY))
        self.state = AppState()
        self.memberships: MembershipsWindow | None = None
        self.side_by_side: SideBySideWindow | None = None
        self.restarts: RestartsWindow | None = None
        self._build_panels()
        self.presenter = Presenter(self, self.state)
        p = self.presenter
        targets = {"presenter": p, "exports": p.exports, "report": p.report,
                   "sessions": p.sessions, "painter": p.painter, "window": self}  # fmt: skip
        self.actions_by_name = actions.build_actions(self, targets)
        self.colour_actions = actions.build_colour_actions(
            self, lambda mode: self.presenter.set_view(colour_by=mode)
        )
        self.preset_actions = actions.build_preset_actions(self, self.presenter.load_preset)
        actions.build_menus(self, self.actions_by_name, self.colour_actions, self.preset_actions)
        self.toolbar = actions.build_toolbar(self, self.actions_by_name)
        self.em_panel.set_actions({k: self.act(k) for k in ("step", "play", "run", "reset")})
        self.resize(1280, 820)
        self.setAcceptDrops(True)  # a data file dropped anywhere on the window opens it
        if self.remember:
            self._restore_settings()
        self.presenter.sync_widgets()
        self.update_actions()

    # ================================================================== layout

    def _build_panels(self) -> None:
        self.dataset_panel = DatasetPanel()
        self.model_panel = ModelPanel()
        self.em_panel = EMPanel()
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 2, 6, 6)
        for panel in (self.dataset_panel, self.model_panel, self.em_panel):
            side_layout.addWidget(panel)
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
        self.paint_bar = PaintBar()
        top_layout.addWidget(self.paint_bar)
        top_layout.addWidget(self.canvas, 1)
        top_layout.addWidget(self.history_bar)
        self.selection_panel = SelectionPanel()
        self.metrics_panel = MetricsPanel()
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.setDocumentMode(True)
        self.bottom_tabs.addTab(self.likelihood, "Log-likelihood")
        self.bottom_tabs.addTab(self.selection_panel, "Choose K (BIC / AIC)")
        self.bottom_tabs.addTab(self.metrics_panel, "Fit metrics")
        self.equations = EquationsPanel()
        self.bottom_tabs.addTab(self.equations, "Equations")
        self._sizes_before_tall_tab: list[int] | None = None
        self.bottom_tabs.currentChanged.connect(self._fit_bottom_tab)
        self.right_splitter = right = QSplitter(Qt.Orientation.Vertical)
        right.splitterMoved.connect(self._splitter_dragged)  # only a drag by the user
        right.addWidget(top)
        right.addWidget(self.bottom_tabs)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        right.setSizes([570, 230])
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 960])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        # The message takes the stretch and the size label stays small on the right, so a
        # long message is never hidden under it.
        self.status_label = ElidedLabel("")
        self.status_label.setObjectName("statusMessage")
        self.size_label = QLabel("")
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.size_label)
        self.show_status("Welcome: pick a dataset and press Generate, or Step / Play to watch EM.")

    def _fit_bottom_tab(self, index: int) -> None:
        """Choose K needs room for its controls and a readable plot: showing it grows the
        bottom pane to TALL_TAB_HEIGHT (the canvas gives way); leaving it gives the canvas
        its height back, unless the user dragged the splitter meanwhile."""
        splitter = self.right_splitter
        sizes = splitter.sizes()
        if self.bottom_tabs.widget(index) is self.selection_panel:
            total = sum(sizes)
            tall = min(TALL_TAB_HEIGHT, total // 2)
            if sizes[1] < tall and self._sizes_before_tall_tab is None:
                self._sizes_before_tall_tab = sizes
                splitter.setSizes([total - tall, tall])
        elif self._sizes_before_tall_tab is not None:
            # back to the earlier share of the height (layout changes while Choose K
            # showed, a new dataset say, do not count as the user's choice)
            before, self._sizes_before_tall_tab = self._sizes_before_tall_tab, None
            total = sum(sizes)
            bottom = min(before[1], total // 2)
            splitter.setSizes([total - bottom, bottom])

    def _splitter_dragged(self, *_) -> None:
        self._sizes_before_tall_tab = None  # the user chose the heights: keep them

    # ================================================================== what the presenter shows

    def act(self, name: str) -> QAction:
        return self.actions_by_name[name]

    def show_status(self, text: str) -> None:
        self.statusBar().clearMessage()
        self.status_label.setText(text)  # the whole text is its tooltip

    @property
    def status_text(self) -> str:
        return self.status_label.text()

    def show_source(self, source: DataSource, use_markers: bool) -> None:
        extra = ""
        if source.n_features > 2:
            a, b = self.canvas.axis_names
            extra = f" — EM uses all {source.n_features} features; the canvas shows {a} and {b}"
        self.dataset_panel.set_source(f"Showing: {source.title}{extra}")
        self.size_label.setText(
            f"{source.n_samples:,} points · {'markers' if use_markers else 'raster'}"
        )
        self.setWindowTitle(f"{APP_NAME} — {source.title}")

    def update_actions(self) -> None:
        s, runner = self.state, self.presenter.runner
        has_data = s.data is not None
        failed = s.run is not None and s.run.error is not None
        has_data = has_data and s.data.n_samples >= 2  # a blank painting canvas has none
        for name in ("step", "play", "reset"):
            self.act(name).setEnabled(has_data)
        resumable = s.run is not None and s.run.run_id == self.presenter.restored_run_id
        self.act("run").setEnabled(has_data and (runner.is_live or failed or resumable))
        for name in ("export_model", "export_data", "sample"):
            self.act(name).setEnabled(s.shown_step is not None)
        self.act("export_samples").setEnabled(s.samples is not None)
        if s.run is None or not s.run.finished:
            self.act("fix").setEnabled(False)

    def set_playing(self, playing: bool) -> None:
        play = self.act("play")
        play.setChecked(playing)
        play.setText("Pause" if playing else "Play")
        icon = actions.SP.SP_MediaPause if playing else actions.SP.SP_MediaPlay
        play.setIcon(self.style().standardIcon(icon))

    def sync_view_actions(self, view: ViewSettings) -> None:
        for mode, act in self.colour_actions.items():
            act.setChecked(mode == view.colour_by)
        for name in ("show_ellipses", "show_legend", "show_density", "show_samples"):
            self.act(name).setChecked(getattr(view, name))

    def can_paint(self) -> bool:
        return self.canvas.isVisible() and self.isVisible() and not self.isMinimized()

    # ================================================================== window commands

    def fit_view(self) -> None:
        self.canvas.auto_range()

    def show_ellipses(self, on: bool) -> None:
        self.presenter.set_view(show_ellipses=on)

    def show_legend(self, on: bool) -> None:
        self.presenter.set_view(show_legend=on)

    def show_density(self, on: bool) -> None:
        self.presenter.set_view(show_density=on)

    def show_samples(self, on: bool) -> None:
        self.presenter.set_view(show_samples=on)

    def show_memberships(self) -> MembershipsWindow:
        if self.memberships is None:
            self.memberships = MembershipsWindow(self)
        self.memberships.show()
        self.memberships.raise_()
        return self.memberships

    def show_restarts(self) -> RestartsWindow:
        if self.restarts is None:
            self.restarts = RestartsWindow(self)
        self.restarts.show()
        return self.restarts

    def show_side_by_side(self) -> SideBySideWindow:
        if self.side_by_side is None:
            self.side_by_side = SideBySideWindow(self)
        self.side_by_side.show()
        return self.side_by_side

    def show_start_page(self) -> StartPage:
        page = StartPage(self, self.presenter.load_preset)
        page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        page.open()
        return page

    def show_shortcuts(self) -> None:
        dialogs.show_shortcuts(self, actions.shortcut_rows())

    def show_about(self) -> None:
        dialogs.show_about(self)

    # ================================================================== settings

    def _restore_settings(self) -> None:
        geometry = self.store.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(geometry)
        state = self.store.value("window/state")
        if isinstance(state, QByteArray | bytes) and state:
            self.restoreState(state)
        raw = self.store.value(_STATE_KEY)
        try:
            record = json.loads(str(raw)) if raw else None
        except (TypeError, ValueError):
            record = None
        if isinstance(record, dict):
            self.state.apply_record(record)

    def save_settings(self) -> None:
        if not self.remember:
            return
        self.store.setValue("window/geometry", self.saveGeometry())
        self.store.setValue("window/state", self.saveState())
        self.store.setValue(_STATE_KEY, json.dumps(self.state.to_record()))
        self.store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.presenter.unsaved.blocks("Closing the window", self.close):
            event.ignore()  # asked first: painted points are not saved
            return
        self.save_settings()
        self.hide()  # closing feels instant even if the worker finishes an iteration first
        # pending timers (a debounced K change, say) must not restart EM after this
        dialogs.close_boxes(self)
        if self.memberships is not None:
            self.memberships.close()
        for tool in (self.side_by_side, self.restarts):
            if tool is not None:
                tool.close()
                tool.shutdown()
        self.model_panel.cancel_pending()
        self.canvas.cancel_pending()
        self.presenter.shutdown()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_data_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_data_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.presenter.open_data(path, ask=True)

    @property
    def is_closed(self) -> bool:
        return self.presenter.is_closed

    def start_default(self) -> None:
        """What a first start shows: the state's dataset, EM initialised."""
        self.presenter.generate()
