"""The real ``gmmviz`` command in a real X window, under Xvfb.

It starts an X server of its own (``Xvfb -displayfd``, so any free display number will do),
runs the scripted command against it with Qt's xcb platform, and checks what it wrote: a
screenshot that is not blank and a model that loads back. Skipped, saying so, only where
Xvfb is not installed (``./scripts/test`` installs it when run as root on Debian/Ubuntu).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.xvfb


def gmmviz_command() -> list[str]:
    script = Path(sys.executable).with_name("gmmviz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gmmviz"]


@pytest.fixture(scope="module")
def x_display():
    """A private Xvfb server; yields its DISPLAY string."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip(
            "Xvfb is not installed, so no real X window can be opened here "
            "(apt-get install xvfb and the xcb libraries; ./scripts/test does it as root)"
        )
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1400x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 30
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([read_fd], [], [], 0.5)
        if ready:
            chunk = os.read(read_fd, 64)
            if not chunk:
                break
            number += chunk
    os.close(read_fd)
    if not number.strip():
        proc.kill()
        err = proc.communicate(timeout=10)[1].decode(errors="replace")
        pytest.fail(f"Xvfb did not start: {err[-500:]}")
    try:
        yield f":{number.decode().strip()}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_real_window_screenshot_and_model(x_display, tmp_path):
    shot, model = tmp_path / "window.png", tmp_path / "model.json"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = x_display
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    cmd = [
        *gmmviz_command(),
        "--dataset", "moons", "--n-samples", "1500", "-k", "6", "--play",
        "--screenshot", str(shot), "--export-model", str(model), "--quit",
    ]  # fmt: skip
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "xcb" in out.stdout, out.stdout  # a real X window, not the offscreen fallback

    from PySide6.QtGui import QImage

    from gmmviz.io import load_model

    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 800 and image.height() >= 600
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(rgb.constBits(), dtype=np.uint32, count=rgb.width() * rgb.height())
    colours, counts = np.unique(arr, return_counts=True)
    assert len(colours) > 200  # widgets, text, points and ellipses, not a blank window
    assert counts.max() < 0.8 * arr.size

    fitted = load_model(model)
    assert fitted.n_components == 6
    assert fitted.converged_ or fitted.n_iter_ == 100
    X = np.array([[0.0, 0.5], [1.0, 0.0], [2.0, 0.4]])
    proba = fitted.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
