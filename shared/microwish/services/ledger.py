"""The ledger (台账): every wish of a region and period as CSV, for officers in region and admins.

Read page by page from the list indexes: one Query per status partition of the region (ByProvince,
ByCity or ByCounty; a township or village: its township's partition of ByArea, then BatchGetItem), each
bounded by the period on the sort key (ListSK = "<created_at>#<id>"), merged in creation order.
The donors of the page's rows come from one Query of the holders partition of each county the page's
claimed rows are in (ByArea), bounded by the page's first and last ListSK: a bounded number of calls
per page, never one per row. At most `limit` rows (default 500, at most 2,000) go in one
response, which stays far below Lambda's 6 MB. When more remain, the response carries the header
`X-Next-Cursor`: ask again with `?cursor=` for the next part (every part is a whole CSV file with the
BOM and the header row, so parts can be opened alone or concatenated without their first line).

UTF-8 with a BOM, so Excel opens the Chinese correctly. No beneficiary name, phone or address: the
alias only. Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe.
"""

from __future__ import annotations

import base64
import binascii
import csv
import heapq
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from .. import clock, regions
from ..auth import Caller, require_role
from ..catalog import categories, groups
from ..errors import Forbidden, InvalidInput
from ..lifecycle import Status
from ..personal_data import mask
from ..registry import get_registry
from ..repository import WishRepository
from ..settings import Settings
from .stats import CST

BOM = "\ufeff"
DEFAULT_ROWS = 500
MAX_ROWS = 2000
_PAGE = 100
_CURSOR = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#[0-9a-f]{32}$")
STATUS_NAMES = {
    "submitted": "待审核",
    "open": "待认领",
    "assigned": "已派单",
    "claimed": "已认领",
    "delivered": "已送达",
    "fulfilled": "已圆梦",
    "rejected": "未通过",
    "cancelled": "已取消",
}
LEVEL_NAMES = {"village": "村", "township": "乡镇", "county": "县", "city": "市", "province": "省"}
HEADER = [
    "编号",
    "心愿",
    "类别",
    "重点群体",
    "受助人",
    "乡镇",
    "村",
    "当前层级",
    "状态",
    "提交时间",
    "审核通过时间",
    "圆梦时间",
    "认领人",
    "价值（元）",
    "方式",
    "专场",
]
_HOLDING = {"active", "delivered", "fulfilled", "offered"}


def _local(at: str | None) -> str:
    return clock.parse(at).astimezone(CST).strftime("%Y-%m-%d %H:%M") if at else ""


def _bound(day: date) -> str:
    return clock.iso(datetime.combine(day, time(), CST))


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen / 100:.2f}"


def encode(list_sk: str) -> str:
    return base64.urlsafe_b64encode(list_sk.encode()).decode().rstrip("=")


def decode(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        text = ""
    if not _CURSOR.match(text):
        raise InvalidInput("cursor", "is not a cursor this export gave out")
    return text


def _status_pages(
    repo: WishRepository, region: str, status: Status, low: str, high: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """One status partition of the region, oldest first, a page at a time."""
    return repo.created_between(region, status, low, high, _PAGE)


def _has_donors(wish: dict[str, Any]) -> bool:
    return not (
        wish["status"] in ("submitted", "rejected") or (wish["status"] == "open" and not wish.get("pledge_count"))
    )


def _donor_names(repo: WishRepository, page: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """The donors of the page's rows, by wish id: one Query of each county's holders partition (ByArea)
    between the first and last row that can have donors."""
    rows = [(list_sk, wish) for list_sk, wish in page if _has_donors(wish)]
    if not rows:
        return {}
    wanted = {wish["id"] for _, wish in rows}
    names: dict[str, list[str]] = {}
    for county in sorted({regions.prefix_at(wish["region_code"], "county") for _, wish in rows}):
        for claim in repo.holders_between(county, rows[0][0], rows[-1][0], sorted(_HOLDING)):
            if claim.get("wish_id") not in wanted:
                continue  # another region's wish of the same county and period
            name = claim.get("donor_name") or claim["donor_id"]
            if claim.get("matched"):
                name += "（配捐）"
            listed = names.setdefault(claim["wish_id"], [])
            if name not in listed:
                listed.append(name)
    return {wish_id: "、".join(listed) for wish_id, listed in names.items()}


def _row(wish: dict[str, Any], donors: str) -> list[str]:
    registry = get_registry()
    township = regions.prefix_at(wish["region_code"], "township")
    category = categories().get(wish["category"], {}).get("name", wish["category"])
    group_names = "、".join(groups().get(code, {}).get("name", code) for code in wish.get("groups") or [])
    value = wish.get("value_fen") if wish["status"] == "fulfilled" else wish.get("target_fen")
    village = registry.get(wish["region_code"])
    return [
        _cell(v)
        for v in (
            wish["id"],
            mask(wish["title"]),
            category,
            group_names,
            wish.get("beneficiary_alias", ""),
            registry.full_name(township) if registry.get(township) else township,
            village.name if village else wish["region_code"],
            LEVEL_NAMES.get(wish.get("level", "village"), ""),
            STATUS_NAMES.get(wish["status"], wish["status"]),
            _local(wish.get("created_at")),
            _local(wish.get("approved_at")),
            _local(wish.get("fulfilled_at")),
            donors,
            _yuan(value),
            "众筹" if wish.get("mode") == "pooled" else "认领",
            wish.get("campaign_id") or "",
        )
    ]


def export(
    caller: Caller,
    repo: WishRepository,
    settings: Settings,
    region: str | None,
    start: date | None,
    end: date | None,
    cursor: str | None,
    limit: int,
) -> tuple[str, str | None, int]:
    """(the CSV text, the cursor of the next part or None, rows written)."""
    require_role(caller, "officer", "admin")
    region = region or caller.region or settings.home_region
    if not caller.is_officer_for(region):
        raise Forbidden(f"the ledger of region {region} is for its officers")
    if start and end and start > end:
        raise InvalidInput("from", "must not be after to")
    low = _bound(start) if start else "0"
    high = _bound(end + timedelta(days=1)) if end else "~"
    if cursor:
        low = max(low, decode(cursor) + "0")  # strictly after the last row given out
    merged = heapq.merge(
        *(_status_pages(repo, region, status, low, high) for status in Status), key=lambda pair: pair[0]
    )
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    page: list[tuple[str, dict[str, Any]]] = []
    more = False
    for pair in merged:
        if len(page) == limit:
            more = True
            break
        page.append(pair)
    donors = _donor_names(repo, page)
    for _, wish in page:
        writer.writerow(_row(wish, donors.get(wish["id"], "")))
    return out.getvalue(), encode(page[-1][0]) if more else None, len(page)
