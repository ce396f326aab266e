"""Wrong arguments of every kind to the ``gmmviz`` command, and outputs that cannot be
written, as one table: each case runs ``gmmviz.cli.main`` and names its exit status and the
one line of stderr it must print (never a traceback, nothing written).

Data-file contents (CSV, NPY, NPZ parsing) are the data loader's tests; the model files
given to ``gmmviz sample`` are refused by the loader of ``tests/io/test_bad_model_inputs.py``
and only reach the command here to check that it says so in one line.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from gmmviz import GaussianMixture
from gmmviz.cli import main
from gmmviz.io import save_model

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A data file, a good and a bad model, and a folder named like an output file, in the
    current directory (so the cases can name them as a person would)."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + 5])
    np.savetxt("data.csv", X, delimiter=",", header="a,b", comments="")
    model = GaussianMixture(2, random_state=0).fit(X)
    save_model(model, "model.json")
    record = json.loads(open("model.json").read())
    record["weights"] = [0.9, 0.9]
    with open("bad.json", "w") as fh:
        json.dump(record, fh)
    np.savez("pickled.npz", weights=np.array([object()], dtype=object))
    for name in ("folder.json", "folder.csv"):
        (tmp_path / name).mkdir()
    return tmp_path


# (id, argv, exit status, what stderr's one line must contain)
CASES = [
    ("K zero", ["fit", "data.csv", "--n-components", "0"], 2, "between 1 and 50; got 0"),
    ("K word", ["fit", "data.csv", "-k", "abc"], 2, "-k/--n-components: must be an integer"),
    ("K float", ["fit", "data.csv", "-k", "2.5"], 2, "must be an integer; got '2.5'"),
    ("K 1e9", ["fit", "data.csv", "-k", "1e9"], 2, "must be an integer; got '1e9'"),
    ("K above points", ["fit", "data.csv", "-k", "50", "--reg-covar", "0"], 1, "fitting failed"),
    ("tol negative", ["fit", "data.csv", "--tol", "-1"], 2, "--tol: must be a number between"),
    ("tol nan", ["fit", "data.csv", "--tol", "nan"], 2, "got nan"),
    ("tol inf", ["fit", "data.csv", "--tol", "1e400"], 2, "got inf"),
    ("max-iter zero", ["fit", "data.csv", "--max-iter", "0"], 2, "--max-iter: must be an"),
    ("max-iter float", ["fit", "data.csv", "--max-iter", "1.5"], 2, "got '1.5'"),
    ("reg-covar negative", ["fit", "data.csv", "--reg-covar", "-1"], 2, "--reg-covar: must be"),
    ("n-init zero", ["fit", "data.csv", "--n-init", "0"], 2, "between 1 and 100; got 0"),
    ("covariance type", ["fit", "data.csv", "--covariance-type", "round"], 2, "'round'"),
    ("init", ["fit", "data.csv", "--init", "spectral"], 2, "invalid choice: 'spectral'"),
    ("random-state word", ["fit", "data.csv", "--random-state", "x"], 2, "got 'x'"),
    ("seed negative", ["fit", "--dataset", "moons", "--seed", "-1"], 2, "--seed: must be"),
    ("n-samples 5", ["fit", "--dataset", "moons", "--n-samples", "5"], 2, "between 10 and"),
    ("unknown dataset", ["fit", "--dataset", "spiral"], 2, "invalid choice: 'spiral'"),
    ("data is a folder", ["fit", "folder.csv"], 2, "folder.csv"),
    (
        "output folder missing",
        ["fit", "data.csv", "-o", "missing/m.json"],
        2,
        "--output directory 'missing' does not exist",
    ),
    (
        "output onto a folder",
        ["fit", "data.csv", "-o", "folder.json"],
        2,
        "--output 'folder.json' is a directory; give a file name",
    ),
    ("output suffix", ["fit", "data.csv", "-o", "m.pkl"], 2, "--output must end in .json or"),
    (
        "sample zero points",
        ["sample", "model.json", "-n", "0", "-o", "s.csv"],
        2,
        "between 10 and 1,000,000; got 0",
    ),
    (
        "sample missing model",
        ["sample", "absent.json", "-n", "10", "-o", "s.csv"],
        2,
        "absent.json: no such file",
    ),
    (
        "sample bad model",
        ["sample", "bad.json", "-n", "10", "-o", "s.csv"],
        2,
        "bad.json: 'weights' sum to 1.8, not 1",
    ),
    (
        "sample pickled model",
        ["sample", "pickled.npz", "-n", "10", "-o", "s.csv"],
        2,
        "Object arrays cannot be loaded when allow_pickle=False",
    ),
    (
        "sample model is a folder",
        ["sample", "folder.json", "-n", "10", "-o", "s.csv"],
        2,
        "is a directory",
    ),
    (
        "sample onto a folder",
        ["sample", "model.json", "-n", "10", "-o", "folder.csv"],
        2,
        "--output 'folder.csv' is a directory",
    ),
    (
        "sample into a missing folder",
        ["sample", "model.json", "-n", "10", "-o", "no/s.csv"],
        2,
        "--output directory 'no' does not exist",
    ),
    ("select K zero", ["select", "data.csv", "--k-max", "0"], 2, "--k-max: must be an integer"),
    ("select covariance", ["select", "data.csv", "--covariance-types", "x"], 2, "choice: 'x'"),
    (
        "select table onto a folder",
        ["select", "data.csv", "--k-max", "2", "--csv", "folder.csv"],
        2,
        "--csv 'folder.csv' is a directory",
    ),
    (
        "select table folder missing",
        ["select", "data.csv", "--k-max", "2", "--csv", "no/t.csv"],
        2,
        "--csv directory 'no' does not exist",
    ),
    # the window's own options: argparse's usage, then the one error line (exit 2)
    ("window K word", ["data.csv", "-k", "abc"], 2, "-k/--n-components: must be an integer"),
    ("window unknown option", ["--bogus"], 2, "unrecognized arguments: --bogus"),
    ("misspelt command", ["fitt", "data.csv"], 2, "unrecognized arguments: data.csv"),
]


@pytest.mark.parametrize(
    ("argv", "status", "message"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_bad_arguments(files, capsys, argv, status, message) -> None:
    before = sorted(p.name for p in files.iterdir())
    try:
        rc = main(argv)
    except SystemExit as exc:  # the window's usage errors go through argparse (documented)
        assert argv[0] not in ("fit", "sample", "select"), "a subcommand called sys.exit"
        rc = exc.code
    captured = capsys.readouterr()
    assert rc == status, (captured.out, captured.err)
    lines = captured.err.strip().splitlines()
    if argv[0] in ("fit", "sample", "select"):
        assert len(lines) == 1, captured.err  # one line, no usage block
    assert lines[-1].startswith("gmmviz") and ": error: " in lines[-1], captured.err
    assert message in lines[-1], lines[-1]
    assert "Traceback" not in captured.err + captured.out
    assert sorted(p.name for p in files.iterdir()) == before  # nothing written, no temporaries
