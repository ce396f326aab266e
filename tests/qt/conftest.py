"""Fixtures of the Qt tests: one window, one way to load data into it, one fitted window."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings

from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec
from gmmviz.qt.main_window import MainWindow

SMALL = DatasetSpec("blobs", 300, None, 1)


@pytest.fixture(autouse=True)
def garbage_collected_on_the_gui_thread():
    """As the app does (``_platform.collect_garbage_on_gui_thread``): no automatic cyclic
    collection while a test runs, so no worker thread destroys a Qt object; the garbage is
    collected here, on the GUI thread, when the test is over."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    yield
    gc.collect()
    if enabled:
        gc.enable()


def _open(qtbot, **kwargs) -> MainWindow:
    w = MainWindow(**kwargs)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.errors = []
    w.presenter.errorShown.connect(w.errors.append)
    # nobody answers questions here: tests of the unsaved-points question switch it on
    w.presenter.unsaved.ask = False
    return w


@pytest.fixture
def window(qtbot):
    """A shown window that neither reads nor writes the user's settings; ``window.errors``
    collects every error message it showed."""
    w = _open(qtbot, remember=False)
    yield w
    w.presenter.unsaved.ask = False  # a test that switched the question on is over
    w.close()
    assert not w.presenter.runner.is_running()


@pytest.fixture
def remembering_window(qtbot, settings_dir):
    """A window that keeps its settings in a private file."""
    store = QSettings(str(settings_dir / "gmmviz.ini"), QSettings.Format.IniFormat)
    w = _open(qtbot, settings=store, remember=True)
    yield w
    w.presenter.unsaved.ask = False
    w.close()
    assert not w.presenter.runner.is_running()


@pytest.fixture
def load(qtbot):
    """``load(w, spec=SMALL, **model)``: generate ``spec`` with K=3 (or the given model
    settings) and wait until iteration 0 of a run on it is shown."""

    def load(w: MainWindow, spec: DatasetSpec = SMALL, **model) -> None:
        w.state.set_model(ModelSettings(**{"n_components": 3, **model}))
        w.presenter.generate(spec)
        qtbot.waitUntil(
            lambda: (
                w.state.data is not None
                and w.state.data.n_samples == spec.n_samples
                and w.state.shown_step is not None
                and w.state.run.run_id == w.presenter.runner.run_id
            ),
            timeout=20000,
        )

    return load


@pytest.fixture
def fitted(qtbot, window, load):
    """A window that has run EM six iterations on 400 moons with K=4."""
    window.resize(1200, 800)
    load(window, DatasetSpec("moons", 400, None, 3), n_components=4, tol=0.0, max_iter=6)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    qtbot.waitUntil(
        lambda: (
            window.canvas.shown_display is not None
            and window.canvas.shown_display.iteration == window.state.run.latest.iteration
        ),
        timeout=5000,
    )
    return window
