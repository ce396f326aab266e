"""The bar above the canvas while painting: add or erase, the true label, the brush size,
whether EM keeps its model, Clear and Done."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)


class PaintBar(QWidget):
    """Painting options; hidden unless painting.

    Signals
    -------
    clearRequested()
        Remove every point (a blank canvas).
    doneRequested()
        Stop painting.
    """

    clearRequested = Signal()
    doneRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paintBar")
        self.add = QRadioButton("Add")
        self.add.setToolTip("Drag on the canvas to add points of the chosen class")
        self.erase = QRadioButton("Erase")
        self.erase.setToolTip("Drag on the canvas to remove the points under the brush")
        self.add.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.add)
        group.addButton(self.erase)
        self.label = QSpinBox()
        self.label.setRange(0, 9)  # as the legend names the true classes
        self.label.setPrefix("class ")
        self.label.setToolTip("The true label of the points you add (their colour in "
                              "'true labels' mode)")  # fmt: skip
        self.size = QSpinBox()
        self.size.setRange(4, 120)
        self.size.setValue(24)
        self.size.setSuffix(" px")
        self.size.setToolTip("The brush's radius on screen")
        self.keep_model = QCheckBox("EM continues from the shown model")
        self.keep_model.setToolTip(
            "After each stroke EM goes on from the model on screen, on the edited points; "
            "untick to start EM again from the initialisation"
        )
        clear = QPushButton("Clear")
        clear.setToolTip("Remove every point and paint a new data set")
        clear.clicked.connect(self.clearRequested)
        done = QPushButton("Done")
        done.setToolTip("Stop painting (P)")
        done.clicked.connect(self.doneRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(QLabel("<b>Paint</b>"))
        for widget in (self.add, self.erase, self.label, QLabel("brush"), self.size,
                       self.keep_model):  # fmt: skip
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(clear)
        layout.addWidget(done)
        self.setVisible(False)

    @property
    def mode(self) -> str:
        return "add" if self.add.isChecked() else "erase"
