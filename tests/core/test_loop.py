"""One EM loop: the app's snapshots, half-steps and restarts give exactly fit()'s model."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmmviz.core import GaussianMixture, e_step, iter_em, iter_half_steps, iter_restarts, m_step
from gmmviz.core.datasets import make_dataset
from gmmviz.core.init import initialise

pytestmark = pytest.mark.filterwarnings("ignore::gmmviz.core.ConvergenceWarning")

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def app_steps(X, k, covariance_type, seed=0, **em):
    """What the window runs: initialise, then iter_em (default settings)."""
    initial = initialise(X, k, covariance_type=covariance_type, random_state=seed)
    return list(iter_em(X, initial, **em))


def test_window_run_equals_fit_on_moons_k16():
    """The defect: the window stopped one M-step before fit (found as n_iter 17 vs 18 on the
    earlier, numpy-Generator moons; on the lecture's Xmoon below fit takes 36 iterations)."""
    # The lecture's make_moons(200, noise=.05, random_state=0), point for point.
    X, _ = make_dataset("moons", n_samples=200, noise=0.05, seed=0)
    steps = app_steps(X, 16, "full")
    fit = GaussianMixture(16, random_state=0).fit(X)
    last = steps[-1]
    assert fit.n_iter_ == 36
    assert last.iteration == fit.n_iter_
    assert last.converged and fit.converged_
    np.testing.assert_array_equal(last.means, fit.means_)
    np.testing.assert_array_equal(last.covariances, fit.covariances_)
    np.testing.assert_array_equal(last.weights, fit.weights_)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_model_from_the_apps_snapshots_equals_fit(covariance_type):
    X, _ = make_dataset("moons", n_samples=300, noise=0.05, seed=1)
    steps = app_steps(X, 6, covariance_type, seed=3)
    fit = GaussianMixture(6, covariance_type=covariance_type, random_state=3).fit(X)
    model = GaussianMixture.from_steps(steps)
    assert model.n_iter_ == fit.n_iter_
    assert model.converged_ == fit.converged_
    np.testing.assert_array_equal(model.means_, fit.means_)
    np.testing.assert_array_equal(model.covariances_, fit.covariances_)
    np.testing.assert_array_equal(model.precisions_cholesky_, fit.precisions_cholesky_)
    # lower_bounds_: the log-likelihood of every snapshot but the last, in order
    assert fit.lower_bounds_ == [s.log_likelihood for s in steps[:-1]]
    assert model.lower_bounds_ == fit.lower_bounds_
    assert model.lower_bound_ == fit.lower_bound_ == steps[-2].log_likelihood
    # each snapshot keeps the log-likelihood of its own parameters
    assert steps[-1].log_likelihood == pytest.approx(fit.score(X), rel=1e-12)


def test_converged_flag_is_the_lower_bound_test_one_m_step_late():
    X, _ = make_dataset("blobs", n_samples=500, seed=2)
    steps = app_steps(X, 3, "diag", tol=1e-3)
    assert [s.converged for s in steps].count(True) == 1 and steps[-1].converged
    ll = [s.log_likelihood for s in steps]
    assert abs(ll[-2] - ll[-3]) < 1e-3
    assert all(abs(ll[i] - ll[i - 1]) >= 1e-3 for i in range(1, len(ll) - 2))


def test_max_iter_caps_the_snapshots_like_fit():
    X, _ = make_dataset("varied", n_samples=400, seed=4)
    steps = app_steps(X, 5, "full", tol=0.0, max_iter=7)
    fit = GaussianMixture(5, tol=0.0, max_iter=7, random_state=0).fit(X)
    assert steps[-1].iteration == fit.n_iter_ == 7 and not steps[-1].converged
    np.testing.assert_array_equal(steps[-1].means, fit.means_)
    assert fit.lower_bounds_ == [s.log_likelihood for s in steps[:-1]]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_half_steps_give_exactly_the_full_steps(covariance_type):
    X, _ = make_dataset("anisotropic", n_samples=400, seed=5)
    initial = initialise(X, 4, covariance_type=covariance_type, random_state=1)
    full = list(iter_em(X, initial))
    half = list(iter_half_steps(X, initial))
    assert [s.phase for s in half[:4]] == ["init", "E", "M", "E"]
    m_steps = [s for s in half if s.phase == "M"]
    e_steps = [s for s in half if s.phase == "E"]
    assert len(m_steps) == len(full) - 1 and len(e_steps) == len(full)
    for m, f in zip(m_steps, full[1:], strict=True):
        assert m.iteration == f.iteration and m.converged == f.converged
        np.testing.assert_array_equal(m.means, f.means)
        np.testing.assert_array_equal(m.covariances, f.covariances)
        assert math.isnan(m.log_likelihood)
    for e, f in zip(e_steps, full, strict=True):
        np.testing.assert_array_equal(e.means, f.means)
        assert e.log_likelihood == f.log_likelihood


def test_restarts_are_tagged_and_fit_picks_the_best():
    X, _ = make_dataset("blobs", n_samples=300, seed=6)
    settings = dict(n_components=4, random_state=7, init_params="random_from_data")
    steps = list(
        iter_restarts(
            X,
            settings["n_components"],
            n_init=3,
            random_state=7,
            init_params="random_from_data",
            evaluate_last=False,
        )
    )
    assert sorted({s.restart for s in steps}) == [0, 1, 2]
    assert all(s.seed == 7 for s in steps)
    runs = [[s for s in steps if s.restart == r] for r in range(3)]
    models = [GaussianMixture.from_steps(run) for run in runs]
    fit = GaussianMixture(n_init=3, **settings).fit(X)
    best = max(models, key=lambda m: m.lower_bound_)
    np.testing.assert_array_equal(fit.means_, best.means_)
    assert fit.lower_bounds_ == best.lower_bounds_
    # restart 0 is the n_init=1 fit
    one = GaussianMixture(**settings).fit(X)
    np.testing.assert_array_equal(one.means_, models[0].means_)


def test_from_steps_of_a_paused_run_fills_lower_bounds():
    X, _ = make_dataset("moons", n_samples=200, noise=0.05, seed=0)
    steps = app_steps(X, 8, "full")[:5]
    model = GaussianMixture.from_steps(steps)
    assert model.n_iter_ == 4 and len(model.lower_bounds_) == 4
    fit = GaussianMixture(8, max_iter=4, random_state=0).fit(X)
    np.testing.assert_array_equal(model.means_, fit.means_)
    assert model.lower_bounds_ == fit.lower_bounds_


@given(
    n=st.integers(min_value=5, max_value=400),
    cuts=st.lists(st.floats(min_value=0.0, max_value=1.0), max_size=4),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    backend=st.sampled_from(["numpy", "numba"]),
)
@settings(max_examples=25, deadline=None)
def test_e_step_over_chunks_adds_up_to_one_e_step(n, cuts, covariance_type, backend):
    X = np.random.default_rng(n).normal(size=(n, 2)) * [1.0, 3.0] + 1e3
    params = initialise(X, 3, covariance_type=covariance_type, random_state=0)
    whole = e_step(X, params, backend)
    edges = sorted({0, n, *(int(c * n) for c in cuts)})
    parts = [e_step(X[a:b], params, backend).stats for a, b in itertools.pairwise(edges)]
    total = sum(parts)
    assert total.n == n
    assert total.ll_sum / total.n == pytest.approx(whole.log_likelihood, rel=1e-12)
    np.testing.assert_allclose(total.resp_sum, whole.stats.resp_sum, rtol=1e-12)
    np.testing.assert_allclose(total.first, whole.stats.first, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(total.second, whole.stats.second, rtol=1e-9, atol=1e-9)
    a = m_step(total, covariance_type, 1e-6)
    b = m_step(whole.stats, covariance_type, 1e-6)
    np.testing.assert_allclose(a.means, b.means, rtol=1e-12)
    np.testing.assert_allclose(a.covariances, b.covariances, rtol=1e-9)


def test_stats_around_different_shifts_do_not_add():
    X = np.random.default_rng(0).normal(size=(50, 2))
    p = initialise(X, 2, random_state=0)
    q = initialise(X, 2, random_state=1)
    with pytest.raises(ValueError, match="same shift"):
        e_step(X, p).stats + e_step(X, q).stats


def test_an_m_half_step_names_the_parameters_its_responsibilities_came_from():
    from gmmviz.core import initial_params, iter_em, iter_half_steps
    from gmmviz.core.datasets import DatasetSpec, generate

    X, _ = generate(DatasetSpec("blobs", 300, 1.0, 0))
    start = initial_params(X, 3, random_state=0)
    half = list(iter_half_steps(X, start, max_iter=5))
    for before, m in itertools.pairwise(half):
        if m.phase == "M":
            assert before.phase == "E" and m.resp_params is before.params
    assert all(s.resp_params is None for s in half if s.phase != "M")
    # a full iteration is evaluated by its own E-step: nothing to carry
    assert all(s.resp_params is None for s in iter_em(X, start, max_iter=5))
