"""Model selection: fit a grid of (K, covariance type) and compare BIC and AIC.

:func:`iter_sweep` fits one :class:`~gmmviz.core.mixture.GaussianMixture` per grid point and
yields a :class:`SweepPoint` as soon as each fit ends, so that a runner can report progress
and stop between fits; :func:`best` picks the point of lowest BIC (or AIC).

Each point is the estimator's own numbers: ``point.bic`` is exactly
``GaussianMixture(k, covariance_type=t, <same settings>).fit(X).bic(X)``.

>>> points = list(iter_sweep(X, range(1, 7), ["full", "diag"], random_state=0))  # doctest: +SKIP
>>> best(points).k  # doctest: +SKIP
3
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gmmviz.core._sklearn_compat import validate_params
from gmmviz.core.em import MixtureParams, as_data
from gmmviz.core.gaussian import check_covariance_type, n_parameters
from gmmviz.core.init import INIT_METHODS
from gmmviz.core.mixture import ConvergenceWarning, GaussianMixture

__all__ = ["CRITERIA", "SweepPoint", "best", "iter_sweep"]

#: The criteria :func:`best` can minimise (both: lower is better).
CRITERIA: tuple[str, ...] = ("bic", "aic")


@dataclass(frozen=True, eq=False)
class SweepPoint:
    """One fitted model of a sweep and its scores on the data it was fitted to.

    Attributes
    ----------
    k : int
        Number of components.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    bic : float
        Bayesian information criterion, ``-2 N ℓ + p log N`` (lower is better).
    aic : float
        Akaike information criterion, ``-2 N ℓ + 2 p`` (lower is better).
    log_likelihood : float
        Mean per-point log-likelihood ``ℓ`` of the final parameters (the estimator's
        ``score(X)``).
    n_iter : int
        EM iterations of the kept initialisation.
    converged : bool
        Whether the kept initialisation converged before ``max_iter``.
    params : MixtureParams
        The fitted parameters (weights (k,), means (k, d), covariances).
    n_parameters : int
        Free parameters ``p`` of the model.
    """

    k: int
    covariance_type: str
    bic: float
    aic: float
    log_likelihood: float
    n_iter: int
    converged: bool
    params: MixtureParams
    n_parameters: int

    def criterion(self, name: str) -> float:
        """The value of criterion ``name`` (``'bic'`` or ``'aic'``)."""
        return float(getattr(self, _check_criterion(name)))


def _check_criterion(name: str) -> str:
    if name not in CRITERIA:
        raise ValueError(f"criterion must be one of {', '.join(CRITERIA)}; got {name!r}")
    return name


def _check_k_values(k_values: Iterable[int], n_samples: int) -> list[int]:
    ks = list(k_values)
    if not ks:
        raise ValueError("k_values is empty; give at least one number of components")
    for k in ks:
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise ValueError(f"every K must be an integer >= 1; got {k!r}")
    if len(set(ks)) != len(ks):
        raise ValueError(f"k_values has repeated values: {ks}")
    if max(ks) > n_samples:
        raise ValueError(
            f"K={max(ks)} components but only {n_samples} data points; use K of at most {n_samples}"
        )
    return [int(k) for k in ks]


def _check_covariance_types(covariance_types: Iterable[str] | str) -> list[str]:
    types = [covariance_types] if isinstance(covariance_types, str) else list(covariance_types)
    if not types:
        raise ValueError("covariance_types is empty; give at least one covariance type")
    for name in types:
        check_covariance_type(name)
    if len(set(types)) != len(types):
        raise ValueError(f"covariance_types has repeated values: {types}")
    return types


def _cancel_check(cancel: Any) -> Callable[[], bool]:
    """``cancel`` as a zero-argument predicate (a ``threading.Event`` or a callable)."""
    if cancel is None:
        return lambda: False
    if hasattr(cancel, "is_set"):
        return cancel.is_set
    if callable(cancel):
        return cancel
    raise TypeError(f"cancel must be None, a callable or a threading.Event; got {cancel!r}")


def iter_sweep(
    X: Any,
    k_values: Iterable[int],
    covariance_types: Iterable[str] | str = ("full",),
    *,
    n_init: int = 1,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    max_iter: int = 100,
    init_params: str = "kmeans",
    random_state: int | np.random.RandomState | None = None,
    cancel: Any = None,
    backend: str | None = None,
) -> Iterator[SweepPoint]:
    """Fit one mixture per (covariance type, K) and yield its scores as each fit ends.

    The grid is walked covariance type by covariance type, K in the given order within
    each. Every fit is ``GaussianMixture(k, covariance_type=t, n_init=n_init, tol=tol,
    reg_covar=reg_covar, max_iter=max_iter, init_params=init_params,
    random_state=random_state).fit(X)``, so each point's numbers are exactly that
    estimator's. With an int (or None) ``random_state`` each fit starts its own stream from
    that seed; a ``RandomState`` instance is shared and consumed fit after fit.

    Parameters
    ----------
    X : array-like of shape (N, d)
        The data, N >= 2.
    k_values : iterable of int
        Numbers of components, each in 1..N, without repeats.
    covariance_types : str or iterable of str, default=('full',)
        Among ``'full'``, ``'tied'``, ``'diag'``, ``'spherical'``, without repeats.
    n_init, tol, reg_covar, max_iter, init_params, random_state, backend
        As :class:`~gmmviz.core.mixture.GaussianMixture`.
    cancel : threading.Event or callable () -> bool, optional
        Checked before each fit; once set (or true) the generator returns without fitting
        more. A fit already running is not interrupted.

    Yields
    ------
    SweepPoint
        One per fit, ``len(covariance_types) * len(k_values)`` in all unless cancelled.
        A fit that stops at ``max_iter`` does not warn: its point has ``converged=False``.

    Raises
    ------
    ValueError
        Before any fit, for empty, repeated or invalid ``k_values`` or ``covariance_types``,
        a K above N, invalid data or settings. During the sweep, if a fit fails (e.g. a
        covariance that is not positive definite with ``reg_covar=0``); the message names K
        and the covariance type.
    """
    X = as_data(X, min_samples=2)
    n_samples, n_features = X.shape
    ks = _check_k_values(k_values, n_samples)
    types = _check_covariance_types(covariance_types)
    if init_params not in INIT_METHODS:
        raise ValueError(
            f"init_params must be one of {', '.join(INIT_METHODS)}; got {init_params!r}"
        )
    cancelled = _cancel_check(cancel)
    settings = dict(
        n_init=n_init,
        tol=tol,
        reg_covar=reg_covar,
        max_iter=max_iter,
        init_params=init_params,
        random_state=random_state,
        backend=backend,
    )
    # Settings errors surface before the first fit, not after it.
    validate_params(GaussianMixture(ks[0], covariance_type=types[0], **settings))
    for covariance_type in types:
        for k in ks:
            if cancelled():
                return
            model = GaussianMixture(k, covariance_type=covariance_type, **settings)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                try:
                    model.fit(X)
                except ValueError as exc:
                    raise ValueError(f"fit with K={k}, {covariance_type}: {exc}") from exc
            yield SweepPoint(
                k=k,
                covariance_type=covariance_type,
                bic=float(model.bic(X)),
                aic=float(model.aic(X)),
                log_likelihood=model.score(X),
                n_iter=int(model.n_iter_),
                converged=bool(model.converged_),
                params=model.params_,
                n_parameters=n_parameters(covariance_type, k, n_features),
            )


def best(points: Sequence[SweepPoint] | Iterable[SweepPoint], criterion: str = "bic") -> SweepPoint:
    """The point with the lowest ``criterion``.

    Ties go to the earliest point (the smaller K when a sweep lists K in increasing order);
    points whose criterion is NaN are never chosen.

    Parameters
    ----------
    points : iterable of SweepPoint
    criterion : {'bic', 'aic'}, default='bic'

    Returns
    -------
    SweepPoint

    Raises
    ------
    ValueError
        If ``points`` is empty (or every value is NaN) or ``criterion`` is unknown.
    """
    _check_criterion(criterion)
    chosen: SweepPoint | None = None
    for point in points:
        value = point.criterion(criterion)
        if math.isnan(value):
            continue
        if chosen is None or value < chosen.criterion(criterion):
            chosen = point
    if chosen is None:
        raise ValueError(f"no point with a {criterion.upper()} to choose from")
    return chosen
