"""Points as markers drawn from a colour atlas: one ``drawPixmapFragments`` call, a colour
index per point, so recolouring costs nothing on the GUI thread."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
from pyqtgraph.Qt import internals
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QPaintEngine,
    QPainter,
    QPen,
    QPixmap,
)

from gmmviz.scene.request import MarkerColours


def marker_size(n_points: int) -> int:
    """Marker diameter in pixels: large for a lecture-sized set, small for tens of thousands."""
    if n_points <= 2_000:
        return 8
    if n_points <= 10_000:
        return 6
    return 4


class MarkerItem(pg.GraphicsObject):
    """Points drawn as colour-indexed markers from a pixmap atlas.

    ``set_points`` sets the positions once per dataset; ``set_colours`` swaps the colour
    index, which costs a few microseconds: the markers are stamped from an atlas holding
    one pre-rendered disc per colour of the table.
    """

    def __init__(self) -> None:
        super().__init__()
        self._xy = np.zeros((0, 2))
        self._index = np.zeros(0, dtype=np.int32)
        self._table = np.zeros((1, 3), dtype=np.uint8)
        self._size = 6
        self._bounds = QRectF()
        self._atlas: QPixmap | None = None
        self._atlas_key: tuple | None = None
        self._cell = 0
        self._frags = internals.PrimitiveArray(QPainter.PixmapFragment, 10)

    def set_points(self, xy: np.ndarray, size: int) -> None:
        """Positions, shape (N, 2), and the marker diameter in pixels."""
        self.prepareGeometryChange()
        self._xy = np.ascontiguousarray(xy, dtype=np.float64)
        self._index = np.zeros(len(self._xy), dtype=np.int32)
        self._size = int(size)
        if len(self._xy):
            lo, hi = self._xy.min(axis=0), self._xy.max(axis=0)
            self._bounds = QRectF(
                lo[0], lo[1], max(hi[0] - lo[0], 1e-12), max(hi[1] - lo[1], 1e-12)
            )
        else:
            self._bounds = QRectF()
        self.update()

    def set_colours(self, colours: MarkerColours) -> None:
        """Colour index per point into a table of RGB colours."""
        if len(colours.index) != len(self._xy):
            raise ValueError(
                f"{len(colours.index)} colours for {len(self._xy)} points; stale display"
            )
        self._index = colours.index
        self._table = colours.table
        self.update()

    @property
    def colour_index(self) -> np.ndarray:
        return self._index

    @property
    def colour_table(self) -> np.ndarray:
        return self._table

    def point_rgb(self) -> np.ndarray:
        """The colour each point is drawn with; shape (N, 3), uint8."""
        return self._table[self._index]

    def _ensure_atlas(self, dpr: float) -> None:
        key = (self._table.tobytes(), self._size, dpr)
        if key == self._atlas_key:
            return
        size = self._size
        cell = size + 2
        image = QImage(
            int(np.ceil(cell * dpr)) * len(self._table),
            int(np.ceil(cell * dpr)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(dpr, dpr)
        step = int(np.ceil(cell * dpr)) / dpr
        edge = QPen(QColor(0, 0, 0, 110 if size >= 6 else 60))
        edge.setWidthF(0.8)
        for i, (r, g, b) in enumerate(self._table.tolist()):
            painter.setPen(edge)
            painter.setBrush(QBrush(QColor(r, g, b)))
            painter.drawEllipse(QRectF(i * step + 1.0, 1.0, size, size))
        painter.end()
        self._atlas = QPixmap.fromImage(image)
        self._atlas.setDevicePixelRatio(dpr)
        self._cell = int(np.ceil(cell * dpr))
        self._atlas_key = key

    def boundingRect(self) -> QRectF:
        # The markers reach half their size in pixels beyond the data's extent: without
        # the padding a recolour repaints only part of the outermost markers.
        if self._bounds.isNull():
            return self._bounds
        px, py = self.pixelSize() or (0.0, 0.0)
        pad = self._size / 2 + 2
        return self._bounds.adjusted(-pad * px, -pad * py, pad * px, pad * py)

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()  # the padding in data units changes with the zoom

    def paint(self, painter: QPainter, option, widget=None) -> None:
        n = len(self._xy)
        if n == 0:
            return
        engine = painter.paintEngine()
        if self._exportOpts is not False or (
            engine is not None and engine.type() == QPaintEngine.Type.SVG
        ):
            self._paint_vector(painter)
            return
        # the target's ratio, not the widget's: exports render at 2x into an image
        dpr = painter.device().devicePixelRatioF()
        self._ensure_atlas(dpr)
        pts = fn.transformCoordinates(painter.transform(), self._xy.T)
        pts = np.clip(pts, -(2.0**30), 2.0**30)  # Qt crashes on huge coordinates
        painter.resetTransform()
        self._frags.resize(n)
        frags = self._frags.ndarray()
        frags[:, 0:2] = pts.T
        frags[:, 2] = self._index * self._cell
        frags[:, 3] = 0.0
        frags[:, 4:6] = self._cell
        frags[:, 6:10] = (1.0 / dpr, 1.0 / dpr, 0.0, 1.0)
        painter.drawPixmapFragments(*self._frags.drawargs(), self._atlas)

    def _paint_vector(self, painter: QPainter) -> None:
        """Export (images, SVG): real circles, one run per colour, scaled with the export."""
        transform = painter.transform()
        pts = fn.transformCoordinates(transform, self._xy.T).T
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale = 1.0
        if self._exportOpts:
            scale = float(self._exportOpts.get("resolutionScale", 1.0))
        radius = self._size / 2.0 * scale
        edge = QPen(QColor(0, 0, 0, 110 if self._size >= 6 else 60))
        edge.setWidthF(0.8 * scale)
        painter.setPen(edge)
        for c, rgb in enumerate(self._table.tolist()):
            sel = np.flatnonzero(self._index == c)
            if sel.size == 0:
                continue
            painter.setBrush(QBrush(QColor(*rgb)))
            for x, y in pts[sel]:
                painter.drawEllipse(QPointF(x, y), radius, radius)
        painter.setTransform(transform)
