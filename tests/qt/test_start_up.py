"""The app's start: what runs before the window is shown, and what after.

Checked in a fresh interpreter each, since ``start_up`` runs once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys

DEFERRED = """
import sys
from PySide6.QtCore import QTimer
from gmmviz.core import backend
from gmmviz.qt.app import ensure_app, start_up

app = ensure_app(["gmmviz"])
start_up(defer_warm_up=True)
# nothing heavy before the event loop: neither the warm-up thread nor its imports
assert backend._warm_up_thread is None
assert "scipy.optimize" not in sys.modules and "numba" not in sys.modules
assert backend._warm_ups[0].__name__ == "_import_scipy"  # the first frame needs it first
QTimer.singleShot(0, app.quit)
app.exec()
assert backend._warm_up_thread is not None  # started once the loop ran
backend.join_warm_up()
assert backend.warm_up_done()
assert "scipy.optimize" in sys.modules and "scipy.linalg" in sys.modules
"""

AT_ONCE = """
from gmmviz.core import backend
from gmmviz.qt.app import ensure_app, start_up

ensure_app(["gmmviz"])
start_up()
assert backend._warm_up_thread is not None  # scripts and tests wait for it without a loop
backend.join_warm_up()
assert backend.warm_up_done()
"""


def run_fresh(code: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


def test_the_window_starts_before_the_warm_up():
    run_fresh(DEFERRED)


def test_start_up_without_deferring_starts_the_warm_up_at_once():
    run_fresh(AT_ONCE)
