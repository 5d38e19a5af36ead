"""Each platform's own handshake, request check and reply format.

`verify` looks only at what verification needs (the query, the signature headers, the <Encrypt> of an
encrypted body) and raises `Forbidden` for anything it cannot verify; only then does `read` parse the
message. Nothing here writes: the nonce and once-only records are `callback`'s.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field

from ..errors import DomainError, Forbidden
from . import xml
from .config import Credentials
from .crypto import CryptoError, MessageCrypt, dingtalk_signature, same, sha1_signature

FRESH_S = 300  # a signed request older (or newer) than 5 minutes is refused
MAX_ID_CHARS = 128
DINGTALK_WEBHOOK = "https://oapi.dingtalk.com/"  # a sessionWebhook anywhere else is not DingTalk's

# Menu buttons (CLICK events) send their key; the conversation gets the text the button stands for.
MENU = {
    "WISH_LIST": "心愿清单",
    "HELP": "帮助",
    "MY_CLAIMS": "我的认领",
    "REVIEW_QUEUE": "待审核",
    "MAKE_WISH": "许愿",
}
NOT_TEXT_HINT = "目前只能看懂文字：发送“心愿清单”看附近的心愿，“帮助”看全部说法。"


@dataclass(frozen=True)
class Request:
    method: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: str


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: str


@dataclass(frozen=True)
class Verified:
    """A request whose signature checked: its nonce and what it carries (decrypted, not yet parsed)."""

    timestamp: str
    nonce: str
    digest: str  # the request's fingerprint: a retry has the same, a replay under the same nonce another
    payload: str
    encrypted: bool = False


@dataclass(frozen=True)
class Inbound:
    user: str
    message_id: str
    account: str = ""  # our side's id (ToUserName), the passive reply's sender
    text: str | None = None  # None: nothing to act on (an image, an unsubscribe...)
    hint: str | None = None  # a fixed answer for what is not text
    session_webhook: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _fresh(timestamp: str, now: float, unit: float = 1.0) -> None:
    try:
        moment = int(timestamp) / unit
    except ValueError:
        raise Forbidden("the timestamp is not a number") from None
    if abs(now - moment) > FRESH_S:
        raise Forbidden("the timestamp is more than 5 minutes away")


def _required(values: dict[str, str], *names: str) -> list[str]:
    found = [values.get(name, "") for name in names]
    if not all(found):
        raise Forbidden("the request is not signed")
    return found


def message_id(raw: str) -> str:
    """A platform's message id as a key part: long ones are hashed (keys stay small)."""
    return raw if len(raw) <= MAX_ID_CHARS else hashlib.sha256(raw.encode()).hexdigest()


def _wechat_style(fields: dict[str, str], account_field: str = "ToUserName") -> Inbound:
    """A WeChat or WeCom message document: text, a menu click, a subscription; anything else a hint."""
    user = fields.get("FromUserName", "")
    if not user:
        raise DomainError("the message has no sender")
    account = fields.get(account_field, "")
    kind = fields.get("MsgType", "")
    event_id = message_id(f"{user}#{fields.get('CreateTime', '')}")  # events carry no MsgId
    if kind == "text":
        text = fields.get("Content", "").strip()
        return Inbound(user, message_id(fields.get("MsgId", "")) or event_id, account, text=text)
    if kind == "event":
        event = fields.get("Event", "").lower()
        if event == "click":
            key = fields.get("EventKey", "")
            return Inbound(user, event_id, account, text=MENU.get(key, key).strip())
        if event in ("subscribe", "enter_agent"):
            return Inbound(user, event_id, account, text="帮助")
        return Inbound(user, event_id, account)
    return Inbound(user, message_id(fields.get("MsgId", "") or event_id), account, hint=NOT_TEXT_HINT)


class WeChat:
    """Official account (公众号): plain mode (only the query is signed) or safe mode (the body is encrypted)."""

    name = "wechat"
    empty = Answer(200, "text/plain; charset=utf-8", "success")

    def verify(self, request: Request, creds: Credentials, now: float) -> Verified:
        signature, timestamp, nonce = _required(request.query, "signature", "timestamp", "nonce")
        _fresh(timestamp, now)
        if not same(signature, sha1_signature(creds.get("token"), timestamp, nonce)):
            raise Forbidden("the signature does not match")
        if request.method == "GET":
            return Verified(timestamp, nonce, _digest(signature), request.query.get("echostr", ""))
        if not creds.get("encoding_aes_key"):
            if request.query.get("encrypt_type", "raw") != "raw":
                raise Forbidden("this account is not set up for encrypted messages")
            # Plain mode signs only the query: the nonce record ties it to this body (callback).
            return Verified(timestamp, nonce, _digest(signature, request.body), request.body)
        # Safe mode: a plain body is refused, the <Encrypt> must carry msg_signature.
        if request.query.get("encrypt_type") != "aes":
            raise Forbidden("this account takes encrypted messages only")
        (msg_signature,) = _required(request.query, "msg_signature")
        crypt = self.crypt(creds)
        encrypted = _encrypt_field(request.body)
        if not crypt.verify(msg_signature, timestamp, nonce, encrypted):
            raise Forbidden("the message signature does not match")
        return Verified(timestamp, nonce, _digest(msg_signature, encrypted), _decrypt(crypt, encrypted), True)

    @staticmethod
    def crypt(creds: Credentials) -> MessageCrypt:
        return MessageCrypt(creds.get("token"), creds.get("encoding_aes_key"), creds.get("app_id"))

    def handshake(self, verified: Verified, creds: Credentials) -> str:
        return verified.payload

    def read(self, verified: Verified) -> Inbound:
        return _wechat_style(_fields(verified.payload))

    def reply(self, inbound: Inbound, text: str, verified: Verified, creds: Credentials, now: float) -> Answer:
        document = xml.text_reply(inbound.user, inbound.account, int(now), text)
        if verified.encrypted:
            document = _encrypt_reply(self.crypt(creds), document, now)
        return Answer(200, "application/xml; charset=utf-8", document)


class WeCom:
    """Self-built application (企业微信自建应用): every callback encrypted, the corp id as receive id."""

    name = "wecom"
    empty = Answer(200, "text/plain; charset=utf-8", "")

    @staticmethod
    def crypt(creds: Credentials) -> MessageCrypt:
        return MessageCrypt(creds.get("token"), creds.get("encoding_aes_key"), creds.get("corp_id"))

    def verify(self, request: Request, creds: Credentials, now: float) -> Verified:
        signature, timestamp, nonce = _required(request.query, "msg_signature", "timestamp", "nonce")
        _fresh(timestamp, now)
        crypt = self.crypt(creds)
        if request.method == "GET":
            (encrypted,) = _required(request.query, "echostr")
        else:
            encrypted = _encrypt_field(request.body)
        if not crypt.verify(signature, timestamp, nonce, encrypted):
            raise Forbidden("the message signature does not match")
        return Verified(timestamp, nonce, _digest(signature, encrypted), _decrypt(crypt, encrypted), True)

    def handshake(self, verified: Verified, creds: Credentials) -> str:
        return verified.payload  # the decrypted echostr

    def read(self, verified: Verified) -> Inbound:
        fields = _fields(verified.payload)
        inbound = _wechat_style(fields)
        return Inbound(**{**inbound.__dict__, "extra": {"agent_id": fields.get("AgentID", "")}})

    def reply(self, inbound: Inbound, text: str, verified: Verified, creds: Credentials, now: float) -> Answer:
        document = xml.text_reply(inbound.user, inbound.account, int(now), text)
        return Answer(200, "application/xml; charset=utf-8", _encrypt_reply(self.crypt(creds), document, now))


class DingTalk:
    """Enterprise robot, outgoing (钉钉机器人): `timestamp` (ms) and `sign` headers, JSON both ways."""

    name = "dingtalk"
    empty = Answer(200, "application/json", "{}")

    def verify(self, request: Request, creds: Credentials, now: float) -> Verified:
        timestamp, sign = _required(request.headers, "timestamp", "sign")
        _fresh(timestamp, now, unit=1000.0)
        if not same(sign, dingtalk_signature(creds.get("app_secret"), timestamp)):
            raise Forbidden("the sign does not match")
        # The sign covers the timestamp only: the nonce record (keyed by it) ties it to this body.
        return Verified(timestamp, sign, _digest(sign, request.body), request.body)

    def handshake(self, verified: Verified, creds: Credentials) -> str:  # pragma: no cover - POST only
        raise DomainError("DingTalk robots have no handshake")

    def read(self, verified: Verified) -> Inbound:
        try:
            message = json.loads(verified.payload)
        except (ValueError, RecursionError):
            raise DomainError("the message is not JSON") from None
        if not isinstance(message, dict):
            raise DomainError("the message is not a JSON object")
        user = str(message.get("senderStaffId") or message.get("senderId") or "")
        if not user:
            raise DomainError("the message has no sender")
        raw_id = str(message.get("msgId") or "")
        if not raw_id:
            raise DomainError("the message has no msgId")
        webhook = str(message.get("sessionWebhook") or "")
        webhook = webhook if webhook.startswith(DINGTALK_WEBHOOK) else ""
        text_part = message.get("text")
        if message.get("msgtype") == "text" and isinstance(text_part, dict):
            text = str(text_part.get("content") or "").strip()
            return Inbound(user, message_id(raw_id), text=text, session_webhook=webhook)
        return Inbound(user, message_id(raw_id), hint=NOT_TEXT_HINT, session_webhook=webhook)

    def reply(self, inbound: Inbound, text: str, verified: Verified, creds: Credentials, now: float) -> Answer:
        body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False)
        return Answer(200, "application/json", body)


def _fields(document: str) -> dict[str, str]:
    try:
        return xml.fields(document)
    except xml.XmlError as error:
        raise DomainError(f"the message is not the platform's XML: {error}") from None


def _encrypt_field(body: str) -> str:
    """The <Encrypt> of an encrypted callback: the one thing read before the signature is checked."""
    try:
        encrypted = xml.fields(body).get("Encrypt", "")
    except xml.XmlError:
        raise Forbidden("the body is not an encrypted message") from None
    if not encrypted:
        raise Forbidden("the body is not an encrypted message")
    return encrypted


def _decrypt(crypt: MessageCrypt, encrypted: str) -> str:
    try:
        return crypt.decrypt(encrypted)
    except CryptoError:
        raise Forbidden("the message does not decrypt for this account") from None


def _encrypt_reply(crypt: MessageCrypt, document: str, now: float) -> str:
    timestamp, nonce = str(int(now)), str(secrets.randbelow(10**10))
    encrypted = crypt.encrypt(document)
    return xml.encrypted_reply(encrypted, crypt.signature(timestamp, nonce, encrypted), timestamp, nonce)


PLATFORMS: dict[str, WeChat | WeCom | DingTalk] = {"wechat": WeChat(), "wecom": WeCom(), "dingtalk": DingTalk()}
