"""A short soak of the real window (``scripts/soak_gui.py`` at a smaller size): hundreds of
animated iterations with the colouring and the density switched on the way, and a bound on
the memory they leave behind.

It runs the script in its own process, so that the resident size measured is that of the
window alone, not of the test session. At 40,000 points the canvas shows a raster, so a
frame's image (about 2 MB) or a density grid kept per iteration would exceed the bound.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

ROOT = Path(__file__).resolve().parents[2]
LIMIT_MB = 30


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS (Linux)")
def test_hundreds_of_animated_iterations_leave_memory_flat():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    argv = [sys.executable, str(ROOT / "scripts" / "soak_gui.py"), "--points", "40000",
            "--iterations", "240", "--switch-every", "20", "--limit-mb", str(LIMIT_MB),
            "--timeout", "200"]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=260)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    growth = float(re.search(r"^growth +([+-][\d.]+) MB", out, re.M).group(1))
    assert growth <= LIMIT_MB, out
    assert int(re.search(r"^view changes +(\d+)", out, re.M).group(1)) >= 5, out
    assert re.search(r"to iteration 240\)", out), out
