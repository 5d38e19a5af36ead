"""The channels behind one interface: `send(message)` delivers or raises.

- inbox: an item in the wish table (works the same everywhere);
- sms: SNS Publish to a phone number; email: SES SendEmail; chat: a WeCom-/DingTalk-style
  group robot webhook, signed as DingTalk does, retried with backoff on 5xx and timeouts.
When MICROWISH_OUTBOX_FILE is set (the local runtime), sms, email and chat append one JSON line
{channel, to, subject?, text, event, wish_id, sent_at} to that file instead: nothing leaves the machine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import boto3

from .. import clock
from ..repository import InboxStore

SMS_PREFIX = "【微心愿】"
WEBHOOK_TIMEOUT_S = 3.0
WEBHOOK_ATTEMPTS = 3
WEBHOOK_BACKOFF_S = 0.5  # then 1 s: three tries stay well inside the notifier's timeout
WEBHOOK_DOWN_S = 30.0  # after a webhook failed, fail fast on it for a while (the queue redelivers)
_outbox_lock = threading.Lock()
_down: dict[str, float] = {}  # webhook URL → when it last failed, in this process


class DeliveryError(Exception):
    """A channel could not deliver; the job's record fails and is retried (then dead-lettered)."""


@dataclass(frozen=True)
class Message:
    channel: str
    to: str  # inbox owner, phone, e-mail address, or the chat group's region code
    title: str
    text: str
    event: str
    wish_id: str
    notification_id: str
    created_at: str


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, message: Message) -> None: ...


@cache
def aws_client(service: str) -> Any:
    return boto3.client(service)


def reset() -> None:
    aws_client.cache_clear()
    _down.clear()


def append_outbox(path: str, message: Message, subject: str | None = None) -> None:
    line: dict[str, Any] = {"channel": message.channel, "to": message.to}
    if subject is not None:
        line["subject"] = subject
    line.update(text=message.text, event=message.event, wish_id=message.wish_id, sent_at=clock.now_iso())
    with _outbox_lock, open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")


def e164(phone: str) -> str:
    """A mainland number as SNS wants it: +86 and the digits."""
    digits = "".join(char for char in phone if char.isdigit())
    if phone.strip().startswith("+"):
        return "+" + digits
    return "+86" + digits.lstrip("0") if digits.startswith("0") else "+86" + digits


class InboxChannel:
    name = "inbox"

    def __init__(self, store: InboxStore) -> None:
        self.store = store

    def send(self, message: Message) -> None:
        self.store.put_notification(
            message.to,
            {
                "id": message.notification_id,
                "wish_id": message.wish_id,
                "event": message.event,
                "title": message.title,
                "body": message.text,
                "created_at": message.created_at,
            },
        )


class SmsChannel:
    name = "sms"

    def __init__(self, outbox_file: str = "") -> None:
        self.outbox_file = outbox_file

    def send(self, message: Message) -> None:
        text = SMS_PREFIX + message.text
        if self.outbox_file:
            append_outbox(self.outbox_file, Message(**{**message.__dict__, "text": text}))
            return
        aws_client("sns").publish(
            PhoneNumber=e164(message.to),
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )


class EmailChannel:
    name = "email"

    def __init__(self, sender: str, outbox_file: str = "") -> None:
        self.sender = sender
        self.outbox_file = outbox_file

    def send(self, message: Message) -> None:
        subject = f"微心愿：{message.title}"
        if self.outbox_file:
            append_outbox(self.outbox_file, message, subject=subject)
            return
        if not self.sender:
            raise DeliveryError("no e-mail sender is configured (NOTIFY_EMAIL_SENDER)")
        aws_client("ses").send_email(
            Source=self.sender,
            Destination={"ToAddresses": [message.to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"}},
            },
        )


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """DingTalk's robot signature: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str | None, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": dingtalk_signature(secret, timestamp_ms)})
    return url + ("&" if "?" in url else "?") + query


class ChatChannel:
    """A region's group robot. `groups` maps a region code to {"url", "secret"?, "kind"?}."""

    name = "chat"

    def __init__(self, groups: dict[str, dict[str, Any]], outbox_file: str = "") -> None:
        self.groups = groups
        self.outbox_file = outbox_file

    def send(self, message: Message) -> None:
        text = f"{SMS_PREFIX}{message.title}\n{message.text}"
        if self.outbox_file:
            append_outbox(self.outbox_file, Message(**{**message.__dict__, "text": text}))
            return
        group = self.groups.get(message.to)
        if not group or not group.get("url"):
            raise DeliveryError(f"no chat group is configured for region {message.to}")
        body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
        post_webhook(group["url"], group.get("secret"), body)


def post_webhook(url: str, secret: str | None, body: bytes) -> None:
    """POST with retries on 5xx, timeouts and connection errors; raise when it did not get through."""
    failed_at = _down.get(url)
    if failed_at is not None and time.monotonic() - failed_at < WEBHOOK_DOWN_S:
        raise DeliveryError("the chat webhook failed moments ago; not trying it again yet")
    last: str = ""
    for attempt in range(WEBHOOK_ATTEMPTS):
        if attempt:
            time.sleep(WEBHOOK_BACKOFF_S * 2 ** (attempt - 1))
        request = urllib.request.Request(
            signed_url(url, secret),
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
                answer = response.read()
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}"
            if error.code >= 500:
                continue
            raise DeliveryError(f"the chat webhook refused the message: {last}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            last = type(error).__name__
            continue
        try:
            result = json.loads(answer or b"{}")
        except ValueError:
            result = {}
        # DingTalk and WeCom answer 200 with {"errcode": 0} on success, another errcode on failure.
        if isinstance(result, dict) and result.get("errcode", 0) not in (0, "0"):
            raise DeliveryError(f"the chat webhook answered errcode {result.get('errcode')}")
        _down.pop(url, None)
        return
    _down[url] = time.monotonic()
    raise DeliveryError(f"the chat webhook failed after {WEBHOOK_ATTEMPTS} attempts ({last})")
