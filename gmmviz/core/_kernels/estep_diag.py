"""The fused E-step for diagonal precisions: covariance types ``diag`` and ``spherical``.

With a diagonal precision Cholesky factor ``P = diag(pₖ)`` a point's log-density takes ``d``
terms, ``log_norm[k] - ½ Σⱼ ((xⱼ - μₖⱼ) pₖⱼ)²``, and the M-step of these two types reads only
the diagonal of the second moments. The general kernel of :mod:`.estep` spends ``d(d+1)/2``
on each (a triangular product and the upper triangle of the scatter), which made it slower
than scikit-learn's BLAS formulation at large ``d x K`` (diag, d=32, K=64: 218 ms against
104 ms per iteration, N=20,000). This one is the same block loop with ``d`` terms: the
row blocks, the responsibilities (:func:`.estep.block_responsibilities`) and the moments
taken around each component's own mean are shared, so its numbers equal the general
kernel's to rounding.

A leaf: imports :mod:`gmmviz.core.backend` and the sibling leaf :mod:`.estep`.
"""

from __future__ import annotations

import math

import numpy as np

from gmmviz.core.backend import KERNEL_LOCK, njit, prange, register_warm_up, resolve_backend

if njit is not None:
    from gmmviz.core._kernels.estep import (
        BLOCK_ROWS,
        FASTMATH,
        block_responsibilities,
    )

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def block_log_probs_diag(X, start, n, means, prec, log_norm, xs, lp):  # pragma: no cover
        """Fill xs[:, :n] with the block's coordinates and lp[:, :n] with log wₖ N(x|k)."""
        n_components, n_features = means.shape
        for r in range(n):
            for j in range(n_features):
                xs[j, r] = X[start + r, j]
        for k in range(n_components):
            for r in range(n):
                lp[k, r] = 0.0
            for j in range(n_features):
                p = prec[k, j]
                mu = means[k, j]
                for r in range(n):
                    y = (xs[j, r] - mu) * p
                    lp[k, r] += y * y
            c = log_norm[k]
            for r in range(n):
                lp[k, r] = c - 0.5 * lp[k, r]

    @njit(parallel=True, cache=True, nogil=True, fastmath=FASTMATH)
    def _estep_stats_diag_numba(X, means, prec, log_norm):  # pragma: no cover
        n_samples, n_features = X.shape
        n_components = means.shape[0]
        n_blocks = (n_samples + BLOCK_ROWS - 1) // BLOCK_ROWS
        ll = np.zeros(n_blocks)
        resp_sum = np.zeros((n_blocks, n_components))
        first = np.zeros((n_blocks, n_components, n_features))
        second = np.zeros((n_blocks, n_components, n_features))
        for b in prange(n_blocks):
            start = b * BLOCK_ROWS
            n = min(n_samples, start + BLOCK_ROWS) - start
            xs = np.empty((n_features, BLOCK_ROWS))
            lp = np.empty((n_components, BLOCK_ROWS))
            row_max = np.empty(BLOCK_ROWS)
            inv_sum = np.empty(BLOCK_ROWS)
            live = np.empty(n_components, dtype=np.bool_)
            block_log_probs_diag(X, start, n, means, prec, log_norm, xs, lp)
            ll[b] = block_responsibilities(lp, n, row_max, inv_sum, live)
            for k in range(n_components):
                if not live[k]:
                    continue  # all its responsibilities in this block are 0
                total = 0.0
                for r in range(n):
                    total += lp[k, r]
                resp_sum[b, k] = total
                for j in range(n_features):
                    mu = means[k, j]
                    f = 0.0
                    s2 = 0.0
                    for r in range(n):
                        t = xs[j, r] - mu
                        w = lp[k, r] * t
                        f += w
                        s2 += w * t
                    first[b, k, j] = f
                    second[b, k, j] = s2
        return ll, resp_sum, first, second

    @njit(parallel=True, cache=True, nogil=True, fastmath=FASTMATH)
    def _weighted_log_prob_diag_numba(X, means, prec, log_norm):  # pragma: no cover
        n_samples, n_features = X.shape
        n_components = means.shape[0]
        out = np.empty((n_samples, n_components))
        n_blocks = (n_samples + BLOCK_ROWS - 1) // BLOCK_ROWS
        for b in prange(n_blocks):
            start = b * BLOCK_ROWS
            n = min(n_samples, start + BLOCK_ROWS) - start
            xs = np.empty((n_features, BLOCK_ROWS))
            lp = np.empty((n_components, BLOCK_ROWS))
            block_log_probs_diag(X, start, n, means, prec, log_norm, xs, lp)
            for r in range(n):
                for k in range(n_components):
                    out[start + r, k] = lp[k, r]
        return out


def diag_kernel_available(backend: str | None) -> bool:
    """Whether the compiled diagonal kernels run for ``backend`` (numba ready and asked for)."""
    return njit is not None and resolve_backend(backend) == "numba"


def estep_stats_diag(
    X: np.ndarray, means: np.ndarray, prec: np.ndarray, log_norm: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """E-step and sufficient statistics for diagonal precisions, in one compiled pass.

    Call only where :func:`diag_kernel_available`; the numpy reference is
    :func:`gmmviz.core._kernels.estep.estep_stats` on the ``(K, d, d)`` diagonal stack.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    means : ndarray of shape (K, d)
    prec : ndarray of shape (K, d)
        The diagonals of the precision Cholesky factors.
    log_norm : ndarray of shape (K,)

    Returns
    -------
    log_likelihood_sum : float
    resp_sum : ndarray of shape (K,)
    first : ndarray of shape (K, d)
        ``Σᵢ rᵢₖ (xᵢ - μₖ)``.
    second_diag : ndarray of shape (K, d)
        ``Σᵢ rᵢₖ (xᵢⱼ - μₖⱼ)²``: the diagonal of the second moments only.
    """
    with KERNEL_LOCK:
        ll, resp_sum, first, second = _estep_stats_diag_numba(X, means, prec, log_norm)
    # Block partials summed in a fixed order: the result does not depend on thread timing.
    return float(ll.sum()), resp_sum.sum(axis=0), first.sum(axis=0), second.sum(axis=0)


def weighted_log_prob_diag(
    X: np.ndarray, means: np.ndarray, prec: np.ndarray, log_norm: np.ndarray
) -> np.ndarray:
    """``log wₖ + log N(xᵢ | μₖ, diag(prec[k])⁻²)``; call only where
    :func:`diag_kernel_available`.

    Returns
    -------
    ndarray of shape (N, K)
    """
    with KERNEL_LOCK:
        return _weighted_log_prob_diag_numba(X, means, prec, log_norm)


@register_warm_up
def _warm_up() -> None:
    if njit is None:
        return
    X = np.random.default_rng(0).normal(size=(64, 2))
    means = np.ascontiguousarray(X[:3])
    prec = np.ones((3, 2))
    log_norm = np.full(3, -math.log(3.0))
    estep_stats_diag(X, means, prec, log_norm)
    weighted_log_prob_diag(X, means, prec, log_norm)
