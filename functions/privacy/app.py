"""Lambda entry point: the `privacy` routes (see microwish.api.routes.privacy)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.privacy import router

app = build_app(router)
handler = make_handler(app)
