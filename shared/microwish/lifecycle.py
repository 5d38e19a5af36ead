"""The wish's life as one explicit state machine: every status and every allowed move.

Each action of the audit vocabulary (API.md, "Events") names the moves it may make. Services ask
`next_status` before they write, and write with a condition on the status they read, so the table
never holds a move that is not listed here.
"""

from __future__ import annotations

from enum import StrEnum

from .errors import Conflict


class Status(StrEnum):
    SUBMITTED = "submitted"
    OPEN = "open"
    ASSIGNED = "assigned"
    CLAIMED = "claimed"
    DELIVERED = "delivered"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Action(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLAIMED = "claimed"
    PLEDGED = "pledged"
    WITHDRAWN = "withdrawn"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DELIVERED = "delivered"
    FULFILLED = "fulfilled"
    DELIVERY_REJECTED = "delivery_rejected"
    ESCALATED = "escalated"
    AT_RISK = "at_risk"
    REMINDER = "reminder"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"
    # The beneficiary's personal data was erased (on request, or when the retention period ran out).
    ERASED = "erased"


S = Status
# action → {from status: to status}. An action absent for a status is not allowed in it.
TRANSITIONS: dict[Action, dict[Status, Status]] = {
    Action.SUBMITTED: {},  # creation: the only way into SUBMITTED (see INITIAL_STATUS)
    Action.APPROVED: {S.SUBMITTED: S.OPEN},
    Action.REJECTED: {S.SUBMITTED: S.REJECTED},
    # A sole claim, or the pledge that reaches a pooled wish's target.
    Action.CLAIMED: {S.OPEN: S.CLAIMED},
    # A pledge below the target leaves the wish open.
    Action.PLEDGED: {S.OPEN: S.OPEN},
    # Withdrawing a sole claim reopens the wish; withdrawing a pledge leaves it open.
    Action.WITHDRAWN: {S.CLAIMED: S.OPEN, S.OPEN: S.OPEN},
    Action.ASSIGNED: {S.OPEN: S.ASSIGNED},
    Action.ACCEPTED: {S.ASSIGNED: S.CLAIMED},
    Action.DECLINED: {S.ASSIGNED: S.OPEN},
    Action.DELIVERED: {S.CLAIMED: S.DELIVERED},
    Action.FULFILLED: {S.DELIVERED: S.FULFILLED},
    Action.DELIVERY_REJECTED: {S.DELIVERED: S.CLAIMED},
    # Escalation moves the level, not the status. An assigned wish waits on its unit's answer
    # instead: its accept deadline lapses it back to open, and then its level clock goes on.
    Action.ESCALATED: {S.SUBMITTED: S.SUBMITTED, S.OPEN: S.OPEN},
    Action.AT_RISK: {S.SUBMITTED: S.SUBMITTED, S.OPEN: S.OPEN},
    Action.REMINDER: {S.CLAIMED: S.CLAIMED, S.ASSIGNED: S.ASSIGNED},
    # A claim whose delivery deadline passed, or an assignment not accepted in time, gives the
    # wish back to the list.
    Action.LAPSED: {S.CLAIMED: S.OPEN, S.ASSIGNED: S.OPEN},
    Action.CANCELLED: {S.SUBMITTED: S.CANCELLED, S.OPEN: S.CANCELLED, S.ASSIGNED: S.CANCELLED, S.CLAIMED: S.CANCELLED},
    # Not a move: erasure leaves the status as it is, in any status (a finished wish most of all).
    Action.ERASED: {status: status for status in Status},
}

INITIAL_STATUS = Status.SUBMITTED
TERMINAL = frozenset({Status.FULFILLED, Status.REJECTED, Status.CANCELLED})
# Statuses in which a wish waits on its federation level and so can fall due for escalation.
ESCALATABLE = frozenset({Status.SUBMITTED, Status.OPEN})
# What anyone may list; the rest only officers of the region (and the submitter) see.
PUBLIC_STATUSES = frozenset({Status.OPEN, Status.ASSIGNED, Status.CLAIMED, Status.DELIVERED, Status.FULFILLED})


def allowed(status: Status, action: Action) -> bool:
    return status in TRANSITIONS[action]


def next_status(status: Status, action: Action) -> Status:
    """The status after `action`, or a 409 that says the wish's state."""
    try:
        return TRANSITIONS[action][status]
    except KeyError:
        raise Conflict(f"the wish is {status.value}: it cannot be {action.value} now", state=status.value) from None


def reachable(start: Status = INITIAL_STATUS) -> set[Status]:
    seen, frontier = {start}, [start]
    while frontier:
        current = frontier.pop()
        for moves in TRANSITIONS.values():
            target = moves.get(current)
            if target is not None and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen
