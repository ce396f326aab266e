"""Choosing K on a second runner: the BIC/AIC sweep beside the animation.

The sweep is a generator of :class:`~gmmviz.core.selection.SweepPoint` records, run by its
own :class:`~gmmviz.qt.runner.SnapshotRunner` (own thread), so the canvas and the EM
animation stay usable while it fits; Cancel stops it between fits.
"""

from __future__ import annotations

import math
from functools import partial

from PySide6.QtCore import QObject

from gmmviz.app.settings import ModelSettings
from gmmviz.app.state import AppState
from gmmviz.core.em import EMStep
from gmmviz.core.selection import SweepPoint, iter_sweep
from gmmviz.qt.runner import SnapshotRunner, Update


class SweepController(QObject):
    """Runs sweeps for the window's selection panel and loads a chosen point's model.

    Parameters
    ----------
    presenter : Presenter
        For the status line, errors and showing a model.
    panel : SelectionPanel
    state : AppState
    """

    def __init__(self, presenter, panel, state: AppState) -> None:
        super().__init__(presenter)
        self.presenter, self.panel, self.state = presenter, panel, state
        self.runner = SnapshotRunner(self, auto_ack=True, name="gmmviz-sweep-worker")
        self._total = 0
        panel.runRequested.connect(self.start)
        panel.cancelRequested.connect(self.cancel)
        panel.pointChosen.connect(self.load_point)
        self.runner.updated.connect(self._on_update)
        self.runner.runFinished.connect(self._on_finished)
        self.runner.runFailed.connect(self._on_failed)
        state.sweepChanged.connect(lambda pts: panel.set_points(list(pts), self._total))
        state.dataChanged.connect(self._on_data_changed)

    def start(self, k_max: int, covariance_types: tuple, n_init: int = 1) -> None:
        """Fit K = 1..k_max for each covariance type, with the model panel's other settings."""
        data = self.state.data
        if data is None:
            self.presenter.error("No data yet: press Generate or open a data file.")
            return
        if not covariance_types:
            self.presenter.error("Choose at least one covariance type to sweep.")
            return
        k_max = min(int(k_max), data.n_samples)
        m = self.state.model
        factory = partial(
            iter_sweep, data.X, range(1, k_max + 1), covariance_types, n_init=n_init,
            tol=m.tol, reg_covar=m.reg_covar, max_iter=m.max_iter, init_params=m.init_params,
            random_state=m.seed,
        )  # fmt: skip
        self._total = k_max * len(covariance_types)
        self.panel.show_request(k_max, tuple(covariance_types), n_init)
        self.state.set_sweep(())
        self.runner.start(factory, play=True)
        self.runner.run_to_end()
        self.panel.set_running(True, self._total)
        self.presenter.status(
            f"Sweeping K = 1…{k_max} for {', '.join(covariance_types)} "
            f"({self._total} fits, n_init {n_init}) on the sweep's own thread…"
        )

    def cancel(self) -> None:
        self.runner.cancel()
        self.panel.set_running(False)
        self.presenter.status(f"Sweep cancelled after {len(self.state.sweep)} fits.")

    def _on_data_changed(self, _source) -> None:
        # A sweep fits the data it started on; its points must not land in the sweep of
        # new data (a point loaded from it would be a model of other features).
        if self.runner.is_live:
            self.runner.cancel()
            self.panel.set_running(False)

    def _on_update(self, update: Update) -> None:
        self.state.set_sweep(self.state.sweep + tuple(update.steps))

    def _on_finished(self, run_id: int) -> None:
        self.panel.set_running(False)
        if self.state.sweep:
            best = min(self.state.sweep, key=lambda p: p.bic)
            self.presenter.status(
                f"Sweep done: the lowest BIC is K = {best.k} ({best.covariance_type}), "
                f"{best.bic:,.1f}. Click a point of the plot to load its model."
            )

    def _on_failed(self, run_id: int, message: str) -> None:
        self.panel.set_running(False)
        self.presenter.error(f"The sweep stopped: {message}")

    def load_point(self, point: SweepPoint) -> None:
        """Show a swept model on the canvas, as a finished run of one snapshot."""
        settings = ModelSettings(**{**self.state.model.to_dict(), "n_components": point.k,
                                    "covariance_type": point.covariance_type})  # fmt: skip
        step = EMStep(point.n_iter, point.params, point.log_likelihood, math.nan, point.converged)
        self.presenter.show_fitted(step, settings)
        self.presenter.status(
            f"Loaded the sweep's model K = {point.k} ({point.covariance_type}): BIC "
            f"{point.bic:,.1f}, AIC {point.aic:,.1f}. Reset runs EM on it from its start."
        )

    def shutdown(self) -> None:
        self.runner.shutdown()
