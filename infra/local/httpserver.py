"""The HTTP API on http://127.0.0.1:$PORT: the template's routes, plus the local-only /dev routes.

Behaves like API Gateway's HTTP API where a front end can tell: routes matched most specific
first (literal segments before {variables} before {greedy+}, a method before ANY, $default
last); an unmatched method or path is a 404; a JWT route without a valid token is a 401 (our
authorizer checks the signature against the runtime's key, iss, aud and exp); a body over 10 MB
is a 413; the function's answer (statusCode, headers, cookies, base64 bodies, or a bare JSON
value) is relayed; a function error is a 500; CORS from the API's CorsConfiguration (preflight
answered by the "gateway"). Errors made here are application/problem+json.
"""

from __future__ import annotations

import base64
import functools
import json
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from infra.local import events
from infra.local.auth import InputError, LocalIssuer, TokenError, bearer_token
from infra.local.clock import ClockFile, parse_duration
from infra.local.routing import Router
from infra.local.specs import ApiSpec, AuthorizerSpec, RouteSpec
from infra.local.workers import Invocation

MAX_BODY_BYTES = 10 * 1024 * 1024
PROBLEM_JSON = "application/problem+json"


def problem(status: int, detail: str | None = None, *, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return body


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def json_response(status: int, payload: Any, content_type: str = "application/json") -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, [("Content-Type", content_type)], body)


def problem_response(status: int, detail: str | None = None, **kwargs: Any) -> Response:
    return json_response(status, problem(status, detail, **kwargs), PROBLEM_JSON)


class Gateway:
    """What the server does with a request; kept apart from http.server for readability."""

    def __init__(
        self,
        *,
        routes: list[RouteSpec],
        apis: dict[str, ApiSpec],
        invoke: Callable[[str, Any], Invocation],
        issuer: LocalIssuer,
        clock: ClockFile,
        outbox: Path,
        run_schedules: Callable[..., list[dict[str, Any]]],
        describe: Callable[[], dict[str, Any]],
        log: Callable[[str, str], None],
        account_id: str,
        web: Any = None,
        app_routes: dict[tuple[str, str], Callable[[bytes], tuple[int, Any]]] | None = None,
    ) -> None:
        self.router = Router(routes)
        self.web = web  # infra.local.webapp.WebApp: the built app under /app/
        self.apis = apis
        self.invoke = invoke
        self.issuer = issuer
        self.clock = clock
        self.outbox = outbox
        self.run_schedules = run_schedules
        self.describe = describe
        self.log = log
        self.account_id = account_id
        self.dev_routes: dict[tuple[str, str], Callable[[bytes], Response]] = {
            ("POST", "/dev/tokens"): self._tokens,
            ("GET", "/dev/.well-known/jwks.json"): lambda _: json_response(200, self.issuer.jwks()),
            ("GET", "/dev/.well-known/openid-configuration"): lambda _: json_response(
                200, self.issuer.openid_configuration()
            ),
            ("GET", "/dev/clock"): lambda _: json_response(200, self.clock.state()),
            ("POST", "/dev/clock"): self._clock,
            ("POST", "/dev/schedules/run"): self._schedules,
            ("GET", "/dev/outbox"): self._outbox,
            ("GET", "/dev/runtime"): lambda _: json_response(200, self.describe()),
        }
        # The app's own local-only routes (infra.demo.dev_routes, e.g. POST /dev/chat): JSON in, JSON out.
        for key, play in (app_routes or {}).items():
            self.dev_routes[key] = functools.partial(_app_route, play)

    # --- dev routes ---------------------------------------------------------------------------

    @staticmethod
    def _json_body(body: bytes) -> Any:
        if not body.strip():
            return {}
        try:
            return json.loads(body)
        except RecursionError:  # JSON nested thousands deep: malformed input, not our failure
            raise ValueError("the body is nested too deep") from None

    def _tokens(self, body: bytes) -> Response:
        try:
            request = self._json_body(body)
        except ValueError:
            return problem_response(400, "the body is not valid JSON")
        try:
            token = self.issuer.mint(request)
        except InputError as error:
            return problem_response(422, error.message, errors=[{"field": error.field, "message": error.message}])
        return json_response(201, {"token": token})

    def _clock(self, body: bytes) -> Response:
        try:
            request = self._json_body(body)
        except ValueError:
            return problem_response(400, "the body is not valid JSON")
        if not isinstance(request, dict) or not ({"advance", "reset"} & set(request)):
            message = 'expected {"advance": "<ISO 8601 duration>"} or {"reset": true}'
            return problem_response(422, message, errors=[{"field": "advance", "message": message}])
        if request.get("reset") is True:
            self.clock.reset()
        elif "reset" in request and request.get("advance") is None:
            message = "reset must be true"
            return problem_response(422, message, errors=[{"field": "reset", "message": message}])
        if "advance" in request:
            try:
                self.clock.advance(parse_duration(request["advance"]))
            except ValueError as error:
                return problem_response(422, str(error), errors=[{"field": "advance", "message": str(error)}])
        state = self.clock.state()
        self.log("clock", f"now {state['now']} (offset {state['offset_seconds']} s)")
        return json_response(200, state)

    def _schedules(self, body: bytes) -> Response:
        """Run every schedule (or {"schedule": name}) once, now; {"async": true} as the timers do."""
        try:
            request = self._json_body(body)
        except ValueError:
            return problem_response(400, "the body is not valid JSON")
        if not isinstance(request, dict):
            request = {}
        names = request.get("schedule")
        if isinstance(names, str):
            names = [names]
        try:
            runs = self.run_schedules(names=names, asynchronous=request.get("async") is True)
        except KeyError as error:
            message = f"no schedule {error.args[0]!r} in the template"
            return problem_response(422, message, errors=[{"field": "schedule", "message": message}])
        return json_response(200, {"runs": runs})

    def _outbox(self, _: bytes) -> Response:
        items = []
        try:
            lines = self.outbox.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        for line in reversed(lines):
            try:
                items.append(json.loads(line))
            except ValueError:
                continue
        return json_response(200, {"items": items})

    # --- CORS -----------------------------------------------------------------------------------

    def _cors(self, api: ApiSpec | None, origin: str | None) -> list[tuple[str, str]]:
        if api is None or not api.cors or not origin:
            return []
        cors = api.cors
        origins = [str(o) for o in cors.get("allowOrigins") or []]
        if "*" in origins:
            allowed = "*"
        elif origin in origins:
            allowed = origin
        else:
            return []
        headers = [("Access-Control-Allow-Origin", allowed)]
        if cors.get("allowCredentials") in (True, "true"):
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if cors.get("exposeHeaders"):
            headers.append(("Access-Control-Expose-Headers", ",".join(map(str, cors["exposeHeaders"]))))
        return headers

    def _preflight(self, origin: str | None, headers: dict[str, str]) -> Response | None:
        api = next((a for a in self.apis.values() if a.cors), None)
        if api is None or not origin or "access-control-request-method" not in headers:
            return None
        cors = api.cors or {}
        out = self._cors(api, origin)
        if not out:
            return Response(204, [], b"")
        methods = cors.get("allowMethods") or ["*"]
        out.append(("Access-Control-Allow-Methods", ",".join(map(str, methods))))
        allow_headers = cors.get("allowHeaders")
        if allow_headers:
            out.append(("Access-Control-Allow-Headers", ",".join(map(str, allow_headers))))
        if cors.get("maxAge") is not None:
            out.append(("Access-Control-Max-Age", str(cors["maxAge"])))
        return Response(204, out, b"")

    # --- the API ------------------------------------------------------------------------------

    def handle(
        self, method: str, target: str, header_pairs: list[tuple[str, str]], body: bytes, client_ip: str
    ) -> tuple[Response, str]:
        """(response, what to log after the status)."""
        split = urlsplit(target)
        path, query = split.path or "/", split.query
        headers = {k.lower(): v for k, v in header_pairs}
        origin = headers.get("origin")
        if (method, path) in self.dev_routes:
            return self.dev_routes[(method, path)](body), "dev"
        if self.web is not None and self.web.handles(method, path):
            return self.web.serve(path, headers.get("accept-encoding", "")), "web app"
        if method == "OPTIONS":
            preflight = self._preflight(origin, headers)
            if preflight is not None:
                return preflight, "CORS preflight"
        matched = self.router.match(method, path)
        if matched is None:
            response = problem_response(404, f"no route matches {method} {path}")
            response.headers.extend(self._cors(next((a for a in self.apis.values() if a.cors), None), origin))
            return response, "no route"
        route, path_parameters = matched
        api = self.apis.get(route.api)
        cors = self._cors(api, origin)
        authorizer = api.authorizers.get(route.authorizer) if api and route.authorizer else None
        claims: dict[str, Any] | None = None
        if route.auth == "jwt" and authorizer is not None:
            token = bearer_token(_identity(authorizer, headers))
            if token is None:
                return self._unauthorized("no bearer token", cors), "no token"
            try:
                claims = self.issuer.verify(token, issuer=authorizer.issuer, audience=authorizer.audience)
            except TokenError as error:
                return self._unauthorized(f"the token is not valid: {error}", cors), f"bad token: {error}"
            if route.scopes:
                granted = str(claims.get("scope", "")).split()
                if not set(route.scopes) & set(granted):
                    return problem_response(403, "the token lacks the route's scopes"), "missing scope"
        forwarded = [("x-forwarded-for", client_ip), ("x-forwarded-proto", "http")]
        event = events.http_event(
            method,
            path,
            route_key=route.route_key,
            path_parameters=path_parameters,
            query=query,
            headers=[*header_pairs, *(h for h in forwarded if h[0] not in headers)],
            body=body or None,
            claims=claims,
            scopes=list(route.scopes) or None,
            source_ip=client_ip,
            api_id=(route.api or "local").lower(),
            account_id=self.account_id,
        )
        result = self.invoke(route.function, event)
        note = f"{route.function} {result.duration_ms:.0f} ms"
        if result.cold_start:
            note += f", cold start: init {result.init_ms or 0:.0f} ms"
        if not result.ok:
            self.log(route.function, f"{route.route_key}: the function failed: {result.error_message}")
            response = problem_response(500)  # as API Gateway answers a failed invocation
        else:
            relayed = _relay(result.result)
            if relayed is None:
                self.log(route.function, f"{route.route_key}: malformed response {str(result.result)[:200]!r}")
                response = problem_response(500)
            else:
                response = relayed
        response.headers.extend(cors)
        return response, note

    def _unauthorized(self, detail: str, cors: list[tuple[str, str]]) -> Response:
        response = problem_response(401, detail)
        response.headers.append(("WWW-Authenticate", "Bearer"))
        response.headers.extend(cors)
        return response


def _app_route(play: Callable[[bytes], tuple[int, Any]], body: bytes) -> Response:
    status, payload = play(body)
    return json_response(status, payload, PROBLEM_JSON if status >= 400 else "application/json")


def _identity(authorizer: AuthorizerSpec, headers: dict[str, str]) -> str | None:
    for source in authorizer.identity_source or ("$request.header.Authorization",):
        if source.startswith("$request.header."):
            value = headers.get(source[len("$request.header.") :].lower())
            if value:
                return value
    return None


def _relay(result: Any) -> Response | None:
    """The HTTP response API Gateway makes of a payload 2.0 function result (None: malformed)."""
    if isinstance(result, dict) and "statusCode" in result:
        try:
            status = int(result["statusCode"])
        except (TypeError, ValueError):
            return None
        headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers.extend((str(name), str(v)) for v in values)
        headers.extend(("Set-Cookie", str(c)) for c in result.get("cookies") or [])
        body = result.get("body")
        if body is None:
            data = b""
        elif result.get("isBase64Encoded"):
            try:
                data = base64.b64decode(body)
            except ValueError:
                return None
        else:
            data = str(body).encode("utf-8")
        if data and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/json"))
        return Response(status, headers, data)
    # No statusCode: API Gateway takes the whole result as a JSON body with status 200.
    data = result.encode("utf-8") if isinstance(result, str) else json.dumps(result, ensure_ascii=False).encode()
    return Response(200, [("Content-Type", "application/json")], data)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "micro-wish-local"
    sys_version = ""
    timeout = 120  # idle keep-alive connections give their thread back
    gateway: Gateway  # set on the subclass made by make_server

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(data)
                if len(data) + size > MAX_BODY_BYTES:
                    return None
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        started = time.monotonic()
        method = self.command.upper()
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            response, note = problem_response(400, "could not read the request body"), "bad body"
        else:
            if body is None:
                self.close_connection = True
                response, note = problem_response(413, "the body is over 10 MB"), "too large"
            else:
                try:
                    response, note = self.gateway.handle(
                        method, self.path, list(self.headers.items()), body, self.client_address[0]
                    )
                except Exception as error:  # a bug here must not kill the connection silently
                    self.gateway.log("http", f"{method} {self.path}: {type(error).__name__}: {error}")
                    response, note = problem_response(500), "runtime error"
        self._send(response, method)
        elapsed = (time.monotonic() - started) * 1000
        if not self.path.startswith("/dev/.well-known"):
            self.gateway.log("http", f"{method} {self.path} → {response.status} ({note}, {elapsed:.0f} ms)")

    def _send(self, response: Response, method: str) -> None:
        self.send_response_only(response.status)
        names = {name.lower() for name, _ in response.headers}
        for name, value in response.headers:
            if name.lower() in ("content-length", "transfer-encoding", "connection"):
                continue
            self.send_header(name, value)
        if "date" not in names:
            self.send_header("Date", self.date_time_string())
        self.send_header("apigw-requestid", uuid.uuid4().hex[:16])
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if method != "HEAD" and response.body:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass  # _handle logs one line per request


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # a client that went away
        super().handle_error(request, client_address)


def make_server(host: str, port: int) -> tuple[ThreadingHTTPServer, type[_Handler]]:
    """Bind now (so a busy port fails before anything else starts); attach a Gateway later."""
    handler = type("Handler", (_Handler,), {})
    return _Server((host, port), handler), handler
