"""The local runtime serves the built web app at /app/ beside the API (WEB.md's addresses)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DIST = Path(__file__).resolve().parents[2] / "web" / "dist" / "index.html"

pytestmark = pytest.mark.skipif(not DIST.exists(), reason="web/dist not built (make web)")


def test_history_routes_serve_the_app_with_a_strict_csp(runtime):
    for path in (
        "/app/",
        "/app/wishes/no-such-id",
        "/app/basket",
        "/app/submit",
        "/app/me",
        "/app/inbox",
        "/app/signin",
        "/app/console",
    ):
        response = runtime.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"].startswith("text/html")
        assert "no-cache" in response.headers["Cache-Control"]
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    html = runtime.get("/app/").text
    # Every script is a file: nothing inline for the CSP to allow.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts)


def test_hashed_assets_are_immutable_and_gzipped(runtime):
    html = runtime.get("/app/").text
    asset = re.search(r'src="(/app/assets/[^"]+\.js)"', html).group(1)
    response = runtime.get(asset, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"
    assert runtime.get("/app/assets/not-there-123.js").status_code == 404


def test_config_json_and_the_api_beside_the_app(runtime):
    config = runtime.get("/app/config.json")
    assert "no-cache" in config.headers["Cache-Control"]
    assert config.json()["dev_signin"] is True and config.json()["api_base"] == ""
    assert runtime.get("/wishes").status_code == 200
    assert runtime.get("/apps").status_code == 404
