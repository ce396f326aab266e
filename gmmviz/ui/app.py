"""Start the window from parsed command-line options, and script a run when asked.

Scripted use (``--screenshot``, ``--export-model``, ``--quit``): the window opens with the
given settings, generates or loads the data, initialises EM and, with ``--play``, animates
it at full speed; when the run ends (converged or max_iter; without ``--play``, once the
initialisation is shown) the files are written and, with ``--quit``, the app exits 0.
Errors exit 1 with the message on stderr.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer

from gmmviz.core.datasets import DEFAULT_N_SAMPLES, DEFAULT_NOISE, DatasetSpec
from gmmviz.ui.main_window import MainWindow, ensure_app


class ScriptedRun(QObject):
    """Writes the requested files when the window's run ends, then maybe quits."""

    def __init__(self, window: MainWindow, args: argparse.Namespace) -> None:
        super().__init__(window)
        self.window = window
        self.args = args
        self.done = False
        self.exit_code = 0
        if args.play:
            window.runEnded.connect(self._on_run_ended)
        else:
            window.frameShown.connect(self._on_first_frame)
        window.errorShown.connect(self._on_error)

    def _on_first_frame(self, iteration: int) -> None:
        self._finish_soon()

    def _on_run_ended(self, reason: str) -> None:
        if reason != "error":
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
                path = w.screenshot(self.args.screenshot)
                platform = ensure_app().platformName()
                print(f"gmmviz: wrote screenshot {path} ({w.width()}x{w.height()}, {platform})")
            if self.args.export_model:
                path = w.export_model(self.args.export_model)
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
    """Put the command line's settings into the panels; returns the dataset to generate."""
    spec = window.dataset_panel.spec()
    if args.dataset:
        name = args.dataset
        spec = DatasetSpec(name, DEFAULT_N_SAMPLES[name], DEFAULT_NOISE[name], spec.seed)
    if args.n_samples is not None:
        spec = replace(spec, n_samples=args.n_samples)
    if args.noise is not None:
        spec = replace(spec, noise=args.noise)
    if args.seed is not None:
        spec = replace(spec, seed=args.seed)
    window.dataset_panel.set_spec(spec)
    settings = window.model_panel.settings()
    changes = {
        "n_components": args.n_components,
        "covariance_type": args.covariance_type,
        "init_params": args.init,
        "tol": args.tol,
        "max_iter": args.max_iter,
        "seed": args.seed,
    }
    settings = replace(settings, **{k: v for k, v in changes.items() if v is not None})
    window.model_panel.set_settings(settings)
    if args.play:
        window.em_panel.set_rate(None)  # --play animates at full speed
    return window.dataset_panel.spec()


def run(args: argparse.Namespace) -> int:
    """Open the window for parsed options and run the event loop; returns the exit status."""
    app = ensure_app(sys.argv[:1])
    scripted = bool(args.screenshot or args.export_model or args.quit)
    window = MainWindow(remember=not scripted)
    script = ScriptedRun(window, args) if scripted else None
    window.quiet_errors = bool(args.quit)
    spec = apply_options(window, args)
    window.show()
    if args.data_file:
        window.open_data(args.data_file, play=args.play)
    else:
        window.generate(spec, play=args.play)
    status = app.exec()
    if script is not None and script.exit_code:
        return script.exit_code
    return int(status)
