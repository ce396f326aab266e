"""Choosing K: BIC and AIC against K per covariance type, from a sweep on its own worker."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gmmviz.app.settings import BOUNDS
from gmmviz.core.gaussian import COVARIANCE_TYPES
from gmmviz.core.selection import SweepPoint
from gmmviz.qt.elided_label import ElidedLabel

#: One colour per covariance type (BIC solid, AIC dashed).
TYPE_COLOURS = {
    "full": (31, 119, 180),
    "tied": (255, 127, 14),
    "diag": (44, 160, 44),
    "spherical": (148, 103, 189),
}


class SelectionPanel(QWidget):
    """Sweep settings, progress, and the BIC/AIC plot; a click on a point picks its model.

    Signals
    -------
    runRequested(int, tuple, int)
        K max, covariance types, n_init.
    cancelRequested()
    pointChosen(object)
        The :class:`~gmmviz.core.selection.SweepPoint` whose marker was clicked.
    """

    runRequested = Signal(int, tuple, int)
    cancelRequested = Signal()
    pointChosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.k_max = QSpinBox()
        self.k_max.setRange(1, BOUNDS["n_components"].high)
        self.k_max.setValue(10)
        self.k_max.setPrefix("K = 1 … ")
        self.k_max.setToolTip("Fit one mixture for every K from 1 to this")
        self.types = {}
        for name in COVARIANCE_TYPES:
            box = QCheckBox(name)
            box.setChecked(name == "full")
            self.types[name] = box
        self.n_init = QSpinBox()
        self.n_init.setRange(BOUNDS["n_init"].low, BOUNDS["n_init"].high)
        self.n_init.setPrefix("starts per K: ")  # an underscore is clipped in a spin box
        self.n_init.setToolTip("Initialisations per fit, n_init (the best is kept)")
        self.run = QPushButton("Sweep")
        self.run.setObjectName("primary")
        self.run.setToolTip("Fit every K for the chosen covariance types (own worker thread)")
        self.cancel = QPushButton("Cancel")
        self.cancel.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setMaximumWidth(180)
        self.choice = ElidedLabel(
            "BIC and AIC against K: lower is better. Click a point to load it."
        )
        self.choice.setObjectName("hint")
        key = " ".join(
            f"<span style='color:rgb{c}'>■ {name}</span>" for name, c in TYPE_COLOURS.items()
        )
        # a key line instead of a legend inside the plot, which would hide the curves
        self.key = QLabel(f"{key} &nbsp; — BIC (● solid) &nbsp; - - AIC (▼ dashed)")
        self.key.setObjectName("hint")

        self.plot = pg.PlotWidget(background="w")
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "K (components)")
        item.setLabel("left", "criterion")
        item.showGrid(x=False, y=True, alpha=0.15)
        item.setMenuEnabled(False)
        for axis in ("bottom", "left"):
            item.getAxis(axis).setTextPen("k")
        self.best_marks = pg.ScatterPlotItem(
            size=18, symbol="star", brush=pg.mkBrush(255, 215, 0), pen=pg.mkPen(80, 60, 0)
        )
        self.best_marks.setZValue(10)
        self.best_marks.sigClicked.connect(self._on_star_clicked)  # it lies on the point
        item.addItem(self.best_marks)
        self._curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self._points: list[SweepPoint] = []

        # two short rows, so that the tab never makes the window wider than it needs
        row = QHBoxLayout()
        row.addWidget(self.k_max)
        for box in self.types.values():
            row.addWidget(box)
        row.addStretch(1)
        row2 = QHBoxLayout()
        row2.addWidget(self.n_init)
        row2.addWidget(self.run)
        row2.addWidget(self.cancel)
        row2.addWidget(self.progress)
        row2.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(row)
        layout.addLayout(row2)
        layout.addWidget(self.choice)
        layout.addWidget(self.key)
        layout.addWidget(self.plot, 1)
        self.run.clicked.connect(self._request)
        self.cancel.clicked.connect(self.cancelRequested)

    def _request(self) -> None:
        types = tuple(name for name, box in self.types.items() if box.isChecked())
        self.runRequested.emit(self.k_max.value(), types, self.n_init.value())

    def show_request(self, k_max: int, covariance_types: tuple, n_init: int) -> None:
        """Show the settings of a sweep started elsewhere (the command line)."""
        self.k_max.setValue(k_max)
        for name, box in self.types.items():
            box.setChecked(name in covariance_types)
        self.n_init.setValue(n_init)

    def set_running(self, running: bool, total: int = 0) -> None:
        self.run.setEnabled(not running)
        self.cancel.setEnabled(running)
        if running:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(0)

    def set_points(self, points: list[SweepPoint], total: int | None = None) -> None:
        """Draw the sweep so far (one BIC and one AIC curve per covariance type)."""
        self._points = list(points)
        if total is not None:
            self.progress.setValue(len(points))
        by_type: dict[str, list[SweepPoint]] = {}
        for p in points:
            by_type.setdefault(p.covariance_type, []).append(p)
        item = self.plot.getPlotItem()
        for key in [k for k in self._curves if k[0] not in by_type]:
            item.removeItem(self._curves.pop(key))
        for name, pts in by_type.items():
            k = np.array([p.k for p in pts], dtype=float)
            for criterion, style in (("bic", Qt.PenStyle.SolidLine), ("aic", Qt.PenStyle.DashLine)):
                values = np.array([p.criterion(criterion) for p in pts])
                curve = self._curves.get((name, criterion))
                if curve is None:
                    colour = TYPE_COLOURS.get(name, (90, 90, 90))
                    curve = item.plot(
                        pen=pg.mkPen(*colour, width=2, style=style),
                        symbol="o" if criterion == "bic" else "t",
                        symbolSize=7,
                        symbolBrush=pg.mkBrush(*colour),
                        name=f"{criterion.upper()} {name}",
                    )
                    curve.sigPointsClicked.connect(self._on_clicked)
                    self._curves[(name, criterion)] = curve
                curve.setData(k, values)
        self._mark_best()

    def _mark_best(self) -> None:
        if not self._points:
            self.best_marks.setData([], [])
            return
        best_bic = min(self._points, key=lambda p: p.bic)
        best_aic = min(self._points, key=lambda p: p.aic)
        self.best_marks.setData([best_bic.k, best_aic.k], [best_bic.bic, best_aic.aic])
        self.choice.setText(
            f"Lowest BIC: K = {best_bic.k} ({best_bic.covariance_type}); lowest AIC: "
            f"K = {best_aic.k} ({best_aic.covariance_type}). Click a point to load its model."
        )

    @property
    def points(self) -> list[SweepPoint]:
        return list(self._points)

    def _on_star_clicked(self, _item, spots, *_) -> None:
        """A star marks the best BIC or AIC: load that model."""
        if not len(spots) or not self._points:
            return
        best = (min(self._points, key=lambda p: p.bic), min(self._points, key=lambda p: p.aic))
        self.pointChosen.emit(best[int(spots[0].index()) % 2])

    def _on_clicked(self, curve, spots, *_) -> None:
        if not len(spots):
            return
        k = round(spots[0].pos().x())
        name = next(key[0] for key, c in self._curves.items() if c is curve)
        for p in self._points:
            if p.k == k and p.covariance_type == name:
                self.pointChosen.emit(p)
                return
