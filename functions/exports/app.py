"""Lambda entry point: the `exports` routes (see microwish.api.routes.exports)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.exports import router

app = build_app(router)
handler = make_handler(app)
