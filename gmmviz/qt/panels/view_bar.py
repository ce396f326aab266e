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
    viewChosen = Signal(int, int, bool, bool)  # x, y feature; principal axes; standardised

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
        # data with more than two features: which plane the canvas shows (never a refit)
        self.x_axis, self.y_axis = QComboBox(), QComboBox()
        for box in (self.x_axis, self.y_axis):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(8)
            box.setToolTip("The feature on this axis of the canvas (EM uses every feature)")
        self.pca = QCheckBox("PCA")
        self.pca.setToolTip("Show the first two principal axes instead of two features")
        self.scaled = QCheckBox("standardised")
        self.scaled.setToolTip(
            "Principal axes of the standardised features (each divided by its standard "
            "deviation), so that one feature with large units does not take them over"
        )
        self.view_label = QLabel("View")
        self._axis_widgets = (self.view_label, self.x_axis, self.y_axis, self.pca, self.scaled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(QLabel("Colour points by"))
        layout.addWidget(self.mode)
        layout.addWidget(self.component)
        layout.addStretch(1)
        for widget in self._axis_widgets:
            layout.addWidget(widget)
        layout.addWidget(self.ellipses)
        layout.addWidget(self.legend)
        self.mode.setCurrentIndex(COLOUR_MODES.index("hard"))
        self.mode.currentIndexChanged.connect(self._emit)
        self.component.valueChanged.connect(self._emit)
        self.ellipses.toggled.connect(self.ellipsesToggled)
        self.legend.toggled.connect(self.legendToggled)
        for box in (self.x_axis, self.y_axis):
            box.currentIndexChanged.connect(self._emit_view)
        self.pca.toggled.connect(self._emit_view)
        self.scaled.toggled.connect(self._emit_view)
        self.set_features(("x1", "x2"))
        self._sync()

    def set_features(self, names) -> None:
        """The data's feature names; the chooser shows only for more than two features."""
        names = tuple(names)
        for i, box in enumerate((self.x_axis, self.y_axis)):
            box.blockSignals(True)
            box.clear()
            for name in names:
                box.addItem(name)
            box.setCurrentIndex(min(i, len(names) - 1))
            box.blockSignals(False)
        for widget in self._axis_widgets:
            widget.setVisible(len(names) > 2)

    def show_axes(self, axes: tuple[int, int], pca: bool, scaled: bool = False) -> None:
        """Show the state's view without emitting anything."""
        for box, index in zip((self.x_axis, self.y_axis), axes, strict=True):
            box.blockSignals(True)
            box.setCurrentIndex(index)
            box.blockSignals(False)
            box.setEnabled(not pca)
        for box, on in ((self.pca, pca), (self.scaled, scaled)):
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)
        self.scaled.setEnabled(pca)

    def _emit_view(self, *_) -> None:
        i, j = self.x_axis.currentIndex(), self.y_axis.currentIndex()
        if i >= 0 and j >= 0 and (i != j or self.pca.isChecked()):
            self.viewChosen.emit(i, j, self.pca.isChecked(), self.scaled.isChecked())

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
