"""Point colours packed for the canvas: a small colour table for markers, or pixel binning
into an RGBA image for large data (numpy, and numba under the core's one backend policy).

* few points: a colour index per point into a small colour table, so the canvas draws
  markers from a fragment atlas;
* many points: an RGBA image of the visible rectangle (the colours of the points falling
  into a pixel averaged, opacity from the point count), shown with one ``ImageItem``.
"""

from __future__ import annotations

import math

import numpy as np

from gmmviz.core.backend import njit, numba_ready, register_warm_up
from gmmviz.scene.request import MarkerColours


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
