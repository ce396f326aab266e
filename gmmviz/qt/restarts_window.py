"""Local optima made visible: ``n_init`` restarts as separate runs, their log-likelihood
curves overlaid, listed with their final values and seeds, the best marked (scikit-learn's
choice: the highest lower bound); any one can be shown on the main canvas."""

from __future__ import annotations

from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gmmviz.app.settings import BOUNDS
from gmmviz.core import GaussianMixture, iter_restarts
from gmmviz.qt.runner import SnapshotRunner, Update
from gmmviz.scene import palette


class RestartsWindow(QWidget):
    """Runs ``n_init`` initialisations on a runner of its own and compares them."""

    COLUMNS = ("restart", "seed", "iterations", "final log-likelihood", "lower bound", "")

    def __init__(self, main_window) -> None:
        super().__init__(main_window, Qt.WindowType.Tool)
        self.setWindowTitle("gmmviz — restarts (n_init)")
        self.resize(900, 560)
        self.main = main_window
        self.n_init = QSpinBox()
        self.n_init.setRange(2, BOUNDS["n_init"].high)
        self.n_init.setValue(5)
        self.n_init.setPrefix("n_init ")
        self.run = QPushButton("Run the restarts")
        self.run.setObjectName("primary")
        self.run.clicked.connect(self.start)
        self.caption = QLabel("Each restart is EM from another start; EM keeps the best.")
        self.caption.setObjectName("hint")
        self.plot = pg.PlotWidget(background="w")
        self.plot.getPlotItem().setLabel("bottom", "iteration")
        self.plot.getPlotItem().setLabel("left", "mean log-likelihood")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.cellClicked.connect(lambda row, _: self.show_restart(row))
        row = QHBoxLayout()
        row.addWidget(self.n_init)
        row.addWidget(self.run)
        row.addWidget(self.caption, 1)
        body = QHBoxLayout()
        body.addWidget(self.plot, 3)
        body.addWidget(self.table, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(body, 1)
        self.runner = SnapshotRunner(self, auto_ack=True, name="gmmviz-restarts")
        self.runner.updated.connect(self._on_update)
        self.runner.runFinished.connect(lambda _: self._finish())
        self.runner.runFailed.connect(lambda _, m: self.caption.setText(f"Could not run: {m}"))
        self.runs: list[list] = []
        self.best: int | None = None

    def start(self) -> None:
        state = self.main.state
        if state.data is None:
            self.caption.setText("No data yet: generate a dataset in the main window.")
            return
        m = state.model
        factory = partial(
            iter_restarts, state.data.X, m.n_components, n_init=self.n_init.value(),
            covariance_type=m.covariance_type, init_params=m.init_params,
            reg_covar=m.reg_covar, random_state=m.seed, tol=m.tol, max_iter=m.max_iter,
            evaluate_last=False,
        )  # fmt: skip
        self.runs, self.best = [], None
        self.plot.clear()
        self.table.setRowCount(0)
        self.runner.start(factory, play=True)
        self.runner.run_to_end()
        self.caption.setText(f"Running {self.n_init.value()} restarts…")

    def _on_update(self, update: Update) -> None:
        for step in update.steps:
            while len(self.runs) <= step.restart:
                self.runs.append([])
            self.runs[step.restart].append(step)

    def _finish(self) -> None:
        """Curves, the table and the best restart (the estimator's n_init choice)."""
        models = [GaussianMixture.from_steps(run) for run in self.runs]
        bounds = [m.lower_bound_ for m in models]
        self.best = int(np.argmax(bounds)) if bounds else None
        colours = palette.label_colours(max(len(self.runs), 1))
        # starts far below the climbs (random data points as means) would flatten every
        # curve into one line: draw from iteration 1 then, and say so
        later = np.array([s.log_likelihood for run in self.runs for s in run[1:]])
        later = later[np.isfinite(later)]
        firsts = np.array([run[0].log_likelihood for run in self.runs if run])
        span = float(np.ptp(later)) if later.size else 0.0
        skip_start = bool(later.size and np.nanmin(firsts) < later.min() - 20 * max(span, 1e-9))
        self.table.setRowCount(len(self.runs))
        for r, (run, model) in enumerate(zip(self.runs, models, strict=True)):
            its = np.array([s.iteration for s in run], dtype=float)
            lls = np.array([s.log_likelihood for s in run])
            keep = np.isfinite(lls) & ((its > 0) if skip_start else True)
            width = 3 if r == self.best else 1.5
            pen, brush = pg.mkPen(*colours[r], width=width), pg.mkBrush(*colours[r])
            self.plot.plot(its[keep], lls[keep], pen=pen, symbol="o", symbolSize=4,
                           symbolBrush=brush)  # fmt: skip
            last = run[-1]
            cells = (f"{r + 1}", f"{last.seed}", f"{last.iteration}",
                     f"{lls[keep][-1]:.6f}" if keep.any() else "—", f"{model.lower_bound_:.6f}",
                     "★ best" if r == self.best else "")  # fmt: skip
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if self.best is not None:
            spread = max(bounds) - min(bounds)
            self.caption.setText(
                f"Restart {self.best + 1} has the highest lower bound (EM keeps it); the restarts "
                f"span {spread:.4g} nats per point. Click a row to show that fit."
                + (" (The starts, far below, are not drawn.)" if skip_start else "")
            )

    def show_restart(self, row: int) -> None:
        """Show restart ``row``'s final model on the main canvas."""
        if not 0 <= row < len(self.runs):
            return
        last = self.runs[row][-1]
        self.main.presenter.show_fitted(last, self.main.state.model)
        self.main.show_status(f"Showing restart {row + 1}'s fit (iteration {last.iteration}).")

    def closeEvent(self, event) -> None:
        self.runner.cancel()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.runner.shutdown()
