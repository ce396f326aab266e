"""The passes of k-means and of the first EM parameters, in two backends.

* :func:`assign` / :func:`lloyd_pass` — nearest centre of each point (Lloyd's step), the
  fused pass also summing each cluster's points for the next centres;
* :func:`update_closest` / :func:`trial_potentials` — the two passes per new centre of
  k-means++ seeding: the running minimum squared distances (with per-block sums, for the
  weighted draw) and the potential each local trial would give;
* :func:`label_stats` — counts, first and second moments per hard label, summed around each
  label's own centre (shifted sums: no digits lost far from the origin).

Sums that decide k-means++ seeds are taken in one fixed order in both backends — sequential
within blocks of :data:`BLOCK_ROWS` rows, then sequential over blocks — so the numpy path and
the compiled one pick the same seeds, bit for bit. Other sums add per-block partials in a
fixed order: the result never depends on thread timing.

A leaf: imports only :mod:`gmmviz.core.backend` (and numpy, numba).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from gmmviz.core.backend import (
    KERNEL_LOCK,
    njit,
    numba_module,
    prange,
    register_warm_up,
    resolve_backend,
)

_CHUNK = 65536  # bounds the (chunk, K, d) temporary of the numpy path
BLOCK_ROWS = 256  # rows per block of the compiled passes and of the seeding sums
_STATS_ROWS = 16384  # rows per partial of the label statistics
# Below this many rows a pass runs on one thread: its work (~1 ms) does not repay waking the
# others, and on a busy machine a descheduled worker stalls every launch (measured: the
# default fit at 100k x 10, K=8 took 0.1-0.5 s on two threads, 0.085 s on one). Every sum
# is taken in a fixed order, so the thread count never changes a result.
PARALLEL_MIN_ROWS = 262_144

# --------------------------------------------------------------------------------------------
# numpy reference paths
# --------------------------------------------------------------------------------------------


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


def _sq_dist_numpy(X: np.ndarray, point: np.ndarray) -> np.ndarray:
    """``‖xᵢ - point‖²`` summed over features in order (as the compiled loop does)."""
    t = X[:, 0] - point[0]
    out = t * t
    for j in range(1, X.shape[1]):
        t = X[:, j] - point[j]
        out += t * t
    return out


def _block_sums_numpy(values: np.ndarray) -> np.ndarray:
    """Sequential sums over blocks of ``BLOCK_ROWS`` (padding with zeros changes no sum)."""
    n_blocks = -(-values.shape[0] // BLOCK_ROWS)
    padded = np.zeros(n_blocks * BLOCK_ROWS)
    padded[: values.shape[0]] = values
    # add.accumulate is strictly sequential (a reduction would sum pairwise).
    return np.cumsum(padded.reshape(n_blocks, BLOCK_ROWS), axis=1)[:, -1].copy()


def _label_stats_numpy(
    X: np.ndarray, labels: np.ndarray, centres: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_components, n_features = centres.shape
    centred = X - centres[labels]
    counts = np.bincount(labels, minlength=n_components).astype(np.float64)
    first = np.empty((n_components, n_features))
    second = np.empty((n_components, n_features, n_features))
    for j in range(n_features):
        first[:, j] = np.bincount(labels, centred[:, j], n_components)
        for m in range(j, n_features):
            second[:, j, m] = np.bincount(labels, centred[:, j] * centred[:, m], n_components)
            second[:, m, j] = second[:, j, m]
    return counts, first, second


# --------------------------------------------------------------------------------------------
# compiled paths
# --------------------------------------------------------------------------------------------

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

    @njit(cache=True, inline="always")
    def _block_sq_dist(xs, n, point, d2):  # pragma: no cover - compiled
        """d2[:n] = ‖x - point‖² for a block held as xs (d, B), features summed in order."""
        n_features = xs.shape[0]
        c = point[0]
        for r in range(n):
            t = xs[0, r] - c
            d2[r] = t * t
        for j in range(1, n_features):
            c = point[j]
            for r in range(n):  # independent rows: this loop vectorises
                t = xs[j, r] - c
                d2[r] += t * t

    @njit(cache=True, inline="always")
    def _load_block(X, start, n, xs):  # pragma: no cover - compiled
        for r in range(n):
            for j in range(X.shape[1]):
                xs[j, r] = X[start + r, j]

    @njit(parallel=True, cache=True, nogil=True)
    def _lloyd_pass_numba(X, centres):  # pragma: no cover - compiled
        n_samples, n_features = X.shape
        n_clusters = centres.shape[0]
        n_blocks = (n_samples + BLOCK_ROWS - 1) // BLOCK_ROWS
        labels = np.empty(n_samples, dtype=np.int64)
        dist = np.empty(n_samples)
        counts = np.zeros((n_blocks, n_clusters), dtype=np.int64)
        sums = np.zeros((n_blocks, n_clusters, n_features))
        for b in prange(n_blocks):
            start = b * BLOCK_ROWS
            n = min(n_samples, start + BLOCK_ROWS) - start
            xs = np.empty((n_features, BLOCK_ROWS))
            best = np.full(BLOCK_ROWS, np.inf)
            best_k = np.zeros(BLOCK_ROWS, dtype=np.int64)
            d2 = np.empty(BLOCK_ROWS)
            _load_block(X, start, n, xs)
            for k in range(n_clusters):  # loops over rows of a block vectorise
                _block_sq_dist(xs, n, centres[k], d2)
                for r in range(n):
                    closer = d2[r] < best[r]
                    best[r] = d2[r] if closer else best[r]
                    best_k[r] = k if closer else best_k[r]
            for r in range(n):
                k = best_k[r]
                labels[start + r] = k
                dist[start + r] = best[r]
                counts[b, k] += 1
                for j in range(n_features):
                    sums[b, k, j] += xs[j, r]
        return labels, dist, counts, sums

    @njit(parallel=True, cache=True, nogil=True)
    def _update_closest_numba(X, closest, point, block_sums):  # pragma: no cover - compiled
        n_samples, n_features = X.shape
        n_blocks = block_sums.shape[0]
        for b in prange(n_blocks):
            start = b * BLOCK_ROWS
            n = min(n_samples, start + BLOCK_ROWS) - start
            xs = np.empty((n_features, BLOCK_ROWS))
            d2 = np.empty(BLOCK_ROWS)
            _load_block(X, start, n, xs)
            _block_sq_dist(xs, n, point, d2)
            total = 0.0
            for r in range(n):  # sequential: the order both backends share
                v = min(closest[start + r], d2[r])
                closest[start + r] = v
                total += v
            block_sums[b] = total

    @njit(parallel=True, cache=True, nogil=True)
    def _trial_potentials_numba(X, closest, points):  # pragma: no cover - compiled
        n_samples, n_features = X.shape
        n_trials = points.shape[0]
        n_blocks = (n_samples + BLOCK_ROWS - 1) // BLOCK_ROWS
        partial = np.zeros((n_blocks, n_trials))
        for b in prange(n_blocks):
            start = b * BLOCK_ROWS
            n = min(n_samples, start + BLOCK_ROWS) - start
            xs = np.empty((n_features, BLOCK_ROWS))
            d2 = np.empty((n_trials, BLOCK_ROWS))
            acc = np.zeros(n_trials)
            _load_block(X, start, n, xs)
            for t_ in range(n_trials):
                _block_sq_dist(xs, n, points[t_], d2[t_])
            for r in range(n):  # sequential per trial (the shared order); trials interleave
                c = closest[start + r]
                for t_ in range(n_trials):
                    acc[t_] += min(c, d2[t_, r])
            for t_ in range(n_trials):
                partial[b, t_] = acc[t_]
        pot = np.zeros(n_trials)
        for b in range(n_blocks):  # sequential over blocks, as the numpy path
            for t_ in range(n_trials):
                pot[t_] += partial[b, t_]
        return pot

    @njit(parallel=True, cache=True, nogil=True)
    def _label_stats_numba(X, labels, centres):  # pragma: no cover - compiled
        n_samples, n_features = X.shape
        n_components = centres.shape[0]
        n_parts = (n_samples + _STATS_ROWS - 1) // _STATS_ROWS
        counts = np.zeros((n_parts, n_components))
        first = np.zeros((n_parts, n_components, n_features))
        second = np.zeros((n_parts, n_components, n_features, n_features))
        for p in prange(n_parts):
            diff = np.empty(n_features)
            for i in range(p * _STATS_ROWS, min(n_samples, (p + 1) * _STATS_ROWS)):
                k = labels[i]
                counts[p, k] += 1.0
                for j in range(n_features):
                    diff[j] = X[i, j] - centres[k, j]
                    first[p, k, j] += diff[j]
                for j in range(n_features):
                    dj = diff[j]
                    for m in range(j, n_features):
                        second[p, k, j, m] += dj * diff[m]
        return counts, first, second


# --------------------------------------------------------------------------------------------
# public entry points
# --------------------------------------------------------------------------------------------


@contextmanager
def _launch(n_rows: int) -> Iterator[None]:
    """Hold :data:`KERNEL_LOCK`; one thread for a pass of fewer than PARALLEL_MIN_ROWS rows."""
    with KERNEL_LOCK:
        if n_rows >= PARALLEL_MIN_ROWS:
            yield
            return
        numba = numba_module()
        before = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            yield
        finally:
            numba.set_num_threads(before)


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
        with _launch(X.shape[0]):
            return _assign_numba(X, np.ascontiguousarray(centres))
    return assign_numpy(X, centres)


def lloyd_pass(
    X: np.ndarray, centres: np.ndarray, backend: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One Lloyd step in one pass: nearest centres and the per-cluster sums of the points.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    centres : ndarray of shape (K, d)
    backend : {'numba', 'numpy'} or None

    Returns
    -------
    labels : ndarray of shape (N,), int64
    dist : ndarray of shape (N,)
        Squared distance to the chosen centre.
    counts : ndarray of shape (K,), int64
    sums : ndarray of shape (K, d)
        ``Σ xᵢ`` over each cluster (the numpy path adds in index order, the compiled one
        per block then over blocks: equal to rounding).
    """
    n_clusters = centres.shape[0]
    if resolve_backend(backend) == "numba":
        with _launch(X.shape[0]):
            labels, dist, counts, sums = _lloyd_pass_numba(X, np.ascontiguousarray(centres))
        return labels, dist, counts.sum(axis=0), sums.sum(axis=0)
    labels, dist = assign_numpy(X, centres)
    counts = np.bincount(labels, minlength=n_clusters)
    sums = np.stack([np.bincount(labels, X[:, j], n_clusters) for j in range(X.shape[1])], 1)
    return labels, dist, counts, sums


def update_closest(
    X: np.ndarray, closest: np.ndarray | None, point: np.ndarray, backend: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Running minimum squared distances after adding ``point`` as a centre.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    closest : ndarray of shape (N,) or None
        Updated in place (the compiled path) or replaced; None: the first centre.
    point : ndarray of shape (d,)
    backend : {'numba', 'numpy'} or None

    Returns
    -------
    closest : ndarray of shape (N,)
    block_sums : ndarray of shape (ceil(N / BLOCK_ROWS),)
        Sequential sums of ``closest`` over blocks of ``BLOCK_ROWS`` rows (identical in both
        backends).
    """
    point = np.ascontiguousarray(point, dtype=np.float64)
    if resolve_backend(backend) == "numba":
        if closest is None:
            closest = np.full(X.shape[0], np.inf)
        block_sums = np.empty(-(-X.shape[0] // BLOCK_ROWS))
        with _launch(X.shape[0]):
            _update_closest_numba(X, closest, point, block_sums)
        return closest, block_sums
    dist = _sq_dist_numpy(X, point)
    closest = dist if closest is None else np.minimum(closest, dist)
    return closest, _block_sums_numpy(closest)


def trial_potentials(
    X: np.ndarray, closest: np.ndarray, points: np.ndarray, backend: str | None = None
) -> np.ndarray:
    """``Σᵢ min(closestᵢ, ‖xᵢ - p‖²)`` for each candidate ``p``, in one pass over ``X``.

    Summed sequentially within blocks of ``BLOCK_ROWS``, then over blocks: identical in both
    backends.

    Returns
    -------
    potentials : ndarray of shape (len(points),)
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    if resolve_backend(backend) == "numba":
        with _launch(X.shape[0]):
            return _trial_potentials_numba(X, closest, points)
    out = np.empty(points.shape[0])
    for t, point in enumerate(points):
        block = _block_sums_numpy(np.minimum(closest, _sq_dist_numpy(X, point)))
        out[t] = np.cumsum(block)[-1]
    return out


def label_stats(
    X: np.ndarray, labels: np.ndarray, centres: np.ndarray, backend: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts and moments of each label's points, around that label's centre, in one pass.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    labels : ndarray of shape (N,), int64 in ``0..K-1``
    centres : ndarray of shape (K, d)
        The shift of each label's sums (any point near its points keeps every digit).
    backend : {'numba', 'numpy'} or None

    Returns
    -------
    counts : ndarray of shape (K,), float64
    first : ndarray of shape (K, d)
        ``Σ_{i: labelᵢ = k} (xᵢ - cₖ)``.
    second : ndarray of shape (K, d, d)
        ``Σ_{i: labelᵢ = k} (xᵢ - cₖ)(xᵢ - cₖ)ᵀ``, symmetric.
    """
    centres = np.ascontiguousarray(centres, dtype=np.float64)
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    if resolve_backend(backend) == "numpy":
        return _label_stats_numpy(X, labels, centres)
    with _launch(X.shape[0]):
        counts, first, second = _label_stats_numba(X, labels, centres)
    second = second.sum(axis=0)
    upper = np.triu_indices(centres.shape[1], 1)
    for s in second:
        s[upper[1], upper[0]] = s[upper]
    return counts.sum(axis=0), first.sum(axis=0), second


@register_warm_up
def _warm_up() -> None:
    X = np.random.default_rng(0).normal(size=(64, 2))
    assign(X, X[:3], "numba")
    labels = lloyd_pass(X, X[:3], "numba")[0]
    closest, _ = update_closest(X, None, X[0], "numba")
    trial_potentials(X, closest, X[1:3], "numba")
    label_stats(X, labels, X[:3], "numba")
