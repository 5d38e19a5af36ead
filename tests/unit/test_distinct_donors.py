"""Distinct donors from per-day pairs (services/stats.py): exact for every period, whatever order days come in.

Pure: the counter moves `give` plans are applied to a dict, and `donors_between` reads it back; the
answer is compared with the donors counted directly from the days given.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from microwish.repository import DonorDays, DonorTrail
from microwish.repository.keys import TOTAL_BUCKET
from microwish.services import stats

DIM = "431222250"
FIRST = date(2026, 1, 20)
DAYS = [FIRST + timedelta(days=n) for n in range(120)]  # four months and more: partial months at both ends


def apply(moves: stats._Moves, store: dict[str, dict[str, int]]) -> None:
    for (dimension, bucket), move in moves.moves.items():
        assert dimension == DIM
        item = store.setdefault(bucket, {})
        for name, amount in move.numbers.items():
            item[name] = item.get(name, 0) + amount


def given(seed: int, donors: int = 12, events: int = 90) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(f"donor-{rng.randrange(donors)}", rng.choice(DAYS).isoformat()) for _ in range(events)]


@pytest.mark.parametrize("seed", range(6))
def test_donors_of_every_period_equal_a_count_of_the_days_given(seed):
    gifts = given(seed)
    random.Random(seed + 100).shuffle(gifts)  # out of order, as a replayed or shuffled stream delivers them
    gifts += gifts[:10]  # and some twice
    store: dict[str, dict[str, int]] = {}
    days: dict[str, DonorDays] = {}
    for donor, day in gifts:
        moves = stats._Moves()
        stats.give(days.setdefault(donor, DonorDays(DIM, donor)), day, moves)
        apply(moves, store)
    assert all(value >= 0 for item in store.values() for value in item.values())  # never negative: pairs move whole

    def item(bucket: str) -> dict[str, int]:
        return store.get(bucket, {})

    rng = random.Random(seed)
    periods = [(rng.choice(DAYS), rng.choice(DAYS)) for _ in range(150)]
    periods += [(date(2026, 2, 1), date(2026, 3, 31)), (date(2026, 2, 3), date(2026, 4, 30)), (DAYS[0], DAYS[-1])]
    for start, end in periods:
        if start > end:
            start, end = end, start
        expected = len({donor for donor, day in gifts if start.isoformat() <= day <= end.isoformat()})
        assert all(bucket.startswith("N#") for bucket in stats.pair_buckets_needed(start, end, item))
        assert stats.donors_between(DIM, start, end, item) == expected, (start, end)
    assert stats.donors_between(DIM, DAYS[-1], DAYS[0], item) == 0


def test_a_day_given_before_changes_nothing():
    days, moves = DonorDays(DIM, "d"), stats._Moves()
    assert stats.give(days, "2026-02-03", moves)
    assert not stats.give(days, "2026-02-03", stats._Moves())
    assert days.months == {"2026-02": 1 << 2}


TOWNSHIP_DIMS = {"431222250"}


def test_a_donors_days_in_a_wider_dimension_are_the_union_of_the_places_under_it():
    trail = DonorTrail(
        "d",
        {
            "431222250|2026-02": 0b011,  # a township
            "431222100|2026-02": 0b100,  # another township of the same county
            "431222250@c1|2026-02": 0b001,  # the first township, in a campaign
            "431281|2026-03": 0b1,  # a wish filed at a county of its own (no township)
            "44010|2026-02": 0b1000,  # another province
        },
    )
    assert stats.days_in(trail, "431222250") == {"2026-02": 0b011}
    assert stats.days_in(trail, "431222") == {"2026-02": 0b111}
    assert stats.days_in(trail, "4312") == {"2026-02": 0b111, "2026-03": 0b1}
    assert stats.days_in(trail, "43@c1") == {"2026-02": 0b001}
    assert stats.days_in(trail, "431222100@c1") == {}
    assert stats._most_specific(["43", "4312", "431222", "431222250", "43@c1", "431222250@c1"]) == {
        "431222250",
        "431222250@c1",
    }


def test_an_event_that_moves_nothing_needs_no_marker():
    pledged = {**_fulfilled(0), "action": "pledged", "from_status": "open", "to_status": "open", "donor_id": "x"}
    pledged.pop("donor_ids")
    assert stats.units_of(pledged) == []
    store = _Store(failures=0)
    assert stats.count_batch([pledged], _Repo(store)) == 0 and store.commits == [] and store.reads == 0


def test_a_batch_too_large_for_one_transaction_is_split_and_each_item_moved_once_per_group():
    events = []
    for n in range(60):
        wish = {
            "region_code": f"4312222502{n % 3 + 1:02d}",
            "category": "goods",
            "groups": [],
            "approved_at": "2026-02-01T00:00:00.000Z",
        }
        at = f"2026-02-{n % 27 + 1:02d}T03:00:00.000Z"
        events.append(
            {
                "PK": f"WISH#w{n}",
                "SK": f"AUDIT#{at}#1",
                "at": at,
                "action": "fulfilled",
                "from_status": "delivered",
                "to_status": "fulfilled",
                "amount_fen": 100,
                "donor_ids": [f"donor-{n % 7}", f"donor-{n % 5 + 10}"],
                "wish": wish,
            }
        )
    units = [unit for event in events for unit in stats.units_of(event)]
    assert len(units) == 120 and sum("#dn1" in unit.marker for unit in units) == 60
    donor_days = {(d, donor): DonorDays(d, donor) for unit in units for d, donor, _ in unit.gave}
    trails = {donor: DonorTrail(donor) for unit in units for _, donor, _ in unit.gave}
    groups = stats._plan(units, donor_days, {}, trails)
    assert len(groups) > 1 and all(group.size() <= 100 for group in groups)
    assert sum(len(group.units) for group in groups) == 120
    months = [key for group in groups for key in group.moves.moves if key[1] == TOTAL_BUCKET]
    assert len(months) == len(set(months))  # a dimension's new month is added once
    # a donor's days carried from one group to the next are put at the version the earlier group wrote
    seen: dict[str, int | None] = {}
    for group in groups:
        for donor, trail in group.trails.items():
            if donor in seen:
                assert trail.version == (seen[donor] or 0) + 1
            seen[donor] = trail.version
    # one item per donor, its days kept on the townships only (wider dims are their union)
    last = {donor: trail for group in groups for donor, trail in group.trails.items()}
    assert len(last) == 12 and all(name.split("|")[0] in TOWNSHIP_DIMS for t in last.values() for name in t.days)


class _Store:
    """A stand-in for repo.stats: nothing counted yet; the first commit lost a race to another batch."""

    def __init__(self, failures: int) -> None:
        self.failures, self.commits, self.reads = failures, [], 0

    def counted(self, markers):
        self.reads += 1
        return {key for commit in self.commits for key in commit}

    def donor_trails(self, donors):
        return {donor: DonorTrail(donor) for donor in donors}

    def counters(self, wanted):
        return {}

    def count_together(self, markers, moves, trails):
        from microwish.repository import ConditionFailed

        if self.failures:
            self.failures -= 1
            raise ConditionFailed(None)
        self.commits.append({(wish_id, sk) for wish_id, sk, _ in markers})


class _Repo:
    def __init__(self, store: _Store) -> None:
        self.stats = store


def _fulfilled(n: int) -> dict:
    at = f"2026-02-0{n + 1}T03:00:00.000Z"
    return {
        "PK": f"WISH#w{n}",
        "SK": f"AUDIT#{at}#1",
        "at": at,
        "action": "fulfilled",
        "from_status": "delivered",
        "to_status": "fulfilled",
        "amount_fen": 100,
        "donor_ids": ["donor-1"],
        "wish": {"region_code": "431222250201", "category": "goods", "groups": []},
    }


def test_a_lost_race_reads_again_and_counts_each_event_once(monkeypatch):
    monkeypatch.setattr(stats.time, "sleep", lambda _: None)
    store = _Store(failures=2)
    assert stats.count_batch([_fulfilled(0), _fulfilled(1), _fulfilled(0)], _Repo(store)) == 2
    assert store.reads == 3 and len(store.commits) == 1 and len(store.commits[0]) == 2
    assert stats.count_batch([_fulfilled(0)], _Repo(store)) == 0  # counted before: nothing moves


def test_a_race_lost_every_time_fails_the_batch(monkeypatch):
    monkeypatch.setattr(stats.time, "sleep", lambda _: None)
    with pytest.raises(RuntimeError):
        stats.count_batch([_fulfilled(0)], _Repo(_Store(failures=100)))
