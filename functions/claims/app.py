"""Lambda entry point: the `claims` routes (see microwish.api.routes.claims)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.claims import router

app = build_app(router)
handler = make_handler(app)
