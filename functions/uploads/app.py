"""Lambda entry point: the `uploads` and `photos` routes (see microwish.api.routes.uploads, .photos), and an
activity's photos (.activity_photos)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.activity_photos import router as activity_photos_router
from microwish.api.routes.photos import router as photos_router
from microwish.api.routes.uploads import router

app = build_app(router, photos_router, activity_photos_router)
handler = make_handler(app)
