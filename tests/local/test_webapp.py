"""The local runtime's serving of the built web app (infra.local.webapp), without a server."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from infra.local.webapp import IMMUTABLE, NO_CACHE, WebApp


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>微心愿</title>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('wall')", encoding="utf-8")
    (tmp_path.parent / "outside.txt").write_text("no", encoding="utf-8")
    return tmp_path


def header(response, name: str) -> str | None:
    return next((v for k, v in response.headers if k.lower() == name.lower()), None)


def test_history_routes_get_the_app_never_cached(dist: Path):
    web = WebApp(dist)
    for path in ("/app/", "/app/wishes/abc", "/app/me", "/app/basket"):
        response = web.serve(path)
        assert response.status == 200, path
        assert b"<title>" in response.body
        assert header(response, "Cache-Control") == NO_CACHE
        assert header(response, "Content-Type").startswith("text/html")


def test_hashed_assets_are_immutable_and_missing_ones_404(dist: Path):
    web = WebApp(dist)
    asset = web.serve("/app/assets/index-abc123.js")
    assert asset.status == 200
    assert header(asset, "Cache-Control") == IMMUTABLE
    assert header(asset, "Content-Type").startswith("text/javascript")
    assert web.serve("/app/assets/gone-000.js").status == 404


def test_strict_csp_on_every_answer(dist: Path):
    web = WebApp(dist, connect=["http://127.0.0.1:5000"])
    for path in ("/app/", "/app/assets/index-abc123.js", "/app/config.json"):
        csp = header(web.serve(path), "Content-Security-Policy")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "http://127.0.0.1:5000" in csp


def test_images_may_come_from_the_photo_bucket_only_where_said(dist: Path):
    # Delivery photos are pre-signed GETs of the bucket (locally moto's address): img-src names it.
    csp = header(WebApp(dist, images=["http://127.0.0.1:5000"]).serve("/app/"), "Content-Security-Policy")
    assert "img-src 'self' data: blob: http://127.0.0.1:5000;" in csp
    plain = header(WebApp(dist).serve("/app/"), "Content-Security-Policy")
    assert "img-src 'self' data: blob:;" in plain


def test_config_json_switches_on_the_local_role_picker(dist: Path):
    response = WebApp(dist).serve("/app/config.json")
    assert header(response, "Cache-Control") == NO_CACHE
    assert json.loads(response.body) == {
        "api_base": "",
        "oidc_issuer": None,
        "oidc_client_id": None,
        "dev_signin": True,
    }


def test_no_way_out_of_dist(dist: Path):
    web = WebApp(dist)
    response = web.serve("/app/../outside.txt")
    assert response.body != b"no"
    assert web.serve("/app/%2e%2e/outside.txt").body != b"no"


def test_gzip_when_accepted(dist: Path):
    web = WebApp(dist)
    response = web.serve("/app/assets/index-abc123.js", "gzip, br")
    assert header(response, "Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == b"console.log('wall')"
    assert header(web.serve("/app/assets/index-abc123.js"), "Content-Encoding") is None


def test_handles_only_the_app(dist: Path):
    web = WebApp(dist)
    assert web.handles("GET", "/app/") and web.handles("HEAD", "/app/x") and web.handles("GET", "/app")
    assert not web.handles("POST", "/app/") and not web.handles("GET", "/apple") and not web.handles("GET", "/wishes")
    assert web.serve("/app").status == 308


def test_not_built_says_what_to_run(tmp_path: Path):
    response = WebApp(tmp_path / "nothing").serve("/app/")
    assert response.status == 503
    assert b"make web" in response.body
