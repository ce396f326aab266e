"""What the window says about a run: the badge and the status line for each outcome, and
the one-click fix for a degenerate fit (collapsed or empty components).

A run can end converged, at max_iter, with an error, at a saddle (components on top of each
other) or degenerate (components collapsed onto single points, or empty). Each outcome gets
words that say why, and what to do.
"""

from __future__ import annotations

import math

from gmmviz.app.state import AppState, Run, RunStatus
from gmmviz.core.diagnostics import (
    coinciding_components,
    collapsed_components,
    empty_components,
)


class RunReport:
    """Badges and status texts of runs, for one window.

    Parameters
    ----------
    presenter : Presenter
        For the status line and for running again (the fix).
    window : MainWindow
    state : AppState
    """

    def __init__(self, presenter, window, state: AppState) -> None:
        self.presenter, self.w, self.state = presenter, window, state
        self._fix: tuple[str, float] | None = None  # what EM > Fix changes

    def status(self, text: str) -> None:
        self.w.show_status(text)

    def run_ended(self, run: Run) -> None:
        """The badge and the status line for how ``run`` ended."""
        w = self.w
        last = run.latest
        if run.status is RunStatus.ERROR:
            w.em_panel.set_badge("error — see message", "error")
            w.canvas.set_caption_suffix(" · stopped by an error")
        elif self.explain_degenerate(run):
            pass
        elif run.status is RunStatus.CONVERGED and coinciding_components(last.params):
            j, k = coinciding_components(last.params)[0]
            w.em_panel.set_badge(f"stuck at a saddle (iteration {last.iteration})", "stopped")
            w.canvas.set_caption_suffix(" · components coincide: a saddle, not a fit")
            self.status(
                f"EM stopped at iteration {last.iteration} with components {j + 1} and {k + 1} "
                "on top of each other: a saddle point, not a fit. Try another start: the "
                "'random_from_data' or 'kmeans' initialisation, or another seed, then Reset."
            )
        elif run.status is RunStatus.CONVERGED:
            w.em_panel.set_badge(f"converged at iteration {last.iteration}", "converged")
            # scikit-learn's rule: the change measured before this last M-step was < tol
            before = run.steps[-2].change if len(run) > 1 else math.nan
            self.status(
                f"Converged after {last.iteration} iterations: mean log-likelihood "
                f"{last.log_likelihood:.6f} (the change before the last M-step, "
                f"{before:+.2e}, was below tol {run.settings.tol:g})."
            )
        else:
            it = last.iteration if last is not None else 0
            w.em_panel.set_badge(f"stopped at max_iter ({it})", "stopped")
            self.status(f"Stopped at max_iter = {it} without converging; raise Max iterations.")

    def explain_degenerate(self, run: Run) -> bool:
        """Collapsed or empty components: say why the likelihood says nothing good, and offer
        the fix (EM ▸ Fix). Returns whether there was something to explain."""
        data, last = self.state.data, run.latest
        if data is None or last is None:
            return False
        collapsed = collapsed_components(last.params, data.variance)
        empty = empty_components(last.params, data.n_samples)
        self._fix = None
        if collapsed:
            names = ", ".join(str(k + 1) for k in collapsed[:6]) + (
                "…" if len(collapsed) > 6 else ""
            )
            reg = max(run.settings.reg_covar * 1000, 1e-3 * data.variance)
            self._fix = ("reg_covar", reg)
            self.w.em_panel.set_badge(f"{len(collapsed)} components collapsed", "error")
            self.status(
                f"Components {names} collapsed onto single points: a Gaussian on one point can "
                "shrink its variance and raise the likelihood without bound, so this is a "
                f"degenerate maximum, not a better fit. Raise reg_covar (EM ▸ Fix: {reg:.1e}), "
                "lower K, or try another start."
            )
        elif empty:
            names = ", ".join(str(k + 1) for k in empty)
            self._fix = ("n_components", max(run.settings.n_components - len(empty), 1))
            self.w.em_panel.set_badge(f"{len(empty)} components empty", "stopped")
            self.status(
                f"Components {names} have (almost) no points: their weight fell to zero and they "
                f"explain nothing. Lower K (EM ▸ Fix: K = {self._fix[1]}) or try another start."
            )
        self.w.act("fix").setEnabled(self._fix is not None)
        return self._fix is not None

    def fix_degenerate(self) -> None:
        """Apply the fix the last explanation offered, and run EM again."""
        if self._fix is None:
            self.status("Nothing to fix: no component collapsed or emptied in this run.")
            return
        name, value = self._fix
        self._fix = None
        self.w.act("fix").setEnabled(False)
        self.state.update_model(**{name: value})
        self.presenter.reset(play=True)

    def badge_for(self, run: Run) -> None:
        """The badge a run that is no longer computing deserves."""
        last = run.latest
        if run.status is RunStatus.CONVERGED:
            self.w.em_panel.set_badge(f"converged at iteration {last.iteration}", "converged")
        elif run.status is RunStatus.MAX_ITER:
            self.w.em_panel.set_badge(f"stopped at max_iter ({last.iteration})", "stopped")
        elif last is not None:
            self.w.em_panel.set_badge(f"paused at iteration {last.iteration}", "idle")

    def for_step(self, step) -> None:
        """The status line for a snapshot just shown while stepping."""
        phase = getattr(step, "phase", "EM")
        if phase == "E":
            self.status(
                f"E-step {step.iteration}: every point's responsibilities C_ik recomputed from "
                f"the current parameters (the colours); mean log-likelihood "
                f"{step.log_likelihood:.6f}. Next: the M-step moves the means and ellipses."
            )
        elif phase == "M":
            self.status(
                f"M-step {step.iteration}: new weights, means and covariances from the "
                "responsibilities (the ellipses moved; the colours are still the E-step's)."
            )
        elif step.iteration == 0:
            s = self.state.run.settings
            ll = step.log_likelihood
            what = f": mean log-likelihood {ll:.6f}" if math.isfinite(ll) else ""
            if self.state.run.run_id == self.presenter.continued_run_id:
                self.status(
                    f"EM goes on from the model that was on screen, on the edited points{what}; "
                    "Step (→) or Play (Space)."
                )
                return
            if self.state.run.start_means is not None:
                self.status(
                    f"Started K={s.n_components} from the means you placed{what}. Drag a mean, "
                    "Shift+click to add one, Ctrl+click to remove one; Step (→) or Play (Space)."
                )
                return
            self.status(
                f"Initialised K={s.n_components} ({s.covariance_type}, {s.init_params}, "
                f"seed {s.seed}){what}. Drag a mean to start from elsewhere; Step (→) or "
                "Play (Space)."
            )
        else:
            change = "" if math.isnan(step.change) else f" (change {step.change:+.2e})"
            ll = f"{step.log_likelihood:.6f}"
            self.status(f"Iteration {step.iteration}: mean log-likelihood {ll}{change}.")
