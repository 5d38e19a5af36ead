"""Every error as application/problem+json (RFC 9457), the shape API.md promises front ends."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    **extensions: Any,
) -> Response[str]:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": "/problems/" + phrase.lower().replace(" ", "-").replace("'", ""),
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
        "errors": errors or [],
        **extensions,
    }
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body, ensure_ascii=False))


def validation_errors(raw_errors: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """Powertools/pydantic errors → (status, one entry per field). Malformed JSON is a 400.

    The entries never echo the rejected value: it may be a beneficiary's name or phone.
    """
    if any(error.get("type") == "json_invalid" for error in raw_errors):
        return 400, [{"field": "body", "message": "the body is not valid JSON", "type": "json_invalid"}]
    entries = []
    for error in raw_errors:
        location = [str(part) for part in error.get("loc", ())]
        if location and location[0] in ("body", "query", "path", "header"):
            location = location[1:]
        entries.append(
            {
                "field": ".".join(location) or "body",
                "message": str(error.get("msg", "is not valid")).removeprefix("Value error, "),
                "type": error.get("type", "value_error"),
            }
        )
    return 422, entries
