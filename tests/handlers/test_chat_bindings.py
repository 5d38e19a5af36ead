"""POST|GET /me/chat-bindings, DELETE /me/chat-bindings/{platform}; "绑定 <code>" and "解绑" in the chat."""

from __future__ import annotations

from pathlib import Path

import boto3

from microwish.chat.conversation import ChatMessage, respond
from microwish.repository import WishRepository, keys, to_dynamo
from microwish.settings import Settings
from tests.support.people import DONOR, OFFICER, RESIDENT


def _chat(table, platform, user, text):
    settings = Settings(wish_table_name=table)
    message = ChatMessage(platform=platform, user=user, text=text, message_id="m-" + text)
    return respond(message, WishRepository(table), settings)


def _code(api, as_=DONOR):
    reply = api.post("/me/chat-bindings", as_=as_)
    assert reply.status == 201, reply.text
    return reply.json


def test_a_code_needs_a_signed_in_person(api):
    assert api.post("/me/chat-bindings").status == 401
    assert api.get("/me/chat-bindings").status == 401
    assert api.delete("/me/chat-bindings/wechat").status == 401


def test_a_code_binds_once_and_shows_on_the_list(api, table):
    code = _code(api)
    assert len(code["code"]) == 6 and code["code"].isdigit()
    assert code["expires_at"] > "2000" and code["expires_in"] == 600
    assert api.get("/me/chat-bindings", as_=DONOR).json == {"items": []}

    reply = _chat(table, "wechat", "openid-1", f"绑定 {code['code']}")
    assert "绑定成功" in reply
    listed = api.get("/me/chat-bindings", as_=DONOR).json["items"]
    assert [item["platform"] for item in listed] == ["wechat"]
    assert "openid-1" not in str(listed)  # the chat's own id stays out of the answer

    # single use: the same code again, from another chat, is refused in words
    again = _chat(table, "wechat", "openid-2", f"绑定 {code['code']}")
    assert "用过" in again
    assert api.get("/me/chat-bindings", as_=OFFICER).json == {"items": []}


def test_a_code_expires(api, table, shift):
    code = _code(api, as_=RESIDENT)
    shift(11 / 1440)  # 11 minutes later: the code's 10 minutes are over
    assert "过期" in _chat(table, "wecom", "worker-1", f"绑定 {code['code']}")
    assert api.get("/me/chat-bindings", as_=RESIDENT).json == {"items": []}


def test_wrong_codes_are_said_and_counted(api, table):
    assert "不对" in _chat(table, "dingtalk", "staff-9", "绑定 000000")
    assert "6 位数字" in _chat(table, "dingtalk", "staff-9", "绑定 12")
    for _ in range(3):
        _chat(table, "dingtalk", "staff-9", "绑定 000001")
    code = _code(api)
    assert "太多" in _chat(table, "dingtalk", "staff-9", f"绑定 {code['code']}")  # 5 wrong this hour: wait


def test_full_width_digits_and_spaces_bind(api, table):
    code = _code(api)["code"]
    wide = "".join(chr(ord(digit) + 0xFEE0) for digit in code)
    assert "绑定成功" in _chat(table, "wechat", "openid-3", f"  绑定：{wide}。")


def test_delete_unbinds_and_404_when_none(api, table):
    code = _code(api)["code"]
    _chat(table, "wechat", "openid-4", f"绑定 {code}")
    assert api.delete("/me/chat-bindings/wecom", as_=DONOR).status == 404
    assert api.delete("/me/chat-bindings/nonsense", as_=DONOR).status == 404
    reply = api.delete("/me/chat-bindings/wechat", as_=DONOR)
    assert reply.status == 204, reply.text
    assert api.get("/me/chat-bindings", as_=DONOR).json == {"items": []}
    assert "还没有绑定" in _chat(table, "wechat", "openid-4", "解绑")
    assert "认领 编号" not in _chat(table, "wechat", "openid-4", "帮助")  # public again: no donor commands


def test_unbind_in_the_chat(api, table):
    code = _code(api)["code"]
    _chat(table, "wecom", "u-5", f"绑定 {code}")
    assert "已解绑" in _chat(table, "wecom", "u-5", "解绑")
    assert api.get("/me/chat-bindings", as_=DONOR).json == {"items": []}


def test_rebinding_moves_the_identity(api, table):
    first = _code(api)["code"]
    _chat(table, "wechat", "old-phone", f"绑定 {first}")
    second = _code(api)["code"]
    _chat(table, "wechat", "new-phone", f"绑定 {second}")
    assert "还没有绑定" in _chat(table, "wechat", "old-phone", "解绑")  # the old identity lost it
    assert [item["platform"] for item in api.get("/me/chat-bindings", as_=DONOR).json["items"]] == ["wechat"]
    # another person takes over the new identity: the donor no longer has it
    third = _code(api, as_=RESIDENT)["code"]
    _chat(table, "wechat", "new-phone", f"绑定 {third}")
    assert api.get("/me/chat-bindings", as_=DONOR).json == {"items": []}
    assert [item["platform"] for item in api.get("/me/chat-bindings", as_=RESIDENT).json["items"]] == ["wechat"]


def test_codes_and_conversations_carry_the_ttl_attribute(api, table):
    code = _code(api)["code"]
    item = boto3.client("dynamodb").get_item(TableName=table, Key=to_dynamo(keys.chat_code_key(code)))["Item"]
    assert "N" in item["expires_at"]
    # moto's CloudFormation leaves TTL off; the template is what deploys it
    template = (Path(__file__).resolve().parents[2] / "template.yaml").read_text(encoding="utf-8")
    table_part = template.split("  WishTable:")[1].split("  IdempotencyTable:")[0]
    assert "TimeToLiveSpecification:\n        AttributeName: expires_at\n        Enabled: true" in table_part
