"""A person's SMS number and e-mail address are used only once verified, and no address gets more
than a capped number of messages a day (issue 14, leak 8).

- `PUT /me/preferences` with a new number/address stores it unverified and sends a 6-digit code to
  it (through the same channel code as notifications: SNS/SES, locally the outbox);
- `POST /me/preferences/verification {"channel", "code"}` verifies it: a wrong code is a 422 and
  counts an attempt (MAX_ATTEMPTS, then the code is void: 429), a code lives CODE_TTL_S;
- the codes are stored hashed (salted SHA-256 over the address and the code), never in clear;
- every SMS and e-mail (codes and notifications) first takes a slot of its address's daily counter
  (a conditional ADD on one item per address hash and China day); over the cap it is not sent, and the
  log line says so without the address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger

from .. import clock
from ..errors import Conflict, InvalidInput, TooManyRequests
from ..repository import InboxStore
from .channels import Channel, EmailChannel, Message, SmsChannel, e164
from .config import NotifyConfig

logger = Logger(child=True)

CODE_TTL_S = 10 * 60
MAX_ATTEMPTS = 5
# channel → (the preferences field holding its address, the field saying it is verified)
CHANNELS: dict[str, tuple[str, str]] = {
    "sms": ("phone", "phone_verified"),
    "email": ("email_address", "email_verified"),
}
CHINA = timedelta(hours=8)


def normalized(channel: str, address: str) -> str:
    return e164(address) if channel == "sms" else address.strip().lower()


def recipient_hash(channel: str, address: str) -> str:
    return hashlib.sha256(f"{channel}:{normalized(channel, address)}".encode()).hexdigest()[:32]


def code_hash(salt: str, channel: str, address: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{channel}:{normalized(channel, address)}:{code}".encode()).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


# ---------------------------------------------------------------- the daily cap per address
def take_send_slot(store: InboxStore, channel: str, address: str, cap: int) -> bool:
    today = clock.now() + CHINA
    expires_at = int((today + timedelta(days=2)).timestamp())
    return store.take_send_slot(recipient_hash(channel, address), today.strftime("%Y-%m-%d"), cap, expires_at)


@dataclass
class CappedChannel:
    """A channel whose every send first takes a slot of the address's daily counter."""

    inner: Channel
    store: InboxStore
    cap: int

    @property
    def name(self) -> str:
        return self.inner.name

    def send(self, message: Message) -> None:
        if not take_send_slot(self.store, message.channel, message.to, self.cap):
            # Skipped, not failed: a retry would be refused too. No address in the log line.
            logger.warning(
                "daily message cap of the recipient reached; not sent",
                extra={"channel": message.channel, "event": message.event, "wish_id": message.wish_id},
            )
            return
        self.inner.send(message)


# ---------------------------------------------------------------- codes
def pending_code_usable(item: dict[str, Any], channel: str, now: str) -> bool:
    return (
        bool(item.get(f"{channel}_code_hash"))
        and str(item.get(f"{channel}_code_expires_at", "")) > now
        and int(item.get(f"{channel}_code_attempts", 0)) < MAX_ATTEMPTS
    )


def plan_code(item: dict[str, Any], channel: str, address: str | None, now: str) -> tuple[dict[str, Any], str | None]:
    """The verification fields of `channel` after storing `address`, and the code to send (or None).

    Same address as stored: verified stays verified, a usable pending code stays (no new message);
    a new address, or one whose code expired or was used up, gets a new code."""
    address_field, verified_field = CHANNELS[channel]
    fields = [
        verified_field,
        f"{channel}_code_hash",
        f"{channel}_code_salt",
        f"{channel}_code_expires_at",
        f"{channel}_code_attempts",
    ]
    same = (
        address is not None
        and item.get(address_field) is not None
        and normalized(channel, item[address_field]) == normalized(channel, address)
    )
    if address is None:
        return {verified_field: False}, None
    if same and (item.get(verified_field) or pending_code_usable(item, channel, now)):
        return {field: item[field] for field in fields if field in item}, None
    code, salt = new_code(), secrets.token_hex(16)
    expires_at = clock.iso(clock.parse(now) + timedelta(seconds=CODE_TTL_S))
    return {
        verified_field: False,
        f"{channel}_code_hash": code_hash(salt, channel, address, code),
        f"{channel}_code_salt": salt,
        f"{channel}_code_expires_at": expires_at,
        f"{channel}_code_attempts": 0,
    }, code


def code_message(channel: str, address: str, code: str) -> Message:
    minutes = CODE_TTL_S // 60
    return Message(
        channel=channel,
        to=address,
        title="验证码",
        text=f"您的验证码是 {code}，{minutes} 分钟内有效。如非本人操作，请忽略。",
        event="verification",
        wish_id="",
        notification_id="",
        created_at=clock.now_iso(),
    )


def code_channels(config: NotifyConfig) -> dict[str, Channel]:
    return {"sms": SmsChannel(config.outbox_file), "email": EmailChannel(config.email_sender, config.outbox_file)}


def send_code(
    store: InboxStore,
    config: NotifyConfig,
    channel: str,
    address: str,
    code: str,
    channel_set: dict[str, Channel] | None = None,
) -> None:
    (channel_set or code_channels(config))[channel].send(code_message(channel, address, code))


def check_cap_for_code(store: InboxStore, config: NotifyConfig, channel: str, address: str) -> None:
    if not take_send_slot(store, channel, address, config.daily_cap):
        raise TooManyRequests(
            f"{CHANNELS[channel][0]}: this address has had the most messages it may get today; try tomorrow",
            errors=[{"field": CHANNELS[channel][0], "message": "daily message limit of this address reached"}],
        )


def verify(store: InboxStore, sub: str, channel: str, code: str) -> dict[str, Any]:
    """The preferences item after a right code; InvalidInput / TooManyRequests / Conflict otherwise."""
    item = store.get_preferences(sub) or {}
    address_field, verified_field = CHANNELS[channel]
    address = item.get(address_field)
    expected = item.get(f"{channel}_code_hash")
    if not address or not expected:
        if address and item.get(verified_field):
            raise Conflict(f"{address_field} is verified already")
        raise Conflict(f"no code is pending for {channel}: PUT /me/preferences with the {address_field} first")
    if int(item.get(f"{channel}_code_attempts", 0)) >= MAX_ATTEMPTS:
        raise TooManyRequests("too many wrong codes: PUT /me/preferences again for a new code")
    now = clock.now_iso()
    if str(item.get(f"{channel}_code_expires_at", "")) <= now:
        raise InvalidInput("code", "has expired: PUT /me/preferences again for a new code")
    given = code_hash(str(item.get(f"{channel}_code_salt", "")), channel, address, code)
    if not hmac.compare_digest(given, expected):
        attempts = store.count_wrong_code(sub, channel, expected, MAX_ATTEMPTS)
        if attempts is None or attempts >= MAX_ATTEMPTS:  # that was the last try: the code is void
            raise TooManyRequests("too many wrong codes: PUT /me/preferences again for a new code")
        raise InvalidInput("code", "is not the code we sent")
    verified = store.mark_verified(sub, channel, verified_field, expected, MAX_ATTEMPTS, now)
    if verified is None:
        raise Conflict("the preferences changed meanwhile: PUT /me/preferences again for a new code")
    return verified
