"""Lambda entry point: the `personal` routes (see microwish.api.routes.personal)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.personal import router

app = build_app(router)
handler = make_handler(app)
