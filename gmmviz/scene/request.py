"""The messages between the canvas and the scene renderer (no Qt).

A :class:`ViewRequest` says how the canvas wants the scene drawn and where; the renderer
answers with a :class:`Display` that holds every array the canvas sets: point colours (as
marker colours or a raster image), the ellipses and means of the model, and room for a
density image. Both are frozen: built on one thread, read on another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: How points can be coloured: true class, hard EM label, blend of responsibilities,
#: membership in one component.
COLOUR_MODES: tuple[str, ...] = ("true", "hard", "blend", "member")


@dataclass(frozen=True)
class ViewRequest:
    """How the canvas wants points coloured, and where (for a raster).

    Attributes
    ----------
    colour_by : str
        One of :data:`COLOUR_MODES`.
    component : int
        The component of the ``"member"`` mode.
    rect : tuple of 4 floats or None
        ``(x0, y0, x1, y1)`` of the raster in data coordinates; ``None`` for markers.
    shape : tuple of 2 ints
        ``(height, width)`` of the raster in pixels.
    density_rect : tuple of 4 floats or None
        ``(x0, y0, x1, y1)`` of the visible area when the density is wanted, else ``None``.
    density_shape : tuple of 2 ints
        ``(height, width)`` of the density grid.
    colour_slots : tuple of int
        The colour of each component (``palette.component_colours``): a new run keeps the
        colours of the previous one; empty: component ``k`` takes colour ``k``.
    """

    colour_by: str = "hard"
    component: int = 0
    rect: tuple[float, float, float, float] | None = None
    shape: tuple[int, int] = (0, 0)
    density_rect: tuple[float, float, float, float] | None = None
    density_shape: tuple[int, int] = (0, 0)
    colour_slots: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class MarkerColours:
    """Point colours for markers.

    Attributes
    ----------
    index : ndarray of shape (N,), int32
        Colour of each point, as a row of ``table``.
    table : ndarray of shape (M, 3), uint8
    """

    index: np.ndarray
    table: np.ndarray


@dataclass(frozen=True, eq=False)
class RasterImage:
    """Points binned into pixels.

    Attributes
    ----------
    rgba : ndarray of shape (H, W, 4), uint8
        Row 0 is the bottom of ``rect`` (y grows with the row).
    rect : tuple of 4 floats
        ``(x0, y0, x1, y1)`` covered by the image, in data coordinates.
    """

    rgba: np.ndarray
    rect: tuple[float, float, float, float]


@dataclass(frozen=True, eq=False)
class ModelLayer:
    """What the canvas draws of a mixture: ellipses, their fills and the means, in 2-D.

    Attributes
    ----------
    rings : ndarray of shape (K, S, V + 1, 2)
        Closed k-sigma rings, one per component and sigma (for the fills).
    outline_x, outline_y : ndarray of shape (K * S * (V + 2),)
        Every ring as one NaN-separated polyline (drawn with ``connect="finite"``).
    fill_colours : ndarray of shape (K, 3), uint8
    fill_alphas : ndarray of shape (K,)
        Opacity of each component's fills, following its weight.
    means : ndarray of shape (K, 2)
    mean_colours : ndarray of shape (K, 3), uint8
    caption : str
        What the canvas says above the plot.
    collapsed, empty : tuple of int
        Components that collapsed onto a few points, and components of (almost) no weight
        (drawn in :data:`gmmviz.scene.ellipses.FLAGGED`).
    """

    rings: np.ndarray
    outline_x: np.ndarray
    outline_y: np.ndarray
    fill_colours: np.ndarray
    fill_alphas: np.ndarray
    means: np.ndarray
    mean_colours: np.ndarray
    caption: str
    collapsed: tuple[int, ...] = ()
    empty: tuple[int, ...] = ()

    @property
    def n_components(self) -> int:
        return int(self.means.shape[0])


@dataclass(frozen=True, eq=False)
class DensityImage:
    """The fitted log-density over the visible area, with contour levels.

    Attributes
    ----------
    log_density : ndarray of shape (H, W), float32
        ``log p(x)`` of the (projected) mixture at pixel centres; row 0 is the bottom.
    rect : tuple of 4 floats
        ``(x0, y0, x1, y1)`` covered, in data coordinates.
    levels : ndarray of shape (L,)
        Log-density values of the contour lines, lowest first.
    limits : tuple of 2 floats
        The colour scale's range (``log p`` below the low end shows as the low colour).
    contours : tuple of ndarray of shape (2 S, 2)
        Per level, the contour line as segments in pixel coordinates (a pixel's centre is
        at ``(col + 0.5, row + 0.5)``), two points each; see
        :func:`gmmviz.scene.contours.contour_segments`.
    """

    log_density: np.ndarray
    rect: tuple[float, float, float, float]
    levels: np.ndarray
    limits: tuple[float, float]
    contours: tuple[np.ndarray, ...] = ()


@dataclass(frozen=True, eq=False)
class FitMetrics:
    """How good the shown model is, and how it agrees with the true labels.

    Attributes
    ----------
    log_likelihood : float
        Mean per point.
    bic, aic : float
        As ``GaussianMixture.bic(X)`` / ``.aic(X)`` give them.
    n_parameters : int
    iteration : int
    converged : bool
    ari : float or None
        Adjusted Rand index of the hard EM labels against the true labels (when known).
    confusion : ndarray of shape (C, K) or None
        Points per (true class, component), components matched to classes (Hungarian).
    classes : tuple
        Row names of ``confusion`` (the true classes).
    components : tuple of int
        Column order of ``confusion`` (0-based component indices).
    """

    log_likelihood: float
    bic: float
    aic: float
    n_parameters: int
    iteration: int
    converged: bool
    ari: float | None = None
    confusion: np.ndarray | None = None
    classes: tuple = ()
    components: tuple = ()


@dataclass(frozen=True, eq=False)
class Display:
    """Everything the canvas draws for one snapshot (or for the data alone).

    Attributes
    ----------
    iteration : int or None
        The snapshot's iteration (``None`` for data without a model).
    request : ViewRequest
    markers : MarkerColours or None
    raster : RasterImage or None
    model : ModelLayer or None
        Ellipses and means (``None`` for data without a model).
    density : DensityImage or None
        The model's log-density over the visible area, when asked for.
    snapshot : object or None
        The snapshot drawn (``None`` for the data alone).
    metrics : FitMetrics or None
        The shown model's scores (``None`` for the data alone).
    """

    iteration: int | None
    request: ViewRequest
    markers: MarkerColours | None = None
    raster: RasterImage | None = None
    model: ModelLayer | None = None
    density: DensityImage | None = None
    snapshot: object | None = None
    metrics: FitMetrics | None = None

    @property
    def n_components(self) -> int:
        """Components of the snapshot's model (0 without a model)."""
        return 0 if self.model is None else self.model.n_components
