"""SnapshotRunner and TaskRunner: order of signals, modes, cancel, restart, stale runs,
errors, shutdown."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from gmmviz.core import initial_params, iter_em
from gmmviz.core.datasets import DatasetSpec, generate
from gmmviz.qt.runner import SnapshotRunner, Update
from gmmviz.qt.tasks import TaskRunner


class Recorder:
    """Collects every signal of a runner, in arrival order."""

    def __init__(self, runner: SnapshotRunner) -> None:
        self.events: list[tuple] = []
        runner.runStarted.connect(lambda rid: self.events.append(("started", rid)))
        runner.updated.connect(lambda u: self.events.append(("update", u)))
        runner.rendered.connect(lambda r: self.events.append(("rendered", r)))
        runner.runFinished.connect(lambda rid: self.events.append(("finished", rid)))
        runner.runFailed.connect(lambda rid, m: self.events.append(("failed", rid, m)))

    def updates(self, run_id: int | None = None) -> list[Update]:
        return [
            e[1]
            for e in self.events
            if e[0] == "update" and (run_id is None or e[1].run_id == run_id)
        ]

    def steps(self, run_id: int | None = None) -> list:
        return [s for u in self.updates(run_id) for s in u.steps]

    def kinds(self) -> list[str]:
        return [e[0] for e in self.events]


def render_pair(snapshot, request):
    return ("drawn", snapshot, request)


@pytest.fixture
def runner(qtbot):
    """A runner whose displays are ("drawn", snapshot, request)."""
    c = SnapshotRunner()
    c.set_renderer(render_pair)
    yield c
    c.shutdown()
    assert not c.is_running()


def counting(n: int, delay: float = 0.0, tag: str = ""):
    """A run factory: snapshots (tag, 0), (tag, 1), ... (tag, n - 1)."""

    def factory():
        for i in range(n):
            if delay:
                time.sleep(delay)
            yield (tag, i)

    return factory


def test_first_snapshot_is_sent_and_steps_follow_in_order(runner, qtbot):
    rec = Recorder(runner)
    with qtbot.waitSignal(runner.updated, timeout=5000):
        run_id = runner.start(counting(4))
    assert rec.steps() == [("", 0)]
    for i in (1, 2, 3):
        with qtbot.waitSignal(runner.updated, timeout=5000):
            runner.step()
        assert rec.steps()[-1] == ("", i)
    qtbot.waitUntil(lambda: "finished" in rec.kinds(), timeout=5000)
    kinds = rec.kinds()
    assert kinds[0] == "started"
    assert kinds[1:5] == ["update"] * 4
    assert kinds[5] == "finished"
    assert all(u.run_id == run_id for u in rec.updates())
    # every update carries the display of its newest snapshot
    assert all(u.display == ("drawn", u.steps[-1], None) for u in rec.updates())
    assert not runner.is_live


def test_play_sends_every_snapshot_one_at_a_time(runner, qtbot):
    rec = Recorder(runner)
    with qtbot.waitSignal(runner.runFinished, timeout=10000):
        runner.start(counting(30), play=True)
    assert [len(u.steps) for u in rec.updates()] == [1] * 30
    assert rec.steps() == [("", i) for i in range(30)]
    assert rec.kinds()[-1] == "finished"
    assert not runner.is_playing


def test_run_to_end_delivers_every_snapshot_in_batches(runner, qtbot):
    rec = Recorder(runner)
    with qtbot.waitSignal(runner.updated, timeout=5000):
        runner.start(counting(500))
    with qtbot.waitSignal(runner.runFinished, timeout=10000):
        runner.run_to_end()
    assert rec.steps() == [("", i) for i in range(500)]
    for u in rec.updates():
        assert u.display[1] == u.steps[-1]
    # batches, not one signal per snapshot
    assert len(rec.updates()) < 500


def test_worker_waits_for_the_ui_before_sending_the_next_update(qtbot):
    c = SnapshotRunner(auto_ack=False)
    try:
        rec = Recorder(c)
        with qtbot.waitSignal(c.updated, timeout=5000):
            run_id = c.start(counting(10), play=True)
        qtbot.wait(200)
        assert len(rec.updates()) == 1  # nothing more until the frame is acknowledged
        with qtbot.waitSignal(c.updated, timeout=5000):
            c.frame_done(run_id)
        assert rec.steps() == [("", 0), ("", 1)]
        c.frame_done(run_id + 1000)  # an acknowledgement for another run changes nothing
        qtbot.wait(100)
        assert len(rec.updates()) == 2
    finally:
        c.shutdown()


def test_step_during_play_pauses_then_steps(runner, qtbot, wait_stable):
    rec = Recorder(runner)
    with qtbot.waitSignal(runner.updated, timeout=5000):
        runner.start(counting(10_000, delay=0.002), play=True, rate=50)
    assert runner.is_playing
    runner.step()
    assert not runner.is_playing
    count = wait_stable(lambda: len(rec.steps()))  # paused after the step
    assert count < 100
    with qtbot.waitSignal(runner.updated, timeout=5000):
        runner.step()
    steps = rec.steps()
    assert steps == [("", i) for i in range(len(steps))]


def test_pause_stops_the_flow(runner, qtbot, wait_stable):
    rec = Recorder(runner)
    with qtbot.waitSignal(runner.updated, timeout=5000):
        runner.start(counting(100_000), play=True)
    qtbot.waitUntil(lambda: len(rec.steps()) > 5, timeout=5000)
    runner.pause()
    count = wait_stable(lambda: len(rec.steps()))  # an update already queued may arrive
    assert count < 100_000
    assert not runner.is_playing and runner.is_live


def test_restart_drops_everything_from_the_old_run(runner, qtbot):
    rec = Recorder(runner)
    with qtbot.waitSignal(runner.updated, timeout=5000):
        old = runner.start(counting(1_000_000, tag="old"))
    runner.run_to_end()
    qtbot.waitUntil(lambda: len(rec.steps()) > 50, timeout=5000)
    mark = len(rec.events)
    new = runner.start(counting(5, tag="new"), play=True)
    assert new != old
    qtbot.waitUntil(lambda: ("finished", new) in rec.events, timeout=5000)
    after = rec.events[mark:]
    updates = [e[1] for e in after if e[0] == "update"]
    assert updates and all(u.run_id == new for u in updates)
    assert [s for u in updates for s in u.steps] == [("new", i) for i in range(5)]
    assert ("finished", old) not in rec.events


def test_cancel_ends_the_run(runner, qtbot, wait_stable):
    rec = Recorder(runner)
    produced = []

    def factory():
        for i in range(1_000_000):
            produced.append(i)
            time.sleep(0.001)
            yield i

    with qtbot.waitSignal(runner.updated, timeout=5000):
        runner.start(factory, play=True)
    qtbot.waitUntil(lambda: len(rec.steps()) > 3, timeout=5000)
    runner.cancel()
    assert not runner.is_live and not runner.is_playing
    count = len(rec.steps())
    wait_stable(lambda: len(produced))  # the worker stopped pulling the generator
    assert len(rec.steps()) == count  # and nothing of the cancelled run was delivered
    assert len(produced) < 1_000_000
    assert "finished" not in rec.kinds()


def test_errors_are_reported_and_the_runner_keeps_working(runner, qtbot):
    rec = Recorder(runner)

    def bad_start():
        raise ValueError("Expected n_samples >= n_components")

    with qtbot.waitSignal(runner.runFailed, timeout=5000) as blocker:
        run_id = runner.start(bad_start)
    assert blocker.args == [run_id, "Expected n_samples >= n_components"]
    assert not runner.is_live

    def breaks_later():
        yield 0
        yield 1
        raise FloatingPointError("singular")

    with qtbot.waitSignal(runner.runFailed, timeout=5000) as blocker:
        runner.start(breaks_later, play=True)
    assert "FloatingPointError: singular" in blocker.args[1]
    with qtbot.waitSignal(runner.runFinished, timeout=5000):
        runner.start(counting(3), play=True)
    assert rec.steps()[-3:] == [("", 0), ("", 1), ("", 2)]


def test_render_requests_are_answered(runner, qtbot):
    rec = Recorder(runner)
    with qtbot.waitSignal(runner.updated, timeout=5000):
        runner.start(counting(5))
    runner.set_request("view-1")
    with qtbot.waitSignal(runner.rendered, timeout=5000) as blocker:
        token = runner.render(("", 0))
    rendered = blocker.args[0]
    assert (rendered.token, rendered.display) == (token, ("drawn", ("", 0), "view-1"))
    # the display of later updates follows the new request
    with qtbot.waitSignal(runner.updated, timeout=5000):
        runner.step()
    assert rec.updates()[-1].display == ("drawn", ("", 1), "view-1")


def test_tasks_run_off_the_gui_thread_and_newer_jobs_win(qtbot):
    tasks = TaskRunner()
    try:
        main = threading.get_ident()
        with qtbot.waitSignal(tasks.finished, timeout=5000) as blocker:
            token = tasks.submit("data", lambda: threading.get_ident())
        result = blocker.args[0]
        assert (result.token, result.slot, result.error) == (token, "data", None)
        assert result.value != main

        def boom():
            raise ValueError("could not parse line 3")

        with qtbot.waitSignal(tasks.finished, timeout=5000) as blocker:
            token = tasks.submit("data", boom)
        assert (blocker.args[0].token, blocker.args[0].error) == (token, "could not parse line 3")

        got = []
        tasks.finished.connect(got.append)
        gate = threading.Event()
        tasks.submit("data", lambda: gate.wait(5) and "old")
        newest = tasks.submit("data", lambda: "new")
        gate.set()
        qtbot.waitUntil(lambda: any(r.token == newest for r in got), timeout=5000)
        qtbot.wait(50)
        assert [r.value for r in got] == ["new"]  # the superseded answer was dropped
    finally:
        tasks.shutdown()


def test_a_task_does_not_wait_for_a_running_em(runner, qtbot):
    """Exports and data generation have a thread of their own."""
    with qtbot.waitSignal(runner.updated, timeout=5000):
        runner.start(counting(1_000_000, delay=0.005))
    runner.run_to_end()
    tasks = TaskRunner()
    try:
        with qtbot.waitSignal(tasks.finished, timeout=2000) as blocker:
            tasks.submit("export", lambda: "written")
        assert blocker.args[0].value == "written"
        assert runner.is_live
    finally:
        tasks.shutdown()


def test_shutdown_during_a_busy_run_joins_the_thread(qtbot):
    c = SnapshotRunner()
    with qtbot.waitSignal(c.updated, timeout=5000):
        c.start(counting(1_000_000, delay=0.01), play=True)
    assert c.is_running()
    c.shutdown()
    assert not c.is_running()
    c.shutdown()  # idempotent
    with pytest.raises(RuntimeError):
        c.start(counting(1))


def test_real_em_run_arrives_complete_and_in_order(runner, qtbot):
    X, _ = generate(DatasetSpec("blobs", 300, seed=1))

    def factory():
        return iter_em(X, initial_params(X, 3, random_state=0), tol=1e-6, max_iter=50)

    rec = Recorder(runner)
    with qtbot.waitSignal(runner.runFinished, timeout=20000):
        runner.start(factory, play=True)
    steps = rec.steps()
    assert [s.iteration for s in steps] == list(range(len(steps)))
    ll = np.array([s.log_likelihood for s in steps])
    assert np.all(np.diff(ll) >= -1e-9)
    assert steps[-1].converged or steps[-1].iteration == 50


def test_pyside_reference_leak_cannot_crash_a_long_session():
    """Many void calls and signal emissions must not bring the interpreter down (PySide6
    6.12.0 leaks a reference to None or True on each on Python < 3.12; pyproject.toml
    excludes that release there)."""
    code = (
        "import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import gmmviz.qt.runner\n"
        "from PySide6.QtCore import QObject, Signal\n"
        "class O(QObject):\n"
        "    s = Signal(object)\n"
        "o = O()\n"
        "for i in range(200_000):\n"
        "    o.setObjectName('x'); o.s.emit(i)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_the_thread_leak_fixture_fails_a_leaking_test(pytester):
    """The autouse fixture in conftest.py really fails a test that leaves a QThread running."""
    pytester.makeconftest((Path(__file__).parents[1] / "conftest.py").read_text())
    pytester.makepyfile(
        test_leaky="""
        from gmmviz.qt.runner import SnapshotRunner

        def test_leaks(qtbot):
            runner = SnapshotRunner(name="gmmviz-em-worker")
            runner.start(lambda: iter(range(3)))  # starts the worker, never shut down
            qtbot.wait(50)

        def test_clean(qtbot):
            runner = SnapshotRunner()
            runner.start(lambda: iter(range(3)))
            qtbot.wait(50)
            runner.shutdown()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*test left 1 QThread(s) running: gmmviz-em-worker*"])


def test_exiting_without_shutdown_stops_the_worker_first():
    """A script that forgets shutdown() still exits cleanly: no 'QThread: Destroyed while
    thread is still running' (which aborts the process)."""
    code = (
        "import os, time; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from gmmviz.qt.runner import SnapshotRunner\n"
        "app = QCoreApplication([])\n"
        "c = SnapshotRunner()\n"
        "def run():\n"
        "    while True:\n"
        "        time.sleep(0.01)\n"
        "        yield 1\n"
        "c.start(run, play=True)\n"
        "t = time.time()\n"
        "while time.time() - t < 0.3:\n"
        "    app.processEvents()\n"
        "print('leaving')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "leaving" in out.stdout
    assert "Destroyed while thread" not in out.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice values are Linux's")
def test_background_threads_yield_to_the_gui_thread():
    import os

    from gmmviz.qt._platform import BACKGROUND_NICE, lower_background_priority

    ready, done = threading.Event(), threading.Event()
    tid = []

    def background():
        tid.append(threading.get_native_id())
        ready.set()
        done.wait(10)

    thread = threading.Thread(target=background)
    thread.start()
    ready.wait(10)
    gui = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, gui)
    try:
        lower_background_priority(gui)
        assert os.getpriority(os.PRIO_PROCESS, tid[0]) >= BACKGROUND_NICE
        assert os.getpriority(os.PRIO_PROCESS, gui) == before  # the GUI thread keeps its
    finally:
        done.set()
        thread.join()


def test_two_runners_live_side_by_side(qtbot):
    """The animation and, say, a model-selection sweep: each its own thread and pacing."""
    first, second = SnapshotRunner(name="first"), SnapshotRunner(name="second")
    try:
        a, b = Recorder(first), Recorder(second)
        with qtbot.waitSignal(first.runFinished, timeout=10000):
            first.start(counting(50, tag="a"), play=True)
            second.start(counting(1_000_000, delay=0.001, tag="b"), play=True)
        assert a.steps() == [("a", i) for i in range(50)]
        qtbot.waitUntil(lambda: len(b.steps()) > 3, timeout=5000)
        assert second.is_live and second.is_playing  # untouched by the other's end
        assert all(s[0] == "b" for s in b.steps())
    finally:
        first.shutdown()
        second.shutdown()
