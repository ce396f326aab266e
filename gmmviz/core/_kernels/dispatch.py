"""Which compiled kernel runs an E-step: the one rule, chosen per covariance type.

* ``diag`` and ``spherical`` (diagonal precisions) under the numba backend:
  :mod:`.estep_diag`, ``d`` terms per point and component for the log-density and the
  moments. The general kernel would spend ``d(d+1)/2`` on each and lost to scikit-learn's
  BLAS formulation at large ``d x K`` (measured by ``scripts/bench_sweep.py``); the diagonal
  one does strictly less work at every shape, so it is chosen at every shape.
* everything else (``full``, ``tied``; and every type under the numpy backend):
  :mod:`.estep`, the triangular precision factor applied per row block.

No BLAS path: it was measured and never won. A BLAS formulation of the full E-step (per
component, GEMMs over row chunks: ``(X - μₖ) Pₖ``, then the weighted scatter) took 399 ms
against the general kernel's 222 ms at N=20,000, d=32, K=64 (183 against 67 ms at d=16),
with OpenBLAS on one thread; on two threads beside numba's pool it took 4.4 s (shared
2-core machine), the pools spinning against each other. The general kernel is already 4x
faster than scikit-learn there.

Both kernels give the same numbers to rounding: tests hold each to the numpy reference and
to scikit-learn. For diagonal precisions only the diagonal of the second moments is kept,
whichever backend: the rest of the ``(K, d, d)`` stack is zero, which the diag and spherical
M-steps never read.

A leaf: imports its sibling leaves and :mod:`gmmviz.core.backend` only.
"""

from __future__ import annotations

import numpy as np

from gmmviz.core._kernels import estep
from gmmviz.core._kernels.estep_diag import (
    diag_kernel_available,
    estep_stats_diag,
    weighted_log_prob_diag,
)
from gmmviz.core._kernels.kmeans import assign

#: Covariance types whose precision Cholesky factors are diagonal.
DIAGONAL_TYPES: tuple[str, ...] = ("diag", "spherical")


def uses_diag_kernel(covariance_type: str | None, backend: str | None) -> bool:
    """Whether :func:`estep_stats` runs the diagonal kernel for this type and backend."""
    return covariance_type in DIAGONAL_TYPES and diag_kernel_available(backend)


def _diagonals(prec_chol: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.diagonal(prec_chol, axis1=1, axis2=2))


def estep_stats(
    X: np.ndarray,
    means: np.ndarray,
    prec_chol: np.ndarray,
    log_norm: np.ndarray,
    backend: str | None = None,
    covariance_type: str | None = None,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`.estep.estep_stats` through the kernel the rule above chooses.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    means : ndarray of shape (K, d)
    prec_chol : ndarray of shape (K, d, d), upper triangular (diagonal for diag/spherical)
    log_norm : ndarray of shape (K,)
    backend : {'numba', 'numpy'}, optional
    covariance_type : str, optional
        ``None`` (unknown) takes the general kernel.

    Returns
    -------
    log_likelihood_sum : float
    resp_sum : ndarray of shape (K,)
    first : ndarray of shape (K, d)
    second : ndarray of shape (K, d, d)
        For diag/spherical only the diagonal, whichever backend (zeros elsewhere).
    """
    if covariance_type not in DIAGONAL_TYPES:
        return estep.estep_stats(X, means, prec_chol, log_norm, backend)
    if uses_diag_kernel(covariance_type, backend):
        ll_sum, resp_sum, first, second_diag = estep_stats_diag(
            X, means, _diagonals(prec_chol), log_norm
        )
    else:  # the numpy reference computes every moment; keep the same ones either way
        ll_sum, resp_sum, first, second = estep.estep_stats(X, means, prec_chol, log_norm, backend)
        second_diag = np.diagonal(second, axis1=1, axis2=2)
    n_components, n_features = means.shape
    diagonal_only = np.zeros((n_components, n_features, n_features))
    idx = np.arange(n_features)
    diagonal_only[:, idx, idx] = second_diag
    return ll_sum, resp_sum, first, diagonal_only


def weighted_log_prob(
    X: np.ndarray,
    means: np.ndarray,
    prec_chol: np.ndarray,
    log_norm: np.ndarray,
    backend: str | None = None,
    covariance_type: str | None = None,
) -> np.ndarray:
    """:func:`.estep.weighted_log_prob` through the kernel the rule above chooses.

    Returns
    -------
    ndarray of shape (N, K)
    """
    if not uses_diag_kernel(covariance_type, backend):
        return estep.weighted_log_prob(X, means, prec_chol, log_norm, backend)
    return weighted_log_prob_diag(X, means, _diagonals(prec_chol), log_norm)


log_sum_exp_rows = estep.log_sum_exp_rows


#: Rows below which grouping them costs more than the E-steps it saves.
GROUP_MIN_ROWS = 16_384
#: Data larger than this are not copied to be grouped: the copy would double their memory.
GROUP_MAX_BYTES = 512 * 2**20


def rows_grouped_by_nearest_mean(
    X: np.ndarray, means: np.ndarray, backend: str | None = None
) -> np.ndarray:
    """``X`` with its rows reordered so that rows near the same mean are adjacent.

    The compiled kernels skip a component in a block of rows where all its
    responsibilities are exactly 0 (below ``exp(-100)`` of each row's best term). With
    the rows in file order that almost never happens; grouped by their nearest starting
    mean, each block sits in one region and most far components are skipped: on
    1,000,000 x 2 points in 16 separated blobs a full-covariance E-step takes about 25%
    less time. The sufficient statistics are sums over the rows, so the order changes
    them only by rounding. Done once per run: a nearest-mean pass, a stable sort of the
    labels and a copy of ``X``.

    Returned unchanged (not copied) when the numpy backend runs (it skips nothing), for one
    component, below :data:`GROUP_MIN_ROWS` rows, or above :data:`GROUP_MAX_BYTES`.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    means : ndarray of shape (K, d)
    backend : {'numba', 'numpy'}, optional

    Returns
    -------
    ndarray of shape (N, d)
    """
    n_components = means.shape[0]
    if (
        n_components < 2
        or X.shape[0] < GROUP_MIN_ROWS
        or X.nbytes > GROUP_MAX_BYTES
        or not estep.kernels_compiled(backend)
    ):
        return X
    labels, _ = assign(X, means, backend)
    # small integer labels sort stably by radix sort, in linear time
    order = np.argsort(labels.astype(np.int16 if n_components < 2**15 else np.int32), kind="stable")
    return X[order]
