#!/usr/bin/env python
"""Measure how fast the real window animates EM, and how long the event loop ever stalls.

For each case the script opens the real :class:`~gmmviz.qt.main_window.MainWindow`
(offscreen, 1280 x 820), generates the dataset, initialises EM with K=16 and ``tol=0`` (so
that it never stops early) and plays at full speed. It counts the frames the canvas actually
painted with a new iteration, and times a 2 ms heartbeat timer to find the longest stall of
the GUI thread's event loop. It also prints what one EM iteration and one display pass cost
on the worker, for context. Nothing is asserted; the numbers are printed.

``--scale`` follows one million points from generation to export instead: generate,
initialise and animate K=16, change the view (colouring, zoom), turn the density on, export
the canvas as PNG, the model and the labelled CSV. For each step it prints the longest
stall of the GUI thread while the step ran (target: none above about 100 ms) and, at the
end, the peak resident memory of the process (``ru_maxrss``; target: under 2 GB).

Usage::

    .venv/bin/python scripts/bench_gui.py            # 100k and 1M points
    .venv/bin/python scripts/bench_gui.py --quick    # 20k and 100k points, fewer iterations
    .venv/bin/python scripts/bench_gui.py --scale    # 1M points, generation to export
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

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


class Stalls:
    """A 2 ms heartbeat on the GUI thread; the longest gap between beats in each phase."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.clock.start()
        self.beats: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(2)
        self.timer.timeout.connect(lambda: self.beats.append(self.now()))
        self.timer.start()

    def now(self) -> float:
        return self.clock.nsecsElapsed() / 1e9

    def longest(self, t0: float, t1: float) -> float:
        """Longest gap (ms) between ``t0``, the beats in between and the first beat after."""
        inside = [t for t in self.beats if t0 < t <= t1]
        after = [t for t in self.beats if t > t1][:1]
        times = np.array([t0, *inside, *after])
        return float(np.diff(times).max() * 1e3) if len(times) > 1 else float("nan")


def pump(app, until, seconds: float = 600.0) -> None:
    """Run the event loop until ``until()`` (or fail after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while not until():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        app.processEvents()
        time.sleep(0.0005)


def bench_scale(n: int, k: int, frames: int) -> list[tuple[str, float, float]]:
    """One million points from generation to export; (step, seconds, longest stall ms)."""
    app = ensure_app()
    window = MainWindow(remember=False)
    window.resize(1280, 820)
    window.show()
    p, state = window.presenter, window.state
    p.quiet_errors = True
    errors: list[str] = []
    p.errorShown.connect(errors.append)
    state.set_model(ModelSettings(n_components=k, tol=0.0, max_iter=frames + 50, seed=0))
    state.set_speed(None)
    displays: list[object] = []
    p.render.displayShown.connect(displays.append)
    stalls = Stalls()
    rows: list[tuple[str, float, float]] = []
    folder = Path(tempfile.mkdtemp(prefix="gmmviz-bench-"))

    def phase(name: str, start, done, settle_ms: float = 300) -> None:
        t0 = stalls.now()
        start()
        pump(app, done)
        t1 = stalls.now()
        end = time.monotonic() + settle_ms / 1e3  # what the step leaves behind counts too
        pump(app, lambda: time.monotonic() > end)
        rows.append((name, t1 - t0, stalls.longest(t0, stalls.now())))

    def new_display():
        count = len(displays)
        return lambda: len(displays) > count

    spec = DatasetSpec("moons", n, None, 0)
    phase(
        f"generate {n:,} + initialise K={k}",
        lambda: p.generate(spec),
        lambda: (
            state.data is not None and state.shown_step is not None
            and window.canvas.shown_display is not None
            and window.canvas.shown_display.snapshot is state.shown_step
        ),
    )  # fmt: skip
    target = state.run.latest.iteration + frames
    phase(f"animate {frames} iterations", p.play,
          lambda: state.run.latest.iteration >= target)  # fmt: skip
    p.pause()
    for colour in ("blend", "member", "hard"):
        wait = new_display()
        phase(f"view: colour by {colour}", lambda c=colour: p.set_view(colour_by=c), wait)
    rect = window.canvas.view.viewRect()
    wait = new_display()
    phase(
        "view: zoom in",
        lambda: window.canvas.view.setRange(
            xRange=(rect.left(), rect.center().x()), yRange=(rect.top(), rect.center().y()),
            padding=0,
        ),
        wait,
    )  # fmt: skip
    wait = new_display()
    phase("view: fit", window.fit_view, wait)
    wait = new_display()
    phase("density on", lambda: p.set_view(show_density=True), wait)
    written: list[str] = []
    p.exports.exportDone.connect(written.append)

    def export(name: str, start, path: Path) -> None:
        """A phase that lasts until ``path`` is on disk (some exports finish in the
        background)."""
        phase(name, start, lambda: str(path) in written or (path.exists() and path.suffix
                                                            == ".json"))  # fmt: skip

    export("export PNG", lambda: p.exports.canvas(folder / "c1.png"), folder / "c1.png")
    export("export PNG @2x", lambda: p.exports.canvas(folder / "c2.png", 2.0), folder / "c2.png")
    export("export model (JSON)", lambda: p.exports.model(folder / "m.json"), folder / "m.json")
    export("export labelled CSV", lambda: p.exports.data(folder / "d.csv"), folder / "d.csv")
    session = folder / "s.gmmviz"
    phase("save session", lambda: p.sessions.save(session),
          lambda: "Saved the session" in window.status_text)  # fmt: skip
    csv_path = str(folder / "d.csv")
    phase(
        f"open the labelled CSV ({n:,} rows) + initialise",
        lambda: p.open_data(csv_path),
        lambda: (state.data.path == csv_path and state.shown_step is not None
                 and window.canvas.shown_display is not None),
    )  # fmt: skip
    phase(
        "open the session",
        lambda: p.open_data(session),
        lambda: state.data.path is None and window.canvas.shown_display is not None
        and "Opened the session" in window.status_text,
    )  # fmt: skip
    stalls.timer.stop()
    window.close()
    app.processEvents()
    if errors:
        raise RuntimeError(f"errors shown: {errors}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases")
    parser.add_argument("-k", type=int, default=16)
    parser.add_argument("--scale", action="store_true", help="1M points, generation to export")
    parser.add_argument("--points", type=int, default=1_000_000, help="with --scale")
    parser.add_argument(
        "--no-wait", action="store_true", help="with --scale: start before the kernels compile"
    )
    args = parser.parse_args(argv)
    if args.scale:
        ensure_app()
        t0 = time.perf_counter()
        start_up()
        if not args.no_wait:
            # start-up compiles the kernels in the background; measure the window after it
            from gmmviz.core import backend

            while not backend.warm_up_done():
                time.sleep(0.02)
        warm = time.perf_counter() - t0
        rows = bench_scale(args.points, args.k, frames=16)
        print(f"gmmviz at scale: {args.points:,} x 2 moons, K={args.k}, full covariance, "
              "offscreen 1280x820 window")  # fmt: skip
        when = "at once, while the kernels compile" if args.no_wait else \
            f"after the background warm-up ({warm:.1f} s)"  # fmt: skip
        print(f"measured {when}")
        print(f"{'step':<52} {'seconds':>8} {'longest GUI stall ms':>21}")
        for name, seconds, stall in rows:
            print(f"{name:<52} {seconds:>8.2f} {stall:>21.1f}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
        print(f"peak memory (ru_maxrss): {peak:,.0f} MB")
        return 0
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
