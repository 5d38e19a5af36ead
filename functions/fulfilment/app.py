"""Lambda entry point: the `fulfilment` routes (see microwish.api.routes.fulfilment)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.fulfilment import router

app = build_app(router)
handler = make_handler(app)
