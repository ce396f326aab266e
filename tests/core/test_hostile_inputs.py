"""The core never lies: hostile inputs are fitted as scikit-learn fits them, or refused clearly."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import sklearn.mixture

from gmmviz import GaussianMixture


def _two_blobs(offset: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(size=(50, 2)), rng.normal(size=(50, 2)) + offset])


def test_two_clusters_1e10_apart_are_fitted_like_scikit_learn() -> None:
    X = _two_blobs(1e10)
    ours = GaussianMixture(2, random_state=0).fit(X)
    ref = sklearn.mixture.GaussianMixture(2, random_state=0).fit(X)
    order = np.argsort(ours.means_[:, 0])
    ref_order = np.argsort(ref.means_[:, 0])
    np.testing.assert_allclose(ours.means_[order], ref.means_[ref_order], rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(ours.covariances_[order], ref.covariances_[ref_order], rtol=1e-6)


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_two_clusters_1e10_apart_diag_and_spherical(covariance_type: str) -> None:
    # scikit-learn 1.9 refuses these ("collapsed samples": its diagonal estimate is
    # E[x²] - μ², every digit lost at 1e10); the spread of each blob is about 1.
    X = _two_blobs(1e10)
    ours = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
    spread = ours.covariances_.reshape(2, -1)
    order = np.argsort(ours.means_[:, 0])
    expected = [X[:50].var(axis=0), X[50:].var(axis=0)]
    for k, blob in zip(order, expected, strict=True):
        target = blob if covariance_type == "diag" else blob.mean(keepdims=True)
        np.testing.assert_allclose(spread[k], target + 1e-6, rtol=1e-9)  # + reg_covar


def test_first_parameters_sum_the_scatter_around_each_components_mean() -> None:
    from gmmviz.core.gaussian import parameters_from_stats, stats_from_responsibilities

    X = _two_blobs(1e10)
    resp = np.zeros((100, 2))
    resp[:50, 0] = resp[50:, 1] = 1.0
    _, means, covariances = parameters_from_stats(stats_from_responsibilities(X, resp), "full", 0.0)
    np.testing.assert_allclose(covariances[0], np.cov(X[:50].T, bias=True), rtol=1e-10)
    np.testing.assert_allclose(covariances[1], np.cov(X[50:].T, bias=True), rtol=1e-6)
    np.testing.assert_allclose(means[1], X[50:].mean(axis=0), rtol=1e-15)


def test_complex_data_is_refused_clearly() -> None:
    X = _two_blobs(5.0) + 1j
    with pytest.raises(ValueError, match="Complex data not supported"):
        GaussianMixture(2).fit(X)
    model = GaussianMixture(2, random_state=0).fit(_two_blobs(5.0))
    with pytest.raises(ValueError, match="Complex data not supported"):
        model.predict(X)


def test_predict_proba_of_a_point_far_from_every_component_is_not_nan() -> None:
    model = GaussianMixture(2, random_state=0).fit(_two_blobs(10.0))
    far = np.array([[1e300, 1e300], [-1e300, 1e300], [1e300, -1e300]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        proba = model.predict_proba(far)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(far), proba.argmax(axis=1))


def test_predict_proba_with_subnormal_covariances_is_not_nan() -> None:
    fitted = GaussianMixture(2, covariance_type="diag", random_state=0).fit(_two_blobs(10.0))
    params = fitted.params_
    from gmmviz.core.em import MixtureParams

    tiny = MixtureParams.from_covariances(
        params.weights, params.means, params.covariances * 1e-310, "diag"
    )
    model = GaussianMixture.from_params(tiny)
    X = np.vstack([params.means, params.means + 1.0, [[3.0, 4.0]]])
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # at a component's own mean, that component takes it all
    np.testing.assert_allclose(proba[[0, 1], [0, 1]], 1.0)


def test_n_components_as_a_string_names_the_parameter() -> None:
    message = "The 'n_components' parameter of GaussianMixture must be an int in the range "
    with pytest.raises(ValueError, match=re.escape(message) + r".*Got '3' instead\."):
        GaussianMixture(n_components="3").fit(_two_blobs(5.0))


def test_warm_start_refit_with_another_number_of_features_is_refused_clearly() -> None:
    model = GaussianMixture(2, warm_start=True, random_state=0).fit(_two_blobs(5.0))
    X3 = np.random.default_rng(1).normal(size=(60, 3))
    with pytest.raises(ValueError, match=r"X has 3 features, but GaussianMixture is expecting 2"):
        model.fit(X3)
    with pytest.raises(ValueError, match="warm_start=False"):
        next(model.iter_fit(X3))
    model.set_params(warm_start=False).fit(X3)
    assert model.means_.shape == (2, 3)
