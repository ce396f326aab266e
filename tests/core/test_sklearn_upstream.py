"""scikit-learn's own GaussianMixture tests, run against gmmviz's estimator.

The installed ``sklearn/mixture/tests/test_gaussian_mixture.py`` is copied at test time with
one line changed (``from sklearn.mixture import GaussianMixture`` becomes gmmviz's) and run
by pytest in a subprocess, with scikit-learn's conftest for its fixtures
(``global_dtype``, ``global_random_seed``). The file itself is never committed here.

Deselected, each with its reason (:data:`DESELECTED`): tests that reach into scikit-learn's
private methods or module functions rather than the public API. float32 tests stay skipped
as in scikit-learn's default run (``SKLEARN_RUN_FLOAT32_TESTS`` unset): gmmviz computes in
float64 whatever the input dtype.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sklearn = pytest.importorskip("sklearn")

UPSTREAM = Path(sklearn.__file__).parent / "mixture" / "tests" / "test_gaussian_mixture.py"
IMPORT = "from sklearn.mixture import GaussianMixture\n"

_SKLEARN_PRIVATE_ONLY = (
    "tests scikit-learn's private module functions only (never a GaussianMixture): "
    "nothing of gmmviz's runs"
)
DESELECTED: dict[str, str] = {
    "test_suffstat_sk_full": _SKLEARN_PRIVATE_ONLY
    + " (_estimate_gaussian_covariances_full, _compute_precision_cholesky)",
    "test_suffstat_sk_tied": _SKLEARN_PRIVATE_ONLY
    + " (_estimate_gaussian_covariances_tied, _compute_precision_cholesky)",
    "test_suffstat_sk_diag": _SKLEARN_PRIVATE_ONLY
    + " (_estimate_gaussian_covariances_diag, _compute_precision_cholesky)",
    "test_gaussian_suffstat_sk_spherical": _SKLEARN_PRIVATE_ONLY
    + " (_estimate_gaussian_covariances_spherical)",
    "test_compute_log_det_cholesky": _SKLEARN_PRIVATE_ONLY + " (_compute_log_det_cholesky)",
    "test_gaussian_mixture_log_probabilities": _SKLEARN_PRIVATE_ONLY
    + " (_estimate_log_gaussian_prob)",
    "test_gaussian_mixture_precisions_init": (
        "calls scikit-learn's private BaseMixture methods gmm._set_parameters() and "
        "gmm._initialize(X, resp) on the estimator"
    ),
    "test_gaussian_mixture_all_init_does_not_estimate_gaussian_parameters": (
        "patches scikit-learn's private module function "
        "sklearn.mixture._gaussian_mixture._estimate_gaussian_parameters and counts its "
        "calls: gmmviz's EM never calls it"
    ),
}


def test_scikit_learns_gaussian_mixture_tests_pass(tmp_path: Path) -> None:
    source = UPSTREAM.read_text(encoding="utf-8")
    assert source.count(IMPORT) == 1, "scikit-learn's test file changed its import"
    (tmp_path / "test_upstream_gaussian_mixture.py").write_text(
        source.replace(IMPORT, "from gmmviz import GaussianMixture\n"), encoding="utf-8"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    for name in DESELECTED:
        assert f"def {name}(" in source, f"{name} is no longer in scikit-learn's tests"
    env = {k: v for k, v in os.environ.items() if k != "SKLEARN_RUN_FLOAT32_TESTS"}
    repo = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), env.get("PYTHONPATH")]))
    # Deselect by exact function name (``-k`` would match prefixes of kept tests too).
    (tmp_path / "conftest.py").write_text(
        f"DESELECTED = {sorted(DESELECTED)!r}\n"
        "def pytest_collection_modifyitems(config, items):\n"
        "    kept = [i for i in items if i.originalname not in DESELECTED]\n"
        "    config.hook.pytest_deselected(items=[i for i in items if i not in kept])\n"
        "    items[:] = kept\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "sklearn.conftest",
            "test_upstream_gaussian_mixture.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0, summary
    assert " passed" in result.stdout and "failed" not in result.stdout, summary
    assert " deselected" in result.stdout, summary
