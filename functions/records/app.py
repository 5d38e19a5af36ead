"""Lambda entry point: the `records` routes (see microwish.api.routes.records)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.records import router

app = build_app(router)
handler = make_handler(app)
