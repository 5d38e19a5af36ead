"""What people type in a chat, made regular; refusals and lines said in words (microwish.chat)."""

from __future__ import annotations

import pytest

from microwish.chat import replies
from microwish.chat.text import hex_code, parse, regular, yuan_to_fen
from microwish.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthorized
from microwish.models import ClaimView
from microwish.personal_data import PersonalDataError
from microwish.settings import Settings


@pytest.mark.parametrize(
    ("typed", "command", "rest"),
    [
        ("  认领：Ａ１Ｂ２Ｃ３ ", "认领", "A1B2C3"),
        ("认领a1b2", "认领", "a1b2"),
        ("捐 a1b2 50元。", "捐", "a1b2 50元"),
        ("我的认领", "我的认领", ""),
        ("我的", "我的认领", ""),
        ("HELP", "帮助", ""),
        ("心愿清单　沅陵", "心愿清单", "沅陵"),  # an ideographic space
        ("退回 a1b2 请补充说明", "退回", "a1b2 请补充说明"),
        ("你好", None, "你好"),
        ("？！", "帮助", ""),
    ],
)
def test_commands_are_read_forgivingly(typed, command, rest):
    said = parse(typed)
    assert (said.command, said.rest) == (command, rest)


def test_words_numbers_and_amounts():
    assert parse("捐，a1b2，50").words == ["a1b2", "50"]
    assert regular("\u200b绑定 １２３\u0000") == "绑定 123"
    assert hex_code("A1B2") == "a1b2" and hex_code("xyz") == ""
    assert yuan_to_fen("50") == 5000 and yuan_to_fen("¥50.5") == 5050 and yuan_to_fen("12.34元") == 1234
    assert yuan_to_fen("五十") is None and yuan_to_fen("1.234") is None


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (Conflict("x", state="limit_reached", max_active_claims=10), "上限"),
        (Conflict("x", state="open", remaining_fen=1250), "¥12.50"),
        (Conflict("x", state="busy"), "稍后"),
        (Conflict("x", state="claimed"), "来晚了"),
        (Conflict("x", state="rejected"), "已退回"),
        (Conflict("x"), "变化"),
        (NotFound("x"), "没有找到"),
        (Forbidden("x"), "身份"),
        (Unauthorized("x"), "身份"),
        (TooManyRequests("x"), "频繁"),
        (InvalidInput("reason", "too long"), "理由"),
        (PersonalDataError("title", "a phone number"), "公开"),
    ],
)
def test_refusals_are_said_in_words(error, words):
    assert words in replies.refusal(error)


def test_claim_lines():
    settings = Settings(web_base_url="https://wish.example/app/")
    base = {"id": "c", "wish_id": "ab" * 16, "donor_id": "d", "created_at": "2026-12-01T00:00:00.000Z"}
    pledge = ClaimView(**base, kind="pledge", amount_fen=5000, status="active", wish_title="轮椅")
    assert "认捐¥50" in replies.claim_line(pledge, settings)
    assert replies.claim_line(pledge, settings).endswith("https://wish.example/app/wishes/" + "ab" * 16)
    sole = ClaimView(**base, kind="sole", amount_fen=None, status="active", deadline="2026-12-15T00:00:00.000Z")
    line = replies.claim_line(sole, settings)
    assert "2026-12-15 前送达" in line and "[ababab] 心愿" in line
    offered = ClaimView(**base, kind="assignment", amount_fen=None, status="offered")
    assert "派单｜待接单" in replies.claim_line(offered, settings)
