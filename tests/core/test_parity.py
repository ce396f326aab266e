"""Parity with scikit-learn's GaussianMixture: same start, same numbers (1e-6 relative)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from gmmviz import GaussianMixture
from gmmviz.core import ConvergenceWarning

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
RTOL = 1e-6


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def blobs(n_per=200, n_features=2, n_centres=3, seed=0, spread=1.0, offset=0.0):
    rng = np.random.RandomState(seed)
    centres = rng.uniform(-6, 6, size=(n_centres, n_features))
    scales = rng.uniform(0.3, 1.5, size=(n_centres, n_features))
    pairs = zip(centres, scales, strict=True)
    X = np.vstack([c + s * rng.randn(n_per, n_features) for c, s in pairs])
    return offset + spread * X


def explicit_start(X, n_components, covariance_type, seed=0):
    """Weights, means and precisions from a 2-iteration scikit-learn fit (a shared start)."""
    start = SkGaussianMixture(
        n_components,
        covariance_type=covariance_type,
        max_iter=2,
        init_params="random_from_data",
        random_state=seed,
    ).fit(X)
    return {
        "weights_init": start.weights_,
        "means_init": start.means_,
        "precisions_init": start.precisions_,
    }


def assert_close(actual, desired, what, rtol=RTOL, atol=0.0):
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=what)


def assert_same_fit(ours, ref, X, rtol=RTOL, atol=1e-12):
    assert ours.n_iter_ == ref.n_iter_
    assert ours.converged_ == ref.converged_
    for attr in ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_"):
        scale = np.abs(getattr(ref, attr)).max()
        assert_close(getattr(ours, attr), getattr(ref, attr), attr, rtol, atol * scale)
    assert_close(ours.lower_bound_, ref.lower_bound_, "lower_bound_", rtol)
    assert_close(ours.lower_bounds_, ref.lower_bounds_, "lower_bounds_", rtol)
    assert_close(ours.predict_proba(X), ref.predict_proba(X), "predict_proba", rtol, 1e-9)
    assert_close(ours.score_samples(X), ref.score_samples(X), "score_samples", rtol)
    assert_close(ours.score(X), ref.score(X), "score", rtol)
    assert_close(ours.bic(X), ref.bic(X), "bic", rtol)
    assert_close(ours.aic(X), ref.aic(X), "aic", rtol)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_explicit_start_fixed_iterations(covariance_type, backend):
    X = blobs()
    start = explicit_start(X, 3, covariance_type)
    kwargs = dict(covariance_type=covariance_type, tol=0.0, max_iter=25, **start)
    ref = SkGaussianMixture(3, **kwargs).fit(X)
    ours = GaussianMixture(3, backend=backend, **kwargs).fit(X)
    assert_same_fit(ours, ref, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_convergence_semantics_match(covariance_type):
    """With a tol that stops early: the same iteration count, converged flag and lower bound."""
    X = blobs(seed=3)
    kwargs = dict(
        covariance_type=covariance_type, tol=1e-5, init_params="random_from_data", random_state=3
    )
    ref = SkGaussianMixture(3, **kwargs).fit(X)
    ours = GaussianMixture(3, **kwargs).fit(X)
    assert ref.converged_ and ref.n_iter_ > 2
    assert_same_fit(ours, ref, X)


@pytest.mark.parametrize("init_params", ["random", "random_from_data"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_seeded_initialisations_identical_with_n_init(covariance_type, init_params):
    """random and random_from_data draw like scikit-learn; n_init keeps the same best run."""
    X = blobs(n_per=120, seed=5)
    kwargs = dict(
        covariance_type=covariance_type,
        init_params=init_params,
        n_init=3,
        random_state=7,
        max_iter=60,
    )
    ref = SkGaussianMixture(4, **kwargs).fit(X)
    ours = GaussianMixture(4, **kwargs).fit(X)
    assert_same_fit(ours, ref, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_far_from_origin_tiny_spread(covariance_type):
    """Data at 1e5 with spread 1e-3: we keep the digits scikit-learn loses there.

    The reference is scikit-learn on the same data translated to the origin (EM commutes
    with translation), so it does not suffer the cancellation of E[xx] - mu mu.
    """
    offset = np.array([1e5, -3e4])
    X0 = blobs(spread=1e-3, seed=11)
    start = explicit_start(X0, 3, covariance_type, seed=11)
    kwargs = dict(covariance_type=covariance_type, tol=0.0, max_iter=20, reg_covar=1e-12)
    ref = SkGaussianMixture(3, **kwargs, **start).fit(X0)
    far_start = dict(start, means_init=start["means_init"] + offset)
    ours = GaussianMixture(3, **kwargs, **far_start).fit(X0 + offset)
    assert_close(ours.weights_, ref.weights_, "weights")
    assert_close(ours.means_ - offset, ref.means_, "means", atol=1e-6 * 1e-3)
    assert_close(ours.covariances_, ref.covariances_, "covariances")
    assert_close(ours.lower_bound_, ref.lower_bound_, "lower bound")
    assert_close(ours.predict_proba(X0 + offset), ref.predict_proba(X0), "resp", atol=1e-9)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_high_dimensional(covariance_type):
    X = blobs(n_per=150, n_features=20, n_centres=4, seed=2)
    start = explicit_start(X, 4, covariance_type, seed=2)
    kwargs = dict(covariance_type=covariance_type, tol=0.0, max_iter=15, **start)
    assert_same_fit(GaussianMixture(4, **kwargs).fit(X), SkGaussianMixture(4, **kwargs).fit(X), X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sixteen_components_on_the_lectures_moons(covariance_type):
    """The lecture's density-estimation example: K=16 on 200 moons points."""
    from gmmviz.core.datasets import make_dataset

    X, _ = make_dataset("moons", n_samples=200, noise=0.05, seed=0)
    start = explicit_start(X, 16, covariance_type, seed=0)
    kwargs = dict(covariance_type=covariance_type, tol=0.0, max_iter=30, **start)
    ours = GaussianMixture(16, **kwargs).fit(X)
    ref = SkGaussianMixture(16, **kwargs).fit(X)
    assert_same_fit(ours, ref, X, rtol=1e-6, atol=1e-9)


def test_fit_predict_matches_fit_then_predict_and_sklearn():
    X = blobs(seed=4)
    start = explicit_start(X, 3, "full", seed=4)
    labels = GaussianMixture(3, max_iter=5, tol=0.0, **start).fit_predict(X)
    np.testing.assert_array_equal(
        labels, GaussianMixture(3, max_iter=5, tol=0.0, **start).fit(X).predict(X)
    )
    np.testing.assert_array_equal(
        labels, SkGaussianMixture(3, max_iter=5, tol=0.0, **start).fit_predict(X)
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sample_draws_the_same_points(covariance_type):
    X = blobs(seed=8)
    start = explicit_start(X, 3, covariance_type, seed=8)
    kwargs = dict(covariance_type=covariance_type, random_state=3, **start)
    ref = SkGaussianMixture(3, **kwargs).fit(X)
    ours = GaussianMixture(3, **kwargs).fit(X)
    Xs_ref, ys_ref = ref.sample(500)
    Xs, ys = ours.sample(500)
    np.testing.assert_array_equal(ys, ys_ref)
    assert_close(Xs, Xs_ref, "samples", atol=1e-9)


def test_warm_start_continues_like_sklearn():
    X = blobs(seed=9)
    start = explicit_start(X, 3, "full", seed=9)
    kwargs = dict(warm_start=True, max_iter=3, tol=1e-10, **start)
    ref = SkGaussianMixture(3, **kwargs)
    ours = GaussianMixture(3, **kwargs)
    for _ in range(3):
        ref.fit(X)
        ours.fit(X)
        assert_same_fit(ours, ref, X)


def test_max_iter_zero_keeps_the_start():
    X = blobs(seed=1)
    kwargs = dict(covariance_type="diag", max_iter=0, init_params="random", random_state=1)
    ref = SkGaussianMixture(3, **kwargs).fit(X)
    ours = GaussianMixture(3, **kwargs).fit(X)
    assert ours.n_iter_ == 0 and not ours.converged_ and ours.lower_bound_ == -np.inf
    assert_close(ours.means_, ref.means_, "means")
    assert_close(ours.predict_proba(X), ref.predict_proba(X), "resp", atol=1e-12)


def test_get_params_match_sklearn_names():
    ours = set(GaussianMixture().get_params()) - {"backend"}
    assert ours == set(SkGaussianMixture().get_params())


def test_kmeans_start_reaches_the_same_optimum_as_sklearn():
    """Our own k-means init (no scikit-learn) lands where scikit-learn's does on blobs."""
    X = blobs(n_per=300, seed=12)
    ours = GaussianMixture(3, random_state=0).fit(X)
    ref = SkGaussianMixture(3, random_state=0).fit(X)
    assert abs(ours.lower_bound_ - ref.lower_bound_) < 1e-3
    order = np.lexsort(ours.means_.T)
    ref_order = np.lexsort(ref.means_.T)
    np.testing.assert_allclose(ours.means_[order], ref.means_[ref_order], atol=1e-2)
