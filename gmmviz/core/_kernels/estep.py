"""The hot loops of EM: the E-step fused with the sufficient statistics, in two backends.

``numba`` (default when ready, see :mod:`gmmviz.core.backend`): one parallel pass over
cache-sized chunks of rows that computes each point's component log-densities, the
log-sum-exp, the responsibilities and adds them straight into per-chunk sufficient
statistics, so no N x K array is ever kept.
``numpy``: the same arithmetic with whole-array operations; the reference the tests hold the
fast path to, and the fallback where numba is missing (``GMMVIZ_BACKEND=numpy`` forces it).

Every covariance type reaches the kernels as a ``(K, d, d)`` stack of upper-triangular
precision Cholesky factors ``P`` (see :func:`gmmviz.core.gaussian.as_full_stack`), and
``log_norm[k] = log wₖ + log det Pₖ - d/2 log 2π``, so that
``log wₖ N(x | μₖ, Σₖ) = log_norm[k] - ½ ‖(x - μₖ)ᵀ Pₖ‖²``.

A leaf: imports only :mod:`gmmviz.core.backend` (and numpy, numba, math).
"""

from __future__ import annotations

import math

import numpy as np

from gmmviz.core.backend import KERNEL_LOCK, njit, prange, register_warm_up, resolve_backend

# --------------------------------------------------------------------------------------------
# numpy reference path
# --------------------------------------------------------------------------------------------


def _weighted_log_prob_numpy(
    X: np.ndarray, means: np.ndarray, prec_chol: np.ndarray, log_norm: np.ndarray
) -> np.ndarray:
    n_samples = X.shape[0]
    n_components = means.shape[0]
    out = np.empty((n_samples, n_components))
    for k in range(n_components):
        y = (X - means[k]) @ prec_chol[k]
        out[:, k] = log_norm[k] - 0.5 * np.einsum("ij,ij->i", y, y)
    return out


def _log_sum_exp_rows(wlp: np.ndarray) -> np.ndarray:
    row_max = wlp.max(axis=1)
    row_max[~np.isfinite(row_max)] = 0.0
    with np.errstate(under="ignore"):
        return np.log(np.exp(wlp - row_max[:, None]).sum(axis=1)) + row_max


def _estep_stats_numpy(
    X: np.ndarray, means: np.ndarray, prec_chol: np.ndarray, log_norm: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    n_components, n_features = means.shape
    ll_sum = 0.0
    resp_sum = np.zeros(n_components)
    first = np.zeros((n_components, n_features))
    second = np.zeros((n_components, n_features, n_features))
    # Chunks bound the N x K temporaries to a few MB whatever N is.
    for start in range(0, X.shape[0], 65536):
        Xc = X[start : start + 65536]
        wlp = _weighted_log_prob_numpy(Xc, means, prec_chol, log_norm)
        lse = _log_sum_exp_rows(wlp)
        ll_sum += float(lse.sum())
        with np.errstate(under="ignore"):
            resp = np.exp(wlp - lse[:, None])
        resp_sum += resp.sum(axis=0)
        for k in range(n_components):
            centred = Xc - means[k]
            weighted = resp[:, k : k + 1] * centred
            first[k] += weighted.sum(axis=0)
            second[k] += weighted.T @ centred
    return ll_sum, resp_sum, first, second


# --------------------------------------------------------------------------------------------
# numba fused path
# --------------------------------------------------------------------------------------------

if njit is not None:
    # Rows are processed in blocks of BLOCK_ROWS: each block's coordinates are copied into a
    # (d, B) scratch so that every inner loop runs over contiguous rows, which LLVM
    # vectorises; partial sums are kept per block and added in a fixed order afterwards.
    BLOCK_ROWS = 256
    # fastmath lets LLVM reorder sums and vectorise, but not assume finite values: a
    # component of weight 0 has log-density -inf everywhere.
    FASTMATH = {"nsz", "arcp", "contract", "reassoc"}
    # exp(x) is taken as 0 below EXP_FLOOR. Such a responsibility is < 4e-44 of its row's
    # largest term: it changes no row sum, and summed over even 1e9 points it shifts a
    # component's Σr by < 4e-35, far below the 10*eps (2e-15) that the M-step adds to every
    # Σr. Keeping it would only feed the moment sums subnormal products, which run ~100x
    # slower on x86 (seen at d=10: the E-step took 41 ms instead of 15).
    EXP_FLOOR = -100.0
    LOG2E = 1.4426950408889634
    LN2_HI = 0.6931471803691238  # ln 2 split so that n * LN2_HI is exact for |n| < 2**20
    LN2_LO = 1.9082149292705877e-10
    # 1/j! for j = 13..0: Taylor series of e^r, |r| <= ln2/2, truncation error < 3e-17.
    EXP_COEFFS = np.array([1.0 / math.factorial(j) for j in range(13, -1, -1)])

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def _exp_nonpositive(x, bits, r):  # pragma: no cover
        """e**x for x <= 0 without libm, so that LLVM can vectorise the loop around it.

        Range reduction x = n ln2 + t, a polynomial for e**t, and 2**n written as exponent
        bits into ``bits[r]`` (the caller multiplies by ``bits.view(float64)[r]``). Within
        2e-16 relative of the exact value; 0 below EXP_FLOOR (the scale is then 2**-1000 and
        the polynomial is multiplied by 0).
        """
        keep = x > EXP_FLOOR
        x = max(x, EXP_FLOOR)
        n = np.floor(x * LOG2E + 0.5)
        t = (x - n * LN2_HI) - n * LN2_LO
        p = EXP_COEFFS[0]
        for j in range(1, EXP_COEFFS.shape[0]):
            p = p * t + EXP_COEFFS[j]
        bits[r] = (np.int64(n) + 1023) << 52
        return p if keep else 0.0

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def block_log_probs(X, start, n, means, prec_chol, log_norm, xs, lp, acc):  # pragma: no cover
        """Fill xs[:, :n] with the block's coordinates and lp[:, :n] with log wₖ N(x|k)."""
        n_components, n_features = means.shape
        for r in range(n):
            for j in range(n_features):
                xs[j, r] = X[start + r, j]
        for k in range(n_components):
            for r in range(n):
                lp[k, r] = 0.0
            for j in range(n_features):
                for r in range(n):
                    acc[r] = 0.0
                for m in range(j + 1):  # P is upper triangular: column j uses rows 0..j
                    p = prec_chol[k, m, j]
                    mu = means[k, m]
                    for r in range(n):
                        acc[r] += (xs[m, r] - mu) * p
                for r in range(n):
                    lp[k, r] += acc[r] * acc[r]
            c = log_norm[k]
            for r in range(n):
                lp[k, r] = c - 0.5 * lp[k, r]

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def block_responsibilities(lp, n, acc, bits):  # pragma: no cover
        """Turn the block's log-densities lp[:, :n] into responsibilities in place.

        Row-wise log-sum-exp over the components; returns the block's log-likelihood sum.
        ``acc`` (B,) and ``bits`` (B,) int64 are scratch.
        """
        n_components = lp.shape[0]
        scale = bits.view(np.float64)
        row_max = np.full(lp.shape[1], -np.inf)
        for k in range(n_components):
            for r in range(n):
                row_max[r] = max(row_max[r], lp[k, r])
        for r in range(n):
            acc[r] = 0.0
        for k in range(n_components):
            for r in range(n):
                e = _exp_nonpositive(lp[k, r] - row_max[r], bits, r)
                lp[k, r] = e
            for r in range(n):
                lp[k, r] *= scale[r]
                acc[r] += lp[k, r]
        block_ll = 0.0
        for r in range(n):
            block_ll += row_max[r] + np.log(acc[r])
            acc[r] = 1.0 / acc[r]
        for k in range(n_components):
            for r in range(n):
                lp[k, r] *= acc[r]
        return block_ll

    @njit(parallel=True, cache=True, nogil=True, fastmath=FASTMATH)
    def _estep_stats_numba(X, means, prec_chol, log_norm):  # pragma: no cover
        n_samples, n_features = X.shape
        n_components = means.shape[0]
        n_blocks = (n_samples + BLOCK_ROWS - 1) // BLOCK_ROWS
        ll = np.zeros(n_blocks)
        resp_sum = np.zeros((n_blocks, n_components))
        first = np.zeros((n_blocks, n_components, n_features))
        second = np.zeros((n_blocks, n_components, n_features, n_features))
        for b in prange(n_blocks):
            start = b * BLOCK_ROWS
            n = min(n_samples, start + BLOCK_ROWS) - start
            xs = np.empty((n_features, BLOCK_ROWS))
            lp = np.empty((n_components, BLOCK_ROWS))
            acc = np.empty(BLOCK_ROWS)
            diff = np.empty((n_features, BLOCK_ROWS))
            bits = np.empty(BLOCK_ROWS, dtype=np.int64)
            block_log_probs(X, start, n, means, prec_chol, log_norm, xs, lp, acc)
            ll[b] = block_responsibilities(lp, n, acc, bits)
            # responsibilities and their sums, around each component's mean
            for k in range(n_components):
                for j in range(n_features):
                    mu = means[k, j]
                    for r in range(n):
                        diff[j, r] = xs[j, r] - mu
                total = 0.0
                for r in range(n):
                    total += lp[k, r]
                resp_sum[b, k] = total
                for j in range(n_features):
                    f = 0.0
                    for r in range(n):
                        f += lp[k, r] * diff[j, r]
                    first[b, k, j] = f
                    for m in range(j, n_features):
                        s2 = 0.0
                        for r in range(n):
                            s2 += lp[k, r] * diff[j, r] * diff[m, r]
                        second[b, k, j, m] = s2
        return ll, resp_sum, first, second

    @njit(parallel=True, cache=True, nogil=True, fastmath=FASTMATH)
    def _weighted_log_prob_numba(X, means, prec_chol, log_norm):  # pragma: no cover
        n_samples, n_features = X.shape
        n_components = means.shape[0]
        out = np.empty((n_samples, n_components))
        n_blocks = (n_samples + BLOCK_ROWS - 1) // BLOCK_ROWS
        for b in prange(n_blocks):
            start = b * BLOCK_ROWS
            n = min(n_samples, start + BLOCK_ROWS) - start
            xs = np.empty((n_features, BLOCK_ROWS))
            lp = np.empty((n_components, BLOCK_ROWS))
            acc = np.empty(BLOCK_ROWS)
            block_log_probs(X, start, n, means, prec_chol, log_norm, xs, lp, acc)
            for r in range(n):
                for k in range(n_components):
                    out[start + r, k] = lp[k, r]
        return out


def estep_stats(
    X: np.ndarray,
    means: np.ndarray,
    prec_chol: np.ndarray,
    log_norm: np.ndarray,
    backend: str | None = None,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """E-step and sufficient statistics in one pass, accumulated around ``means``.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    means : ndarray of shape (K, d)
    prec_chol : ndarray of shape (K, d, d), upper triangular
    log_norm : ndarray of shape (K,)
    backend : {'numba', 'numpy'}, optional

    Returns
    -------
    log_likelihood_sum : float
        ``Σᵢ log Σₖ wₖ N(xᵢ | μₖ, Σₖ)``.
    resp_sum : ndarray of shape (K,)
    first : ndarray of shape (K, d)
        ``Σᵢ rᵢₖ (xᵢ - μₖ)``.
    second : ndarray of shape (K, d, d)
        ``Σᵢ rᵢₖ (xᵢ - μₖ)(xᵢ - μₖ)ᵀ``.
    """
    if resolve_backend(backend) == "numpy":
        return _estep_stats_numpy(X, means, prec_chol, log_norm)
    with KERNEL_LOCK:
        ll, resp_sum, first, second = _estep_stats_numba(X, means, prec_chol, log_norm)
    # Block partials summed in a fixed order: the result does not depend on thread timing.
    second = second.sum(axis=0)
    upper = np.triu_indices(means.shape[1], 1)
    for s in second:
        s[upper[1], upper[0]] = s[upper]
    return float(ll.sum()), resp_sum.sum(axis=0), first.sum(axis=0), second


def weighted_log_prob(
    X: np.ndarray,
    means: np.ndarray,
    prec_chol: np.ndarray,
    log_norm: np.ndarray,
    backend: str | None = None,
) -> np.ndarray:
    """``log wₖ + log N(xᵢ | μₖ, Σₖ)`` for every point and component.

    Returns
    -------
    ndarray of shape (N, K)
    """
    if resolve_backend(backend) == "numpy":
        return _weighted_log_prob_numpy(X, means, prec_chol, log_norm)
    with KERNEL_LOCK:
        return _weighted_log_prob_numba(X, means, prec_chol, log_norm)


def log_sum_exp_rows(wlp: np.ndarray) -> np.ndarray:
    """Stable ``log Σₖ exp(wlp[i, k])`` per row; shape (N,)."""
    return _log_sum_exp_rows(wlp)


@register_warm_up
def _warm_up() -> None:
    X = np.random.default_rng(0).normal(size=(64, 2))
    means = np.ascontiguousarray(X[:3])
    prec = np.ascontiguousarray(np.broadcast_to(np.eye(2), (3, 2, 2)))
    log_norm = np.full(3, -math.log(3.0))
    estep_stats(X, means, prec, log_norm, "numba")
    weighted_log_prob(X, means, prec, log_norm, "numba")
