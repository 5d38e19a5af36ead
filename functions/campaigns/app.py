"""Lambda entry point: the `campaigns` routes (see microwish.api.routes.campaigns)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.campaigns import router

app = build_app(router)
handler = make_handler(app)
