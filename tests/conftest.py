"""Shared test set-up: a headless Qt, a private settings location, and a thread-leak check.

The environment variables must be set before anything imports Qt, so they sit at the top of
this file, which pytest imports before any test module. Qt itself is not imported here: the
core's tests must be able to run (and to prove the core never imports Qt) without it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

import pytest

pytest_plugins = ["pytester"]  # tests/test_controller.py checks the thread-leak fixture itself

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"
# Never read or write the user's settings: QSettings on Linux follows XDG_CONFIG_HOME.
_SETTINGS_DIR = tempfile.mkdtemp(prefix="gmmviz-test-settings-")
os.environ["XDG_CONFIG_HOME"] = _SETTINGS_DIR
atexit.register(shutil.rmtree, _SETTINGS_DIR, ignore_errors=True)


QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")


class _NoQt:
    """An import hook under which Qt is not installed (``--without-qt``)."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in QT_MODULES:
            raise ModuleNotFoundError(f"No module named {name!r} (--without-qt)", name=name)
        return None


def pytest_addoption(parser):
    parser.addoption(
        "--without-qt",
        action="store_true",
        help="run as if PySide6 and pyqtgraph were not installed (the Qt-free layers' tests)",
    )


def pytest_configure(config):
    if config.getoption("--without-qt"):
        if any(m.split(".")[0] in QT_MODULES for m in sys.modules):
            raise pytest.UsageError("--without-qt: Qt was imported before the tests started")
        sys.meta_path.insert(0, _NoQt())


def _qt_loaded() -> bool:
    return "PySide6.QtCore" in sys.modules


@pytest.fixture(autouse=True)
def no_thread_left_running(monkeypatch):
    """Fail any test that leaves a QThread running (napari's rule).

    Every ``QThread.start`` during the test is recorded; after the test, and after the
    fixtures it used (``qtbot`` closes its widgets) have been torn down, none may still run.
    Tests in modules that never import Qt are left alone.
    """
    if not _qt_loaded():
        yield []
        return
    from PySide6.QtCore import QSettings, QThread

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, _SETTINGS_DIR)

    started: list = []
    original_start = QThread.start

    def recording_start(self, *args, **kwargs):
        started.append(self)
        return original_start(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", recording_start)
    yield started
    leaked = [t for t in started if t.isRunning()]
    if leaked:
        names = ", ".join(t.objectName() or type(t).__name__ for t in leaked)
        for thread in leaked:  # best effort, so that the next tests are not affected
            thread.requestInterruption()
            thread.quit()
            thread.wait(2000)
        pytest.fail(f"test left {len(leaked)} QThread(s) running: {names}", pytrace=False)


@pytest.fixture(autouse=True)
def no_widget_left_open():
    """Fail any test that leaves a window or dialog open (ndv's ``_catch_qt_leaks``, for
    visible top-level widgets: pyqtgraph's parentless menus are owned by Python and go with
    their plots, so only what a user would still see counts as a leak).
    """
    if not _qt_loaded():
        yield
        return
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    before = {id(w) for w in app.topLevelWidgets()} if app is not None else set()
    yield
    app = QApplication.instance()
    if app is None:
        return
    leaked = [w for w in app.topLevelWidgets() if w.isVisible() and id(w) not in before]
    if leaked:
        names = ", ".join(sorted({type(w).__name__ for w in leaked}))
        for widget in leaked:  # so that the next tests start clean
            widget.close()
        pytest.fail(f"test left {len(leaked)} window(s) open: {names}", pytrace=False)


@pytest.fixture
def settings_dir(tmp_path, monkeypatch):
    """A fresh, empty settings location for one test (Qt tests only)."""
    from PySide6.QtCore import QSettings

    path = tmp_path / "settings"
    path.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(path))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    yield path
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, _SETTINGS_DIR)


@pytest.fixture
def wait_stable(qtbot):
    """``wait_stable(fn)``: wait until ``fn()`` keeps its value for ``quiet_ms``; return it.

    For "it stops" assertions that must not depend on how fast the machine is: the test
    fails (timeout) only if the value never settles.
    """

    def wait(fn, quiet_ms: int = 300, timeout: int = 10000):
        import time

        deadline = time.monotonic() + timeout / 1000
        value, since = fn(), time.monotonic()
        while time.monotonic() < deadline:
            qtbot.wait(20)
            now = fn()
            if now != value:
                value, since = now, time.monotonic()
            elif (time.monotonic() - since) * 1000 >= quiet_ms:
                return value
        raise AssertionError(f"value never settled within {timeout} ms (last: {value!r})")

    return wait


@pytest.fixture(scope="module")
def blobs():
    """400 anisotropic blobs (X, y), for the scene's and the canvas's tests."""
    from gmmviz.core.datasets import DatasetSpec, generate

    return generate(DatasetSpec("anisotropic", 400, seed=3))
