"""Dataset panel: the lecture's six generators with their knobs, or a data file."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gmmviz.app.settings import BOUNDS
from gmmviz.core.datasets import DATASETS, DatasetInfo, DatasetSpec
from gmmviz.qt.elided_label import ElidedLabel

#: The lecture's sizes: a size among them follows the generator when it changes, any other
#: (the person's own) stays.
_LECTURE_SIZES = frozenset(info.default_n_samples for info in DATASETS.values())


class DatasetPanel(QGroupBox):
    """Pick a generator and its parameters, then Generate; or open a data file.

    Signals
    -------
    specChanged(DatasetSpec)
        The person edited a field (not emitted by :meth:`set_spec`).
    generateRequested(DatasetSpec)
    openRequested()
    """

    specChanged = Signal(object)
    generateRequested = Signal(object)
    openRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Dataset", parent)
        self.name = QComboBox()
        # a long item must not widen the side panel past its width (it would be cut)
        self.name.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.name.setMinimumContentsLength(12)
        for info in DATASETS.values():
            self.name.addItem(info.title, info.name)
            tip = info.description[:1].upper() + info.description[1:]
            # The exact scikit-learn call whose points it gives, seed as random_state.
            tip += f".\nThe points of scikit-learn's {info.reference}"
            self.name.setItemData(self.name.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.name.setToolTip("The lecture's six toy datasets")
        self.n_samples = QSpinBox()
        self.n_samples.setRange(BOUNDS["n_samples"].low, BOUNDS["n_samples"].high)
        self.n_samples.setSingleStep(500)
        self.n_samples.setGroupSeparatorShown(True)
        self.n_samples.setToolTip(
            "Number of points, 10 to 1,000,000 (large sets are drawn as a raster)"
        )
        self.noise = QDoubleSpinBox()
        self.noise.setRange(BOUNDS["noise"].low, BOUNDS["noise"].high)
        self.noise.setDecimals(3)
        self.noise.setSingleStep(0.05)
        self.noise_label = QLabel()
        self.seed = QSpinBox()
        self.seed.setRange(BOUNDS["seed"].low, BOUNDS["seed"].high)
        self.seed.setToolTip(
            "Same seed, same points: scikit-learn's random_state for the generator's call"
        )
        self.generate = QPushButton("Generate")
        self.generate.setObjectName("primary")
        self.generate.setToolTip("Draw a new dataset with these settings and re-initialise EM (G)")
        self.open = QPushButton("Open data file…")
        self.open.setToolTip(
            "Load points from CSV / TSV / NPY / NPZ (Ctrl+O), or drop the file anywhere on the "
            "window; with more than two features, View above the canvas chooses the two shown"
        )
        # One line, elided: a caption that wraps would move every control below it.
        self.source = ElidedLabel("")
        self.source.setObjectName("hint")

        form = QFormLayout()
        form.addRow("Generator", self.name)
        form.addRow("Points", self.n_samples)
        form.addRow(self.noise_label, self.noise)
        form.addRow("Seed", self.seed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate, 1)
        buttons.addWidget(self.open)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.source)

        self.name.currentIndexChanged.connect(self._on_name_changed)
        self.generate.clicked.connect(lambda: self.generateRequested.emit(self.spec()))
        self.open.clicked.connect(self.openRequested)
        self._silent = False
        self.set_spec(DatasetSpec("blobs", DATASETS["blobs"].default_n_samples))
        for box in (self.n_samples, self.noise, self.seed):
            box.valueChanged.connect(self._edited)

    def _edited(self, *_) -> None:
        if not self._silent:
            self.specChanged.emit(self.spec())

    def _on_name_changed(self) -> None:
        # A new generator starts from the lecture's noise and size for it.
        info = DATASETS[self.current_name()]
        self._show_noise_knob(info)
        self._silent = True
        try:
            self.noise.setValue(info.default_noise)
            if self.n_samples.value() in _LECTURE_SIZES:
                self.n_samples.setValue(info.default_n_samples)
        finally:
            self._silent = False
        self._edited()

    def _show_noise_knob(self, info: DatasetInfo) -> None:
        """Label the noise box with what the knob means for this generator."""
        self.noise_label.setText(info.noise_label.capitalize())
        self.noise.setToolTip(f"The generator's {info.noise_label} (lecture: {info.default_noise})")

    def current_name(self) -> str:
        return self.name.currentData()

    def spec(self) -> DatasetSpec:
        """The dataset the panel describes."""
        return DatasetSpec(
            name=self.current_name(),
            n_samples=self.n_samples.value(),
            noise=float(self.noise.value()),
            seed=self.seed.value(),
        )

    def set_spec(self, spec: DatasetSpec) -> None:
        """Show ``spec`` without emitting ``specChanged``."""
        self._silent = True
        try:
            self.name.blockSignals(True)
            self.name.setCurrentIndex(max(self.name.findData(spec.name), 0))
            self.name.blockSignals(False)
            info = DATASETS[self.current_name()]
            self._show_noise_knob(info)
            self.n_samples.setValue(int(spec.n_samples))
            noise = info.default_noise if spec.noise is None else float(spec.noise)
            self.noise.setValue(noise)
            self.seed.setValue(int(spec.seed))
        finally:
            self._silent = False

    def set_source(self, text: str) -> None:
        """Say what the canvas shows (a generated set or a file)."""
        self.source.setText(text)
