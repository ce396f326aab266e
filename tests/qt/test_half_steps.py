"""E and M as half-steps, with their equations."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from gmmviz.app.runs import em_run
from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec, generate
from gmmviz.qt.panels.equations_panel import e_step_html, m_step_html


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_half_steps_give_exactly_the_full_steps_parameters(covariance_type):
    X, _ = generate(DatasetSpec("blobs", 500, 1.0, 0))
    settings = ModelSettings(3, covariance_type, "random_from_data", seed=2)
    full = list(em_run(X, settings))
    half = list(em_run(X, settings, half_steps=True))
    m_steps = [s for s in half if s.phase == "M"]
    assert [s.iteration for s in m_steps] == [s.iteration for s in full[1:]]
    for a, b in zip(m_steps, full[1:], strict=True):
        np.testing.assert_array_equal(a.params.means, b.params.means)
        np.testing.assert_array_equal(a.params.covariances, b.params.covariances)
        assert a.converged == b.converged
    e_steps = [s for s in half if s.phase == "E"]
    for e, f in zip(e_steps, full, strict=False):  # E(i) evaluates iteration i's parameters
        assert e.log_likelihood == f.log_likelihood


def test_the_window_steps_by_half_steps_and_highlights_the_equation(qtbot, window, load):
    load(window, DatasetSpec("blobs", 500, 1.0, 0), init_params="random_from_data")
    window.em_panel.half_steps.setChecked(True)
    qtbot.waitUntil(lambda: window.state.shown_step.phase == "init", timeout=20000)
    assert window.bottom_tabs.currentWidget() is window.equations
    window.presenter.step()
    qtbot.waitUntil(lambda: window.state.shown_step.phase == "E", timeout=10000)
    assert "— just done" in window.equations.text.split("M-step")[0]
    e_step = window.state.shown_step
    window.presenter.step()
    qtbot.waitUntil(lambda: window.state.shown_step.phase == "M", timeout=10000)
    m_step = window.state.shown_step
    assert m_step.phase == "M" and m_step.resp_params is e_step.params
    assert "— just done" in window.equations.text.split("M-step")[1]
    # the points keep the E-step's colours while the ellipses move
    qtbot.waitUntil(lambda: window.canvas.shown_step is m_step, timeout=5000)
    assert "M-step" in window.canvas.title and "M" in window.em_panel.iteration.text()
    half_run = window.state.run
    window.em_panel.half_steps.setChecked(False)  # back to full iterations: a new run
    qtbot.waitUntil(lambda: window.state.run is not half_run, timeout=20000)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    assert {s.phase for s in window.state.run.steps} <= {"init", "EM"}


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_the_equations_are_typeset_for_each_covariance_type(covariance_type):
    html = e_step_html() + m_step_html(covariance_type)
    assert "<sub>" in html and "<sup>" in html and "&pi;" in html  # not ASCII
    symbol = {"full": "&Sigma;<sub>k</sub>", "tied": "&Sigma;</i>", "diag": "<sub><i>kd</i>",
              "spherical": "<i>d</i> <i>N<sub>k</sub>"}[covariance_type]  # fmt: skip
    assert symbol in html
