"""Lambda entry point: the `regions` routes (see microwish.api.routes.regions)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.regions import router

app = build_app(router)
handler = make_handler(app)
