"""make web-upload: the order and cache headers of what goes into the WebBucket (infra.web.upload)."""

from __future__ import annotations

import json
from pathlib import Path

from infra.web.upload import IMMUTABLE, NO_CACHE, plan


def test_assets_first_immutable_index_last_never_cached(tmp_path: Path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-1a2b.js").write_text("x")
    (tmp_path / "assets" / "index-1a2b.css").write_text("y")
    (tmp_path / "index.html").write_text("<html>")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    config = {"api_base": "https://api.example.cn", "oidc_issuer": "https://idp", "oidc_client_id": "web"}
    items = plan(tmp_path, config)
    keys = [key for key, *_ in items]
    assert keys[:2] == ["app/assets/index-1a2b.css", "app/assets/index-1a2b.js"]
    assert keys[-1] == "app/index.html"
    caches = {key: cache for key, _, _, cache in items}
    assert caches["app/assets/index-1a2b.js"] == IMMUTABLE
    assert caches["app/index.html"] == caches["app/config.json"] == caches["app/favicon.svg"] == NO_CACHE
    written = json.loads(next(body for key, body, *_ in items if key == "app/config.json"))
    assert written == config and "dev_signin" not in written
    types = {key: content_type for key, _, content_type, _ in items}
    assert types["app/assets/index-1a2b.js"].startswith("text/javascript")
