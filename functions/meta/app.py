"""Lambda entry point: /health, and the whole API's OpenAPI document at /openapi.json and /docs."""

from microwish.api.app import make_handler
from microwish.api.openapi import full_app

app = full_app()
handler = make_handler(app)
