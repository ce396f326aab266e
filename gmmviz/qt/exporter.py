"""The window's exports: the shown model, the labelled data, the canvas and the window.

Model and CSV are written by the Qt-free :mod:`gmmviz.app.exports` (the CSV on the task
thread, it can be a million rows); images by :mod:`gmmviz.qt.export`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from gmmviz.app import exports
from gmmviz.app.state import AppState
from gmmviz.io import save_points_csv
from gmmviz.qt import dialogs, export
from gmmviz.qt.animation import AnimationExport, missing_for
from gmmviz.qt.tasks import TaskResult, TaskRunner

_NO_MODEL = "there is no model yet: generate data and initialise EM first"


class Exporter(QObject):
    """Export commands of one window.

    Parameters
    ----------
    window : MainWindow
        For dialogs, the canvas and the status line.
    state : AppState
    tasks : TaskRunner
        Where the CSV is written.
    report : callable
        ``report(message)`` shows an error.

    Signals
    -------
    exportDone(str)
        An export written in the background (the labelled data, a canvas PNG) is on disk
        (its path).
    """

    exportDone = Signal(str)

    def __init__(self, window, state: AppState, tasks: TaskRunner, report) -> None:
        super().__init__(window)
        self.w, self.state, self.tasks, self._report = window, state, tasks, report
        tasks.finished.connect(self._on_task_finished)

    def model(self, path: str | Path) -> Path:
        """Save the shown model (``.json`` or ``.npz``) with the curve up to it."""
        run, index = self.state.run, self.state.shown_index
        if run is None or index is None:
            raise ValueError(_NO_MODEL)
        out = exports.write_model(path, run.steps[: index + 1], run.settings, run.start_means)
        self.w.show_status(f"Exported the model of iteration {run[index].iteration} to {out}.")
        return out

    def data(self, path: str | Path) -> int:
        """Write the labelled data CSV in the background; returns the job's token."""
        step, data = self.state.shown_step, self.state.data
        if step is None or data is None:
            raise ValueError(_NO_MODEL)
        names = data.feature_names if data.path is not None else ()  # a file's header
        job = partial(exports.write_labelled_csv, str(path), data.X, data.y_true, step.params,
                      names, data.class_names)  # fmt: skip
        token = self.tasks.submit("export", job)
        self.w.show_status(f"Writing {data.n_samples:,} labelled points to {path}…")
        return token

    def samples(self, path: str | Path) -> Path:
        """The points drawn from the model, as CSV (``x1..xd,component``, from 1)."""
        samples = self.state.samples
        if samples is None:
            raise ValueError("no points drawn yet: use EM ▸ Sample points from the model")
        path = Path(path)
        save_points_csv(path, samples.X, samples.components)
        self.w.show_status(f"Exported {len(samples.X):,} sampled points to {path}.")
        return path

    def canvas(self, path: str | Path, scale: float = 1.0) -> Path:
        """The canvas as PNG (at ``scale``) or SVG, by suffix.

        A PNG is drawn here and encoded in the background (``exportDone`` says when it is
        on disk): compressing it on the GUI thread stalled the window for up to 0.6 s.
        """
        path = Path(path)
        if path.suffix.lower() == ".svg":
            out = export.save_svg(self.w.canvas, path)
            self.w.show_status(f"Saved the canvas to {out}.")
            return out
        image = export.render_widget(self.w.canvas, scale)  # widgets: GUI thread only
        self.tasks.submit("image", partial(export.write_png, image, path))
        self.w.show_status(f"Writing the canvas to {path}…")
        return path

    def window(self, path: str | Path) -> Path:
        """The whole window as PNG."""
        out = export.save_window_png(self.w, path)
        self.w.show_status(f"Saved a screenshot of the window to {out}.")
        return out

    def dialog(self, what: str, scale: float = 1.0) -> None:
        """Ask for a path, then export ``what`` (model, data, png, svg, window)."""
        target = dialogs.export_path(self.w, what, scale)
        if target is None:
            return
        action = {
            "model": self.model,
            "data": self.data,
            "png": partial(self.canvas, scale=scale),
            "svg": self.canvas,
            "window": self.window,
            "samples": self.samples,
        }[what]
        try:
            dialogs.check_folder(target)
            action(target)
        except (OSError, ValueError) as exc:
            self._report(f"Export failed: {exc}")

    def animation(self, path: str | Path, size: tuple[int, int] = (640, 480),
                  fps: float = 5.0) -> AnimationExport:  # fmt: skip
        """Start writing the run as a GIF (progress dialog, Cancel); returns the export."""
        missing = missing_for(path)
        if missing is not None:
            raise ValueError(missing)
        job = AnimationExport(self.w, path, size, fps)
        job.finished.connect(
            lambda out: self.w.show_status(
                f"Wrote the animation to {out}." if out else "Animation export cancelled."
            )
        )
        job.failed.connect(lambda message: self._report(f"Export failed: {message}"))
        job.start()
        return job

    def animation_dialog(self) -> None:
        options = dialogs.animation_options(self.w)
        if options is None:
            return
        path, size, fps = options
        try:
            dialogs.check_folder(path)
            self.animation(path, size, fps)
        except (OSError, ValueError) as exc:
            self._report(f"Export failed: {exc}")

    def _on_task_finished(self, result: TaskResult) -> None:
        if result.slot == "image":
            if result.error is not None:
                self._report(f"Could not save the canvas: {result.error}")
                return
            self.w.show_status(f"Saved the canvas to {result.value}.")
            self.exportDone.emit(str(result.value))
        if result.slot != "export":
            return
        if result.error is not None:
            self._report(f"Could not export the labelled data: {result.error}")
            return
        self.w.show_status(f"Exported the labelled data to {result.value}.")
        self.exportDone.emit(str(result.value))
