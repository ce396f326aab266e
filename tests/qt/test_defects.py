"""Defects found when the app was tried as a new user would (issue 9), one test each."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QImage

from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.scene.ellipses import NEUTRAL_FILL


def test_a_new_run_gets_its_own_likelihood_range(qtbot, window, load):
    """Defect 1: after a long run, Reset and Run kept the old run's axes (-6e6...0, x to 14
    after anisotropic K=3 diag random_from_data) as long as the new curve fitted inside."""
    spec = DatasetSpec("anisotropic", 1500, None, 0)
    load(window, spec, covariance_type="diag", init_params="random_from_data", tol=0.0)
    window.state.update_model(max_iter=30)
    window.presenter.reset()
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    window.model_panel.max_iter.setValue(3)  # the same start, a shorter run: a curve inside
    window.model_panel.flush()
    qtbot.waitUntil(lambda: window.state.run.settings.max_iter == 3, timeout=20000)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    _, ll = window.state.run.log_likelihoods()
    if window.likelihood.off_scale.isVisible():  # a start far below is kept off the scale
        ll = ll[1:]
    (_x0, x1), (y0, y1) = window.likelihood.getPlotItem().getViewBox().viewRange()
    span = max(ll.max() - ll.min(), 1e-4 * abs(ll.max()))
    assert y0 <= ll.min() and ll.max() <= y1
    assert y1 - y0 < 3 * span  # fitted to this curve, not to the previous one
    assert x1 <= 11


def test_a_run_that_cannot_start_keeps_the_previous_run_and_says_so(qtbot, window, load):
    """Defect 2: the error appeared over the old run's title, curve and "converged" badge,
    with K=16 in the title after K=50 was refused; the status text was hidden."""
    load(window, DatasetSpec("moons", 20, None, 0), n_components=16, reg_covar=1e-12)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    before = window.state.run
    window.model_panel.k.setValue(50)
    window.model_panel.flush()
    qtbot.waitUntil(lambda: bool(window.errors), timeout=20000)
    assert "n_components" in window.errors[-1]
    assert "previous run is still shown" in window.errors[-1]
    assert ".." not in window.errors[-1]
    # the panel, the state, the title and the run agree: nothing contradicts the picture
    assert window.state.run is before
    assert window.state.model.n_components == 16 == window.model_panel.k.value()
    assert "K = 16" in window.canvas.title
    # the whole message can be read in the status bar, left of the size label
    label, size = window.status_label, window.size_label
    assert label.isVisible() and label.geometry().right() < size.geometry().left()
    assert window.errors[-1] == window.status_text
    # and it is not stuck: the converged run says so (no "max_iter (0)")
    window.presenter.step()
    assert "converged at iteration" in window.status_text
    assert "converged" in window.em_panel.badge.text()


def test_after_a_run_that_cannot_start_step_starts_again(qtbot, window, load):
    """A paused run whose worker went to the refused run: Step starts it afresh."""
    load(window, DatasetSpec("moons", 20, None, 0), n_components=16, reg_covar=1e-12)
    window.model_panel.k.setValue(50)
    window.model_panel.flush()
    qtbot.waitUntil(lambda: bool(window.errors), timeout=20000)
    assert "paused" in window.em_panel.badge.text()
    before = window.state.run
    with qtbot.waitSignal(window.presenter.frameShown, timeout=20000):
        window.presenter.step()
    assert window.state.run is not before and window.state.run.settings.n_components == 16


def test_a_run_that_fails_midway_is_not_shown_as_converged(qtbot, window, load):
    """Defect 2, the other half: a run that breaks keeps its snapshots, marked as stopped."""
    load(window, DatasetSpec("moons", 20, None, 0), n_components=16, reg_covar=1e-12)
    window.state.set_model(ModelSettings(n_components=16, reg_covar=0.0))
    window.presenter.reset()
    qtbot.waitUntil(lambda: bool(window.errors), timeout=20000)
    run = window.state.run
    if run is not None and run.settings.reg_covar == 0.0:  # failed after its first snapshot
        assert run.error is not None and not run.finished
        assert "converged" not in window.em_panel.badge.text()
        assert "stopped by an error" in window.canvas.title
    else:  # failed before it: the previous run stays, with its settings
        assert window.state.model.reg_covar == 1e-12


def test_looking_back_during_play_says_that_em_paused(qtbot, window, load):
    """Defect 4: dragging the history slider while playing paused without a word."""
    load(window, tol=0.0, max_iter=10_000)
    window.state.set_speed(20)
    window.presenter.play()
    qtbot.waitUntil(lambda: len(window.state.run) > 3, timeout=10000)
    window.history_bar.slider.setValue(1)
    assert not window.presenter.runner.is_playing
    assert "paused" in window.status_text.lower()
    assert "paused" in window.em_panel.badge.text()


def test_means_are_neutral_when_points_show_true_labels(qtbot, window, load):
    """Defect 5: a blue mean on green points in "true labels" colouring."""
    load(window)
    for mode in ("true", "hard"):
        window.view_bar.set_colour_by(mode)
        qtbot.waitUntil(
            lambda m=mode: window.canvas.shown_display.request.colour_by == m, timeout=5000
        )
        colours = set(window.canvas.means.colours)
        assert colours == {NEUTRAL_FILL} if mode == "true" else len(colours) == 3


@pytest.mark.parametrize("name", ["varied", "imbalanced"])
def test_long_dataset_captions_do_not_move_the_controls(qtbot, window, load, name):
    """Defect 8a: the "Showing:" caption wrapped to two lines and shifted the panels."""
    load(window)
    top = window.model_panel.mapTo(window, window.model_panel.rect().topLeft()).y()
    load(window, DatasetSpec(name, 1500 if name == "varied" else 610, None, 0))
    qtbot.wait(50)
    assert window.model_panel.mapTo(window, window.model_panel.rect().topLeft()).y() == top
    assert window.dataset_panel.source.toolTip().startswith("Showing:")


def _rightmost_ink(image: QImage, band: float) -> int:
    """Rightmost non-white column in the bottom ``band`` fraction of ``image``."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    arr = arr.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3]
    rows = arr[int(image.height() * (1 - band)) :].reshape(-1, image.width(), 3)
    ink = np.nonzero((rows < 200).any(axis=(0, 2)))[0]
    return int(ink.max())


def test_a_2x_export_scales_the_legend_too(qtbot, fitted, tmp_path):
    """Defect 8b: in a 2x PNG the legend's text stayed at its 1x size."""
    exports = fitted.presenter.exports
    fitted.presenter.exports.canvas(tmp_path / "c1.png", 1.0)
    with qtbot.waitSignal(exports.exportDone, timeout=10000):
        fitted.presenter.exports.canvas(tmp_path / "c2.png", 2.0)
    one, two = QImage(str(tmp_path / "c1.png")), QImage(str(tmp_path / "c2.png"))
    # the legend row is the canvas's bottom strip; its text must reach twice as far right
    assert _rightmost_ink(two, 0.06) >= 1.8 * _rightmost_ink(one, 0.06)


def test_the_convergence_star_is_never_at_the_plots_edge(qtbot, window):
    """Defect 8c: a run converging at the last iteration of the range had its star cut."""
    plot = window.likelihood
    for n in (8, 9, 10, 11, 15, 23):
        it = np.arange(n + 1, dtype=float)
        plot.set_history(it[: n // 2], -1.0 / (1 + it[: n // 2]), None)  # growing live
        plot.set_history(it, -1.0 / (1 + it), n)
        (_x0, x1), _ = plot.getPlotItem().getViewBox().viewRange()
        assert x1 - n >= 0.5, (n, x1)
