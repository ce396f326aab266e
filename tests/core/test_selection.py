"""Tests of gmmviz.core.selection: iter_sweep's points are the estimator's numbers."""

from __future__ import annotations

import dataclasses
import threading
import warnings

import numpy as np
import pytest

from gmmviz.core import GaussianMixture, SweepPoint, best, iter_sweep
from gmmviz.core.gaussian import n_parameters

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def blobs(n_per: int = 80, seed: int = 0) -> np.ndarray:
    rng = np.random.RandomState(seed)
    centres = np.array([[-5.0, 0.0], [0.0, 4.0], [5.0, 0.0]])
    return np.vstack([c + rng.randn(n_per, 2) * [0.6, 1.0] for c in centres])


def reference(X, k, covariance_type, **settings) -> GaussianMixture:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GaussianMixture(k, covariance_type=covariance_type, **settings).fit(X)


SETTINGS = dict(n_init=2, tol=1e-4, reg_covar=1e-6, max_iter=200, init_params="kmeans")


def test_points_equal_the_estimator_exactly() -> None:
    X = blobs()
    points = list(iter_sweep(X, [1, 2, 3, 4], COVARIANCE_TYPES, random_state=3, **SETTINGS))
    assert [(p.k, p.covariance_type) for p in points] == [
        (k, t) for t in COVARIANCE_TYPES for k in (1, 2, 3, 4)
    ]
    for point in points:
        model = reference(X, point.k, point.covariance_type, random_state=3, **SETTINGS)
        assert point.bic == model.bic(X)
        assert point.aic == model.aic(X)
        assert point.log_likelihood == model.score(X)
        assert point.n_iter == model.n_iter_
        assert point.converged == model.converged_
        assert point.n_parameters == n_parameters(point.covariance_type, point.k, 2)
        np.testing.assert_array_equal(point.params.means, model.means_)
        np.testing.assert_array_equal(point.params.covariances, model.covariances_)
        assert point.params.covariance_type == point.covariance_type


def test_bic_and_aic_formulas() -> None:
    X = blobs()
    (point,) = iter_sweep(X, [3], "diag", random_state=0)
    n = X.shape[0]
    fit_term = -2 * point.log_likelihood * n
    assert point.bic == pytest.approx(fit_term + point.n_parameters * np.log(n), rel=1e-12)
    assert point.aic == pytest.approx(fit_term + 2 * point.n_parameters, rel=1e-12)
    assert point.n_parameters == 3 * 2 + 3 * 2 + 2


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_matches_scikit_learn_with_the_same_seeded_start(covariance_type) -> None:
    """random_from_data draws the start as scikit-learn does: same start, same criteria."""
    mixture = pytest.importorskip("sklearn.mixture")
    X = blobs(seed=2)
    settings = dict(tol=1e-5, max_iter=300, init_params="random_from_data", random_state=5)
    for point in iter_sweep(X, [1, 2, 3, 5], [covariance_type], n_init=2, **settings):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = mixture.GaussianMixture(
                point.k, covariance_type=covariance_type, n_init=2, **settings
            ).fit(X)
        np.testing.assert_allclose(point.bic, ref.bic(X), rtol=1e-6)
        np.testing.assert_allclose(point.aic, ref.aic(X), rtol=1e-6)
        np.testing.assert_allclose(point.log_likelihood, ref.score(X), rtol=1e-6)
        assert point.n_iter == ref.n_iter_
        assert point.n_parameters == ref._n_parameters()


def test_best_picks_the_true_number_of_clusters() -> None:
    X = blobs(n_per=150)
    points = list(iter_sweep(X, range(1, 7), ["full", "diag"], random_state=0))
    chosen = best(points)
    assert chosen.k == 3
    assert chosen.bic == min(p.bic for p in points)
    assert best(points, "aic").aic == min(p.aic for p in points)


def test_best_ties_nan_and_errors() -> None:
    X = blobs()
    (a,) = iter_sweep(X, [2], "full", random_state=0)
    b = dataclasses.replace(a, k=5)
    assert best([a, b]) is a  # a tie goes to the first point
    nan = dataclasses.replace(a, bic=float("nan"))
    assert best([nan, b]) is b
    with pytest.raises(ValueError, match="criterion must be one of bic, aic"):
        best([a], "loglik")
    with pytest.raises(ValueError, match="no point"):
        best([])


def test_points_are_frozen() -> None:
    (point,) = iter_sweep(blobs(), [2], "full", random_state=0)
    assert isinstance(point, SweepPoint)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.k = 3  # type: ignore[misc]
    assert not point.params.means.flags.writeable


def test_generator_is_lazy_and_can_be_stopped() -> None:
    X = blobs()
    sweep = iter_sweep(X, [1, 2, 3], ["full", "tied"], random_state=0)
    first = next(sweep)
    assert (first.k, first.covariance_type) == (1, "full")
    sweep.close()


@pytest.mark.parametrize("kind", ["event", "callable"])
def test_cancel_stops_between_fits(kind) -> None:
    X = blobs()
    event = threading.Event()
    cancel = event if kind == "event" else event.is_set
    seen = []
    for point in iter_sweep(X, [1, 2, 3, 4], "full", random_state=0, cancel=cancel):
        seen.append(point.k)
        if point.k == 2:
            event.set()
    assert seen == [1, 2]
    event.clear()
    event.set()
    assert list(iter_sweep(X, [1, 2], "full", cancel=cancel)) == []


def test_does_not_warn_when_a_fit_does_not_converge() -> None:
    X = blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (point,) = iter_sweep(X, [3], "full", max_iter=1, tol=0.0, random_state=0)
    assert point.converged is False and point.n_iter == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(k_values=[]), "k_values is empty"),
        (dict(k_values=[0, 1]), "every K must be an integer >= 1; got 0"),
        (dict(k_values=[2.5]), "every K must be an integer"),
        (dict(k_values=[2, 2]), "repeated"),
        (dict(k_values=[241]), "K=241 components but only 240 data points"),
        (dict(covariance_types=[]), "covariance_types is empty"),
        (dict(covariance_types=["full", "bogus"]), "covariance_type must be one of"),
        (dict(covariance_types=["full", "full"]), "repeated"),
        (dict(init_params="nope"), "init_params must be one of"),
        (dict(n_init=0), r"'n_init' parameter .* must be an int in the range \[1, inf\)"),
        (dict(tol=-1.0), r"'tol' parameter .* must be a float"),
    ],
)
def test_bad_arguments_fail_before_any_fit(kwargs, message) -> None:
    arguments = {"k_values": [1, 2], "covariance_types": ["full"], **kwargs}
    sweep = iter_sweep(blobs(), **arguments)
    with pytest.raises(ValueError, match=message):
        next(sweep)


def test_bad_cancel_type() -> None:
    with pytest.raises(TypeError, match="cancel must be"):
        next(iter_sweep(blobs(), [1], "full", cancel=3))
