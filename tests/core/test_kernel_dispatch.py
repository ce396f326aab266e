"""The E-step kernel chosen per covariance type: the rule, and the same numbers either way.

diag and spherical run the diagonal kernel (``d`` terms) under numba at every shape; full
and tied run the general one. Both are held to the numpy reference and to scikit-learn at
the corners of the benchmark sweep (d up to 32, K up to 64).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture
from test_parity import assert_same_fit, explicit_start

from gmmviz import GaussianMixture
from gmmviz.core import ConvergenceWarning
from gmmviz.core import backend as core_backend
from gmmviz.core._kernels import dispatch, estep
from gmmviz.core.em import MixtureParams

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
needs_numba = pytest.mark.skipif(core_backend.numba is None, reason="numba not installed")


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def blobs(n_samples: int, n_features: int, n_centres: int, seed: int = 0) -> np.ndarray:
    """Axis-aligned blobs of varied spreads; shape (n_samples, n_features)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_centres, n_samples)
    centres = rng.uniform(-8, 8, (n_centres, n_features))
    scales = rng.uniform(0.3, 1.5, (n_centres, n_features))
    return centres[labels] + rng.normal(size=(n_samples, n_features)) * scales[labels]


def random_params(
    n_components: int, n_features: int, covariance_type: str, seed: int = 0
) -> MixtureParams:
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.5, 1.5, n_components)
    weights /= weights.sum()
    means = rng.uniform(-8, 8, (n_components, n_features))
    if covariance_type == "diag":
        covariances = rng.uniform(0.2, 3.0, (n_components, n_features))
    elif covariance_type == "spherical":
        covariances = rng.uniform(0.2, 3.0, n_components)
    else:
        a = rng.normal(size=(n_components, n_features, n_features))
        covariances = a @ np.swapaxes(a, 1, 2) + n_features * np.eye(n_features)
        if covariance_type == "tied":
            covariances = covariances[0]
    return MixtureParams.from_covariances(weights, means, covariances, covariance_type)


@needs_numba
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_the_rule(covariance_type):
    diagonal = covariance_type in ("diag", "spherical")
    assert dispatch.uses_diag_kernel(covariance_type, "numba") is diagonal
    assert not dispatch.uses_diag_kernel(covariance_type, "numpy")
    assert not dispatch.uses_diag_kernel(None, "numba")


@needs_numba
@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
@pytest.mark.parametrize(("n_features", "n_components"), [(1, 1), (2, 3), (7, 5), (32, 64)])
def test_diag_kernel_equals_the_numpy_reference(covariance_type, n_features, n_components):
    X = blobs(3_000, n_features, n_components, seed=n_features)
    params = random_params(n_components, n_features, covariance_type, seed=n_components)
    means, prec, log_norm = params.kernel_inputs()
    got = dispatch.estep_stats(X, means, prec, log_norm, "numba", covariance_type)
    want = estep.estep_stats(X, means, prec, log_norm, "numpy")
    assert math.isclose(got[0], want[0], rel_tol=1e-11)
    diagonal = np.eye(n_features, dtype=bool)
    for name, a, b in (("resp_sum", got[1], want[1]), ("first", got[2], want[2])):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(b).max(), err_msg=name)
    # the diag and spherical M-steps read the diagonal only, and only it is computed
    want_diagonal = want[3][:, diagonal]
    np.testing.assert_allclose(
        got[3][:, diagonal], want_diagonal, rtol=1e-9, atol=1e-9 * np.abs(want_diagonal).max()
    )
    assert not got[3][:, ~diagonal].any()
    np.testing.assert_allclose(
        dispatch.weighted_log_prob(X, means, prec, log_norm, "numba", covariance_type),
        estep.weighted_log_prob(X, means, prec, log_norm, "numpy"),
        rtol=1e-12,
    )


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(("n_features", "n_components"), [(1, 1), (1, 64), (32, 1), (32, 16)])
def test_sweep_corners_match_sklearn(covariance_type, n_features, n_components, backend):
    """Same start, fixed iterations: scikit-learn's numbers at the corners of the sweep."""
    X = blobs(150 * n_components + 400, n_features, n_components, seed=3)
    start = explicit_start(X, n_components, covariance_type, seed=3)
    kwargs = dict(covariance_type=covariance_type, tol=0.0, max_iter=8, **start)
    ref = SkGaussianMixture(n_components, **kwargs).fit(X)
    ours = GaussianMixture(n_components, backend=backend, **kwargs).fit(X)
    assert_same_fit(ours, ref, X)
