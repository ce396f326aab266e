"""The mixture canvas: points, covariance ellipses, means, legend and colour bar (pyqtgraph).

Drawing costs decide the structure (measured: one ``ScatterPlotItem`` repaint costs 32 ms at
100k points, re-setting its brushes 180 ms; a raster 20-30 ms at 1M):

* points are drawn either as markers from a colour atlas (one ``drawPixmapFragments`` call,
  a colour *index* per point, so recolouring costs nothing on this thread) or, for many
  points, as one RGBA ``ImageItem`` the worker rasterised for the visible rectangle;
* every ellipse outline is one NaN-separated polyline (``connect="finite"``); the filled
  ellipses, whose opacity follows the weights as in the lecture's ``plot_gmm``, are one item
  painting K x 3 cached polygons;
* pens and brushes are made once and reused.

The canvas never computes responsibilities: per-point colours arrive as a
:class:`~gmmviz.scene.request.Display` made on the worker.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
)
from PySide6.QtWidgets import QGraphicsItem

from gmmviz.qt.canvas.density import DensityLayer
from gmmviz.qt.canvas.ellipses import EllipseFillItem
from gmmviz.qt.canvas.markers import MarkerItem, marker_size
from gmmviz.qt.canvas.means import MeansItem
from gmmviz.scene import palette
from gmmviz.scene.request import COLOUR_MODES, Display, ModelLayer, ViewRequest

OUTLINE = QColor(40, 40, 40, 150)
MAX_RASTER_SIDE = 1600
DENSITY_MAX_SIDE = 240
#: Components listed one by one in the legend (more: one summary entry); with the means and
#: the ellipses entries the legend then stays on one line.
MAX_LEGEND_ROWS = 4


class MixtureCanvas(pg.GraphicsLayoutWidget):
    """Scatter of the data with the mixture drawn over it.

    Signals
    -------
    viewChanged()
        The visible rectangle or the canvas size changed (debounced): a raster needs
        re-rendering.
    painted()
        The canvas has been painted (after a new frame was set), for pacing the worker.
    """

    viewChanged = Signal()
    painted = Signal()
    addRequested = Signal(float, float)  # Shift+click on the plot, when the means are editable

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent, show=False)
        self.setBackground("w")
        self.setMinimumSize(420, 360)
        self.plot = self.addPlot(row=0, col=0)
        self.plot.showGrid(x=True, y=True, alpha=0.18)
        self._axis_names: tuple[str, str] = ("", "")
        self.set_axis_names(("x1", "x2"))
        self.plot.setMenuEnabled(False)
        # sized once; per frame only the text changes (see _set_title)
        self.plot.setTitle("iteration", color="#333", size="9pt")
        self.plot.titleLabel.item.setHtml("")
        for axis in ("bottom", "left"):
            item = self.plot.getAxis(axis)
            item.setTextPen("k")
            item.setPen(pg.mkPen(90, 90, 90))
            # axes and grid only change with the view: repaint them from a pixmap
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.view = self.plot.getViewBox()
        self.view.setAspectLocked(True, ratio=1.0)
        self.view.setBackgroundColor(None)

        self.fills = EllipseFillItem()
        self.markers = MarkerItem()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.outlines = pg.PlotCurveItem(connect="finite", pen=pg.mkPen(OUTLINE, width=1))
        self.outlines.setZValue(3)
        self.means = MeansItem()
        self.means.setZValue(4)
        self.fills.setZValue(0)
        self.markers.setZValue(1)
        self.image.setZValue(1)
        for item in (self.fills, self.image, self.markers, self.outlines, self.means):
            self.plot.addItem(item)
        self.density = DensityLayer(self.plot)
        self._density_wanted = False
        self._density_bar_shown = False
        # points drawn from the fitted mixture: small dark crosses over everything
        self.samples = pg.ScatterPlotItem(
            size=7, symbol="x", pen=pg.mkPen(20, 20, 20, 220), brush=pg.mkBrush(20, 20, 20)
        )
        self.samples.setZValue(5)
        self.plot.addItem(self.samples)

        # Under the plot, in one row: a legend inside the view would cover points.
        self.legend = pg.LegendItem(
            labelTextColor=(20, 20, 20),
            labelTextSize="8pt",
            horSpacing=18,
            verSpacing=-6,
            colCount=6,
        )
        self.addItem(self.legend, row=1, col=0)
        self.ci.layout.setRowStretchFactor(1, 0)
        self._legend_key: tuple | None = None

        self.colour_bar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=pg.ColorMap(palette.VIRIDIS_POSITIONS, palette.VIRIDIS_KNOTS),
            interactive=False,
            width=16,
            colorMapMenu=False,
        )
        self.colour_bar.getAxis("right").setTextPen("k")
        self._colour_bar_shown = False

        self._n_points = 0
        self._use_markers = True
        self._xy = np.zeros((0, 2))
        self._bounds: tuple[np.ndarray, np.ndarray] | None = None
        self._colour_by = "hard"
        self._component = 0
        self._n_classes = 0
        self._n_components = 0
        self._shown_display: Display | None = None
        self._shown_step = None
        self._layer: ModelLayer | None = None
        self._colour_slots: tuple[int, ...] = ()
        self._ellipses_shown = True
        self._caption_suffix = ""
        self._bin_px = 1

        self.scene().sigMouseClicked.connect(self._on_scene_click)
        self._view_timer = QTimer(self)
        self._view_timer.setSingleShot(True)
        self._view_timer.setInterval(120)
        self._view_timer.timeout.connect(self.viewChanged)
        self.view.sigRangeChanged.connect(lambda *_: self._view_timer.start())
        self._frame_pending = False
        self.hold_view = False  # new points keep the visible area (while painting)
        self.class_names: tuple[str, ...] = ()  # the true classes' names, by colour

    # ------------------------------------------------------------------ data

    @property
    def xy(self) -> np.ndarray:
        """The shown positions of the points; shape (N, 2)."""
        return self._xy

    @property
    def uses_markers(self) -> bool:
        return self._use_markers

    @property
    def shown_display(self) -> Display | None:
        return self._shown_display

    @property
    def shown_step(self):
        return self._shown_step

    def set_points(self, xy: np.ndarray, use_markers: bool, n_classes: int = 0,
                   bounds: tuple[np.ndarray, np.ndarray] | None = None) -> None:  # fmt: skip
        """A new dataset: positions (N, 2); markers or raster; number of true classes; the
        positions' ``(lo, hi)`` when known (else computed here)."""
        self._xy = np.ascontiguousarray(xy, dtype=np.float64)
        if bounds is None and len(self._xy):
            bounds = (self._xy.min(axis=0), self._xy.max(axis=0))
        self._bounds = bounds
        self._n_points = len(xy)
        self._use_markers = use_markers
        self._n_classes = n_classes
        self._shown_display = None
        self._shown_step = None
        self._bin_px = 2 if self._n_points < 400_000 else 1
        if use_markers:
            self.markers.set_points(self._xy, marker_size(self._n_points))
            self.markers.show()
            self.image.hide()
            self.image.clear()
        else:
            self.markers.set_points(np.zeros((0, 2)), 4)
            self.markers.hide()
            self.image.show()
        self.clear_model()
        if not self.hold_view:
            self.auto_range()
        self._update_legend()

    def auto_range(self) -> None:
        """Fit the view to the data (and the current ellipses)."""
        if self._n_points == 0 or self._bounds is None:
            return
        lo, hi = self._bounds
        span = np.maximum(hi - lo, 1e-9)
        lo, hi = lo - 0.06 * span, hi + 0.06 * span
        self.view.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0)

    def set_colour_mode(self, colour_by: str, component: int = 0) -> None:
        if colour_by not in COLOUR_MODES:
            raise ValueError(f"unknown colour mode {colour_by!r}")
        self._colour_by = colour_by
        self._component = component
        self._update_legend()

    @property
    def wants_view_updates(self) -> bool:
        """Whether a new visible rectangle needs a new render (a raster or a density)."""
        return not self._use_markers or self._density_wanted

    def view_request(self) -> ViewRequest:
        """What the worker should render for the current view, colouring and layers."""
        rect = self.view.viewRect()
        box = (float(rect.left()), float(rect.top()), float(rect.right()), float(rect.bottom()))
        if not (box[2] > box[0] and box[3] > box[1]):
            return ViewRequest(self._colour_by, self._component)
        dpr = self.devicePixelRatioF()
        size = self.view.size()  # in scene pixels
        density: dict = {}
        if self._density_wanted:
            # a grid of about 3 x 3 pixel cells: smooth enough, a few ms on the worker
            dw = int(min(DENSITY_MAX_SIDE, max(16, size.width() / 3)))
            dh = int(min(DENSITY_MAX_SIDE, max(16, size.height() / 3)))
            density = {"density_rect": box, "density_shape": (dh, dw)}
        if self._use_markers:
            return ViewRequest(self._colour_by, self._component, **density)
        width = int(min(MAX_RASTER_SIDE, max(16, size.width() * dpr / self._bin_px)))
        height = int(min(MAX_RASTER_SIDE, max(16, size.height() * dpr / self._bin_px)))
        return ViewRequest(self._colour_by, self._component, box, (height, width), **density)

    def set_density_wanted(self, on: bool) -> None:
        """Ask for the model's density with every render (and show it)."""
        self._density_wanted = on
        self.density.set_visible(on)
        self._show_density_bar(on and self.density.shown is not None)

    def _show_density_bar(self, show: bool) -> None:
        if show == self._density_bar_shown:
            return
        if show:
            self.addItem(self.density.bar, row=0, col=2)
        else:
            self.removeItem(self.density.bar)
        self._density_bar_shown = show

    def set_samples(self, xy: np.ndarray | None) -> None:
        """Points drawn from the fitted mixture, already projected; shape (n, 2)."""
        if xy is None or not len(xy):
            self.samples.setData([], [])
        else:
            self.samples.setData(xy[:, 0], xy[:, 1])

    @property
    def sample_count(self) -> int:
        return len(self.samples.data)

    def show_display(self, display: Display) -> None:
        """Set what the scene renderer computed: point colours, ellipses, means, caption."""
        if display.markers is not None and self._use_markers:
            self.markers.set_colours(display.markers)
        elif display.raster is not None and not self._use_markers:
            x0, y0, x1, y1 = display.raster.rect
            self.image.setImage(display.raster.rgba, autoLevels=False)
            self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        else:
            return
        if display.snapshot is not self._shown_step:
            self._caption_suffix = ""
        self._shown_display = display
        self._shown_step = display.snapshot
        self._set_model_layer(display.model)
        self.density.set_density(display.density)
        self._show_density_bar(self._density_wanted and display.density is not None)
        self._frame_pending = True

    def clear_model(self) -> None:
        """No ellipses, means or caption (new data, or a run that never started)."""
        self._shown_step = None
        self._caption_suffix = ""
        self._set_model_layer(None)
        self.density.set_density(None)
        self._show_density_bar(False)
        self.set_samples(None)

    def _set_model_layer(self, layer: ModelLayer | None) -> None:
        self._layer = layer
        if layer is None:
            self._set_title("")
            self.fills.clear()
            self.outlines.setData([], [])
            self.means.set_means(np.zeros((0, 2)), np.zeros((0, 3)))
            k = 0
        else:
            self.fills.set_rings(layer.rings, layer.fill_colours, layer.fill_alphas)
            self.outlines.setData(layer.outline_x, layer.outline_y, connect="finite")
            self.means.set_means(layer.means, layer.mean_colours)
            self._set_title(layer.caption + self._caption_suffix)
            k = layer.n_components
        if k != self._n_components:
            self._n_components = k
            self._update_legend()

    def set_axis_names(self, names: tuple[str, str]) -> None:
        """Label the axes (``x1`` is written x₁); the projection's names, never columns."""
        names = (str(names[0]), str(names[1]))
        if names == self._axis_names:
            return  # a label change re-lays out the whole plot
        self._axis_names = names
        self.plot.setLabel("bottom", _pretty(names[0]))
        self.plot.setLabel("left", _pretty(names[1]))

    @property
    def axis_names(self) -> tuple[str, str]:
        return self._axis_names

    def set_colour_slots(self, slots: tuple[int, ...]) -> None:
        """The colour of each component (the legend follows the points)."""
        self._colour_slots = tuple(slots)
        self._legend_key = None
        self._update_legend()

    def set_editable_start(self, on: bool) -> None:
        """Let the means be dragged (Ctrl+click removes one, Shift+click adds one)."""
        self.means.editable = on

    def _on_scene_click(self, ev) -> None:
        if not self.means.editable or ev.isAccepted():
            return
        if not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            return
        if not self.view.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = self.view.mapSceneToView(ev.scenePos())
        ev.accept()
        self.addRequested.emit(float(p.x()), float(p.y()))

    def set_caption_suffix(self, text: str) -> None:
        """Words appended to the caption of the shown snapshot (``""``: none)."""
        self._caption_suffix = text
        if self._layer is not None:
            self._set_title(self._layer.caption + text)

    def set_layers(self, ellipses: bool, legend: bool) -> None:
        """Show or hide the ellipses and the legend."""
        self.fills.setVisible(ellipses)
        if ellipses != self._ellipses_shown:
            self._ellipses_shown = ellipses
            self._legend_key = None  # the "1σ, 2σ, 3σ" entry goes with the ellipses
            self._update_legend()
        self.outlines.setVisible(ellipses)
        self.legend.setVisible(legend)

    def cancel_pending(self) -> None:
        """Forget a view change not yet announced (the window is closing)."""
        self._view_timer.stop()

    def _set_title(self, text: str) -> None:
        """Caption above the plot, without pyqtgraph's ``setTitle``: that re-lays out the
        whole canvas (a resize of every item) on each call, far too costly per frame."""
        label = self.plot.titleLabel
        label.item.setHtml(f"<span style='color: #333333; font-size: 9pt'>{text}</span>")
        offset = label.rect().center() - label.itemRect().center()
        label.item.moveBy(offset.x(), offset.y())

    @property
    def title(self) -> str:
        return self.plot.titleLabel.item.toPlainText()

    def ellipse_polyline(self) -> tuple[np.ndarray, np.ndarray]:
        """The outline polyline currently drawn (x, y with NaN separators)."""
        x, y = self.outlines.getData()
        return (np.zeros(0), np.zeros(0)) if x is None else (np.asarray(x), np.asarray(y))

    # ------------------------------------------------------------------ legend

    def _class_name(self, code: int) -> str:
        names = self.class_names
        return names[code] if 0 <= code < len(names) else f"class {code}"

    def _update_legend(self) -> None:
        key = (self._colour_by, self._component, self._n_classes, self._n_components,
               self.class_names)  # fmt: skip
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()

        def swatch(rgb):
            return pg.ScatterPlotItem(
                symbol="o",
                size=9,
                brush=pg.mkBrush(*[int(v) for v in rgb]),
                pen=pg.mkPen(60, 60, 60),
            )

        mode = self._colour_by
        if mode == "true":
            n = max(self._n_classes, 1)
            if n <= MAX_LEGEND_ROWS:
                for c in range(n):
                    self.legend.addItem(swatch(palette.LABELS[c]), self._class_name(c))
            else:
                self.legend.addItem(swatch(palette.LABELS[0]), f"{n} classes, a colour each")
        elif mode == "hard" and self._n_components:
            n = self._n_components
            colours = palette.component_colours(n, self._colour_slots)
            if n <= MAX_LEGEND_ROWS:
                for k in range(n):
                    self.legend.addItem(swatch(colours[k]), f"component {k + 1}")
            else:
                self.legend.addItem(swatch(palette.LABELS[0]), f"{n} components, a colour each")
        elif mode == "blend":
            self.legend.addItem(swatch((150, 130, 170)), "points: Σₖ rₖ · colourₖ")
        elif mode == "member":
            self.legend.addItem(
                swatch(palette.VIRIDIS_KNOTS[-1]), f"points: r (component {self._component + 1})"
            )
        if self._n_components:
            mean_sample = pg.ScatterPlotItem(
                symbol="o",
                size=10,
                brush=pg.mkBrush(255, 255, 255),
                pen=pg.mkPen(25, 25, 25, width=2),
            )
            self.legend.addItem(mean_sample, "means")
            if self._ellipses_shown:
                pen = pg.mkPen(OUTLINE, width=1.5)
                self.legend.addItem(pg.PlotDataItem(pen=pen), "1σ, 2σ, 3σ")
        self._show_colour_bar(mode == "member")

    def _show_colour_bar(self, show: bool) -> None:
        if show == self._colour_bar_shown:
            if show:
                self.colour_bar.setLabel("right", f"membership in component {self._component + 1}")
            return
        if show:
            self.addItem(self.colour_bar, row=0, col=1)
            self.colour_bar.setLabel("right", f"membership in component {self._component + 1}")
        else:
            self.removeItem(self.colour_bar)
        self._colour_bar_shown = show

    @property
    def colour_bar_visible(self) -> bool:
        return self._colour_bar_shown

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._frame_pending:
            self._frame_pending = False
            self.painted.emit()

    def take_frame_pending(self) -> bool:
        """Whether a new frame was set and not yet painted (and forget it)."""
        pending = self._frame_pending
        self._frame_pending = False
        return pending

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        timer = getattr(self, "_view_timer", None)  # pyqtgraph resizes during __init__
        if timer is not None:
            timer.start()


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _pretty(name: str) -> str:
    """``x12`` as x₁₂; other names as they are."""
    if len(name) > 1 and name[0] == "x" and name[1:].isdigit():
        return "x" + name[1:].translate(_SUBSCRIPTS)
    return name
