"""The claim lease: remind a donor before the deadline; when it passes, give the wish back.

Runs on a schedule. It reads only what is due (the lease index), and every move is conditional
on the claim and the wish being as it read them: a claim delivered at the same moment is never
released, and a redelivered or overlapping run does nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import clock
from ..auth import Caller
from ..lifecycle import Action, Status
from ..models import Claim, ClaimStatus, Wish, event_for
from ..repository import DUE_LEASE, ConditionFailed, DueKey, WishRepository
from ..settings import Settings
from .fulfilment import reopened

SYSTEM = Caller(sub="system:lease", role=None)
_PAGE = 100


@dataclass
class SweepReport:
    reminded: int = 0
    lapsed: int = 0
    skipped: int = 0  # changed by someone else since the sweep read it
    read: int = 0
    errors: list[str] = field(default_factory=list)


def sweep(repo: WishRepository, settings: Settings, max_pages: int = 50) -> SweepReport:
    report = SweepReport()
    now = clock.now_iso()
    cursor = None
    for _ in range(max_pages):
        keys, cursor = repo.due(DUE_LEASE, now, _PAGE, cursor)
        report.read += len(keys)
        for key in keys:
            _handle(repo, settings, key, now, report)
        if not cursor:
            break
    return report


def _handle(repo: WishRepository, settings: Settings, key: DueKey, now: str, report: SweepReport) -> None:
    bundle = repo.get_wish_bundle(key.wish_id)
    claim_data = next((c for c in bundle[2] if c["SK"] == key.key["SK"]), None) if bundle else None
    if bundle is None or claim_data is None:
        report.skipped += 1
        return
    wish, claim = bundle[0], Claim.model_validate(claim_data)
    try:
        if claim.deadline and claim.deadline <= now:
            _lapse(repo, settings, wish, claim, now)
            report.lapsed += 1
        elif not claim.reminded:
            _remind(repo, wish, claim, key.due_sk, now)
            report.reminded += 1
        else:
            report.skipped += 1
    except ConditionFailed:
        report.skipped += 1  # delivered, withdrawn or moved meanwhile: theirs won, nothing to do


def _remind(repo: WishRepository, wish: Wish, claim: Claim, due_sk: str, now: str) -> None:
    event = event_for(
        SYSTEM,
        Action.REMINDER,
        wish,
        wish,
        f"请在 {claim.deadline} 前完成",
        at=now,
        donor_id=claim.donor_id,
        claim_id=claim.id,
    )
    transaction = repo.transaction()
    transaction.remind_claim(claim, due_sk)
    transaction.audit(wish, event)
    repo.commit(transaction)


def _lapse(repo: WishRepository, settings: Settings, wish: Wish, claim: Claim, now: str) -> None:
    expected = Status.ASSIGNED if claim.status is ClaimStatus.OFFERED else Status.CLAIMED
    if wish.status is not expected:
        raise ConditionFailed(None)  # the wish moved on (e.g. delivered): the claim is not released
    after = reopened(wish, Action.LAPSED, settings)
    event = event_for(
        SYSTEM, Action.LAPSED, wish, after, "认领超期，心愿重新开放", donor_id=claim.donor_id, claim_id=claim.id
    )
    transaction = repo.transaction()
    transaction.replace_wish(wish, after, event)
    transaction.move_claim(claim, ClaimStatus.LAPSED, now, expect=claim.status)
    if claim.status is ClaimStatus.ACTIVE:
        transaction.count_donor(claim.donor_id, active=-1, lapsed=1)
    else:
        transaction.count_donor(claim.donor_id, lapsed=1)
    repo.commit(transaction)
