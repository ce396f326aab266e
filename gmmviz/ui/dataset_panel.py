"""Dataset panel: the lecture's six generators with their knobs, or a data file."""

from __future__ import annotations

from PySide6.QtCore import Signal
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

from gmmviz.core.datasets import (
    DATASET_NAMES,
    DEFAULT_N_SAMPLES,
    DEFAULT_NOISE,
    NOISE_LABEL,
    DatasetSpec,
)
from gmmviz.ui.session import DATASET_TITLES, MAX_SAMPLES, MIN_SAMPLES


class DatasetPanel(QGroupBox):
    """Pick a generator and its parameters, then Generate; or open a data file.

    Signals
    -------
    generateRequested(DatasetSpec)
    openRequested()
    """

    generateRequested = Signal(object)
    openRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Dataset", parent)
        self.name = QComboBox()
        for name in DATASET_NAMES:
            self.name.addItem(DATASET_TITLES.get(name, name), name)
        self.name.setToolTip("The lecture's six toy datasets")
        self.n_samples = QSpinBox()
        self.n_samples.setRange(MIN_SAMPLES, MAX_SAMPLES)
        self.n_samples.setSingleStep(500)
        self.n_samples.setGroupSeparatorShown(True)
        self.n_samples.setToolTip(
            "Number of points, 10 to 1,000,000 (large sets are drawn as a raster)"
        )
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 50.0)
        self.noise.setDecimals(3)
        self.noise.setSingleStep(0.05)
        self.noise_label = QLabel()
        self.seed = QSpinBox()
        self.seed.setRange(0, 2_147_483_647)
        self.seed.setToolTip("Same seed, same points")
        self.generate = QPushButton("Generate")
        self.generate.setObjectName("primary")
        self.generate.setToolTip("Draw a new dataset with these settings and re-initialise EM (G)")
        self.open = QPushButton("Open data file…")
        self.open.setToolTip(
            "Load points from CSV / TSV / NPY / NPZ; with more than two columns the first two "
            "are shown (Ctrl+O)"
        )
        self.source = QLabel("")
        self.source.setObjectName("hint")
        self.source.setWordWrap(True)

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
        self.set_spec(DatasetSpec("blobs", DEFAULT_N_SAMPLES["blobs"]))

    def _on_name_changed(self) -> None:
        # A new generator starts from the lecture's noise and size for it.
        name = self.current_name()
        self.noise_label.setText(NOISE_LABEL[name].capitalize())
        self.noise.setToolTip(
            f"The generator's {NOISE_LABEL[name]} (lecture: {DEFAULT_NOISE[name]})"
        )
        self.noise.setValue(DEFAULT_NOISE[name])
        if self.n_samples.value() in DEFAULT_N_SAMPLES.values():
            self.n_samples.setValue(DEFAULT_N_SAMPLES[name])

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
        self.name.blockSignals(True)
        self.name.setCurrentIndex(max(self.name.findData(spec.name), 0))
        self.name.blockSignals(False)
        name = self.current_name()
        self.noise_label.setText(NOISE_LABEL[name].capitalize())
        self.noise.setToolTip(
            f"The generator's {NOISE_LABEL[name]} (lecture: {DEFAULT_NOISE[name]})"
        )
        self.n_samples.setValue(int(spec.n_samples))
        self.noise.setValue(DEFAULT_NOISE[name] if spec.noise is None else float(spec.noise))
        self.seed.setValue(int(spec.seed))

    def set_source(self, text: str) -> None:
        """Say what the canvas shows (a generated set or a file)."""
        self.source.setText(text)
