"""Hand-placed starts: a dragged mean is the mean EM starts from; add and remove with a click."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from gmmviz.app.runs import em_run
from gmmviz.core.datasets import DatasetSpec
from gmmviz.io import load_model


def test_a_dragged_mean_is_the_mean_used(qtbot, window, load, tmp_path):
    load(window, DatasetSpec("blobs", 400, 1.0, 0))
    assert window.canvas.means.editable  # iteration 0, paused: the start can be edited
    before = window.state.run
    window.canvas.means.meanMoved.emit(1, 0.5, -0.25)  # as the end of a drag does
    qtbot.waitUntil(lambda: window.state.run is not before and len(window.state.run) >= 1,
                    timeout=20000)  # fmt: skip
    placed = window.state.start_means
    np.testing.assert_allclose(placed[1], [0.5, -0.25], atol=1e-12)
    first = window.state.run[0]
    np.testing.assert_array_equal(first.params.means, placed)  # EM starts there
    # the same as the core with means_init (weights and covariances from the initialisation)
    core = next(iter(em_run(window.state.data.X, window.state.model, means_init=placed)))
    np.testing.assert_array_equal(first.params.covariances, core.params.covariances)
    # and the start is part of what is exported
    out = window.presenter.exports.model(tmp_path / "m.json")
    np.testing.assert_array_equal(load_model(out).means_init, placed)


def test_components_are_added_and_removed_with_a_click(qtbot, window, load):
    load(window, DatasetSpec("blobs", 400, 1.0, 0))
    run = window.state.run
    window.canvas.addRequested.emit(2.0, 2.0)  # Shift+click on empty ground
    qtbot.waitUntil(lambda: window.state.run is not run, timeout=20000)
    assert window.state.model.n_components == 4 == window.model_panel.k.value()
    np.testing.assert_allclose(window.state.start_means[3], [2.0, 2.0], atol=1e-12)
    run = window.state.run
    window.canvas.means.removeRequested.emit(0)  # Ctrl+click on a mean
    qtbot.waitUntil(lambda: window.state.run is not run, timeout=20000)
    assert window.state.model.n_components == 3 and len(window.state.start_means) == 3
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    assert not window.canvas.means.editable  # past iteration 0: no editing


def test_in_more_dimensions_a_drag_moves_the_mean_in_the_shown_plane(qtbot, window):
    from gmmviz.app.state import DataSource

    rng = np.random.default_rng(0)
    shift = np.array([4.0, 1.0, -2.0])
    X = np.vstack([rng.normal(size=(150, 3)), rng.normal(size=(150, 3)) + shift])
    with qtbot.waitSignal(window.presenter.frameShown, timeout=20000):
        window.presenter.set_data(DataSource(X, None, "3-D"))
    means = np.array(window.state.shown_step.params.means)
    window.canvas.means.meanMoved.emit(0, 9.0, 8.0)
    qtbot.waitUntil(lambda: window.state.start_means is not None, timeout=5000)
    moved = window.state.start_means[0]
    np.testing.assert_allclose(moved[:2], [9.0, 8.0])
    assert moved[2] == means[0, 2]  # the third feature keeps its value
