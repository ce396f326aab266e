"""Pure functions of the core: sample(params, n, rng) and Projection."""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz.core import GaussianMixture
from gmmviz.core.datasets import make_dataset
from gmmviz.core.projection import Projection
from gmmviz.core.sampling import sample

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sample_draws_as_scikit_learn(covariance_type):
    sk = pytest.importorskip("sklearn.mixture")
    X, _ = make_dataset("blobs", n_samples=300, seed=1)
    ours = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    theirs = sk.GaussianMixture(3, covariance_type=covariance_type, random_state=5)
    theirs.fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        setattr(theirs, name, getattr(ours, name))
    Xs, ys = sample(ours.params_, 500, np.random.RandomState(5))
    Xk, yk = theirs.sample(500)
    np.testing.assert_array_equal(Xs, Xk)
    np.testing.assert_array_equal(ys, yk)
    ours.random_state = 5
    Xm, ym = ours.sample(500)
    np.testing.assert_array_equal(Xm, Xs)
    np.testing.assert_array_equal(ym, ys)


def test_sample_rejects_bad_counts():
    X, _ = make_dataset("blobs", n_samples=100, seed=1)
    params = GaussianMixture(2, random_state=0).fit(X).params_
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1"):
        sample(params, 0, np.random.RandomState(0))


def test_features_projection_of_two_features_is_the_identity():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    p = Projection.features(2, 0, 1)
    np.testing.assert_array_equal(p.points(X), X)
    covs = np.array([[[2.0, 0.3], [0.3, 1.0]]])
    np.testing.assert_array_equal(p.covariances(covs), covs)
    assert p.names == ("x1", "x2")
    assert not p.W.flags.writeable


def test_features_projection_picks_columns():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 5))
    p = Projection.features(5, 3, 1, names=("a", "b"))
    np.testing.assert_array_equal(p.points(X), X[:, [3, 1]])
    cov = np.cov(X.T)[None]
    np.testing.assert_allclose(p.covariances(cov)[0], cov[0][np.ix_([3, 1], [3, 1])])
    with pytest.raises(ValueError):
        Projection.features(5, 2, 2)


def test_pca_projection_is_centred_orthonormal_and_ordered():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 4)) * [5.0, 2.0, 0.5, 0.1] + 10.0
    p = Projection.pca(X)
    np.testing.assert_allclose(p.W.T @ p.W, np.eye(2), atol=1e-12)
    Y = p.points(X)
    np.testing.assert_allclose(Y.mean(axis=0), 0.0, atol=1e-9)
    var = Y.var(axis=0)
    assert var[0] > var[1] > np.var(X[:, 2])
    # the projected covariance of the data is the covariance of the projected data
    np.testing.assert_allclose(p.covariances(np.cov(X.T)[None])[0], np.cov(Y.T), atol=1e-9)
    np.testing.assert_allclose(p.means(X.mean(axis=0)[None]), [[0.0, 0.0]], atol=1e-9)


def test_lift_moves_the_mean_in_the_plane_only():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 5))
    for p in (Projection.features(5, 1, 4), Projection.pca(X)):
        base = rng.normal(size=5)
        target = np.array([0.7, -1.2])
        lifted = p.lift(target, base)
        np.testing.assert_allclose(p.points(lifted), target, atol=1e-12)
        # nothing moves orthogonal to the plane
        residual = (lifted - base) - p.W @ (p.W.T @ (lifted - base))
        np.testing.assert_allclose(residual, 0.0, atol=1e-12)
