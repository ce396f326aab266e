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
from gmmviz.io import load_model
from gmmviz.qt import dialogs
from gmmviz.qt.export import image_is_blank
from gmmviz.scene import palette


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_model_export_reads_back_exactly(fitted, tmp_path, suffix):
    path = tmp_path / f"model{suffix}"
    fitted.presenter.exports.model(path)
    model = load_model(path)
    step = fitted.state.run.latest
    np.testing.assert_array_equal(model.weights_, step.weights)
    np.testing.assert_array_equal(model.means_, step.means)
    np.testing.assert_array_equal(model.covariances_, step.covariances)
    assert model.n_iter_ == step.iteration == 6
    # scikit-learn's lower bounds: the curve the person saw, up to the shown iteration
    _, curve = fitted.state.run.log_likelihoods()
    np.testing.assert_array_equal(model.lower_bounds_, curve[:-1])
    assert model.lower_bound_ == curve[-2]
    assert model.covariance_type == "full" and model.n_components == 4
    X = fitted.state.data.X
    np.testing.assert_allclose(model.predict_proba(X), responsibilities(X, step.params))


def test_model_export_of_a_past_iteration(fitted, tmp_path):
    fitted.presenter.show_index(2)
    fitted.presenter.exports.model(tmp_path / "past.json")
    model = load_model(tmp_path / "past.json")
    np.testing.assert_array_equal(model.means_, fitted.state.run[2].means)
    assert model.n_iter_ == 2
    np.testing.assert_array_equal(model.lower_bounds_, fitted.state.run.log_likelihoods()[1][:2])


def test_labelled_data_csv_reads_back(fitted, qtbot, tmp_path):
    path = tmp_path / "labelled.csv"
    with qtbot.waitSignal(fitted.presenter.exports.exportDone, timeout=10000):
        fitted.presenter.exports.data(path)
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], np.array(rows[1:], dtype=float)
    assert header == ["x", "y", "true_label", "em_label"] + [f"resp_{k}" for k in range(1, 5)]
    X, y = fitted.state.data.X, fitted.state.data.y_true
    R = responsibilities(X, fitted.state.run.latest.params)
    np.testing.assert_array_equal(body[:, :2], X)  # exact: floats written with repr
    np.testing.assert_array_equal(body[:, 2], y)
    np.testing.assert_array_equal(body[:, 3], R.argmax(axis=1) + 1)  # components from 1
    np.testing.assert_allclose(body[:, 4:], R, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(body[:, 4:].sum(axis=1), 1.0)


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_canvas_png_at_1x_and_2x(qtbot, fitted, tmp_path, scale):
    path = tmp_path / f"canvas{scale}.png"
    with qtbot.waitSignal(fitted.presenter.exports.exportDone, timeout=10000) as done:
        fitted.presenter.exports.canvas(path, scale)
        assert fitted.presenter.tasks.busy  # encoded in the background, not on the GUI thread
    assert done.args == [str(path)]
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
    fitted.presenter.exports.canvas(path)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    shapes = [e for e in root.iter() if e.tag.split("}")[-1] in ("path", "ellipse", "circle")]
    assert len(shapes) >= fitted.state.data.n_samples  # every point is a vector shape
    text = path.read_text()
    assert "#1f77b4" in text.lower()  # the first component's colour


def test_window_png(fitted, tmp_path):
    path = tmp_path / "window.png"
    fitted.presenter.exports.window(path)
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
    fitted.act("export_model").trigger()
    fitted.act("export_png").trigger()
    fitted.act("export_png2").trigger()
    fitted.act("export_svg").trigger()
    fitted.act("screenshot").trigger()
    with qtbot.waitSignal(
        fitted.presenter.exports.exportDone, timeout=10000,
        check_params_cb=lambda path: path.endswith("d.csv"),
    ):  # fmt: skip
        fitted.act("export_data").trigger()
    assert load_model(tmp_path / "m.json").n_components == 4
    assert QImage(str(tmp_path / "c2.png")).width() == 2 * QImage(str(tmp_path / "c.png")).width()
    assert ET.parse(tmp_path / "c.svg").getroot().tag.endswith("svg")
    assert not image_is_blank(QImage(str(tmp_path / "w.png")))
    assert (tmp_path / "d.csv").read_text().startswith("x,y,true_label,em_label,resp_1,")
    assert "d.csv" in fitted.status_text


def test_cancelled_dialog_writes_nothing(fitted, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    fitted.act("export_model").trigger()
    fitted.act("screenshot").trigger()
    assert list(tmp_path.iterdir()) == []


def test_export_to_an_unwritable_place_is_reported(fitted, tmp_path, monkeypatch):
    errors = []
    fitted.presenter.errorShown.connect(errors.append)
    target = tmp_path / "missing-dir" / "model.json"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    fitted.act("export_model").trigger()
    assert errors and errors[0].startswith("Export failed")
    boxes = dialogs.open_boxes(fitted)
    assert boxes and boxes[-1].isVisible() and errors[0] in boxes[-1].text()


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    ptr = image.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=image.sizeInBytes())
    arr = arr.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3]
    return arr.reshape(image.height(), image.width(), 3).astype(int)
