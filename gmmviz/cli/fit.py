"""``gmmviz fit``: fit a Gaussian mixture without the GUI and report how EM went.

Examples
--------
::

    gmmviz fit data.csv -k 3 --covariance-type full -o model.json
    gmmviz fit --dataset moons --n-samples 5000 --seed 1 -k 2 -o moons.npz

``--seed`` seeds the generated dataset *and* the initialisation, as in the window (default
0, so a fit is reproducible); ``--random-state`` overrides the seed of the initialisation
only. Bounds of every number come from :data:`gmmviz.app.settings.BOUNDS`.

Exit status: 0 on success, 2 for a usage or input error (bad option, unreadable or invalid
data, K larger than the number of points), 1 when the fit itself or writing the model fails.
Errors are one line on stderr, ``gmmviz fit: error: ...``, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import warnings
from collections.abc import Sequence
from typing import TextIO

from gmmviz.app.settings import ModelSettings
from gmmviz.cli import _options as opt
from gmmviz.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    UsageErrorParser,
    add_data_arguments,
    check_data_arguments,
    check_output_path,
    command_main,
    load_input,
    run,
    usage_error,
)
from gmmviz.core.mixture import GaussianMixture
from gmmviz.io import MODEL_SUFFIXES, save_model

__all__ = [
    "EXIT_USAGE",
    "PROG",
    "UsageError",
    "UsageErrorParser",
    "add_arguments",
    "build_parser",
    "execute",
    "init_seed",
    "main",
    "usage_error",
]

PROG = "gmmviz fit"

DESCRIPTION = (
    "Fit a Gaussian mixture with EM, print each iteration and a summary, and optionally save "
    "the model. --seed seeds the generated dataset and the initialisation, as in the window."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``gmmviz fit``, with its defaults (see :mod:`gmmviz.cli._options`)."""
    add_data_arguments(parser)
    defaults = ModelSettings()  # the same defaults as the window's first start
    model = parser.add_argument_group("model")
    opt.N_COMPONENTS.add_to(model, default=defaults.n_components)
    opt.COVARIANCE_TYPE.add_to(model, default=defaults.covariance_type)
    opt.INIT.add_to(model, default=defaults.init_params)
    opt.TOL.add_to(model, default=defaults.tol)
    opt.MAX_ITER.add_to(model, default=defaults.max_iter)
    opt.REG_COVAR.add_to(model, default=defaults.reg_covar)
    opt.N_INIT.add_to(model, default=1)
    opt.RANDOM_STATE.add_to(model)
    output = parser.add_argument_group("output")
    opt.OUTPUT.add_to(output)
    opt.QUIET.add_to(output)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``gmmviz fit`` on its own (for :func:`main` and the tests)."""
    parser = UsageErrorParser(prog=PROG, description=DESCRIPTION)
    add_arguments(parser)
    return parser


def _check_arguments(args: argparse.Namespace) -> None:
    """Cross-option checks argparse cannot express."""
    check_data_arguments(args)
    if args.output is not None:
        check_output_path(args.output, "--output", MODEL_SUFFIXES)


def _iteration_lines(model: GaussianMixture, final: float) -> list[str]:
    """One line per snapshot of the kept initialisation, numbered as the window numbers
    them: iteration n is the model after n M-steps and its mean log-likelihood.

    ``lower_bounds_[n]`` is the mean log-likelihood of the parameters before the
    (n+1)-th M-step (scikit-learn's ``lower_bound_`` convention), that is of iteration n;
    the last line is the fitted model's own, ``final`` (its ``score``).
    """
    bounds = list(getattr(model, "lower_bounds_", None) or [])
    if not bounds:
        return []
    lines = []
    previous = -math.inf
    for n, value in enumerate([*bounds, final]):
        change = "" if previous == -math.inf else f"  change {value - previous:+.3e}"
        lines.append(f"iteration {n:4d}  mean log-likelihood {value:.6f}{change}")
        previous = value
    return lines


def init_seed(args: argparse.Namespace) -> int:
    """The seed of the initialisation: ``--random-state`` if given, else ``--seed``."""
    return args.seed if args.random_state is None else args.random_state


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _check_arguments(args)
    X, source = load_input(args)
    n, d = X.shape
    k = args.n_components
    if k > n:
        raise UsageError(f"K={k} components but only {n} data points; use -k {n} or fewer")
    model = GaussianMixture(
        n_components=k,
        covariance_type=args.covariance_type,
        tol=args.tol,
        reg_covar=args.reg_covar,
        max_iter=args.max_iter,
        n_init=args.n_init,
        init_params=args.init,
        random_state=init_seed(args),
    )
    print(
        f"fitting {k} {args.covariance_type} component{'s' if k != 1 else ''} to {n:,} points "
        f"in {d} dimension{'s' if d != 1 else ''} ({source}; init {args.init}, "
        f"init seed {init_seed(args)}, n_init {args.n_init})",
        file=out,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(X)
        except ValueError as exc:
            print(f"{PROG}: error: fitting failed: {exc}", file=err)
            return EXIT_FAILED
    for warning in caught:
        print(f"{PROG}: warning: {warning.message}", file=err)

    mean_ll = model.score(X)
    if not args.quiet:
        if args.n_init > 1:
            print(f"best of {args.n_init} initialisations:", file=out)
        for line in _iteration_lines(model, mean_ll):
            print(line, file=out)

    saved = "not saved (use -o FILE)"
    if args.output is not None:
        try:
            save_model(model, args.output)
        except (OSError, ValueError) as exc:
            print(f"{PROG}: error: cannot write {args.output}: {exc}", file=err)
            return EXIT_FAILED
        saved = str(args.output)
    summary = [
        ("iterations", str(model.n_iter_)),
        ("converged", "yes" if model.converged_ else "no"),
        ("mean log-likelihood", f"{mean_ll:.6f}"),
        ("BIC", f"{model.bic(X):.4f}"),
        ("AIC", f"{model.aic(X):.4f}"),
        ("model", saved),
    ]
    for label, value in summary:
        print(f"{label + ':':<21}{value}", file=out)
    return EXIT_OK


def execute(args: argparse.Namespace) -> int:
    """Fit with parsed options (from :func:`build_parser` or ``gmmviz``'s parser).

    Returns
    -------
    int
        Exit status: 0 success, 1 the fit or writing the model failed, 2 input error.
    """
    return run(PROG, lambda out, err: _run(args, out, err))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gmmviz fit`` with the arguments after ``fit``.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (without the program and subcommand names); default
        ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 success, 1 the fit or writing the model failed, 2 usage or input
        error. Errors are printed as one line ``gmmviz fit: error: ...`` on stderr.
    """
    return command_main(build_parser(), execute, argv)
