"""Full, tied, diag and spherical from the same start, as four small canvases that animate
together, each with its log-likelihood and BIC (a runner of its own)."""

from __future__ import annotations

import math
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gmmviz.app.side_by_side import side_by_side_run
from gmmviz.core.gaussian import COVARIANCE_TYPES
from gmmviz.qt.canvas import MixtureCanvas
from gmmviz.qt.runner import SnapshotRunner, Update
from gmmviz.scene import MARKER_LIMIT, SceneRenderer, ViewRequest


def render_four(renderer: SceneRenderer, request: ViewRequest, steps, _request=None) -> tuple:
    """The displays of the four snapshots (on the runner's thread)."""
    return tuple(renderer(step, request) for step in steps)


class SideBySideWindow(QWidget):
    """Four canvases, one per covariance type, animated by one runner."""

    def __init__(self, main_window) -> None:
        super().__init__(main_window, Qt.WindowType.Tool)
        self.setWindowTitle("gmmviz — the four covariance types side by side")
        self.resize(1000, 760)
        self.main = main_window
        self.canvases: dict[str, MixtureCanvas] = {}
        self.scores: dict[str, QLabel] = {}
        grid = QGridLayout()
        for i, name in enumerate(COVARIANCE_TYPES):
            canvas = MixtureCanvas()
            canvas.setMinimumSize(240, 200)
            canvas.set_layers(ellipses=True, legend=False)
            score = QLabel("—")
            score.setObjectName("hint")
            box = QVBoxLayout()
            box.addWidget(canvas, 1)
            box.addWidget(score)
            grid.addLayout(box, i // 2, i % 2)
            self.canvases[name], self.scores[name] = canvas, score
        self.caption = QLabel("")
        self.again = QPushButton("Run again")
        self.again.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addLayout(grid, 1)
        layout.addWidget(self.again, 0, Qt.AlignmentFlag.AlignRight)
        self.runner = SnapshotRunner(self, auto_ack=True, name="gmmviz-side-by-side")
        self.runner.updated.connect(self._on_update)
        self.runner.runFinished.connect(self._on_finished)
        self.runner.runFailed.connect(
            lambda _, message: self.caption.setText(f"Could not run: {message}")
        )
        self.last: tuple = ()

    def start(self) -> None:
        """Run the four types from the same start, at the window's speed."""
        state = self.main.state
        data = state.data
        if data is None:
            self.caption.setText("No data yet: generate a dataset in the main window.")
            return
        view = self.main.canvas.xy
        markers = data.n_samples <= MARKER_LIMIT
        for canvas in self.canvases.values():
            canvas.class_names = data.colour_class_names
            canvas.set_points(view, markers, data.n_classes)
            canvas.set_axis_names(self.main.canvas.axis_names)
        lo, hi = view.min(axis=0), view.max(axis=0)
        rect = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
        request = ViewRequest("hard") if markers else ViewRequest("hard", 0, rect, (240, 320))
        renderer = SceneRenderer(data.X, data.y_true, self.main.presenter.projection)
        self.runner.set_renderer(lambda steps, _: render_four(renderer, request, steps))
        m = state.model
        self.caption.setText(
            f"K = {m.n_components}, {m.init_params} start (seed {m.seed}): the same start for "
            "every covariance type; which one describes the data best?"
        )
        self.runner.start(partial(side_by_side_run, data.X, m), play=True, rate=state.speed)

    def _on_update(self, update: Update) -> None:
        self.last = update.steps[-1]
        for name, display in zip(COVARIANCE_TYPES, update.display or (), strict=False):
            self.canvases[name].show_display(display)
            m = display.metrics
            if m is not None and math.isfinite(m.log_likelihood):
                state = "converged" if m.converged else f"iteration {m.iteration}"
                self.scores[name].setText(
                    f"{name}: mean log-likelihood {m.log_likelihood:.4f} · BIC {m.bic:,.1f}"
                    f" · {state}"
                )

    def _on_finished(self, _run_id: int) -> None:
        bics = self.bics
        if bics:
            best = min(bics, key=bics.get)
            self.caption.setText(self.caption.text().split(" Lowest")[0]
                                 + f" Lowest BIC: {best}.")  # fmt: skip

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.start()

    def closeEvent(self, event) -> None:
        self.runner.cancel()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.runner.shutdown()

    @property
    def bics(self) -> dict[str, float]:
        out = {}
        for name, canvas in self.canvases.items():
            d = canvas.shown_display
            if d is not None and d.metrics is not None:
                out[name] = float(d.metrics.bic)
        return out
