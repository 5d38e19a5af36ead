"""Lambda entry point: the unit registry's routes and its activities (microwish.api.routes.units, .activities)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.activities import router as activities_router
from microwish.api.routes.units import router

app = build_app(router, activities_router)
handler = make_handler(app)
