"""Painting points on the canvas: a brush adds points of a chosen class, another erases,
Clear empties the canvas; when a stroke ends, EM restarts on the edited points (or goes on
from the shown model, as the paint bar says).

While painting, the canvas's mouse belongs to the brush (an event filter on its viewport):
the view does not pan, and the means cannot be dragged. The added points of a stroke are
previewed as they are painted; the data change once, when the mouse is released.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt

from gmmviz.app.painting import add_points, brush_dab, clear_points, erase_points
from gmmviz.app.state import DataSource

_POINTS_PER_DAB = 5


class Painter(QObject):
    """The brush (see the module's description).

    Attributes
    ----------
    active : bool
        Whether the canvas's mouse paints.
    """

    def __init__(self, presenter: Any) -> None:
        super().__init__(presenter)
        self.p = presenter
        self.canvas = presenter.w.canvas
        self.bar = presenter.w.paint_bar
        self.active = False
        self._rng = np.random.default_rng()
        self._added: list[np.ndarray] = []
        self._erased: list[tuple[tuple[float, float], tuple[float, float]]] = []
        self._stroking = False
        self.preview = pg.ScatterPlotItem(size=7, pen=pg.mkPen("k", width=0.5),
                                          brush=pg.mkBrush(255, 255, 255, 200))  # fmt: skip
        self.preview.setZValue(50)
        self.canvas.view.addItem(self.preview)
        self.canvas.viewport().installEventFilter(self)
        self.bar.clearRequested.connect(self.clear)
        self.bar.doneRequested.connect(lambda: self.set_active(False))

    # ------------------------------------------------------------------ mode

    def set_active(self, on: bool) -> None:
        """Start or stop painting (the P key and the paint bar's Done)."""
        data = self.p.state.data
        self.active = bool(on)
        self.canvas.hold_view = self.active  # the canvas stays put under the brush
        self.bar.setVisible(self.active)
        self.canvas.view.setMouseEnabled(not self.active, not self.active)
        self.canvas.viewport().setCursor(
            Qt.CursorShape.CrossCursor if self.active else Qt.CursorShape.ArrowCursor
        )
        if self.active:
            self.p.runner.pause()
            if data is None or data.n_samples == 0:
                self._blank_view()
            self.p.status(self._hint())
        action = self.p.w.act("paint")
        if action.isChecked() != self.active:
            action.setChecked(self.active)

    # ------------------------------------------------------------------ mouse

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.active:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._stroking = True
            self.dab(event.position())
            return True
        if kind == QEvent.Type.MouseMove and self._stroking:
            self.dab(event.position())
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._stroking:
            self._stroking = False
            self.finish_stroke()
            return True
        return kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)

    def _to_data(self, pos: QPointF) -> tuple[tuple[float, float], tuple[float, float]]:
        """A viewport position as data coordinates, and the brush's radius in data units."""
        point = self.canvas.view.mapSceneToView(self.canvas.mapToScene(pos.toPoint()))
        sx, sy = self.canvas.view.viewPixelSize()
        radius = float(self.bar.size.value())
        return (point.x(), point.y()), (radius * abs(sx), radius * abs(sy))

    def dab(self, pos: QPointF) -> None:
        """One touch of the brush at a viewport position."""
        centre, radius = self._to_data(pos)
        if self.bar.mode == "add":
            self._added.append(brush_dab(centre, radius, _POINTS_PER_DAB, self._rng))
            xy = np.vstack(self._added)
            self.preview.setData(xy[:, 0], xy[:, 1])
        else:
            self._erased.append((centre, radius))

    def finish_stroke(self) -> None:
        """Apply the stroke to the data and run EM on them."""
        added, erased = self._added, self._erased
        self._added, self._erased = [], []
        self.preview.setData([], [])
        source = self.p.state.data
        try:
            changed = source
            if added:
                changed = add_points(changed, np.vstack(added), self.bar.label.value())
            for centre, radius in erased:
                changed = erase_points(changed, centre, radius) or changed
        except ValueError:
            self.p.status(self._hint())  # data of more features: the hint says what to do
            return
        if changed is not source:
            self.apply(changed)

    def _hint(self) -> str:
        data = self.p.state.data
        if data is not None and data.n_features != 2:
            return (f"Painting works on two features; these data have {data.n_features}. "
                    "Press Clear in the paint bar to paint a new set, or Done.")  # fmt: skip
        then = "EM goes on from the shown model" if self.bar.keep_model.isChecked() else \
            "EM starts again (Step or Play runs it)"  # fmt: skip
        return (
            f"Painting: drag to add points of the chosen class, or pick Erase; {then} "
            "when you let go. P or Done stops."
        )

    def clear(self) -> None:
        """Remove every point: a blank canvas."""
        self.apply(clear_points(self.p.state.data))
        self._blank_view()

    def _blank_view(self) -> None:
        """A square of -10..10 to paint on (the lecture's blobs live there)."""
        self.canvas.view.setRange(xRange=(-10, 10), yRange=(-10, 10), padding=0)

    def apply(self, source: DataSource) -> None:
        """Show the edited points and run EM on them, as the paint bar says."""
        step = self.p.state.shown_step
        keep = self.bar.keep_model.isChecked() and step is not None
        k = self.p.state.model.n_components
        self.p.set_data(source, restart=False)
        self.p.unsaved.painted(source.n_samples)
        if source.n_samples < max(2, k):
            self.p.status(f"{source.n_samples} points painted; EM runs once there are at "
                          f"least {max(2, k)} (K = {k}).")  # fmt: skip
            return
        if keep and step.params.n_features == source.n_features:
            self.p.continue_from(step.params)
        else:
            self.p.reset()
