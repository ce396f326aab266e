"""Initial responsibilities for EM: k-means, k-means++ seeds, random, random points.

Each function returns responsibilities ``(N, K)``, as scikit-learn's
``_initialize_parameters`` builds them; the first M-step turns them into parameters.
``random`` and ``random_from_data`` draw from a ``numpy.random.RandomState`` exactly as
scikit-learn does, so the same ``random_state`` gives the same start. ``kmeans`` is our own
k-means++ seeding followed by Lloyd iterations (no scikit-learn at run time), so its start
is a k-means optimum but not bit-identical to scikit-learn's.
"""

from __future__ import annotations

import numpy as np

from gmmviz.core.kernels import KERNEL_LOCK, numba, resolve_backend

INIT_METHODS: tuple[str, ...] = ("kmeans", "k-means++", "random", "random_from_data")


def check_random_state(seed) -> np.random.RandomState:
    """A ``RandomState`` from ``None``, an int, or an existing ``RandomState``."""
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, np.random.RandomState):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    raise ValueError(f"random_state must be None, an int or a numpy RandomState; got {seed!r}")


def _squared_distances(X: np.ndarray, centre: np.ndarray) -> np.ndarray:
    diff = X - centre
    return np.einsum("ij,ij->i", diff, diff)


def kmeans_plusplus(
    X: np.ndarray, n_clusters: int, random_state: np.random.RandomState
) -> np.ndarray:
    """Greedy k-means++ seeding (Arthur & Vassilvitskii, with ``2 + log K`` local trials).

    Parameters
    ----------
    X : ndarray of shape (N, d)
    n_clusters : int
    random_state : RandomState

    Returns
    -------
    indices : ndarray of shape (K,)
        Rows of ``X`` chosen as seeds.
    """
    n_samples = X.shape[0]
    n_local_trials = 2 + int(np.log(n_clusters))
    indices = np.empty(n_clusters, dtype=np.int64)
    indices[0] = random_state.randint(n_samples)
    closest = _squared_distances(X, X[indices[0]])
    for c in range(1, n_clusters):
        potential = closest.sum()
        if potential <= 0.0:  # fewer distinct points than clusters: any row will do
            indices[c] = random_state.randint(n_samples)
            continue
        targets = random_state.uniform(size=n_local_trials) * potential
        candidates = np.searchsorted(np.cumsum(closest), targets)
        np.clip(candidates, None, n_samples - 1, out=candidates)
        best_pot, best_dist, best_id = np.inf, closest, candidates[0]
        for cand in candidates:
            dist = np.minimum(closest, _squared_distances(X, X[cand]))
            pot = dist.sum()
            if pot < best_pot:
                best_pot, best_dist, best_id = pot, dist, cand
        indices[c] = best_id
        closest = best_dist
    return indices


def _assign_numpy(X: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels = np.empty(X.shape[0], dtype=np.int64)
    dist = np.empty(X.shape[0])
    for start in range(0, X.shape[0], 65536):
        Xc = X[start : start + 65536]
        d2 = ((Xc[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels[start : start + 65536] = d2.argmin(axis=1)
        dist[start : start + 65536] = d2.min(axis=1)
    return labels, dist


if numba is not None:
    from numba import njit, prange

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


def _assign(
    X: np.ndarray, centres: np.ndarray, backend: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    if resolve_backend(backend) == "numba":
        with KERNEL_LOCK:
            return _assign_numba(X, np.ascontiguousarray(centres))
    return _assign_numpy(X, centres)


def kmeans_labels(
    X: np.ndarray,
    n_clusters: int,
    random_state: np.random.RandomState,
    max_iter: int = 300,
    tol: float = 1e-4,
    backend: str | None = None,
) -> np.ndarray:
    """Lloyd's k-means from k-means++ seeds; the labels of the final assignment.

    ``tol`` is relative to the mean per-feature variance of ``X``, as in scikit-learn: the
    loop stops when the centres move less than that in squared distance. An emptied cluster
    is re-seeded at the point farthest from its centre, so every label stays in use.

    Returns
    -------
    labels : ndarray of shape (N,), int64
    """
    centres = X[kmeans_plusplus(X, n_clusters, random_state)].copy()
    threshold = tol * float(np.mean(np.var(X, axis=0)))
    labels, dist = _assign(X, centres, backend)
    for _ in range(max_iter):
        counts = np.bincount(labels, minlength=n_clusters)
        sums = np.stack([np.bincount(labels, X[:, j], n_clusters) for j in range(X.shape[1])], 1)
        new_centres = centres.copy()
        filled = counts > 0
        new_centres[filled] = sums[filled] / counts[filled, None]
        for k in np.flatnonzero(~filled):
            far = int(np.argmax(dist))
            new_centres[k] = X[far]
            dist[far] = 0.0
        shift = float(((new_centres - centres) ** 2).sum())
        centres = new_centres
        labels, dist = _assign(X, centres, backend)
        if shift <= threshold:
            break
    return labels


def initial_responsibilities(
    X: np.ndarray, n_components: int, init_params: str, random_state: np.random.RandomState
) -> np.ndarray:
    """Responsibilities that start EM, by ``init_params``.

    Parameters
    ----------
    X : ndarray of shape (N, d)
    n_components : int
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}
    random_state : RandomState
        Consumed in the same order as scikit-learn for ``random`` and ``random_from_data``.

    Returns
    -------
    resp : ndarray of shape (N, K), rows summing to one
    """
    n_samples = X.shape[0]
    if init_params == "random":
        resp = random_state.uniform(size=(n_samples, n_components))
        resp /= resp.sum(axis=1)[:, np.newaxis]
        return resp
    resp = np.zeros((n_samples, n_components))
    if init_params == "kmeans":
        resp[np.arange(n_samples), kmeans_labels(X, n_components, random_state)] = 1.0
    elif init_params == "random_from_data":
        indices = random_state.choice(n_samples, size=n_components, replace=False)
        resp[indices, np.arange(n_components)] = 1.0
    elif init_params == "k-means++":
        indices = kmeans_plusplus(X, n_components, random_state)
        resp[indices, np.arange(n_components)] = 1.0
    else:
        raise ValueError(
            f"init_params must be one of {', '.join(INIT_METHODS)}; got {init_params!r}"
        )
    return resp
