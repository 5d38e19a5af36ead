"""The built web app (web/dist) at /app/ beside the API, as the deployed CDN would serve it.

History routes fall back to index.html (a reload on /app/wishes/… serves the app, not a 404);
hashed files under /app/assets/ are cached for a year, index.html and config.json never; every
answer carries a strict Content-Security-Policy (no inline script, no eval). /app/config.json is
made here: the API on the same origin and the local role picker (/dev/tokens) switched on.
Text files are sent gzip-compressed to clients that accept it, as a CDN sends them.
"""

from __future__ import annotations

import gzip
import json
import mimetypes
from pathlib import Path
from urllib.parse import unquote

from infra.local.httpserver import Response, problem_response

PREFIX = "/app"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache, no-store, must-revalidate"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def content_security_policy(connect: list[str], images: list[str] | None = None) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # images: where pre-signed GETs of delivery photos point (the bucket; locally moto's address)
            "img-src " + " ".join(["'self'", "data:", "blob:", *(images or [])]),
            "font-src 'self' data:",
            "connect-src " + " ".join(["'self'", *connect]),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class WebApp:
    """GET/HEAD under /app: files of `dist`, else index.html; None for any other path."""

    def __init__(
        self,
        dist: Path,
        *,
        connect: list[str] | None = None,
        images: list[str] | None = None,
        config: dict | None = None,
    ) -> None:
        self.dist = dist.resolve()
        self.csp = content_security_policy(connect or [], images)
        self._compressed: dict[Path, tuple[float, bytes]] = {}
        self.config = {
            "api_base": "",
            "oidc_issuer": None,
            "oidc_client_id": None,
            "dev_signin": True,
            **(config or {}),
        }

    def available(self) -> bool:
        return (self.dist / "index.html").is_file()

    def handles(self, method: str, path: str) -> bool:
        return method in ("GET", "HEAD") and (path == PREFIX or path.startswith(PREFIX + "/"))

    def _headers(self, content_type: str, cache: str) -> list[tuple[str, str]]:
        return [
            ("Content-Type", content_type),
            ("Cache-Control", cache),
            ("Content-Security-Policy", self.csp),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ]

    def _file(self, file: Path, content_type: str, cache: str, gzip_ok: bool) -> Response:
        headers = self._headers(content_type, cache)
        headers.append(("Vary", "Accept-Encoding"))
        if not gzip_ok or not content_type.startswith(("text/", "application/json", "image/svg")):
            return Response(200, headers, file.read_bytes())
        mtime = file.stat().st_mtime
        cached = self._compressed.get(file)
        if cached is None or cached[0] != mtime:
            cached = (mtime, gzip.compress(file.read_bytes(), compresslevel=9))
            self._compressed[file] = cached
        headers.append(("Content-Encoding", "gzip"))
        return Response(200, headers, cached[1])

    def serve(self, path: str, accept_encoding: str = "") -> Response:
        gzip_ok = "gzip" in accept_encoding.lower()
        if path == PREFIX:
            return Response(308, [("Location", PREFIX + "/"), ("Cache-Control", NO_CACHE)], b"")
        relative = unquote(path[len(PREFIX) + 1 :])
        if relative == "config.json":
            body = json.dumps(self.config, ensure_ascii=False).encode("utf-8")
            return Response(200, self._headers(TYPES[".json"], NO_CACHE), body)
        if not self.available():
            body = (
                b"The web app is not built: run `make web` (needs Node.js 20+ and npm), "
                b"or `make run`, which builds it when Node is there.\n"
            )
            return Response(503, [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", NO_CACHE)], body)
        if relative:
            candidate = (self.dist / relative).resolve()
            inside = candidate.is_relative_to(self.dist)
            if inside and candidate.is_file():
                suffix = candidate.suffix.lower()
                content_type = TYPES.get(suffix) or mimetypes.guess_type(candidate.name)[0] or "application/binary"
                hashed = relative.startswith("assets/")
                return self._file(candidate, content_type, IMMUTABLE if hashed else NO_CACHE, gzip_ok)
            if relative.startswith("assets/") or not inside:
                return problem_response(404, f"no file {path}")
        # A history route of the app: the app itself answers it.
        return self._file(self.dist / "index.html", TYPES[".html"], NO_CACHE, gzip_ok)
