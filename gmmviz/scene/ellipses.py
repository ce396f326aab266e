"""Covariance ellipses as vertex arrays (no Qt): what the canvas draws for each component.

The k-sigma ellipse of a 2-D Gaussian N(μ, Σ) is ``{μ + k Σ^½ u : |u| = 1}``. With the
eigen-decomposition ``Σ = V diag(λ) Vᵀ`` its semi-axes point along the eigenvectors with
lengths ``k √λ`` — the same ellipse the lecture's ``draw_ellipse`` builds from an SVD
(width ``2 √s`` times ``nsig``).
"""

from __future__ import annotations

import numpy as np

from gmmviz.core.projection import Projection
from gmmviz.scene import palette
from gmmviz.scene.request import ModelLayer

SIGMAS: tuple[int, ...] = (1, 2, 3)
#: Fill of every component when points show their true classes: the lecture's blue-grey, so
#: no component colour competes with the class colours.
NEUTRAL_FILL = (70, 110, 170)
#: Mean marker of a collapsed or empty component.
FLAGGED = (220, 30, 30)


def ellipse_axes(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Semi-axis lengths (1 sigma) and directions of 2x2 covariances.

    Parameters
    ----------
    cov : ndarray of shape (K, 2, 2)

    Returns
    -------
    radii : ndarray of shape (K, 2)
        ``√λ`` (clipped at 0), ascending.
    axes : ndarray of shape (K, 2, 2)
        Unit eigenvectors as columns.
    """
    sym = 0.5 * (cov + np.swapaxes(cov, -1, -2))
    lam, vec = np.linalg.eigh(sym)
    return np.sqrt(np.clip(lam, 0.0, None)), vec


def ellipse_rings(
    means: np.ndarray, cov: np.ndarray, sigmas=SIGMAS, n_vertices: int = 72
) -> np.ndarray:
    """Closed rings, one per component and sigma.

    Parameters
    ----------
    means : ndarray of shape (K, 2)
    cov : ndarray of shape (K, 2, 2)
    sigmas : sequence of float
    n_vertices : int
        Vertices per ring (the first one is repeated at the end to close it).

    Returns
    -------
    ndarray of shape (K, S, n_vertices + 1, 2)
    """
    radii, axes = ellipse_axes(np.asarray(cov, dtype=np.float64))
    t = np.linspace(0.0, 2.0 * np.pi, n_vertices + 1)
    t[-1] = 0.0  # exactly closed
    circle = np.stack([np.cos(t), np.sin(t)])  # (2, V)
    # unit ring of each component: V diag(√λ) u
    unit = np.einsum("kij,kj,jv->kvi", axes, radii, circle)  # (K, V, 2)
    s = np.asarray(sigmas, dtype=np.float64)
    return means[:, None, None, :] + s[None, :, None, None] * unit[:, None, :, :]


def nan_polyline(rings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All rings as one polyline, rings separated by a NaN vertex (``connect="finite"``).

    Parameters
    ----------
    rings : ndarray of shape (K, S, V, 2)

    Returns
    -------
    x, y : ndarrays of shape (K * S * (V + 1),)
    """
    k, s, v, _ = rings.shape
    out = np.full((k * s, v + 1, 2), np.nan)
    out[:, :v, :] = rings.reshape(k * s, v, 2)
    flat = out.reshape(-1, 2)
    return flat[:, 0].copy(), flat[:, 1].copy()


def fill_alphas(weights: np.ndarray, peak: float = 0.28, floor: float = 0.04) -> np.ndarray:
    """Opacity of each component's filled ellipses, following its weight.

    The lecture's ``plot_gmm`` uses ``alpha = w * 0.2 / max(w)``; the same proportion, a
    little stronger and never fully invisible, so that small components can still be found.

    Parameters
    ----------
    weights : ndarray of shape (K,)

    Returns
    -------
    ndarray of shape (K,), in ``[floor, peak]``
    """
    w = np.asarray(weights, dtype=np.float64)
    top = w.max() if w.size and w.max() > 0 else 1.0
    return floor + (peak - floor) * np.clip(w / top, 0.0, 1.0)


def model_layer(
    snapshot, projection: Projection, colour_by: str, colour_slots: tuple[int, ...] = (),
    flags: tuple[tuple[int, ...], tuple[int, ...]] = ((), ()),
) -> ModelLayer:  # fmt: skip
    """The ellipses, fills, means and caption of a snapshot seen through ``projection``.

    Parameters
    ----------
    snapshot : EMStep
    projection : Projection
        From the model's d dimensions to the canvas's two (means ``(μ - o) W``, covariances
        ``Wᵀ Σ W``).
    colour_by : str
        With ``"true"`` the fills and means take :data:`NEUTRAL_FILL`.
    colour_slots : tuple of int
        The colour of each component (see :func:`gmmviz.scene.palette.component_colours`).
    flags : (collapsed, empty)
        Components to mark: their means are drawn in :data:`FLAGGED` and the caption names
        them.

    Returns
    -------
    ModelLayer
    """
    params = snapshot.params
    means2 = projection.means(np.asarray(params.means))
    cov2 = projection.covariances(params.full_covariances())
    rings = ellipse_rings(means2, cov2)
    x, y = nan_polyline(rings)
    k = params.n_components
    colours = palette.component_colours(k, colour_slots)
    if colour_by == "true":
        # component colours would clash with the class colours (a blue mean on green points)
        colours = np.tile(np.array(NEUTRAL_FILL, dtype=np.uint8), (k, 1))
    collapsed, empty = flags
    phase = getattr(snapshot, "phase", "EM")
    step = {"E": " · E-step", "M": " · M-step", "init": " · start"}.get(phase, "")
    ll = snapshot.log_likelihood
    caption = (
        f"iteration {snapshot.iteration}{step} · K = {k} ({params.covariance_type})"
        + (f" · mean log-likelihood {ll:.4f}" if np.isfinite(ll) else "")
        + (" · converged" if snapshot.converged else "")
        + (f" · {len(collapsed)} collapsed" if collapsed else "")
        + (f" · {len(empty)} empty" if empty else "")
    )
    mean_colours = colours.copy()
    mean_colours[list(collapsed) + list(empty)] = FLAGGED
    return ModelLayer(
        rings=rings,
        outline_x=x,
        outline_y=y,
        fill_colours=colours,
        fill_alphas=fill_alphas(np.asarray(params.weights)),
        means=means2,
        mean_colours=mean_colours,
        caption=caption,
        collapsed=tuple(collapsed),
        empty=tuple(empty),
    )
