"""Mean log-likelihood per iteration, live, with the convergence point and the shown step."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

LINE = (31, 119, 180)
CONVERGED = (44, 160, 44)


class IterationAxis(pg.AxisItem):
    """An x axis with ticks on whole iterations only."""

    def tickValues(self, minVal, maxVal, size):
        levels = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            if spacing < 1:
                continue
            whole = [v for v in values if float(v).is_integer()]
            if whole:
                levels.append((spacing, whole))
        if not levels:
            levels = [(1.0, [float(v) for v in range(int(minVal), int(maxVal) + 1)])]
        return levels


class LikelihoodPlot(pg.PlotWidget):
    """A small plot under the canvas: one point per EM iteration."""

    def __init__(self, parent=None) -> None:
        super().__init__(
            parent=parent, background="w", axisItems={"bottom": IterationAxis("bottom")}
        )
        self.setMinimumHeight(150)
        item = self.getPlotItem()
        item.showGrid(x=False, y=True, alpha=0.15)
        item.setMenuEnabled(False)
        item.setLabel("bottom", "iteration")
        item.setLabel("left", "mean log-likelihood")
        item.setTitle("Log-likelihood", color="#333", size="9pt")
        for axis in ("bottom", "left"):
            item.getAxis(axis).enableAutoSIPrefix(False)
            item.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            item.getAxis(axis).setTextPen("k")
            item.getAxis(axis).setPen(pg.mkPen(90, 90, 90))
        self.curve = item.plot(
            pen=pg.mkPen(*LINE, width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=pg.mkBrush(*LINE),
            symbolPen=None,
        )
        self.cursor = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(120, 120, 120, style=pg.QtCore.Qt.PenStyle.DashLine),
        )
        self.cursor.hide()
        item.addItem(self.cursor)
        self.star = pg.ScatterPlotItem(
            size=16, symbol="star", brush=pg.mkBrush(*CONVERGED), pen=pg.mkPen(20, 90, 20)
        )
        item.addItem(self.star)
        # In the plot's bottom-right corner, not at the star: a text item in data
        # coordinates is re-placed on every range change (and lags behind it).
        self.label = pg.LabelItem("", color="#146e14", size="9pt")
        self.label.setParentItem(item.getViewBox())
        self.label.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-8, -4))
        self.label.hide()
        # top-left: the start, when it lies far below the rest of the curve
        self.off_scale = pg.LabelItem("", color="#666666", size="8pt")
        self.off_scale.setParentItem(item.getViewBox())
        self.off_scale.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(8, 4))
        self.off_scale.hide()
        self._n = 0
        self._range: tuple[float, float, float, float] | None = None

    def set_history(
        self, iterations: np.ndarray, log_likelihoods: np.ndarray, converged_at: int | None
    ) -> None:
        """Redraw the whole curve (a few hundred points at most)."""
        self._n = len(iterations)
        self.curve.setData(iterations, log_likelihoods)
        self._fit_range(iterations, log_likelihoods)
        if converged_at is not None and self._n:
            x, y = iterations[converged_at], log_likelihoods[converged_at]
            self.star.setData([x], [y])
            self.label.setText(f"★ converged at iteration {int(x)}", color="#146e14")
            self.label.show()
        else:
            self.star.setData([], [])
            self.label.hide()

    def reset_curve(self) -> None:
        """No curve; the next one gets a range of its own (not the previous run's)."""
        self._range = None
        self.set_history(np.zeros(0), np.zeros(0), None)

    def _fit_range(self, x: np.ndarray, y: np.ndarray) -> None:
        """Grow the view in steps, not with every point: a new range re-renders both axes,
        which costs more than the curve itself."""
        vb = self.getPlotItem().getViewBox()
        finite = np.isfinite(y)
        if not len(x) or not finite.any():
            self._range = None
            vb.enableAutoRange()
            return
        lo, hi = float(y[finite].min()), float(y[finite].max())
        rest = y[1:][np.isfinite(y[1:])]
        if rest.size >= 2 and np.isfinite(y[0]):
            # A bad start (-2e7 from random data points with diagonal covariances) would
            # squash the whole climb into one flat line: keep it off the scale, and say so.
            rest_span = float(rest.max() - rest.min())
            if float(rest.min()) - float(y[0]) > 20 * max(rest_span, 1e-4 * abs(rest.max())):
                lo = float(rest.min())
                self.off_scale.setText(f"iteration 0: {y[0]:.3g} (below the plot)")
                self.off_scale.show()
            else:
                self.off_scale.hide()
        else:
            self.off_scale.hide()
        xmax = float(x.max())
        old = self._range
        # at least 1e-4 relative: a single point (or a flat curve) gets readable ticks
        span = max(hi - lo, 1e-4 * max(abs(hi), 1.0))
        if old is not None and (old[3] - old[2]) > 20 * span:
            old = None  # far too loose (the start went off the scale): fit afresh
        # the last point needs half an iteration of room, or its star is cut at the edge
        if old is not None and xmax + 0.5 <= old[1] and old[2] <= lo and hi <= old[3]:
            return  # still fits
        x1 = max(10.0, np.ceil(xmax * 1.5), xmax + 1.0)
        if old is not None and old[2] <= lo and hi <= old[3]:
            y0, y1 = old[2], old[3]  # only the iterations outgrew the view
        else:
            y0, y1 = lo - 0.08 * span, hi + 0.25 * span  # room above: EM climbs
        self._range = (0.0, x1, y0, y1)
        vb.setRange(xRange=(-0.3, x1), yRange=(y0, y1), padding=0)

    def set_cursor(self, iteration: int | None) -> None:
        """Mark the iteration the canvas shows (``None`` hides the mark)."""
        if iteration is None:
            self.cursor.hide()
        else:
            self.cursor.setPos(iteration)
            self.cursor.show()

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.curve.getData()
        return (np.zeros(0), np.zeros(0)) if x is None else (np.asarray(x), np.asarray(y))

    @property
    def converged_marked(self) -> bool:
        return self.label.isVisible()
