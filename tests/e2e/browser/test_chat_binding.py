"""我的 → 绑定聊天账号 (issue 11): a code from the web page, sent in a chat as "绑定 <code>", then the bound
platform listed with 解绑, which unbinds it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect


def say_in_chat(runtime: Any, user: str, text: str) -> str:
    """A chat message from a WeCom user, played through the signed, encrypted callback (POST /dev/chat)."""
    played = runtime.post("/dev/chat", json={"platform": "wecom", "user": user, "text": text})
    assert played.status_code == 200, played.text
    return str(played.json()["reply"])


def test_a_village_worker_binds_her_wecom_from_the_me_page(people, runtime, variant):
    worker = people("resident", sub=f"worker-{uuid.uuid4().hex[:8]}", name="王家村妇联主席")
    page = worker.open("/me")
    part = page.locator('[data-test="chat-binding"]')
    expect(part.locator('[data-test="chat-none"]')).to_be_visible()
    part.locator('[data-test="chat-code-new"]').click()
    code = part.locator('[data-test="chat-code"]')
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    expect(part).to_contain_text("绑定 " + code.inner_text())
    expect(part).to_contain_text("10 分钟内有效")
    worker.check("me-chat-code")

    user = f"wecom-{uuid.uuid4().hex[:8]}"
    assert "绑定成功" in say_in_chat(runtime, user, f"绑定 {code.inner_text()}")
    assert "许愿" in say_in_chat(runtime, user, "帮助")

    page.reload()
    bound = page.locator('[data-test="chat-bound"][data-platform="wecom"]')
    expect(bound).to_contain_text("企业微信")
    worker.check("me-chat-bound")

    page.once("dialog", lambda dialog: dialog.accept())
    bound.locator('[data-test="chat-unbind"]').click()
    expect(part.locator('[data-test="chat-none"]')).to_be_visible()
    assert "还没有绑定" in say_in_chat(runtime, user, "解绑")
