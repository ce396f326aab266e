"""Filled covariance ellipses: K x 3 cached polygons whose opacity follows the weights."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QPainter,
    QPolygonF,
)

from gmmviz.scene.ellipses import SIGMAS


class EllipseFillItem(pg.GraphicsObject):
    """Filled 1, 2 and 3 sigma ellipses, one colour per component, opacity by weight."""

    def __init__(self) -> None:
        super().__init__()
        self._polys: list[tuple[QBrush, list[QPolygonF]]] = []
        self._bounds = QRectF()
        self._brushes: dict[tuple, QBrush] = {}

    def _brush(self, rgb: tuple[int, int, int], alpha: float) -> QBrush:
        key = (*rgb, round(alpha * 255))
        brush = self._brushes.get(key)
        if brush is None:
            brush = QBrush(QColor(rgb[0], rgb[1], rgb[2], key[3]))
            if len(self._brushes) > 4096:
                self._brushes.clear()
            self._brushes[key] = brush
        return brush

    def set_rings(self, rings: np.ndarray, colours: np.ndarray, alphas: np.ndarray) -> None:
        """Rings of shape (K, S, V, 2), colours (K, 3), per-component alpha (K,)."""
        self.prepareGeometryChange()
        self._polys = []
        for k in range(rings.shape[0]):
            rgb = tuple(int(v) for v in colours[k])
            # each layer at this alpha: the nested rings darken towards the centre
            brush = self._brush(rgb, float(alphas[k]) / len(SIGMAS))
            polys = []
            for s in range(rings.shape[1] - 1, -1, -1):
                ring = rings[k, s]
                if not np.all(np.isfinite(ring)):
                    continue
                polys.append(fn.arrayToQPolygonF(ring[:, 0].copy(), ring[:, 1].copy()))
            self._polys.append((brush, polys))
        finite = rings[np.isfinite(rings).all(axis=-1)]
        if finite.size:
            lo, hi = finite.min(axis=0), finite.max(axis=0)
            self._bounds = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        else:
            self._bounds = QRectF()
        self.update()

    def clear(self) -> None:
        self.prepareGeometryChange()
        self._polys = []
        self._bounds = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        # no antialiasing: the outlines drawn over the fills hide their edges, and large
        # antialiased translucent polygons are the costliest thing on the canvas
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        for brush, polys in self._polys:
            painter.setBrush(brush)
            for poly in polys:
                painter.drawPolygon(poly)
