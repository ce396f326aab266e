"""Faults found by hammering the window (tests/qt/test_hammer.py), one test each, and the
two situations the hammer cannot reach: closing the window mid-run, and new data mid-Play."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QtMsgType, qInstallMessageHandler

from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.qt.main_window import MainWindow

SMALL = DatasetSpec("blobs", 300, None, 1)


def test_new_data_stops_the_sweep_of_the_old_data(qtbot, window, load, tmp_path):
    """Found by the hammer: a sweep kept fitting the old data after Generate/Open, and its
    points joined the new data's sweep (loading one showed a 5-D model over 2-D points)."""
    import numpy as np

    rng = np.random.default_rng(0)
    path = tmp_path / "five.csv"
    X = np.vstack([rng.normal(size=(3000, 5)), rng.normal(size=(3000, 5)) + 4])
    path.write_text("\n".join(",".join(f"{v:.5f}" for v in row) for row in X))
    window.state.set_model(ModelSettings(n_components=2))
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    sweeps = window.presenter.sweeps
    sweeps.start(8, ("full", "diag", "tied", "spherical"))
    qtbot.waitUntil(lambda: len(window.state.sweep) >= 1, timeout=20000)
    assert sweeps.runner.is_live  # 32 fits: still running
    load(window, SMALL, n_components=2)
    assert not sweeps.runner.is_live
    assert window.state.sweep == ()
    qtbot.wait(300)  # anything the old sweep had queued arrives now, and must be dropped
    assert window.state.sweep == ()
    assert window.selection_panel.run.isEnabled()  # a new sweep can start
    sweeps.start(2, ("full",))
    qtbot.waitUntil(lambda: len(window.state.sweep) == 2, timeout=20000)
    assert all(p.params.n_features == 2 for p in window.state.sweep)


def test_closing_the_window_mid_run_stops_every_thread(qtbot, monkeypatch):
    """Closing while EM plays, a data job runs and a sweep fits: every thread ends, and Qt
    never says "QThread: Destroyed while thread is still running"."""
    messages: list[str] = []

    def handler(kind, _context, text):
        if kind is not QtMsgType.QtDebugMsg:
            messages.append(text)

    previous = qInstallMessageHandler(handler)
    try:
        w = MainWindow(remember=False)
        qtbot.addWidget(w)
        w.show()
        w.state.set_model(ModelSettings(n_components=6, tol=0.0, max_iter=10_000))
        w.state.set_speed(None)
        w.presenter.generate(DatasetSpec("moons", 20_000, None, 0), play=True)
        qtbot.waitUntil(lambda: w.presenter.runner.is_playing, timeout=20000)
        qtbot.waitUntil(lambda: w.state.run is not None and len(w.state.run) > 3, timeout=20000)
        w.presenter.sweeps.start(6, ("full", "diag"))
        w.presenter.generate(DatasetSpec("blobs", 200_000, None, 1))  # a data job in flight
        assert w.presenter.tasks.busy
        w.close()
        assert w.presenter.is_closed
        assert not w.presenter.runner.is_running()
        assert not w.presenter.sweeps.runner.is_running()
        assert not w.presenter.tasks.busy
        qtbot.wait(100)  # whatever was queued is delivered to a closed window: ignored
    finally:
        qInstallMessageHandler(previous)
    assert not [m for m in messages if "QThread" in m or "Destroyed" in m], messages


def test_new_data_while_playing_replaces_the_run(qtbot, window, load, tmp_path):
    """Generate and Open while Play runs: the old run stops, the new data is shown with its
    own run, and nothing of the old run is drawn over it."""
    load(window, SMALL, n_components=3, tol=0.0, max_iter=10_000)
    window.state.set_speed(None)
    window.presenter.play()
    qtbot.waitUntil(lambda: len(window.state.run) > 5, timeout=20000)
    old_run = window.state.run
    spec = DatasetSpec("moons", 500, None, 4)
    window.presenter.generate(spec, play=True)
    qtbot.waitUntil(
        lambda: window.state.data.spec == spec and window.state.run is not None
        and len(window.state.run) > 2, timeout=20000,
    )  # fmt: skip
    assert window.state.run is not old_run and len(old_run) == len(old_run.steps)
    steps = list(window.state.run.steps)
    assert all(s.params.n_features == 2 for s in steps)
    path = tmp_path / "three.csv"
    path.write_text("a,b,c\n" + "\n".join(f"{i % 11},{i % 7},{(i * 3) % 5}" for i in range(90)))
    window.presenter.open_data(path)  # while the moons run plays
    qtbot.waitUntil(
        lambda: window.state.data.path == str(path) and window.state.shown_step is not None,
        timeout=20000,
    )
    assert window.state.shown_step.params.n_features == 3
    window.presenter.pause()
    qtbot.waitUntil(
        lambda: window.canvas.shown_display is not None
        and window.canvas.shown_display.snapshot is window.state.shown_step, timeout=10000,
    )  # fmt: skip
    assert window.errors == []


def test_points_drawn_from_an_old_model_are_dropped(qtbot, window, load, tmp_path):
    """Found by the hammer: Draw points, then Generate before they arrived: the points of
    the old model (of three features) were put on the new data (two), and projecting them
    raised in a slot."""
    path = tmp_path / "three.csv"
    path.write_text("a,b,c\n" + "\n".join(f"{i % 11},{i % 7},{(i * 3) % 5}" for i in range(90)))
    window.state.set_model(ModelSettings(n_components=2))
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    window.presenter.generate(SMALL)  # queued first: its answer comes first
    window.presenter.sample(5000)  # from the 3-feature model still shown
    qtbot.waitUntil(lambda: not window.presenter.tasks.busy, timeout=20000)
    qtbot.waitUntil(lambda: window.state.data.spec == SMALL, timeout=20000)
    qtbot.wait(50)
    assert window.state.samples is None
    assert window.errors == []
