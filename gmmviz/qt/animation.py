"""Export a run as an animation (GIF with Pillow, MP4 with imageio-ffmpeg's encoder when it
is installed): one frame per snapshot of the history,
drawn through the same scene as the window, with a progress dialog and Cancel.

The displays are computed on the task thread (the scene renderer, as for the canvas); the
frames are painted on the GUI thread into an offscreen canvas of the chosen size, a few at a
time between events, so the window stays responsive.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QProgressDialog

from gmmviz.qt.canvas import MixtureCanvas
from gmmviz.qt.export import render_widget
from gmmviz.scene import SceneRenderer

#: At most this many frames (a long run is sampled evenly; the last snapshot is kept).
MAX_FRAMES = 200


def pillow_missing() -> str | None:
    """Why a GIF cannot be written here, or ``None``."""
    try:
        import PIL  # noqa: F401
    except ImportError:
        return "GIF export needs Pillow: pip install 'gmmviz[animation]' (or pip install Pillow)"
    return None


def encoder_missing() -> str | None:
    """Why an MP4 cannot be written here, or ``None`` (imageio-ffmpeg ships an encoder)."""
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return "MP4 export needs an encoder: pip install imageio-ffmpeg (GIF needs only Pillow)"
    return None


def missing_for(path: str | Path) -> str | None:
    """What is missing to write ``path`` (by its suffix), or ``None``."""
    return encoder_missing() if Path(path).suffix.lower() == ".mp4" else pillow_missing()


def frame_indices(n_steps: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """Indices of the snapshots that become frames: all of them, or an even sample that
    keeps the first and the last."""
    if n_steps <= max_frames:
        return list(range(n_steps))
    return sorted({round(v) for v in np.linspace(0, n_steps - 1, max_frames)})


def render_displays(renderer: SceneRenderer, steps: list, request) -> list:
    """The displays of ``steps`` (runs on the task thread)."""
    return [renderer(step, request) for step in steps]


class AnimationExport(QObject):
    """One export in progress: displays → frames → GIF.

    Signals
    -------
    finished(str)
        The path written, or ``""`` when cancelled.
    failed(str)
    """

    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, window, path: str | Path, size: tuple[int, int] = (640, 480),
                 fps: float = 5.0) -> None:  # fmt: skip
        super().__init__(window)
        self.w, self.path, self.size, self.fps = window, Path(path), size, float(fps)
        self.frames: list[QImage] = []
        self._displays: list = []
        self._token = 0
        self.canvas: MixtureCanvas | None = None
        self.progress = QProgressDialog("Rendering frames…", "Cancel", 0, 1, window)
        self.progress.setWindowTitle("Export animation")
        self.progress.setMinimumDuration(0)
        self.progress.canceled.connect(self._cancel)
        self._cancelled = False

    def start(self) -> None:
        state = self.w.state
        run, data = state.run, state.data
        if run is None or data is None or not len(run):
            self.failed.emit("there is no run to animate yet: generate data and run EM first")
            return
        steps = [run[i] for i in frame_indices(len(run))]
        self.canvas = MixtureCanvas()
        self.canvas.setMinimumSize(*self.size)  # the window's canvas minimum is larger
        self.canvas.resize(*self.size)
        self.canvas.class_names = data.colour_class_names
        self.canvas.set_points(self.w.canvas.xy, True, data.n_classes)
        self.canvas.set_axis_names(self.w.canvas.axis_names)
        request = replace(self.w.canvas.view_request(), rect=None, shape=(0, 0))
        renderer = SceneRenderer(data.X, data.y_true, self.w.presenter.projection)
        self.progress.setMaximum(len(steps))
        self.w.presenter.tasks.finished.connect(self._on_displays)
        self._token = self.w.presenter.tasks.submit(
            "animation", lambda: render_displays(renderer, steps, request)
        )

    def _on_displays(self, result) -> None:
        if result.slot != "animation" or result.token != self._token:
            return
        self.w.presenter.tasks.finished.disconnect(self._on_displays)
        if result.error is not None:
            self.failed.emit(f"could not render the frames: {result.error}")
            return
        self._displays = list(result.value)
        self.canvas.show()
        QTimer.singleShot(0, self._next_frame)

    def _next_frame(self) -> None:
        if self._cancelled:
            return
        for _ in range(3):  # a few frames per event-loop turn: the window stays responsive
            if len(self.frames) == len(self._displays):
                self._write()
                return
            display = self._displays[len(self.frames)]
            self.canvas.show_display(display)
            self.frames.append(render_widget(self.canvas))
            self.progress.setValue(len(self.frames))
        QTimer.singleShot(0, self._next_frame)

    def _write(self) -> None:
        arrays = []
        for frame in self.frames:
            rgb = frame.convertToFormat(QImage.Format.Format_RGB888)
            arr = np.frombuffer(rgb.constBits(), np.uint8, rgb.sizeInBytes())
            arr = arr.reshape(rgb.height(), rgb.bytesPerLine())[:, : rgb.width() * 3]
            arrays.append(arr.reshape(rgb.height(), rgb.width(), 3).copy())
        try:
            if self.path.suffix.lower() == ".mp4":
                self._write_mp4(arrays)
            else:
                self._write_gif(arrays)
        except (OSError, RuntimeError) as exc:
            self._close()
            self.failed.emit(f"could not write {self.path}: {exc}")
            return
        self._close()
        self.finished.emit(str(self.path))

    def _write_gif(self, arrays: list[np.ndarray]) -> None:
        from PIL import Image

        images = [Image.fromarray(a) for a in arrays]
        duration = round(1000 / max(self.fps, 0.1))
        images[0].save(self.path, save_all=True, append_images=images[1:],
                       duration=duration, loop=0, optimize=False)  # fmt: skip

    def _write_mp4(self, arrays: list[np.ndarray]) -> None:
        import imageio_ffmpeg

        h, w = arrays[0].shape[:2]
        even = [a[: h - h % 2, : w - w % 2] for a in arrays]  # yuv420p wants even sides
        writer = imageio_ffmpeg.write_frames(
            str(self.path), (w - w % 2, h - h % 2), fps=self.fps, macro_block_size=1
        )
        writer.send(None)
        for a in even:
            writer.send(np.ascontiguousarray(a))
        writer.close()

    def _cancel(self) -> None:
        if self._cancelled:
            return
        self._cancelled = True
        self._close()
        self.finished.emit("")

    def _close(self) -> None:
        # closing the dialog emits "canceled": not a Cancel once the export is over
        self.progress.canceled.disconnect(self._cancel)
        self.progress.reset()
        self.progress.close()
        if self.canvas is not None:
            self.canvas.close()
            self.canvas.deleteLater()
            self.canvas = None
