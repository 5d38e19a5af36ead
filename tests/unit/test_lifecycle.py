"""The state machine: every move listed, nothing else allowed, every status reachable and leavable."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microwish.errors import Conflict
from microwish.lifecycle import (
    ESCALATABLE,
    INITIAL_STATUS,
    TERMINAL,
    TRANSITIONS,
    Action,
    Status,
    allowed,
    next_status,
    reachable,
)


def test_every_status_is_reachable_from_submission():
    assert reachable(INITIAL_STATUS) == set(Status)


def test_terminal_statuses_have_no_way_out():
    for moves in TRANSITIONS.values():
        # An action may record something about a finished wish (erasure) but never move it.
        assert all(moves[status] is status for status in TERMINAL & set(moves)), "a terminal status must not be left"


def test_erasure_is_allowed_in_every_status_and_moves_none():
    for status in Status:
        assert next_status(status, Action.ERASED) is status


def test_every_non_terminal_status_can_end():
    for status in set(Status) - TERMINAL:
        assert reachable(status) & TERMINAL, f"{status} can never finish"


def test_the_product_lifecycle():
    path = [
        (Action.APPROVED, Status.OPEN),
        (Action.CLAIMED, Status.CLAIMED),
        (Action.DELIVERED, Status.DELIVERED),
        (Action.FULFILLED, Status.FULFILLED),
    ]
    status = Status.SUBMITTED
    for action, expected in path:
        status = next_status(status, action)
        assert status is expected


def test_dispatch_and_decline_return_to_the_list():
    assert next_status(Status.OPEN, Action.ASSIGNED) is Status.ASSIGNED
    assert next_status(Status.ASSIGNED, Action.ACCEPTED) is Status.CLAIMED
    assert next_status(Status.ASSIGNED, Action.DECLINED) is Status.OPEN
    assert next_status(Status.CLAIMED, Action.LAPSED) is Status.OPEN


def test_a_fulfilled_wish_cannot_be_claimed_again():
    with pytest.raises(Conflict) as raised:
        next_status(Status.FULFILLED, Action.CLAIMED)
    assert raised.value.extensions["state"] == "fulfilled"


def test_escalation_never_changes_a_claimed_wish():
    assert not allowed(Status.CLAIMED, Action.ESCALATED)
    assert ESCALATABLE == {Status.SUBMITTED, Status.OPEN}  # noqa: SIM300 - the constant under test


@given(st.lists(st.sampled_from(list(Action)), max_size=30))
def test_any_sequence_of_actions_stays_inside_the_machine(actions):
    status = INITIAL_STATUS
    for action in actions:
        if allowed(status, action):
            status = next_status(status, action)
            assert status in Status
        else:
            with pytest.raises(Conflict):
                next_status(status, action)
    # Whatever happened, the wish can still end (or has ended).
    assert status in TERMINAL or reachable(status) & TERMINAL
