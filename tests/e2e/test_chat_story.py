"""Issue 11's story on the local runtime, every message through POST /dev/chat (signed, encrypted where the
platform encrypts, sent to the real callback route): a village worker binds her WeCom identity and submits a
wish by conversation, an officer approves it from DingTalk, a donor claims it from WeChat — and each step
shows through the HTTP API the web app reads, and in the wish's audit trail."""

from __future__ import annotations

import pytest

from tests.support.people import VILLAGE

pytestmark = pytest.mark.e2e


def test_a_wish_made_approved_and_claimed_in_chats_shows_on_the_web_and_in_the_audit_trail(runtime):
    worker = runtime.token("resident", "chat-story-worker", region=VILLAGE, name="王家村妇联主席")
    officer = runtime.token("officer", "chat-story-officer", region="431222")
    donor = runtime.token("donor", "chat-story-donor", name="爱心人士")

    def say(platform: str, user: str, text: str) -> str:
        answer = runtime.post("/dev/chat", json={"platform": platform, "user": user, "text": text})
        assert answer.status_code == 200, answer.text
        return answer.json()["reply"]

    def bind(token: str, platform: str, user: str) -> None:
        made = runtime.post("/me/chat-bindings", token=token)
        assert made.status_code == 201, made.text
        assert "绑定成功" in say(platform, user, f"绑定 {made.json()['code']}")

    bind(worker, "wecom", "story-worker")
    bind(officer, "dingtalk", "story-officer")
    bind(donor, "wechat", "story-donor")
    assert "先绑定" in say("wechat", "story-stranger", "认领 abcdef")  # unbound: public things only

    # the worker's guided submission, one answer wrong and asked again
    assert "1/7" in say("wecom", "story-worker", "许愿")
    assert "2/7" in say("wecom", "story-worker", "一台洗衣机")
    assert "3/7" in say("wecom", "story-worker", "1")
    assert "4/7" in say("wecom", "story-worker", "1")
    assert "5/7" in say("wecom", "story-worker", "谢桂兰")
    assert "不合要求" in say("wecom", "story-worker", "12345")
    assert "6/7" in say("wecom", "story-worker", "13912345678")
    assert "王家村" in say("wecom", "story-worker", "王家村4组")  # her own village, to confirm
    assert "请核对" in say("wecom", "story-worker", "是")
    submitted = say("wecom", "story-worker", "提交")
    assert "已提交" in submitted and "谢桂兰" not in submitted and "13912345678" not in submitted
    mine = runtime.get("/me/wishes", token=worker).json()["items"]
    assert [wish["title"] for wish in mine] == ["一台洗衣机"] and mine[0]["status"] == "submitted"
    wish_id = mine[0]["id"]
    number = wish_id[:6]

    # the officer sees it waiting and approves it from her chat
    assert number in say("dingtalk", "story-officer", "待审核")
    assert "不能做这件事" in say("wechat", "story-donor", f"通过 {number}")  # a donor cannot approve
    assert "已通过" in say("dingtalk", "story-officer", f"通过 {number}")
    public = runtime.get(f"/wishes/{wish_id}")
    assert public.status_code == 200 and public.json()["status"] == "open", public.text
    assert "谢桂兰" not in public.text and "13912345678" not in public.text

    # the donor claims it from his
    assert "认领成功" in say("wechat", "story-donor", f"认领 {number}")
    assert "一台洗衣机" in say("wechat", "story-donor", "我的认领")
    claims = runtime.get("/me/claims", token=donor).json()["items"]
    assert [(claim["wish_id"], claim["status"]) for claim in claims] == [(wish_id, "active")]
    assert runtime.get(f"/wishes/{wish_id}").json()["status"] == "claimed"

    trail = runtime.get(f"/wishes/{wish_id}/events", token=officer)
    assert trail.status_code == 200, trail.text
    assert [event["action"] for event in trail.json()["items"]] == ["submitted", "approved", "claimed"]
