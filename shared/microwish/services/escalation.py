"""Escalation ("分级圆梦一张网"): a wish nobody took up climbs village → township → county → city.

Three parts:
- `decide(wish, now, settings)`: the pure decision — the move a due wish makes now, or None.
- `Sweep`: the scheduled sweep. It reads what is due from the sparse ByDue index (DuePK =
  "escalation", DueSK = "<due_at>#<id>", only submitted/open wishes carry it), so its cost follows
  the number of due wishes, never the number of open ones. The index is KEYS_ONLY: the sweep reads
  each due wish with BatchGetItem. An ALL/INCLUDE projection would save ~0.4 RCU per due wish on a
  run, but every write of a waiting wish (a pledge, a review) would then rewrite its ~800 B copy in
  the index too, and the index would hold a copy of every waiting wish: the sweep is the rare
  reader, the writes are many (figures: `python -m infra.bench.escalation`).
- `escalate_by_hand`: an officer hands a wish up (POST /wishes/{id}/escalation).

Every move is one transaction: the wish, guarded by the version the mover read (and so by its level
and due time), and its audit event. Whoever loses that condition — an overlapping sweep, a
redelivered invocation, a claim or an officer's hand at the same moment — changes nothing: the
sweep skips and counts it, the officer gets a 409 that says the wish's state. The wish's village
never changes, so the levels below still see it; its `level` (and so `handling_region_code`) does.
At the top level an overdue wish is flagged `at_risk`, leaves the due index and stays on the list:
nothing is ever dropped or closed by the schedule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .. import clock, once, regions
from ..auth import Caller
from ..errors import Conflict
from ..lifecycle import ESCALATABLE, Action, Status, next_status
from ..models import AuditEvent, Wish, WishPrivateView
from ..repository import DUE_ESCALATION, ConditionFailed, WishRepository
from ..settings import Settings
from .views import changed_meanwhile, private_view
from .wishes import load_bundle_for_officer

LEVEL_NAMES = {"village": "村", "township": "乡镇", "county": "县", "city": "市", "province": "省"}
# A window of 0 days (a misconfigured parameter) must still put the next due time after now,
# or a wish could come due again within the same sweep.
MIN_WINDOW = timedelta(hours=1)
SYSTEM = Caller(sub="system", role=None)
PAGE_SIZE = 100  # BatchGetItem takes at most 100 keys


# ---------------------------------------------------------------- the decision
@dataclass(frozen=True)
class Move:
    """What a wish does now: climb one level (`escalated`) or, at the top, get flagged (`at_risk`)."""

    action: Action
    from_level: regions.Level
    to_level: regions.Level
    due_at: str | None  # the new due time; None when it leaves the due index (at risk)
    note: str

    @property
    def flags(self) -> bool:
        return self.action is Action.AT_RISK


def is_top(level: str, settings: Settings) -> bool:
    """At (or, after a configuration change, above) the deployment's top level."""
    return regions.LEVELS.index(level) >= regions.LEVELS.index(settings.top_level)


def window(settings: Settings, status: Status, level: str) -> timedelta:
    """How long a wish of `status` waits at `level` before it is due again."""
    days = settings.review_window_days if status is Status.SUBMITTED else settings.window_days(level)
    return max(timedelta(days=days), MIN_WINDOW)


def _waiting_for(status: Status) -> str:
    return "审核" if status is Status.SUBMITTED else "认领"


def escalation_move(wish: Wish, now: datetime, settings: Settings, note: str | None = None) -> Move | None:
    """One level up from where the wish is, or None at the top. No due check: a hand may move early."""
    if is_top(wish.level, settings):
        return None
    upper = regions.level_above(wish.level)
    assert upper is not None  # below the top there is always a level above
    return Move(
        action=Action.ESCALATED,
        from_level=wish.level,
        to_level=upper,
        due_at=clock.iso(now + window(settings, wish.status, upper)),
        note=note
        or (
            f"{LEVEL_NAMES[wish.level]}级逾期未{_waiting_for(wish.status)}，"
            f"自动上交{LEVEL_NAMES[upper]}级妇联组织协调落实"
        ),
    )


def decide(wish: Wish, now: datetime, settings: Settings) -> Move | None:
    """The move a wish makes when the sweep finds it at `now`; None if it must be left alone.

    Only a wish waiting on its level (submitted or open) and due by `now` moves: one level up, or,
    at the top, flagged at risk (and off the due index, so it is flagged once).
    """
    if wish.status not in ESCALATABLE or wish.due_at is None or wish.due_at > clock.iso(now):
        return None
    move = escalation_move(wish, now, settings)
    if move is not None:
        return move
    return Move(
        action=Action.AT_RISK,
        from_level=wish.level,
        to_level=wish.level,
        due_at=None,
        note=f"已在最高层级（{LEVEL_NAMES[wish.level]}级）逾期未{_waiting_for(wish.status)}，"
        "标记为重点关注，请管理员协调",
    )


def moved(wish: Wish, move: Move, now: datetime) -> Wish:
    """The wish after the move (same status, village and claims; new level, due time, version)."""
    changes: dict[str, Any] = {
        "level": move.to_level,
        "due_at": move.due_at,
        "updated_at": clock.iso(now),
        "version": wish.version + 1,
    }
    if move.flags:
        changes["at_risk"] = True
    return wish.model_copy(update=changes)


def event(wish: Wish, move: Move, now: datetime, actor: Caller = SYSTEM) -> AuditEvent:
    return AuditEvent(
        at=clock.iso(now),
        actor=actor.sub or "system",
        actor_role=actor.role or "system",
        action=move.action,
        from_status=wish.status,
        to_status=wish.status,
        from_level=move.from_level,
        to_level=move.to_level,
        note=move.note,
    )


def write_move(repo: WishRepository, wish: Wish, move: Move, now: datetime, actor: Caller = SYSTEM) -> Wish:
    """One transaction: the moved wish if it is still the version read, and its audit event.

    Raises ConditionFailed when someone else changed the wish since it was read.
    """
    after = moved(wish, move, now)
    repo.replace_wish(wish, after, event(wish, move, now, actor))
    return after


# ---------------------------------------------------------------- the sweep
@dataclass
class SweepSummary:
    now: str
    moved: int = 0  # climbed one level
    flagged: int = 0  # flagged at risk at the top level
    skipped: int = 0  # lost the version condition: someone else changed the wish meanwhile
    unchanged: int = 0  # read through the index but not due (any more) or not escalatable
    pages: int = 0  # pages of the due index read
    due: int = 0  # keys the index returned
    more: bool = False  # stopped by its time budget with due wishes left: the next run goes on
    by_level: dict[str, int] = field(default_factory=dict)  # moves, by the level they came up to

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Sweep:
    """One run of the escalation sweep. `run()` does it all; tests may interleave `pages`/`apply`."""

    def __init__(
        self, repo: WishRepository, settings: Settings, now: datetime | None = None, page_size: int = PAGE_SIZE
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.now = now or clock.now()
        self.page_size = page_size
        self.summary = SweepSummary(now=clock.iso(self.now))
        self._done: set[str] = set()

    def pages(self) -> Iterator[list[Wish]]:
        """The due wishes, a page at a time: a Query of the index (DueSK <= now), then BatchGetItem."""
        start: dict[str, Any] | None = None
        now = clock.iso(self.now)
        while True:
            keys, start = self.repo.due(DUE_ESCALATION, now, self.page_size, start)
            self.summary.pages += 1
            self.summary.due += len(keys)
            ids = [key.wish_id for key in keys]
            wanted = [wish_id for wish_id in ids if wish_id not in self._done]
            found = self.repo.get_wishes(wanted) if wanted else {}
            # Soonest due first, as the index gave them; a key whose wish is gone is just not there.
            yield [found[wish_id] for wish_id in ids if wish_id in found]
            if not start:
                return

    def apply(self, wish: Wish) -> str:
        """Move one wish read by this sweep: "moved", "flagged", "skipped" or "unchanged"."""
        move = decide(wish, self.now, self.settings) if wish.id not in self._done else None
        if move is None:
            self.summary.unchanged += 1
            return "unchanged"
        try:
            write_move(self.repo, wish, move, self.now)
        except ConditionFailed:
            self.summary.skipped += 1  # someone else moved or changed it: theirs stands
            return "skipped"
        self._done.add(wish.id)  # at most one level per run, whatever the windows say
        if move.flags:
            self.summary.flagged += 1
            return "flagged"
        self.summary.moved += 1
        self.summary.by_level[move.to_level] = self.summary.by_level.get(move.to_level, 0) + 1
        return "moved"

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> SweepSummary:
        for page in self.pages():
            for wish in page:
                if should_stop():
                    self.summary.more = True
                    return self.summary
                self.apply(wish)
        return self.summary


def sweep(
    repo: WishRepository, settings: Settings, now: datetime | None = None, budget_seconds: float | None = None
) -> dict[str, Any]:
    """Run one sweep; stop early (and say so) when `budget_seconds` of work are spent."""
    started = time.monotonic()
    stop = (lambda: time.monotonic() - started > budget_seconds) if budget_seconds else (lambda: False)
    return Sweep(repo, settings, now).run(stop).as_dict()


# ---------------------------------------------------------------- by hand
def escalate_by_hand(
    caller: Caller, wish_id: str, reason: str, repo: WishRepository, settings: Settings
) -> WishPrivateView:
    """An officer of the wish's region (or an admin) hands it one level up, due or not."""
    wish, private, claims = load_bundle_for_officer(caller, wish_id, repo)
    next_status(wish.status, Action.ESCALATED)  # 409 unless submitted or open (assigned waits on its unit)
    now = clock.now()
    move = escalation_move(wish, now, settings, note=reason)
    if move is None:
        raise Conflict(
            f"the wish is already at the top level ({wish.level}): there is no level above it",
            state=wish.status.value,
            level=wish.level,
        )
    view = private_view(moved(wish, move, now), private, claims)
    once.answering(view)
    try:
        write_move(repo, wish, move, now, actor=caller)
    except ConditionFailed as failure:
        # Someone (the sweep, another officer, a donor) changed it since it was read: theirs stands.
        raise changed_meanwhile(repo, wish, failure) from None
    return view
