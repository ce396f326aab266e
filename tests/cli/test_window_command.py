"""The ``gmmviz`` command: options, the display check, headless scripted runs, ``fit``."""

from __future__ import annotations

import argparse
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gmmviz import cli
from gmmviz.app.settings import BOUNDS
from gmmviz.cli import _options
from gmmviz.cli import fit as cli_fit
from gmmviz.cli import window as cli_window
from gmmviz.core.datasets import make_dataset
from gmmviz.core.mixture import GaussianMixture


def gmmviz_command() -> list[str]:
    """The installed console script next to this Python, else ``python -m gmmviz``."""
    script = Path(sys.executable).with_name("gmmviz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gmmviz"]


def headless_env(tmp_path: Path) -> dict[str, str]:
    """No display at all, and private settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return env


# ------------------------------------------------------------------ display check


def test_no_display_is_detected():
    assert cli.display_problem({}, "linux") == "no display found (DISPLAY is not set)"
    assert cli.display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert cli.display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert cli.display_problem({}, "darwin") is None
    assert cli.display_problem({}, "win32") is None


def test_unreachable_x_server_is_detected():
    problem = cli.display_problem({"DISPLAY": ":6543"}, "linux")
    assert problem == "cannot connect to the X server at DISPLAY=:6543"
    assert cli.display_problem({"DISPLAY": "nonsense"}, "linux") is not None


# ------------------------------------------------------------------ options


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["-k", "0"], "-k/--n-components: must be an integer between 1 and 50; got 0"),
        (["-k", "51"], "-k/--n-components: must be an integer between 1 and 50; got 51"),
        (["--n-samples", "5"], "--n-samples: must be an integer between 10 and 1,000,000"),
        (["--max-iter", "0"], "--max-iter: must be an integer between 1 and 10,000"),
        (["a.csv", "b.csv"], "unrecognized arguments: b.csv"),
        (["--dataset", "spiral"], "invalid choice: 'spiral'"),
        (["--covariance-type", "round"], "invalid choice: 'round'"),
        (["--tol", "-1"], "--tol: must be a number between 0 and 1; got -1"),
        (["data.csv", "--dataset", "moons"], "not both"),
        (["/no/such/file.csv"], "no such data file"),
    ],
)
def test_bad_options_exit_2_with_a_message(argv, needle, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert needle in capsys.readouterr().err


def test_options_parse():
    args = cli.build_parser().parse_args(
        ["data.csv", "-k", "16", "--covariance-type", "diag", "--init", "random", "--tol",
         "1e-4", "--max-iter", "30", "--n-samples", "1,000", "--play", "--quit"]
    )  # fmt: skip
    assert (args.data_file, args.n_components, args.covariance_type) == ("data.csv", 16, "diag")
    assert (args.init, args.tol, args.max_iter, args.n_samples) == ("random", 1e-4, 30, 1000)
    assert args.play and args.quit and args.screenshot is None


def test_fit_is_dispatched_to_the_fit_command(monkeypatch):
    calls = []
    monkeypatch.setattr(cli.fit, "execute", lambda args: calls.append(args) or 3)
    assert cli.main(["fit", "data.csv", "-k", "3", "-o", "m.json"]) == 3
    [args] = calls
    assert (args.command, args.data, args.n_components, args.output) == (
        "fit",
        "data.csv",
        3,
        "m.json",
    )


# ------------------------------------------------------------------ the real command


def test_without_a_display_the_app_says_so_in_one_line(tmp_path):
    out = subprocess.run(
        gmmviz_command(), env=headless_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "no display found" in lines[0]
    assert "--screenshot out.png --quit" in lines[0]
    assert "Qt" not in out.stderr and "Aborted" not in out.stderr


def test_scripted_run_without_a_display_falls_back_to_offscreen(tmp_path):
    pytest.importorskip("PySide6")  # to read the screenshot back
    shot, model = tmp_path / "shot.png", tmp_path / "model.npz"
    cmd = [
        *gmmviz_command(),
        "--dataset", "varied", "--n-samples", "400", "-k", "3", "--seed", "2", "--play",
        "--screenshot", str(shot), "--export-model", str(model), "--quit",
    ]  # fmt: skip
    out = subprocess.run(
        cmd, env=headless_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    from PySide6.QtGui import QImage

    from gmmviz.io import load_model
    from gmmviz.qt.export import image_is_blank

    image = QImage(str(shot))
    assert not image.isNull() and not image_is_blank(image)
    fitted = load_model(model)
    assert fitted.n_components == 3 and (fitted.converged_ or fitted.n_iter_ == 100)
    # a scripted run leaves no settings behind
    assert not (tmp_path / "config" / "gmmviz").exists()


def test_scripted_run_of_a_data_file_and_its_errors(tmp_path):
    data = tmp_path / "pts.csv"
    data.write_text("x,y\n" + "\n".join(f"{i % 9 * 0.7},{(i * 7) % 11 * 0.3}" for i in range(80)))
    model = tmp_path / "m.json"
    cmd = [*gmmviz_command(), str(data), "-k", "2", "--export-model", str(model), "--quit"]
    out = subprocess.run(
        cmd, env=headless_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert model.exists()
    # K > N: exit status 1 and the reason, no traceback
    cmd = [*gmmviz_command(), "--dataset", "blobs", "--n-samples", "10", "-k", "50", "--quit"]
    out = subprocess.run(
        cmd, env=headless_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 1
    assert "error" in out.stderr and "n_components" in out.stderr
    assert "Traceback" not in out.stderr


def test_fit_reaches_the_real_fit_command(capsys):
    pytest.importorskip("gmmviz.cli.fit")
    try:
        status = cli.main(["fit", "--help"])
    except SystemExit as exc:  # argparse's --help may exit or be turned into a status
        status = exc.code
    assert status == 0
    assert "gmmviz fit" in capsys.readouterr().out


# ------------------------------------------------------------------ one command line


def _actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Every option of ``parser`` by its first long flag."""
    return {
        next(f for f in a.option_strings if f.startswith("--")): a
        for a in parser._actions
        if a.option_strings and a.dest != "help"
    }


def _fit_subparser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return commands.choices["fit"]


def test_help_lists_fit_as_a_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "commands:" in out
    commands = out.split("commands:", 1)[1]
    assert re.search(r"^\s+fit\s+fit a Gaussian mixture", commands, re.MULTILINE)
    assert "[DATA_FILE]" in out


def test_one_definition_per_option():
    """Every option of every command comes from cli._options, and a shared flag is one object."""
    window = _actions(cli.build_parser())
    fit = _actions(_fit_subparser(cli.build_parser()))
    defined = {flag for option in _options.ALL.values() for flag in option.flags}
    assert set(window) <= defined and set(fit) <= defined
    shared = set(window) & set(fit)
    assert {"--dataset", "--n-samples", "--noise", "--seed", "--n-components"} <= shared
    assert {"--covariance-type", "--init", "--tol", "--max-iter"} <= shared
    for flag in shared:
        a, b = window[flag], fit[flag]
        assert a.option_strings == b.option_strings, flag
        assert a.type is b.type and a.choices == b.choices and a.metavar == b.metavar, flag
        assert b.help.startswith(a.help), flag  # fit only appends its default
    # no command module calls add_argument for an option itself
    for module in (cli_window, cli_fit, cli):
        source = inspect.getsource(module)
        assert not re.search(r"add_argument\(\s*\"-", source), module.__name__


@pytest.mark.parametrize(
    ("name", "flag"),
    [("n_samples", "--n-samples"), ("n_components", "-k"), ("max_iter", "--max-iter"),
     ("tol", "--tol"), ("noise", "--noise"), ("seed", "--seed")],
)  # fmt: skip
def test_both_commands_have_the_same_bounds_from_the_table(name, flag, capsys):
    bound = BOUNDS[name]
    step = 1 if bound.kind is int else 0.5
    parser = cli.build_parser()
    for prefix in ([], ["fit", "--dataset", "blobs"]):
        for value in (bound.low, bound.high):
            args = parser.parse_args([*prefix, flag, str(value)])
            assert getattr(args, name) == value
    for value in (bound.low - step, bound.high + step):
        with pytest.raises(SystemExit):
            parser.parse_args([flag, str(value)])
        window_error = capsys.readouterr().err.strip().splitlines()[-1]
        assert cli.main(["fit", "--dataset", "blobs", flag, str(value)]) == 2
        fit_error = capsys.readouterr().err.strip()
        message = window_error.split(": ", 2)[-1]
        assert message in fit_error, (message, fit_error)
        assert f"between {bound.text.replace(' to ', ' and ')}" in message


def test_seed_means_the_same_in_both_commands(capsys):
    parser = cli.build_parser()
    window_seed = _actions(parser)["--seed"]
    assert "dataset and of the initialisation" in window_seed.help
    assert _actions(_fit_subparser(parser))["--seed"].help.startswith(window_seed.help)
    # gmmviz fit --seed 4 seeds the data and the start, like the window's --seed 4
    X, _ = make_dataset("moons", 300, seed=4)
    expected = GaussianMixture(3, random_state=4).fit(X)
    assert cli.main(["fit", "--dataset", "moons", "--n-samples", "300", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert "seed 4; init kmeans, init seed 4" in out
    assert f"mean log-likelihood: {expected.score(X):.6f}" in out
    # --random-state overrides the seed of the initialisation only
    other = GaussianMixture(3, random_state=9).fit(X)
    argv = ["fit", "--dataset", "moons", "--n-samples", "300", "--seed", "4"]
    assert cli.main([*argv, "--random-state", "9"]) == 0
    out = capsys.readouterr().out
    assert "seed 4; init kmeans, init seed 9" in out
    assert f"mean log-likelihood: {other.score(X):.6f}" in out
    # with a data file, --seed seeds the initialisation
    args = parser.parse_args(["fit", "data.csv", "--seed", "5"])
    assert cli_fit.init_seed(args) == 5


def test_python_m_gmmviz_is_the_same_command():
    out = subprocess.run(
        [sys.executable, "-m", "gmmviz", "fit", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("usage: gmmviz fit")


def test_cli_imports_no_qt_until_the_window_opens():
    code = (
        "import sys, gmmviz.cli\n"
        "gmmviz.cli.build_parser().parse_args(['-k', '3'])\n"
        "assert gmmviz.cli.main(['fit', '--dataset', 'blobs', '-q']) == 0\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')"
        " or m.startswith('gmmviz.qt')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--export-model", "model.txt", "--quit"], "must end in .json or .npz"),
        (["--screenshot", "shot.jpg", "--quit"], "must end in .png"),
        (["--screenshot", "/no/such/folder/shot.png", "--quit"], "does not exist"),
    ],
)
def test_scripted_outputs_are_checked_before_any_work(argv, message, capsys):
    from gmmviz.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_scripted_run_of_a_file_that_needs_a_decision_fails_instead_of_asking(tmp_path):
    data = tmp_path / "holes.csv"
    data.write_text("x,y\n" + "\n".join(f"{i % 9},{'' if i == 5 else i % 7}" for i in range(40)))
    cmd = [*gmmviz_command(), str(data), "-k", "2", "--export-model", str(tmp_path / "m.json"),
           "--quit"]  # fmt: skip
    out = subprocess.run(
        cmd, env=headless_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0
    assert "1 row contains missing" in out.stderr and "Traceback" not in out.stderr


def test_a_session_file_opens_from_the_command_line(tmp_path):
    from gmmviz.app.runs import em_run, generate_source
    from gmmviz.app.session import save_session
    from gmmviz.app.settings import ModelSettings
    from gmmviz.app.state import AppState
    from gmmviz.core.datasets import DatasetSpec
    from gmmviz.io import load_model

    state = AppState()
    state.set_data(generate_source(DatasetSpec("moons", 300, 0.1, 0)))
    session = tmp_path / "blank.gmmviz"
    save_session(session, state)  # data only: the script fits a model
    out = subprocess.run(
        [*gmmviz_command(), str(session), "--export-model", str(tmp_path / "a.json"), "--quit"],
        env=headless_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0 and (tmp_path / "a.json").exists(), out.stderr
    state.set_model(ModelSettings(n_components=4, seed=2))
    steps = list(em_run(state.data.X, state.model))
    state.start_run(1, state.model)
    state.add_snapshots(1, steps)
    state.end_run(1)
    session = tmp_path / "s.gmmviz"
    save_session(session, state)  # with its run: the script exports the shown model
    model = tmp_path / "m.json"
    cmd = [*gmmviz_command(), str(session), "--export-model", str(model), "--quit"]
    out = subprocess.run(
        cmd, env=headless_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    np.testing.assert_array_equal(load_model(model).means_, steps[-1].params.means)
