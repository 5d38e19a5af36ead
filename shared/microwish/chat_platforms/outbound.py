"""Late replies: the callback queues a reply it could not give in time (`enqueue`), and the chat reply
worker sends it through the platform's send API (`send`):

- wechat    customer-service message (客服消息) with the account's access token (AppID + AppSecret);
- wecom     application message (应用消息) with the app's access token (corp id + app Secret, AgentId);
- dingtalk  the message's own sessionWebhook (valid about 90 minutes, no token).

Access tokens are fetched once per process and kept until shortly before they expire. When
MICROWISH_OUTBOX_FILE is set (the local runtime), `send` appends a line to that file instead, like
the notification channels: nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

from .. import clock
from ..repository.chat_messages import enqueue_reply
from .config import Credentials

TIMEOUT_S = 3.0
WECHAT_API = "https://api.weixin.qq.com"
WECOM_API = "https://qyapi.weixin.qq.com"
_lock = threading.Lock()
_tokens: dict[str, tuple[float, str]] = {}  # platform → (valid until, access token)


class SendError(Exception):
    """The platform did not take the message; the job is retried (then dead-lettered)."""


def enqueue(queue_url: str, job: dict[str, str]) -> None:
    if not queue_url:
        raise SendError("no chat reply queue is configured (CHAT_REPLY_QUEUE_URL)")
    enqueue_reply(queue_url, json.dumps(job, ensure_ascii=False))


def _call(url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method="POST" if data else "GET", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as error:
        raise SendError(f"the platform could not be reached: {type(error).__name__}") from None
    if not isinstance(answer, dict) or answer.get("errcode", 0) not in (0, "0"):
        code = answer.get("errcode") if isinstance(answer, dict) else "?"
        raise SendError(f"the platform answered errcode {code}")
    return answer


def access_token(platform: str, url: str) -> str:
    with _lock:
        cached = _tokens.get(platform)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    answer = _call(url)
    token = str(answer.get("access_token") or "")
    if not token:
        raise SendError("the platform gave no access token")
    lifetime = float(answer.get("expires_in") or 7200)
    with _lock:
        _tokens[platform] = (time.monotonic() + lifetime - 300, token)
    return token


def send(job: dict[str, str], creds: Credentials | None, outbox_file: str = "") -> None:
    platform, user, text = job["platform"], job["user"], job["text"]
    if outbox_file:
        line = {"channel": f"chat:{platform}", "to": user, "text": text, "event": "chat_reply", "wish_id": ""}
        line["sent_at"] = clock.now_iso()
        with _lock, open(outbox_file, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    if platform == "dingtalk":
        if not job.get("session_webhook"):
            raise SendError("the DingTalk message had no sessionWebhook")
        _call(job["session_webhook"], {"msgtype": "text", "text": {"content": text}})
        return
    if creds is None:
        raise SendError(f"{platform} is not configured")
    if platform == "wechat":
        query = urllib.parse.urlencode(
            {"grant_type": "client_credential", "appid": creds.get("app_id"), "secret": creds.get("app_secret")}
        )
        token = access_token(platform, f"{WECHAT_API}/cgi-bin/token?{query}")
        _call(
            f"{WECHAT_API}/cgi-bin/message/custom/send?access_token={token}",
            {"touser": user, "msgtype": "text", "text": {"content": text}},
        )
        return
    query = urllib.parse.urlencode({"corpid": creds.get("corp_id"), "corpsecret": creds.get("secret")})
    token = access_token(platform, f"{WECOM_API}/cgi-bin/gettoken?{query}")
    _call(
        f"{WECOM_API}/cgi-bin/message/send?access_token={token}",
        {"touser": user, "msgtype": "text", "agentid": creds.get("agent_id"), "text": {"content": text}},
    )


def outbox_file() -> str:
    return os.environ.get("MICROWISH_OUTBOX_FILE", "")


def reset() -> None:
    _tokens.clear()
