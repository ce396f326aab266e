"""The mixture canvas and its pyqtgraph items: adapters that only set arrays."""

from gmmviz.qt.canvas.canvas import MAX_RASTER_SIDE, MixtureCanvas

__all__ = ["MAX_RASTER_SIDE", "MixtureCanvas"]
