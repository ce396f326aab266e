"""When a snapshot runner computes, sends or waits: the pacing rules as pure functions.

The runner's worker thread (``gmmviz.qt.runner``) holds a generator of snapshots, a buffer of
computed snapshots not yet sent, and the UI's acknowledgement of the last update. At every
turn it asks :func:`next_action` what to do, so the rules are tested here without threads:

* the first snapshot of a run is always sent (the UI shows the initialisation);
* never more than one update is in flight: after sending, wait for ``frame_done``;
* STEP sends ``budget`` snapshots, then pauses; PLAY sends one at a time, at most
  ``1 / interval`` per second; RUN computes as fast as it can and sends whatever was
  computed while the UI was busy as one batch (every snapshot reaches the history, nothing
  floods the event queue);
* the worker computes one snapshot ahead, and its display, so Step is instant and EM and
  drawing overlap while playing;
* a render request (a past iteration, a new view) goes before computing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Mode(enum.Enum):
    """What the worker does with the current run."""

    PAUSED = "paused"  # compute one snapshot ahead, send nothing
    STEP = "step"  # send the next ``budget`` snapshots, then pause
    PLAY = "play"  # send one snapshot at a time, at most one per ``interval``
    RUN = "run"  # compute as fast as possible, send batches


class Action(enum.Enum):
    """The worker's next move."""

    WAIT = "wait"  # sleep until something changes (or the timeout)
    RENDER = "render"  # answer the pending render request
    COMPUTE = "compute"  # pull the next snapshot from the generator
    PRERENDER = "prerender"  # compute the display of the next snapshot to send
    EMIT = "emit"  # send buffered snapshots
    FINISH = "finish"  # the generator is exhausted and everything was sent


@dataclass(frozen=True)
class PacingState:
    """What the worker knows when it decides.

    Attributes
    ----------
    mode : Mode
    budget : int
        Snapshots still to send in STEP mode.
    now, next_emit_at : float
        Monotonic clock, and when PLAY may send next.
    awaiting_ack : bool
        An update was sent and the UI has not acknowledged it.
    live : bool
        There is a run, its generator has started, and it was not cancelled.
    initial_pending : bool
        The run's first snapshot has not been sent yet.
    buffered : int
        Computed snapshots not yet sent.
    exhausted : bool
        The generator has ended.
    render_pending : bool
        A render request waits.
    ahead_ready : bool
        The display of the first buffered snapshot is computed for the current request.
    can_render : bool
        The runner has a renderer.
    """

    mode: Mode = Mode.PAUSED
    budget: int = 0
    now: float = 0.0
    next_emit_at: float = 0.0
    awaiting_ack: bool = False
    live: bool = False
    initial_pending: bool = False
    buffered: int = 0
    exhausted: bool = False
    render_pending: bool = False
    ahead_ready: bool = False
    can_render: bool = False


def next_action(s: PacingState) -> tuple[Action, float | None]:
    """The worker's next move and, for WAIT, how long at most (``None``: until notified)."""
    if s.render_pending:
        return Action.RENDER, None
    if not s.live:
        return Action.WAIT, None
    if s.buffered and not s.awaiting_ack:
        if s.initial_pending or s.mode is Mode.RUN:
            return Action.EMIT, None
        if s.mode is Mode.STEP and s.budget > 0:
            return Action.EMIT, None
        if s.mode is Mode.PLAY and s.now >= s.next_emit_at:
            return Action.EMIT, None
    if s.exhausted and not s.buffered:
        return Action.FINISH, None
    if not s.exhausted and (not s.buffered or s.mode is Mode.RUN):
        return Action.COMPUTE, None
    if s.buffered and not s.ahead_ready and s.can_render:
        return Action.PRERENDER, None
    if s.mode is Mode.PLAY and s.buffered and not s.awaiting_ack:
        return Action.WAIT, max(0.0, s.next_emit_at - s.now)
    return Action.WAIT, None


def batch_size(mode: Mode, first: bool, buffered: int) -> int:
    """How many buffered snapshots one update carries: all of them when running to the end
    (the UI was busy meanwhile), otherwise one, and always one for a run's first snapshot."""
    return buffered if mode is Mode.RUN and not first else min(buffered, 1)


def after_emit(
    mode: Mode, budget: int, next_emit_at: float, interval: float, now: float, first: bool
) -> tuple[Mode, int, float]:
    """Mode, budget and next PLAY time once an update has been sent."""
    if first:
        return mode, budget, next_emit_at  # the initial snapshot is sent whatever the mode
    if mode is Mode.STEP:
        budget -= 1
        if budget <= 0:
            return Mode.PAUSED, 0, next_emit_at
        return mode, budget, next_emit_at
    if mode is Mode.PLAY:
        return mode, budget, max(now, next_emit_at + interval)
    return mode, budget, next_emit_at
