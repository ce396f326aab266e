"""Painted points are asked about before anything replaces them or the window closes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from gmmviz.qt import dialogs


def _paint_a_stroke(qtbot, window) -> None:
    """Real mouse events on the canvas, as a person paints; the window asks from now on."""
    window.presenter.unsaved.ask = True
    window.resize(1100, 760)
    qtbot.wait(50)
    window.act("paint").trigger()
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(200, 200))  # fmt: skip
    for i in range(8):
        QTest.mouseMove(viewport, QPoint(200 + 5 * i, 200))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(240, 200))  # fmt: skip
    qtbot.waitUntil(lambda: window.state.data is not None and window.state.data.n_samples > 0)
    assert window.state.data.title.startswith("Painted")
    window.act("paint").trigger()  # done painting


def _question(window) -> QMessageBox:
    boxes = [b for b in dialogs.open_boxes(window) if b.windowTitle() == "Unsaved painted points"]
    assert len(boxes) == 1
    return boxes[0]


def _click(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    button.click()


def test_generate_asks_and_cancel_keeps_the_points(qtbot, window):
    _paint_a_stroke(qtbot, window)
    painted = window.state.data
    window.presenter.generate()
    box = _question(window)
    assert "Generating new data" in box.text()
    _click(box, "Cancel")
    qtbot.wait(200)
    assert window.state.data is painted
    assert dialogs.open_boxes(window) == []


def test_discard_goes_on_and_asks_no_more(qtbot, window):
    _paint_a_stroke(qtbot, window)
    window.presenter.generate()
    _click(_question(window), "Discard")
    qtbot.waitUntil(lambda: not window.state.data.title.startswith("Painted"), timeout=10000)
    window.presenter.generate()  # nothing painted any more: no question
    qtbot.wait(100)
    assert dialogs.open_boxes(window) == []


@pytest.mark.parametrize("action", ["preset", "data file", "session"])
def test_every_replacing_action_asks(qtbot, window, tmp_path, action):
    _paint_a_stroke(qtbot, window)
    painted = window.state.data
    if action == "preset":
        window.presenter.load_preset(next(iter(window.preset_actions)))
        expected = "Loading a preset"
    elif action == "data file":
        path = tmp_path / "d.csv"
        path.write_text("x,y\n1,2\n3,4\n5,7\n")
        window.presenter.open_data(path)
        expected = "Opening a data file"
    else:
        window.presenter.open_data(tmp_path / "s.gmmviz")
        expected = "Opening a session"
    box = _question(window)
    assert expected in box.text()
    _click(box, "Cancel")
    qtbot.wait(100)
    assert window.state.data is painted


def test_save_writes_the_session_then_goes_on(qtbot, window, tmp_path, monkeypatch):
    _paint_a_stroke(qtbot, window)
    painted = window.state.data
    target = tmp_path / "painted.gmmviz"
    monkeypatch.setattr(dialogs, "export_path", lambda *a, **k: str(target))
    window.presenter.generate()
    _click(_question(window), "Save session…")
    qtbot.waitUntil(lambda: not window.state.data.title.startswith("Painted"), timeout=10000)
    assert target.exists()
    # the saved session holds the painted points
    window.presenter.open_data(target)
    qtbot.waitUntil(lambda: window.state.data.title.startswith("Painted"), timeout=10000)
    assert window.state.data.n_samples == painted.n_samples


def test_cancelling_the_file_dialog_keeps_everything(qtbot, window, monkeypatch):
    _paint_a_stroke(qtbot, window)
    painted = window.state.data
    monkeypatch.setattr(dialogs, "export_path", lambda *a, **k: None)
    window.presenter.generate()
    _click(_question(window), "Save session…")
    qtbot.wait(200)
    assert window.state.data is painted and window.presenter.unsaved.pending


def test_closing_asks_and_discard_closes(qtbot, window):
    _paint_a_stroke(qtbot, window)
    window.close()
    assert window.isVisible()  # asked instead of closing
    _click(_question(window), "Discard")
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.presenter.is_closed


def test_saving_a_session_ends_the_question(qtbot, window, tmp_path):
    _paint_a_stroke(qtbot, window)
    window.presenter.sessions.save(tmp_path / "kept.gmmviz")
    qtbot.waitUntil(lambda: not window.presenter.unsaved.pending, timeout=10000)
    window.presenter.generate()
    qtbot.wait(100)
    assert dialogs.open_boxes(window) == []
