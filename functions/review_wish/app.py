"""Lambda entry point: the `review` routes (see microwish.api.routes.review)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.review import router

app = build_app(router)
handler = make_handler(app)
