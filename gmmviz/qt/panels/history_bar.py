"""A slider over the iterations of the current run, and a button back to the latest."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget


class HistoryBar(QWidget):
    """Go back to any past iteration; one click returns to the latest.

    Signals
    -------
    indexChosen(int)
        The user moved the slider to this snapshot index.
    latestRequested()
        The user wants to follow the latest snapshot again.
    """

    indexChosen = Signal(int)
    latestRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        title = QLabel("History")
        title.setObjectName("sectionTitle")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setPageStep(5)
        self.slider.setToolTip(
            "Drag to show any past iteration of this run (EM pauses while you look back)"
        )
        self.label = QLabel("no run yet")
        self.label.setMinimumWidth(150)
        self.latest = QToolButton()
        self.latest.setText("Latest")
        self.latest.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
        self.latest.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.latest.setToolTip("Show the latest iteration again and follow the run (End)")
        self.latest.setEnabled(False)
        layout.addWidget(title)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.latest)
        self._following = True
        self._updating = False
        self.slider.valueChanged.connect(self._on_value)
        self.latest.clicked.connect(self.latestRequested)

    @property
    def following(self) -> bool:
        return self._following

    @property
    def index(self) -> int:
        return self.slider.value()

    def set_state(self, count: int, index: int, following: bool, iteration: int | None) -> None:
        """Show ``count`` snapshots with ``index`` selected."""
        self._updating = True
        try:
            self.slider.setRange(0, max(count - 1, 0))
            self.slider.setValue(max(index, 0))
        finally:
            self._updating = False
        self._following = following
        self.latest.setEnabled(not following and count > 0)
        if count == 0:
            self.label.setText("no run yet")
        elif following:
            self.label.setText(f"iteration {iteration} (latest)")
        else:
            self.label.setText(f"iteration {iteration} of {count - 1}")

    def _on_value(self, value: int) -> None:
        if not self._updating:
            self.indexChosen.emit(value)
