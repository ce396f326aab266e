#!/usr/bin/env python
"""Throughput of EM over a Dask array (1 and 2 workers) against the in-memory fit.

The data (``--rows`` x 2 float64, 20M by default: 320 MB) are written slice by slice to an
NPY file in a temporary directory and read back through
:func:`gmmviz.core.distributed.from_npy`, one task per row block. Every side runs EM from
the same start with ``tol=0`` for ``--iterations`` iterations after a warm-up E-step (JIT
compilation, worker start); the table gives seconds per iteration and rows per second.

Usage: ``python scripts/bench_dask.py [--rows N] [--iterations I] [--block-rows B]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from gmmviz.core import initialise, iter_em
from gmmviz.core.distributed import dask_e_step, from_npy, iter_em_dask
from gmmviz.core.em import MixtureParams, e_step


def write_npy(path: Path, n_rows: int, n_components: int, seed: int = 0) -> None:
    """Blobs written in slices of a million rows, never whole in memory."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(n_components, 2))
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n_rows, 2))
    for start in range(0, n_rows, 1_000_000):
        stop = min(start + 1_000_000, n_rows)
        labels = rng.integers(0, n_components, stop - start)
        X[start:stop] = centres[labels] + rng.normal(size=(stop - start, 2))
    X.flush()


def time_run(run, iterations: int) -> float:
    """Seconds per iteration of ``run()`` (a generator of EM snapshots, drained)."""
    start = time.perf_counter()
    steps = list(run())
    elapsed = time.perf_counter() - start
    assert steps[-1].iteration == iterations, steps[-1].iteration
    return elapsed / iterations


def bench_dask(path: Path, initial: MixtureParams, args, n_workers: int) -> float:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        X = from_npy(path, rows_per_block=args.block_rows)
        dask_e_step(X, initial)  # warm-up: workers import gmmviz and compile the kernels
        return time_run(
            lambda: iter_em_dask(X, initial, 0.0, 1e-6, args.iterations, evaluate_last=False),
            args.iterations,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--components", type=int, default=8)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--block-rows", type=int, default=1_000_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "X.npy"
        write_npy(path, args.rows, args.components)
        sample = np.array(np.load(path, mmap_mode="r")[:100_000])
        initial = initialise(
            sample, args.components, init_params="random_from_data", random_state=0
        )
        results: list[tuple[str, float]] = []
        for n_workers in (1, 2):
            results.append(
                (f"dask, {n_workers} worker(s)", bench_dask(path, initial, args, n_workers))
            )
        X = np.load(path)  # the in-memory reference loads everything
        e_step(X[:1000], initial)  # compile
        results.append(
            (
                "in memory (numpy array)",
                time_run(
                    lambda: iter_em(X, initial, tol=0.0, max_iter=args.iterations,
                                    evaluate_last=False),
                    args.iterations,
                ),
            )
        )  # fmt: skip

    print(
        f"\n{args.rows:,} rows x 2, K={args.components}, full covariances, "
        f"blocks of {args.block_rows:,} rows, {args.iterations} iterations\n"
    )
    print("| run | s / iteration | rows / s |")
    print("|---|---:|---:|")
    for name, seconds in results:
        print(f"| {name} | {seconds:.3f} | {args.rows / seconds:,.0f} |")


if __name__ == "__main__":
    main()
