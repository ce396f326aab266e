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

from gmmviz.core._kernels.kmeans import assign as _assign
from gmmviz.core.em import MixtureParams, as_data, params_from_responsibilities
from gmmviz.core.gaussian import (
    check_covariance_type,
    covariance_shape,
    covariances_from_precision_cholesky,
    precision_cholesky_from_precisions,
)

INIT_METHODS: tuple[str, ...] = ("kmeans", "k-means++", "random", "random_from_data")


def _check_weights(weights, n_components: int) -> np.ndarray:
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (n_components,):
        raise ValueError(f"weights_init must have shape ({n_components},); got {weights.shape}")
    if not np.all(np.isfinite(weights)) or weights.min() < 0.0 or weights.max() > 1.0:
        raise ValueError(
            "weights_init must be in the range [0, 1]; "
            f"got min {weights.min():.5f}, max {weights.max():.5f}"
        )
    if not np.allclose(np.abs(1.0 - weights.sum()), 0.0):
        raise ValueError(f"weights_init must sum to 1; got {weights.sum():.5f}")
    return weights


def _check_means(means, n_components: int, n_features: int) -> np.ndarray:
    means = np.asarray(means, dtype=np.float64)
    if means.shape != (n_components, n_features):
        raise ValueError(
            f"means_init must have shape ({n_components}, {n_features}); got {means.shape}"
        )
    if not np.all(np.isfinite(means)):
        raise ValueError("means_init contains NaN or infinite values")
    return means


def _check_precisions(precisions, covariance_type: str, n_components: int, n_features: int):
    precisions = np.asarray(precisions, dtype=np.float64)
    expected = covariance_shape(covariance_type, n_components, n_features)
    if precisions.shape != expected:
        raise ValueError(
            f"precisions_init for covariance_type={covariance_type!r} must have shape "
            f"{expected}; got {precisions.shape}"
        )
    if not np.all(np.isfinite(precisions)):
        raise ValueError("precisions_init contains NaN or infinite values")
    if covariance_type in ("full", "tied"):
        stack = precisions if covariance_type == "full" else precisions[None]
        for k, prec in enumerate(stack):
            if not np.allclose(prec, prec.T) or np.linalg.eigvalsh(prec).min() <= 0.0:
                where = f" (component {k})" if covariance_type == "full" else ""
                raise ValueError(f"precisions_init{where} must be symmetric and positive definite")
    elif np.any(precisions <= 0.0):
        raise ValueError(f"precisions_init ({covariance_type}) must be positive")
    return precisions


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
    X: np.ndarray,
    n_components: int,
    init_params: str,
    random_state: np.random.RandomState,
    backend: str | None = None,
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
        resp[
            np.arange(n_samples), kmeans_labels(X, n_components, random_state, backend=backend)
        ] = 1.0
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


def _check_n_components(n_components, n_samples: int) -> int:
    k = n_components
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"n_components must be an integer >= 1; got {k!r}")
    if n_samples < k:
        raise ValueError(
            f"Expected n_samples >= n_components but got n_components = {k}, "
            f"n_samples = {n_samples}"
        )
    return int(k)


def initialise(
    X,
    n_components: int,
    *,
    covariance_type: str = "full",
    init_params: str = "kmeans",
    reg_covar: float = 1e-6,
    random_state=None,
    weights_init=None,
    means_init=None,
    precisions_init=None,
    backend: str | None = None,
) -> MixtureParams:
    """Starting parameters for EM, as scikit-learn's ``GaussianMixture._initialize`` makes them.

    Responsibilities from ``init_params`` (always drawn, so that ``random_state`` is consumed
    as scikit-learn consumes it, even when every ``*_init`` is given), one M-step on them,
    then ``weights_init`` / ``means_init`` / ``precisions_init`` replace what they name.

    Parameters
    ----------
    X : array-like of shape (N, d)
        At least two rows and ``N >= n_components``.
    n_components : int
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}
    reg_covar : float
    random_state : None, int or RandomState
    weights_init : array-like of shape (K,), optional
    means_init : array-like of shape (K, d), optional
    precisions_init : array-like, optional
        Shape as the covariances of ``covariance_type``.
    backend : {'numba', 'numpy'} or None
        For the k-means assignment.

    Returns
    -------
    MixtureParams

    Raises
    ------
    ValueError
        Bad data (NaN, K > N, ...) or options, with a message naming the problem.
    """
    X = as_data(X, min_samples=2)
    n_samples, n_features = X.shape
    k = _check_n_components(n_components, n_samples)
    check_covariance_type(covariance_type)
    if init_params not in INIT_METHODS:
        raise ValueError(
            f"init_params must be one of {', '.join(INIT_METHODS)}; got {init_params!r}"
        )
    # Checked once, before any draw: a bad *_init fails fast and consumes no randomness.
    weights = None if weights_init is None else _check_weights(weights_init, k)
    means = None if means_init is None else _check_means(means_init, k, n_features)
    precisions = (
        None
        if precisions_init is None
        else _check_precisions(precisions_init, covariance_type, k, n_features)
    )
    resp = initial_responsibilities(X, k, init_params, check_random_state(random_state), backend)
    resp_weights, resp_means, covariances = params_from_responsibilities(
        X, resp, covariance_type, reg_covar
    )
    weights = resp_weights if weights is None else weights
    means = resp_means if means is None else means
    if precisions is None:
        return MixtureParams.from_covariances(weights, means, covariances, covariance_type)
    prec_chol = precision_cholesky_from_precisions(precisions, covariance_type)
    covariances = covariances_from_precision_cholesky(prec_chol, covariance_type)
    return MixtureParams.from_covariances(weights, means, covariances, covariance_type, prec_chol)


def initial_params(
    X,
    n_components: int,
    covariance_type: str = "full",
    init_params: str = "kmeans",
    reg_covar: float = 1e-6,
    random_state=None,
) -> MixtureParams:
    """Deprecated spelling of :func:`gmmviz.core.init.initialise` (kept for old callers)."""
    return initialise(
        X,
        n_components,
        covariance_type=covariance_type,
        init_params=init_params,
        reg_covar=reg_covar,
        random_state=random_state,
    )
