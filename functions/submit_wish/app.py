"""Lambda entry point: the `submit` routes (see microwish.api.routes.submit)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.submit import router

app = build_app(router)
handler = make_handler(app)
