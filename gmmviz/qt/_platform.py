"""Process tuning for a responsive window, applied once by the app's start-up.

None of this belongs in a constructor that every test runs: :func:`tune_process` is called by
:func:`gmmviz.qt.app.ensure_app` when the application starts, and
:func:`lower_background_priority` by the runners whenever compute threads may have appeared.
"""

from __future__ import annotations

import gc
import os
import sys

#: Nice value for the threads that compute (the worker and numba's pool): the GUI thread
#: keeps its normal priority, so that it gets a core whenever it has something to draw.
BACKGROUND_NICE = 2
#: Python's thread switch interval while the app runs (the default is 5 ms).
SWITCH_INTERVAL_S = 0.001

_startup_frozen = False


def lower_background_priority(gui_tid: int) -> int:
    """Give every thread of this process but the GUI thread a lower CPU priority (Linux).

    On Linux a nice value belongs to a thread, and the worker's numba kernels keep both
    cores busy; without this the GUI thread competes with them on equal terms and a repaint
    can take twice as long. Lowering one's own priority needs no privilege.

    Returns
    -------
    int
        How many threads were changed.
    """
    if sys.platform != "linux" or not hasattr(os, "setpriority"):
        return 0
    changed = 0
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return 0
    for tid in tids:
        if tid == gui_tid:
            continue
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) < BACKGROUND_NICE:
                os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
                changed += 1
        except OSError:
            continue  # the thread ended meanwhile
    return changed


def shorten_switch_interval() -> None:
    """The workers run Python between their kernels; with the default 5 ms switch interval
    every paint callback of the GUI thread could wait that long for the GIL."""
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))


_collector = None


def collect_garbage_on_gui_thread() -> None:
    """Collect reference cycles on the GUI thread only (pyqtgraph's ``GarbageCollector``:
    automatic collection off, a 1 s timer instead). A cycle holding a Qt object collected
    on a worker would destroy that object off the GUI thread, where it can deadlock with a
    GUI thread waiting for the GIL (seen: QMenu destroyed during a numba compile)."""
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=1.0)


def freeze_startup_objects() -> None:
    """Keep what start-up created (Qt wrappers, pyqtgraph items, numpy, numba: all alive as
    long as the app) out of the cyclic collector's full passes, which otherwise scan it all
    and stall the event loop for tens of milliseconds. Once per process, garbage first."""
    global _startup_frozen
    if not _startup_frozen:
        _startup_frozen = True
        gc.collect()
        gc.freeze()
