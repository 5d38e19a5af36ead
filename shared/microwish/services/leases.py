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
from ..models import Claim
from ..repository import DUE_LEASE, ConditionFailed, WishRepository, audit_item
from ..settings import Settings
from .claims import count_donor, reopened, set_claim_status
from .wishes import event_for

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


def _handle(repo: WishRepository, settings: Settings, key: dict, now: str, report: SweepReport) -> None:
    wish_id = key["PK"].removeprefix("WISH#")
    bundle = repo.get_wish_bundle(wish_id)
    claim_data = next((c for c in bundle[2] if c["SK"] == key["SK"]), None) if bundle else None
    if bundle is None or claim_data is None:
        report.skipped += 1
        return
    wish, claim = bundle[0], Claim.model_validate(claim_data)
    try:
        if claim.deadline and claim.deadline <= now:
            _lapse(repo, settings, wish, claim, now)
            report.lapsed += 1
        elif not claim.reminded:
            _remind(repo, wish, claim, key["DueSK"], now)
            report.reminded += 1
        else:
            report.skipped += 1
    except ConditionFailed:
        report.skipped += 1  # delivered, withdrawn or moved meanwhile: theirs won, nothing to do


def _remind(repo: WishRepository, wish, claim: Claim, due_sk: str, now: str) -> None:  # noqa: ANN001
    event = event_for(SYSTEM, Action.REMINDER, wish, wish, f"请在 {claim.deadline} 前完成", at=now,
                      donor_id=claim.donor_id, claim_id=claim.id)
    transaction = repo.transaction()
    transaction.update({"PK": f"WISH#{wish.id}", "SK": f"CLAIM#{claim.id}"},
                       "SET reminded = :true, DueSK = :deadline",
                       "#status = :status AND DueSK = :due",
                       {":true": True, ":deadline": f"{claim.deadline}#{claim.id}", ":status": claim.status,
                        ":due": due_sk}, {"#status": "status"})
    transaction.put(audit_item(wish, event), "attribute_not_exists(PK)")
    repo.commit(transaction)


def _lapse(repo: WishRepository, settings: Settings, wish, claim: Claim, now: str) -> None:  # noqa: ANN001
    expected = Status.ASSIGNED if claim.status == "offered" else Status.CLAIMED
    if wish.status is not expected:
        raise ConditionFailed(None)  # the wish moved on (e.g. delivered): the claim is not released
    after = reopened(wish, Action.LAPSED, settings)
    event = event_for(SYSTEM, Action.LAPSED, wish, after, "认领超期，心愿重新开放", donor_id=claim.donor_id,
                      claim_id=claim.id)
    transaction = repo.transaction().replace_wish(wish, after, event)
    set_claim_status(transaction, claim, "lapsed", now, expect=claim.status)
    if claim.status == "active":
        count_donor(transaction, claim.donor_id, active=-1, lapsed=1)
    else:
        count_donor(transaction, claim.donor_id, lapsed=1)
    repo.commit(transaction)
