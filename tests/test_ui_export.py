"""Every export of the File menu, checked by reading the file back."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from gmmviz.core import responsibilities
from gmmviz.core.datasets import DatasetSpec
from gmmviz.io import load_model
from gmmviz.ui import palette
from gmmviz.ui.export import image_is_blank
from gmmviz.ui.main_window import MainWindow
from gmmviz.ui.session import ModelSettings


@pytest.fixture
def fitted(qtbot):
    """A window that has run EM a few iterations on 400 moons with K=4."""
    w = MainWindow(remember=False)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.model_panel.set_settings(ModelSettings(4, tol=0.0, max_iter=6))
    w.generate(DatasetSpec("moons", 400, None, 3))
    qtbot.waitUntil(lambda: w.shown_step is not None, timeout=20000)
    with qtbot.waitSignal(w.runEnded, timeout=20000):
        w.run_to_end()
    qtbot.waitUntil(
        lambda: (
            w.canvas.shown_display is not None
            and w.canvas.shown_display.iteration == w.history.latest.iteration
        ),
        timeout=5000,
    )
    yield w
    w.close()


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_model_export_reads_back_exactly(fitted, tmp_path, suffix):
    path = tmp_path / f"model{suffix}"
    fitted.export_model(path)
    model = load_model(path)
    step = fitted.history.latest
    np.testing.assert_array_equal(model.weights_, step.weights)
    np.testing.assert_array_equal(model.means_, step.means)
    np.testing.assert_array_equal(model.covariances_, step.covariances)
    assert model.n_iter_ == step.iteration == 6
    assert model.lower_bound_ == step.log_likelihood
    assert model.covariance_type == "full" and model.n_components == 4
    X = fitted.data.X
    np.testing.assert_allclose(model.predict_proba(X), responsibilities(X, step.params))


def test_model_export_of_a_past_iteration(fitted, tmp_path):
    fitted.show_index(2)
    fitted.export_model(tmp_path / "past.json")
    model = load_model(tmp_path / "past.json")
    np.testing.assert_array_equal(model.means_, fitted.history[2].means)
    assert model.n_iter_ == 2


def test_labelled_data_csv_reads_back(fitted, qtbot, tmp_path):
    path = tmp_path / "labelled.csv"
    with qtbot.waitSignal(fitted.exportDone, timeout=10000):
        fitted.export_data(path)
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], np.array(rows[1:], dtype=float)
    assert header == ["x", "y", "true_label", "em_label"] + [f"resp_{k}" for k in range(4)]
    X, y = fitted.data.X, fitted.data.y_true
    R = responsibilities(X, fitted.history.latest.params)
    np.testing.assert_array_equal(body[:, :2], X)  # exact: floats written with repr
    np.testing.assert_array_equal(body[:, 2], y)
    np.testing.assert_array_equal(body[:, 3], R.argmax(axis=1))
    np.testing.assert_allclose(body[:, 4:], R, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(body[:, 4:].sum(axis=1), 1.0)


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_canvas_png_at_1x_and_2x(fitted, tmp_path, scale):
    path = tmp_path / f"canvas{scale}.png"
    fitted.export_canvas(path, scale)
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() == round(fitted.canvas.width() * scale)
    assert image.height() == round(fitted.canvas.height() * scale)
    assert not image_is_blank(image)
    # the points are there in their components' colours
    arr = _rgb(image)
    for k in range(4):
        colour = palette.LABELS[k].astype(int)
        assert (np.abs(arr - colour).max(axis=-1) <= 2).sum() > 10 * scale, k


def test_canvas_svg_is_a_drawing_of_the_points(fitted, tmp_path):
    path = tmp_path / "canvas.svg"
    fitted.export_canvas(path)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    shapes = [e for e in root.iter() if e.tag.split("}")[-1] in ("path", "ellipse", "circle")]
    assert len(shapes) >= fitted.data.n_samples  # every point is a vector shape
    text = path.read_text()
    assert "#1f77b4" in text.lower()  # the first component's colour


def test_window_png(fitted, tmp_path):
    path = tmp_path / "window.png"
    fitted.screenshot(path)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (fitted.width(), fitted.height())
    assert not image_is_blank(image)


def test_exports_from_the_file_menu(fitted, qtbot, tmp_path, monkeypatch):
    answers = iter(
        [
            str(tmp_path / "m"),  # no suffix: .json is added
            str(tmp_path / "c.png"),
            str(tmp_path / "c2.png"),
            str(tmp_path / "c.svg"),
            str(tmp_path / "w.png"),
            str(tmp_path / "d.csv"),
        ]
    )
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (next(answers), ""))
    )
    fitted.act_export_model.trigger()
    fitted.act_export_png.trigger()
    fitted.act_export_png2.trigger()
    fitted.act_export_svg.trigger()
    fitted.act_screenshot.trigger()
    with qtbot.waitSignal(fitted.exportDone, timeout=10000):
        fitted.act_export_data.trigger()
    assert load_model(tmp_path / "m.json").n_components == 4
    assert QImage(str(tmp_path / "c2.png")).width() == 2 * QImage(str(tmp_path / "c.png")).width()
    assert ET.parse(tmp_path / "c.svg").getroot().tag.endswith("svg")
    assert not image_is_blank(QImage(str(tmp_path / "w.png")))
    assert (tmp_path / "d.csv").read_text().startswith("x,y,true_label,em_label,resp_0")
    assert "d.csv" in fitted.statusBar().currentMessage()


def test_cancelled_dialog_writes_nothing(fitted, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    fitted.act_export_model.trigger()
    fitted.act_screenshot.trigger()
    assert list(tmp_path.iterdir()) == []


def test_export_to_an_unwritable_place_is_reported(fitted, tmp_path, monkeypatch):
    errors = []
    fitted.errorShown.connect(errors.append)
    target = tmp_path / "missing-dir" / "model.json"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    fitted.act_export_model.trigger()
    assert errors and errors[0].startswith("Export failed")
    assert fitted._message_box is not None and fitted._message_box.isVisible()
    fitted._message_box.close()


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    ptr = image.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=image.sizeInBytes())
    arr = arr.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3]
    return arr.reshape(image.height(), image.width(), 3).astype(int)
