"""Lambda entry point: the chat binding routes (see microwish.api.routes.chat_bindings)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.chat_bindings import router

app = build_app(router)
handler = make_handler(app)
