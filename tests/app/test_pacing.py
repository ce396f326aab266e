"""The runner's pacing rules as a pure function: no threads, no Qt."""

from __future__ import annotations

import pytest

from gmmviz.app.pacing import Action, Mode, PacingState, after_emit, batch_size, next_action

LIVE = PacingState(live=True)


def test_a_render_request_goes_first_even_without_a_run():
    assert next_action(PacingState(render_pending=True)) == (Action.RENDER, None)
    assert next_action(PacingState(live=True, buffered=3, render_pending=True))[0] is Action.RENDER


def test_without_a_live_run_the_worker_sleeps_until_notified():
    assert next_action(PacingState()) == (Action.WAIT, None)


def test_the_first_snapshot_is_sent_whatever_the_mode():
    for mode in Mode:
        s = PacingState(mode=mode, live=True, initial_pending=True, buffered=1)
        assert next_action(s)[0] is Action.EMIT


def test_never_more_than_one_update_in_flight():
    s = PacingState(mode=Mode.RUN, live=True, buffered=5, awaiting_ack=True)
    assert next_action(s)[0] is Action.COMPUTE  # keeps computing, sends nothing
    s = PacingState(mode=Mode.PLAY, live=True, buffered=1, awaiting_ack=True, ahead_ready=True)
    assert next_action(s) == (Action.WAIT, None)


def test_paused_computes_one_ahead_and_its_display_then_waits():
    assert next_action(PacingState(live=True))[0] is Action.COMPUTE
    s = PacingState(live=True, buffered=1, can_render=True)
    assert next_action(s)[0] is Action.PRERENDER
    assert next_action(PacingState(live=True, buffered=1, can_render=True, ahead_ready=True)) == (
        Action.WAIT,
        None,
    )


def test_step_sends_its_budget_then_pauses():
    s = PacingState(mode=Mode.STEP, budget=2, live=True, buffered=1)
    assert next_action(s)[0] is Action.EMIT
    mode, budget, _ = after_emit(Mode.STEP, 2, 0.0, 0.0, 0.0, first=False)
    assert (mode, budget) == (Mode.STEP, 1)
    mode, budget, _ = after_emit(Mode.STEP, 1, 0.0, 0.0, 0.0, first=False)
    assert (mode, budget) == (Mode.PAUSED, 0)


def test_play_waits_for_its_interval():
    early = PacingState(mode=Mode.PLAY, live=True, buffered=1, now=1.0, next_emit_at=1.25,
                        ahead_ready=True)  # fmt: skip
    action, timeout = next_action(early)
    assert action is Action.WAIT and timeout == pytest.approx(0.25)
    on_time = PacingState(mode=Mode.PLAY, live=True, buffered=1, now=1.3, next_emit_at=1.25)
    assert next_action(on_time)[0] is Action.EMIT
    # the next slot counts from the planned time, not from a late emission
    assert after_emit(Mode.PLAY, 0, 1.25, 0.5, 1.3, first=False)[2] == pytest.approx(1.75)
    assert after_emit(Mode.PLAY, 0, 1.25, 0.5, 9.0, first=False)[2] == pytest.approx(9.0)


def test_run_to_end_sends_everything_computed_as_one_batch():
    assert batch_size(Mode.RUN, first=False, buffered=7) == 7
    assert batch_size(Mode.RUN, first=True, buffered=7) == 1
    assert batch_size(Mode.PLAY, first=False, buffered=7) == 1


def test_an_exhausted_generator_finishes_once_everything_was_sent():
    assert next_action(PacingState(live=True, exhausted=True))[0] is Action.FINISH
    s = PacingState(mode=Mode.PAUSED, live=True, exhausted=True, buffered=1, ahead_ready=True)
    assert next_action(s) == (Action.WAIT, None)  # the last snapshot waits for Step
