"""The readouts that follow the shown snapshot: the EM panel, the history bar and the
log-likelihood curve (redrawn at most every :data:`PLOT_INTERVAL_MS` while playing)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer

from gmmviz.app.state import AppState

#: Shortest interval between two redraws of the log-likelihood curve while playing: it is a
#: second full plot to paint, and 10+ redraws a second look just as live.
PLOT_INTERVAL_MS = 80


class Readouts(QObject):
    """Puts the state's shown snapshot and run into the EM panel, history bar and curve."""

    def __init__(self, window, state: AppState) -> None:
        super().__init__(window)
        self.w, self.state = window, state
        self._plot_timer = QTimer(self)
        self._plot_timer.setSingleShot(True)
        self._plot_timer.setInterval(PLOT_INTERVAL_MS)
        self._plot_timer.timeout.connect(self.redraw_likelihood)

    def show_step(self, step) -> None:
        w = self.w
        run = self.state.run
        following = self.state.selection.following
        max_iter = run.settings.max_iter if run is not None else None
        w.em_panel.show_step(step, max_iter, following)
        if run is not None:
            phase = getattr(step, "phase", "") if step is not None else ""
            w.equations.show_equations(run.settings.covariance_type, phase)
        # the cursor marks a past iteration; following the run it would only cost repaints
        w.likelihood.set_cursor(step.iteration if step is not None and not following else None)

    def refresh(self, plot_now: bool = True) -> None:
        run, index = self.state.run, self.state.shown_index
        n = 0 if run is None else len(run)
        step = self.state.shown_step
        following = self.state.selection.following
        self.w.history_bar.set_state(
            n, n - 1 if index is None else index, following, step.iteration if step else None
        )
        if plot_now:
            self._plot_timer.stop()
            self.redraw_likelihood()
        elif not self._plot_timer.isActive():
            self._plot_timer.start()

    def redraw_likelihood(self) -> None:
        run = self.state.run
        if run is None:
            self.w.likelihood.reset_curve()
            return
        it, ll = run.log_likelihoods()
        converged_at = run.converged_at
        finite = np.isfinite(ll)
        if not finite.all():  # half-steps: the M-steps are evaluated by the next E-step
            it, ll = it[finite], ll[finite]
            converged_at = len(ll) - 1 if converged_at is not None and len(ll) else None
        self.w.likelihood.set_history(it, ll, converged_at)

    def stop(self) -> None:
        self._plot_timer.stop()
