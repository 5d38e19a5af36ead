"""The platforms' side of a callback, for `POST /dev/chat` (the local runtime) and tests: a message as
the platform would send it — signed and, where the platform encrypts, encrypted — and the text the user
would see in the platform's reply. Never used by a deployed function.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from . import xml
from .crypto import MessageCrypt, dingtalk_signature, sha1_signature

# The local runtime's development credentials (written to the SSM parameters by `make run`).
DEV_CREDENTIALS: dict[str, dict[str, str]] = {
    "wechat": {
        "token": "devtoken",
        "app_id": "wxdev0000000000001",
        "encoding_aes_key": "ZGV2LWtleS1mb3ItbWljcm8td2lzaC1sb2NhbGx5LTE",
        "app_secret": "dev-app-secret",
    },
    "wecom": {
        "token": "devtoken",
        "encoding_aes_key": "ZGV2LWtleS1mb3ItbWljcm8td2lzaC1sb2NhbGx5LTE",
        "corp_id": "wwdev0000000000001",
        "agent_id": "1000002",
        "secret": "dev-app-secret",
    },
    "dingtalk": {"app_secret": "dev-dingtalk-app-secret"},
}
ACCOUNT = "gh_microwish_dev"  # the official account's own id in the dev messages


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str


def message_call(
    platform: str,
    creds: dict[str, str],
    user: str,
    text: str,
    *,
    now: float | None = None,
    nonce: str | None = None,
    message_id: str | None = None,
    click: str | None = None,
) -> Call:
    """A text message (or, with `click`, a menu click on that key) from `user`, as the platform sends it."""
    now = time.time() if now is None else now
    timestamp = str(int(now))
    nonce = nonce or str(secrets.randbelow(10**10))
    message_id = message_id or str(secrets.randbelow(10**18))
    if platform == "dingtalk":
        timestamp_ms = str(int(now * 1000))
        body = {
            "msgtype": "text",
            "text": {"content": f" {text}"},  # @-ing the robot leaves a space before the text
            "msgId": message_id,
            "senderStaffId": user,
            "senderId": f"$:LWCP_v1:${user}",
            "conversationId": "cidDevConversation",
            "conversationType": "2",
            "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=dev",
        }
        headers = {"timestamp": timestamp_ms, "sign": dingtalk_signature(creds["app_secret"], timestamp_ms)}
        return Call("POST", "/chat/dingtalk", {}, headers, json.dumps(body, ensure_ascii=False))
    account = creds.get("corp_id", ACCOUNT) if platform == "wecom" else ACCOUNT
    parts = [f"<ToUserName>{xml.cdata(account)}</ToUserName><FromUserName>{xml.cdata(user)}</FromUserName>"]
    parts.append(f"<CreateTime>{timestamp}</CreateTime>")
    if click is not None:
        parts.append("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event>")
        parts.append(f"<EventKey>{xml.cdata(click)}</EventKey>")
    else:
        parts.append(f"<MsgType><![CDATA[text]]></MsgType><Content>{xml.cdata(text)}</Content>")
        parts.append(f"<MsgId>{message_id}</MsgId>")
    if platform == "wecom":
        parts.append(f"<AgentID>{creds.get('agent_id', '1')}</AgentID>")
    document = "<xml>" + "".join(parts) + "</xml>"
    token = creds["token"]
    if platform == "wechat" and not creds.get("encoding_aes_key"):
        query = {"signature": sha1_signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        return Call("POST", "/chat/wechat", {**query, "openid": user}, {}, document)
    crypt = MessageCrypt(token, creds["encoding_aes_key"], creds["corp_id" if platform == "wecom" else "app_id"])
    encrypted = crypt.encrypt(document)
    envelope = f"<xml><ToUserName>{xml.cdata(account)}</ToUserName><Encrypt>{xml.cdata(encrypted)}</Encrypt></xml>"
    query = {"msg_signature": crypt.signature(timestamp, nonce, encrypted), "timestamp": timestamp, "nonce": nonce}
    if platform == "wechat":
        query.update(signature=sha1_signature(token, timestamp, nonce), encrypt_type="aes", openid=user)
    return Call("POST", f"/chat/{platform}", query, {}, envelope)


def reply_text(platform: str, creds: dict[str, str], body: str) -> str:
    """What the user sees of a callback's answer ("" for none): decrypted and unwrapped."""
    if platform == "dingtalk":
        try:
            answer: Any = json.loads(body or "{}")
        except ValueError:
            return ""
        return str(((answer or {}).get("text") or {}).get("content") or "") if isinstance(answer, dict) else ""
    if not body.strip().startswith("<"):
        return ""  # "success" or empty: nothing shown
    fields = xml.fields(body)
    if "Encrypt" in fields:
        crypt = MessageCrypt(
            creds["token"], creds["encoding_aes_key"], creds["corp_id" if platform == "wecom" else "app_id"]
        )
        if not crypt.verify(
            fields.get("MsgSignature", ""), fields.get("TimeStamp", ""), fields.get("Nonce", ""), fields["Encrypt"]
        ):
            raise ValueError("the reply's signature does not match")
        fields = xml.fields(crypt.decrypt(fields["Encrypt"]))
    return fields.get("Content", "")
