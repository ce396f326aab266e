"""k-means for the EM start: k-means++ seeding and Lloyd's iterations, no N x K array.

Both loops run in Python and launch one compiled pass (or its numpy reference) per step:
k-means++ makes two passes per new centre — the potentials of its local trials, then the
update of the running minimum distances — and Lloyd's algorithm one fused pass per
iteration. The random draws are those of the original numpy implementation, in the same
order, so the same ``random_state`` gives the same seeds.
"""

from __future__ import annotations

import numpy as np

from gmmviz.core._kernels.kmeans import BLOCK_ROWS, lloyd_pass, trial_potentials, update_closest


def _weighted_draws(closest: np.ndarray, block_sums: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """First index whose running sum of ``closest`` reaches each target (``searchsorted``).

    The running sum is the block prefix plus the sequential sum inside the block, so only
    the blocks holding a target are scanned; clipped to the last row.
    """
    n_samples = closest.shape[0]
    block_ends = np.cumsum(block_sums)
    found = np.empty(targets.shape[0], dtype=np.int64)
    for t, target in enumerate(targets):
        b = int(np.searchsorted(block_ends, target))
        if b >= block_ends.shape[0]:
            found[t] = n_samples - 1
            continue
        before = block_ends[b - 1] if b else 0.0
        block = closest[b * BLOCK_ROWS : (b + 1) * BLOCK_ROWS]
        running = before + np.cumsum(block)
        found[t] = min(b * BLOCK_ROWS + int(np.searchsorted(running, target)), n_samples - 1)
    return found


def kmeans_plusplus(
    X: np.ndarray,
    n_clusters: int,
    random_state: np.random.RandomState,
    backend: str | None = None,
) -> np.ndarray:
    """Greedy k-means++ seeding (Arthur & Vassilvitskii, with ``2 + log K`` local trials).

    Two passes over ``X`` per new centre, whichever backend: the potential of every local
    trial at once, then the running minimum distances of the chosen one. Both backends sum
    in the same order and pick the same seeds.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    n_clusters : int
    random_state : RandomState
        Draws ``randint(N)`` for the first seed, then ``uniform(size=2 + log K)`` per seed
        (``randint(N)`` instead when every point already is a seed).
    backend : {'numba', 'numpy'} or None

    Returns
    -------
    indices : ndarray of shape (K,)
        Rows of ``X`` chosen as seeds.
    """
    n_samples = X.shape[0]
    n_local_trials = 2 + int(np.log(n_clusters))
    indices = np.empty(n_clusters, dtype=np.int64)
    indices[0] = random_state.randint(n_samples)
    closest, block_sums = update_closest(X, None, X[indices[0]], backend)
    for c in range(1, n_clusters):
        potential = np.cumsum(block_sums)[-1]
        if potential <= 0.0:  # fewer distinct points than clusters: any row will do
            indices[c] = random_state.randint(n_samples)
            continue
        targets = random_state.uniform(size=n_local_trials) * potential
        candidates = _weighted_draws(closest, block_sums, targets)
        potentials = trial_potentials(X, closest, X[candidates], backend)
        best = int(np.argmin(potentials))  # the first of equal potentials, as before
        indices[c] = candidates[best]
        closest, block_sums = update_closest(X, closest, X[indices[c]], backend)
    return indices


def kmeans(
    X: np.ndarray,
    n_clusters: int,
    random_state: np.random.RandomState,
    max_iter: int = 300,
    tol: float = 1e-4,
    backend: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means from k-means++ seeds: final labels and the centres they were taken to.

    ``tol`` is relative to the mean per-feature variance of ``X``, as in scikit-learn: the
    loop stops when the centres move less than that in squared distance. An emptied cluster
    is re-seeded at the point farthest from its centre, so every label stays in use.

    Returns
    -------
    labels : ndarray of shape (N,), int64
    centres : ndarray of shape (K, d)
        The centres of the last assignment (each near the mean of its points).
    """
    centres = X[kmeans_plusplus(X, n_clusters, random_state, backend)].copy()
    threshold = tol * float(np.mean(np.var(X, axis=0)))
    labels, dist, counts, sums = lloyd_pass(X, centres, backend)
    for _ in range(max_iter):
        new_centres = centres.copy()
        filled = counts > 0
        new_centres[filled] = sums[filled] / counts[filled, None]
        for k in np.flatnonzero(~filled):
            far = int(np.argmax(dist))
            new_centres[k] = X[far]
            dist[far] = 0.0
        shift = float(((new_centres - centres) ** 2).sum())
        centres = new_centres
        labels, dist, counts, sums = lloyd_pass(X, centres, backend)
        if shift <= threshold:
            break
    return labels, centres


def kmeans_labels(
    X: np.ndarray,
    n_clusters: int,
    random_state: np.random.RandomState,
    max_iter: int = 300,
    tol: float = 1e-4,
    backend: str | None = None,
) -> np.ndarray:
    """The labels of :func:`kmeans` (shape (N,), int64)."""
    return kmeans(X, n_clusters, random_state, max_iter, tol, backend)[0]
