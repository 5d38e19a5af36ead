"""POST /dev/chat on the local runtime (issue 11): a message played as each platform's user — signed,
encrypted where the platform encrypts, sent over HTTP to the real callback route — and the reply the user
would see. The conversation's words are chattalk's: only "a non-empty reply" is asserted here."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("platform", ["wechat", "wecom", "dingtalk"])
def test_a_message_played_through_the_signed_callback_gets_a_reply(runtime, platform):
    response = runtime.post("/dev/chat", json={"platform": platform, "user": f"e2e-{platform}", "text": "帮助"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["reply"], str) and body["reply"].strip() and body["late"] is False


def test_dev_chat_names_what_is_wrong(runtime):
    response = runtime.post("/dev/chat", json={"platform": "qq", "user": "", "text": "帮助"})
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"platform", "user"}
    assert runtime.post("/dev/chat", data=b"{").status_code == 400


def test_the_callbacks_refuse_what_the_platform_did_not_sign(runtime):
    unsigned = requests.post(runtime.url + "/chat/wecom", data="<xml><Encrypt>x</Encrypt></xml>", timeout=30)
    assert unsigned.status_code == 403 and unsigned.headers["Content-Type"].startswith("application/problem+json")
    forged = requests.post(
        runtime.url + "/chat/dingtalk", headers={"timestamp": "1", "sign": "x"}, data="{}", timeout=30
    )
    assert forged.status_code == 403
