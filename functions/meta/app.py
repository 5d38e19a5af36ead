"""Lambda entry point: /health, and the whole API's OpenAPI document at /openapi.json and /docs.

The document needs every route module (so every service and model); /health needs none of them. The
whole app is built on the first request for the document, not at init: a /health cold start (the
monitoring probe's) pays only for its own route.
"""

from functools import cache

from microwish.api.app import build_app, make_handler
from microwish.api.routes.meta import router

DOCUMENT_PATHS = ("/openapi.json", "/docs")

health = make_handler(build_app(router))


@cache
def _documents():
    from microwish.api.openapi import full_app

    return make_handler(full_app())


def handler(event, context):
    route = str(event.get("routeKey") or event.get("rawPath") or "")
    if route.endswith(DOCUMENT_PATHS):
        return _documents()(event, context)
    return health(event, context)
