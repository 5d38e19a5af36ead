"""`Idempotency-Key` on every POST: exactly one effect per key, whatever dies when (issue 16 §1).

A route opts in with `middlewares=[idempotent]` (or `idempotent_replaying(...)`). A request with the header
runs inside the key's scope (`microwish.once`), with no read first:
- the first transaction it commits also writes the key's record, only if absent, WITH the answer the use
  case said before committing (`once.answering`): change, record and answer commit together or not at all,
  in one write round trip (issue 15); what it creates gets ids derived from the key;
- a duplicate whose change would commit fails on the record's guard, which hands back the record: its
  answer again, no second effect (another body under the key: 422); a duplicate refused because the first
  changed the state first reads the record and gets the first answer the same way;
- a request that committed nothing (the change was made before, or is one write outside a transaction)
  keeps its answer with one conditional put, or, if the key has a record, answers what that record says;
  one that committed several changes (a batch claimed wish by wish) keeps its answer after the last;
- a record without an answer (a first run that died before keeping a later-kept answer, or a record from
  before answers rode in the transaction): the answer rebuilt from the table by the route's `replay` (the
  wish, or what the key created), or 409 while it cannot be.
Records hold no personal data: a private view is kept as its public part, and a replay re-attaches the
private part for a caller still entitled to it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from pydantic import BaseModel

from .. import once
from ..auth import Caller
from ..errors import Conflict, DomainError, InvalidInput
from ..models import WishPrivateView, WishPublicView
from ..repository import WishRepository
from ..repository.idempotency import IdempotencyRecords, answer_of
from ..services.views import replayed_view
from .context import caller, repository, settings

logger = Logger(child=True)
_MAX_KEY_LENGTH = 128
_RECORD_DAYS = 1

# Rebuilds a route's answer from the table, for a key whose change committed but whose answer was not kept.
Replay = Callable[[APIGatewayHttpResolver, Caller, WishRepository, once.KeyedRequest], Response[Any]]


@cache
def records() -> IdempotencyRecords:
    return IdempotencyRecords(settings().idempotency_table_name)


def path_id(app: APIGatewayHttpResolver) -> str:
    return str(app.context.get("_route_args", {}).get("id", ""))


def replay_wish(
    app: APIGatewayHttpResolver, who: Caller, repo: WishRepository, _: once.KeyedRequest
) -> Response[WishPublicView | WishPrivateView]:
    """The wish the route acted on (the path's `id`), in the view its caller may see."""
    from ..services import wishes  # here: every API function imports this module, few need the wish service

    return Response(200, "application/json", wishes.get_wish(who, path_id(app), repo))


def in_progress() -> Conflict:
    return Conflict("a request with this Idempotency-Key is still in progress; retry shortly")


def still_in_progress(*_: Any) -> Response[Any]:
    """For routes whose change is one write (no transaction carries the record): nothing to rebuild from."""
    raise in_progress()


def idempotent(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """A route middleware for routes that act on the wish in their path (and answer 200)."""
    return _once(app, next_middleware, replay_wish, 200)


def idempotent_replaying(
    replay: Replay, status: int = 200
) -> Callable[[APIGatewayHttpResolver, NextMiddleware], Response[Any]]:
    """A route middleware for routes whose answer is something else (a claim, a new wish, a batch);
    `status`: the route's answer when it succeeds, kept with the body its use case says before committing."""

    def idempotent_route(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
        return _once(app, next_middleware, replay, status)

    return idempotent_route


def _once(app: APIGatewayHttpResolver, next_middleware: NextMiddleware, replay: Replay, status: int) -> Response[Any]:
    event = app.current_event
    key = (event.headers or {}).get("idempotency-key")
    if key is None:
        return next_middleware(app)
    if not key.strip() or len(key) > _MAX_KEY_LENGTH:
        raise InvalidInput("Idempotency-Key", f"must be 1 to {_MAX_KEY_LENGTH} characters")
    who = caller(app)
    request = once.KeyedRequest(
        record_id=once.record_id(who.sub or "anonymous", f"{event.http_method} {event.path}", key),
        # Parsed (validation already did it): the same JSON spelled otherwise is the same request.
        payload_hash=once.payload_hash(event.json_body if event.body else None),
        expires_at=int(time.time()) + _RECORD_DAYS * 24 * 3600,
        table_name=settings().idempotency_table_name,
        keep=lambda body: _kept(Response(status, "application/json", body)),
    )
    with once.keyed(request):
        try:
            response = next_middleware(app)
        except once.AlreadyDone as done:
            return _answer(done.record or records().get(request.record_id), request, app, who, replay)
        except DomainError:
            # Refused now because a duplicate changed the state first? Then its answer is ours too.
            found = records().get(request.record_id)
            if found is None:
                raise
            return _answer(found, request, app, who, replay)
    if not 200 <= response.status_code < 300:
        return response
    kept = _kept(response)
    if request.answered is not None:  # the record committed with the answer: nothing more to write
        if request.answered != kept:  # a use case said another answer than its route gave: the route's counts
            logger.error("idempotency answer differs from the route's", extra={"route": event.path})
            records().remember_answer(request, kept, replace=True)
        return response
    if request.recorded:  # committed several changes (or said no answer): the answer is known only now
        records().remember_answer(request, kept)
        return response
    first = records().keep_first(request, kept)  # committed nothing: the first answer under the key stands
    return response if first is None else _answer(first, request, app, who, replay)


def _answer(
    found: dict[str, Any] | None, request: once.KeyedRequest, app: APIGatewayHttpResolver, who: Caller, replay: Replay
) -> Response[Any]:
    if found is None:  # cannot be: the record is never deleted before its TTL; say so rather than guess
        raise in_progress()
    if found.get("payload_hash") != request.payload_hash:
        reused = InvalidInput("Idempotency-Key", "was used before with another body")
        reused.extensions["errors"][0]["type"] = "idempotency_key_reused"
        raise reused
    kept = answer_of(found)
    if kept is None:
        return replay(app, who, repository(), request)
    answer = json.loads(kept)
    body = answer["body"]
    if answer.get("private_wish"):  # the private part as the table holds it now, if still entitled
        body = replayed_view(who, body, repository())
    return Response(status_code=int(answer["status"]), content_type=answer["content_type"], body=body)


def _kept(response: Response[Any]) -> str:
    """What the record keeps of an answer: everything but a private view's private part."""
    body = response.body.model_dump(mode="json") if isinstance(response.body, BaseModel) else response.body
    if isinstance(body, (str, bytes)):
        body = json.loads(body)
    kept: dict[str, Any] = {
        "status": response.status_code,
        "content_type": response.headers.get("Content-Type", "application/json"),
    }
    if isinstance(body, dict) and body.get("view") == "private":
        public = {name: body[name] for name in WishPublicView.model_fields if name in body}
        kept.update(private_wish=True, body={**public, "view": "public"})
    else:
        kept["body"] = body
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def reset() -> None:
    records.cache_clear()
