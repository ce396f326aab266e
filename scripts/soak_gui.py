#!/usr/bin/env python
"""Soak the real window: thousands of animated EM iterations, and the memory they cost.

Opens the real :class:`~gmmviz.qt.main_window.MainWindow` (offscreen, 1280 x 820),
generates moons, sets K=16 with ``tol=0`` (EM never stops early) and plays at full speed
until ``--iterations`` iterations have been shown, switching the colouring and the density
now and then so that every kind of display is made. The resident set size (``VmRSS``) is
read after a warm-up (numba compiled, first frames drawn) and at the end, after a
collection; the script prints both and the growth, and exits 1 if the growth exceeds
``--limit-mb``.

A run keeps every snapshot (the history the slider goes back through); their parameters
are counted and printed, since that part of the growth is by design.

Usage::

    .venv/bin/python scripts/soak_gui.py                          # 100k points, 3000 iterations
    .venv/bin/python scripts/soak_gui.py --points 20000 --iterations 300
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.qt.app import ensure_app, start_up
from gmmviz.qt.main_window import MainWindow

#: What the view is switched through, one change every ``--switch-every`` iterations.
VIEW_CHANGES = (
    {"colour_by": "blend"},
    {"show_density": True},
    {"colour_by": "member", "component": 3},
    {"show_density": False},
    {"colour_by": "hard"},
)


def rss_mb() -> float:
    """This process's resident set size in MB (``VmRSS`` of ``/proc/self/status``)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def snapshot_bytes(steps) -> int:
    """The bytes of the parameters the run keeps (its history), all snapshots together."""
    total = 0
    for step in steps:
        p = step.params
        total += p.weights.nbytes + p.means.nbytes + p.covariances.nbytes
        total += p.precisions_cholesky.nbytes
    return total


def soak(points: int, iterations: int, k: int, switch_every: int, timeout: float) -> dict:
    """Play EM in the real window until ``iterations`` iterations were shown."""
    app = ensure_app()
    window = MainWindow(remember=False)
    window.resize(1280, 820)
    window.show()
    window.presenter.quiet_errors = True
    errors: list[str] = []
    window.presenter.errorShown.connect(errors.append)
    window.state.set_model(
        ModelSettings(n_components=k, tol=0.0, max_iter=iterations + 100, seed=0)
    )
    window.state.set_speed(None)
    shown: list[int] = []
    window.presenter.frameShown.connect(shown.append)
    window.presenter.generate(DatasetSpec("moons", points, None, 0))

    def pump_until(condition, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.001)
        return condition()

    if not pump_until(lambda: window.state.shown_step is not None, timeout):
        raise RuntimeError("EM never started")
    window.presenter.play()
    warm = min(100, iterations // 5)
    pump_until(lambda: window.state.run.latest.iteration >= warm, timeout)
    gc.collect()
    start_mb, start_iteration = rss_mb(), window.state.run.latest.iteration
    started = time.monotonic()
    view = 0
    next_switch = start_iteration + switch_every
    deadline = started + timeout
    while window.state.run.latest.iteration < iterations and time.monotonic() < deadline:
        app.processEvents()
        if not window.presenter.runner.is_playing:
            break  # it ended or failed; reported below
        if window.state.run.latest.iteration >= next_switch:
            window.presenter.set_view(**VIEW_CHANGES[view % len(VIEW_CHANGES)])
            view += 1
            next_switch += switch_every
    seconds = time.monotonic() - started
    window.presenter.pause()
    pump_until(lambda: False, 0.3)
    gc.collect()
    end_mb = rss_mb()
    last = window.state.run.latest.iteration
    history = snapshot_bytes(window.state.run.steps) / 2**20
    window.close()
    app.processEvents()
    return {
        "start_mb": start_mb,
        "end_mb": end_mb,
        "growth_mb": end_mb - start_mb,
        "history_mb": history,
        "iterations": last - start_iteration,
        "last_iteration": last,
        "frames": len(shown),
        "view_changes": view,
        "seconds": seconds,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument("-k", type=int, default=16)
    parser.add_argument("--switch-every", type=int, default=50, help="iterations per view change")
    parser.add_argument("--limit-mb", type=float, default=50.0, help="largest allowed growth")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds")
    args = parser.parse_args(argv)
    ensure_app()
    start_up()
    r = soak(args.points, args.iterations, args.k, args.switch_every, args.timeout)
    print(
        f"gmmviz GUI soak: {args.points:,} moons, K={args.k}, full covariance, offscreen "
        f"1280x820, view changed every {args.switch_every} iterations"
    )
    print(f"iterations played     {r['iterations']:,} (to iteration {r['last_iteration']:,})")
    print(f"frames shown          {r['frames']:,} in {r['seconds']:.1f} s")
    print(f"view changes          {r['view_changes']}")
    print(f"RSS at start          {r['start_mb']:.1f} MB")
    print(f"RSS at end            {r['end_mb']:.1f} MB")
    print(f"growth                {r['growth_mb']:+.1f} MB (limit {args.limit_mb:g} MB)")
    print(f"  of which history    {r['history_mb']:.1f} MB (every snapshot's parameters)")
    failed = False
    if r["errors"]:
        print(f"FAILED: errors shown: {r['errors']}")
        failed = True
    if r["last_iteration"] < args.iterations:
        print(f"FAILED: stopped at iteration {r['last_iteration']} of {args.iterations}")
        failed = True
    if r["growth_mb"] > args.limit_mb:
        print(f"FAILED: memory grew by {r['growth_mb']:.1f} MB")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
