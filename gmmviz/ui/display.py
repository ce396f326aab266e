"""What the canvas needs to draw one snapshot, computed off the GUI thread (no Qt here).

For every point the canvas needs one colour: its true class, its hard EM label, the blend of
the component colours weighted by its responsibilities, or its membership in one component
on a colour map. :class:`DisplayRenderer` computes these on the worker thread in one fused
pass over the data (no N x K responsibility array is kept: at 1M points and K=16 that would
be 128 MB per frame) and packs them for the canvas:

* few points (``N <= MARKER_LIMIT``): a colour index per point into a small colour table,
  with the points sorted by colour, so the canvas draws markers from a fragment atlas;
* many points: an RGBA image of the visible rectangle (``np.bincount`` pixel binning, the
  colours of the points falling into a pixel averaged, opacity from the point count), which
  the canvas shows with one ``ImageItem``.

The pass also gives each point's hard label, so exports and tests share the arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gmmviz.core import PointSummary, point_summary
from gmmviz.core.backend import njit, numba_ready, register_warm_up
from gmmviz.ui import palette

#: Above this many points the canvas draws a raster instead of markers.
MARKER_LIMIT = 30_000

COLOUR_MODES: tuple[str, ...] = ("true", "hard", "blend", "member")
COLOUR_MODE_LABELS: dict[str, str] = {
    "true": "True labels",
    "hard": "EM labels (hard)",
    "blend": "Blend of responsibilities",
    "member": "Membership in one component",
}


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
    """

    colour_by: str = "hard"
    component: int = 0
    rect: tuple[float, float, float, float] | None = None
    shape: tuple[int, int] = (0, 0)


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
class Display:
    """Everything the canvas needs to colour the points of one snapshot.

    Attributes
    ----------
    iteration : int or None
        The snapshot's iteration (``None`` for data without a model).
    request : ViewRequest
    markers : MarkerColours or None
    raster : RasterImage or None
    n_components : int
        Components of the snapshot's model (0 without a model).
    """

    iteration: int | None
    request: ViewRequest
    markers: MarkerColours | None = None
    raster: RasterImage | None = None
    n_components: int = 0


# ------------------------------------------------------------------------------------------
# per-point colours
# ------------------------------------------------------------------------------------------


# ------------------------------------------------------------------------------------------
# packing for the canvas
# ------------------------------------------------------------------------------------------


def quantise_rgb(rgb: np.ndarray, bits: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Map continuous colours to a small table (``bits`` per channel).

    Returns
    -------
    index : ndarray of shape (N,), int32
    table : ndarray of shape (M, 3), uint8
        The distinct quantised colours, ``M <= 2 ** (3 * bits)``.
    """
    levels = (1 << bits) - 1
    q = np.rint(np.clip(rgb, 0, 255) * (levels / 255.0)).astype(np.int32)
    code = (q[:, 0] << (2 * bits)) | (q[:, 1] << bits) | q[:, 2]
    uniq, index = np.unique(code, return_inverse=True)
    table = np.stack(
        [(uniq >> (2 * bits)) & levels, (uniq >> bits) & levels, uniq & levels], axis=1
    )
    table = np.rint(table * (255.0 / levels)).astype(np.uint8)
    return index.astype(np.int32).ravel(), table


def pack_markers(index: np.ndarray, table: np.ndarray) -> MarkerColours:
    """Colour index and table, in the types the canvas's marker atlas wants."""
    return MarkerColours(
        np.ascontiguousarray(index, dtype=np.int32), np.ascontiguousarray(table, dtype=np.uint8)
    )


def pixel_index(
    xy: np.ndarray, rect: tuple[float, float, float, float], shape: tuple[int, int]
) -> np.ndarray:
    """Flat pixel of each point in a raster of ``rect`` (``-1`` outside).

    Parameters
    ----------
    xy : ndarray of shape (N, 2)
    rect : (x0, y0, x1, y1)
    shape : (height, width)

    Returns
    -------
    ndarray of shape (N,), int64
    """
    x0, y0, x1, y1 = rect
    height, width = shape
    fx = (xy[:, 0] - x0) * (width / (x1 - x0))
    fy = (xy[:, 1] - y0) * (height / (y1 - y0))
    inside = (fx >= 0) & (fx < width) & (fy >= 0) & (fy < height)
    flat = np.full(xy.shape[0], -1, dtype=np.int64)
    flat[inside] = fy[inside].astype(np.int64) * width + fx[inside].astype(np.int64)
    return flat


def _rasterise_numpy(pix: np.ndarray, rgb: np.ndarray, size: int) -> np.ndarray:
    keep = pix >= 0
    if not keep.all():
        pix = pix[keep]
        rgb = rgb[keep]
    count = np.bincount(pix, minlength=size)
    out = np.zeros((size, 4), dtype=np.uint8)
    hit = count > 0
    if hit.any():
        inv = 1.0 / count[hit]
        for c in range(3):
            total = np.bincount(pix, weights=rgb[:, c], minlength=size)
            out[hit, c] = np.minimum(np.floor(total[hit] * inv + 0.5), 255).astype(np.uint8)
        ref = max(float(np.percentile(count[hit], 90)), 1.0)
        alpha = 0.55 + 0.45 * np.sqrt(np.minimum(count[hit] / ref, 1.0))
        out[hit, 3] = np.floor(255 * alpha + 0.5).astype(np.uint8)
    return out


if njit is not None:

    @njit(nogil=True, cache=True)
    def _pixels_from_sums(count, sums, size):
        # RGBA per pixel: the mean colour of its points, opacity growing with their count.
        out = np.zeros((size, 4), dtype=np.uint8)
        hits = count[count > 0]
        if hits.size == 0:
            return out
        ref = max(np.percentile(hits.astype(np.float64), 90.0), 1.0)
        for p in range(size):
            c = count[p]
            if c == 0:
                continue
            inv = 1.0 / c
            for ch in range(3):
                out[p, ch] = min(np.floor(sums[p, ch] * inv + 0.5), 255.0)
            alpha = 0.55 + 0.45 * math.sqrt(min(c / ref, 1.0))
            out[p, 3] = np.floor(255.0 * alpha + 0.5)
        return out

    @njit(nogil=True, cache=True)
    def _rasterise_numba(pix, rgb, size):
        # One pass that holds no GIL (np.bincount does): the GUI thread keeps painting.
        count = np.zeros(size, dtype=np.int64)
        sums = np.zeros((size, 3))
        for i in range(pix.shape[0]):
            p = pix[i]
            if p < 0:
                continue
            count[p] += 1
            sums[p, 0] += rgb[i, 0]
            sums[p, 1] += rgb[i, 1]
            sums[p, 2] += rgb[i, 2]
        return _pixels_from_sums(count, sums, size)

    @njit(nogil=True, cache=True)
    def _rasterise_labels_numba(pix, index, table, size):
        # As _rasterise_numba, with each point's colour looked up in a table: no (N, 3)
        # colour array for labels.
        count = np.zeros(size, dtype=np.int64)
        sums = np.zeros((size, 3))
        for i in range(pix.shape[0]):
            p = pix[i]
            if p < 0:
                continue
            c = index[i]
            count[p] += 1
            sums[p, 0] += table[c, 0]
            sums[p, 1] += table[c, 1]
            sums[p, 2] += table[c, 2]
        return _pixels_from_sums(count, sums, size)


@register_warm_up
def _warm_up() -> None:
    # Registered with the core's one warm-up (gmmviz.core.backend.start_warm_up).
    if njit is None:
        return
    pix = np.arange(64, dtype=np.int64)
    _rasterise_numba(pix, np.ones((64, 3), np.float32), 64)
    _rasterise_labels_numba(pix, pix % 3, np.zeros((3, 3), dtype=np.float64), 64)


def rasterise(
    pix: np.ndarray, rgb: np.ndarray, shape: tuple[int, int], backend: str | None = None
) -> np.ndarray:
    """Average the colours of the points in each pixel; opacity grows with the count.

    Parameters
    ----------
    pix : ndarray of shape (N,), int64
        From :func:`pixel_index` (``-1`` is dropped).
    rgb : ndarray of shape (N, 3)
        Point colours, 0..255.
    shape : (height, width)
    backend : {'numba', 'numpy'} or None
        ``None``: numba when it is ready.

    Returns
    -------
    ndarray of shape (height, width, 4), uint8
        Alpha is 0 where no point falls, and from 0.55 (one point) to 1 (the densest tenth
        of the pixels) elsewhere.
    """
    height, width = shape
    size = height * width
    if backend is None:
        backend = "numba" if numba_ready() else "numpy"
    if backend == "numba" and njit is not None:
        pix = np.ascontiguousarray(pix, dtype=np.int64)
        rgb = np.ascontiguousarray(rgb, dtype=np.float32)
        out = _rasterise_numba(pix, rgb, size)
    else:
        out = _rasterise_numpy(pix, rgb, size)
    return out.reshape(height, width, 4)


def rasterise_labels(
    pix: np.ndarray,
    index: np.ndarray,
    table: np.ndarray,
    shape: tuple[int, int],
    backend: str | None = None,
) -> np.ndarray:
    """:func:`rasterise` for points coloured ``table[index]``.

    Parameters
    ----------
    pix : ndarray of shape (N,), int64
    index : ndarray of shape (N,), integer
    table : ndarray of shape (M, 3)
    shape : (height, width)
    backend : {'numba', 'numpy'} or None

    Returns
    -------
    ndarray of shape (height, width, 4), uint8
    """
    if backend is None:
        backend = "numba" if numba_ready() else "numpy"
    if backend == "numba" and njit is not None:
        height, width = shape
        out = _rasterise_labels_numba(
            np.ascontiguousarray(pix, dtype=np.int64),
            np.ascontiguousarray(index, dtype=np.int64),
            np.ascontiguousarray(table, dtype=np.float64),
            height * width,
        )
        return out.reshape(height, width, 4)
    return rasterise(pix, np.asarray(table, dtype=np.float32)[index], shape, backend="numpy")


class DisplayRenderer:
    """``render(snapshot, request) -> Display`` for one dataset, called on the worker.

    Parameters
    ----------
    X : ndarray of shape (N, d)
        The data EM runs on (responsibilities use every feature).
    y_true : ndarray of shape (N,) or None
        True classes, when known.
    view : ndarray of shape (N, 2), optional
        What the canvas plots; the first two columns of ``X`` by default.
    marker_limit : int
        Markers up to this many points, a raster above.
    """

    def __init__(
        self,
        X: np.ndarray,
        y_true: np.ndarray | None = None,
        view: np.ndarray | None = None,
        *,
        marker_limit: int = MARKER_LIMIT,
    ) -> None:
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.y_true = None if y_true is None else np.asarray(y_true)
        self.view = np.ascontiguousarray(self.X[:, :2] if view is None else view)
        self.use_markers = self.X.shape[0] <= marker_limit
        self._colour_key: tuple | None = None
        self._colours: PointSummary | None = None
        self._pix_key: tuple | None = None
        self._pix: np.ndarray | None = None
        self._true_codes: tuple[np.ndarray, np.ndarray] | None = None
        self._params_ref = None  # keeps id(params) from being reused while cached

    @property
    def n_points(self) -> int:
        return self.X.shape[0]

    def _true_labels(self) -> tuple[np.ndarray, np.ndarray]:
        """True classes as ``0..C-1`` codes and the original class values."""
        if self._true_codes is None:
            if self.y_true is None:
                self._true_codes = (np.zeros(self.n_points, dtype=np.int32), np.array([0]))
            else:
                values, codes = np.unique(self.y_true, return_inverse=True)
                self._true_codes = (codes.astype(np.int32).ravel(), values)
        return self._true_codes

    def colours_for(self, snapshot, component: int, labels_only: bool = False) -> PointSummary:
        """The fused pass for ``snapshot``'s parameters (cached for the last one asked)."""
        params = snapshot.params
        component = int(min(max(component, 0), params.n_components - 1))
        key = (id(params), component)
        cached = self._colours
        reusable = (
            cached is not None
            and self._params_ref is params
            and (labels_only or (len(cached.member) and self._colour_key == key))
        )
        if not reusable:
            table = palette.label_colours(params.n_components)
            self._colours = point_summary(self.X, params, table, component, labels_only=labels_only)
            self._colour_key = key
            self._params_ref = params
        return self._colours

    def __call__(self, snapshot, request: ViewRequest) -> Display:
        mode = request.colour_by
        if mode not in COLOUR_MODES:
            raise ValueError(f"unknown colour mode {mode!r}")
        if snapshot is None and mode != "true":
            mode = "true"
        n_comp = 0 if snapshot is None else snapshot.params.n_components
        iteration = None if snapshot is None else snapshot.iteration

        index = table = rgb = None
        if mode == "true":
            index, _ = self._true_labels()
            table = palette.label_colours(int(index.max()) + 1 if index.size else 1)
            if self.y_true is None:
                table = np.array([[90, 90, 110]], dtype=np.uint8)
        else:
            pc = self.colours_for(snapshot, request.component, labels_only=mode == "hard")
            if mode == "hard":
                index, table = pc.labels, palette.label_colours(n_comp)
            elif mode == "blend":
                if self.use_markers:
                    index, table = quantise_rgb(pc.blend)
                else:
                    rgb = pc.blend
            else:  # member
                cmap = palette.viridis(64)
                index = np.rint(np.clip(pc.member, 0, 1) * 63).astype(np.int32)
                table = cmap

        if self.use_markers or request.rect is None:
            markers = pack_markers(index, table)
            return Display(iteration, request, markers=markers, n_components=n_comp)
        key = (request.rect, request.shape)
        if key != self._pix_key or self._pix is None:
            self._pix = pixel_index(self.view, request.rect, request.shape)
            self._pix_key = key
        if rgb is None:
            image = rasterise_labels(self._pix, index, table, request.shape)
        else:
            image = rasterise(self._pix, rgb, request.shape)
        return Display(
            iteration, request, raster=RasterImage(image, request.rect), n_components=n_comp
        )
