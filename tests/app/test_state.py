"""The app state: validated, observable, serialisable; the single source of truth."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gmmviz.app.records import run_from_record, run_to_record
from gmmviz.app.runs import em_run, generate_source
from gmmviz.app.settings import ModelSettings
from gmmviz.app.state import AppState, DataSource, RunStatus, Selection
from gmmviz.core.datasets import DatasetSpec


class Events:
    def __init__(self, state: AppState) -> None:
        self.seen: list[tuple] = []
        for name in ("datasetChanged", "modelChanged", "viewChanged", "speedChanged",
                     "dataChanged", "runStarted", "snapshotsAdded", "runEnded",
                     "selectionChanged"):  # fmt: skip
            getattr(state, name).connect(lambda *a, n=name: self.seen.append((n, *a)))

    def names(self) -> list[str]:
        return [e[0] for e in self.seen]


@pytest.fixture
def state_with_run():
    state = AppState()
    state.set_data(generate_source(DatasetSpec("blobs", 300, None, 1)))
    settings = ModelSettings(3, tol=0.0, max_iter=5)
    state.set_model(settings)
    state.start_run(7, settings)
    steps = list(em_run(state.data.X, settings))
    state.add_snapshots(7, steps[:2])
    state.add_snapshots(7, steps[2:])
    state.end_run(7)
    return state


def test_settings_changes_are_validated_and_announced_once():
    state, events = AppState(), None
    events = Events(state)
    state.update_model(n_components=5)
    state.update_model(n_components=5)  # no change, no event
    assert events.names() == ["modelChanged"]
    with pytest.raises(ValueError, match="between 1 and 50"):
        state.update_model(n_components=51)
    assert state.model.n_components == 5  # nothing changed
    with pytest.raises(ValueError, match="colour mode"):
        state.set_view(colour_by="rainbow")
    with pytest.raises(ValueError):
        state.set_speed(0)


def test_new_data_drops_the_run_of_the_old_data(state_with_run):
    state = state_with_run
    events = Events(state)
    state.set_data(generate_source(DatasetSpec("moons", 100, None, 0)))
    assert state.run is None and state.shown_step is None
    assert events.names() == ["dataChanged", "selectionChanged"]


def test_snapshots_of_a_stale_run_are_refused(state_with_run):
    state = state_with_run
    n = len(state.run)
    assert not state.add_snapshots(6, [state.run.latest])
    assert len(state.run) == n


def test_selection_follows_the_latest_until_a_past_one_is_chosen(state_with_run):
    state = state_with_run
    assert state.run.status is RunStatus.MAX_ITER and len(state.run) == 6
    assert state.shown_step is state.run.latest
    state.select(2)
    assert state.selection == Selection(2, False) and state.shown_step is state.run[2]
    state.select(99)  # clamped to the last: a fixed index, still not following
    assert state.shown_index == 5
    state.follow_latest()
    assert state.selection.following and state.shown_step is state.run.latest


def test_the_settings_record_is_json_and_round_trips():
    state = AppState()
    state.set_dataset(DatasetSpec("moons", 2500, 0.1, 4))
    state.update_model(n_components=6, covariance_type="diag", seed=3)
    state.set_view(colour_by="blend", show_legend=False)
    state.set_speed(None)
    record = json.loads(json.dumps(state.to_record()))
    other = AppState()
    other.apply_record(record)
    assert other.to_record() == state.to_record()
    other.apply_record({"model": {"n_components": "many"}, "view": "nonsense", "speed": "x"})
    assert other.model.n_components == 3  # odd values fall back to defaults, never raise


def test_the_full_record_keeps_every_snapshot_and_the_selection(state_with_run):
    state = state_with_run
    state.select(3)
    record = state.to_record(with_run=True)
    restored = AppState()
    restored.set_data(state.data)
    events = Events(restored)
    restored.restore_run(record)
    assert events.names() == ["runStarted", "snapshotsAdded", "runEnded", "selectionChanged"]
    assert restored.selection == state.selection and restored.shown_index == 3
    a, b = state.run, restored.run
    assert (b.run_id, b.settings, b.status) == (a.run_id, a.settings, a.status)
    for x, y in zip(a.steps, b.steps, strict=True):
        assert (x.iteration, x.log_likelihood, x.converged) == (y.iteration, y.log_likelihood,
                                                               y.converged)  # fmt: skip
        np.testing.assert_array_equal(x.params.means, y.params.means)
        np.testing.assert_array_equal(x.params.covariances, y.params.covariances)
        np.testing.assert_array_equal(x.params.precisions_cholesky, y.params.precisions_cholesky)
    assert run_to_record(run_from_record(run_to_record(a)))["steps"][-1]["iteration"] == 5


def test_a_new_run_keeps_the_colours_of_the_previous_one(state_with_run):
    from gmmviz.app.state import matched_colour_slots
    from gmmviz.core.em import EMStep, MixtureParams

    previous = state_with_run.run
    p = previous.latest.params
    order = [2, 0, 1]  # the same components, found in another order
    shuffled = MixtureParams.from_covariances(
        p.weights[order], p.means[order], p.covariances[order], p.covariance_type
    )
    slots = matched_colour_slots(previous, EMStep(0, shuffled, 0.0, float("nan"), False))
    assert slots == (2, 0, 1)  # each component keeps the colour of the one it continues
    previous.colour_slots = slots
    again = matched_colour_slots(previous, EMStep(0, p, 0.0, float("nan"), False))
    assert again == (2, 0, 1)  # composed with the previous run's own colours
    assert matched_colour_slots(None, previous.latest) == ()


def test_more_components_take_the_unused_colours(state_with_run):
    from gmmviz.app.runs import em_run
    from gmmviz.app.state import matched_colour_slots

    first = next(iter(em_run(state_with_run.data.X, ModelSettings(5, seed=2))))
    slots = matched_colour_slots(state_with_run.run, first)
    assert sorted(slots) == [0, 1, 2, 3, 4]


def test_other_columns_start_from_the_first_two_features():
    """The axes chosen for one file (iris's petals, columns 3 and 4) are kept for data
    with the same columns, and start again from the first two for other columns."""
    state = AppState()
    iris = DataSource(np.zeros((5, 4)), None, "iris", feature_names=("a", "b", "c", "d"))
    state.set_data(iris)
    state.set_view(axes=(2, 3))
    again = DataSource(np.ones((5, 4)), None, "iris again", feature_names=("a", "b", "c", "d"))
    state.set_data(again)
    assert state.view.axes == (2, 3)
    names = tuple(f"w{i}" for i in range(13))
    state.set_data(DataSource(np.zeros((5, 13)), None, "wine", feature_names=names))
    assert state.view.axes == (0, 1)
