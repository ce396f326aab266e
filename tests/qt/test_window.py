"""The main window driven as a user would: generate, step, play, look back, shortcuts, races."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.qt.main_window import MainWindow

SMALL = DatasetSpec("blobs", 300, None, 1)


def iterations(w: MainWindow) -> list[int]:
    return [] if w.state.run is None else [s.iteration for s in w.state.run]


def test_generate_shows_the_initialisation(qtbot, window, load):
    load(window)
    step = window.state.shown_step
    assert step.iteration == 0
    assert window.em_panel.iteration.text() == "0 / 100"
    assert window.em_panel.log_likelihood.text() == f"{step.log_likelihood:.6f}"
    x, _ = window.likelihood.data()
    np.testing.assert_array_equal(x, [0])
    qtbot.waitUntil(lambda: window.canvas.shown_display is not None, timeout=5000)
    assert len(window.canvas.markers.colour_index) == 300
    assert "Initialised" in window.status_text


def test_step_then_play_to_convergence(qtbot, window, load):
    load(window, DatasetSpec("moons", 300, None, 1), tol=1e-5, max_iter=500)
    window.em_panel.set_rate(None)
    window.presenter.step()
    qtbot.waitUntil(lambda: len(window.state.run) == 2, timeout=5000)
    assert window.state.shown_step.iteration == 1
    assert window.em_panel.iteration.text().startswith("1 / ")
    shown: list[int] = []
    window.presenter.frameShown.connect(shown.append)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000) as blocker:
        window.presenter.play()
    assert blocker.args == ["converged"]
    its = iterations(window)
    assert its == list(range(len(its)))
    assert shown == its[2:]  # every iteration was put on the canvas, in order
    ll = np.array([s.log_likelihood for s in window.state.run])
    assert np.all(np.diff(ll) >= -1e-9)
    _, y = window.likelihood.data()
    np.testing.assert_array_equal(y, ll)
    assert window.likelihood.converged_marked
    label = window.likelihood.label  # on screen, inside the plot
    box = window.likelihood.getPlotItem().vb.sceneBoundingRect()
    assert box.contains(label.mapRectToScene(label.boundingRect()).center())
    assert window.em_panel.badge.property("state") == "converged"
    assert "Converged" in window.status_text
    assert not window.act("run").isEnabled()
    window.presenter.play()  # nothing more to do: says so
    assert not window.presenter.runner.is_playing
    assert "Reset" in window.status_text


def test_history_slider_shows_past_iterations_and_latest_returns(qtbot, window, load):
    load(window, DatasetSpec("moons", 300, None, 1), tol=0.0, max_iter=12)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    n = len(window.state.run)
    assert n >= 4
    window.history_bar.slider.setValue(2)
    assert not window.state.selection.following
    assert window.state.shown_step is window.state.run[2]
    qtbot.waitUntil(lambda: window.canvas.shown_step is window.state.run[2], timeout=5000)
    assert "past" in window.em_panel.iteration.text()
    qtbot.waitUntil(
        lambda: (
            window.canvas.shown_display is not None and window.canvas.shown_display.iteration == 2
        ),
        timeout=5000,
    )
    assert window.likelihood.cursor.value() == 2
    qtbot.mouseClick(window.history_bar.latest, Qt.MouseButton.LeftButton)
    assert window.state.selection.following
    qtbot.waitUntil(lambda: window.canvas.shown_step is window.state.run.latest, timeout=5000)
    qtbot.waitUntil(
        lambda: window.canvas.shown_display.iteration == window.state.run.latest.iteration,
        timeout=5000,
    )


def test_looking_back_pauses_a_playing_run(qtbot, window, load):
    load(window, tol=0.0, max_iter=10_000)
    window.em_panel.set_rate(20)
    window.presenter.play()
    qtbot.waitUntil(lambda: len(window.state.run) > 3, timeout=10000)
    window.history_bar.slider.setValue(1)
    assert not window.presenter.runner.is_playing
    assert window.state.shown_step.iteration == 1
    qtbot.wait(300)
    assert window.state.shown_step.iteration == 1  # new snapshots do not move the view


def test_keyboard_shortcuts(qtbot, window, load):
    load(window, tol=0.0, max_iter=10_000)
    QTest.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: len(window.state.run) == 2, timeout=5000)
    QTest.keyClick(window, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: len(window.state.run) == 3, timeout=5000)
    window.em_panel.set_rate(30)
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert window.presenter.runner.is_playing
    assert window.act("play").text() == "Pause"
    qtbot.waitUntil(lambda: len(window.state.run) > 5, timeout=5000)
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert not window.presenter.runner.is_playing
    old_run = window.state.run.run_id
    QTest.keyClick(window, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: window.state.run.run_id != old_run, timeout=10000)
    assert iterations(window) == [0]
    for action, keys in [
        (window.act("export_model"), "Ctrl+Shift+M"),
        (window.act("save_session"), "Ctrl+S"),
        (window.act("screenshot"), "Ctrl+Shift+S"),
        (window.act("quit"), "Ctrl+Q"),
        (window.act("play"), "Space"),
    ]:
        assert keys in [s.toString() for s in action.shortcuts()]


def test_step_during_play_pauses_and_steps(qtbot, window, wait_stable, load):
    load(window, tol=0.0, max_iter=10_000)
    window.em_panel.set_rate(20)
    window.presenter.play()
    qtbot.waitUntil(lambda: len(window.state.run) > 2, timeout=5000)
    window.presenter.step()
    assert not window.presenter.runner.is_playing
    count = wait_stable(lambda: len(window.state.run))  # the run stops after the step
    window.presenter.step()
    qtbot.waitUntil(lambda: len(window.state.run) == count + 1, timeout=5000)
    assert iterations(window) == list(range(count + 1))


def test_reset_during_a_run_starts_cleanly(qtbot, window, load):
    load(window, tol=0.0, max_iter=10_000)
    window.presenter.play()
    qtbot.waitUntil(lambda: len(window.state.run) > 5, timeout=10000)
    old = window.state.run.run_id
    window.presenter.reset()
    qtbot.waitUntil(lambda: window.state.run.run_id != old, timeout=10000)
    qtbot.wait(200)
    assert iterations(window) == [0]  # nothing of the old run leaked into the new history
    assert window.state.shown_step.iteration == 0


def test_generate_during_a_run_switches_data_without_stale_frames(qtbot, window, load):
    load(window, tol=0.0, max_iter=10_000)
    window.presenter.play()
    qtbot.waitUntil(lambda: len(window.state.run) > 3, timeout=10000)
    sizes = []
    # a frame of the old data drawn on the new points would not even fit (300 vs 500 points)
    window.presenter.frameShown.connect(
        lambda _: sizes.append(len(window.canvas.markers.colour_index))
    )
    load(window, DatasetSpec("moons", 500, None, 2), n_components=4)
    qtbot.waitUntil(lambda: window.canvas.shown_display is not None, timeout=5000)
    qtbot.waitUntil(lambda: window.canvas.shown_display.n_components == 4, timeout=5000)
    assert window.state.run.latest.params.n_components == 4
    assert iterations(window)[0] == 0
    assert len(window.canvas.markers.colour_index) == 500
    assert sizes and sizes[-1] == 500


def test_changing_k_during_a_run_reinitialises(qtbot, window, load):
    load(window, tol=0.0, max_iter=10_000)
    window.presenter.play()
    qtbot.waitUntil(lambda: len(window.state.run) > 3, timeout=10000)
    window.model_panel.k.setValue(5)  # debounced, then EM restarts with K=5
    qtbot.waitUntil(
        lambda: (
            window.state.shown_step is not None and window.state.shown_step.params.n_components == 5
        ),
        timeout=10000,
    )
    assert window.state.run.settings.n_components == 5
    assert window.view_bar.component.maximum() == 5
    assert "K=5" in window.status_text


def test_closing_during_a_run_stops_the_worker(qtbot, settings_dir, load):
    w = MainWindow(remember=False)
    qtbot.addWidget(w)
    w.show()
    load(w, DatasetSpec("moons", 5000, None, 0), n_components=8, tol=0.0, max_iter=10_000)
    w.presenter.play()
    qtbot.waitUntil(lambda: len(w.state.run) > 2, timeout=10000)
    w.close()
    assert not w.presenter.runner.is_running()
    assert w.presenter.runner.is_closed


def test_colour_modes_recolour_the_shown_step(qtbot, window, load):
    load(window)
    qtbot.waitUntil(lambda: window.canvas.shown_display is not None, timeout=5000)
    for mode in ("true", "blend", "member", "hard"):
        window.view_bar.set_colour_by(mode, 1 if mode == "member" else None)
        qtbot.waitUntil(
            lambda m=mode: window.canvas.shown_display.request.colour_by == m, timeout=5000
        )
        assert window.colour_actions[mode].isChecked()
    assert window.canvas.colour_bar_visible is False
    window.colour_actions["member"].trigger()
    assert window.canvas.colour_bar_visible


def test_ellipses_and_legend_toggle(qtbot, window, load):
    load(window)
    window.act("show_ellipses").setChecked(False)
    assert not window.view_bar.ellipses.isChecked()
    assert not window.canvas.outlines.isVisible() and not window.canvas.fills.isVisible()
    window.view_bar.ellipses.setChecked(True)
    assert window.canvas.outlines.isVisible()
    window.view_bar.legend.setChecked(False)
    assert not window.canvas.legend.isVisible()


def test_settings_are_remembered_between_runs(qtbot, settings_dir):
    path = str(settings_dir / "remember.ini")
    first = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 540)  # within the offscreen screen (800 x 600)
    first.dataset_panel.name.setCurrentIndex(first.dataset_panel.name.findData("moons"))
    first.dataset_panel.n_samples.setValue(2500)  # edits in the panel reach the state
    first.state.set_dataset(DatasetSpec("moons", 2500, 0.1, 4))
    first.state.set_model(ModelSettings(6, "diag", "k-means++", 50, 1e-4, 1e-5, 2))
    first.view_bar.set_colour_by("blend")
    first.em_panel.set_rate(20)
    assert first.state.view.colour_by == "blend" and first.state.speed == 20
    size = (first.width(), first.height())  # the window's minimum size may have won
    first.close()

    second = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.state.dataset == DatasetSpec("moons", 2500, 0.1, 4)
    assert second.dataset_panel.spec() == DatasetSpec("moons", 2500, 0.1, 4)
    assert second.model_panel.settings() == ModelSettings(6, "diag", "k-means++", 50, 1e-4, 1e-5, 2)
    assert second.view_bar.colour_by() == "blend"
    assert second.em_panel.rate() == 20
    assert (second.width(), second.height()) == size
    second.close()

    # a scripted window neither reads nor writes them
    scripted = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat), remember=False)
    qtbot.addWidget(scripted)
    assert scripted.model_panel.settings() == ModelSettings()
    scripted.close()


def test_menus_hold_every_command(qtbot, window):
    titles = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert set(titles) == {"File", "EM", "View", "Lecture", "Help"}
    lecture = [a.text() for a in titles["Lecture"].actions() if a.text()]
    from gmmviz.app.presets import PRESETS

    assert lecture[1:] == [p.title for p in PRESETS.values()]  # after "All experiments…"
    file_texts = [a.text() for a in titles["File"].actions()]
    for text in ("Generate", "Open data file…", "Export model…", "Export labelled data (CSV)…"):
        assert text in file_texts
    em_texts = [a.text() for a in titles["EM"].actions()]
    for text in ("Step", "Play", "Run to convergence", "Reset"):
        assert text in em_texts
    for action in (window.act("step"), window.act("play"), window.act("run"), window.act("reset")):
        assert action.toolTip()


def test_large_data_is_drawn_as_a_raster_that_follows_zoom(qtbot, window, load):
    load(window, DatasetSpec("moons", 40_000, None, 0), n_components=4)
    assert not window.canvas.uses_markers
    assert "raster" in window.size_label.text()
    qtbot.waitUntil(
        lambda: (
            window.canvas.shown_display is not None
            and window.canvas.shown_display.raster is not None
        ),
        timeout=10000,
    )
    window.canvas.view.setRange(xRange=(0.0, 1.0), yRange=(0.0, 0.5), padding=0)
    # (the locked aspect widens the x range a little)
    qtbot.waitUntil(
        lambda: (
            window.canvas.shown_display.request.rect[1] == pytest.approx(0.0, abs=1e-9)
            and window.canvas.shown_display.request.rect[3] == pytest.approx(0.5)
        ),
        timeout=10000,
    )
    raster = window.canvas.shown_display.raster
    x0, y0, x1, y1 = raster.rect
    visible = window.canvas.view.viewRect()
    assert (x0, x1) == (pytest.approx(visible.left()), pytest.approx(visible.right()))
    assert (y0, y1) == (pytest.approx(visible.top()), pytest.approx(visible.bottom()))
    assert raster.rgba[..., 3].any()  # points inside the zoomed rectangle are drawn


def test_hammering_the_controls_during_runs_stays_consistent(qtbot, window, load):
    """Random clicks while EM runs: no exception, no stale frame, history always in order."""
    rng = np.random.default_rng(11)
    load(window, DatasetSpec("moons", 600, None, 0), tol=0.0, max_iter=10_000)
    window.em_panel.set_rate(None)
    actions = [
        window.presenter.step,
        window.presenter.toggle_play,
        window.presenter.run_to_end,
        window.presenter.reset,
        lambda: window.model_panel.k.setValue(int(rng.integers(2, 7))),
        lambda: window.presenter.generate(
            DatasetSpec("blobs", int(rng.integers(200, 800)), None, 1)
        ),
        lambda: window.presenter.show_index(
            int(rng.integers(0, max(len(window.state.run or []), 1)))
        ),
        window.presenter.follow_latest,
        lambda: window.view_bar.set_colour_by(str(rng.choice(["true", "hard", "blend", "member"]))),
    ]
    for _ in range(60):
        actions[int(rng.integers(len(actions)))]()
        qtbot.wait(int(rng.integers(0, 40)))
        its = iterations(window)
        assert its == list(range(len(its)))  # one run's snapshots, in order
        display = window.canvas.shown_display
        if display is not None and display.markers is not None:
            assert len(display.markers.index) == window.state.data.n_samples
    window.presenter.pause()
    window.presenter.follow_latest()
    qtbot.waitUntil(
        lambda: (
            window.canvas.shown_display is not None
            and window.state.shown_step is not None
            and window.canvas.shown_display.iteration == window.state.shown_step.iteration
        ),
        timeout=10000,
    )
    assert window.state.shown_step.params.n_components == window.state.run.settings.n_components


def test_closing_with_a_pending_change_does_not_restart_em(qtbot, settings_dir, load):
    w = MainWindow(remember=False)
    qtbot.addWidget(w)
    w.show()
    load(w)
    w.model_panel.k.setValue(5)  # debounced re-initialisation pending...
    w.canvas.view.setRange(xRange=(0, 1), yRange=(0, 1))  # ...and a view change
    w.close()
    qtbot.wait(600)  # an exception in a late timer would fail this test
    assert w.is_closed and not w.presenter.runner.is_running()
    w.presenter.reset()  # commands on a closed window do nothing
    w.presenter.generate()


def test_exports_are_enabled_as_soon_as_iteration_0_is_shown(qtbot, window):
    # A first start shows iteration 0 with nothing else happening: Ctrl+S / Ctrl+E must work.
    window.start_default()
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    assert window.state.shown_step.iteration == 0
    assert window.act("export_model").isEnabled()
    assert window.act("export_data").isEnabled()


def test_rerunning_keeps_the_component_colours(qtbot, window, load):
    from gmmviz.scene import palette

    load(window, DatasetSpec("blobs", 600, 1.0, 3))
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()

    def colour_near(point):
        run = window.state.run
        means = run.latest.params.means
        k = int(np.argmin(((means - point) ** 2).sum(axis=1)))
        return tuple(palette.component_colours(len(means), run.colour_slots)[k])

    centres = [window.state.data.X[window.state.data.y_true == c].mean(axis=0) for c in range(3)]
    before = [colour_near(c) for c in centres]
    window.model_panel.seed.setValue(7)  # another start: components found in another order
    window.model_panel.flush()
    qtbot.waitUntil(lambda: window.state.run.settings.seed == 7, timeout=20000)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    assert [colour_near(c) for c in centres] == before
    qtbot.waitUntil(
        lambda: window.canvas.shown_display.request.colour_slots == window.state.run.colour_slots,
        timeout=5000,
    )
