"""Wishes made through the API for the browser tests: a resident submits one, an officer of the county approves."""

from __future__ import annotations

import uuid
from typing import Any

VILLAGE = "431222250201"  # 王家村, 马底驿乡, 沅陵县 (a demo village)
COUNTY = "431222"  # 沅陵县


def tag() -> str:
    return uuid.uuid4().hex[:6]


def officer_token(runtime: Any) -> str:
    """A new officer of the county."""
    return runtime.token("officer", f"officer-{tag()}", region=COUNTY)


def open_wish(
    runtime: Any,
    title: str,
    *,
    officer: str | None = None,
    target_fen: int | None = None,
    category: str = "goods",
) -> str:
    """A wish submitted by a resident and approved (pooled when it has a target) by `officer`, else by a new
    officer of the county; its id."""
    resident = runtime.token("resident", f"resident-{tag()}")
    body: dict[str, Any] = {
        "title": title,
        "description": "浏览器测试用的心愿",
        "category": category,
        "groups": ["elderly_alone"],
        "region_code": VILLAGE,
        "beneficiary": {"name": "王秀英", "phone": "13800001111", "address": "王家村 3 组"},
    }
    if target_fen:
        body["target_fen"] = target_fen
    made = runtime.post("/wishes", token=resident, json=body)
    assert made.status_code == 201, made.text
    wish_id = made.json()["id"]
    approve(runtime, wish_id, officer=officer, pooled=bool(target_fen), target_fen=target_fen)
    return wish_id


def approve(
    runtime: Any, wish_id: str, *, officer: str | None = None, pooled: bool = False, target_fen: int | None = None
) -> None:
    decision: dict[str, Any] = {"decision": "approve", "mode": "pooled" if pooled else "sole"}
    if target_fen:
        decision["target_fen"] = target_fen
    reviewed = runtime.post(f"/wishes/{wish_id}/review", token=officer or officer_token(runtime), json=decision)
    assert reviewed.status_code == 200, reviewed.text
