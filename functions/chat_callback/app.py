"""Lambda entry point: the chat platforms' callbacks (see microwish.api.routes.chat_callbacks)."""

from microwish.api.app import build_app, make_handler
from microwish.api.routes.chat_callbacks import router
from microwish.chat_platforms import config

app = build_app(router)
handler = make_handler(app)

try:  # every platform's secrets at init (full CPU); on failure, read on the first request instead
    config.preload()
except Exception:  # a cold start must not fail on it
    config.reset()
