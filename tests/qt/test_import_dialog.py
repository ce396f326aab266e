"""Opening a file: the column dialog, bad rows dropped only on request, progress and Cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.io import load_data, read_table
from gmmviz.qt import data_import

SMALL = DatasetSpec("blobs", 200, None, 0)
SPECIES = ("setosa", "versicolor", "virginica")


def _iris_like(tmp_path, n: int = 60, holes: tuple[int, ...] = (), extra_text: bool = False):
    rng = np.random.default_rng(0)
    header = ["id"] * extra_text + ["sepal length", "sepal width", "petal length", "species"]
    lines = [",".join(header)]
    for i in range(n):
        k = i % 3
        values = [f"{v:.2f}" for v in rng.normal(k * 2, 0.3, size=3)]
        if i in holes:
            values[1] = ""
        lines.append(",".join([f"row{i}"] * extra_text + values + [SPECIES[k]]))
    path = tmp_path / "flowers.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _open_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Open)


def _dialog(qtbot, window):
    qtbot.waitUntil(lambda: window.presenter.importer.dialog is not None, timeout=20000)
    dialog = window.presenter.importer.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    return dialog


def test_bad_rows_are_shown_and_dropped_only_when_ticked(qtbot, window, tmp_path, load):
    load(window, SMALL)
    before, steps = window.state.data, len(window.state.run)
    path = _iris_like(tmp_path, holes=(4, 9, 10))
    window.presenter.open_data(path)  # not asked: the bad rows make the dialog show
    dialog = _dialog(qtbot, window)
    assert "3 of 60 rows" in dialog.bad.text() and "line 6" in dialog.bad.text()
    assert not _open_button(dialog).isEnabled()  # nothing is dropped without consent
    dialog.reject()
    qtbot.waitUntil(lambda: "Nothing opened" in window.status_text, timeout=5000)
    assert window.state.data is before and len(window.state.run) == steps  # nothing lost
    assert window.errors == []

    window.presenter.open_data(path)
    dialog = _dialog(qtbot, window)
    dialog.drop.setChecked(True)
    assert _open_button(dialog).isEnabled()
    _open_button(dialog).click()
    qtbot.waitUntil(lambda: window.state.data is not before and window.state.shown_step
                    is not None, timeout=20000)  # fmt: skip
    data = window.state.data
    assert data.n_samples == 57 and data.n_features == 3
    assert data.n_classes == 3 and "3 rows dropped" in data.title
    assert data.feature_names == ("sepal length", "sepal width", "petal length")
    assert data.choice.drop_bad_rows


def test_text_columns_are_left_out_and_a_label_can_be_chosen(qtbot, window, tmp_path):
    path = _iris_like(tmp_path, extra_text=True)
    window.state.set_model(ModelSettings(n_components=3))
    window.presenter.open_data(path)  # two text columns: the person decides
    dialog = _dialog(qtbot, window)
    assert dialog.label.currentText() == "none"
    assert "id" in dialog.left_out.text() and "species" in dialog.left_out.text()
    assert dialog.preview.item(0, 0).text() == "row0"
    dialog.label.setCurrentIndex(dialog.label.findText("species"))
    assert "species" not in dialog.left_out.text()
    dialog.features.item(3).setCheckState(Qt.CheckState.Unchecked)  # petal length out
    _open_button(dialog).click()
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    data = window.state.data
    assert data.feature_names == ("sepal length", "sepal width")
    table = read_table(path)
    np.testing.assert_array_equal(data.X, table.numbers[:, [1, 2]])
    np.testing.assert_array_equal(data.y_true, np.arange(60) % 3)


def test_fewer_than_two_features_cannot_be_opened(qtbot, window, tmp_path):
    path = _iris_like(tmp_path)
    window.presenter.open_data(path, ask=True)
    dialog = _dialog(qtbot, window)
    assert _open_button(dialog).isEnabled()
    for j in (0, 1):
        dialog.features.item(j).setCheckState(Qt.CheckState.Unchecked)
    assert not _open_button(dialog).isEnabled()
    assert "at least two" in dialog.problem.text()
    dialog.reject()


def test_a_clean_file_opens_without_asking(qtbot, window, tmp_path):
    path = _iris_like(tmp_path)
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    assert window.presenter.importer.dialog is None
    assert window.state.data.n_classes == 3


@pytest.fixture
def slow_reader(monkeypatch):
    """Reading waits until it is cancelled or released, so that Cancel is tested for sure."""
    release = threading.Event()
    real = data_import._read

    def slow(path, progress, cancelled):
        progress(0.25)
        while not (cancelled.is_set() or release.is_set()):
            cancelled.wait(0.01)
        return real(path, progress, cancelled)

    monkeypatch.setattr(data_import, "_read", slow)
    yield release
    release.set()


def test_cancel_while_reading_keeps_everything(qtbot, window, tmp_path, load, slow_reader):
    load(window, SMALL)
    before, steps = window.state.data, len(window.state.run)
    window.presenter.open_data(_iris_like(tmp_path))
    importer = window.presenter.importer
    qtbot.waitUntil(lambda: importer.progress is not None and importer.progress.isVisible(),
                    timeout=5000)  # fmt: skip
    assert importer.progress.value() == 250  # the worker's progress reached the bar
    importer.progress.findChild(QPushButton).click()  # the dialog's Cancel
    qtbot.waitUntil(lambda: "cancelled" in window.status_text, timeout=5000)
    qtbot.waitUntil(lambda: not window.presenter.tasks.busy, timeout=5000)
    assert window.state.data is before and len(window.state.run) == steps
    assert importer.dialog is None and window.errors == []


def test_generate_while_reading_wins(qtbot, window, tmp_path, load, slow_reader):
    window.presenter.open_data(_iris_like(tmp_path, holes=(1,)))
    load(window, SMALL)
    slow_reader.set()
    qtbot.waitUntil(lambda: not window.presenter.tasks.busy, timeout=5000)
    qtbot.wait(50)
    assert window.presenter.importer.dialog is None  # the older file asks nothing
    assert window.state.data.spec == SMALL


def test_a_file_keeps_its_column_and_class_names_to_the_export(qtbot, window, tmp_path):
    import csv

    path = _iris_like(tmp_path)
    window.state.set_model(ModelSettings(n_components=3))
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: window.canvas.shown_display is not None
                    and window.state.shown_step is not None, timeout=20000)  # fmt: skip
    assert window.state.data.class_names == SPECIES
    window.presenter.set_view(colour_by="true")
    qtbot.waitUntil(lambda: window.canvas.legend is not None, timeout=5000)
    legend = [label.text for _, label in window.canvas.legend.items]
    assert legend[:3] == list(SPECIES)
    out = tmp_path / "labelled.csv"
    window.presenter.exports.data(out)
    qtbot.waitUntil(out.exists, timeout=10000)
    with open(out, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["sepal length", "sepal width", "petal length", "true_label"]
    assert [r[3] for r in rows[1:4]] == list(SPECIES)
    X, y = load_data(out)
    np.testing.assert_array_equal(X, window.state.data.X)
    np.testing.assert_array_equal(y, window.state.data.y_true)  # names read back as codes


def test_numeric_labels_are_named_alike_in_the_legend_and_the_confusion_matrix(
    qtbot, window, tmp_path
):
    """Wine's classes are 1, 2, 3: the legend said class 0..2 while the confusion matrix
    said class 1..3 (found by a new user's trial)."""
    rng = np.random.default_rng(0)
    rows = ["a,b,class"] + [
        f"{rng.normal(3 * c):.4f},{rng.normal(-2 * c):.4f},{c}"
        for c in (1, 2, 3)
        for _ in range(40)
    ]
    path = tmp_path / "wine_like.csv"
    path.write_text("\n".join(rows) + "\n")
    window.state.set_model(ModelSettings(n_components=3))
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: window.canvas.shown_display is not None
                    and window.state.shown_step is not None, timeout=20000)  # fmt: skip
    window.presenter.set_view(colour_by="true")
    qtbot.waitUntil(lambda: window.canvas.legend is not None, timeout=5000)
    legend = [label.text for _, label in window.canvas.legend.items][:3]
    assert legend == ["class 1", "class 2", "class 3"]
    table = window.metrics_panel.table
    qtbot.waitUntil(lambda: table.rowCount() == 3, timeout=10000)
    rows_named = [table.verticalHeaderItem(i).text() for i in range(3)]
    assert rows_named == legend
