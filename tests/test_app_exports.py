"""The Qt-free exports of the app (gmmviz.app.exports): file modes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gmmviz.app.exports import write_labelled_csv, write_model
from gmmviz.core.datasets import make_dataset
from gmmviz.core.em import EMStep, MixtureParams
from gmmviz.core.mixture import GaussianMixture
from gmmviz.io import load_model, save_model


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
        write_model(tmp_path / "m.json", step, None),
        write_model(tmp_path / "m.npz", step, None),
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
    save_model(load_model(write_model(tmp_path / "first.json", step, None)), path)
    assert _mode(path) == 0o644
    assert load_model(path).n_components == 3


def test_io_and_app_never_import_qt():
    code = (
        "import sys, gmmviz.io, gmmviz.app, gmmviz.app.exports\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6',"
        " 'shiboken6', 'pyqtgraph') or m.startswith('gmmviz.ui')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
