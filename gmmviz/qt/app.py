"""Start-up: the QApplication and process tuning (once), the window, and scripted runs.

Scripted use (``--screenshot``, ``--export-model``, ``--quit``): the window opens with the
given settings, generates or loads the data, initialises EM and, with ``--play``, animates
it at full speed; when the run ends (converged or max_iter; without ``--play``, once the
initialisation is shown) the files are written and, with ``--quit``, the app exits 0.
Errors exit 1 with the message on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from gmmviz.app.presets import preset as find_preset
from gmmviz.core.datasets import DATASETS, DatasetSpec
from gmmviz.qt import _platform
from gmmviz.qt.main_window import APP_NAME, MainWindow

_tuned = False


def _qt_message(mode: QtMsgType, context, message: str) -> None:
    # The offscreen platform warns about a window-manager hint it cannot honour; noise.
    if "propagateSizeHints" in message:
        return
    if mode != QtMsgType.QtDebugMsg:
        sys.stderr.write(message + "\n")


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created if needed) with the app's names set for QSettings."""
    app = QApplication.instance()
    if app is None:
        qInstallMessageHandler(_qt_message)
        app = QApplication(argv or [APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    return app


def start_up(defer_warm_up: bool = False) -> None:
    """Once per process, before the first window: compile the numba kernels off the GUI
    thread (numpy serves until they are ready) and make the GUI thread win the GIL fast.

    With ``defer_warm_up`` the background work starts once the event loop runs (after the
    window is shown): its imports would otherwise compete with the window's own start.
    """
    global _tuned
    if _tuned:
        return
    _tuned = True
    from gmmviz.core import backend
    from gmmviz.scene import raster  # noqa: F401 - registers the raster kernels' warm-up

    _platform.shorten_switch_interval()
    _platform.collect_garbage_on_gui_thread()
    # the first frame needs scipy (the first covariances' Cholesky factors while numba is
    # not ready; the matched confusion matrix): import it before numba, off this thread
    backend.register_warm_up(_import_scipy, first=True)
    if defer_warm_up:
        QTimer.singleShot(0, backend.start_warm_up)
    else:
        backend.start_warm_up()


def _import_scipy() -> None:
    """Import the parts of scipy the first frame uses (on the warm-up thread)."""
    for name in ("scipy.linalg", "scipy.optimize"):
        importlib.import_module(name)


class ScriptedRun(QObject):
    """Writes the requested files when the window's run ends, then maybe quits."""

    def __init__(self, window: MainWindow, args: argparse.Namespace) -> None:
        super().__init__(window)
        self.window = window
        self.args = args
        self.done = False
        self.exit_code = 0
        presenter = window.presenter
        self.swept = False
        self.wait_for_samples = bool(getattr(args, "preset", None)) and bool(
            find_preset(args.preset).sample
        )
        if self.wait_for_samples:
            window.state.samplesChanged.connect(lambda s: s is not None and self._finish_soon())
        elif args.play or getattr(args, "preset", None) or getattr(args, "sweep", None):
            presenter.runEnded.connect(self._on_run_ended)
        else:
            presenter.frameShown.connect(self._on_first_frame)
        presenter.errorShown.connect(self._on_error)

    def _on_first_frame(self, iteration: int) -> None:
        self._finish_soon()

    def _on_run_ended(self, reason: str) -> None:
        if reason == "error":
            return
        if getattr(self.args, "sweep", None) and not self.swept:
            self.swept = True
            sweeps = self.window.presenter.sweeps
            sweeps.runner.runFinished.connect(lambda _: self._finish_soon())
            self.window.bottom_tabs.setCurrentWidget(self.window.selection_panel)
            self.window.right_splitter.setSizes([430, 370])  # room for the BIC/AIC plot
            sweeps.start(self.args.sweep, ("full", "tied", "diag", "spherical"))
            return
        self._finish_soon()

    def _finish_soon(self) -> None:
        if self.done:
            return
        self.done = True
        # let the last frame be laid out and painted before it is captured
        QTimer.singleShot(50, self._finish)

    def _finish(self) -> None:
        w = self.window
        try:
            if self.args.screenshot:
                path = w.presenter.exports.window(self.args.screenshot)
                platform = ensure_app().platformName()
                print(f"gmmviz: wrote screenshot {path} ({w.width()}x{w.height()}, {platform})")
            if self.args.export_model:
                path = w.presenter.exports.model(self.args.export_model)
                print(f"gmmviz: wrote model {path}")
        except (OSError, ValueError) as exc:
            self._fail(f"could not write the output: {exc}")
            return
        if self.args.quit:
            w.close()
            ensure_app().exit(0)

    def _on_error(self, message: str) -> None:
        if self.args.quit:
            self._fail(message)

    def _fail(self, message: str) -> None:
        print(f"gmmviz: error: {message}", file=sys.stderr)
        self.exit_code = 1
        self.window.close()
        ensure_app().exit(1)


def apply_options(window: MainWindow, args: argparse.Namespace) -> DatasetSpec:
    """Put the command line's settings into the app state; returns the dataset to generate."""
    state = window.state
    if getattr(args, "preset", None):
        window.presenter.prepare_preset(args.preset)  # the options below override it
    spec = state.dataset
    if args.dataset:
        info = DATASETS[args.dataset]
        spec = DatasetSpec(info.name, info.default_n_samples, info.default_noise, spec.seed)
    if args.n_samples is not None:
        spec = replace(spec, n_samples=args.n_samples)
    if args.noise is not None:
        spec = replace(spec, noise=args.noise)
    if args.seed is not None:
        spec = replace(spec, seed=args.seed)
    state.set_dataset(spec)
    settings = state.model
    changes = {
        "n_components": args.n_components,
        "covariance_type": args.covariance_type,
        "init_params": args.init,
        "tol": args.tol,
        "max_iter": args.max_iter,
        "seed": args.seed,
    }
    state.set_model(replace(settings, **{k: v for k, v in changes.items() if v is not None}))
    if _plays(args):
        state.set_speed(None)  # --play animates at full speed
    return state.dataset


def _plays(args: argparse.Namespace) -> bool:
    """--play, and the options that need a finished run (a preset, a sweep after it)."""
    return bool(args.play or getattr(args, "preset", None) or getattr(args, "sweep", None))


def run(args: argparse.Namespace) -> int:
    """Open the window for parsed options and run the event loop; returns the exit status."""
    app = ensure_app(sys.argv[:1])
    start_up(defer_warm_up=True)
    scripted = bool(args.screenshot or args.export_model or args.quit)
    window = MainWindow(remember=not scripted)
    script = ScriptedRun(window, args) if scripted else None
    window.presenter.quiet_errors = bool(args.quit)
    window.presenter.importer.interactive = not scripted  # a script never waits on a dialog
    window.presenter.unsaved.ask = not scripted
    spec = apply_options(window, args)
    window.show()
    _platform.freeze_startup_objects()
    if args.data_file:
        window.presenter.open_data(args.data_file, play=_plays(args))
    else:
        window.presenter.generate(spec, play=_plays(args))
    chose = args.data_file or args.dataset or getattr(args, "preset", None)
    if window.first_start and not scripted and not chose:
        window.show_start_page()  # a new user starts from the lecture's experiments
    status = app.exec()
    if script is not None and script.exit_code:
        return script.exit_code
    return int(status)
