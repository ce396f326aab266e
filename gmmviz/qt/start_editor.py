"""Hand-placed starts: before a run (or after Reset) the means of iteration 0 can be dragged
on the canvas, and components added (Shift+click) or removed (Ctrl+click on a mean); EM then
starts from them (``means_init``; weights and covariances as the chosen initialisation gives
them). With d > 2 a drag moves the mean within the shown plane (``Projection.lift``)."""

from __future__ import annotations

import numpy as np

from gmmviz.app.settings import BOUNDS


class StartEditor:
    """Turns the canvas's mean edits into a hand-placed start and a new run.

    Parameters
    ----------
    presenter : Presenter
    """

    def __init__(self, presenter) -> None:
        self.p = presenter
        canvas = presenter.w.canvas
        canvas.means.meanMoved.connect(self.on_mean_moved)
        canvas.means.removeRequested.connect(self.on_mean_removed)
        canvas.addRequested.connect(self.on_mean_added)

    def _start_means(self):
        step = self.p.state.shown_step
        if self.p.state.start_means is not None:
            return np.array(self.p.state.start_means)
        return None if step is None else np.array(step.params.means)

    def _restart_from(self, means, what: str) -> None:
        k = len(means)
        try:
            if k != self.p.state.model.n_components:
                self.p.state.update_model(n_components=k)
            self.p.state.set_start(means)
        except ValueError as exc:
            self.p.error(str(exc))
            return
        self.p.reset()
        self.p.status(
            f"{what}: EM starts from the means you placed (K = {k}). Drag a mean to move it, "
            "Shift+click to add one, Ctrl+click a mean to remove it; Step or Play to run."
        )

    def on_mean_moved(self, k: int, x: float, y: float) -> None:
        means = self._start_means()
        if means is None or self.p.projection is None or k >= len(means):
            return
        means[k] = self.p.projection.lift((x, y), means[k])  # within the shown plane
        self._restart_from(means, f"Mean {k + 1} moved")

    def on_mean_removed(self, k: int) -> None:
        means = self._start_means()
        if means is None or len(means) <= 1:
            return
        self._restart_from(np.delete(means, k, axis=0), f"Component {k + 1} removed")

    def on_mean_added(self, x: float, y: float) -> None:
        means, data = self._start_means(), self.p.state.data
        if means is None or data is None or self.p.projection is None:
            return
        if len(means) >= min(data.n_samples, BOUNDS["n_components"].high):
            self.p.error(f"K cannot grow past {len(means)} here.")
            return
        centre = data.X.mean(axis=0) if data.n_features > 2 else np.zeros(data.n_features)
        new = self.p.projection.lift((x, y), centre)
        self._restart_from(np.vstack([means, new]), "Component added")

    def update_editable(self) -> None:
        """The means are editable on iteration 0 while nothing plays."""
        step = self.p.state.shown_step
        editable = step is not None and step.iteration == 0 and not self.p.runner.is_playing
        self.p.w.canvas.set_editable_start(editable)
