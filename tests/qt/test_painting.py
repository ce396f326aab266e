"""Painting data: add with a class, erase, clear; EM restarts or continues; export."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.io import load_data

SMALL = DatasetSpec("blobs", 300, None, 1)


def _stroke(window, start: tuple[int, int], steps: int = 10, dx: int = 4) -> None:
    """Press, drag and release the left button on the canvas (viewport pixels)."""
    viewport = window.canvas.viewport()
    x, y = start
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(x, y))  # fmt: skip
    for i in range(steps):
        QTest.mouseMove(viewport, QPoint(x + i * dx, y))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(x + steps * dx, y))  # fmt: skip


def _painting(qtbot, window):
    window.resize(1100, 760)
    qtbot.wait(50)
    window.act("paint").trigger()
    assert window.presenter.painter.active and window.paint_bar.isVisible()


def test_paint_three_classes_on_an_empty_window_and_em_runs(qtbot, window):
    window.state.set_model(ModelSettings(n_components=3))
    _painting(qtbot, window)
    for label, start in ((0, (150, 120)), (1, (420, 260)), (2, (250, 300))):
        window.paint_bar.label.setValue(label)
        _stroke(window, start)
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    data = window.state.data
    assert data.n_samples == 3 * 11 * 5 and data.n_classes == 3
    assert data.title.startswith("Painted")
    np.testing.assert_array_equal(np.bincount(data.y_true), [55, 55, 55])
    # each class was painted where its stroke was: left, right, lower middle on screen
    centres = np.array([data.X[data.y_true == k].mean(axis=0) for k in range(3)])
    assert centres[0, 0] < centres[2, 0] < centres[1, 0]
    assert window.errors == []


def test_erase_removes_the_points_under_the_brush(qtbot, window, load):
    load(window, SMALL)
    _painting(qtbot, window)
    window.paint_bar.erase.setChecked(True)
    window.paint_bar.size.setValue(60)
    before = window.state.data
    centre = window.canvas.viewport().rect().center()
    _stroke(window, (centre.x(), centre.y()), steps=1, dx=0)
    qtbot.waitUntil(lambda: window.state.data is not before, timeout=10000)
    after = window.state.data
    assert 0 < after.n_samples < before.n_samples
    point = window.canvas.view.mapSceneToView(window.canvas.mapToScene(centre))
    sx, sy = window.canvas.view.viewPixelSize()
    d = (after.X - [point.x(), point.y()]) / [60 * sx, 60 * abs(sy)]
    assert ((d**2).sum(axis=1) > 1.0).all()  # nothing left under the brush
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)


def test_em_can_continue_from_the_shown_model(qtbot, window, load):
    load(window, SMALL, tol=0.0)
    for _ in range(3):
        n = len(window.state.run)
        window.presenter.step()
        qtbot.waitUntil(lambda n=n: len(window.state.run) > n, timeout=10000)
    shown = window.state.shown_step.params
    _painting(qtbot, window)
    window.paint_bar.keep_model.setChecked(True)
    _stroke(window, (200, 200))
    qtbot.waitUntil(lambda: window.state.run is not None and len(window.state.run) >= 1
                    and window.state.data.n_samples == 355, timeout=20000)  # fmt: skip
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    first = window.state.run.steps[0]
    assert first.iteration == 0
    qtbot.waitUntil(lambda: "EM goes on from the model" in window.status_text, timeout=5000)
    np.testing.assert_array_equal(first.params.means, shown.means)  # no new initialisation


def test_clear_then_paint_a_new_set(qtbot, window, load):
    load(window, DatasetSpec("blobs", 200, None, 4))
    _painting(qtbot, window)
    window.presenter.painter.clear()
    assert window.state.data.n_samples == 0 and window.state.run is None
    assert "at least 3" in window.status_text
    _stroke(window, (300, 200), steps=2)
    qtbot.waitUntil(lambda: window.state.data.n_samples == 15, timeout=5000)
    assert window.errors == []


def test_data_with_more_features_cannot_be_painted_but_can_be_cleared(qtbot, window, tmp_path):
    path = tmp_path / "three.csv"
    rng = np.random.default_rng(0)
    path.write_text("a,b,c\n" + "\n".join(",".join(map(str, r)) for r in rng.normal(size=(40, 3))))
    window.state.set_model(ModelSettings(n_components=2))
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    _painting(qtbot, window)
    assert "two features; these data have 3" in window.status_text
    before = window.state.data
    _stroke(window, (300, 200))
    assert window.state.data is before and "Press Clear" in window.status_text
    assert window.errors == []  # a hint in the status line, not a box per stroke
    window.presenter.painter.clear()
    assert window.state.data.n_features == 2 and window.state.data.n_samples == 0


def test_painted_data_can_be_exported(qtbot, window, tmp_path):
    window.state.set_model(ModelSettings(n_components=2))
    _painting(qtbot, window)
    window.paint_bar.label.setValue(1)
    _stroke(window, (200, 200))
    _stroke(window, (400, 250))
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    path = tmp_path / "painted.csv"
    window.presenter.exports.data(path)
    qtbot.waitUntil(path.exists, timeout=10000)
    X, y = load_data(path)
    np.testing.assert_array_equal(X, window.state.data.X)
    np.testing.assert_array_equal(y, window.state.data.y_true)
