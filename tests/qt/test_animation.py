"""A run exported as a GIF: one frame per snapshot, at the chosen size, drawn like the canvas."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("PIL.Image")

from PIL import Image

from gmmviz.core.datasets import DatasetSpec
from gmmviz.qt.animation import MAX_FRAMES, frame_indices


def test_the_gif_has_a_frame_per_snapshot_at_the_chosen_size(qtbot, window, load, tmp_path):
    load(window, DatasetSpec("blobs", 300, 1.0, 0), tol=0.0, max_iter=7)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    target = tmp_path / "em.gif"
    job = window.presenter.exports.animation(target, (400, 300), fps=4)
    with qtbot.waitSignal(job.finished, timeout=60000) as blocker:
        pass
    assert blocker.args == [str(target)]
    with Image.open(target) as gif:
        assert gif.size == (400, 300)
        assert gif.n_frames == len(window.state.run) == 8
        assert gif.info["duration"] == 250


def test_long_runs_are_sampled_evenly_keeping_the_ends():
    idx = frame_indices(1000)
    assert len(idx) == MAX_FRAMES and idx[0] == 0 and idx[-1] == 999
    assert frame_indices(5) == [0, 1, 2, 3, 4]


def test_without_a_run_it_says_so(qtbot, window):
    errors = []
    window.presenter.errorShown.connect(errors.append)
    job = window.presenter.exports.animation("/tmp/never.gif")
    assert job is not None  # the failure is reported, not raised
    qtbot.waitUntil(lambda: bool(window.errors), timeout=2000)
    assert "no run to animate" in window.errors[-1]


def test_an_mp4_where_an_encoder_is_installed_or_a_clear_message(qtbot, window, load, tmp_path):
    from gmmviz.qt.animation import encoder_missing

    load(window, DatasetSpec("blobs", 300, 1.0, 0), tol=0.0, max_iter=3)
    with qtbot.waitSignal(window.presenter.runEnded, timeout=20000):
        window.presenter.run_to_end()
    target = tmp_path / "em.mp4"
    if encoder_missing() is not None:
        with pytest.raises(ValueError, match="imageio-ffmpeg"):
            window.presenter.exports.animation(target)
        return
    job = window.presenter.exports.animation(target, (320, 240), fps=2)
    with qtbot.waitSignal(job.finished, timeout=60000) as blocker:
        pass
    assert blocker.args == [str(target)] and target.stat().st_size > 1000
    assert target.read_bytes()[4:8] == b"ftyp"  # an MP4 container
