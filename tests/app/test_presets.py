"""The lecture's experiments: each preset is the core run with the same settings."""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz.app.presets import PRESETS, apply_preset, preset
from gmmviz.app.runs import draw_samples, em_run, generate_source
from gmmviz.app.state import AppState
from gmmviz.core import GaussianMixture
from gmmviz.core.datasets import generate


def test_every_preset_names_its_cell_and_what_to_look_for():
    assert len(PRESETS) == 8
    for name, p in PRESETS.items():
        assert p.name == name and p.cell.startswith("In [") and p.hint.endswith(".")
    with pytest.raises(ValueError, match="unknown preset 'nope'; choose one of moons-k2"):
        preset("nope")


def test_the_lectures_random_is_random_data_points():
    """GMM_predict_plot(X, T, K, 'random', ...) draws means_init from X."""
    for name in ("blobs-random-diag", "anisotropic-random-diag", "imbalanced-random"):
        assert PRESETS[name].model.init_params == "random_from_data"


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_presets_run_is_the_core_fit_with_its_settings(name):
    p = PRESETS[name]
    state = AppState()
    apply_preset(state, p)
    assert (state.dataset, state.model) == (p.dataset, p.model)
    assert state.view.show_density == p.show_density
    X, _ = generate(p.dataset)
    steps = list(em_run(X, state.model))
    m = p.model
    fit = GaussianMixture(
        m.n_components, covariance_type=m.covariance_type, tol=m.tol, reg_covar=m.reg_covar,
        max_iter=m.max_iter, init_params=m.init_params, random_state=m.seed,
    ).fit(X)  # fmt: skip
    last = steps[-1]
    assert (last.iteration, last.converged) == (fit.n_iter_, fit.converged_)
    np.testing.assert_array_equal(last.params.means, fit.means_)


def test_sampled_points_follow_the_models_moments():
    p = PRESETS["moons-density"]
    source = generate_source(p.dataset)
    last = list(em_run(source.X, p.model))[-1]
    samples = draw_samples(last, 20_000, seed=1)
    assert samples.X.shape == (20_000, 2) and samples.iteration == last.iteration
    w, mu = last.params.weights, last.params.means
    mean = w @ mu
    np.testing.assert_allclose(samples.X.mean(axis=0), mean, atol=0.02)
    cov = sum(
        wk * (ck + np.outer(mk - mean, mk - mean))
        for wk, mk, ck in zip(w, mu, last.params.full_covariances(), strict=True)
    )
    np.testing.assert_allclose(np.cov(samples.X.T), cov, atol=0.02)
    counts = np.bincount(samples.components, minlength=len(w)) / 20_000
    np.testing.assert_allclose(counts, w, atol=0.015)
    # seeded: the same points as the estimator's sample() with that random_state
    again = draw_samples(last, 400, seed=7)
    model = GaussianMixture.from_params(last.params, random_state=7)
    X_ref, y_ref = model.sample(400)
    np.testing.assert_array_equal(again.X, X_ref)
    np.testing.assert_array_equal(again.components, y_ref)
