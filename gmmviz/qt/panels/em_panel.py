"""EM controls (Step, Play/Pause, speed, Run to convergence, Reset) and live readouts."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

#: Speeds offered, in iterations per second; ``None`` is "as fast as possible".
SPEEDS: tuple[float | None, ...] = (0.5, 1, 2, 5, 10, 20, 30, 60, None)
DEFAULT_SPEED: float | None = 5


def speed_label(rate: float | None) -> str:
    if rate is None:
        return "as fast as possible"
    return f"{rate:g} iteration/s" if rate == 1 else f"{rate:g} iterations/s"


class EMPanel(QGroupBox):
    """Buttons bound to the window's EM actions, a speed choice, and the run's numbers.

    Parameters
    ----------
    actions : dict of str to QAction
        ``step``, ``play``, ``run``, ``reset`` (shared with the menu and toolbar).

    Signals
    -------
    speedChanged(object)
        Iterations per second, or ``None`` for as fast as possible.
    """

    speedChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("EM", parent)
        buttons = QGridLayout()
        buttons.setSpacing(4)
        self._buttons: dict[str, QToolButton] = {}
        for i, name in enumerate(("step", "play", "run", "reset")):
            button = QToolButton()
            self._buttons[name] = button
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep Space for play/pause
            button.setObjectName(f"em_{name}")
            buttons.addWidget(button, i // 2, i % 2)
        self.half_steps = QCheckBox("E and M as half-steps")
        self.half_steps.setToolTip(
            "Step, Play and the history go by E-step (the points are recoloured by their new "
            "responsibilities) and M-step (means, ellipses and weights move); the Equations "
            "tab shows the update just done"
        )
        self.speed = QComboBox()
        for rate in SPEEDS:
            self.speed.addItem(speed_label(rate), rate)
        self.speed.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed.setToolTip("How fast Play animates EM (every iteration is drawn)")
        self.speed.currentIndexChanged.connect(lambda _: self.speedChanged.emit(self.rate()))
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        speed_row.addWidget(self.speed, 1)

        self.iteration = QLabel("—")
        self.log_likelihood = QLabel("—")
        self.change = QLabel("—")
        for label in (self.iteration, self.log_likelihood, self.change):
            label.setObjectName("readout")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.iteration.setToolTip("EM iterations (M-steps) done; 0 is the initialisation")
        self.log_likelihood.setToolTip("Mean log-likelihood per point of the shown parameters")
        self.change.setToolTip("Change of the mean log-likelihood since the previous iteration")
        self.badge = QLabel("not started")
        self.badge.setObjectName("badge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setProperty("state", "idle")
        readouts = QGridLayout()
        readouts.addWidget(QLabel("Iteration"), 0, 0)
        readouts.addWidget(self.iteration, 0, 1)
        readouts.addWidget(QLabel("Log-likelihood"), 1, 0)
        readouts.addWidget(self.log_likelihood, 1, 1)
        readouts.addWidget(QLabel("Change"), 2, 0)
        readouts.addWidget(self.change, 2, 1)
        readouts.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(speed_row)
        layout.addWidget(self.half_steps)
        layout.addLayout(readouts)
        layout.addWidget(self.badge)

    def set_actions(self, actions: dict[str, QAction]) -> None:
        """The window's Step, Play, Run and Reset actions, for the four buttons."""
        for name, button in self._buttons.items():
            button.setDefaultAction(actions[name])

    def rate(self) -> float | None:
        return self.speed.currentData()

    def set_rate(self, rate: float | None) -> None:
        index = self.speed.findData(rate)
        if index >= 0:
            self.speed.setCurrentIndex(index)

    def show_step(self, step, max_iter: int | None, latest: bool) -> None:
        """Readouts for a snapshot (``None`` clears them)."""
        if step is None:
            self.iteration.setText("—")
            self.log_likelihood.setText("—")
            self.change.setText("—")
            return
        of = f" / {max_iter}" if max_iter else ""
        past = "" if latest else "  (past)"
        half = {"E": " E", "M": " M"}.get(getattr(step, "phase", ""), "")
        self.iteration.setText(f"{step.iteration}{half}{of}{past}")
        ll = step.log_likelihood
        # an M half-step's parameters are not evaluated yet: the next E-step does it
        self.log_likelihood.setText(f"{ll:.6f}" if math.isfinite(ll) else "— (next E-step)")
        change = step.change
        self.change.setText("—" if change is None or math.isnan(change) else f"{change:+.3e}")

    def set_badge(self, text: str, state: str) -> None:
        """``state`` is one of idle, running, converged, stopped, error (styled)."""
        if text == self.badge.text() and state == self.badge.property("state"):
            return  # re-polishing a styled widget every frame is not free
        self.badge.setText(text)
        self.badge.setProperty("state", state)
        self.badge.style().unpolish(self.badge)
        self.badge.style().polish(self.badge)
