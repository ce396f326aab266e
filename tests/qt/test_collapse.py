"""Collapse and empty components: detected, drawn distinctly, explained, fixed in one click."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gmmviz.app.presets import PRESETS
from gmmviz.app.runs import em_run, generate_source
from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.core.diagnostics import collapsed_components, empty_components
from gmmviz.scene.ellipses import FLAGGED


def test_k16_on_20_points_is_a_collapse_and_the_fix_repairs_it(qtbot, window, load):
    load(window, DatasetSpec("moons", 20, None, 0), n_components=16, reg_covar=1e-12)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    assert "collapsed" in window.em_panel.badge.text()
    assert "without bound" in window.status_text and "reg_covar" in window.status_text
    qtbot.waitUntil(
        lambda: window.canvas.shown_display.iteration == window.state.run.latest.iteration,
        timeout=5000,
    )
    layer = window.canvas.shown_display.model
    assert layer.collapsed and FLAGGED in set(map(tuple, window.canvas.means.colours))
    assert "collapsed" in window.canvas.title
    assert window.act("fix").isEnabled()
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.act("fix").trigger()  # one click: reg_covar raised, EM runs again
    assert window.state.model.reg_covar > 1e-4
    assert "collapsed" not in window.em_panel.badge.text()


@pytest.mark.parametrize("name", list(PRESETS))
def test_no_lecture_preset_is_flagged(name):
    p = PRESETS[name]
    source = generate_source(p.dataset)
    last = list(em_run(source.X, p.model))[-1]
    assert collapsed_components(last.params, source.variance) == []
    assert empty_components(last.params, source.n_samples) == []


def test_an_empty_component_is_flagged():
    source = generate_source(DatasetSpec("blobs", 300, 1.0, 0))
    last = list(em_run(source.X, ModelSettings(3)))[-1]
    from gmmviz.core.em import MixtureParams

    p = last.params
    weights = p.weights.copy()
    weights[1] = 1e-9
    weights /= weights.sum()
    starved = MixtureParams.from_covariances(weights, p.means, p.covariances, p.covariance_type)
    assert empty_components(starved, 300) == [1]


def test_features_of_very_different_scales_are_not_a_collapse():
    """wine: proline in the hundreds, hue near 1; a fit of K=3 is not degenerate (a mean
    variance as the scale flagged all three components)."""
    datasets = pytest.importorskip("sklearn.datasets")
    from gmmviz.app.state import DataSource

    X, y = datasets.load_wine(return_X_y=True)
    source = DataSource(X, y, "wine")
    last = list(em_run(X, ModelSettings(3)))[-1]
    assert collapsed_components(last.params, source.variance) == []
