"""Lambda entry point: the `reports` routes (see microwish.api.routes.reports)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.reports import router

app = build_app(router)
handler = make_handler(app)
