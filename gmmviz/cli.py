"""The ``gmmviz`` command: the desktop app, its scripted mode, and ``gmmviz fit``.

``gmmviz fit ...`` is dispatched to :mod:`gmmviz.fit_command` (headless, no Qt). Everything
else opens the window. Qt is imported only after the display has been checked, so that a
machine without one gets one clear line instead of Qt's abort.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence

from gmmviz.core.datasets import DATASET_NAMES
from gmmviz.core.gaussian import COVARIANCE_TYPES
from gmmviz.core.init import INIT_METHODS

NO_DISPLAY_HINT = (
    "set DISPLAY to a running X server, or render headlessly with "
    "`gmmviz --screenshot out.png --quit`"
)


def _int_in(lo: int, hi: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be an integer; got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"{what} must be between {lo:,} and {hi:,}; got {value:,}"
            )
        return value

    return parse


def _non_negative_float(what: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number; got {text!r}") from None
        if not (value >= 0 and value != float("inf")):
            raise argparse.ArgumentTypeError(f"{what} must be a finite number >= 0; got {text}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gmmviz",
        description=(
            "Watch EM fit a Gaussian mixture, step by step. Without options the window opens "
            "with the last settings; options set the dataset and model and can script a run. "
            "`gmmviz fit --help` describes the headless fit command."
        ),
        epilog=(
            "Scripted example: gmmviz --dataset moons -k 16 --play --screenshot out.png --quit"
        ),
    )
    parser.add_argument(
        "data_file", nargs="?", metavar="DATA_FILE", help="CSV/TSV/NPY/NPZ data to open"
    )
    parser.add_argument(
        "--dataset", choices=DATASET_NAMES, help="generate one of the lecture's datasets"
    )
    parser.add_argument(
        "--n-samples",
        type=_int_in(10, 1_000_000, "--n-samples"),
        metavar="N",
        help="points to generate (10 to 1,000,000)",
    )
    parser.add_argument(
        "--noise", type=_non_negative_float("--noise"), help="the dataset's noise / spread"
    )
    parser.add_argument(
        "--seed",
        type=_int_in(0, 2**31 - 1, "--seed"),
        metavar="S",
        help="seed of the dataset and of the initialisation",
    )
    parser.add_argument(
        "-k",
        "--n-components",
        type=_int_in(1, 50, "-k"),
        metavar="K",
        help="number of components (1 to 50)",
    )
    parser.add_argument(
        "--covariance-type",
        choices=COVARIANCE_TYPES,
        metavar="T",
        help="full, tied, diag or spherical",
    )
    parser.add_argument(
        "--init",
        choices=INIT_METHODS,
        metavar="I",
        help="kmeans, k-means++, random or random_from_data",
    )
    parser.add_argument(
        "--tol",
        type=_non_negative_float("--tol"),
        metavar="T",
        help="convergence tolerance on the mean log-likelihood",
    )
    parser.add_argument(
        "--max-iter",
        type=_int_in(1, 10_000, "--max-iter"),
        metavar="M",
        help="maximum EM iterations",
    )
    parser.add_argument("--play", action="store_true", help="animate EM at full speed right away")
    parser.add_argument(
        "--screenshot", metavar="PNG", help="when the run ends, save the window as PNG"
    )
    parser.add_argument(
        "--export-model", metavar="PATH", help="when the run ends, save the model (.json or .npz)"
    )
    parser.add_argument(
        "--quit",
        action="store_true",
        help="exit (status 0) when the run ends and the files are written",
    )
    return parser


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


def display_problem(environ=os.environ, platform: str = sys.platform) -> str | None:
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``gmmviz``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "fit":
        from gmmviz.fit_command import main as fit_main

        return int(fit_main(argv[1:]) or 0)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_file and args.dataset:
        parser.error("give a DATA_FILE or --dataset, not both")
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

    from gmmviz.qt.app import run

    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
