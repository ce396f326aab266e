"""Save session, open it in another window: the same iteration, curve and picture; a paused
run continues exactly; a bad session file changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz.app.runs import em_run
from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.qt.main_window import MainWindow

THREE_D = DatasetSpec("blobs", 600, 1.5, 2)


@pytest.fixture
def second_window(qtbot):
    w = MainWindow(remember=False)
    qtbot.addWidget(w)
    w.resize(1100, 760)
    w.show()
    qtbot.waitExposed(w)
    w.errors = []
    w.presenter.errorShown.connect(w.errors.append)
    yield w
    w.close()


def _drawn(w, iteration: int) -> bool:
    d = w.canvas.shown_display
    return d is not None and d.iteration == iteration and d.density is not None


def _paused_run(qtbot, w, n_steps: int = 9):
    w.resize(1100, 760)
    w.state.set_model(ModelSettings(n_components=4, tol=0.0, max_iter=40, seed=3))
    w.presenter.generate(DatasetSpec("moons", 500, 0.08, 5))
    qtbot.waitUntil(lambda: w.state.shown_step is not None, timeout=20000)
    for _ in range(n_steps):
        n = len(w.state.run)
        w.presenter.step()
        qtbot.waitUntil(lambda n=n: len(w.state.run) > n, timeout=10000)
    w.state.set_view(show_density=True, colour_by="blend")
    w.presenter.show_index(5)
    qtbot.waitUntil(lambda: _drawn(w, 5), timeout=20000)


def test_a_saved_session_reopens_as_it_was(qtbot, window, second_window, tmp_path):
    _paused_run(qtbot, window)
    path = tmp_path / "lecture.gmmviz"
    window.presenter.sessions.save(path)
    qtbot.waitUntil(lambda: "Saved the session" in window.status_text, timeout=20000)

    other = second_window
    other.presenter.open_data(path)  # what `gmmviz lecture.gmmviz` and a drop do
    qtbot.waitUntil(lambda: _drawn(other, 5), timeout=20000)
    assert other.errors == [] and "iteration 5" in other.status_text
    a, b = window.state, other.state
    np.testing.assert_array_equal(a.data.X, b.data.X)
    assert a.model == b.model and a.view == b.view
    assert b.selection.index == 5 and not b.selection.following
    assert [s.log_likelihood for s in b.run.steps] == [s.log_likelihood for s in a.run.steps]
    np.testing.assert_array_equal(window.likelihood.curve.getData()[1],
                                  other.likelihood.curve.getData()[1])  # fmt: skip
    da, db = window.canvas.shown_display, other.canvas.shown_display
    np.testing.assert_array_equal(da.markers.index, db.markers.index)
    np.testing.assert_array_equal(da.markers.table, db.markers.table)
    np.testing.assert_array_equal(da.model.rings, db.model.rings)
    # the same visible area: the same centre and width (the height follows the aspect lock
    # and the axis labels' width, which may differ by a pixel or two)
    (ax, ay), (bx, by) = window.canvas.view.viewRange(), other.canvas.view.viewRange()
    np.testing.assert_allclose([sum(ax), sum(ay)], [sum(bx), sum(by)], atol=1e-9)
    np.testing.assert_allclose(np.diff(ax), np.diff(bx), rtol=1e-9)
    np.testing.assert_allclose(np.diff(ay), np.diff(by), rtol=0.03)
    if da.density.log_density.shape == db.density.log_density.shape:
        np.testing.assert_allclose(da.density.log_density, db.density.log_density, rtol=1e-9)
    assert other.canvas.title == window.canvas.title
    assert "lecture.gmmviz" not in other.errors


def test_a_paused_run_continues_exactly(qtbot, window, second_window, tmp_path):
    _paused_run(qtbot, window, n_steps=6)
    path = tmp_path / "paused.gmmviz"
    window.presenter.sessions.save(path)
    qtbot.waitUntil(lambda: "Saved the session" in window.status_text, timeout=20000)
    other = second_window
    other.presenter.open_data(path)
    qtbot.waitUntil(lambda: other.state.run is not None and len(other.state.run) == 7,
                    timeout=20000)  # fmt: skip
    assert other.act("run").isEnabled()  # Run to convergence resumes it too
    other.presenter.step()  # the next iteration, not a new run from iteration 0
    qtbot.waitUntil(lambda: len(other.state.run) == 8, timeout=20000)
    run = other.state.run
    assert [s.iteration for s in run.steps] == list(range(8))
    expected = list(em_run(other.state.data.X, run.settings))[:8]
    np.testing.assert_array_equal(run.steps[7].params.means, expected[7].params.means)
    assert other.errors == []


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04 broken"])
def test_a_bad_session_keeps_everything(qtbot, window, tmp_path, load, content):
    load(window)
    before, steps = window.state.data, len(window.state.run)
    path = tmp_path / "broken.gmmviz"
    path.write_bytes(content)
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: bool(window.errors), timeout=10000)
    assert window.errors[0].startswith("Could not open the session broken.gmmviz")
    assert window.state.data is before and len(window.state.run) == steps


def test_save_before_any_data_says_so(qtbot, window, tmp_path):
    window.presenter.sessions.save(tmp_path / "nothing.gmmviz")
    qtbot.waitUntil(lambda: bool(window.errors), timeout=5000)
    assert "nothing to save" in window.errors[0]
    assert not (tmp_path / "nothing.gmmviz").exists()
