"""Erasure of a beneficiary's personal data (PIPL): on request, and by retention after a wish ends.

What goes: the private part's name, phone and address (the item stays as a tombstone with
`erased_at`, so every view can say the data was erased). What stays: the wish with its alias
(谢女士), its claims, its audit trail and every report figure. The erasure itself is recorded as
an audit event `erased` (who, when, why) that carries nothing of what was erased.

- `erase`: POST /wishes/{id}/erasure, by an officer of the wish's region, an admin, or the resident
  who submitted it. A second erasure answers 200 with the same view and writes nothing.
- `sweep`: the scheduled retention sweep. When a wish ends (fulfilled, rejected, cancelled) the same
  transaction puts its private part on the sparse ByDue index (DuePK = "erasure", DueSK =
  "<ended + RetentionDays>#<id>", repository.Transaction.replace_wish); the sweep reads only what is
  due and erases each, conditional on the part still holding the data and still being due as read,
  so overlapping or repeated runs erase nothing twice.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from .. import clock, once
from ..auth import Caller, require_role
from ..errors import NotFound
from ..lifecycle import Action
from ..models import ErasureRequest, WishPrivateView, event_for
from ..notifications.templates import mask_phones
from ..repository import DUE_ERASURE, ConditionFailed, DueKey, WishRepository
from ..settings import Settings
from .views import may_see_private, private_view

SYSTEM = Caller(sub="system:retention", role=None)
RETENTION_NOTE = "保存期限届满，受益人个人信息已自动删除"
PAGE_SIZE = 100  # BatchGetItem takes at most 100 keys


def masked_reason(reason: str, beneficiary: dict[str, Any]) -> str:
    """The reason as the audit trail keeps it: none of what is being erased, and no phone number."""
    for value in sorted(
        (str(v) for k, v in beneficiary.items() if k in ("name", "phone", "address") and v), key=len, reverse=True
    ):
        reason = reason.replace(value, "***")
    return mask_phones(reason)


def erase(caller: Caller, wish_id: str, request: ErasureRequest, repo: WishRepository) -> WishPrivateView:
    require_role(caller, "resident", "officer", "admin")
    bundle = repo.get_wish_bundle(wish_id)
    if bundle is None or not may_see_private(caller, bundle[0]):
        raise NotFound("no such wish")  # another resident, an officer of another region: as if absent
    wish, private, claims = bundle
    now = clock.now_iso()
    erased_at = private.get("erased_at") or now
    if private.get("beneficiary"):
        event = event_for(
            caller, Action.ERASED, wish, wish, masked_reason(request.reason, private["beneficiary"]), at=now
        )
        once.answering(private_view(wish, {"erased_at": now}, claims))
        try:
            repo.erase_private(wish, event, now)
        except ConditionFailed as failure:
            # Erased at the same moment (another request, the sweep): the outcome is the same.
            erased_at = (failure.item or {}).get("erased_at") or now
    return private_view(wish, {"erased_at": erased_at}, claims)


# ---------------------------------------------------------------- the retention sweep
@dataclass
class RetentionSummary:
    now: str
    erased: int = 0  # private parts erased now
    already: int = 0  # erased before (by hand) or gone: only taken off the index
    skipped: int = 0  # changed since the index was read (another run erased it): theirs stands
    due: int = 0  # keys the index returned
    pages: int = 0
    more: bool = False  # stopped by its time budget with parts still due: the next run goes on

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sweep(
    repo: WishRepository, settings: Settings, budget_seconds: float | None = None, page_size: int = PAGE_SIZE
) -> RetentionSummary:
    """Erase every private part whose retention ended by now: a Query of the due index, never a Scan."""
    del settings  # the due time was fixed when the wish ended; kept for the sweeps' common signature
    started = time.monotonic()
    summary = RetentionSummary(now=clock.now_iso())
    cursor: dict[str, Any] | None = None
    while True:
        keys, cursor = repo.due(DUE_ERASURE, summary.now, page_size, cursor)
        summary.pages += 1
        summary.due += len(keys)
        wishes = repo.get_wishes([key.wish_id for key in keys]) if keys else {}
        for key in keys:
            if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                summary.more = True
                return summary
            _erase_due(repo, key, wishes.get(key.wish_id), summary)
        if not cursor:
            return summary


def _erase_due(repo: WishRepository, key: DueKey, wish: Any, summary: RetentionSummary) -> None:
    if wish is None:
        summary.skipped += 1  # a private part without its wish is not ours to judge: left for a person
        return
    event = event_for(SYSTEM, Action.ERASED, wish, wish, RETENTION_NOTE, at=summary.now)
    try:
        repo.erase_private(wish, event, summary.now, due_sk=key.due_sk)
        summary.erased += 1
    except ConditionFailed as failure:
        item = failure.item or {}
        if "beneficiary" not in item and item.get("DueSK") == key.due_sk:
            repo.drop_due(key)  # erased by hand meanwhile
            summary.already += 1
        else:
            summary.skipped += 1
