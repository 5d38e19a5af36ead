"""Lambda entry point: the `escalation` routes (see microwish.api.routes.escalation)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.escalation import router

app = build_app(router)
handler = make_handler(app)
