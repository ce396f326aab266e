"""The fitted log-density as a heat map with contour lines, and its colour bar."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from gmmviz.scene.request import DensityImage

#: Contour pen: dark and thin, so the points above stay readable.
CONTOUR = (40, 40, 90, 170)


def _lookup_table(n: int = 256) -> np.ndarray:
    """Transparent at low density to a quiet blue-grey at the modes: the heat map stays under
    the points (class colours, samples) instead of competing with them."""
    t = np.linspace(0.0, 1.0, n)
    light, dark = np.array([235.0, 240.0, 250.0]), np.array([70.0, 90.0, 150.0])
    table = np.empty((n, 4), dtype=np.uint8)
    table[:, :3] = np.rint(light + (dark - light) * t[:, None] ** 0.8)
    table[:, 3] = np.rint(190 * t**0.5)
    return table


class DensityLayer:
    """An ``ImageItem`` for log p and one line item per contour level (segments the worker
    traced), in one plot.

    Parameters
    ----------
    plot : pyqtgraph.PlotItem
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(_lookup_table())
        self.image.setZValue(-20)
        plot.addItem(self.image)
        self.curves: list[pg.PlotCurveItem] = []
        self._plot = plot
        self._shown: DensityImage | None = None
        self.bar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=pg.ColorMap(np.linspace(0, 1, 256), _lookup_table()),
            interactive=False,
            width=16,
            colorMapMenu=False,
            label="log-density",
        )
        self.bar.getAxis("right").setTextPen("k")

    @property
    def shown(self) -> DensityImage | None:
        return self._shown

    def set_density(self, density: DensityImage | None) -> None:
        """Show ``density`` (``None`` hides the layer)."""
        self._shown = density
        if density is None:
            self.image.clear()
            for curve in self.curves:
                curve.setData([], [])
            return
        lo, hi = density.limits
        self.image.setImage(density.log_density, levels=(lo, hi), autoLevels=False)
        x0, y0, x1, y1 = density.rect
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        while len(self.curves) < len(density.contours):
            curve = pg.PlotCurveItem(pen=pg.mkPen(CONTOUR, width=1), connect="pairs")
            curve.setParentItem(self.image)  # in the image's pixel coordinates
            curve.setZValue(-10)
            self.curves.append(curve)
        for curve, points in zip(self.curves, density.contours, strict=False):
            curve.setData(points[:, 0], points[:, 1], connect="pairs")
        for curve in self.curves[len(density.contours) :]:
            curve.setData([], [])
        self.bar.setLevels((lo, hi))

    def set_visible(self, on: bool) -> None:
        self.image.setVisible(on)
        for curve in self.curves:
            curve.setVisible(on)
