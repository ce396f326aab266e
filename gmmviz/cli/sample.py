"""``gmmviz sample``: draw points from a saved model and write them as CSV.

Example
-------
::

    gmmviz sample model.json -n 400 -o new.csv --seed 3

The points come from :func:`gmmviz.core.sampling.sample` with ``RandomState(seed)`` (default
seed 0), so the same command writes the same file, and the same points as
``sklearn.mixture.GaussianMixture.sample`` of the same model with that ``random_state``. The
CSV has the header ``x1,...,xd,component``, components numbered from 1 as in the window;
``gmmviz fit new.csv`` and the window read it back with ``component`` as the true labels.

Exit status: 0 on success, 2 for a usage or input error (bad option, missing or invalid
model file, output not ``.csv`` or in a missing folder), 1 when writing the file fails.
Errors are one line on stderr, ``gmmviz sample: error: ...``, never a traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

import numpy as np

from gmmviz.cli import _options as opt
from gmmviz.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    UsageErrorParser,
    check_output_path,
    command_main,
    run,
)
from gmmviz.core.mixture import GaussianMixture
from gmmviz.core.sampling import sample
from gmmviz.io import load_model, save_points_csv

__all__ = ["DESCRIPTION", "PROG", "add_arguments", "build_parser", "execute", "main"]

PROG = "gmmviz sample"
DEFAULT_SEED = 0

DESCRIPTION = (
    "Draw points from a saved Gaussian mixture (a .json or .npz model file) and write them "
    "as CSV with the component each point came from (numbered from 1)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``gmmviz sample`` (see :mod:`gmmviz.cli._options`)."""
    opt.MODEL_FILE.add_to(parser)
    opt.N_POINTS.add_to(parser)
    opt.POINTS_OUTPUT.add_to(parser)
    opt.SAMPLE_SEED.add_to(parser, default=DEFAULT_SEED)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``gmmviz sample`` on its own (for :func:`main` and tests)."""
    parser = UsageErrorParser(prog=PROG, description=DESCRIPTION)
    add_arguments(parser)
    return parser


def _load(path: str) -> GaussianMixture:
    """The model in ``path``; :class:`UsageError` with one line for any problem."""
    try:
        return load_model(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a model file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    check_output_path(args.output, "--output", (".csv",))
    model = _load(args.model)
    params = model.params_
    X, components = sample(params, args.n_points, np.random.RandomState(args.seed))
    try:
        save_points_csv(args.output, X, components)
    except (OSError, ValueError) as exc:
        print(f"{PROG}: error: cannot write {args.output}: {exc}", file=err)
        return EXIT_FAILED
    k, d = params.n_components, params.n_features
    print(
        f"wrote {args.n_points:,} points from {k} {params.covariance_type} "
        f"component{'s' if k != 1 else ''} in {d} dimension{'s' if d != 1 else ''} "
        f"to {args.output} (seed {args.seed})",
        file=out,
    )
    return EXIT_OK


def execute(args: argparse.Namespace) -> int:
    """Draw and write with parsed options (from :func:`build_parser` or ``gmmviz``'s).

    Returns
    -------
    int
        Exit status: 0 success, 1 writing failed, 2 usage or input error.
    """
    return run(PROG, lambda out, err: _run(args, out, err))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gmmviz sample`` with the arguments after ``sample``.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (without the program and subcommand names); default
        ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status (see the module's description).
    """
    return command_main(build_parser(), execute, argv)
