"""What the headless commands share: one-line usage errors, exit codes, reading the data.

Every headless command (``gmmviz fit``, ``gmmviz sample``, ``gmmviz select``) reports a
problem as one line on stderr, ``gmmviz <command>: error: ...``, never a traceback, and exits
with :data:`EXIT_USAGE` (2) for a usage or input error, :data:`EXIT_FAILED` (1) when the work
itself or writing a file fails.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from gmmviz.app.settings import ModelSettings
from gmmviz.cli import _options as opt
from gmmviz.core.datasets import make_dataset
from gmmviz.io import load_data

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "UsageErrorParser",
    "add_data_arguments",
    "check_data_arguments",
    "check_output_path",
    "command_main",
    "load_input",
    "run",
    "usage_error",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A problem with the command line or the input; reported as one line, exit status 2.

    Parameters
    ----------
    message : str
    prog : str, optional
        The command to name in the message (``"gmmviz fit"``); set by the parser.
    """

    def __init__(self, message: str, prog: str | None = None) -> None:
        super().__init__(message)
        self.prog = prog


class UsageErrorParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that raises :class:`UsageError` instead of printing usage and
    calling ``sys.exit`` (``--help`` still exits 0), and refuses unknown arguments itself."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, self.prog)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        # As a subcommand, unknown arguments would be reported by the main parser as
        # "gmmviz: error"; report them here, as "gmmviz <command>: error".
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def usage_error(exc: UsageError, prog: str = "gmmviz") -> int:
    """Print a command-line error as one line on stderr; returns the exit status 2."""
    prog = exc.prog or prog
    print(f"{prog}: error: {exc} (see '{prog} --help')", file=sys.stderr)
    return EXIT_USAGE


def run(prog: str, body: Callable[[TextIO, TextIO], int]) -> int:
    """Run ``body(stdout, stderr)``: a :class:`UsageError` becomes one line and status 2,
    Ctrl-C the line ``<prog>: interrupted`` and status 130."""
    out, err = sys.stdout, sys.stderr
    try:
        return body(out, err)
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=err)
        return EXIT_INTERRUPTED


def command_main(
    parser: argparse.ArgumentParser,
    execute: Callable[[argparse.Namespace], int],
    argv: Sequence[str] | None,
) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``) with a command's own parser and run it.

    Returns the exit status: ``--help`` 0, a usage error 2 (one line on stderr), else what
    ``execute`` returns.
    """
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help
        return int(exc.code or 0) if isinstance(exc.code, (int, type(None))) else EXIT_USAGE
    except UsageError as exc:
        return usage_error(exc, parser.prog)
    return execute(args)


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``DATA`` or ``--dataset NAME`` with ``--n-samples``, ``--noise`` and ``--seed``."""
    source = parser.add_argument_group("data (a file or a generated dataset)")
    source.add_argument(
        "data",
        nargs="?",
        metavar="DATA",
        help="data file: .csv, .tsv, .txt, .npy or .npz (see gmmviz.io.load_data)",
    )
    for option in (opt.DATASET, opt.N_SAMPLES, opt.NOISE):
        option.add_to(source)
    opt.SEED.add_to(source, default=ModelSettings().seed)


def check_data_arguments(args: argparse.Namespace) -> None:
    """Exactly one of DATA and ``--dataset``; the dataset's options only with ``--dataset``."""
    if (args.data is None) == (args.dataset is None):
        raise UsageError("give either a DATA file or --dataset NAME (exactly one)")
    if args.dataset is None:
        given = [
            flag
            for flag, value in (("--n-samples", args.n_samples), ("--noise", args.noise))
            if value is not None
        ]
        if given:
            raise UsageError(
                f"{', '.join(given)} only appl{'y' if len(given) > 1 else 'ies'} with --dataset"
            )


def check_output_path(path: str, flag: str, suffixes: Sequence[str]) -> None:
    """``UsageError`` unless ``path`` ends in one of ``suffixes``, its folder exists and it
    is not itself a folder.

    Checked before any work, so that a typo does not cost a long fit.
    """
    output = Path(path)
    if output.suffix.lower() not in suffixes:
        raise UsageError(f"{flag} must end in {' or '.join(suffixes)}; got {path!r}")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{flag} directory {str(parent)!r} does not exist")
    if output.is_dir():
        raise UsageError(f"{flag} {path!r} is a directory; give a file name")


def load_input(args: argparse.Namespace) -> tuple[np.ndarray, str]:
    """The data of :func:`add_data_arguments` and a short description of where it came from.

    Returns
    -------
    X : ndarray of shape (N, d)
    source : str
        ``"dataset 'moons', seed 0"`` or the file name.
    """
    if args.dataset is not None:
        try:
            X, _ = make_dataset(args.dataset, args.n_samples, args.noise, args.seed)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return X, f"dataset {args.dataset!r}, seed {args.seed}"
    try:
        X, _ = load_data(args.data)
    except FileNotFoundError:
        raise UsageError(f"{args.data}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{args.data}: is a directory, not a data file") from None
    except OSError as exc:
        raise UsageError(f"{args.data}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return X, str(args.data)
