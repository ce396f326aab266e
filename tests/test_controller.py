"""EMController: order of signals, modes, cancel, restart, stale runs, errors, shutdown."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from gmmviz.controller import EMController, Update
from gmmviz.core import initial_params, iter_em
from gmmviz.core.datasets import DatasetSpec, generate


class Recorder:
    """Collects every signal of a controller, in arrival order."""

    def __init__(self, controller: EMController) -> None:
        self.events: list[tuple] = []
        controller.runStarted.connect(lambda rid: self.events.append(("started", rid)))
        controller.updated.connect(lambda u: self.events.append(("update", u)))
        controller.rendered.connect(lambda r: self.events.append(("rendered", r)))
        controller.runFinished.connect(lambda rid: self.events.append(("finished", rid)))
        controller.runFailed.connect(lambda rid, m: self.events.append(("failed", rid, m)))
        controller.taskFinished.connect(lambda t, r: self.events.append(("task", t, r)))
        controller.taskFailed.connect(lambda t, m: self.events.append(("taskfail", t, m)))

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


@pytest.fixture
def controller(qtbot):
    c = EMController()
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


def render_pair(snapshot, request):
    return ("drawn", snapshot, request)


def test_first_snapshot_is_sent_and_steps_follow_in_order(controller, qtbot):
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.updated, timeout=5000):
        run_id = controller.start(counting(4), render_pair)
    assert rec.steps() == [("", 0)]
    for i in (1, 2, 3):
        with qtbot.waitSignal(controller.updated, timeout=5000):
            controller.step()
        assert rec.steps()[-1] == ("", i)
    qtbot.waitUntil(lambda: "finished" in rec.kinds(), timeout=5000)
    kinds = rec.kinds()
    assert kinds[0] == "started"
    assert kinds[1:5] == ["update"] * 4
    assert kinds[5] == "finished"
    assert all(u.run_id == run_id for u in rec.updates())
    # every update carries the display of its newest snapshot
    assert all(u.display == ("drawn", u.steps[-1], None) for u in rec.updates())
    assert not controller.is_live


def test_play_sends_every_snapshot_one_at_a_time(controller, qtbot):
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.runFinished, timeout=10000):
        controller.start(counting(30), render_pair, play=True)
    assert [len(u.steps) for u in rec.updates()] == [1] * 30
    assert rec.steps() == [("", i) for i in range(30)]
    assert rec.kinds()[-1] == "finished"
    assert not controller.is_playing


def test_run_to_end_delivers_every_snapshot_in_batches(controller, qtbot):
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.updated, timeout=5000):
        controller.start(counting(500), render_pair)
    with qtbot.waitSignal(controller.runFinished, timeout=10000):
        controller.run_to_end()
    assert rec.steps() == [("", i) for i in range(500)]
    for u in rec.updates():
        assert u.display[1] == u.steps[-1]
    # batches, not one signal per snapshot
    assert len(rec.updates()) < 500


def test_worker_waits_for_the_ui_before_sending_the_next_update(qtbot):
    c = EMController(auto_ack=False)
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


def test_step_during_play_pauses_then_steps(controller, qtbot, wait_stable):
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.updated, timeout=5000):
        controller.start(counting(10_000, delay=0.002), play=True, rate=50)
    assert controller.is_playing
    controller.step()
    assert not controller.is_playing
    count = wait_stable(lambda: len(rec.steps()))  # paused after the step
    assert count < 100
    with qtbot.waitSignal(controller.updated, timeout=5000):
        controller.step()
    steps = rec.steps()
    assert steps == [("", i) for i in range(len(steps))]


def test_pause_stops_the_flow(controller, qtbot, wait_stable):
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.updated, timeout=5000):
        controller.start(counting(100_000), play=True)
    qtbot.waitUntil(lambda: len(rec.steps()) > 5, timeout=5000)
    controller.pause()
    count = wait_stable(lambda: len(rec.steps()))  # an update already queued may arrive
    assert count < 100_000
    assert not controller.is_playing and controller.is_live


def test_restart_drops_everything_from_the_old_run(controller, qtbot):
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.updated, timeout=5000):
        old = controller.start(counting(1_000_000, tag="old"), render_pair)
    controller.run_to_end()
    qtbot.waitUntil(lambda: len(rec.steps()) > 50, timeout=5000)
    mark = len(rec.events)
    new = controller.start(counting(5, tag="new"), render_pair, play=True)
    assert new != old
    qtbot.waitUntil(lambda: ("finished", new) in rec.events, timeout=5000)
    after = rec.events[mark:]
    updates = [e[1] for e in after if e[0] == "update"]
    assert updates and all(u.run_id == new for u in updates)
    assert [s for u in updates for s in u.steps] == [("new", i) for i in range(5)]
    assert ("finished", old) not in rec.events


def test_cancel_ends_the_run(controller, qtbot, wait_stable):
    rec = Recorder(controller)
    produced = []

    def factory():
        for i in range(1_000_000):
            produced.append(i)
            time.sleep(0.001)
            yield i

    with qtbot.waitSignal(controller.updated, timeout=5000):
        controller.start(factory, play=True)
    qtbot.waitUntil(lambda: len(rec.steps()) > 3, timeout=5000)
    controller.cancel()
    assert not controller.is_live and not controller.is_playing
    count = len(rec.steps())
    wait_stable(lambda: len(produced))  # the worker stopped pulling the generator
    assert len(rec.steps()) == count  # and nothing of the cancelled run was delivered
    assert len(produced) < 1_000_000
    assert "finished" not in rec.kinds()


def test_errors_are_reported_and_the_controller_keeps_working(controller, qtbot):
    rec = Recorder(controller)

    def bad_start():
        raise ValueError("Expected n_samples >= n_components")

    with qtbot.waitSignal(controller.runFailed, timeout=5000) as blocker:
        run_id = controller.start(bad_start)
    assert blocker.args == [run_id, "Expected n_samples >= n_components"]
    assert not controller.is_live

    def breaks_later():
        yield 0
        yield 1
        raise FloatingPointError("singular")

    with qtbot.waitSignal(controller.runFailed, timeout=5000) as blocker:
        controller.start(breaks_later, play=True)
    assert "FloatingPointError: singular" in blocker.args[1]
    with qtbot.waitSignal(controller.runFinished, timeout=5000):
        controller.start(counting(3), play=True)
    assert rec.steps()[-3:] == [("", 0), ("", 1), ("", 2)]


def test_render_requests_are_answered_for_the_current_run(controller, qtbot):
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.updated, timeout=5000):
        controller.start(counting(5), render_pair)
    controller.set_request("view-1")
    with qtbot.waitSignal(controller.rendered, timeout=5000) as blocker:
        token = controller.render(("", 0))
    rendered = blocker.args[0]
    assert (rendered.token, rendered.display) == (token, ("drawn", ("", 0), "view-1"))
    # the display of later updates follows the new request
    with qtbot.waitSignal(controller.updated, timeout=5000):
        controller.step()
    assert rec.updates()[-1].display == ("drawn", ("", 1), "view-1")


def test_tasks_run_on_the_worker(controller, qtbot):
    main = threading.get_ident()
    with qtbot.waitSignal(controller.taskFinished, timeout=5000) as blocker:
        token = controller.submit(lambda: threading.get_ident())
    assert blocker.args[0] == token
    assert blocker.args[1] != main

    def boom():
        raise ValueError("could not parse line 3")

    with qtbot.waitSignal(controller.taskFailed, timeout=5000) as blocker:
        token = controller.submit(boom)
    assert blocker.args == [token, "could not parse line 3"]


def test_shutdown_during_a_busy_run_joins_the_thread(qtbot):
    c = EMController()
    with qtbot.waitSignal(c.updated, timeout=5000):
        c.start(counting(1_000_000, delay=0.01), play=True)
    assert c.is_running()
    c.shutdown()
    assert not c.is_running()
    c.shutdown()  # idempotent
    with pytest.raises(RuntimeError):
        c.start(counting(1))


def test_real_em_run_arrives_complete_and_in_order(controller, qtbot):
    X, _ = generate(DatasetSpec("blobs", 300, seed=1))

    def factory():
        return iter_em(X, initial_params(X, 3, random_state=0), tol=1e-6, max_iter=50)

    rec = Recorder(controller)
    with qtbot.waitSignal(controller.runFinished, timeout=20000):
        controller.start(factory, play=True)
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
        "import gmmviz.controller\n"
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
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makepyfile(
        test_leaky="""
        from gmmviz.controller import EMController

        def test_leaks(qtbot):
            controller = EMController()
            controller.submit(lambda: None)  # starts the worker, never shut down
            qtbot.wait(50)

        def test_clean(qtbot):
            controller = EMController()
            controller.submit(lambda: None)
            qtbot.wait(50)
            controller.shutdown()
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
        "from gmmviz.controller import EMController\n"
        "app = QCoreApplication([])\n"
        "c = EMController()\n"
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

    from gmmviz.controller import BACKGROUND_NICE, lower_background_priority

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
