"""Lambda entry point: volunteer work's routes (see microwish.api.routes.volunteers)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.volunteers import router

app = build_app(router)
handler = make_handler(app)
