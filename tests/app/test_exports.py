"""The Qt-free exports of the app (gmmviz.app.exports): file modes and component numbering."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gmmviz.app.exports import labelled_arrays, write_labelled_csv, write_model
from gmmviz.core import GaussianMixture
from gmmviz.core.datasets import make_dataset
from gmmviz.core.em import EMStep, MixtureParams
from gmmviz.io import load_data, load_model, save_labelled_data_csv, save_model


@pytest.fixture(scope="module")
def step() -> EMStep:
    """A snapshot of a 3-component fit of the blobs."""
    X, _ = make_dataset("blobs", 300, seed=1)
    model = GaussianMixture(3, random_state=0).fit(X)
    params = MixtureParams.from_covariances(
        model.weights_, model.means_, model.covariances_, model.covariance_type
    )
    return EMStep(model.n_iter_, params, float(model.score(X)), 0.0, True)


@pytest.fixture
def umask():
    """Set the process umask for one test and restore it afterwards."""
    old = os.umask(0o022)
    os.umask(old)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_exports_are_ordinary_files_that_honour_the_umask(step, tmp_path, umask, mask, expected):
    umask(mask)
    X, y = make_dataset("blobs", 300, seed=1)
    written = [
        write_model(tmp_path / "m.json", [step], None),
        write_model(tmp_path / "m.npz", [step], None),
        write_labelled_csv(tmp_path / "d.csv", X, y, step.params),
    ]
    for path in written:
        assert _mode(path) == expected, f"{path.name}: {oct(_mode(path))}"
    # no temporary file is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "m.json", "m.npz"]


def test_replacing_a_file_still_honours_the_umask(step, tmp_path, umask):
    umask(0o022)
    path = tmp_path / "m.json"
    path.write_text("old")
    path.chmod(0o600)
    save_model(load_model(write_model(tmp_path / "first.json", [step], None)), path)
    assert _mode(path) == 0o644
    assert load_model(path).n_components == 3


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def test_the_csv_numbers_components_from_1_like_the_window(step, tmp_path):
    X, y = make_dataset("blobs", 300, seed=1)
    path = write_labelled_csv(tmp_path / "d.csv", X, y, step.params)
    rows = _read(path)
    assert rows[0] == ["x", "y", "true_label", "em_label", "resp_1", "resp_2", "resp_3"]
    body = np.array(rows[1:], dtype=float)
    labels, resp = labelled_arrays(X, step.params)
    np.testing.assert_array_equal(body[:, 3], labels + 1)
    assert set(body[:, 3].astype(int)) == {1, 2, 3}
    # column resp_k holds the responsibility of component k (1-based), em_label its argmax
    np.testing.assert_array_equal(body[:, 4:].argmax(axis=1) + 1, body[:, 3])
    np.testing.assert_allclose(body[:, 4:], resp, rtol=1e-12, atol=1e-300)
    # the file still reads back as its points and true labels
    X2, y2 = load_data(path)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


def test_csv_writer_refuses_labels_that_are_not_components(tmp_path):
    path = tmp_path / "bad.csv"
    resp = np.full((3, 2), 0.5)
    with pytest.raises(ValueError, match=r"em_labels must be component indices 0\.\.1"):
        save_labelled_data_csv(path, np.zeros((3, 2)), None, [0, 2, 1], resp)
    assert not path.exists()


def test_io_and_app_never_import_qt():
    code = (
        "import sys, gmmviz.io, gmmviz.app, gmmviz.app.exports\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6',"
        " 'shiboken6', 'pyqtgraph') or m.startswith('gmmviz.qt')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_the_window_and_gmmviz_fit_give_the_same_model(tmp_path, covariance_type):
    """Defect 3: moons 200, K=16, seed 0: the window's file had n_iter_ 17 (one M-step behind
    ``gmmviz fit``'s 18) and an empty ``lower_bounds``."""
    from gmmviz.app.runs import em_run
    from gmmviz.app.settings import ModelSettings

    X, _ = make_dataset("moons", 200, noise=0.05, seed=0)
    settings = ModelSettings(16, covariance_type, "kmeans", 100, 1e-3, 1e-6, 0)
    steps = list(em_run(X, settings))  # what the window's run produces, to its end
    saved = load_model(write_model(tmp_path / "window.json", steps, settings))
    fitted = GaussianMixture(
        16, covariance_type=covariance_type, tol=1e-3, reg_covar=1e-6, random_state=0
    ).fit(X)
    assert saved.n_iter_ == fitted.n_iter_ and saved.converged_ == fitted.converged_
    np.testing.assert_array_equal(saved.means_, fitted.means_)
    np.testing.assert_array_equal(saved.covariances_, fitted.covariances_)
    np.testing.assert_array_equal(saved.weights_, fitted.weights_)
    assert len(saved.lower_bounds_) == fitted.n_iter_  # the curve the person saw
    np.testing.assert_array_equal(saved.lower_bounds_, fitted.lower_bounds_)
    assert saved.lower_bound_ == fitted.lower_bound_
