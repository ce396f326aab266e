"""Bad inputs end in a clear message, never a traceback or a frozen window; nothing is lost."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QFileDialog, QMessageBox

from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec

SMALL = DatasetSpec("blobs", 200, None, 0)


def visible_message(w) -> str:
    boxes = [b for b in w.findChildren(QMessageBox) if b.isVisible()]
    assert boxes, "no message box shown"
    return boxes[-1].text()


def test_more_components_than_points(qtbot, window, capfd):
    window.state.set_model(ModelSettings(n_components=50))
    window.presenter.generate(DatasetSpec("blobs", 10, None, 0))
    qtbot.waitUntil(lambda: bool(window.errors), timeout=20000)
    message = window.errors[0]
    assert "n_components" in message and "n_samples" in message
    assert message in visible_message(window)
    assert window.em_panel.badge.property("state") == "error"
    assert "Traceback" not in capfd.readouterr().err
    # the window still works: a smaller K runs
    window.state.set_model(ModelSettings(n_components=2))
    window.presenter.reset()
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=10000)
    assert window.state.shown_step.params.n_components == 2


def test_step_after_a_failed_run_tries_again_and_says_why(qtbot, window):
    window.state.set_model(ModelSettings(n_components=50))
    window.presenter.generate(DatasetSpec("blobs", 10, None, 0))
    qtbot.waitUntil(lambda: bool(window.errors), timeout=20000)
    window.presenter.step()
    qtbot.waitUntil(lambda: len(window.errors) == 2, timeout=10000)
    assert window.errors[1] == window.errors[0]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("x,y\n", "row"),
        ("1,2\n3\n4,5\n", "line"),
        ("x\n1\n2\n3\n4\n", "one numeric column"),
    ],
)
def test_bad_data_file_keeps_the_current_data(qtbot, window, tmp_path, content, needle, load):
    load(window, SMALL)
    before, steps = window.state.data, len(window.state.run)
    path = tmp_path / "bad.csv"
    path.write_text(content)
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: bool(window.errors), timeout=10000)
    assert window.errors[0].startswith("Could not open bad.csv")
    assert needle.lower() in window.errors[0].lower()
    assert window.state.data is before  # nothing lost
    assert len(window.state.run) == steps
    assert window.errors[0] in window.status_text


def test_unsupported_file_type(qtbot, window, tmp_path):
    path = tmp_path / "points.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: bool(window.errors), timeout=10000)
    assert "xlsx" in window.errors[0] or "suffix" in window.errors[0].lower()
    assert window.state.data is None


def test_singular_covariance_without_regularisation(qtbot, window, tmp_path):
    path = tmp_path / "same.csv"
    path.write_text("x,y\n" + "1.5,2.5\n" * 30)
    window.state.set_model(ModelSettings(n_components=2, reg_covar=0.0))
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: bool(window.errors), timeout=20000)
    assert "covariance" in window.errors[0].lower()
    assert window.state.data is not None and window.state.data.n_samples == 30  # the data stayed


def test_open_file_with_more_columns_shows_two_named_features(qtbot, window, tmp_path):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(60, 4)), rng.normal(size=(60, 4)) + 5])
    path = tmp_path / "four.csv"
    path.write_text("a,b,c,d\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in X))
    window.state.set_model(ModelSettings(n_components=2))
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    assert window.state.data.n_features == 4
    assert window.state.shown_step.params.n_features == 4  # EM in the full dimension
    assert "EM uses all 4 features; the canvas shows a and b" in window.dataset_panel.source.text()
    np.testing.assert_array_equal(window.canvas.xy, X[:, :2])


def test_open_data_dialog(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "ok.csv"
    path.write_text("x,y,label\n" + "\n".join(f"{i % 7},{i % 5},{i % 2}" for i in range(40)))
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
    window.state.set_model(ModelSettings(n_components=2))
    window.act("open").trigger()
    qtbot.waitUntil(lambda: window.presenter.importer.dialog is not None, timeout=20000)
    window.presenter.importer.dialog.buttons.accepted.emit()  # the columns as guessed: Open
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    assert window.state.data.path == str(path)
    assert window.state.data.n_classes == 2
    assert "ok.csv" in window.windowTitle()


def test_export_before_any_model_says_so(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(tmp_path / "m.json"), "")),
    )
    window.presenter.exports.dialog("model")
    assert window.errors and "no model yet" in window.errors[0]
    assert not (tmp_path / "m.json").exists()


def test_buttons_before_data_do_not_crash(qtbot, window):
    window.presenter.step()
    window.presenter.play()
    window.presenter.run_to_end()
    window.presenter.reset()
    assert "No data yet" in window.status_text
    assert window.presenter.runner.run_id == 0


def test_failed_run_on_new_data_shows_the_new_data_not_the_old_model(qtbot, window, load):
    load(window, SMALL)
    assert window.canvas.title.startswith("iteration 0")
    window.state.set_model(ModelSettings(n_components=50))
    window.presenter.generate(DatasetSpec("blobs", 12, None, 4))
    qtbot.waitUntil(lambda: bool(window.errors), timeout=20000)
    assert window.state.data.n_samples == 12
    assert window.state.shown_step is None and window.state.run is None
    assert window.canvas.title == ""
    assert window.em_panel.iteration.text() == "—"
    x, _ = window.likelihood.data()
    assert len(x) == 0
    # the new points are drawn in their true classes
    qtbot.waitUntil(lambda: window.canvas.shown_display is not None, timeout=5000)
    from gmmviz.scene import palette

    np.testing.assert_array_equal(
        window.canvas.markers.point_rgb(), palette.LABELS[window.state.data.y_true]
    )


def test_export_into_a_missing_folder_names_the_folder(qtbot, window, tmp_path, monkeypatch, load):
    load(window, SMALL)
    target = tmp_path / "missing" / "m.json"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    window.presenter.exports.dialog("model")
    assert window.errors
    assert f"the folder {target.parent} does not exist" in window.errors[-1]
    assert ".tmp" not in window.errors[-1]
    assert not target.parent.exists()


def test_export_onto_a_folder_says_so(qtbot, window, tmp_path, monkeypatch, load):
    load(window, SMALL)
    target = tmp_path / "taken.json"
    target.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    window.presenter.exports.dialog("model")
    qtbot.waitUntil(lambda: bool(window.errors), timeout=10000)
    assert f"{target} is a folder; choose a file name" in window.errors[-1]
    assert ".tmp" not in window.errors[-1]
    assert target.is_dir() and not list(tmp_path.glob(".*.tmp"))
