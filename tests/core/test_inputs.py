"""Bad input gets a ValueError that names the problem; degenerate data never crashes."""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz import GaussianMixture
from gmmviz.core import NotFittedError, initial_params

pytestmark = pytest.mark.filterwarnings("ignore::gmmviz.core.ConvergenceWarning")

X_GOOD = np.random.default_rng(0).normal(size=(50, 2))


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.zeros((0, 2)), r"0 sample\(s\).*minimum of 2"),
        (np.zeros(10), "must be 2-D"),
        (np.zeros((2, 3, 4)), "must be 2-D"),
        (np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 5.0]]), "NaN or infinite values in 1 row"),
        (np.array([[1.0, np.inf], [2.0, -np.inf], [4.0, 5.0]]), "in 2 row"),
        ([["a", "b"], ["c", "d"]], "numeric"),
        (np.zeros((1, 2)), r"1 sample\(s\).*minimum of 2"),
    ],
)
def test_bad_data_is_named(X, message):
    with pytest.raises(ValueError, match=message):
        GaussianMixture(1).fit(X)


def test_more_components_than_samples():
    with pytest.raises(
        ValueError, match=r"n_samples >= n_components.*n_components = 5, n_samples = 3"
    ):
        GaussianMixture(5).fit(X_GOOD[:3])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"n_components": 0},
            r"'n_components' parameter of GaussianMixture must be an int in the range \[1, inf\)",
        ),
        ({"n_components": 2.5}, r"'n_components' parameter .* Got 2.5 instead"),
        (
            {"covariance_type": "banana"},
            r"'covariance_type' parameter of GaussianMixture must be a str among",
        ),
        (
            {"init_params": "nearest"},
            r"'init_params' parameter of GaussianMixture must be a str among",
        ),
        (
            {"reg_covar": -1e-3},
            r"'reg_covar' parameter .* must be a float in the range \[0.0, inf\)",
        ),
        ({"tol": -1.0}, r"'tol' parameter .* must be a float"),
        ({"max_iter": -1}, r"'max_iter' parameter .* must be an int in the range \[0, inf\)"),
        ({"n_init": 0}, r"'n_init' parameter .* must be an int in the range \[1, inf\)"),
        (
            {"weights_init": [0.5, 0.6]},
            r"'weights' should be normalized, but got sum\(weights\) = 1.10000",
        ),
        ({"weights_init": [1.0]}, r"'weights' should have the shape of \(2,\), but got \(1,\)"),
        ({"means_init": np.zeros((3, 2))}, r"'means' should have the shape of \(2, 2\)"),
        (
            {"precisions_init": np.ones((2, 3, 3))},
            r"'full precision' should have the shape of \(2, 2, 2\)",
        ),
        (
            {"precisions_init": np.array([[[1.0, 2.0], [2.0, 1.0]]] * 2)},
            "should be symmetric, positive-definite",
        ),
        ({"precisions_init": np.array([[[1.0, 0.5], [0.0, 1.0]]] * 2)}, "should be symmetric"),
        (
            {"covariance_type": "diag", "precisions_init": -np.ones((2, 2))},
            "'diag precision' should be positive",
        ),
        ({"covariance_type": "spherical", "precisions_init": np.ones(3)}, r"shape of \(2,\)"),
    ],
)
def test_bad_options_are_named(kwargs, message):
    kwargs = {"n_components": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        GaussianMixture(**kwargs).fit(X_GOOD)


def test_unknown_parameter_in_set_params():
    with pytest.raises(ValueError, match="Invalid parameter 'n_clusters'"):
        GaussianMixture().set_params(n_clusters=3)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score", "score_samples", "bic"])
def test_using_before_fit(method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(GaussianMixture(2), method)(X_GOOD)
    with pytest.raises(NotFittedError):
        GaussianMixture(2).sample(3)


def test_wrong_feature_count_after_fit():
    model = GaussianMixture(2, random_state=0).fit(X_GOOD)
    with pytest.raises(
        ValueError, match=r"X has 3 features, but GaussianMixture is expecting 2 features as input"
    ):
        model.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="Invalid value for 'n_samples'"):
        model.sample(0)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_duplicate_points_are_regularised(covariance_type):
    """Identical points: reg_covar keeps every covariance positive definite, as scikit-learn."""
    X = np.repeat([[1.0, 2.0], [1.0, 2.0], [3.0, -1.0]], 20, axis=0)
    model = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    assert np.all(np.isfinite(model.means_))
    assert np.all(np.isfinite(model.score_samples(X)))


def test_collapse_without_regularisation_says_what_to_change():
    X = np.repeat([[0.0, 0.0], [5.0, 5.0]], 10, axis=0)
    with pytest.raises(ValueError, match=r"ill-defined empirical covariance.*increase reg_covar"):
        GaussianMixture(2, reg_covar=0.0, random_state=0).fit(X)


def test_initial_params_validates_too():
    with pytest.raises(ValueError, match="n_samples >= n_components"):
        initial_params(X_GOOD[:2], 3)
    with pytest.raises(ValueError, match="NaN"):
        initial_params(np.array([[np.nan, 1.0]] * 5), 1)
