"""GET /exports/wishes.csv — the ledger (台账), for officers in region and admins."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...models import CalendarDate, RegionPrefix
from ...services import ledger
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository

router = Router()


@router.get(
    "/exports/wishes.csv",
    summary="The ledger (台账) of a region as CSV (UTF-8 with BOM)",
    tags=["reports"],
    security=BEARER,
    description="Every wish created in [from, to] (China time) in the region, oldest first: status, dates, "
    "category and groups in Chinese, level, donors' names, value in yuan; the beneficiary's "
    "alias, never their name, phone or address. At most `limit` rows per response: when more "
    "remain, the header X-Next-Cursor gives the `cursor` of the next part (each part is a "
    "whole CSV file).",
    responses={
        200: {"description": "text/csv; charset=utf-8", "content": {"text/csv": {"schema": {"type": "string"}}}},
        403: {"description": "Not an officer of this region"},
    },
)
def export_wishes(
    caller: CurrentCaller,
    repo: Repository,
    settings: AppSettings,
    region: Annotated[RegionPrefix | None, Query(description="Default: the caller's region")] = None,
    from_: Annotated[CalendarDate | None, Query(alias="from")] = None,
    to: Annotated[CalendarDate | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=ledger.MAX_ROWS)] = ledger.DEFAULT_ROWS,
    cursor: Annotated[str | None, Query(max_length=256)] = None,
) -> Response[str]:
    text, next_cursor, rows = ledger.export(caller, repo, settings, region, from_, to, cursor, limit)
    name = f"wishes-{region or 'mine'}-{from_ or 'start'}-{to or 'now'}.csv"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Rows": str(rows),
        "Access-Control-Expose-Headers": "X-Next-Cursor, X-Rows",
    }
    if next_cursor:
        headers["X-Next-Cursor"] = next_cursor
    return Response(200, "text/csv; charset=utf-8", text, headers=headers)
