"""Responsibilities that stay finite where every component's density underflows.

A point 1e300 away from every component, or any point off the centre of a component with
subnormal covariances, has ``log wₖ + log N(x | μₖ, Σₖ) = -inf`` for every ``k`` in float64:
the usual ``exp(wlp - logsumexp(wlp))`` is then ``NaN``. The limit is still known: as the
squared Mahalanobis distances ``s² dₖ`` grow with a common scale ``s``, the component of
smallest ``dₖ`` takes all the responsibility. :func:`responsibilities_from_log_prob` computes
the scaled distances ``dₖ`` for those rows only (no overflow) and gives them that limit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["responsibilities_from_log_prob"]


def _scaled_distances(x: np.ndarray, means: np.ndarray, prec_chol: np.ndarray) -> np.ndarray:
    """``‖(x - μₖ) Pₖ‖² / s²`` for one point, with ``s`` chosen so nothing overflows."""
    diff = x[None, :] - means  # (K, d)
    scale = np.max(np.abs(diff))
    if not np.isfinite(scale) or scale == 0.0:
        scale = 1.0
    y = np.einsum("kd,kde->ke", diff / scale, prec_chol)
    scale_y = np.max(np.abs(y[np.isfinite(y)]), initial=0.0) or 1.0
    return np.sum((y / scale_y) ** 2, axis=1)


def responsibilities_from_log_prob(
    X: np.ndarray,
    weighted_log_prob: np.ndarray,
    log_norm_rows: np.ndarray,
    means: np.ndarray,
    prec_chol: np.ndarray,
) -> np.ndarray:
    """Posterior probabilities computed in log space, never ``NaN``.

    Parameters
    ----------
    X : ndarray of shape (N, d)
    weighted_log_prob : ndarray of shape (N, K)
        ``log wₖ + log N(xᵢ | μₖ, Σₖ)``.
    log_norm_rows : ndarray of shape (N,)
        The log-sum-exp of each row (as the core computes it, so finite rows match
        :func:`gmmviz.core.em.responsibilities` bit for bit).
    means : ndarray of shape (K, d)
    prec_chol : ndarray of shape (K, d, d)
        Precision Cholesky factors as a full stack.

    Returns
    -------
    resp : ndarray of shape (N, K), rows summing to one
    """
    wlp = np.asarray(weighted_log_prob, dtype=np.float64)
    row_max = wlp.max(axis=1)
    good = np.isfinite(row_max) & np.isfinite(log_norm_rows)
    resp = np.zeros_like(wlp)
    with np.errstate(under="ignore"):
        resp[good] = np.exp(wlp[good] - log_norm_rows[good, None])
    for i in np.flatnonzero(~good):
        if row_max[i] == np.inf:  # an infinite density: share among those components
            winners = wlp[i] == np.inf
        else:
            d = _scaled_distances(X[i], means, prec_chol)
            winners = d <= d.min() * (1.0 + 1e-12)
        resp[i, winners] = 1.0 / winners.sum()
    return resp
