"""Lambda entry point: the `query` routes (see microwish.api.routes.query)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.query import router

app = build_app(router)
handler = make_handler(app)
