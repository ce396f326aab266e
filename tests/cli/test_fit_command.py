"""Tests of the headless ``gmmviz fit`` subcommand (gmmviz.cli.fit.main)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from gmmviz.cli.fit import main
from gmmviz.core.datasets import make_dataset
from gmmviz.core.mixture import GaussianMixture
from gmmviz.io import load_model, save_labelled_data_csv

ITERATION = re.compile(
    r"^iteration +(\d+)  mean log-likelihood (-?\d+\.\d+)(?:  change ([+-]\d\.\d+e[+-]\d+))?$"
)


def summary(stdout: str) -> dict[str, str]:
    """The ``label: value`` lines of the summary."""
    out = {}
    for line in stdout.splitlines():
        match = re.match(r"^(iterations|converged|mean log-likelihood|BIC|AIC|model): +(.*)$", line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def reference_fit(X: np.ndarray, **params) -> GaussianMixture:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GaussianMixture(**params).fit(X)


def test_fit_dataset_writes_a_model_that_predicts_like_the_fit(tmp_path, capsys) -> None:
    out_path = tmp_path / "moons.json"
    rc = main(
        [
            "--dataset",
            "moons",
            "--n-samples",
            "800",
            "--seed",
            "4",
            "-k",
            "2",
            "--random-state",
            "0",
            "-o",
            str(out_path),
        ]
    )
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert captured.err == ""
    X, _ = make_dataset("moons", 800, seed=4)
    expected = reference_fit(X, n_components=2, random_state=0)
    loaded = load_model(out_path)
    np.testing.assert_array_equal(loaded.means_, expected.means_)
    np.testing.assert_array_equal(loaded.covariances_, expected.covariances_)
    np.testing.assert_array_equal(loaded.predict(X), expected.predict(X))
    info = summary(captured.out)
    assert info["iterations"] == str(expected.n_iter_)
    assert info["converged"] == ("yes" if expected.converged_ else "no")
    assert float(info["mean log-likelihood"]) == pytest.approx(expected.score(X), abs=1e-6)
    assert float(info["BIC"]) == pytest.approx(expected.bic(X), abs=1e-4)
    assert float(info["AIC"]) == pytest.approx(expected.aic(X), abs=1e-4)
    assert info["model"] == str(out_path)


def test_one_line_per_iteration(capsys) -> None:
    rc = main(
        [
            "--dataset",
            "varied",
            "-k",
            "3",
            "--random-state",
            "2",
            "--tol",
            "1e-8",
            "--covariance-type",
            "diag",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    X, _ = make_dataset("varied")
    expected = reference_fit(X, n_components=3, covariance_type="diag", tol=1e-8, random_state=2)
    lines = [ITERATION.match(line) for line in out.splitlines() if line.startswith("iteration ")]
    assert all(lines)
    # numbered as the window numbers them: iteration 0 is the start, the last is the model
    assert [int(m.group(1)) for m in lines] == list(range(0, expected.n_iter_ + 1))
    values = [float(m.group(2)) for m in lines]
    reference = [*expected.lower_bounds_, expected.score(X)]
    np.testing.assert_allclose(values, reference, atol=1e-6)
    assert lines[0].group(3) is None  # no change before the start
    changes = [float(m.group(3)) for m in lines[1:]]
    np.testing.assert_allclose(changes, np.diff(reference), rtol=1e-3, atol=1e-12)
    assert summary(out)["model"].startswith("not saved")


def test_quiet_keeps_only_the_summary(capsys) -> None:
    assert main(["--dataset", "blobs", "-q", "--random-state", "0"]) == 0
    out = capsys.readouterr().out
    assert not any(line.startswith("iteration ") for line in out.splitlines())
    assert set(summary(out)) == {
        "iterations",
        "converged",
        "mean log-likelihood",
        "BIC",
        "AIC",
        "model",
    }


def test_fit_csv_file_to_npz(tmp_path, capsys) -> None:
    X, y = make_dataset("blobs", 400, seed=9)
    data = tmp_path / "points.csv"
    save_labelled_data_csv(data, X, y, y, np.eye(3)[y])
    out_path = tmp_path / "m.npz"
    rc = main(
        [
            str(data),
            "-k",
            "3",
            "--covariance-type",
            "tied",
            "--init",
            "random_from_data",
            "--n-init",
            "2",
            "--max-iter",
            "50",
            "--reg-covar",
            "1e-5",
            "--random-state",
            "3",
            "-o",
            str(out_path),
        ]
    )
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "400 points in 2 dimensions" in captured.out
    assert "best of 2 initialisations" in captured.out
    expected = reference_fit(
        X,
        n_components=3,
        covariance_type="tied",
        init_params="random_from_data",
        n_init=2,
        max_iter=50,
        reg_covar=1e-5,
        random_state=3,
    )
    loaded = load_model(out_path)
    assert loaded.covariance_type == "tied" and loaded.n_init == 2
    np.testing.assert_array_equal(loaded.predict(X), expected.predict(X))
    np.testing.assert_array_equal(loaded.covariances_, expected.covariances_)


def test_not_converged_is_a_warning_not_an_error(capsys) -> None:
    rc = main(
        ["--dataset", "circles", "-k", "8", "--max-iter", "1", "--tol", "0", "--random-state", "0"]
    )
    captured = capsys.readouterr()
    assert rc == 0
    assert summary(captured.out)["converged"] == "no"
    assert summary(captured.out)["iterations"] == "1"
    assert re.match(r"^gmmviz fit: warning: .*did not converge", captured.err)


def test_help(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: gmmviz fit")
    for option in (
        "--dataset",
        "--n-components",
        "--covariance-type",
        "--init",
        "--tol",
        "--max-iter",
        "--reg-covar",
        "--n-init",
        "--random-state",
        "--output",
        "--quiet",
    ):
        assert option in out


# ------------------------------------------------------------------------------ errors


def _error(capsys, argv: list[str]) -> str:
    rc = main(argv)
    captured = capsys.readouterr()
    assert rc == 2, (captured.out, captured.err)
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("gmmviz fit: error: ")
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def test_missing_file(tmp_path, capsys) -> None:
    line = _error(capsys, [str(tmp_path / "absent.csv")])
    assert "absent.csv: no such file" in line


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a,b\n1,2\nnan,4\n", "1 row contains missing, NaN, infinite or non-numeric values (of 2"),
        ("a,b\n1,2\n3,x\n", "'x' is not a number"),
        ("a,b\n1,2\n3,4,5\n", "ragged rows"),
        ("", "the file is empty"),
    ],
)
def test_bad_data_file(tmp_path, capsys, text, problem) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    assert problem in _error(capsys, [str(path), "-k", "1"])


def test_more_components_than_points(tmp_path, capsys) -> None:
    path = tmp_path / "small.csv"
    path.write_text("1,2\n3,4\n5,7\n")
    line = _error(capsys, [str(path), "-k", "4"])
    assert "K=4 components but only 3 data points" in line
    line = _error(capsys, ["--dataset", "blobs", "--n-samples", "10", "-k", "12"])
    assert "only 10 data points" in line


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--dataset", "spiral"], "invalid choice: 'spiral'"),
        (
            ["--dataset", "moons", "-k", "0"],
            "-k/--n-components: must be an integer between 1 and 50; got 0",
        ),
        (["--dataset", "moons", "-k", "two"], "must be an integer; got 'two'"),
        (["--dataset", "moons", "--tol", "-1"], "--tol: must be a number between 0 and 1; got -1"),
        (["--dataset", "moons", "--reg-covar", "nan"], "must be a number between 0 and 1; got nan"),
        (["--dataset", "moons", "--covariance-type", "round"], "invalid choice: 'round'"),
        (["--dataset", "moons", "--init", "guess"], "invalid choice: 'guess'"),
        (["--dataset", "moons", "--n-init", "0"], "--n-init: must be an integer between 1 and 100"),
        (["--dataset", "moons", "--n-samples", "0"], "between 10 and 1,000,000"),
        (["--dataset", "moons", "--noise", "-0.5"], "--noise: must be a number between 0 and 50"),
        (["--dataset", "imbalanced", "--n-samples", "2"], "between 10 and"),
        (["--dataset", "moons", "-k", "51"], "between 1 and 50; got 51"),
        (["--dataset", "moons", "--max-iter", "0"], "--max-iter: must be an integer between 1 and"),
        (["--dataset", "moons", "--bogus"], "unrecognized arguments: --bogus"),
        ([], "give either a DATA file or --dataset"),
        (["data.csv", "--dataset", "moons"], "give either a DATA file or --dataset"),
        (["data.csv", "--n-samples", "10"], "--n-samples only applies with --dataset"),
        (["--dataset", "moons", "-o", "model.pkl"], "--output must end in .json or .npz"),
        (["--dataset", "moons", "-o", "no/such/dir/m.json"], "directory 'no/such/dir' does not"),
    ],
)
def test_bad_options(capsys, argv, problem) -> None:
    assert problem in _error(capsys, argv)


def test_nothing_written_on_error(tmp_path, capsys) -> None:
    out_path = tmp_path / "m.json"
    _error(capsys, ["--dataset", "moons", "-k", "2000", "-o", str(out_path)])
    assert not out_path.exists()


def test_fit_failure_exits_1(tmp_path, capsys) -> None:
    # Two distinct points repeated, three components, no regularisation: a component is left
    # with a singular covariance, which EM cannot handle.
    path = tmp_path / "degenerate.csv"
    path.write_text("0,0\n1,1\n" * 10)
    rc = main([str(path), "-k", "3", "--reg-covar", "0", "--random-state", "0"])
    captured = capsys.readouterr()
    assert rc == 1
    assert captured.err.startswith("gmmviz fit: error: fitting failed:")
    assert "Traceback" not in captured.err


def test_write_failure_exits_1(tmp_path, capsys, monkeypatch) -> None:
    import errno

    import gmmviz.cli.fit as fit_command

    def full_disk(model, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(fit_command, "save_model", full_disk)
    rc = main(["--dataset", "blobs", "--n-samples", "100", "-o", str(tmp_path / "m.json")])
    captured = capsys.readouterr()
    assert rc == 1
    assert captured.err.startswith("gmmviz fit: error: cannot write")
    assert "No space left on device" in captured.err


def test_output_onto_a_directory_is_refused_before_the_fit(tmp_path, capsys) -> None:
    blocker = tmp_path / "taken.json"
    blocker.mkdir()  # a directory where the model file should go
    assert "is a directory; give a file name" in _error(
        capsys, ["--dataset", "blobs", "--n-samples", "100", "-o", str(blocker)]
    )
    assert blocker.is_dir() and not list(tmp_path.glob(".*.tmp"))


def test_fit_on_the_lectures_moons_is_the_fit_of_sklearns_make_moons(tmp_path, capsys) -> None:
    """--dataset moons --n-samples 200 --noise 0.05 --seed 0 is the lecture's
    make_moons(200, noise=.05, random_state=0), so the model is the one fitted to those points."""
    from sklearn.datasets import make_moons  # the reference, in tests only

    out_path = tmp_path / "xmoon.npz"
    args = ["--dataset", "moons", "-k", "2", "--n-samples", "200", "--noise", "0.05"]
    rc = main([*args, "--seed", "0", "-q", "-o", str(out_path)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    Xmoon, _ = make_moons(200, noise=0.05, random_state=0)
    expected = reference_fit(Xmoon, n_components=2, random_state=0)
    loaded = load_model(out_path)
    assert summary(captured.out)["iterations"] == str(expected.n_iter_)
    np.testing.assert_array_equal(loaded.weights_, expected.weights_)
    np.testing.assert_array_equal(loaded.means_, expected.means_)
    np.testing.assert_array_equal(loaded.covariances_, expected.covariances_)
    np.testing.assert_array_equal(loaded.predict(Xmoon), expected.predict(Xmoon))
