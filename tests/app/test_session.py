"""Session files: written and read back whole, validated, continued exactly."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from gmmviz.app.runs import em_run, generate_source, resumed_run
from gmmviz.app.session import SESSION_VERSION, read_session, save_session
from gmmviz.app.settings import ModelSettings
from gmmviz.app.state import AppState, RunStatus
from gmmviz.core.datasets import DatasetSpec

MOONS = DatasetSpec("moons", 400, 0.1, 3)


def _state(half_steps: bool = False, n_done: int = 15, covariance_type: str = "full"):
    state = AppState()
    source = generate_source(MOONS)
    state.set_data(source)
    state.set_model(ModelSettings(n_components=5, covariance_type=covariance_type, tol=0.0,
                                  max_iter=25))  # fmt: skip
    state.set_view(show_density=True, colour_by="blend")
    run = state.start_run(1, state.model, colour_slots=(4, 3, 2, 1, 0))
    steps = list(em_run(source.X, state.model, half_steps))
    state.add_snapshots(1, steps[:n_done])
    state.select(6)
    return state, run, steps


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("half_steps", [False, True])
def test_round_trip_keeps_everything(tmp_path, half_steps, covariance_type) -> None:
    state, run, steps = _state(half_steps, covariance_type=covariance_type)
    path = tmp_path / "s.gmmviz"
    save_session(path, state)
    session = read_session(path)
    np.testing.assert_array_equal(session.source.X, state.data.X)
    np.testing.assert_array_equal(session.source.y_true, state.data.y_true)
    assert session.source.spec == MOONS and session.source.title == state.data.title
    assert session.settings["model"] == state.model.to_dict()
    assert (
        session.settings["view"]["show_density"]
        and session.settings["view"]["colour_by"] == "blend"
    )
    assert session.selection == (6, False)
    restored = session.run
    assert restored.status is RunStatus.RUNNING and restored.colour_slots == (4, 3, 2, 1, 0)
    assert len(restored) == len(run)
    for a, b in zip(restored.steps, run.steps, strict=True):
        assert (a.iteration, a.phase, a.converged) == (b.iteration, b.phase, b.converged)
        np.testing.assert_array_equal(a.params.means, b.params.means)
        np.testing.assert_array_equal(a.params.covariances, b.params.covariances)
        np.testing.assert_array_equal(a.log_likelihood, b.log_likelihood)  # NaN == NaN here
        assert (a.resp_params is None) == (b.resp_params is None)
        if a.resp_params is not None:
            np.testing.assert_array_equal(a.resp_params.means, b.resp_params.means)
    # continued, it is the run that was never interrupted
    rest = list(resumed_run(session.source.X, restored.settings, restored.steps))
    assert len(restored) + len(rest) == len(steps)
    for a, b in zip(rest, steps[len(restored) :], strict=True):
        assert a.iteration == b.iteration
        np.testing.assert_array_equal(a.params.means, b.params.means)


def test_file_data_keep_their_column_choice(tmp_path) -> None:
    from gmmviz.app.runs import source_from_table
    from gmmviz.io import TableChoice, read_table

    csv = tmp_path / "d.csv"
    csv.write_text("a,b,c,s\n1,2,3,x\n4,,6,y\n7,8,9,x\n2,3,1,y\n")
    table = read_table(csv)
    choice = TableChoice((0, 1, 2), 3, drop_bad_rows=True)
    state = AppState()
    state.set_data(source_from_table(table, choice))
    save_session(tmp_path / "f.gmmviz", state)
    session = read_session(tmp_path / "f.gmmviz")
    assert session.source.choice == choice and session.source.path == str(csv)
    assert session.source.feature_names == ("a", "b", "c")
    assert session.source.n_samples == 3 and session.run is None


def _rewrite(path, change):
    """Apply ``change(arrays)`` to a saved session's arrays and write them back."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    change(arrays)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _meta(change):
    def apply(arrays):
        meta = json.loads(str(arrays["session"]))
        change(meta)
        arrays["session"] = np.array(json.dumps(meta))

    return apply


def _pickle_inside(path):
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("extra.npy", buffer.getvalue())


BAD = [
    ("not a zip", lambda p: p.write_bytes(b"hello"), "not a readable .npz"),
    ("empty", lambda p: p.write_bytes(b""), "empty"),
    ("no description", lambda p: _rewrite(p, lambda a: a.pop("session")), "missing 'session'"),
    ("other format", lambda p: _rewrite(p, _meta(lambda m: m.update(format="x"))),
     "does not say format"),
    ("newer version", lambda p: _rewrite(p, _meta(lambda m: m.update(version=SESSION_VERSION + 1))),
     "written by a newer gmmviz"),
    ("no data", lambda p: _rewrite(p, lambda a: a.pop("X")), "missing 'X'"),
    ("NaN data", lambda p: _rewrite(p, lambda a: a["X"].__setitem__((0, 0), np.nan)), "NaN"),
    ("1-D data", lambda p: _rewrite(p, lambda a: a.update(X=a["X"][:, 0])), "2-D float"),
    ("labels too short", lambda p: _rewrite(p, lambda a: a.update(y=a["y"][:3])),
     "labels must be 400 integers"),
    ("means of another shape", lambda p: _rewrite(p, lambda a: a.update(means=a["means"][:, :2])),
     "do not match the arrays"),
    ("bad model settings", lambda p: _rewrite(p, _meta(
        lambda m: m["settings"]["model"].update(n_components=-3))), "n_components"),
    ("shown snapshot out of range", lambda p: _rewrite(p, _meta(
        lambda m: m["selection"].update(index=99))), "shown snapshot 99"),
    ("unknown phase", lambda p: _rewrite(p, _meta(
        lambda m: m["run"]["steps"][1].update(phase="Z"))), "unknown phase"),
    ("pickled array", _pickle_inside, "npz"),
]  # fmt: skip


@pytest.mark.parametrize(("corrupt", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_session_files_are_refused_with_a_reason(tmp_path, corrupt, message) -> None:
    state, _, _ = _state()
    path = tmp_path / "bad.gmmviz"
    save_session(path, state)
    corrupt(path)
    with pytest.raises(ValueError, match=message) as info:
        read_session(path)
    assert str(info.value).startswith(str(path))


def test_saving_needs_data_and_the_suffix(tmp_path) -> None:
    with pytest.raises(ValueError, match="nothing to save"):
        save_session(tmp_path / "a.gmmviz", AppState())
    state, _, _ = _state()
    with pytest.raises(ValueError, match=r"ends in \.gmmviz"):
        save_session(tmp_path / "a.npz", state)
