#!/usr/bin/env python
"""Per-iteration and whole-fit EM time of gmmviz against scikit-learn, in one run.

Both estimators get the same data, the same explicit start (weights, means, precisions),
``tol=0`` and the cheap ``random_from_data`` initialisation (overridden by the explicit
start, so it costs both the same). The time of one EM iteration is measured as
``(t(max_iter=1+n) - t(max_iter=1)) / n``, which cancels set-up, initialisation and the
final E-step; each side keeps its best of ``--repeat`` runs. The script also checks that the
two fits agree (lower bound and means) and prints a Markdown table.

A second table times the whole default fit, ``GaussianMixture(K, random_state=0).fit(X)``
(k-means start, ``tol=1e-3``), for both libraries: initialisation included, as a user
meets it. Each library's own k-means start differs, so the iteration counts may too; the
table shows them. Intel oneDAL's ``daal4py.em_gmm`` is timed per iteration beside them when
it is importable (it is never installed by this script).

Usage: ``python scripts/bench_core.py [--quick] [--iterations N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from gmmviz import GaussianMixture
from gmmviz.core import ConvergenceWarning

try:  # optional peer, never required
    import daal4py
except ImportError:  # pragma: no cover - depends on the machine
    daal4py = None

CASES = [  # (n_samples, n_features, n_components, covariance_type)
    (1_000_000, 2, 16, "full"),
    (1_000_000, 2, 16, "tied"),
    (1_000_000, 2, 16, "diag"),
    (1_000_000, 2, 16, "spherical"),
    (100_000, 10, 8, "full"),
]
FIT_CASES = [(1_000_000, 2, 16), (100_000, 10, 8)]  # (n_samples, n_features, n_components)


def make_data(n_samples: int, n_features: int, n_components: int, seed: int = 0) -> np.ndarray:
    """Blobs with random anisotropic shapes, so that EM has real work to do.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    """
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(n_components, n_features))
    labels = rng.integers(0, n_components, size=n_samples)
    shapes = rng.normal(size=(n_components, n_features, n_features)) * 0.7
    noise = rng.standard_normal((n_samples, n_features))
    return centres[labels] + np.einsum("ni,nij->nj", noise, shapes[labels])


def explicit_start(X: np.ndarray, n_components: int, covariance_type: str) -> dict:
    """A shared starting point: a short scikit-learn fit on a subsample."""
    start = SkGaussianMixture(
        n_components,
        covariance_type=covariance_type,
        max_iter=2,
        random_state=0,
        init_params="random_from_data",
    ).fit(X[:20_000])
    return {
        "weights_init": start.weights_,
        "means_init": start.means_,
        "precisions_init": start.precisions_,
    }


def time_fit(cls, X, n_components, covariance_type, start, max_iter, repeat):
    best, model = np.inf, None
    for _ in range(repeat):
        estimator = cls(
            n_components,
            covariance_type=covariance_type,
            tol=0.0,
            max_iter=max_iter,
            init_params="random_from_data",
            random_state=0,
            **start,
        )
        t0 = time.perf_counter()
        estimator.fit(X)
        best = min(best, time.perf_counter() - t0)
        model = estimator
    return best, model


def time_daal(X, n_components, start, iterations, repeat):
    """oneDAL's per-iteration time from the same start, or None when it is not importable."""
    if daal4py is None:
        return None
    covariances = np.linalg.inv(start["precisions_init"])
    inputs = {"weights": start["weights_init"][None], "means": start["means_init"]}
    per = {}
    for n_iter in (1, 1 + iterations):
        best = np.inf
        for _ in range(repeat):
            algo = daal4py.em_gmm(
                nComponents=n_components, maxIterations=n_iter, accuracyThreshold=0.0
            )
            t0 = time.perf_counter()
            algo.compute(X, inputs["weights"], inputs["means"], covariances)
            best = min(best, time.perf_counter() - t0)
        per[n_iter] = best
    return max(per[1 + iterations] - per[1], 1e-9) / iterations


def per_iteration_table(args) -> None:
    daal_col = " oneDAL ms |" if daal4py is not None else ""
    print(f"## Per EM iteration (ms, best of {args.repeat}; {args.iterations} iterations timed)\n")
    print(
        f"| data | K | covariance | scikit-learn ms |{daal_col} gmmviz ms | speed-up "
        "| max abs diff |"
    )
    print("|---|---|---|---|" + ("---|" if daal4py is not None else "") + "---|---|---|")
    for n_samples, n_features, n_components, covariance_type in CASES:
        if args.quick:
            n_samples //= 10
        X = make_data(n_samples, n_features, n_components)
        start = explicit_start(X, n_components, covariance_type)
        per_iteration = {}
        fitted = {}
        for name, cls in (("sklearn", SkGaussianMixture), ("gmmviz", GaussianMixture)):
            t_one, _ = time_fit(cls, X, n_components, covariance_type, start, 1, args.repeat)
            t_many, model = time_fit(
                cls, X, n_components, covariance_type, start, 1 + args.iterations, args.repeat
            )
            per_iteration[name] = max(t_many - t_one, 1e-9) / args.iterations
            fitted[name] = model
        daal = ""
        if daal4py is not None:
            t = time_daal(X, n_components, start, args.iterations, args.repeat)
            daal = f" {t * 1e3:.1f} |" if covariance_type == "full" and t else " - |"
        diff = max(
            abs(fitted["sklearn"].lower_bound_ - fitted["gmmviz"].lower_bound_),
            float(np.abs(fitted["sklearn"].means_ - fitted["gmmviz"].means_).max()),
        )
        ms_sk = per_iteration["sklearn"] * 1e3
        ms_gm = per_iteration["gmmviz"] * 1e3
        print(
            f"| {n_samples:,} x {n_features} | {n_components} | {covariance_type} | "
            f"{ms_sk:.1f} |{daal} {ms_gm:.1f} | {ms_sk / ms_gm:.1f}x | {diff:.1e} |",
            flush=True,
        )


def time_default_fit(cls, X, n_components, repeat):
    """Best wall time of ``cls(K, random_state=0).fit(X)`` with default settings."""
    best, model = np.inf, None
    for _ in range(repeat):
        estimator = cls(n_components, random_state=0)
        t0 = time.perf_counter()
        estimator.fit(X)
        best = min(best, time.perf_counter() - t0)
        model = estimator
    return best, model


def whole_fit_table(args) -> None:
    print(
        f"\n## Whole default fit: `GaussianMixture(K, random_state=0).fit(X)` (s, best of "
        f"{args.repeat})\n"
    )
    print("| data | K | scikit-learn s (iters) | gmmviz s (iters) | speed-up | lower bounds |")
    print("|---|---|---|---|---|---|")
    for n_samples, n_features, n_components in FIT_CASES:
        if args.quick:
            n_samples //= 10
        X = make_data(n_samples, n_features, n_components)
        t_sk, sk = time_default_fit(SkGaussianMixture, X, n_components, args.repeat)
        t_gm, gm = time_default_fit(GaussianMixture, X, n_components, args.repeat)
        print(
            f"| {n_samples:,} x {n_features} | {n_components} | {t_sk:.3f} ({sk.n_iter_}) | "
            f"{t_gm:.3f} ({gm.n_iter_}) | {t_sk / t_gm:.1f}x | "
            f"{sk.lower_bound_:.6f} / {gm.lower_bound_:.6f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=8, help="extra iterations timed")
    parser.add_argument("--repeat", type=int, default=2, help="runs per side (best kept)")
    parser.add_argument("--quick", action="store_true", help="one tenth of the data")
    args = parser.parse_args()
    warnings.simplefilter("ignore", SkConvergenceWarning)
    warnings.simplefilter("ignore", ConvergenceWarning)

    # Warm the numba kernels (compiled or loaded from cache) outside the timings.
    X_warm = make_data(2_000, 2, 2)
    GaussianMixture(2, max_iter=2, random_state=0).fit(X_warm)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# cores: {os.cpu_count()}; load average at start: {load:.2f}\n")
    per_iteration_table(args)
    whole_fit_table(args)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average at end: {load:.2f}")


if __name__ == "__main__":
    main()
