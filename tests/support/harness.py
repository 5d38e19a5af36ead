"""Call the real handlers in-process, against a stack created in moto from template.yaml.

`Api` routes a request the way the HTTP API would: it finds the route with the local runtime's
route matcher (infra/local/routing.py), answers 401 for a JWT route without claims (as the
authorizer does), and invokes the function's handler with an API Gateway v2 event under the
function's own environment variables. It lives with the tests, not in infra/local, because it
names the app's modules (the request context it resets), which the runtime never does.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.events import LambdaContext, http_event
from infra.local.routing import Router
from infra.local.stack import LocalStack, StackPlan, deploy_stack, plan_stack
from microwish.api import context as api_context

ROOT = Path(__file__).resolve().parents[2]  # the repository
TEMPLATE = ROOT / "template.yaml"
ISSUER = "https://issuer.test"
AUDIENCE = "micro-wish-test"
_modules: dict[str, Any] = {}


@functools.cache
def template_plan() -> StackPlan:
    """template.yaml translated (and moto's copy of it built) once per test session: every stack
    of the session is created from this plan (deploy_stack reads it, never changes it)."""
    return plan_stack(TEMPLATE, {"JwtIssuer": ISSUER, "JwtAudience": AUDIENCE})


def deploy_template() -> LocalStack:
    """The template's stack in the moto of the caller (mock_aws), from the session's plan."""
    with environment({}):
        return deploy_stack(boto3.Session(region_name="us-east-1"), template_plan())


def load_handler(code_dir: str, handler: str) -> Any:
    """The handler callable of a function folder, imported once per test session."""
    module_name, _, attribute = handler.rpartition(".")
    path = Path(code_dir) / f"{module_name.replace('.', '/')}.py"
    key = str(path)
    if key not in _modules:
        spec = importlib.util.spec_from_file_location(f"handler_{Path(code_dir).name}", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        _modules[key] = module
    return getattr(_modules[key], attribute)


@contextmanager
def environment(values: dict[str, Any]):
    saved = dict(os.environ)
    os.environ.update({key: str(value) for key, value in values.items()})
    api_context.reset()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class Signer:
    """Signs tokens for public routes, whose functions verify a present token against the JWKS.

    The JWKS is served over HTTP on loopback, as the issuer would serve it (PyJWT fetches only http(s)).
    """

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid="test", alg="RS256", use="sig")
        document = json.dumps({"keys": [jwk]}).encode()

        class Jwks(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.jwks_url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def token(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "exp": 4102444800, **claims},
            self.key,
            algorithm="RS256",
            headers={"kid": "test"},
        )


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    json: Any = field(default=None)


def person(role: str, sub: str, region: str | None = None, name: str | None = None) -> dict[str, Any]:
    """The token claims of a person; `cognito:groups` as a list, as the issuer writes it."""
    claims: dict[str, Any] = {"sub": sub, "cognito:groups": [role]}
    if region:
        claims["custom:region"] = region
    if name:
        claims["name"] = name
    return claims


class Api:
    def __init__(self, stack: LocalStack, signer: Signer) -> None:
        self.stack = stack
        self.signer = signer
        self.calls: list[str] = []  # function logical ids invoked, in order
        self.router = Router(stack.routes)

    def _route(self, method: str, path: str):
        return self.router.match(method, path) or (None, {})

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: str | None = None,
        as_: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Reply:
        route, path_parameters = self._route(method, path)
        if route is None:
            return Reply(404, {}, '{"message":"Not Found"}', {"message": "Not Found"})
        headers = {"content-type": "application/json", **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False)
        claims = None
        if route.auth == "jwt":
            if as_ is None:
                return Reply(401, {}, '{"message":"Unauthorized"}', {"message": "Unauthorized"})
            claims = {"iss": ISSUER, "aud": AUDIENCE, **as_}
        elif as_ is not None:
            headers["authorization"] = f"Bearer {self.signer.token(as_)}"
        event = http_event(
            method,
            path,
            route_key=route.route_key,
            path_parameters=path_parameters,
            query=urlencode(query or {}, doseq=True),
            headers=headers,
            body=body,
            claims=claims,
        )
        result = self.invoke(route.function, event)
        text = result.get("body") or ""
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return Reply(result["statusCode"], result.get("headers") or {}, text, parsed)

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        spec = self.stack.functions[logical_id]
        self.calls.append(logical_id)
        with environment({**spec.env, "JWKS_URL": self.signer.jwks_url}):
            handler = load_handler(spec.code_dir, spec.handler)
            return handler(event, LambdaContext(function_name=spec.name))

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, json_body=json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)

    def patch(self, path: str, json_body: Any = None, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, json_body=json_body, **kwargs)
