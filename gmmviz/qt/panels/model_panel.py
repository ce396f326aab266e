"""Model panel: K, covariance type, initialisation and EM's stopping rules."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QSpinBox, QWidget

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
        for name in COVARIANCE_TYPES:
            self.covariance.addItem(name, name)
            self.covariance.setItemData(
                self.covariance.count() - 1, COVARIANCE_TIPS[name], Qt.ItemDataRole.ToolTipRole
            )
        self.covariance.setToolTip(
            "Covariance type: " + "; ".join(f"{k}: {v}" for k, v in COVARIANCE_TIPS.items())
        )
        self.init = QComboBox()
        for name in INIT_METHODS:
            self.init.addItem(name, name)
        self.init.setToolTip(
            "How EM starts: k-means labels (kmeans), k-means++ seeds, random "
            "responsibilities, or random data points as means"
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
