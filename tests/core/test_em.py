"""The observable EM loop: snapshots, half-steps, properties, kernels, reproducibility."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmmviz import GaussianMixture
from gmmviz.core import backend as core_backend
from gmmviz.core import initial_params
from gmmviz.core._kernels import estep as estep_kernels
from gmmviz.core._kernels import linalg as linalg_kernels
from gmmviz.core.em import EMStep, e_step, iter_em, m_step, responsibilities

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
pytestmark = pytest.mark.filterwarnings("ignore::gmmviz.core.ConvergenceWarning")


def mixture_data(seed: int, n: int = 300, d: int = 2, centres: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, centres, n)
    return (
        rng.uniform(-5, 5, (centres, d))[labels]
        + rng.normal(size=(n, d)) * rng.uniform(0.2, 2.0, (centres, d))[labels]
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_snapshots_are_the_fit_at_each_iteration(covariance_type):
    """Snapshot n holds the parameters fit(max_iter=n) ends with, and their log-likelihood."""
    X = mixture_data(0)
    model = GaussianMixture(
        3,
        covariance_type=covariance_type,
        random_state=1,
        tol=0.0,
        max_iter=6,
        init_params="random_from_data",
    )
    steps = list(model.iter_fit(X))
    assert [s.iteration for s in steps] == list(range(7))
    assert np.isnan(steps[0].change)
    for n in (1, 3, 6):
        fitted = GaussianMixture(
            3,
            covariance_type=covariance_type,
            random_state=1,
            tol=0.0,
            max_iter=n,
            init_params="random_from_data",
        ).fit(X)
        np.testing.assert_allclose(steps[n].means, fitted.means_, rtol=1e-12)
        np.testing.assert_allclose(steps[n].covariances, fitted.covariances_, rtol=1e-12)
        np.testing.assert_allclose(steps[n].log_likelihood, fitted.score(X), rtol=1e-12)
        np.testing.assert_allclose(steps[n - 1].log_likelihood, fitted.lower_bound_, rtol=1e-12)
    for previous, step in itertools.pairwise(steps):
        assert step.change == pytest.approx(step.log_likelihood - previous.log_likelihood)


def test_iter_em_stops_at_convergence_and_max_iter():
    X = mixture_data(1)
    start = initial_params(X, 3, random_state=0)
    steps = list(iter_em(X, start, tol=1e-4, max_iter=500))
    assert steps[-1].converged and not any(s.converged for s in steps[:-1])
    assert abs(steps[-1].change) < 1e-4
    capped = list(iter_em(X, start, tol=0.0, max_iter=4))
    assert len(capped) == 5 and not capped[-1].converged


def test_snapshots_are_immutable():
    X = mixture_data(2)
    step = next(iter_em(X, initial_params(X, 2, random_state=0)))
    assert isinstance(step, EMStep)
    with pytest.raises(ValueError):
        step.means[0, 0] = 1.0
    with pytest.raises(AttributeError):
        step.iteration = 5


def test_stopping_early_leaves_a_usable_model():
    X = mixture_data(3)
    model = GaussianMixture(3, random_state=0, tol=0.0, max_iter=50)
    for step in model.iter_fit(X):
        if step.iteration == 4:
            break
    assert model.n_iter_ == 4 and not model.converged_
    np.testing.assert_array_equal(model.means_, step.means)
    assert model.score(X) == pytest.approx(step.log_likelihood, rel=1e-12)
    assert model.predict(X).shape == (X.shape[0],)


def test_half_steps_compose_to_one_iteration():
    X = mixture_data(4)
    start = initial_params(X, 3, covariance_type="diag", random_state=0)
    steps = list(iter_em(X, start, tol=0.0, max_iter=1))
    half = e_step(X, start)
    assert half.log_likelihood == pytest.approx(steps[0].log_likelihood, rel=1e-14)
    after = m_step(half.stats, "diag", 1e-6)
    np.testing.assert_allclose(after.means, steps[1].means, rtol=1e-14)
    np.testing.assert_allclose(after.covariances, steps[1].covariances, rtol=1e-14)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_components=st.integers(1, 6),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    init=st.sampled_from(["kmeans", "random", "random_from_data", "k-means++"]),
)
def test_log_likelihood_never_decreases(seed, n_components, covariance_type, init):
    X = mixture_data(seed, n=120)
    start = initial_params(X, n_components, covariance_type, init, random_state=seed)
    lls = [s.log_likelihood for s in iter_em(X, start, tol=0.0, max_iter=25)]
    # EM is monotone; allow only floating-point noise relative to the magnitude.
    assert np.all(np.diff(lls) >= -1e-10 * np.maximum(1.0, np.abs(lls[1:])))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), covariance_type=st.sampled_from(COVARIANCE_TYPES))
def test_responsibilities_sum_to_one_and_permutation_invariance(seed, covariance_type):
    X = mixture_data(seed, n=150)
    model = GaussianMixture(3, covariance_type=covariance_type, random_state=seed, max_iter=10)
    model.fit(X)
    resp = model.predict_proba(X)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(resp >= 0)
    perm = np.random.default_rng(seed).permutation(X.shape[0])
    np.testing.assert_array_equal(model.predict(X[perm]), model.predict(X)[perm])
    np.testing.assert_allclose(model.score_samples(X[perm]), model.score_samples(X)[perm])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_numba_and_numpy_backends_agree(covariance_type):
    X = mixture_data(5, n=5000, d=3)
    params = initial_params(X, 4, covariance_type, "random_from_data", random_state=2)
    a = e_step(X, params, backend="numba")
    b = e_step(X, params, backend="numpy")
    assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-13)
    for field in ("resp_sum", "first", "second"):
        np.testing.assert_allclose(
            getattr(a.stats, field), getattr(b.stats, field), rtol=1e-11, atol=1e-9
        )
    np.testing.assert_allclose(
        responsibilities(X, params, "numba"), responsibilities(X, params, "numpy"), atol=1e-13
    )


def test_inline_exp_matches_libm():
    """Compiled with the kernels' fastmath flags, so that a reassociation that merges the
    two halves of ln 2 (and loses digits near -100) would show."""
    if core_backend.numba is None:
        pytest.skip("numba not installed")
    from numba import njit

    @njit(fastmath=estep_kernels.FASTMATH)
    def exp_all(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = estep_kernels.exp_nonpositive(x[i])
        return out

    x = -np.concatenate([np.linspace(0, 2, 20001), np.linspace(2, 99.999, 200001)])
    np.testing.assert_allclose(exp_all(x), np.exp(x), rtol=3e-16, atol=0)
    below = np.array([estep_kernels.EXP_FLOOR, -700.0, -1e6, -np.inf])
    assert exp_all(below).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_same_random_state_same_fit_kmeans():
    X = mixture_data(6, n=400)
    a = GaussianMixture(4, random_state=42).fit(X)
    b = GaussianMixture(4, random_state=42).fit(X)
    np.testing.assert_array_equal(a.means_, b.means_)
    assert a.lower_bound_ == b.lower_bound_


def test_nothing_below_the_qt_layer_imports_qt_at_run_time():
    """import-linter checks the imports statically (./scripts/test); this checks what a
    process actually loads, lazy imports included."""
    code = (
        "import sys, gmmviz, gmmviz.core, gmmviz.io, gmmviz.scene, gmmviz.app.state,"
        " gmmviz.app.runs, gmmviz.app.exports, gmmviz.app.pacing, gmmviz.cli\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6',"
        " 'shiboken6', 'pyqtgraph')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_warm_up_compiles_in_the_background_and_numpy_serves_meanwhile():
    code = (
        "import numpy as np\n"
        "from gmmviz.core import backend\n"
        "from gmmviz import GaussianMixture\n"
        "backend.start_warm_up()\n"
        "X = np.random.default_rng(0).normal(size=(200, 2))\n"
        "first = GaussianMixture(2, random_state=0).fit(X)\n"
        "backend.join_warm_up()\n"
        "assert backend.warm_up_done() and backend.default_backend() == 'numba'\n"
        "second = GaussianMixture(2, random_state=0).fit(X)\n"
        "assert abs(first.lower_bound_ - second.lower_bound_) < 1e-12\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_component_of_weight_zero_gets_no_responsibility(backend):
    """log(0) = -inf flows through the kernels (fastmath must not assume finite values)."""
    from gmmviz.core.em import MixtureParams

    X = mixture_data(7, n=2000)
    params = MixtureParams.from_covariances(
        np.array([0.5, 0.5, 0.0]), X[:3], np.tile(np.eye(2), (3, 1, 1)), "full"
    )
    result = e_step(X, params, backend=backend)
    reference = e_step(X, params, backend="numpy")
    assert np.isfinite(result.log_likelihood)
    assert result.log_likelihood == pytest.approx(reference.log_likelihood, rel=1e-13)
    assert result.stats.resp_sum[2] == 0.0
    resp = responsibilities(X, params, backend=backend)
    assert np.all(resp[:, 2] == 0.0)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-13)


def test_compiled_precision_cholesky_matches_lapack():
    if core_backend.numba is None:
        pytest.skip("numba not installed")
    from scipy import linalg

    rng = np.random.default_rng(3)
    A = rng.normal(size=(6, 7, 7))
    covs = A @ np.swapaxes(A, 1, 2) + 1e-3 * np.eye(7)
    fast = linalg_kernels.precision_cholesky_stack(covs)
    for cov, p in zip(covs, fast, strict=True):
        chol = linalg.cholesky(cov, lower=True)
        ref = linalg.solve_triangular(chol, np.eye(7), lower=True).T
        np.testing.assert_allclose(p, ref, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(p @ p.T @ cov, np.eye(7), atol=1e-8)
    singular = covs.copy()
    singular[2] = np.outer(np.arange(7.0), np.arange(7.0))
    assert linalg_kernels.precision_cholesky_stack(singular) is None
