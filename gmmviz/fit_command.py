"""``gmmviz fit``: fit a Gaussian mixture without the GUI and report how EM went.

Examples
--------
::

    gmmviz fit data.csv -k 3 --covariance-type full -o model.json
    gmmviz fit --dataset moons --n-samples 5000 --seed 1 -k 2 -o moons.npz

Exit status: 0 on success, 2 for a usage or input error (bad option, unreadable or invalid
data, K larger than the number of points), 1 when the fit itself or writing the model fails.
Errors are one line on stderr, ``gmmviz fit: error: ...``, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from gmmviz.core.datasets import DATASET_NAMES, MAX_N_SAMPLES, make_dataset
from gmmviz.core.gaussian import COVARIANCE_TYPES
from gmmviz.core.init import INIT_METHODS
from gmmviz.core.mixture import GaussianMixture
from gmmviz.io import MODEL_SUFFIXES, load_data, save_model

__all__ = ["PROG", "build_parser", "main"]

PROG = "gmmviz fit"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _UsageError(Exception):
    """A problem with the command line or the input; reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that raises instead of printing usage and calling ``sys.exit``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def _integer(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """argparse type: an int in ``[minimum, maximum]``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum:,}"
            raise argparse.ArgumentTypeError(f"must be an integer {bound}; got {value}")
        return value

    return parse


def _non_negative_float(text: str) -> float:
    """argparse type: a finite float >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0.0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0; got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``gmmviz fit`` (exposed for ``--help`` text and tests)."""
    parser = _Parser(
        prog=PROG,
        description="Fit a Gaussian mixture with EM, print each iteration and a summary, and "
        "optionally save the model.",
    )
    source = parser.add_argument_group("data (a file or a generated dataset)")
    source.add_argument(
        "data",
        nargs="?",
        metavar="DATA",
        help="data file: .csv, .tsv, .txt, .npy or .npz (see gmmviz.io.load_data)",
    )
    source.add_argument(
        "--dataset", choices=DATASET_NAMES, help="generate one of the lecture's datasets instead"
    )
    source.add_argument(
        "--n-samples",
        type=_integer(1, MAX_N_SAMPLES),
        metavar="N",
        help="points to generate with --dataset (default: the lecture's size)",
    )
    source.add_argument(
        "--noise",
        type=_non_negative_float,
        help="the dataset's noise knob with --dataset (default: the lecture's)",
    )
    source.add_argument(
        "--seed", type=_integer(0), help="seed of the generated dataset (default: 0)"
    )
    model = parser.add_argument_group("model")
    model.add_argument(
        "-k",
        "--n-components",
        type=_integer(1),
        default=3,
        metavar="K",
        help="number of components (default: 3)",
    )
    model.add_argument(
        "--covariance-type",
        choices=COVARIANCE_TYPES,
        default="full",
        help="default: full",
    )
    model.add_argument(
        "--init", choices=INIT_METHODS, default="kmeans", help="initialisation (default: kmeans)"
    )
    model.add_argument(
        "--tol",
        type=_non_negative_float,
        default=1e-3,
        help="convergence threshold on the change of the mean log-likelihood (default: 1e-3)",
    )
    model.add_argument(
        "--max-iter", type=_integer(0), default=100, help="EM iterations at most (default: 100)"
    )
    model.add_argument(
        "--reg-covar",
        type=_non_negative_float,
        default=1e-6,
        help="added to the covariance diagonals (default: 1e-6)",
    )
    model.add_argument(
        "--n-init",
        type=_integer(1),
        default=1,
        help="initialisations; the best is kept (default: 1)",
    )
    model.add_argument(
        "--random-state",
        type=_integer(0),
        default=None,
        metavar="SEED",
        help="seed of the initialisation (default: a fresh one each run)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "-o", "--output", metavar="FILE", help="save the fitted model (.json or .npz)"
    )
    output.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="do not print the per-iteration lines (the summary is still printed)",
    )
    return parser


def _check_arguments(args: argparse.Namespace) -> None:
    """Cross-option checks argparse cannot express."""
    if (args.data is None) == (args.dataset is None):
        raise _UsageError("give either a DATA file or --dataset NAME (exactly one)")
    if args.dataset is None:
        given = [
            flag
            for flag, value in (
                ("--n-samples", args.n_samples),
                ("--noise", args.noise),
                ("--seed", args.seed),
            )
            if value is not None
        ]
        if given:
            raise _UsageError(
                f"{', '.join(given)} only appl{'y' if len(given) > 1 else 'ies'} with --dataset"
            )
    if args.output is not None:
        output = Path(args.output)
        # Checked before fitting, so a typo does not cost a long fit.
        if output.suffix.lower() not in MODEL_SUFFIXES:
            raise _UsageError(
                f"--output must end in {' or '.join(MODEL_SUFFIXES)}; got {args.output!r}"
            )
        parent = output.parent if str(output.parent) else Path(".")
        if not parent.is_dir():
            raise _UsageError(f"--output directory {str(parent)!r} does not exist")


def _load(args: argparse.Namespace) -> tuple[np.ndarray, str]:
    """The data and a short description of where it came from."""
    if args.dataset is not None:
        seed = 0 if args.seed is None else args.seed
        try:
            X, _ = make_dataset(args.dataset, args.n_samples, args.noise, seed)
        except ValueError as exc:
            raise _UsageError(str(exc)) from None
        return X, f"dataset {args.dataset!r}, seed {seed}"
    try:
        X, _ = load_data(args.data)
    except FileNotFoundError:
        raise _UsageError(f"{args.data}: no such file") from None
    except OSError as exc:
        raise _UsageError(f"{args.data}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    return X, str(args.data)


def _iteration_lines(model: GaussianMixture) -> list[str]:
    """One line per EM iteration of the kept initialisation: number, bound, change.

    Taken from ``lower_bounds_`` after ``fit``; the bound of iteration n is the mean
    log-likelihood of the parameters before that iteration's M-step (scikit-learn's
    ``lower_bound_`` convention).
    """
    bounds = getattr(model, "lower_bounds_", None)
    if not bounds:
        return []
    lines = []
    previous = -math.inf
    for n, bound in enumerate(bounds, start=1):
        change = "" if previous == -math.inf else f"  change {bound - previous:+.3e}"
        lines.append(f"iteration {n:4d}  mean log-likelihood {bound:.6f}{change}")
        previous = bound
    return lines


def _run(args: argparse.Namespace, out, err) -> int:
    _check_arguments(args)
    X, source = _load(args)
    n, d = X.shape
    k = args.n_components
    if k > n:
        raise _UsageError(f"K={k} components but only {n} data points; use -k {n} or fewer")
    model = GaussianMixture(
        n_components=k,
        covariance_type=args.covariance_type,
        tol=args.tol,
        reg_covar=args.reg_covar,
        max_iter=args.max_iter,
        n_init=args.n_init,
        init_params=args.init,
        random_state=args.random_state,
    )
    print(
        f"fitting {k} {args.covariance_type} component{'s' if k != 1 else ''} to {n:,} points "
        f"in {d} dimension{'s' if d != 1 else ''} ({source}; init {args.init}, "
        f"n_init {args.n_init})",
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

    if not args.quiet:
        if args.n_init > 1:
            print(f"best of {args.n_init} initialisations:", file=out)
        for line in _iteration_lines(model):
            print(line, file=out)

    mean_ll = model.score(X)
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
    out, err = sys.stdout, sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help
        return int(exc.code or 0) if isinstance(exc.code, (int, type(None))) else EXIT_USAGE
    except _UsageError as exc:
        print(f"{PROG}: error: {exc} (see '{PROG} --help')", file=err)
        return EXIT_USAGE
    try:
        return _run(args, out, err)
    except _UsageError as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=err)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
