"""One numba policy: GMMVIZ_BACKEND, the warm-up registry and the compiled leaves."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from gmmviz.core import backend, point_summary
from gmmviz.core._kernels import summary
from gmmviz.core.init import initialise

needs_numba = pytest.mark.skipif(backend.numba is None, reason="numba not installed")


def _params(X, k=3):
    return initialise(X, k, covariance_type="full", init_params="kmeans", random_state=0)


def test_environment_forces_numpy_in_the_core_and_the_display_pass(monkeypatch):
    X = np.random.default_rng(0).normal(size=(summary.NUMBA_MIN_POINTS + 5, 2))
    params = _params(X)
    monkeypatch.setenv(backend.ENV_VAR, "numpy")
    assert backend.default_backend() == "numpy"
    assert not backend.numba_ready()

    def refuse(*args, **kwargs):
        raise AssertionError("the numba pass ran although GMMVIZ_BACKEND=numpy")

    monkeypatch.setattr(summary, "_fused_summary", refuse, raising=False)
    out = point_summary(X, params, np.eye(3) * 255, 0)
    assert out.labels.shape == (X.shape[0],)
    from gmmviz.scene import raster

    assert raster.rasterise(np.arange(10), np.ones((10, 3)), (2, 5)).shape == (2, 5, 4)


@needs_numba
def test_large_data_uses_numba_when_ready(monkeypatch):
    monkeypatch.delenv(backend.ENV_VAR, raising=False)
    assert summary.summary_backend(summary.NUMBA_MIN_POINTS, None) == (
        "numba" if backend.numba_ready() else "numpy"
    )
    assert summary.summary_backend(10, None) == "numpy"


def test_resolve_backend_validates():
    with pytest.raises(ValueError, match="backend must be one of"):
        backend.resolve_backend("cuda")
    assert backend.resolve_backend("numpy") == "numpy"


def test_one_warm_up_thread_covers_every_compiled_module():
    code = (
        "import threading\n"
        "import gmmviz.core, gmmviz.scene.raster\n"
        "from gmmviz.core import backend\n"
        "names = {f.__module__ for f in backend._warm_ups}\n"
        "want = {'gmmviz.core._kernels.estep', 'gmmviz.core._kernels.linalg',"
        " 'gmmviz.core._kernels.estep_diag',"
        " 'gmmviz.core._kernels.kmeans', 'gmmviz.core._kernels.summary', 'gmmviz.scene.raster'}\n"
        "assert want <= names, names\n"
        "backend.start_warm_up(); backend.start_warm_up()\n"
        "warm = [t for t in threading.enumerate() if 'warm-up' in t.name]\n"
        "assert len(warm) <= 1, warm\n"
        "backend.join_warm_up()\n"
        "assert backend.warm_up_done() or backend.numba is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_leaves_import_nothing_above_the_backend():
    import ast
    from pathlib import Path

    root = Path(summary.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and "gmmviz" in node.module:
                # the backend, or a sibling leaf (never a module above the kernels)
                assert node.module == "gmmviz.core.backend" or node.module.startswith(
                    "gmmviz.core._kernels"
                ), (path.name, node.module)
