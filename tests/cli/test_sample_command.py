"""Tests of ``gmmviz sample``: draw points from a saved model into a CSV file."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from gmmviz import cli
from gmmviz.cli.sample import main
from gmmviz.core.mixture import GaussianMixture
from gmmviz.core.sampling import sample
from gmmviz.io import load_data, save_model


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(100, 3) + c for c in ([0, 0, 0], [6, 0, 0], [0, 6, 6])])
    model = GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    path = tmp_path_factory.mktemp("models") / "model.json"
    save_model(model, path)
    return path, model


def _error(capsys, argv) -> str:
    rc = main(argv)
    captured = capsys.readouterr()
    assert rc == 2, (captured.out, captured.err)
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("gmmviz sample: error: ")
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def test_writes_the_seeded_draw(tmp_path, capsys, model_file) -> None:
    path, model = model_file
    out = tmp_path / "new.csv"
    assert main([str(path), "-n", "400", "-o", str(out), "--seed", "7"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines == [f"wrote 400 points from 3 diag components in 3 dimensions to {out} (seed 7)"]
    assert out.read_text().splitlines()[0] == "x1,x2,x3,component"
    X, y = load_data(out)
    X_ref, y_ref = sample(model.params_, 400, np.random.RandomState(7))
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref + 1)  # components numbered from 1
    assert set(np.unique(y)) <= {1, 2, 3}


def test_default_seed_is_zero_and_reproducible(tmp_path, capsys, model_file) -> None:
    path, _ = model_file
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main([str(path), "-n", "50", "-o", str(a)]) == 0
    assert main([str(path), "-n", "50", "-o", str(b), "--seed", "0"]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert "(seed 0)" in capsys.readouterr().out


def test_matches_scikit_learn_sample(tmp_path, capsys, model_file) -> None:
    to_sklearn = pytest.importorskip("gmmviz.io").to_sklearn
    pytest.importorskip("sklearn")
    path, model = model_file
    out = tmp_path / "s.csv"
    assert main([str(path), "-n", "120", "-o", str(out), "--seed", "3"]) == 0
    reference = to_sklearn(model).set_params(random_state=3)
    X_ref, y_ref = reference.sample(120)
    X, y = load_data(out)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref + 1)


def test_through_the_gmmviz_command(tmp_path, model_file) -> None:
    path, _ = model_file
    out = tmp_path / "new.csv"
    result = subprocess.run(
        [sys.executable, "-m", "gmmviz", "sample", str(path), "-n", "400", "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote 400 points")
    assert load_data(out)[0].shape == (400, 3)


def test_listed_in_the_main_help(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "sample" in capsys.readouterr().out.split("commands:", 1)[1]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b"{not json", "not valid JSON"),
        (b'{"format": "other"}', "model"),
    ],
)
def test_bad_model_file(tmp_path, capsys, content, problem) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    line = _error(capsys, [str(bad), "-n", "10", "-o", str(tmp_path / "o.csv")])
    assert str(bad) in line and problem in line
    assert not (tmp_path / "o.csv").exists()


def test_bad_paths(tmp_path, capsys, model_file) -> None:
    path, _ = model_file
    out = str(tmp_path / "o.csv")
    assert "absent.json: no such file" in _error(
        capsys, [str(tmp_path / "absent.json"), "-n", "10", "-o", out]
    )
    assert "unsupported model file type '.pkl'" in _error(
        capsys, [str(tmp_path / "m.pkl"), "-n", "10", "-o", out]
    )
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert "is a directory" in _error(capsys, [str(folder), "-n", "10", "-o", out])
    assert "--output must end in .csv" in _error(capsys, [str(path), "-n", "10", "-o", "x.npz"])
    assert "directory 'no/such' does not exist" in _error(
        capsys, [str(path), "-n", "10", "-o", "no/such/o.csv"]
    )


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["m.json", "-o", "o.csv"], "required: -n/--n-points"),
        (["m.json", "-n", "10"], "required: -o/--output"),
        (["-n", "10", "-o", "o.csv"], "required: MODEL"),
        (["m.json", "-n", "ten", "-o", "o.csv"], "must be an integer; got 'ten'"),
        (["m.json", "-n", "0", "-o", "o.csv"], "between 10 and 1,000,000; got 0"),
        (["m.json", "-n", "10", "-o", "o.csv", "--seed", "-1"], "--seed: must be an integer"),
        (["m.json", "-n", "10", "-o", "o.csv", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_options(capsys, argv, problem) -> None:
    assert problem in _error(capsys, argv)


def test_bad_options_through_the_main_parser(capsys) -> None:
    assert cli.main(["sample", "m.json", "-o", "o.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gmmviz sample: error: the following arguments are required")
    assert "(see 'gmmviz sample --help')" in err


def test_write_failure_exits_1(tmp_path, capsys, model_file, monkeypatch) -> None:
    import errno

    import gmmviz.cli.sample as sample_command

    def full_disk(path, X, components):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(sample_command, "save_points_csv", full_disk)
    path, _ = model_file
    rc = main([str(path), "-n", "10", "-o", str(tmp_path / "o.csv")])
    captured = capsys.readouterr()
    assert rc == 1
    assert captured.err.startswith("gmmviz sample: error: cannot write")
    assert "Traceback" not in captured.err


def test_output_onto_a_directory_is_a_usage_error(tmp_path, capsys, model_file) -> None:
    path, _ = model_file
    blocker = tmp_path / "taken.csv"
    blocker.mkdir()
    assert "is a directory; give a file name" in _error(
        capsys, [str(path), "-n", "10", "-o", str(blocker)]
    )
