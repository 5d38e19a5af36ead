"""Build a function's HTTP resolver from route modules, and its Lambda handler."""

from __future__ import annotations

import json
import os
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.json_encoder import Encoder
from pydantic import BaseModel

from .. import once
from ..errors import DomainError
from ..repository.warm import create_clients
from ..services import access_log
from . import context, idempotency
from .body import not_utf8, parse_json_body
from .context import repository, settings
from .problems import problem, validation_errors

logger = Logger()

# The composition root: context's reset also forgets the idempotency layer's state.
context.on_reset(idempotency.reset)

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]  # OpenAPI security of the routes behind the JWT authorizer
_ROUTERS: dict[int, tuple[Router, ...]] = {}


def build_app(*routers: Router) -> APIGatewayHttpResolver:
    # Chinese as it is (not \u escapes): front ends and curl users read it as sent.
    app = APIGatewayHttpResolver(
        enable_validation=True,
        serializer=partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder),
        json_body_deserializer=parse_json_body,
    )
    for router in routers:
        app.include_router(router)
    _ROUTERS[id(app)] = routers
    app.use(middlewares=[_audit_private_reads])

    # Registered by call, not as decorators: Powertools' exception_handler is unannotated, and as a
    # decorator it would leave the handlers untyped.
    app.exception_handler(DomainError)(_domain_error)
    app.exception_handler(RequestValidationError)(_invalid)
    app.not_found(_not_found)
    app.exception_handler(Exception)(_bug)
    return app


def _domain_error(error: DomainError) -> Response[str]:
    extensions = dict(error.extensions)
    errors = extensions.pop("errors", None)
    return problem(error.status, error.detail, title=error.title, errors=errors, **extensions)


def _invalid(error: RequestValidationError) -> Response[str]:
    status, errors = validation_errors(list(error.errors()))
    detail = (
        "the body is not valid JSON"
        if status == 400
        else "some fields are not valid: " + ", ".join(entry["field"] for entry in errors)
    )
    return problem(status, detail, errors=errors)


def _not_found(_: NotFoundError) -> Response[str]:
    return problem(404, "no such route")


def _bug(error: Exception) -> Response[str]:
    # Only the type and traceback: an exception's text might quote a beneficiary's data.
    logger.error("unhandled error", extra={"error_type": type(error).__name__}, exc_info=False)
    return problem(500, "something went wrong on our side; nothing was changed")


def _private_wish_id(body: Any) -> str | None:
    """The wish id of an answer that is a private view (a model, a replayed dict, or JSON text)."""
    if isinstance(body, BaseModel):
        return getattr(body, "id", None) if getattr(body, "view", None) == "private" else None
    if isinstance(body, (str, bytes)):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        if '"private"' not in text:
            return None
        try:
            body = json.loads(text)
        except ValueError:
            return None
    if isinstance(body, dict) and body.get("view") == "private":
        return str(body.get("id") or "") or None
    return None


def _audit_private_reads(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Every private view an officer or admin is given is logged (services/access_log.py), whatever the route.

    A state change answering with one logs it in its own transaction (once.answering: one write round trip);
    any other answer (a GET, a replay) with one put after. Fails closed: if the entry cannot be written, the
    answer is an error, not an unlogged read.
    """
    event = app.current_event
    route = event.raw_event.get("routeKey") or f"{event.http_method} {event.path}"

    def entry_for(body: Any) -> Any:
        caller = app.context.get("caller")
        return access_log.entry(caller, _private_wish_id(body), route) if caller is not None else None

    with once.auditing(once.AuditedAnswers(entry_for)) as audited:
        response = next_middleware(app)
    caller = app.context.get("caller")
    if caller is not None and 200 <= response.status_code < 300:
        wish_id = _private_wish_id(response.body)
        if wish_id and wish_id not in audited.logged:
            access_log.record(repository(), caller, wish_id, route)
    return response


def _body_too_big(event: dict[str, Any]) -> dict[str, Any] | None:
    """Refuse an oversized body before anything parses it (API.md: body ≤ 64 KiB)."""
    limit = settings().max_body_bytes
    body = event.get("body") or ""
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8"))
    if size <= limit:
        return None
    return _as_result(problem(413, f"the body may be at most {limit} bytes"))


def _as_result(response: Response[str]) -> dict[str, Any]:
    """A problem answered before the resolver runs, as the Lambda result API Gateway expects."""
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": response.headers["Content-Type"]},
        "body": response.body,
    }


def make_handler(app: APIGatewayHttpResolver) -> Any:
    """The Lambda entry point: correlation id in every log line, never the event (it may hold personal data).

    Called at the function's import: the DynamoDB client is created then (init), not on the first request.
    """
    create_clients()

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        too_big = _body_too_big(event)
        if too_big is not None:
            return too_big
        if not_utf8(event):
            return _as_result(
                problem(
                    400,
                    "the body is not UTF-8 text",
                    errors=[{"field": "body", "message": "is not UTF-8 text", "type": "json_invalid"}],
                )
            )
        # The API speaks JSON only: a body sent as a form (curl -d's default) is parsed as JSON
        # all the same, and is a 400 if it is not JSON.
        if event.get("body") and isinstance(event.get("headers"), dict):
            event["headers"]["content-type"] = "application/json"
        # A router answers through the last app it joined; bind it to this one (tests host many apps).
        for router in _ROUTERS.get(id(app), ()):
            router.api_resolver = app
        return app.resolve(event, context)

    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "true").lower() == "false":
        # Tracing costs ~600 ms of cold start and X-Ray is missing in China's regions: only when asked.
        from aws_lambda_powertools import Tracer

        return Tracer().capture_lambda_handler(handler)
    return handler
