"""How good the shown model is: scores, and the agreement with the true labels."""

from __future__ import annotations

import math

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gmmviz.qt.elided_label import ElidedLabel
from gmmviz.scene.request import FitMetrics


class MetricsPanel(QWidget):
    """Mean log-likelihood, BIC, AIC, iterations and convergence; with true labels, the
    adjusted Rand index and a confusion matrix with components matched to classes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.class_names: tuple[str, ...] = ()  # the true classes' names, in code order
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        tips = {
            "log-likelihood": "Mean log-likelihood per point of the shown parameters",
            "BIC": "Bayesian information criterion, -2 N ℓ + p log N (lower is better)",
            "AIC": "Akaike information criterion, -2 N ℓ + 2 p (lower is better)",
            "parameters": "Free parameters p of the model",
            "iteration": "EM iterations that made the shown parameters",
            "adjusted Rand index": "Agreement of the hard EM labels with the true labels: "
            "1 is the same partition, 0 is chance",
        }
        for name, tip in tips.items():
            label = QLabel("—")
            label.setObjectName("readout")
            label.setToolTip(tip)
            self.values[name] = label
            form.addRow(name, label)
        self.table = QTableWidget(0, 0)
        self.table.setToolTip(
            "Points per true class (rows) and component (columns); components are matched to "
            "classes by the Hungarian assignment, matched pairs on the diagonal"
        )
        self.table.setMinimumWidth(160)
        self.caption = ElidedLabel("Confusion matrix (true classes × matched components)")
        self.caption.setObjectName("hint")
        right = QVBoxLayout()
        right.addWidget(self.caption)
        right.addWidget(self.table, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addLayout(form)
        layout.addLayout(right, 1)

    def show_metrics(self, m: FitMetrics | None) -> None:
        if m is None:
            for label in self.values.values():
                label.setText("—")
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return
        if math.isfinite(m.log_likelihood):
            self.values["log-likelihood"].setText(f"{m.log_likelihood:.6f}")
            self.values["BIC"].setText(f"{m.bic:,.2f}")
            self.values["AIC"].setText(f"{m.aic:,.2f}")
        else:  # an M half-step: evaluated by the next E-step
            for name in ("log-likelihood", "BIC", "AIC"):
                self.values[name].setText("— (next E-step)")
        self.values["parameters"].setText(f"{m.n_parameters:,}")
        state = "converged" if m.converged else "not converged"
        self.values["iteration"].setText(f"{m.iteration} ({state})")
        ari = "— (no true labels)" if m.ari is None or math.isnan(m.ari) else f"{m.ari:.4f}"
        self.values["adjusted Rand index"].setText(ari)
        if m.confusion is None:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return
        rows, cols = m.confusion.shape
        self.table.setRowCount(rows)
        self.table.setColumnCount(cols)
        names = self.class_names
        self.table.setVerticalHeaderLabels(
            [names[int(c)] if 0 <= int(c) < len(names) else f"class {c}" for c in m.classes]
        )
        self.table.setHorizontalHeaderLabels([f"comp. {k + 1}" for k in m.components])
        for i in range(rows):
            for j in range(cols):
                self.table.setItem(i, j, QTableWidgetItem(f"{int(m.confusion[i, j]):,}"))
        self.table.resizeColumnsToContents()
