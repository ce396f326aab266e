"""The ``gmmviz`` command: options, the display check, headless scripted runs, ``fit``."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from gmmviz import cli


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
        (["-k", "0"], "-k must be between 1 and 50"),
        (["-k", "51"], "-k must be between 1 and 50"),
        (["--n-samples", "5"], "--n-samples must be between 10 and 1,000,000"),
        (["--dataset", "spiral"], "invalid choice: 'spiral'"),
        (["--covariance-type", "round"], "invalid choice: 'round'"),
        (["--tol", "-1"], "--tol must be a finite number >= 0"),
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
    fake = types.ModuleType("gmmviz.fit_command")
    fake.main = lambda argv: calls.append(argv) or 3
    monkeypatch.setitem(sys.modules, "gmmviz.fit_command", fake)
    assert cli.main(["fit", "data.csv", "-k", "3", "-o", "m.json"]) == 3
    assert calls == [["data.csv", "-k", "3", "-o", "m.json"]]


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
    from gmmviz.ui.export import image_is_blank

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
    pytest.importorskip("gmmviz.fit_command")
    try:
        status = cli.main(["fit", "--help"])
    except SystemExit as exc:  # argparse's --help may exit or be turned into a status
        status = exc.code
    assert status == 0
    assert "gmmviz fit" in capsys.readouterr().out
