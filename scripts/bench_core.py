#!/usr/bin/env python
"""Per-iteration EM time of gmmviz against scikit-learn, side by side in one run.

Both estimators get the same data, the same explicit start (weights, means, precisions),
``tol=0`` and the cheap ``random_from_data`` initialisation (overridden by the explicit
start, so it costs both the same). The time of one EM iteration is measured as
``(t(max_iter=1+n) - t(max_iter=1)) / n``, which cancels set-up, initialisation and the
final E-step; each side keeps its best of ``--repeat`` runs. The script also checks that the
two fits agree (lower bound and means) and prints a Markdown table.

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

CASES = [  # (n_samples, n_features, n_components, covariance_type)
    (1_000_000, 2, 16, "full"),
    (1_000_000, 2, 16, "tied"),
    (1_000_000, 2, 16, "diag"),
    (1_000_000, 2, 16, "spherical"),
    (100_000, 10, 8, "full"),
]


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

    print(
        f"# cores: {os.cpu_count()}; ms per EM iteration, best of {args.repeat}; "
        f"{args.iterations} iterations timed\n"
    )
    print("| data | K | covariance | scikit-learn ms | gmmviz ms | speed-up | max abs diff |")
    print("|---|---|---|---|---|---|---|")
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
        diff = max(
            abs(fitted["sklearn"].lower_bound_ - fitted["gmmviz"].lower_bound_),
            float(np.abs(fitted["sklearn"].means_ - fitted["gmmviz"].means_).max()),
        )
        ms_sk = per_iteration["sklearn"] * 1e3
        ms_gm = per_iteration["gmmviz"] * 1e3
        print(
            f"| {n_samples:,} x {n_features} | {n_components} | {covariance_type} | "
            f"{ms_sk:.1f} | {ms_gm:.1f} | {ms_sk / ms_gm:.1f}x | {diff:.1e} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
