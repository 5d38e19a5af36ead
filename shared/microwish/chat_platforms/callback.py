"""One flow for every platform's callback:

1. not configured → 404 (no SSM call: config is read per process);
2. `verify`: the timestamp within 5 minutes, the signature (and, encrypted, the message signature and
   the decryption) → 403 for anything that does not check, before the message is parsed;
3. the nonce, recorded with the request's fingerprint: the same request again is the platform retrying
   it and goes on; another request under a used nonce is a replay → 403;
4. the message, once: the first delivery takes it (a conditional put of its record) and answers; a
   retry gets the reply kept on the record, or an empty answer while the first is still at it;
5. `respond` (the conversation, microwish.chat.conversation) → the passive reply. When that took
   longer than the platform waits (REPLY_BUDGET_S, WeChat and WeCom hang up at 5 s and retry), the
   reply goes to the chat reply queue instead and the worker sends it through the platform's send API.

Nothing the user typed, and no reply, reaches a log line.
"""

from __future__ import annotations

import os
import time
from typing import Any, cast

from aws_lambda_powertools import Logger

from ..chat.conversation import ChatMessage, Platform, respond
from ..errors import Forbidden, NotFound
from ..repository import WishRepository
from ..repository.chat_messages import REPLIED, SENT_LATER, ChatMessageStore
from ..settings import Settings
from . import config, outbound
from .platforms import PLATFORMS, Answer, Request

logger = Logger(child=True)

REPLY_BUDGET_S = 4.0
NONCE_TTL_S = 900  # longer than the freshness window on both sides of now
MESSAGE_TTL_S = 600  # retries come within a minute; the reply (which may echo what the user typed) goes soon
SORRY = "系统忙，请稍后再发一次。"


def now_seconds() -> float:
    """Real time (not the platform clock of /dev/clock): the platforms sign with theirs."""
    return time.time()


def handle(platform_name: str, request: Request, repo: WishRepository, settings: Settings, started: float) -> Answer:
    creds = config.credentials(platform_name)
    if creds is None:
        raise NotFound(f"{platform_name} is not configured")
    platform = PLATFORMS[platform_name]
    now = now_seconds()
    verified = platform.verify(request, creds, now)
    store = ChatMessageStore(repo.table_name, repo._client)
    if not store.claim_nonce(
        platform_name, verified.timestamp, verified.nonce, verified.digest, int(now), int(now) + NONCE_TTL_S
    ):
        raise Forbidden("the nonce was used by another request")
    if request.method == "GET":
        return Answer(200, "text/plain; charset=utf-8", platform.handshake(verified, creds))
    inbound = platform.read(verified)
    if inbound.text is None:
        if inbound.hint is None:
            return platform.empty  # an event with nothing to say (unsubscribe, a link opened)
        return platform.reply(inbound, inbound.hint, verified, creds, now)
    taken = store.start(platform_name, inbound.message_id, int(now), int(now) + MESSAGE_TTL_S)
    if taken is not None:
        logger.info("chat message retried", extra={"platform": platform_name, "status": taken.get("status")})
        if taken.get("status") == REPLIED:
            return platform.reply(inbound, str(taken.get("reply") or ""), verified, creds, now_seconds())
        return platform.empty  # still being answered, or answered through the send API
    message = ChatMessage(
        platform=cast(Platform, platform_name), user=inbound.user, text=inbound.text, message_id=inbound.message_id
    )
    try:
        reply = respond(message, repo, settings) or SORRY
    except Exception as error:  # the contract says never; if it does, the platform's retry tries again
        logger.error("chat respond failed", extra={"platform": platform_name, "error_type": type(error).__name__})
        store.release(platform_name, inbound.message_id)
        return platform.reply(inbound, SORRY, verified, creds, now_seconds())
    if time.monotonic() - started > REPLY_BUDGET_S:
        store.finish(platform_name, inbound.message_id, SENT_LATER, reply)
        job = {"platform": platform_name, "user": inbound.user, "text": reply, "message_id": inbound.message_id}
        if inbound.session_webhook:
            job["session_webhook"] = inbound.session_webhook
        outbound.enqueue(queue_url(), job)
        logger.info("chat reply late: sent through the platform's API", extra={"platform": platform_name})
        return platform.empty
    store.finish(platform_name, inbound.message_id, REPLIED, reply)
    return platform.reply(inbound, reply, verified, creds, now_seconds())


def queue_url() -> str:
    return os.environ.get("CHAT_REPLY_QUEUE_URL", "")


def deliver_late(job: dict[str, Any], repo: WishRepository) -> None:
    """The chat reply worker's record handler: send a late reply once (SQS may deliver a job twice)."""
    platform, message_id = str(job["platform"]), str(job["message_id"])
    store = ChatMessageStore(repo.table_name, repo._client)
    if not store.take_send(platform, message_id):
        logger.info("chat reply already sent", extra={"platform": platform})
        return
    try:
        outbound.send(job, config.credentials(platform), outbound.outbox_file())
    except Exception:
        store.untake_send(platform, message_id)
        raise
