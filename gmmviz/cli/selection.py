"""``gmmviz select``: fit K = 1..K_max for each covariance type and compare BIC and AIC.

The module is ``selection``, not ``select``, so as not to shadow the standard library.

Examples
--------
::

    gmmviz select data.csv --k-max 10
    gmmviz select --dataset blobs --k-max 8 --covariance-types full diag --n-init 3 --csv bic.csv

Each row is one fit by :func:`gmmviz.core.selection.iter_sweep`, printed as soon as it ends:
its numbers are those of ``gmmviz fit`` (and of ``GaussianMixture(...).fit(X)``) with the
same K, covariance type and settings. The last lines name the choice by BIC and by AIC
(lowest wins; a tie goes to the smaller K). ``--seed`` seeds the generated dataset and
the initialisation, as in ``gmmviz fit``; ``--random-state`` overrides the latter.

Exit status: 0 on success, 2 for a usage or input error, 1 when a fit or writing the CSV
fails, 130 when interrupted (the rows so far stay printed). Errors are one line on stderr,
``gmmviz select: error: ...``, never a traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from gmmviz.app.settings import ModelSettings
from gmmviz.cli import _options as opt
from gmmviz.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    UsageErrorParser,
    add_data_arguments,
    check_data_arguments,
    check_output_path,
    command_main,
    load_input,
    run,
)
from gmmviz.core.gaussian import COVARIANCE_TYPES
from gmmviz.core.selection import SweepPoint, best, iter_sweep
from gmmviz.io import save_sweep_csv

__all__ = ["DESCRIPTION", "PROG", "add_arguments", "build_parser", "execute", "format_row", "main"]

PROG = "gmmviz select"
DEFAULT_K_MAX = 10

DESCRIPTION = (
    "Choose the number of components and the covariance type: fit every K from --k-min to "
    "--k-max for each covariance type, print BIC, AIC and the mean log-likelihood of each "
    "fit, and the lowest BIC and AIC."
)

#: Table columns: title and width (numbers are right-aligned under their title).
COLUMNS: tuple[tuple[str, int], ...] = (
    ("K", 3),
    ("covariance", 10),
    ("BIC", 14),
    ("AIC", 14),
    ("mean log-lik", 13),
    ("iterations", 10),
    ("converged", 9),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``gmmviz select`` (see :mod:`gmmviz.cli._options`)."""
    add_data_arguments(parser)
    defaults = ModelSettings()
    grid = parser.add_argument_group("models to compare")
    opt.K_MIN.add_to(grid, default=1)
    opt.K_MAX.add_to(grid, default=DEFAULT_K_MAX)
    opt.SWEEP_COVARIANCE_TYPES.add_to(grid, default=list(COVARIANCE_TYPES))
    fitting = parser.add_argument_group("fitting (as gmmviz fit)")
    opt.INIT.add_to(fitting, default=defaults.init_params)
    opt.TOL.add_to(fitting, default=defaults.tol)
    opt.MAX_ITER.add_to(fitting, default=defaults.max_iter)
    opt.REG_COVAR.add_to(fitting, default=defaults.reg_covar)
    opt.N_INIT.add_to(fitting, default=1)
    opt.RANDOM_STATE.add_to(fitting)
    output = parser.add_argument_group("output")
    opt.TABLE_CSV.add_to(output)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``gmmviz select`` on its own (for :func:`main` and tests)."""
    parser = UsageErrorParser(prog=PROG, description=DESCRIPTION)
    add_arguments(parser)
    return parser


def _check_arguments(args: argparse.Namespace) -> None:
    check_data_arguments(args)
    if args.k_min > args.k_max:
        raise UsageError(f"--k-min {args.k_min} is larger than --k-max {args.k_max}")
    repeated = sorted({t for t in args.covariance_types if args.covariance_types.count(t) > 1})
    if repeated:
        raise UsageError(f"--covariance-types lists {', '.join(repeated)} more than once")
    if args.csv is not None:
        check_output_path(args.csv, "--csv", (".csv",))


def header() -> str:
    """The title line of the table."""
    (k, kw), (cov, cw), *numbers = COLUMNS
    return "  ".join([f"{k:>{kw}}", f"{cov:<{cw}}", *(f"{t:>{w}}" for t, w in numbers)])


def format_row(point: SweepPoint) -> str:
    """One line of the table: K, covariance type, BIC, AIC, mean log-likelihood, iterations,
    converged (BIC and AIC to 4 decimals, the log-likelihood to 6, as ``gmmviz fit``)."""
    values = (
        f"{point.bic:.4f}",
        f"{point.aic:.4f}",
        f"{point.log_likelihood:.6f}",
        str(point.n_iter),
        "yes" if point.converged else "no",
    )
    (_, kw), (_, cw), *numbers = COLUMNS
    cells = [f"{point.k:>{kw}}", f"{point.covariance_type:<{cw}}"]
    cells += [f"{v:>{w}}" for v, (_, w) in zip(values, numbers, strict=True)]
    return "  ".join(cells)


def _choice_line(points: list[SweepPoint], criterion: str) -> str:
    chosen = best(points, criterion)
    value = chosen.criterion(criterion)
    return (
        f"lowest {criterion.upper()}: K={chosen.k}, {chosen.covariance_type} "
        f"({criterion.upper()} {value:.4f})"
    )


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _check_arguments(args)
    X, source = load_input(args)
    n, d = X.shape
    if args.k_max > n:
        raise UsageError(f"--k-max {args.k_max} but only {n} data points; use --k-max {n} or fewer")
    seed = args.seed if args.random_state is None else args.random_state
    types = args.covariance_types
    n_fits = len(types) * (args.k_max - args.k_min + 1)
    print(
        f"comparing K={args.k_min}..{args.k_max} x {', '.join(types)} ({n_fits} fit"
        f"{'s' if n_fits != 1 else ''}) on {n:,} points in {d} dimension"
        f"{'s' if d != 1 else ''} ({source}; init {args.init}, init seed {seed}, "
        f"n_init {args.n_init})",
        file=out,
    )
    print(header(), file=out, flush=True)
    sweep = iter_sweep(
        X,
        range(args.k_min, args.k_max + 1),
        types,
        n_init=args.n_init,
        tol=args.tol,
        reg_covar=args.reg_covar,
        max_iter=args.max_iter,
        init_params=args.init,
        random_state=seed,
    )
    points: list[SweepPoint] = []
    try:
        for point in sweep:
            points.append(point)
            print(format_row(point), file=out, flush=True)
    except ValueError as exc:
        print(f"{PROG}: error: fitting failed: {exc}", file=err)
        return EXIT_FAILED
    not_converged = sum(not p.converged for p in points)
    if not_converged:
        print(
            f"{PROG}: warning: {not_converged} of {len(points)} fits stopped at --max-iter "
            f"{args.max_iter} before converging",
            file=err,
        )
    print(_choice_line(points, "bic"), file=out)
    print(_choice_line(points, "aic"), file=out)
    if args.csv is not None:
        try:
            save_sweep_csv(args.csv, points)
        except OSError as exc:
            print(f"{PROG}: error: cannot write {args.csv}: {exc}", file=err)
            return EXIT_FAILED
        print(f"table written to {args.csv}", file=out)
    return EXIT_OK


def execute(args: argparse.Namespace) -> int:
    """Compare models with parsed options (from :func:`build_parser` or ``gmmviz``'s).

    Returns
    -------
    int
        Exit status: 0 success, 1 a fit or writing the CSV failed, 2 usage or input error,
        130 interrupted.
    """
    return run(PROG, lambda out, err: _run(args, out, err))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gmmviz select`` with the arguments after ``select``.

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
