"""Starting parameters for EM: k-means, k-means++ seeds, random, random points.

The starts are those of scikit-learn's ``_initialize_parameters``: responsibilities, then
one M-step. ``random`` and ``random_from_data`` draw from a ``numpy.random.RandomState``
exactly as scikit-learn does, so the same ``random_state`` gives the same start. ``kmeans``
is our own k-means++ seeding followed by Lloyd iterations (:mod:`gmmviz.core.kmeans`, no
scikit-learn at run time), so its start is a k-means optimum but not bit-identical to
scikit-learn's.

:func:`initialise` never builds the (N, K) responsibilities of the hard starts: the first
M-step comes from one pass of per-label sums around each cluster's centre
(:func:`first_parameters`). :func:`initial_responsibilities` still returns them, for
callers that want to look at them (and as the tests' reference).
"""

from __future__ import annotations

import numpy as np

from gmmviz.core._kernels.kmeans import label_stats
from gmmviz.core.em import (
    MixtureParams,
    as_data,
    params_from_responsibilities,
    tied_covariance_around_centre,
)
from gmmviz.core.gaussian import (
    SufficientStats,
    check_covariance_type,
    covariance_shape,
    covariances_from_precision_cholesky,
    parameters_from_stats,
    precision_cholesky_from_precisions,
)
from gmmviz.core.kmeans import kmeans, kmeans_labels, kmeans_plusplus

__all__ = [
    "INIT_METHODS",
    "check_random_state",
    "first_parameters",
    "initial_params",
    "initial_responsibilities",
    "initialise",
    "kmeans_labels",
    "kmeans_plusplus",
]

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
        labels = kmeans_labels(X, n_components, random_state, backend=backend)
        resp[np.arange(n_samples), labels] = 1.0
    elif init_params == "random_from_data":
        indices = random_state.choice(n_samples, size=n_components, replace=False)
        resp[indices, np.arange(n_components)] = 1.0
    elif init_params == "k-means++":
        indices = kmeans_plusplus(X, n_components, random_state, backend)
        resp[indices, np.arange(n_components)] = 1.0
    else:
        raise ValueError(
            f"init_params must be one of {', '.join(INIT_METHODS)}; got {init_params!r}"
        )
    return resp


def first_parameters(
    X: np.ndarray,
    n_components: int,
    init_params: str,
    random_state: np.random.RandomState,
    covariance_type: str,
    reg_covar: float,
    backend: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first M-step on the responsibilities of ``init_params``, without building them.

    Equal to ``params_from_responsibilities(X, initial_responsibilities(...))`` (same draws
    from ``random_state``), but the hard starts never make an (N, K) array: ``kmeans``
    takes one pass of per-label sums around each cluster's own centre (shifted sums, exact
    far from the origin), and the one-point starts of ``k-means++`` and
    ``random_from_data`` need no pass at all. ``random`` keeps its dense draws (scikit-learn
    draws an (N, K) uniform array).

    Returns
    -------
    weights : ndarray of shape (K,)
        ``nₖ / N`` with scikit-learn's ``10 * eps`` in ``nₖ`` (not normalised).
    means : ndarray of shape (K, d)
    covariances : ndarray, shape per ``covariance_type``
    """
    n_samples, n_features = X.shape
    if init_params == "random":
        resp = initial_responsibilities(X, n_components, init_params, random_state, backend)
        return params_from_responsibilities(X, resp, covariance_type, reg_covar)
    if init_params == "kmeans":
        labels, centres = kmeans(X, n_components, random_state, backend=backend)
        counts, first, second = label_stats(X, labels, centres, backend)
    elif init_params in ("random_from_data", "k-means++"):
        if init_params == "random_from_data":
            indices = random_state.choice(n_samples, size=n_components, replace=False)
        else:
            indices = kmeans_plusplus(X, n_components, random_state, backend)
        centres = X[indices]
        counts = np.ones(n_components)
        first = np.zeros((n_components, n_features))
        second = np.zeros((n_components, n_features, n_features))
    else:
        raise ValueError(
            f"init_params must be one of {', '.join(INIT_METHODS)}; got {init_params!r}"
        )
    stats = SufficientStats(n_samples, counts, np.array(centres, dtype=float), first, second)
    _, means, covariances = parameters_from_stats(stats, covariance_type, reg_covar)
    nk = counts + 10 * np.finfo(np.float64).eps
    if covariance_type == "tied" and init_params != "kmeans":
        # Only K rows are marked: scikit-learn's broad tied start (see the helper).
        covariances = tied_covariance_around_centre(X, means, nk, reg_covar)
    return nk / n_samples, means, covariances


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
    resp_weights, resp_means, covariances = first_parameters(
        X, k, init_params, check_random_state(random_state), covariance_type, reg_covar, backend
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
