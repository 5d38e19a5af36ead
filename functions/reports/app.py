"""Lambda entry point: the `reports` and `units` routes (see microwish.api.routes.reports, .units)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.reports import router
from microwish.api.routes.units import router as units_router

app = build_app(router, units_router)
handler = make_handler(app)
