"""Every operation's error answers in the OpenAPI document: application/problem+json, with the statuses
the operation can give (the fuzzer's conformance checks hold the API to them).

The statuses follow from how every route is served (api/app.py), so they are added here once rather
than repeated in each route's `responses=`; a route's own entry (its description, another body)
is kept, and the problem body is added beside it:
- 400 malformed body (not JSON, not UTF-8, nested too deep) and 413 body too large: with a body;
- 401 token missing or not valid: any operation (public routes verify a token when one is sent);
- 403 the caller's role or region may not do this, 404 no such object (or not one the caller may see),
  422 a field is not valid: any operation;
- 409 the object is not in a state that allows it: operations that change something.
"""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error (RFC 9457). `errors` names each field at fault, never echoing its value.",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string", "examples": ["/problems/unprocessable-content"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {
                        "type": "string",
                        "description": "e.g. personal_data, int_type, json_invalid, extra_forbidden",
                    },
                },
            },
        },
        "state": {"type": "string", "description": "409: the state the object is in now"},
    },
    "additionalProperties": True,
}
DESCRIPTIONS = {
    400: "The body is not JSON (or not UTF-8, or nested too deep)",
    401: "No valid token",
    403: "The caller's role or region may not do this",
    404: "No such object (or none the caller may see)",
    409: "The object is not in a state that allows this (`state` says which it is in)",
    413: "The body is larger than 64 KiB",
    422: "A field is not valid (`errors` names each; `personal_data` for a phone, ID number or "
    "the beneficiary's name in public text)",
}


def _statuses(method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {401, 403, 404, 422}
    if "requestBody" in operation:
        statuses |= {400, 413}
    if method in ("post", "put", "patch", "delete"):
        statuses.add(409)
    return statuses


def complete_responses(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every operation's problem answers documented (changed in place, and returned)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in sorted(_statuses(method, operation)):
                entry = responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
                content = entry.setdefault("content", {})
                if status == 422:  # Powertools' own validation body is never sent: the problem is
                    content.clear()
                    entry["description"] = DESCRIPTIONS[422]
                content[PROBLEM_JSON] = problem
    return document
