"""Choosing K in the window: a sweep on its own runner, its numbers, loading a point."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from gmmviz.core import GaussianMixture
from gmmviz.core.datasets import DatasetSpec


def test_a_sweep_runs_beside_the_animation_and_loads_a_model(qtbot, window, load):
    load(window, DatasetSpec("blobs", 600, 1.0, 0), tol=0.0, max_iter=10_000)
    window.state.set_speed(20)
    window.presenter.play()  # the animation keeps going during the sweep
    window.state.update_model(tol=1e-3, max_iter=100)  # the sweep's fits (the run goes on)
    sweeps = window.presenter.sweeps
    with qtbot.waitSignal(sweeps.runner.runFinished, timeout=60000):
        sweeps.start(5, ("full", "diag"))
    assert window.presenter.runner.is_playing
    points = window.state.sweep
    assert [(p.covariance_type, p.k) for p in points] == [
        (t, k) for t in ("full", "diag") for k in range(1, 6)
    ]
    X, m = window.state.data.X, window.state.model
    for p in points[:3]:
        g = GaussianMixture(p.k, covariance_type=p.covariance_type, tol=m.tol,
                            reg_covar=m.reg_covar, max_iter=m.max_iter,
                            init_params=m.init_params, random_state=m.seed).fit(X)  # fmt: skip
        assert (p.bic, p.aic) == (g.bic(X), g.aic(X))
    assert len(window.selection_panel.points) == 10
    assert "Lowest BIC: K = 3" in window.selection_panel.choice.text()
    window.presenter.pause()
    chosen = points[3]
    window.selection_panel.pointChosen.emit(chosen)
    qtbot.waitUntil(lambda: window.canvas.shown_step is window.state.run.latest, timeout=5000)
    assert window.state.model.n_components == chosen.k == window.model_panel.k.value()
    np.testing.assert_array_equal(window.state.shown_step.params.means, chosen.params.means)
    metrics = window.canvas.shown_display.metrics
    assert metrics.bic == pytest.approx(chosen.bic, rel=1e-12)
    # a click on the star (it lies over the best point) loads the best model
    panel = window.selection_panel
    best = min(points, key=lambda p: p.bic)
    with qtbot.waitSignal(panel.pointChosen, timeout=5000) as picked:
        panel.best_marks.sigClicked.emit(panel.best_marks, panel.best_marks.points()[:1], None)
    assert picked.args[0] is best


def test_a_sweep_can_be_cancelled(qtbot, window, load, wait_stable):
    load(window, DatasetSpec("moons", 3000, 0.05, 0))
    sweeps = window.presenter.sweeps
    sweeps.start(50, ("full", "tied", "diag", "spherical"))
    qtbot.waitUntil(lambda: len(window.state.sweep) >= 1, timeout=60000)
    sweeps.cancel()
    count = wait_stable(lambda: len(window.state.sweep))
    assert count < 200 and not window.selection_panel.cancel.isEnabled()


def test_fit_metrics_follow_the_shown_model(qtbot, window, load):
    load(window, DatasetSpec("blobs", 600, 1.0, 0))
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    qtbot.waitUntil(
        lambda: window.canvas.shown_display.iteration == window.state.run.latest.iteration,
        timeout=5000,
    )
    m = window.canvas.shown_display.metrics
    from gmmviz.core import adjusted_rand_index, responsibilities

    labels = responsibilities(window.state.data.X, window.state.run.latest.params).argmax(1)
    assert m.ari == pytest.approx(adjusted_rand_index(window.state.data.y_true, labels))
    assert 0.5 < m.ari <= 1.0 and m.confusion.sum() == 600
    import itertools

    best = max(sum(m.confusion[i, j] for i, j in enumerate(perm))
               for perm in itertools.permutations(range(3)))  # fmt: skip
    assert m.confusion.trace() == best  # components matched to classes on the diagonal
    assert window.metrics_panel.values["adjusted Rand index"].text() == f"{m.ari:.4f}"
    assert window.metrics_panel.table.rowCount() == 3


def test_the_choose_k_tab_gets_room_and_gives_it_back(qtbot, window):
    from gmmviz.qt.main_window import TALL_TAB_HEIGHT

    window.resize(1280, 820)
    qtbot.wait(50)
    splitter = window.right_splitter
    before = splitter.sizes()
    assert before[1] < TALL_TAB_HEIGHT
    window.bottom_tabs.setCurrentWidget(window.selection_panel)
    qtbot.wait(20)
    # the plot is readable: the pane grows towards TALL_TAB_HEIGHT (as far as the canvas's
    # minimum height lets it in this small offscreen window)
    assert splitter.sizes()[1] > before[1] + 100
    window.bottom_tabs.setCurrentWidget(window.likelihood)
    qtbot.wait(20)
    assert splitter.sizes() == before  # the canvas has its height back
    # new data while Choose K shows (the layout shifts a little) still give it back
    window.bottom_tabs.setCurrentWidget(window.selection_panel)
    window.presenter.generate()
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    window.bottom_tabs.setCurrentWidget(window.likelihood)
    qtbot.wait(20)
    assert abs(splitter.sizes()[1] - before[1]) <= 2
    # a splitter the user dragged meanwhile is left where they put it
    window.bottom_tabs.setCurrentWidget(window.selection_panel)
    moved = [sum(before) - 300, 300]
    splitter.setSizes(moved)
    splitter.splitterMoved.emit(sum(before) - 300, 1)  # as a drag of the handle does
    window.bottom_tabs.setCurrentWidget(window.likelihood)
    assert splitter.sizes() == moved
