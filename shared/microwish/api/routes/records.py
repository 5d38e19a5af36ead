"""GET /wishes/{id}/events (the audit trail) and GET /donors/{id} (a donor's record), for officers."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...auth import require_role
from ...models import AuditEvent, DonorRecord, Page
from ...services.wishes import load_for_officer
from ..app import BEARER
from ..dependencies import CurrentCaller, Repository

router = Router()


@router.get("/wishes/<id>/events", summary="A wish's audit trail, oldest first", tags=["records"], security=BEARER)
def wish_events(
    id: str,
    caller: CurrentCaller,
    repo: Repository,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,  # noqa: A002
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Page[AuditEvent]:
    load_for_officer(caller, id, repo)
    items, next_cursor = repo.audit_trail(id, limit, cursor)
    fields = set(AuditEvent.model_fields)
    return Page[AuditEvent](
        items=[AuditEvent.model_validate({k: v for k, v in item.items() if k in fields}) for item in items],
        next_cursor=next_cursor,
    )


@router.get(
    "/donors/<donor_id>",
    summary="A donor's record: claimed, delivered, fulfilled, withdrawn, lapsed",
    tags=["records"],
    security=BEARER,
)
def donor_record(donor_id: str, caller: CurrentCaller, repo: Repository) -> DonorRecord:
    require_role(caller, "officer", "admin")
    return repo.get_donor_record(donor_id)
