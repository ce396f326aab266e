#!/usr/bin/env python
"""Measure how fast the real window animates EM, and how long the event loop ever stalls.

For each case the script opens the real :class:`~gmmviz.qt.main_window.MainWindow`
(offscreen, 1280 x 820), generates the dataset, initialises EM with K=16 and ``tol=0`` (so
that it never stops early) and plays at full speed. It counts the frames the canvas actually
painted with a new iteration, and times a 2 ms heartbeat timer to find the longest stall of
the GUI thread's event loop. It also prints what one EM iteration and one display pass cost
on the worker, for context. Nothing is asserted; the numbers are printed.

Usage::

    .venv/bin/python scripts/bench_gui.py            # 100k and 1M points
    .venv/bin/python scripts/bench_gui.py --quick    # 20k and 100k points, fewer iterations
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
from PySide6.QtCore import QElapsedTimer, QTimer

from gmmviz.app.runs import generate_source
from gmmviz.app.settings import ModelSettings
from gmmviz.core import initialise, iter_em
from gmmviz.core.datasets import DatasetSpec, generate
from gmmviz.qt.app import ensure_app, start_up
from gmmviz.qt.main_window import MainWindow
from gmmviz.scene import SceneRenderer, ViewRequest


def worker_costs(n: int, k: int, iterations: int = 4) -> tuple[float, float]:
    """Milliseconds per EM iteration and per display pass (raster, hard labels) alone."""
    X, y = generate(DatasetSpec("moons", n, seed=0))
    params = initialise(X, k, random_state=0)
    steps = iter_em(X, params, tol=0.0, max_iter=iterations + 1)
    first = next(steps)
    t0 = time.perf_counter()
    snapshots = [next(steps) for _ in range(iterations)]
    em_ms = (time.perf_counter() - t0) / iterations * 1e3
    renderer = SceneRenderer(X, y)
    request = ViewRequest("hard", 0, (-1.5, -0.8, 2.5, 1.3), (300, 470))
    renderer(first, request)  # warm up (numba compile, pixel index)
    t0 = time.perf_counter()
    for step in snapshots:  # a new snapshot each time: the fused pass runs again
        renderer(step, request)
    render_ms = (time.perf_counter() - t0) / iterations * 1e3
    return em_ms, render_ms


def bench_window(n: int, k: int, frames: int) -> dict[str, float]:
    """Play EM in the real window; returns drawn iterations/s and the longest stall (ms)."""
    app = ensure_app()
    window = MainWindow(remember=False)
    window.resize(1280, 820)
    window.show()
    window.state.set_model(ModelSettings(n_components=k, tol=0.0, max_iter=frames + 5, seed=0))
    window.state.set_speed(None)
    source = generate_source(DatasetSpec("moons", n, seed=0))

    painted: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    window.canvas.painted.connect(lambda: painted.append(clock.nsecsElapsed() / 1e9))

    shown: list[int] = []
    window.presenter.frameShown.connect(shown.append)
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(2)
    heartbeat.timeout.connect(lambda: beats.append(clock.nsecsElapsed() / 1e9))

    window.presenter.set_data(source, restart=True, play=False)
    # wait for step 0 (initialisation, numba compilation) before timing
    deadline = time.monotonic() + 300
    while not shown and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    for _ in range(20):
        app.processEvents()
    painted.clear()
    shown.clear()
    heartbeat.start()
    start = clock.nsecsElapsed() / 1e9
    window.presenter.play()
    deadline = time.monotonic() + 600
    while len(shown) < frames and time.monotonic() < deadline:
        app.processEvents()
    end = clock.nsecsElapsed() / 1e9
    heartbeat.stop()
    window.presenter.pause()
    for _ in range(10):
        app.processEvents()
    window.close()
    app.processEvents()

    drawn = [t for t in painted if start <= t <= end]
    iterations = sorted(set(shown))
    gaps = np.diff(beats) if len(beats) > 1 else np.array([0.0])
    return {
        "iterations_shown": len(iterations),
        "frames_painted": len(drawn),
        "iter_per_s": len(drawn) / (end - start) if end > start else float("nan"),
        "max_stall_ms": float(gaps.max() * 1e3),
        "p99_stall_ms": float(np.percentile(gaps, 99) * 1e3),
        "seconds": end - start,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases")
    parser.add_argument("-k", type=int, default=16)
    args = parser.parse_args(argv)
    cases = [(20_000, 40), (100_000, 40)] if args.quick else [(100_000, 60), (1_000_000, 16)]
    ensure_app()
    start_up()
    print(f"gmmviz GUI benchmark: K={args.k}, full covariance, moons, offscreen, 1280x820 window")
    print(
        f"{'points':>10} {'EM ms/it':>9} {'display ms':>10} {'drawn it/s':>11} "
        f"{'painted':>8} {'max stall ms':>13} {'p99 stall ms':>13}"
    )
    for n, frames in cases:
        em_ms, render_ms = worker_costs(n, args.k)
        result = bench_window(n, args.k, frames)
        print(
            f"{n:>10,} {em_ms:>9.1f} {render_ms:>10.1f} {result['iter_per_s']:>11.1f} "
            f"{result['frames_painted']:>8d} {result['max_stall_ms']:>13.1f} "
            f"{result['p99_stall_ms']:>13.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
