"""Nearest-centre assignment for Lloyd's k-means, in two backends.

A leaf: imports only :mod:`gmmviz.core.backend` (and numpy, numba). Moving it out of
``core/init.py`` breaks the old import circle between the initialisation and the kernels.
"""

from __future__ import annotations

import numpy as np

from gmmviz.core.backend import KERNEL_LOCK, njit, prange, register_warm_up, resolve_backend

_CHUNK = 65536  # bounds the (chunk, K, d) temporary of the numpy path


def assign_numpy(X: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference path of :func:`assign`, in chunks of rows."""
    labels = np.empty(X.shape[0], dtype=np.int64)
    dist = np.empty(X.shape[0])
    for start in range(0, X.shape[0], _CHUNK):
        Xc = X[start : start + _CHUNK]
        d2 = ((Xc[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels[start : start + _CHUNK] = d2.argmin(axis=1)
        dist[start : start + _CHUNK] = d2.min(axis=1)
    return labels, dist


if njit is not None:

    @njit(parallel=True, cache=True, nogil=True)
    def _assign_numba(X, centres):  # pragma: no cover - compiled
        n_samples, n_features = X.shape
        n_clusters = centres.shape[0]
        labels = np.empty(n_samples, dtype=np.int64)
        dist = np.empty(n_samples)
        for i in prange(n_samples):
            best, best_k = np.inf, 0
            for k in range(n_clusters):
                d2 = 0.0
                for j in range(n_features):
                    t = X[i, j] - centres[k, j]
                    d2 += t * t
                if d2 < best:
                    best, best_k = d2, k
            labels[i] = best_k
            dist[i] = best
        return labels, dist


def assign(
    X: np.ndarray, centres: np.ndarray, backend: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre of each point and its squared distance.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    centres : ndarray of shape (K, d)
    backend : {'numba', 'numpy'} or None

    Returns
    -------
    labels : ndarray of shape (N,), int64
    dist : ndarray of shape (N,)
        Squared Euclidean distance to the chosen centre.
    """
    if resolve_backend(backend) == "numba":
        with KERNEL_LOCK:
            return _assign_numba(X, np.ascontiguousarray(centres))
    return assign_numpy(X, centres)


@register_warm_up
def _warm_up() -> None:
    X = np.random.default_rng(0).normal(size=(64, 2))
    assign(X, X[:3], "numba")
