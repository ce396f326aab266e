"""Tests of ``gmmviz select``: its numbers are the estimator's for the same settings."""

from __future__ import annotations

import csv
import inspect
import re
import warnings

import numpy as np
import pytest

from gmmviz import cli
from gmmviz.cli import _options
from gmmviz.cli import sample as cli_sample
from gmmviz.cli import selection as cli_select
from gmmviz.cli.selection import main
from gmmviz.core.datasets import make_dataset
from gmmviz.core.mixture import GaussianMixture
from gmmviz.io import save_points_csv

ROW = re.compile(
    r"^ +(\d+)  (full|tied|diag|spherical) +(-?\d+\.\d{4}) +(-?\d+\.\d{4}) +(-?\d+\.\d{6})"
    r" +(\d+) +(yes|no)$"
)


def rows(stdout: str) -> list[tuple]:
    out = []
    for line in stdout.splitlines():
        match = ROW.match(line)
        if match:
            k, t, bic, aic, ll, n_iter, conv = match.groups()
            out.append((int(k), t, float(bic), float(aic), float(ll), int(n_iter), conv == "yes"))
    return out


def reference(X, k, covariance_type, **settings) -> GaussianMixture:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GaussianMixture(k, covariance_type=covariance_type, **settings).fit(X)


def test_table_and_csv_equal_the_estimator(tmp_path, capsys) -> None:
    out_csv = tmp_path / "table.csv"
    argv = ["--dataset", "varied", "--n-samples", "300", "--seed", "2", "--k-max", "4"]
    argv += ["--covariance-types", "full", "spherical", "--n-init", "2", "--csv", str(out_csv)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    table = rows(captured.out)
    assert [(r[0], r[1]) for r in table] == [
        (k, t) for t in ("full", "spherical") for k in range(1, 5)
    ]
    X, _ = make_dataset("varied", 300, seed=2)
    models = {}
    for k, t, bic, aic, ll, n_iter, converged in table:
        model = reference(X, k, t, n_init=2, random_state=2)
        models[k, t] = model
        assert bic == pytest.approx(model.bic(X), abs=1e-4)
        assert aic == pytest.approx(model.aic(X), abs=1e-4)
        assert ll == pytest.approx(model.score(X), abs=1e-6)
        assert n_iter == model.n_iter_ and converged == model.converged_
    with open(out_csv, newline="") as fh:
        written = list(csv.DictReader(fh))
    for row in written:  # the CSV holds the exact doubles
        model = models[int(row["k"]), row["covariance_type"]]
        assert float(row["bic"]) == model.bic(X)
        assert float(row["aic"]) == model.aic(X)
        assert float(row["mean_log_likelihood"]) == model.score(X)
    by_bic = min(models, key=lambda key: models[key].bic(X))
    by_aic = min(models, key=lambda key: models[key].aic(X))
    assert f"lowest BIC: K={by_bic[0]}, {by_bic[1]} (BIC {models[by_bic].bic(X):.4f})" in (
        captured.out
    )
    assert f"lowest AIC: K={by_aic[0]}, {by_aic[1]} (AIC {models[by_aic].aic(X):.4f})" in (
        captured.out
    )
    assert f"table written to {out_csv}" in captured.out


def test_data_file_defaults_and_the_main_command(tmp_path, capsys) -> None:
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(60, 2) * 0.5 + c for c in ([0, 0], [5, 5])])
    path = tmp_path / "two.csv"
    save_points_csv(path, X, np.repeat([0, 1], 60))  # the component column is not a feature
    assert cli.main(["select", str(path), "--k-max", "3", "--covariance-types", "tied"]) == 0
    out = capsys.readouterr().out
    assert "on 120 points in 2 dimensions" in out
    table = rows(out)
    assert [r[:2] for r in table] == [(1, "tied"), (2, "tied"), (3, "tied")]
    model = reference(X, 2, "tied", random_state=0)  # --seed 0, kmeans, n_init 1: the defaults
    assert table[1][2] == pytest.approx(model.bic(X), abs=1e-4)
    assert "lowest BIC: K=2, tied" in out


def test_all_covariance_types_by_default(capsys) -> None:
    assert main(["--dataset", "blobs", "--n-samples", "100", "--k-max", "2"]) == 0
    table = rows(capsys.readouterr().out)
    assert [r[1] for r in table] == ["full"] * 2 + ["tied"] * 2 + ["diag"] * 2 + ["spherical"] * 2


def test_random_state_overrides_the_seed_of_the_initialisation(capsys) -> None:
    argv = ["--dataset", "moons", "--n-samples", "200", "--seed", "4", "--k-min", "3"]
    argv += ["--k-max", "3", "--covariance-types", "full", "--init", "random"]
    assert main([*argv, "--random-state", "9"]) == 0
    out = capsys.readouterr().out
    assert "init seed 9" in out
    X, _ = make_dataset("moons", 200, seed=4)
    model = reference(X, 3, "full", init_params="random", random_state=9)
    assert rows(out)[0][2] == pytest.approx(model.bic(X), abs=1e-4)


def test_not_converged_is_a_warning(capsys) -> None:
    argv = ["--dataset", "blobs", "--k-max", "3", "--covariance-types", "full"]
    assert main([*argv, "--max-iter", "1", "--tol", "0"]) == 0
    captured = capsys.readouterr()
    assert "fits stopped at --max-iter 1 before converging" in captured.err
    assert all(not r[6] for r in rows(captured.out))


def _error(capsys, argv) -> str:
    rc = main(argv)
    captured = capsys.readouterr()
    assert rc == 2, (captured.out, captured.err)
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("gmmviz select: error: ")
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        ([], "give either a DATA file or --dataset"),
        (["data.csv", "--n-samples", "10"], "--n-samples only applies with --dataset"),
        (["--dataset", "moons", "--k-max", "0"], "--k-max: must be an integer between 1 and 50"),
        (["--dataset", "moons", "--k-max", "51"], "between 1 and 50; got 51"),
        (["--dataset", "moons", "--k-min", "5", "--k-max", "3"], "--k-min 5 is larger than"),
        (["--dataset", "moons", "--covariance-types", "round"], "invalid choice: 'round'"),
        (["--dataset", "moons", "--covariance-types"], "expected at least one argument"),
        (["--dataset", "moons", "--covariance-types", "full", "full"], "full more than once"),
        (["--dataset", "moons", "--n-init", "0"], "--n-init: must be an integer between 1"),
        (["--dataset", "moons", "--csv", "t.json"], "--csv must end in .csv"),
        (["--dataset", "moons", "--csv", "no/such/t.csv"], "directory 'no/such' does not"),
        (["--dataset", "moons", "--bogus"], "unrecognized arguments: --bogus"),
        (["--dataset", "blobs", "--n-samples", "10", "--k-max", "12"], "only 10 data points"),
    ],
)
def test_bad_options(capsys, argv, problem) -> None:
    assert problem in _error(capsys, argv)


def test_bad_data_files(tmp_path, capsys) -> None:
    assert "absent.csv: no such file" in _error(capsys, [str(tmp_path / "absent.csv")])
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n")
    assert "'x' is not a number" in _error(capsys, [str(bad)])
    small = tmp_path / "small.csv"
    small.write_text("1,2\n3,4\n5,7\n")
    assert "--k-max 10 but only 3 data points" in _error(capsys, [str(small)])


def test_fit_failure_exits_1(tmp_path, capsys) -> None:
    path = tmp_path / "degenerate.csv"
    path.write_text("0,0\n1,1\n" * 10)
    rc = main([str(path), "--k-max", "3", "--covariance-types", "full", "--reg-covar", "0"])
    captured = capsys.readouterr()
    assert rc == 1
    assert "gmmviz select: error: fitting failed: fit with K=" in captured.err
    assert "Traceback" not in captured.err


def test_options_come_from_the_one_table() -> None:
    """sample and select use only cli._options and never add a flag themselves."""
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    defined = {flag for option in _options.ALL.values() for flag in option.flags}
    for name in ("sample", "select"):
        flags = {f for a in subparsers[name]._actions for f in a.option_strings} - {"-h", "--help"}
        assert flags <= defined, name
    for module in (cli_sample, cli_select):
        assert not re.search(r"add_argument\(\s*\"-", inspect.getsource(module))
    fit_actions = {a.dest: a for a in subparsers["fit"]._actions}
    for action in subparsers["select"]._actions:
        if action.dest in ("seed", "n_init", "tol", "max_iter", "reg_covar", "init"):
            assert action.type is fit_actions[action.dest].type, action.dest
