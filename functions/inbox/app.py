"""Lambda entry point: the `inbox` routes (see microwish.api.routes.inbox)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.inbox import router

app = build_app(router)
handler = make_handler(app)
