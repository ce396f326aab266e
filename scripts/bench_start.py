#!/usr/bin/env python
"""How much the app adds to the bare start of Qt + pyqtgraph, measured in fresh processes.

Two programs, each started ``--repeat`` times as a new Python process, alternating, best
time kept:

* *bare*: import PySide6 and pyqtgraph, make the QApplication, show a main window holding
  one ``pyqtgraph.PlotWidget`` with a scatter of 500 points, let it paint, quit;
* *gmmviz shown*: the same for the app's own window (``gmmviz.qt.app`` up to
  ``window.show()``, then quit once it has painted);
* *gmmviz first frame*: the same up to the first frame of the fit on the default data
  (data generated, EM initialised, drawn).

Each time runs from the parent's launch of the process to the moment the program reaches
its point (it prints the clock and leaves at once), so the interpreter's start is in it and
its teardown is not.

All run on the same Qt platform (``offscreen`` unless ``QT_QPA_PLATFORM`` says otherwise,
so no display is needed). The numba kernels are compiled (or loaded from numba's cache) on
a background thread; two untimed rounds first warm numba's cache and the bytecode caches,
as on a user's second start.

Usage: ``python scripts/bench_start.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

BARE = """
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication([])
window = QMainWindow()
plot = pg.PlotWidget()
plot.plot(*np.random.default_rng(0).normal(size=(2, 500)), pen=None, symbol="o")
window.setCentralWidget(plot)
window.resize(1000, 700)
window.show()
QTimer.singleShot(0, done)
app.exec()
"""

# gmmviz's own start, as ``gmmviz.qt.app.run`` does it, up to the window shown or up to the
# first frame of EM (the data and EM come after the window, on workers)
GMMVIZ = """
import sys
from PySide6.QtCore import QTimer
from gmmviz.cli import build_parser
from gmmviz.qt.app import apply_options, ensure_app, start_up
from gmmviz.qt.main_window import MainWindow

app = ensure_app(sys.argv[:1])
start_up(defer_warm_up=True)
window = MainWindow(remember=False)
spec = apply_options(window, build_parser().parse_args([]))
window.show()
window.presenter.generate(spec)
if FIRST_FRAME:
    window.presenter.frameShown.connect(done)
else:
    QTimer.singleShot(0, done)
app.exec()
"""

# Each program calls done() at its moment: it prints the wall-clock time and leaves at once
# (a normal exit would also time the teardown and, for gmmviz, wait for the kernels' warm-up)
PRELUDE = """
import os, time

def done(*_):
    print("AT", time.time(), flush=True)
    os._exit(0)

"""


def run_once(program: str, env: dict) -> float:
    """Seconds from starting a new Python process on ``program`` to its ``done()``."""
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + program], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    stamps = [line for line in done.stdout.splitlines() if line.startswith("AT ")]
    if not stamps:
        raise RuntimeError(f"the program never got there ({done.returncode}):\n{done.stderr}")
    return float(stamps[-1].split()[1]) - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each (best kept)")
    args = parser.parse_args()
    env = dict(os.environ)
    # a user's Python keeps the compiled bytecode of every module: let both programs do so
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    programs = {
        "bare Qt + pyqtgraph window, shown": BARE,
        "gmmviz window, shown": "FIRST_FRAME = False\n" + GMMVIZ,
        "gmmviz window, first frame of EM": "FIRST_FRAME = True\n" + GMMVIZ,
    }
    for _ in range(2):  # fills numba's cache, the bytecode caches and the OS's, untimed
        for command in programs.values():
            run_once(command, env)
    times: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(args.repeat):
        for name, command in programs.items():
            times[name].append(run_once(command, env))
    print(f"platform {env['QT_QPA_PLATFORM']}; best of {args.repeat} fresh processes each")
    bare = min(times["bare Qt + pyqtgraph window, shown"])
    for name, seconds in times.items():
        added = f"  (+{min(seconds) - bare:.3f} s)" if min(seconds) != bare else ""
        print(f"{name + ':':<36} {min(seconds):.3f} s{added}")


if __name__ == "__main__":
    main()
