"""The whole API's OpenAPI document, generated from every route module (the meta function serves it)."""

from __future__ import annotations

import importlib
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, SecurityScheme

from .app import build_app
from .problem_docs import complete_responses
from .routes import ALL

TITLE = "Micro-Wish API (微心愿)"
VERSION = "1.0.0"
DESCRIPTION = (
    "Residents submit small wishes, women's-federation officers review them, donors claim them. "
    "Errors are application/problem+json; money is in fen; regions are division-code prefixes."
)
SECURITY_SCHEMES: dict[str, SecurityScheme] = {"bearerAuth": HTTPBearer(bearerFormat="JWT")}


def full_app() -> APIGatewayHttpResolver:
    routers = [importlib.import_module(f"{__package__}.routes.{name}").router for name in ALL]
    app = build_app(*routers)
    app.enable_swagger(
        path="/docs", title=TITLE, version=VERSION, description=DESCRIPTION, security_schemes=SECURITY_SCHEMES
    )

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> dict[str, Any]:
        return document(app)

    return app


def document(app: APIGatewayHttpResolver | None = None) -> dict[str, Any]:
    """The OpenAPI document as served: Powertools' schema with every operation's problem answers."""
    schema = (app or full_app()).get_openapi_schema(
        title=TITLE, version=VERSION, description=DESCRIPTION, security_schemes=SECURITY_SCHEMES
    )
    return complete_responses(schema.model_dump(mode="json", by_alias=True, exclude_none=True))
