#!/usr/bin/env python
"""Per-iteration and whole-fit EM time of gmmviz against scikit-learn and oneDAL, in one run.

Per iteration: every library gets the same data, the same explicit start (weights, means,
covariances), ``tol=0`` and ``reg_covar=0`` (oneDAL adds no regulariser to the covariance
diagonal, so with 0 all three compute the same EM). scikit-learn and gmmviz take the cheap
``random_from_data`` initialisation, overridden by the explicit start. The time of one EM
iteration is ``(t(max_iter=1+n) - t(max_iter=1)) / n``, which cancels set-up,
initialisation, data conversion and the final E-step; each library keeps its best of
``--repeat`` runs. The script checks that the fits agree (lower bound and means against
scikit-learn's) and prints a Markdown table with the ratios gmmviz/scikit-learn and
gmmviz/oneDAL side by side. gmmviz groups the rows by nearest starting mean once per run, so
that its E-step can skip components far from a whole block of rows; in brackets, gmmviz
timed with the rows left in the order given, which measures the kernel alone.

Intel oneDAL is timed through ``daal4py.em_gmm`` when ``daal4py`` is importable
(``pip install gmmviz[bench]`` brings it on x86-64; this script never installs it).
``em_gmm(nComponents=K, maxIterations=n, accuracyThreshold=0.0, covarianceStorage=...)
.compute(X, weights (1, K), means (K, d), [covariance per component])`` takes an explicit
start, so it starts where the others do and runs exactly ``n`` iterations (its
``nIterations`` is checked); its ``goalFunction`` is the log-likelihood sum of the last
E-step, i.e. ``N * lower_bound_`` of scikit-learn's fit with the same ``max_iter``.
oneDAL stores full and diagonal covariances only: tied and spherical rows show "-".

A second table times the whole default fit, ``GaussianMixture(K, random_state=0).fit(X)``
(k-means start, ``tol=1e-3``): initialisation included, as a user meets it. Each library's
own start differs, so the iteration counts may too; the table shows them. With ``--daal-fit``
oneDAL's default pipeline is timed too: ``em_gmm_init(K)`` (its default start: many short
EM runs from random points) then ``em_gmm(K)`` with its default stopping rule.

``--sweep`` times per-iteration EM over a grid of K and d instead (see
``scripts/bench_sweep.py``).

Usage: ``python scripts/bench_core.py [--quick] [--iterations N] [--repeat R] [--daal-fit]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from gmmviz import GaussianMixture
from gmmviz.core import ConvergenceWarning
from gmmviz.core._kernels import dispatch

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
    (100_000, 10, 8, "diag"),
]
FIT_CASES = [(1_000_000, 2, 16), (100_000, 10, 8)]  # (n_samples, n_features, n_components)
#: oneDAL's name for the covariance types it stores.
DAAL_STORAGE = {"full": "full", "diag": "diagonal"}
#: A fit agrees with scikit-learn's when lower bound and means differ by less than this.
AGREE = 1e-6


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
    """A shared starting point: a short scikit-learn fit on a subsample.

    Returns
    -------
    dict
        ``weights_init`` (K,), ``means_init`` (K, d), ``precisions_init`` (shape of the
        covariances of ``covariance_type``) and ``covariances`` (same shape, for oneDAL).
    """
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
        "covariances": start.covariances_,
    }


def time_fit(cls, X, n_components, covariance_type, start, max_iter, repeat, reg_covar=0.0):
    """Best wall time of ``cls(...).fit(X)`` from ``start`` with ``tol=0``; and the model."""
    best, model = np.inf, None
    inits = {key: start[key] for key in ("weights_init", "means_init", "precisions_init")}
    for _ in range(repeat):
        estimator = cls(
            n_components,
            covariance_type=covariance_type,
            tol=0.0,
            reg_covar=reg_covar,
            max_iter=max_iter,
            init_params="random_from_data",
            random_state=0,
            **inits,
        )
        t0 = time.perf_counter()
        estimator.fit(X)
        best = min(best, time.perf_counter() - t0)
        model = estimator
    return best, model


def daal_inputs(start: dict, covariance_type: str) -> tuple[np.ndarray, np.ndarray, list]:
    """oneDAL's start: weights (1, K), means (K, d) and one covariance table per component
    ((d, d) for full, (1, d) for diagonal storage)."""
    covariances = np.asarray(start["covariances"], dtype=np.float64)
    if covariance_type == "full":
        tables = [np.ascontiguousarray(c) for c in covariances]
    else:
        tables = [np.ascontiguousarray(c[None]) for c in covariances]
    weights = np.ascontiguousarray(start["weights_init"][None], dtype=np.float64)
    return weights, np.ascontiguousarray(start["means_init"], dtype=np.float64), tables


def time_daal(X, n_components, covariance_type, start, iterations, repeat):
    """oneDAL's per-iteration seconds from the same start, by the same difference method.

    oneDAL stops by itself once the log-likelihood no longer rises (even with
    ``accuracyThreshold=0``; a negative threshold is refused), so a start that is already
    converged to rounding may run fewer than ``1 + iterations`` iterations: the time is then
    divided by the iterations it did run (its ``nIterations``).

    Returns
    -------
    (seconds, n_iterations, result) or None
        ``result`` is the ``em_gmm_result`` of the longer run, which ran ``n_iterations``;
        None when daal4py is not importable, does not store this covariance type, or ran
        one iteration only.
    """
    if daal4py is None or covariance_type not in DAAL_STORAGE:
        return None
    weights, means, covariances = daal_inputs(start, covariance_type)
    per, ran, result = {}, {}, None
    for n_iter in (1, 1 + iterations):
        best = np.inf
        for _ in range(repeat):
            algo = daal4py.em_gmm(
                nComponents=n_components,
                maxIterations=n_iter,
                accuracyThreshold=0.0,
                covarianceStorage=DAAL_STORAGE[covariance_type],
            )
            t0 = time.perf_counter()
            result = algo.compute(X, weights, means, covariances)
            best = min(best, time.perf_counter() - t0)
        per[n_iter] = best
        ran[n_iter] = int(np.asarray(result.nIterations).ravel()[0])
    extra = ran[1 + iterations] - ran[1]
    if extra < 1:
        return None
    return max(per[1 + iterations] - per[1], 1e-9) / extra, ran[1 + iterations], result


def disagreement(reference, lower_bound: float, means: np.ndarray) -> float:
    """Largest absolute difference of lower bound and means from the scikit-learn fit."""
    return max(
        abs(reference.lower_bound_ - lower_bound),
        float(np.abs(reference.means_ - means).max()),
    )


def per_iteration(
    X, n_components, covariance_type, iterations, repeat, reg_covar=0.0, rows_as_given=True
) -> dict:
    """Per-iteration seconds of each library from one shared start, and their agreement.

    Returns
    -------
    dict
        ``sklearn``, ``gmmviz`` and (when timed) ``onedal`` seconds per iteration;
        ``gmmviz_as_given`` (with ``rows_as_given``): gmmviz with its rows left in the
        order given, so that its E-step skips no block (see
        :func:`gmmviz.core._kernels.dispatch.rows_grouped_by_nearest_mean`);
        ``diff_gmmviz`` and ``diff_onedal``: :func:`disagreement` with scikit-learn's fit
        of ``1 + iterations`` iterations; ``onedal_iterations``: how many oneDAL ran (fewer
        when it stopped at a fixed point, where the fits still agree).
    """
    start = explicit_start(X, n_components, covariance_type)
    out, fitted = {}, {}
    runs = (
        ("sklearn", SkGaussianMixture, dispatch.GROUP_MIN_ROWS),
        ("gmmviz", GaussianMixture, dispatch.GROUP_MIN_ROWS),
        # the same, with the rows left in the order given (no block skipping to gain)
        ("gmmviz_as_given", GaussianMixture, X.shape[0] + 1),
    )[: 3 if rows_as_given else 2]
    for name, cls, group_min_rows in runs:
        run = (X, n_components, covariance_type, start)
        saved, dispatch.GROUP_MIN_ROWS = dispatch.GROUP_MIN_ROWS, group_min_rows
        try:
            for _ in range(3):  # a busy machine can make the longer run look shorter: again
                t_one, _ = time_fit(cls, *run, 1, repeat, reg_covar)
                t_many, model = time_fit(cls, *run, 1 + iterations, repeat, reg_covar)
                if t_many > t_one:
                    break
            else:
                raise RuntimeError(f"{name}: 1 + {iterations} iterations never outlasted 1")
        finally:
            dispatch.GROUP_MIN_ROWS = saved
        out[name] = (t_many - t_one) / iterations
        fitted[name] = model
    sk, gm = fitted["sklearn"], fitted["gmmviz"]
    out["diff_gmmviz"] = disagreement(sk, gm.lower_bound_, gm.means_)
    if reg_covar != 0.0:  # oneDAL has no reg_covar: it would not compute the same EM
        return out
    try:
        daal = time_daal(X, n_components, covariance_type, start, iterations, repeat)
    except RuntimeError as error:  # oneDAL refuses an ill-conditioned covariance
        print(f"oneDAL failed at {X.shape} K={n_components}: {error}".replace("\n", " "))
        daal = None
    if daal is not None:
        out["onedal"], out["onedal_iterations"], result = daal
        goal = float(np.asarray(result.goalFunction).ravel()[0]) / X.shape[0]
        out["diff_onedal"] = disagreement(sk, goal, np.asarray(result.means))
    return out


def ratio(numerator: float | None, denominator: float) -> str:
    """``numerator / denominator`` as ``1.2x``, or ``-`` when there is no numerator."""
    return "-" if numerator is None else f"{numerator / denominator:.1f}x"


def per_iteration_table(args) -> None:
    print(
        f"## Per EM iteration (ms, best of {args.repeat}; {args.iterations} iterations timed; "
        "same start, tol=0, reg_covar=0)\n"
    )
    print(
        "| data | K | covariance | scikit-learn ms | oneDAL ms | gmmviz ms (rows as given) "
        "| gmmviz vs scikit-learn | gmmviz vs oneDAL (rows as given) "
        "| max abs diff (gmmviz; oneDAL) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n_samples, n_features, n_components, covariance_type in CASES:
        if args.quick:
            n_samples //= 10
        X = make_data(n_samples, n_features, n_components)
        t = per_iteration(X, n_components, covariance_type, args.iterations, args.repeat)
        daal_ms = f"{t['onedal'] * 1e3:.1f}" if "onedal" in t else "-"
        daal_diff = f"{t['diff_onedal']:.1e}" if "diff_onedal" in t else "-"
        print(
            f"| {n_samples:,} x {n_features} | {n_components} | {covariance_type} | "
            f"{t['sklearn'] * 1e3:.1f} | {daal_ms} | {t['gmmviz'] * 1e3:.1f} "
            f"({t['gmmviz_as_given'] * 1e3:.1f}) | {ratio(t['sklearn'], t['gmmviz'])} | "
            f"{ratio(t.get('onedal'), t['gmmviz'])} "
            f"({ratio(t.get('onedal'), t['gmmviz_as_given'])}) | "
            f"{t['diff_gmmviz']:.1e}; {daal_diff} |",
            flush=True,
        )
        for key in ("diff_gmmviz", "diff_onedal"):
            if t.get(key, 0.0) > AGREE:
                print(f"WARNING: {key} = {t[key]:.1e} exceeds {AGREE:g}", flush=True)


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


def time_daal_default_fit(X, n_components):
    """Wall time of oneDAL's default pipeline (``em_gmm_init`` then ``em_gmm``), once.

    Returns
    -------
    (seconds, n_iterations, mean log-likelihood of the last E-step)
    """
    t0 = time.perf_counter()
    init = daal4py.em_gmm_init(nComponents=n_components).compute(X)
    result = daal4py.em_gmm(nComponents=n_components).compute(
        X, init.weights, init.means, init.covariances
    )
    seconds = time.perf_counter() - t0
    n_iter = int(np.asarray(result.nIterations).ravel()[0])
    return seconds, n_iter, float(np.asarray(result.goalFunction).ravel()[0]) / X.shape[0]


def whole_fit_table(args) -> None:
    with_daal = args.daal_fit and daal4py is not None
    print(
        f"\n## Whole default fit: `GaussianMixture(K, random_state=0).fit(X)` (s, best of "
        f"{args.repeat}"
        + ("; oneDAL: em_gmm_init + em_gmm defaults, once" if with_daal else "")
        + ")\n"
    )
    daal_col = " oneDAL s (iters) |" if with_daal else ""
    print(
        f"| data | K | scikit-learn s (iters) |{daal_col} gmmviz s (iters) | speed-up "
        "| lower bounds |"
    )
    print("|---|---|---|---|---|---|" + ("---|" if with_daal else ""))
    for n_samples, n_features, n_components in FIT_CASES:
        if args.quick:
            n_samples //= 10
        X = make_data(n_samples, n_features, n_components)
        t_sk, sk = time_default_fit(SkGaussianMixture, X, n_components, args.repeat)
        t_gm, gm = time_default_fit(GaussianMixture, X, n_components, args.repeat)
        daal, bounds = "", f"{sk.lower_bound_:.6f} / {gm.lower_bound_:.6f}"
        if with_daal:
            t_daal, n_daal, ll_daal = time_daal_default_fit(X, n_components)
            daal = f" {t_daal:.3f} ({n_daal}) |"
            bounds += f" / oneDAL {ll_daal:.6f}"
        print(
            f"| {n_samples:,} x {n_features} | {n_components} | {t_sk:.3f} ({sk.n_iter_}) |"
            f"{daal} {t_gm:.3f} ({gm.n_iter_}) | {t_sk / t_gm:.1f}x | {bounds} |",
            flush=True,
        )


def warm_up() -> None:
    """Compile (or load from numba's cache) the gmmviz kernels outside the timings: the
    E-step kernel is compiled per number of features, so every count timed is warmed."""
    for n_features in sorted({case[1] for case in CASES + FIT_CASES}):
        X_warm = make_data(2_000, n_features, 2)
        for covariance_type in ("full", "tied", "diag", "spherical"):
            GaussianMixture(2, covariance_type=covariance_type, max_iter=2, random_state=0).fit(
                X_warm
            )


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def main() -> None:
    if "--sweep" in sys.argv[1:]:
        import bench_sweep  # the sibling script

        sys.argv.remove("--sweep")
        bench_sweep.main()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=8, help="extra iterations timed")
    parser.add_argument("--repeat", type=int, default=2, help="runs per side (best kept)")
    parser.add_argument("--quick", action="store_true", help="one tenth of the data")
    parser.add_argument(
        "--daal-fit", action="store_true", help="time oneDAL's own default pipeline too"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore", SkConvergenceWarning)
    warnings.simplefilter("ignore", ConvergenceWarning)
    warm_up()
    onedal = "daal4py importable" if daal4py is not None else "daal4py not installed"
    print(f"# cores: {os.cpu_count()}; {onedal}; load average at start: {load_average():.2f}\n")
    per_iteration_table(args)
    whole_fit_table(args)
    print(f"\nload average at end: {load_average():.2f}")


if __name__ == "__main__":
    main()
