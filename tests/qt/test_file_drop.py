"""A data file dropped on the window opens it; anything else is refused before the drop."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from gmmviz.app.settings import ModelSettings


def _mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _enter(window, mime: QMimeData) -> bool:
    event = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    event.ignore()
    QApplication.sendEvent(window, event)
    return event.isAccepted()


def test_dropping_a_csv_opens_it(qtbot, window, tmp_path):
    path = tmp_path / "dropped.csv"
    path.write_text("x,y,label\n" + "\n".join(f"{i % 7},{i % 5},{i % 2}" for i in range(40)))
    window.state.set_model(ModelSettings(n_components=2))
    assert window.acceptDrops()
    mime = _mime(path)
    assert _enter(window, mime)
    drop = QDropEvent(
        QPoint(10, 10).toPointF(), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(window, drop)
    importer = window.presenter.importer
    qtbot.waitUntil(lambda: importer.dialog is not None, timeout=20000)  # columns to confirm
    importer.dialog.buttons.accepted.emit()
    qtbot.waitUntil(
        lambda: window.state.data is not None and window.state.data.path == str(path),
        timeout=20000,
    )
    assert window.state.data.n_classes == 2
    assert "dropped.csv" in window.windowTitle()


@pytest.mark.parametrize("names", [("notes.pdf",), ("a.csv", "b.csv"), ()])
def test_other_drops_are_refused(window, tmp_path, names):
    paths = [tmp_path / name for name in names]
    for path in paths:
        path.write_text("1,2\n3,4\n")
    assert not _enter(window, _mime(*paths))


def test_a_web_link_is_refused(window):
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.org/data.csv")])
    assert not _enter(window, mime)
