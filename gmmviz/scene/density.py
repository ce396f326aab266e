"""The fitted mixture as a density: log p on a grid of the visible area, and contour levels.

Seen through a linear projection ``y = (x - o) W`` a Gaussian mixture is again a Gaussian
mixture, with means ``(μₖ - o) W`` and covariances ``Wᵀ Σₖ W``, so the density shown for
d > 2 is the exact marginal density of the plane, not a slice.
"""

from __future__ import annotations

import math

import numpy as np

from gmmviz.core.projection import Projection
from gmmviz.scene.contours import contour_segments
from gmmviz.scene.request import DensityImage

#: The colour scale spans this many nats below the highest log-density in view.
SPAN_NATS = 10.0
#: Contour lines at these nats below the highest log-density in view.
CONTOUR_NATS = (0.5, 1.5, 3.0, 5.0, 8.0)


def projected_log_density(
    params, projection: Projection, points: np.ndarray, chunk: int = 65_536
) -> np.ndarray:
    """``log p(y)`` of the projected mixture at 2-D points.

    Parameters
    ----------
    params : MixtureParams
    projection : Projection
    points : ndarray of shape (M, 2)

    Returns
    -------
    ndarray of shape (M,)
    """
    means = projection.means(np.asarray(params.means))  # (K, 2)
    cov = projection.covariances(params.full_covariances())  # (K, 2, 2)
    cov = 0.5 * (cov + np.swapaxes(cov, 1, 2))
    det = cov[:, 0, 0] * cov[:, 1, 1] - cov[:, 0, 1] * cov[:, 1, 0]
    det = np.maximum(det, np.finfo(np.float64).tiny)
    inv = np.empty_like(cov)
    inv[:, 0, 0], inv[:, 1, 1] = cov[:, 1, 1] / det, cov[:, 0, 0] / det
    inv[:, 0, 1] = inv[:, 1, 0] = -cov[:, 0, 1] / det
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(params.weights, dtype=np.float64))
    log_norm = log_w - math.log(2.0 * math.pi) - 0.5 * np.log(det)  # (K,)
    out = np.empty(points.shape[0])
    for start in range(0, points.shape[0], chunk):
        d = points[start : start + chunk, None, :] - means[None, :, :]  # (m, K, 2)
        q = np.einsum("mki,kij,mkj->mk", d, inv, d)
        lp = log_norm[None, :] - 0.5 * q
        top = lp.max(axis=1)
        safe = np.where(np.isfinite(top), top, 0.0)
        with np.errstate(under="ignore"):
            out[start : start + chunk] = safe + np.log(np.exp(lp - safe[:, None]).sum(axis=1))
    return out


def density_image(
    params, projection: Projection, rect: tuple[float, float, float, float],
    shape: tuple[int, int],
) -> DensityImage:  # fmt: skip
    """The log-density on a ``shape`` grid of pixel centres covering ``rect``.

    Parameters
    ----------
    params : MixtureParams
    projection : Projection
    rect : (x0, y0, x1, y1)
    shape : (height, width)
    """
    x0, y0, x1, y1 = rect
    height, width = max(int(shape[0]), 2), max(int(shape[1]), 2)
    xs = x0 + (np.arange(width) + 0.5) * ((x1 - x0) / width)
    ys = y0 + (np.arange(height) + 0.5) * ((y1 - y0) / height)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    logp = projected_log_density(params, projection, grid).reshape(height, width)
    finite = logp[np.isfinite(logp)]
    top = float(finite.max()) if finite.size else 0.0
    levels = np.array([top - n for n in sorted(CONTOUR_NATS, reverse=True)])
    image = logp.astype(np.float32)
    contours = tuple(contour_segments(image, float(level)) for level in levels)
    return DensityImage(image, (x0, y0, x1, y1), levels, (top - SPAN_NATS, top), contours)
