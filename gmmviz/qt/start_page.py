"""The start page: every experiment of the lecture, one click each."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gmmviz.app.presets import PRESETS


class StartPage(QDialog):
    """A list of the lecture's experiments; choosing one loads it and runs EM.

    Parameters
    ----------
    parent : QWidget
    choose : callable
        ``choose(preset_name)``, called when a Run button is clicked (the page then closes).
    """

    def __init__(self, parent: QWidget, choose: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.setWindowTitle("gmmviz — the lecture's experiments")
        self.setObjectName("startPage")
        self.resize(760, 560)
        intro = QLabel(
            "<b>Watch EM fit a Gaussian mixture.</b> Each experiment below is a cell of the "
            "lecture (<i>Code Implementation of GMMs with the EM Algorithm</i>): one click "
            "loads its data and settings and runs EM. They are also in the <b>Lecture</b> "
            "menu. Close this page to start from the dataset and model panels instead."
        )
        intro.setWordWrap(True)
        grid = QGridLayout()
        grid.setColumnStretch(0, 1)
        self.buttons: dict[str, QPushButton] = {}
        for row, p in enumerate(PRESETS.values()):
            text = QLabel(
                f"<b>{p.title}</b><br><span style='color:#555'>{p.hint}</span><br>"
                f"<span style='color:#777; font-family:monospace; font-size:8pt'>{p.cell}</span>"
            )
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.RichText)
            button = QPushButton("Run")
            button.setObjectName("primary")
            button.setToolTip(f"Load and run: {p.title}")
            button.clicked.connect(lambda *_, name=p.name: self._choose(choose, name))
            self.buttons[p.name] = button
            grid.addWidget(text, row, 0)
            grid.addWidget(button, row, 1, Qt.AlignmentFlag.AlignVCenter)
        body = QWidget()
        body.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(close)

    def _choose(self, choose: Callable[[str], None], name: str) -> None:
        self.accept()
        choose(name)
