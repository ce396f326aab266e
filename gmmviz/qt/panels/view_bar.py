"""The bar above the canvas: how points are coloured, and which component's membership."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from gmmviz.app.state import COLOUR_MODES, ViewSettings
from gmmviz.qt.actions import COLOUR_MODE_LABELS


class ViewBar(QWidget):
    """Colour mode, component, and toggles for ellipses and legend.

    Signals
    -------
    colourChanged(str, int)
        Colour mode and 0-based component.
    ellipsesToggled(bool), legendToggled(bool)
    """

    colourChanged = Signal(str, int)
    ellipsesToggled = Signal(bool)
    legendToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox()
        for mode in COLOUR_MODES:
            self.mode.addItem(COLOUR_MODE_LABELS[mode], mode)
        self.mode.setToolTip(
            "Colour the points by their true class, by EM's hard label, by the blend of the "
            "component colours weighted by the responsibilities, or by the membership in one "
            "component (colour bar)"
        )
        self.component = QSpinBox()
        self.component.setRange(1, 1)
        self.component.setPrefix("component ")
        self.component.setToolTip("The component whose membership (responsibility) is shown")
        self.ellipses = QCheckBox("Ellipses")
        self.ellipses.setChecked(True)
        self.ellipses.setToolTip("Covariance ellipses at 1, 2 and 3 sigma, shaded by weight")
        self.legend = QCheckBox("Legend")
        self.legend.setChecked(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(QLabel("Colour points by"))
        layout.addWidget(self.mode)
        layout.addWidget(self.component)
        layout.addStretch(1)
        layout.addWidget(self.ellipses)
        layout.addWidget(self.legend)
        self.mode.setCurrentIndex(COLOUR_MODES.index("hard"))
        self.mode.currentIndexChanged.connect(self._emit)
        self.component.valueChanged.connect(self._emit)
        self.ellipses.toggled.connect(self.ellipsesToggled)
        self.legend.toggled.connect(self.legendToggled)
        self._sync()

    def colour_by(self) -> str:
        return self.mode.currentData()

    def component_index(self) -> int:
        """0-based component for the membership mode."""
        return self.component.value() - 1

    def set_colour_by(self, mode: str, component: int | None = None) -> None:
        """Choose the colour mode (and component); one ``colourChanged`` if anything changed."""
        before = (self.colour_by(), self.component_index())
        self.mode.blockSignals(True)
        self.component.blockSignals(True)
        try:
            index = self.mode.findData(mode)
            if index >= 0:
                self.mode.setCurrentIndex(index)
            if component is not None:
                self.component.setValue(component + 1)
        finally:
            self.mode.blockSignals(False)
            self.component.blockSignals(False)
        if (self.colour_by(), self.component_index()) != before:
            self._emit()

    def show_view(self, view: ViewSettings) -> None:
        """Show the state's view settings without emitting anything."""
        widgets = (self.mode, self.component, self.ellipses, self.legend)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.mode.setCurrentIndex(max(self.mode.findData(view.colour_by), 0))
            self.component.setValue(view.component + 1)
            self.ellipses.setChecked(view.show_ellipses)
            self.legend.setChecked(view.show_legend)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._sync()

    def set_n_components(self, n: int) -> None:
        self.component.setRange(1, max(n, 1))  # emits colourChanged if the value was clamped

    def _sync(self) -> None:
        self.component.setVisible(self.colour_by() == "member")

    def _emit(self, *_) -> None:
        self._sync()
        self.colourChanged.emit(self.colour_by(), self.component_index())
