"""The side panels, the view bar and the history bar, on their own."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt

from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DATASETS, DatasetSpec
from gmmviz.qt.panels.dataset_panel import DatasetPanel
from gmmviz.qt.panels.em_panel import SPEEDS, EMPanel
from gmmviz.qt.panels.history_bar import HistoryBar
from gmmviz.qt.panels.model_panel import LogSpinBox, ModelPanel
from gmmviz.qt.panels.view_bar import ViewBar


def test_dataset_panel_starts_with_the_lectures_defaults(qtbot):
    panel = DatasetPanel()
    qtbot.addWidget(panel)
    assert panel.spec() == DatasetSpec("blobs", 1500, DATASETS["blobs"].default_noise, 0)
    assert panel.noise_label.text() == "Cluster std"
    assert [panel.name.itemData(i) for i in range(panel.name.count())] == [
        "blobs", "varied", "anisotropic", "imbalanced", "moons", "circles",
    ]  # fmt: skip
    assert (panel.n_samples.minimum(), panel.n_samples.maximum()) == (10, 1_000_000)
    # Titles and tooltips come from the registry.
    for i, info in enumerate(DATASETS.values()):
        assert panel.name.itemText(i) == info.title
        tip = panel.name.itemData(i, Qt.ItemDataRole.ToolTipRole)
        description, reference = tip.split("\n")
        assert description.lower() == info.description.lower() + "."
        assert reference == f"The points of scikit-learn's {info.reference}"


def test_choosing_a_generator_loads_its_noise_and_size(qtbot):
    panel = DatasetPanel()
    qtbot.addWidget(panel)
    panel.name.setCurrentIndex(panel.name.findData("moons"))
    assert panel.noise.value() == pytest.approx(0.05)
    assert panel.noise_label.text() == "Noise"
    panel.name.setCurrentIndex(panel.name.findData("imbalanced"))
    assert panel.n_samples.value() == 610  # the lecture's 500 + 100 + 10
    panel.n_samples.setValue(20_000)  # a size the user chose is kept
    panel.name.setCurrentIndex(panel.name.findData("circles"))
    assert panel.n_samples.value() == 20_000


def test_generate_button_emits_the_spec(qtbot):
    panel = DatasetPanel()
    qtbot.addWidget(panel)
    panel.set_spec(DatasetSpec("varied", 777, 2.0, 5))
    with qtbot.waitSignal(panel.generateRequested) as blocker:
        qtbot.mouseClick(panel.generate, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == DatasetSpec("varied", 777, 2.0, 5)
    with qtbot.waitSignal(panel.openRequested):
        qtbot.mouseClick(panel.open, Qt.MouseButton.LeftButton)


def test_model_panel_emits_settings_after_a_change(qtbot):
    panel = ModelPanel()
    qtbot.addWidget(panel)
    assert panel.settings() == ModelSettings()
    assert (panel.k.minimum(), panel.k.maximum()) == (1, 50)
    with qtbot.waitSignal(panel.settingsChanged, timeout=2000) as blocker:
        panel.k.setValue(7)
        panel.covariance.setCurrentIndex(panel.covariance.findData("diag"))
    assert blocker.args[0].n_components == 7
    assert blocker.args[0].covariance_type == "diag"


def test_model_panel_set_settings_is_silent(qtbot):
    panel = ModelPanel()
    qtbot.addWidget(panel)
    settings = ModelSettings(12, "spherical", "random", 250, 1e-5, 1e-4, 9)
    with qtbot.assertNotEmitted(panel.settingsChanged, wait=400):
        panel.set_settings(settings)
    assert panel.settings() == settings


def test_log_spin_box_steps_by_decades(qtbot):
    box = LogSpinBox(0.0, 1.0)
    qtbot.addWidget(box)
    box.setValue(1e-3)
    assert box.text() == "1e-03"
    box.stepBy(1)
    assert box.value() == pytest.approx(1e-2)
    box.stepBy(-3)
    assert box.value() == pytest.approx(1e-5)
    assert box.valueFromText("2.5e-4") == pytest.approx(2.5e-4)


def test_em_panel_speed_and_readouts(qtbot):
    from PySide6.QtGui import QAction

    actions = {name: QAction(name) for name in ("step", "play", "run", "reset")}
    panel = EMPanel()
    panel.set_actions(actions)
    qtbot.addWidget(panel)
    assert panel.speed.count() == len(SPEEDS)
    with qtbot.waitSignal(panel.speedChanged) as blocker:
        panel.set_rate(None)
    assert blocker.args == [None]
    assert panel.speed.currentText() == "as fast as possible"

    class Step:
        iteration, log_likelihood, change, converged = 4, -1.2345678, 3.2e-4, False

    panel.show_step(Step(), 100, latest=True)
    assert panel.iteration.text() == "4 / 100"
    assert panel.log_likelihood.text() == "-1.234568"
    assert panel.change.text() == "+3.200e-04"
    panel.show_step(Step(), 100, latest=False)
    assert "past" in panel.iteration.text()
    panel.set_badge("converged at iteration 4", "converged")
    assert panel.badge.property("state") == "converged"


def test_history_bar_reports_the_chosen_index(qtbot):
    bar = HistoryBar()
    qtbot.addWidget(bar)
    bar.set_state(10, 9, True, 9)
    assert not bar.latest.isEnabled()
    assert "latest" in bar.label.text()
    with qtbot.waitSignal(bar.indexChosen) as blocker:
        bar.slider.setValue(3)
    assert blocker.args == [3]
    bar.set_state(10, 3, False, 3)
    assert bar.latest.isEnabled()
    with qtbot.waitSignal(bar.latestRequested):
        qtbot.mouseClick(bar.latest, Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(bar.indexChosen):
        bar.set_state(11, 10, True, 10)  # programmatic updates are not user choices


def test_view_bar_shows_the_component_only_for_membership(qtbot):
    bar = ViewBar()
    qtbot.addWidget(bar)
    bar.show()
    assert bar.colour_by() == "hard"
    assert not bar.component.isVisible()
    bar.set_n_components(4)
    with qtbot.waitSignal(bar.colourChanged) as blocker:
        bar.set_colour_by("member", 2)
    assert bar.component.isVisible()
    assert blocker.args == ["member", bar.component_index()]
    assert bar.component_index() == 2
    with qtbot.waitSignal(bar.colourChanged) as blocker:
        bar.set_n_components(2)  # the chosen component no longer exists: clamped
    assert blocker.args == ["member", 1]
