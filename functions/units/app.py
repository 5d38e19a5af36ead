"""Lambda entry point: the unit registry's routes (see microwish.api.routes.units)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.units import router

app = build_app(router)
handler = make_handler(app)
