"""`Idempotency-Key` on every POST, with Powertools idempotency.

The record is keyed by (caller, route, key) and remembers the body's hash: the same key and body
give the same response again without a second effect; the same key with another body is a 422.
Only answers are remembered: a request that failed with an error may be sent again.
Records hold no personal data: a wish's private view is remembered as its public part, and a replay
re-attaches the private part from the table for a caller still entitled to it (the view of an erased
wish replays erased). The first answer is the one computed, not read back from the record.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel

from ..errors import InvalidInput
from ..models import WishPublicView
from ..services.views import replayed_view
from .context import caller, repository, settings

_MAX_KEY_LENGTH = 128


@cache
def _config():  # noqa: ANN202 - imported lazily: GET-only functions never pay for it
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath="[caller, route, key]", payload_validation_jmespath="body",
                             expires_after_seconds=24 * 3600)


@cache
def _remembered() -> Callable[..., dict[str, Any]]:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    store = DynamoDBPersistenceLayer(table_name=settings().idempotency_table_name)

    @idempotent_function(data_keyword_argument="request", persistence_store=store, config=_config())
    def run(request: dict[str, Any], compute: Callable[[], Response]) -> dict[str, Any]:
        response = compute()
        body = response.body.model_dump(mode="json") if isinstance(response.body, BaseModel) else response.body
        record = {"status": response.status_code, "content_type": response.headers.get("Content-Type",
                                                                                        "application/json")}
        if isinstance(body, dict) and body.get("view") == "private":
            # No personal data in the record (issue 14): the wish's public part only; a replay re-reads the rest.
            return {**record, "private_wish": True, "body": {
                **{name: body[name] for name in WishPublicView.model_fields if name in body}, "view": "public"}}
        return {**record, "body": body}

    return run


def register_lambda_context(context: Any) -> None:
    if context is not None:
        _config().register_lambda_context(context)


def idempotent(app: APIGatewayHttpResolver, compute: Callable[[], Response]) -> Response:
    """Run `compute` once per Idempotency-Key; without the header, just run it."""
    event = app.current_event
    key = (event.headers or {}).get("idempotency-key")
    if key is None:
        return compute()
    if not key.strip() or len(key) > _MAX_KEY_LENGTH:
        raise InvalidInput("Idempotency-Key", f"must be 1 to {_MAX_KEY_LENGTH} characters")
    request = {"caller": caller(app).sub or "anonymous", "route": f"{event.http_method} {event.path}",
               # Parsed (validation already did it): the same JSON spelled otherwise is the same request.
               "key": key, "body": event.json_body if event.body else None}
    computed: list[Response] = []

    def compute_once() -> Response:
        computed.append(compute())
        return computed[0]

    answer = _remembered()(request=request, compute=compute_once)
    if computed:  # ran now: the answer as computed (the record keeps less)
        return computed[0]
    body = answer["body"]
    if answer.get("private_wish"):  # a replay: the private part as the table holds it now, if still entitled
        body = replayed_view(caller(app), body, repository())
    return Response(status_code=answer["status"], content_type=answer["content_type"], body=body)


def reset() -> None:
    _config.cache_clear()
    _remembered.cache_clear()
