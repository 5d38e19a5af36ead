"""The notifier: a job from the queue → every channel of its recipient, each sent once.

Channels of a recipient:
- always its inbox (user#<sub>, region#<code> or admins#<code>); a registry unit: each member's inbox
  (user#<sub>), read with one Query of the unit's partition, and nothing else;
- a person (resident, donor): SMS and e-mail when their preferences opt in and name a number/address;
- a region (its officers): the SMS numbers, e-mail addresses and chat group configured for it;
- the admins: their configured SMS/e-mail contacts and the top region's chat group.

Exactly once per (event, recipient address, channel): every send but the inbox goes through
Powertools idempotency keyed on that triple, in the idempotency table (TTL). A send that raised
leaves no record, so a redelivery tries it again; one that succeeded is never repeated, even when
the same job comes again (stream retries, SQS redelivery) or another job names the same address
(the top region's chat hears an at-risk wish once, though officers and admins both are told).
The inbox is idempotent by itself: the item's key is derived from the event and the owner and
written only if absent. One failed channel fails the job (after the others were tried), so the
queue redelivers it and, after maxReceiveCount receipts, dead-letters it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger

from ..repository.inbox import InboxStore, created_at_of
from ..repository.table import dynamodb_client
from ..settings import get_settings
from . import channels, contacts
from .channels import Channel, ChatChannel, DeliveryError, EmailChannel, InboxChannel, Message, SmsChannel
from .config import NotifyConfig
from .recipients import Job, notification_id
from .verification import CappedChannel

logger = Logger(child=True)
MIN_REMAINING_MS = 1_000  # nearly out of time: leave the record for a redelivery rather than start it


@dataclass
class Outcome:
    sent: list[str]


def plan(job: Job, store: InboxStore, known: contacts.Contacts) -> list[Message]:
    """Every (channel, address) this job goes to."""
    recipient = job.recipient
    owner = recipient.inbox_owner
    note_id = notification_id(job.at, job.event_key, owner)
    created_at = created_at_of(note_id) or job.at

    def message(channel: str, to: str) -> Message:
        return Message(
            channel=channel,
            to=to,
            title=job.title,
            text=job.body,
            event=job.event,
            wish_id=job.wish_id,
            notification_id=note_id,
            created_at=created_at,
        )

    if recipient.kind == "unit":
        # A unit's members, each in their own inbox (an id per event and member: written once however often the
        # job comes); their inbox only, no SMS or e-mail. One Query of the unit's partition, never a Scan.
        from ..repository.units import UnitStore  # why: cold start (the registry's models: only for a unit)

        members = UnitStore(store.table_name, store.client).member_subs(recipient.id)
        return [_member_message(job, f"user#{sub}") for sub in members]
    messages = [message("inbox", owner)]
    if recipient.kind == "person":
        prefs = store.get_preferences(recipient.id) or {}
        # Only a verified number/address is ever used (verification.py).
        if prefs.get("sms") and prefs.get("phone") and prefs.get("phone_verified") is True:
            messages.append(message("sms", prefs["phone"]))
        if prefs.get("email") and prefs.get("email_address") and prefs.get("email_verified") is True:
            messages.append(message("email", prefs["email_address"]))
    else:
        unit = known.region(recipient.id) if recipient.kind == "region" else known.admins
        messages += [message("sms", phone) for phone in unit.sms]
        messages += [message("email", address) for address in unit.email]
        if recipient.chat_region and known.region(recipient.chat_region).chat:
            messages.append(message("chat", recipient.chat_region))
    return messages


def _member_message(job: Job, owner: str) -> Message:
    note_id = notification_id(job.at, job.event_key, owner)
    return Message(
        channel="inbox",
        to=owner,
        title=job.title,
        text=job.body,
        event=job.event,
        wish_id=job.wish_id,
        notification_id=note_id,
        created_at=created_at_of(note_id) or job.at,
    )


class Notifier:
    def __init__(
        self,
        store: InboxStore,
        config: NotifyConfig,
        once: Callable[..., Any],
        channel_set: dict[str, Channel] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.once = once
        self.channel_set = channel_set

    def _channels(self, known: contacts.Contacts) -> dict[str, Channel]:
        if self.channel_set is not None:
            return self.channel_set
        outbox = self.config.outbox_file
        cap = self.config.daily_cap
        return {
            "inbox": InboxChannel(self.store),
            "sms": CappedChannel(SmsChannel(outbox), self.store, cap),
            "email": CappedChannel(EmailChannel(self.config.email_sender, outbox), self.store, cap),
            "chat": ChatChannel(known.chat_groups(), outbox),
        }

    def deliver(self, job: Job) -> Outcome:
        known = contacts.load(self.config.contacts_parameter, self.config.contacts_cache_seconds)
        channel_set = self._channels(known)
        failures: list[str] = []
        outcome = Outcome([])
        for message in plan(job, self.store, known):
            channel = channel_set[message.channel]
            try:
                if message.channel == "inbox":
                    channel.send(message)
                else:
                    key = {"event_key": job.event_key, "channel": message.channel, "to": message.to}
                    self.once(send=key, channel=channel, message=message)
                outcome.sent.append(message.channel)
            except Exception as error:  # one channel's failure must not stop the others
                failures.append(f"{message.channel}: {type(error).__name__}")
                logger.warning(
                    "notification channel failed",
                    extra={
                        "channel": message.channel,
                        "event": job.event,
                        "wish_id": job.wish_id,
                        "error_type": type(error).__name__,
                    },
                )
        if failures:
            raise DeliveryError("; ".join(failures))
        return outcome


# ---------------------------------------------------------------- per process
@cache
def _idempotency(table_name: str, ttl_seconds: int) -> tuple[Callable[..., Any], Any]:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(
        event_key_jmespath="[event_key, channel, to]",
        expires_after_seconds=ttl_seconds,
        raise_on_no_idempotency_key=True,
    )
    # The process's own DynamoDB client: left to itself the layer opens a second boto3 session (another
    # load of the service model on the first message of every container; issue 15).
    store = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=dynamodb_client())

    def send_once(send: dict[str, str], channel: Channel, message: Message) -> dict[str, Any]:
        channel.send(message)
        return {"sent": True}

    # Wrapped by call: Powertools' decorator is unannotated, and would leave the function untyped.
    # The name stays `send_once`: the idempotency records are keyed by the function's qualified name.
    remembered: Callable[..., dict[str, Any]] = idempotent_function(
        send_once, data_keyword_argument="send", persistence_store=store, config=config
    )
    return remembered, config


@cache
def notifier() -> Notifier:
    settings = get_settings()
    config = NotifyConfig.from_env()
    once, _ = _idempotency(settings.idempotency_table_name, int(config.sent_ttl_days * 86400))
    return Notifier(InboxStore(settings.wish_table_name), config, once)


def register_lambda_context(context: Any) -> None:
    if context is None:
        return
    settings = get_settings()
    config = NotifyConfig.from_env()
    _, idempotency_config = _idempotency(settings.idempotency_table_name, int(config.sent_ttl_days * 86400))
    idempotency_config.register_lambda_context(context)


def record_handler(record: Any, lambda_context: Any = None) -> None:
    """One SQS record: a job, delivered on every channel, or an exception (the record fails)."""
    if lambda_context is not None and lambda_context.get_remaining_time_in_millis() < MIN_REMAINING_MS:
        raise DeliveryError("not enough time left in this invocation; the queue will redeliver it")
    job = Job.model_validate(json.loads(record.body))  # a malformed message fails and is dead-lettered
    outcome = notifier().deliver(job)
    logger.info(
        "notified",
        extra={
            "event": job.event,
            "wish_id": job.wish_id,
            "audience": job.audience,
            "channels": outcome.sent,
        },
    )


def reset() -> None:
    """Forget per-process state (tests run many stacks in one process)."""
    notifier.cache_clear()
    _idempotency.cache_clear()
    contacts.reset()
    channels.reset()
