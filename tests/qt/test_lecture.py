"""The lecture in the window: presets, the start page, density, sampling, saddles."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from gmmviz.app.presets import PRESETS
from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.io import load_data


def test_a_preset_loads_its_data_and_settings_and_runs(qtbot, window):
    p = PRESETS["varied"]
    with qtbot.waitSignal(window.presenter.runEnded, timeout=30000):
        window.presenter.load_preset("varied")
    assert window.state.dataset == p.dataset and window.state.model == p.model
    assert window.model_panel.k.value() == 3  # the panels follow the state
    assert window.state.run.status.value == "converged"
    assert p.hint in window.status_text or "Converged" in window.status_text


def test_the_density_preset_shows_the_density_and_400_samples(qtbot, window, tmp_path):
    window.presenter.load_preset("moons-density")
    qtbot.waitUntil(lambda: window.state.samples is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.canvas.density.shown is not None, timeout=10000)
    assert window.act("show_density").isChecked() and window.canvas.sample_count == 400
    assert window.act("export_samples").isEnabled()
    out = window.presenter.exports.samples(tmp_path / "new.csv")
    X, components = load_data(out)
    np.testing.assert_array_equal(X, window.state.samples.X)
    assert components.min() >= 1 and components.max() <= 16  # numbered from 1
    window.act("show_samples").setChecked(False)
    assert not window.canvas.samples.isVisible()
    window.act("show_density").setChecked(False)
    assert not window.canvas.density.image.isVisible()


def test_the_start_page_lists_every_experiment(qtbot, window):
    page = window.show_start_page()
    assert set(page.buttons) == set(PRESETS)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=30000):
        page.buttons["circles"].click()
    from shiboken6 import isValid

    assert not (isValid(page) and page.isVisible())  # closed (and deleted)
    assert window.state.dataset == PRESETS["circles"].dataset


def test_a_saddle_is_not_called_converged(qtbot, window, load):
    """scikit-learn's 'random' start on symmetric data: every mean at the centre."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    X = np.vstack([X, -X])  # symmetric: the centred start stays put
    from gmmviz.app.state import DataSource

    window.state.set_model(ModelSettings(3, "spherical", "random", seed=0))
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.set_data(DataSource(X, None, "symmetric"), play=True)
    window.state.set_speed(None)
    qtbot.waitUntil(lambda: window.state.run.finished, timeout=20000)
    from gmmviz.core.diagnostics import coinciding_components

    if coinciding_components(window.state.run.latest.params):
        assert "saddle" in window.em_panel.badge.text()
        assert "saddle" in window.status_text and "Try another start" in window.status_text
    # the lecture's blobs with a proper start: converged, not a saddle
    load(window, DatasetSpec("blobs", 1500, 1.0, 0), init_params="random_from_data")
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    assert "converged" in window.em_panel.badge.text()


def test_the_memberships_window_follows_the_run_and_exports(qtbot, window, load, tmp_path):
    load(window)
    memberships = window.show_memberships()
    qtbot.waitUntil(lambda: memberships.panels is not None, timeout=10000)
    assert memberships.panels.iteration == window.state.shown_step.iteration
    assert memberships.panels.memberships.shape[0] == 3
    assert memberships.panels.true_labels is not None  # the blobs have true labels
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    last = window.state.run.latest.iteration
    qtbot.waitUntil(lambda: memberships.panels.iteration == last, timeout=10000)
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "m.png"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
        memberships.save.click()
    from PySide6.QtGui import QImage

    assert QImage(str(target)).width() > 400
    memberships.close()


def test_the_covariance_types_side_by_side_window(qtbot, window, load):
    load(window)
    side = window.show_side_by_side()
    with qtbot.waitSignal(side.runner.runFinished, timeout=30000):
        pass
    qtbot.waitUntil(lambda: len(side.bics) == 4, timeout=5000)
    assert "Lowest BIC" in side.caption.text()
    assert all("BIC" in label.text() for label in side.scores.values())
    side.close()


def test_restarts_are_the_estimators_n_init_runs(qtbot, window, load):
    """Same seeds, same best: the restart the window marks is the one fit() keeps."""
    from gmmviz.core import GaussianMixture

    load(window, DatasetSpec("moons", 400, 0.05, 0), n_components=6,
         init_params="random_from_data", seed=3)  # fmt: skip
    restarts = window.show_restarts()
    restarts.n_init.setValue(4)
    with qtbot.waitSignal(restarts.runner.runFinished, timeout=60000):
        restarts.start()
    qtbot.waitUntil(lambda: restarts.best is not None, timeout=5000)
    assert len(restarts.runs) == 4
    X, m = window.state.data.X, window.state.model
    fit = GaussianMixture(6, covariance_type=m.covariance_type, tol=m.tol,
                          reg_covar=m.reg_covar, max_iter=m.max_iter,
                          init_params="random_from_data", n_init=4,
                          random_state=3).fit(X)  # fmt: skip
    best = restarts.runs[restarts.best][-1]
    np.testing.assert_array_equal(best.params.means, fit.means_)
    assert "★ best" in restarts.table.item(restarts.best, 5).text()
    restarts.show_restart(0)
    assert window.state.shown_step is restarts.runs[0][-1]
    restarts.close()
