"""Lambda entry point: the `uploads` routes (see microwish.api.routes.uploads)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.uploads import router

app = build_app(router)
handler = make_handler(app)
