#!/usr/bin/env python
"""Per-iteration EM time of gmmviz against scikit-learn (and oneDAL) over a grid of K and d.

For every shape of the grid (default K in 1, 2, 4, ..., 64 and d in 1, 2, 4, ..., 32, N
points of :func:`bench_core.make_data`) and every covariance type asked for, each library
runs from the same explicit start with ``tol=0`` and ``reg_covar=0``, and the time of one
iteration is ``(t(1+n iterations) - t(1 iteration)) / n``, best of ``--repeat`` (the method
and the oneDAL call of ``scripts/bench_core.py``). A shape whose fit fails without
regularisation (a collapsed component) is rerun with ``reg_covar=1e-6`` and marked ``*``;
oneDAL, which has no such regulariser, is then left out of it.

Prints one Markdown row per shape as it goes, then one table per covariance type of the
ratio scikit-learn time / gmmviz time (rows d, columns K; above 1 means gmmviz is faster),
the same against oneDAL where it is installed, and the worst ratio over the grid.

Usage: ``python scripts/bench_sweep.py [--n-samples N] [--covariance-types full,diag]
[--ks 1,2,4] [--ds 1,2] [--iterations N] [--repeat R]`` (also ``bench_core.py --sweep``).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_core import (  # the sibling script
    AGREE,
    daal4py,
    load_average,
    make_data,
    per_iteration,
    warm_up,
)

from gmmviz.core import ConvergenceWarning

KS = (1, 2, 4, 8, 16, 32, 64)
DS = (1, 2, 4, 8, 16, 32)


def measure(X, n_components, covariance_type, iterations, repeat) -> tuple[dict, bool]:
    """:func:`bench_core.per_iteration` with ``reg_covar=0``, or 1e-6 when that fails.

    Returns
    -------
    (times, regularised)
    """
    try:
        times = per_iteration(
            X, n_components, covariance_type, iterations, repeat, rows_as_given=False
        )
        return times, False
    except (ValueError, np.linalg.LinAlgError):
        times = per_iteration(
            X, n_components, covariance_type, iterations, repeat, 1e-6, rows_as_given=False
        )
        return times, True


def ratio_table(results: dict, covariance_type: str, key: str, ks, ds) -> str:
    """Markdown table of ``results[...][key] / results[...]['gmmviz']``: rows d, columns K."""
    lines = ["| d \\ K | " + " | ".join(str(k) for k in ks) + " |"]
    lines.append("|---|" + "---|" * len(ks))
    for d in ds:
        cells = []
        for k in ks:
            times = results.get((covariance_type, d, k))
            if times is None or key not in times:
                cells.append("-")
            else:
                cells.append(f"{times[key] / times['gmmviz']:.1f}")
        lines.append(f"| {d} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def worst(results: dict, key: str) -> tuple[float, tuple] | None:
    """Smallest ``key / gmmviz`` time ratio over the grid and its (type, d, K)."""
    ratios = [
        (times[key] / times["gmmviz"], shape) for shape, times in results.items() if key in times
    ]
    return min(ratios) if ratios else None


def parse_ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(","))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20_000)
    parser.add_argument("--covariance-types", default="full,diag")
    parser.add_argument("--ks", type=parse_ints, default=KS, help="comma-separated K")
    parser.add_argument("--ds", type=parse_ints, default=DS, help="comma-separated d")
    parser.add_argument("--iterations", type=int, default=8, help="extra iterations timed")
    parser.add_argument("--repeat", type=int, default=3, help="runs per library (best kept)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", SkConvergenceWarning)
    warnings.simplefilter("ignore", ConvergenceWarning)
    warm_up()
    types = args.covariance_types.split(",")
    onedal = "daal4py importable" if daal4py is not None else "daal4py not installed"
    print(
        f"# cores: {os.cpu_count()}; {onedal}; load average at start: {load_average():.2f}\n"
        f"# N = {args.n_samples:,}; ms per EM iteration, best of {args.repeat}, "
        f"{args.iterations} iterations timed; same start, tol=0, reg_covar=0\n"
    )
    print("| covariance | d | K | scikit-learn ms | oneDAL ms | gmmviz ms | vs sklearn | diff |")
    print("|---|---|---|---|---|---|---|---|")
    results: dict[tuple[str, int, int], dict] = {}
    for covariance_type in types:
        for d in args.ds:
            for k in args.ks:
                X = make_data(args.n_samples, d, k)
                times, regularised = measure(X, k, covariance_type, args.iterations, args.repeat)
                results[(covariance_type, d, k)] = times
                daal_ms = f"{times['onedal'] * 1e3:.2f}" if "onedal" in times else "-"
                diff = max(times["diff_gmmviz"], times.get("diff_onedal", 0.0))
                mark = "*" if regularised else ""
                print(
                    f"| {covariance_type}{mark} | {d} | {k} | {times['sklearn'] * 1e3:.2f} | "
                    f"{daal_ms} | {times['gmmviz'] * 1e3:.2f} | "
                    f"{times['sklearn'] / times['gmmviz']:.1f}x | {diff:.1e} |",
                    flush=True,
                )
                if diff > AGREE:
                    print(f"WARNING: the fits differ by {diff:.1e} (> {AGREE:g})", flush=True)
    for covariance_type in types:
        print(f"\n### {covariance_type}: scikit-learn time / gmmviz time\n")
        print(ratio_table(results, covariance_type, "sklearn", args.ks, args.ds))
        if daal4py is not None and covariance_type in ("full", "diag"):
            print(f"\n### {covariance_type}: oneDAL time / gmmviz time\n")
            print(ratio_table(results, covariance_type, "onedal", args.ks, args.ds))
    for key, name in (("sklearn", "scikit-learn"), ("onedal", "oneDAL")):
        found = worst(results, key)
        if found is not None:
            value, (covariance_type, d, k) = found
            print(
                f"\nworst ratio {name}/gmmviz over the grid: {value:.2f} "
                f"({covariance_type}, d={d}, K={k})"
            )
    print(f"\nload average at end: {load_average():.2f}")


if __name__ == "__main__":
    main()
