"""The means: a ring with a cross each, in the component colours."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QPainter,
    QPen,
)


class MeansItem(pg.GraphicsObject):
    # Signals (hand-placed starts, when :attr:`editable`): a mean dragged to a point, a
    # click with Ctrl on a mean (remove it).
    """The component means: a disc in the component's colour with a cross, fixed pixel size.

    One light item instead of pyqtgraph scatter plots, whose ``setData`` costs a
    millisecond or two per frame.
    """

    meanMoved = Signal(int, float, float)
    removeRequested = Signal(int)

    def __init__(self, size: float = 12.0) -> None:
        super().__init__()
        self.editable = False
        self._dragged: int | None = None
        self._xy = np.zeros((0, 2))
        self._brushes: list[QBrush] = []
        self._size = size
        self._pen = QPen(QColor(25, 25, 25))
        self._pen.setWidthF(2.0)
        self._pen.setCosmetic(True)
        self._cross = QPen(QColor(25, 25, 25))
        self._cross.setWidthF(1.3)
        self._cross.setCosmetic(True)
        self._brush_cache: dict[tuple, QBrush] = {}
        self._bounds = QRectF()

    @property
    def colours(self) -> list[tuple[int, int, int]]:
        """The fill colour of each mean marker."""
        return [b.color().getRgb()[:3] for b in self._brushes]

    def set_means(self, xy: np.ndarray, colours: np.ndarray) -> None:
        """Positions (K, 2) and colours (K, 3)."""
        self.prepareGeometryChange()
        self._xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        self._brushes = []
        for rgb in np.asarray(colours).tolist():
            key = tuple(rgb)
            if key not in self._brush_cache:
                self._brush_cache[key] = QBrush(QColor(*key))
            self._brushes.append(self._brush_cache[key])
        if len(self._xy):
            lo, hi = self._xy.min(axis=0), self._xy.max(axis=0)
            self._bounds = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        else:
            self._bounds = QRectF()
        self.update()

    def positions(self) -> np.ndarray:
        """The drawn means; shape (K, 2)."""
        return self._xy.copy()

    def boundingRect(self) -> QRectF:
        # pixel-sized symbols around the points: pad by their size in data units
        if self._bounds.isNull() and not len(self._xy):
            return QRectF()
        px = self.pixelVectors()
        pad_x = (px[0].length() if px[0] is not None else 0.0) * self._size
        pad_y = (px[1].length() if px[1] is not None else 0.0) * self._size
        return self._bounds.adjusted(-pad_x, -pad_y, pad_x, pad_y)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not len(self._xy):
            return
        scale = 1.0
        if self._exportOpts:
            scale = float(self._exportOpts.get("resolutionScale", 1.0))
        pts = fn.transformCoordinates(painter.transform(), self._xy.T).T
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self._size / 2.0 * scale
        for (x, y), brush in zip(pts, self._brushes, strict=True):
            painter.setPen(self._pen)
            painter.setBrush(brush)
            painter.drawEllipse(QPointF(x, y), r, r)
            painter.setPen(self._cross)
            painter.drawLine(QPointF(x - r, y), QPointF(x + r, y))
            painter.drawLine(QPointF(x, y - r), QPointF(x, y + r))
        painter.restore()

    # ------------------------------------------------------------------ hand-placed starts

    def nearest(self, point: QPointF, pixels: float = 12.0) -> int | None:
        """The mean within ``pixels`` of ``point`` (data coordinates), if any."""
        if not len(self._xy):
            return None
        px = self.pixelVectors()
        scale = np.array([abs(px[0].x()) or 1.0, abs(px[1].y()) or 1.0]) if px[0] else 1.0
        d = (self._xy - np.array([point.x(), point.y()])) / scale
        k = int(np.argmin((d**2).sum(axis=1)))
        return k if float(np.sqrt((d[k] ** 2).sum())) <= pixels else None

    def mouseDragEvent(self, ev) -> None:
        if not self.editable or ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        pos = ev.pos()
        if ev.isStart():
            self._dragged = self.nearest(ev.buttonDownPos())
            if self._dragged is None:
                ev.ignore()  # the view pans
                return
        if self._dragged is None:
            ev.ignore()
            return
        ev.accept()
        self._xy[self._dragged] = (pos.x(), pos.y())  # instant feedback; the run follows
        self.update()
        if ev.isFinish():
            k, self._dragged = self._dragged, None
            self.meanMoved.emit(k, float(pos.x()), float(pos.y()))

    def mouseClickEvent(self, ev) -> None:
        if not self.editable or ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        k = self.nearest(ev.pos())
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier and k is not None:
            ev.accept()
            self.removeRequested.emit(k)
        else:
            ev.ignore()  # Shift+click on empty ground is the canvas's (add a component)
