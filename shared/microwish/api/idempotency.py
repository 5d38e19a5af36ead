"""`Idempotency-Key` on every POST, with Powertools idempotency.

The record is keyed by (caller, route, key) and remembers the body's hash: the same key and body
give the same response again without a second effect; the same key with another body is a 422.
Only answers are remembered: a request that failed with an error may be sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel

from ..errors import InvalidInput
from .context import caller, settings

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
        return {"status": response.status_code, "body": body,
                "content_type": response.headers.get("Content-Type", "application/json")}

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
               "key": key, "body": event.body or ""}
    answer = _remembered()(request=request, compute=compute)
    return Response(status_code=answer["status"], content_type=answer["content_type"], body=answer["body"])


def reset() -> None:
    _config.cache_clear()
    _remembered.cache_clear()
