"""``gmmviz [DATA_FILE] [options]``: open the window, or script a run of it.

Qt is imported only after the display has been checked (:func:`display_problem`), so that a
machine without one gets one clear line instead of Qt's abort; a scripted run
(``--screenshot``, ``--export-model``, ``--quit``) falls back to the offscreen platform.
:func:`launch` hands the parsed options to :func:`gmmviz.qt.app.run`, which reads the
attributes ``data_file, dataset, n_samples, noise, seed, n_components, covariance_type,
init, tol, max_iter, play, screenshot, export_model, quit``.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Mapping

from gmmviz.cli import _options as opt

__all__ = ["NO_DISPLAY_HINT", "add_arguments", "display_problem", "launch"]

NO_DISPLAY_HINT = (
    "set DISPLAY to a running X server, or render headlessly with "
    "`gmmviz --screenshot out.png --quit`"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The window's options (all default to ``None``/``False``: keep the window's settings).

    ``DATA_FILE`` is not an argparse positional here; :mod:`gmmviz.cli` takes it from the
    place of the subcommand (see ``_Commands``) and stores it as ``data_file``.
    """
    parser.set_defaults(data_file=None)
    data = parser.add_argument_group(
        "data", "DATA_FILE (a CSV/TSV/NPY/NPZ file to open) or a generated dataset"
    )
    for option in (opt.DATASET, opt.N_SAMPLES, opt.NOISE, opt.SEED):
        option.add_to(data)
    model = parser.add_argument_group("model")
    for option in (opt.N_COMPONENTS, opt.COVARIANCE_TYPE, opt.INIT, opt.TOL, opt.MAX_ITER):
        option.add_to(model)
    lecture = parser.add_argument_group("the lecture's experiments")
    for option in (opt.PRESET, opt.LIST_PRESETS):
        option.add_to(lecture)
    script = parser.add_argument_group("scripted run")
    for option in (opt.PLAY, opt.SWEEP, opt.SCREENSHOT, opt.EXPORT_MODEL, opt.QUIT):
        option.add_to(script)


def _x_server_reachable(display: str) -> bool:
    """Whether an X server answers at ``display`` (``[host]:N[.screen]``)."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        for address in (path, "\0" + path):  # filesystem socket, then Linux abstract one
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.settimeout(1.0)
                    sock.connect(address)
                    return True
            except OSError:
                continue
        return False
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=1.0):
            return True
    except OSError:
        return False


def display_problem(
    environ: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> str | None:
    """Why no window can be shown here, or ``None`` when one can (or Qt decides)."""
    if environ.get("QT_QPA_PLATFORM"):
        return None  # the user chose a platform plugin (offscreen, xcb, wayland, ...)
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    if environ.get("WAYLAND_DISPLAY"):
        return None
    display = environ.get("DISPLAY", "")
    if not display:
        return "no display found (DISPLAY is not set)"
    if not _x_server_reachable(display):
        return f"cannot connect to the X server at DISPLAY={display}"
    return None


def launch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Check the options and the display, then open the window; returns the exit status.

    Usage errors exit with status 2 through ``parser.error``. Without a display, a scripted
    run switches to the offscreen platform; anything else prints one line and returns 2.
    """
    if args.list_presets:
        from gmmviz.app.presets import PRESETS

        for p in PRESETS.values():
            print(f"{p.name:<26} {p.title}\n{'':<26} {p.cell}\n{'':<26} {p.hint}")
        return 0
    if args.preset is not None:
        from gmmviz.app.presets import PRESETS

        if args.preset not in PRESETS:
            parser.error(f"unknown preset {args.preset!r}; choose one of {', '.join(PRESETS)}")
        if args.data_file:
            parser.error("give a DATA_FILE or --preset, not both")
    if args.data_file and args.dataset:
        parser.error("give a DATA_FILE or --dataset, not both")
    # check the outputs before any work: a wrong suffix would only fail after the run
    if args.export_model and os.path.splitext(args.export_model)[1].lower() not in (
        ".json",
        ".npz",
    ):
        parser.error(f"--export-model: {args.export_model} must end in .json or .npz")
    if args.screenshot and os.path.splitext(args.screenshot)[1].lower() != ".png":
        parser.error(f"--screenshot: {args.screenshot} must end in .png")
    for output in (args.export_model, args.screenshot):
        folder = os.path.dirname(os.path.abspath(output)) if output else ""
        if output and not os.path.isdir(folder):
            parser.error(f"the folder {folder} does not exist (for {output})")
    if args.data_file and not os.path.exists(args.data_file):
        parser.error(f"no such data file: {args.data_file}")

    problem = display_problem()
    if problem is not None:
        if args.screenshot or args.quit or args.export_model:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a scripted run needs no screen
        else:
            print(f"gmmviz: {problem}; {NO_DISPLAY_HINT}", file=sys.stderr)
            return 2
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

    from gmmviz.qt.app import run  # Qt: only now that a display (or offscreen) is certain

    return int(run(args))
