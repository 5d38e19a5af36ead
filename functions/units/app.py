"""Lambda entry point: the unit registry, its activities and recognition (microwish.api.routes.units,
.activities, .recognition)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.activities import router as activities_router
from microwish.api.routes.recognition import router as recognition_router
from microwish.api.routes.units import router

app = build_app(router, activities_router, recognition_router)
handler = make_handler(app)
