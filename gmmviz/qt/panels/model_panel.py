"""Model panel: K, covariance type, initialisation and EM's stopping rules."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from gmmviz.app.settings import BOUNDS, ModelSettings
from gmmviz.core.gaussian import COVARIANCE_TYPES
from gmmviz.core.init import INIT_METHODS

COVARIANCE_TIPS = {
    "full": "each component has its own general covariance (ellipses of any shape and angle)",
    "tied": "all components share one covariance (same ellipse shape everywhere)",
    "diag": "each component has a diagonal covariance (ellipses aligned with the axes)",
    "spherical": "each component has a single variance (circles)",
}


class LogSpinBox(QDoubleSpinBox):
    """A spin box for tolerances: shows ``1e-03``, steps by factors of ten."""

    def __init__(self, minimum: float, maximum: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(minimum, maximum)

    def textFromValue(self, value: float) -> str:
        return "0" if value == 0 else f"{value:.0e}" if _is_power_of_ten(value) else f"{value:.3g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            value = float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:
        value = self.value()
        if value <= 0:
            value = self.minimum() if self.minimum() > 0 else 1e-12
        self.setValue(min(max(value * 10.0**steps, self.minimum()), self.maximum()))


def _is_power_of_ten(value: float) -> bool:
    exponent = math.log10(value)
    return abs(exponent - round(exponent)) < 1e-9


#: The initialisations in the menu, named for what they do.
INIT_LABELS: dict[str, str] = {
    "kmeans": "k-means labels",
    "k-means++": "k-means++ seeds",
    "random_from_data": "random data points",
    "random": "random memberships",
}
#: What each initialisation does, in words.
INIT_TIPS: dict[str, str] = {
    "kmeans": "Starts from a k-means clustering: its means, weights and covariances.",
    "k-means++": "Starts from K data points spread out by the k-means++ rule.",
    "random_from_data": "Starts from K data points drawn at random as the means: the "
    "lecture's 'random'.",
    "random": "Random memberships put every mean near the centre: EM may stop at once, "
    "at a saddle.",
}


class ModelPanel(QGroupBox):
    """The mixture's settings.

    Signals
    -------
    settingsChanged(ModelSettings)
        Emitted (debounced, 300 ms) after the user changed a setting.
    """

    settingsChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model", parent)
        self.k = QSpinBox()
        self.k.setRange(BOUNDS["n_components"].low, BOUNDS["n_components"].high)
        self.k.setToolTip("Number of Gaussian components K (1–50)")
        self.covariance = QComboBox()
        # a long item must not widen the side panel past its width (it would be cut)
        self.covariance.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.covariance.setMinimumContentsLength(12)
        for name in COVARIANCE_TYPES:
            self.covariance.addItem(name, name)
            self.covariance.setItemData(
                self.covariance.count() - 1, COVARIANCE_TIPS[name], Qt.ItemDataRole.ToolTipRole
            )
        self.covariance.setToolTip(
            "Covariance type: " + "; ".join(f"{k}: {v}" for k, v in COVARIANCE_TIPS.items())
        )
        self.init = QComboBox()
        # a long item must not widen the side panel past its width (it would be cut)
        self.init.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.init.setMinimumContentsLength(12)
        for name in INIT_METHODS:
            self.init.addItem(INIT_LABELS[name], name)
            self.init.setItemData(
                self.init.count() - 1, INIT_TIPS[name], Qt.ItemDataRole.ToolTipRole
            )
        self.init.setToolTip("How EM starts. " + " ".join(INIT_TIPS.values()))
        # the chosen start in words, under the box: 'random' misleads without it
        self.init_hint = QLabel(INIT_TIPS["kmeans"])
        self.init_hint.setObjectName("hint")
        self.init_hint.setWordWrap(True)
        # room for three lines whatever the text: a hint that grew with its text would move
        # every control below (a fixed height would make the label demand width instead)
        self.init_hint.setMinimumHeight(3 * self.init_hint.fontMetrics().lineSpacing() + 2)
        self.init_hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.init.currentIndexChanged.connect(
            lambda _: self.init_hint.setText(INIT_TIPS[self.init.currentData()])
        )
        self.max_iter = QSpinBox()
        self.max_iter.setRange(BOUNDS["max_iter"].low, BOUNDS["max_iter"].high)
        self.max_iter.setToolTip("EM stops after this many iterations")
        self.tol = LogSpinBox(BOUNDS["tol"].low, BOUNDS["tol"].high)
        self.tol.setToolTip(
            "EM has converged when the mean log-likelihood changes by less than this"
        )
        self.reg_covar = LogSpinBox(BOUNDS["reg_covar"].low, BOUNDS["reg_covar"].high)
        self.reg_covar.setToolTip("Added to every covariance diagonal, so none becomes singular")
        self.seed = QSpinBox()
        self.seed.setRange(BOUNDS["seed"].low, BOUNDS["seed"].high)
        self.seed.setToolTip("Seed of the initialisation (same seed, same start)")

        form = QFormLayout(self)
        form.addRow("Components K", self.k)
        form.addRow("Covariance", self.covariance)
        form.addRow("Initialisation", self.init)
        form.addRow(self.init_hint)
        form.addRow("Max iterations", self.max_iter)
        form.addRow("Tolerance", self.tol)
        form.addRow("reg_covar", self.reg_covar)
        form.addRow("Init seed", self.seed)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(lambda: self.settingsChanged.emit(self.settings()))
        self._silent = False
        self.set_settings(ModelSettings())
        for box in (self.k, self.max_iter, self.seed):
            box.valueChanged.connect(self._changed)
        for box in (self.tol, self.reg_covar):
            box.valueChanged.connect(self._changed)
        for combo in (self.covariance, self.init):
            combo.currentIndexChanged.connect(self._changed)

    def _changed(self, *_) -> None:
        if not self._silent:
            self._debounce.start()

    def flush(self) -> None:
        """Emit a pending change now (instead of after the debounce)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.settingsChanged.emit(self.settings())

    def cancel_pending(self) -> None:
        """Forget a change not yet emitted (the window is closing)."""
        self._debounce.stop()

    def settings(self) -> ModelSettings:
        return ModelSettings(
            n_components=self.k.value(),
            covariance_type=self.covariance.currentData(),
            init_params=self.init.currentData(),
            max_iter=self.max_iter.value(),
            tol=float(self.tol.value()),
            reg_covar=float(self.reg_covar.value()),
            seed=self.seed.value(),
        )

    def set_settings(self, settings: ModelSettings) -> None:
        """Show ``settings`` without emitting ``settingsChanged``."""
        self._silent = True
        try:
            self.k.setValue(settings.n_components)
            self.covariance.setCurrentIndex(
                max(self.covariance.findData(settings.covariance_type), 0)
            )
            self.init.setCurrentIndex(max(self.init.findData(settings.init_params), 0))
            self.max_iter.setValue(settings.max_iter)
            self.tol.setValue(settings.tol)
            self.reg_covar.setValue(settings.reg_covar)
            self.seed.setValue(settings.seed)
        finally:
            self._silent = False
