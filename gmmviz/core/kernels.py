"""The hot loops of EM: the E-step fused with the sufficient statistics, in two backends.

``numba`` (default when importable): one parallel pass over cache-sized chunks of rows that
computes each point's component log-densities, the log-sum-exp, the responsibilities and
adds them straight into per-chunk sufficient statistics, so no N x K array is ever kept.
``numpy``: the same arithmetic with whole-array operations; the reference the tests hold the
fast path to, and the fallback where numba is missing (``GMMVIZ_BACKEND=numpy`` forces it).

Every covariance type reaches the kernels as a ``(K, d, d)`` stack of upper-triangular
precision Cholesky factors ``P`` (see :func:`gmmviz.core.gaussian.as_full_stack`), and
``log_norm[k] = log wₖ + log det Pₖ - d/2 log 2π``, so that
``log wₖ N(x | μₖ, Σₖ) = log_norm[k] - ½ ‖(x - μₖ)ᵀ Pₖ‖²``.
"""

from __future__ import annotations

import os
import threading

import numpy as np

try:  # numba is a declared dependency, but the numpy path keeps the core usable without it.
    import numba
    from numba import njit, prange
except ImportError:  # pragma: no cover - exercised only on machines without numba
    numba = None

BACKENDS: tuple[str, ...] = ("numba", "numpy")
CHUNK_ROWS = 2048

# numba's default threading layer must not run two parallel kernels at once (from the UI
# thread and the EM worker, say); callers take this lock around every launch.
_KERNEL_LOCK = threading.Lock()


def default_backend() -> str:
    """``numba`` when available, unless ``GMMVIZ_BACKEND`` says otherwise."""
    wanted = os.environ.get("GMMVIZ_BACKEND", "").strip().lower()
    if wanted in BACKENDS:
        return wanted if (wanted == "numpy" or numba is not None) else "numpy"
    return "numba" if numba is not None else "numpy"


def resolve_backend(backend: str | None) -> str:
    """Validate a backend name (``None`` means the default)."""
    if backend is None:
        return default_backend()
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    if backend == "numba" and numba is None:
        return "numpy"
    return backend


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

if numba is not None:

    @njit(cache=True, inline="always")
    def _point_log_probs(X, i, means, prec_chol, log_norm, diff, lp):  # pragma: no cover
        n_components, n_features = means.shape
        for k in range(n_components):
            for j in range(n_features):
                diff[k, j] = X[i, j] - means[k, j]
            maha = 0.0
            for j in range(n_features):
                acc = 0.0
                for m in range(j + 1):  # P is upper triangular: column j uses rows 0..j
                    acc += diff[k, m] * prec_chol[k, m, j]
                maha += acc * acc
            lp[k] = log_norm[k] - 0.5 * maha

    @njit(parallel=True, cache=True)
    def _estep_stats_numba(X, means, prec_chol, log_norm, chunk_rows):  # pragma: no cover
        n_samples, n_features = X.shape
        n_components = means.shape[0]
        n_chunks = (n_samples + chunk_rows - 1) // chunk_rows
        ll = np.zeros(n_chunks)
        resp_sum = np.zeros((n_chunks, n_components))
        first = np.zeros((n_chunks, n_components, n_features))
        second = np.zeros((n_chunks, n_components, n_features, n_features))
        for c in prange(n_chunks):
            diff = np.empty((n_components, n_features))
            lp = np.empty(n_components)
            ll_c = 0.0
            for i in range(c * chunk_rows, min(n_samples, (c + 1) * chunk_rows)):
                _point_log_probs(X, i, means, prec_chol, log_norm, diff, lp)
                row_max = lp[0]
                for k in range(1, n_components):
                    if lp[k] > row_max:
                        row_max = lp[k]
                total = 0.0
                for k in range(n_components):
                    lp[k] = np.exp(lp[k] - row_max)
                    total += lp[k]
                ll_c += row_max + np.log(total)
                inv_total = 1.0 / total
                for k in range(n_components):
                    r = lp[k] * inv_total
                    resp_sum[c, k] += r
                    for j in range(n_features):
                        rd = r * diff[k, j]
                        first[c, k, j] += rd
                        for m in range(j, n_features):
                            second[c, k, j, m] += rd * diff[k, m]
            ll[c] = ll_c
        return ll, resp_sum, first, second

    @njit(parallel=True, cache=True)
    def _weighted_log_prob_numba(X, means, prec_chol, log_norm, chunk_rows):  # pragma: no cover
        n_samples, n_features = X.shape
        n_components = means.shape[0]
        out = np.empty((n_samples, n_components))
        n_chunks = (n_samples + chunk_rows - 1) // chunk_rows
        for c in prange(n_chunks):
            diff = np.empty((n_components, n_features))
            lp = np.empty(n_components)
            for i in range(c * chunk_rows, min(n_samples, (c + 1) * chunk_rows)):
                _point_log_probs(X, i, means, prec_chol, log_norm, diff, lp)
                for k in range(n_components):
                    out[i, k] = lp[k]
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
    with _KERNEL_LOCK:
        ll, resp_sum, first, second = _estep_stats_numba(X, means, prec_chol, log_norm, CHUNK_ROWS)
    # Chunk partials summed in a fixed order: the result does not depend on thread timing.
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
    with _KERNEL_LOCK:
        return _weighted_log_prob_numba(X, means, prec_chol, log_norm, CHUNK_ROWS)


def log_sum_exp_rows(wlp: np.ndarray) -> np.ndarray:
    """Stable ``log Σₖ exp(wlp[i, k])`` per row; shape (N,)."""
    return _log_sum_exp_rows(wlp)
