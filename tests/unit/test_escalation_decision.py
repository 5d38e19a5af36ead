"""The escalation decision as a pure function: a wish, now and the settings → the move, or None."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from microwish import clock
from microwish.lifecycle import Action, Status
from microwish.models import Wish
from microwish.regions import LEVELS, level_above
from microwish.services.escalation import MIN_WINDOW, decide, escalation_move, moved
from microwish.settings import Settings

NOW = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
SETTINGS = Settings(
    top_level="city", review_window_days=7, escalation_windows="village=7,township=7,county=14,city=14,province=14"
)


def wish(level="village", status=Status.OPEN, due=NOW - timedelta(minutes=1), **changes) -> Wish:
    return Wish(
        id="a" * 32,
        title="一台电视机",
        description="",
        category="goods",
        groups=[],
        region_code="431222250201",
        level=level,
        status=status,
        beneficiary_alias="谢女士",
        submitted_by="resident-1",
        created_at="2025-05-01T00:00:00.000Z",
        updated_at="2025-05-01T00:00:00.000Z",
        due_at=clock.iso(due) if due else None,
        **changes,
    )


def test_a_due_open_wish_climbs_one_level_with_the_new_levels_window():
    move = decide(wish(), NOW, SETTINGS)
    assert move.action is Action.ESCALATED and (move.from_level, move.to_level) == ("village", "township")
    assert move.due_at == clock.iso(NOW + timedelta(days=7))
    assert decide(wish("township"), NOW, SETTINGS).due_at == clock.iso(NOW + timedelta(days=14))  # county's


def test_a_submitted_wish_gets_the_review_window_upstairs():
    settings = SETTINGS.model_copy(update={"review_window_days": 3})
    move = decide(wish("county", Status.SUBMITTED), NOW, settings)
    assert move.to_level == "city" and move.due_at == clock.iso(NOW + timedelta(days=3))


def test_at_the_top_a_due_wish_is_flagged_and_leaves_the_due_index():
    move = decide(wish("city"), NOW, SETTINGS)
    assert move.action is Action.AT_RISK and move.to_level == "city" and move.due_at is None
    after = moved(wish("city"), move, NOW)
    assert after.at_risk and after.due_at is None and after.level == "city" and after.version == 2
    assert decide(after, NOW + timedelta(days=365), SETTINGS) is None  # flagged once


def test_a_province_deployment_climbs_to_the_province():
    settings = SETTINGS.model_copy(update={"top_level": "province"})
    assert decide(wish("city"), NOW, settings).to_level == "province"
    assert decide(wish("province"), NOW, settings).action is Action.AT_RISK


def test_nothing_moves_before_it_is_due_or_outside_the_waiting_statuses():
    assert decide(wish(due=NOW + timedelta(seconds=1)), NOW, SETTINGS) is None
    assert decide(wish(due=NOW), NOW, SETTINGS) is not None  # due exactly now is due
    assert decide(wish(due=None), NOW, SETTINGS) is None
    for status in set(Status) - {Status.OPEN, Status.SUBMITTED}:
        assert decide(wish(status=status), NOW, SETTINGS) is None, status


def test_escalation_by_hand_has_no_due_check_but_stops_at_the_top():
    assert escalation_move(wish(due=NOW + timedelta(days=5)), NOW, SETTINGS, "交上级").note == "交上级"
    assert escalation_move(wish("city"), NOW, SETTINGS) is None
    # A wish left above the top by a configuration change (province → city) is at the top too.
    assert escalation_move(wish("province"), NOW, SETTINGS) is None


def test_a_zero_window_still_puts_the_next_due_time_after_now():
    settings = SETTINGS.model_copy(update={"escalation_windows": {"township": 0}})
    assert decide(wish(), NOW, settings).due_at == clock.iso(NOW + MIN_WINDOW)


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))
offsets = st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=400))
days = st.floats(min_value=0, max_value=90, allow_nan=False)


@st.composite
def settings_(draw) -> Settings:
    return Settings(
        top_level=draw(st.sampled_from(["city", "province"])),
        review_window_days=draw(days),
        escalation_windows={level: draw(days) for level in LEVELS},
    )


@given(
    level=st.sampled_from(LEVELS),
    status=st.sampled_from(list(Status)),
    now=moments,
    offset=offsets,
    settings=settings_(),
    at_risk=st.booleans(),
)
def test_properties_of_every_decision(level, status, now, offset, settings, at_risk):
    subject = wish(level, status, due=now + offset, at_risk=at_risk)
    move = decide(subject, now, settings)
    due = offset <= timedelta(0) or clock.iso(now + offset) <= clock.iso(now)
    if status not in (Status.OPEN, Status.SUBMITTED) or not due:
        assert move is None
        return
    assert move is not None and move.from_level == level
    top = LEVELS.index(settings.top_level)
    if move.action is Action.ESCALATED:
        assert move.to_level == level_above(level)  # never skips a level
        assert LEVELS.index(move.to_level) <= top  # never above the top
        assert move.due_at is not None and move.due_at > clock.iso(now)  # due again only after now
    else:
        assert move.action is Action.AT_RISK and move.to_level == level and move.due_at is None
        assert LEVELS.index(level) >= top  # flagged only at the top
    after = moved(subject, move, now)
    assert after.status is subject.status and after.region_code == subject.region_code
    assert after.version == subject.version + 1
    assert decide(after, now, settings) is None  # never two moves at the same moment


@given(now=moments, settings=settings_(), steps=st.integers(min_value=1, max_value=12))
def test_a_wish_left_alone_reaches_the_top_one_level_at_a_time(now, settings, steps):
    subject = wish(due=now)
    levels = [subject.level]
    for _ in range(steps):
        move = decide(subject, now, settings)
        if move is None:
            break
        subject = moved(subject, move, now)
        levels.append(subject.level)
        now = now + timedelta(days=400)  # past any window
    top = LEVELS.index(settings.top_level)
    for lower, upper in itertools.pairwise(levels):
        assert LEVELS.index(upper) - LEVELS.index(lower) in (0, 1)
    assert max(LEVELS.index(level) for level in levels) <= top
    if steps > top:
        assert subject.level == settings.top_level and subject.at_risk
