"""GET /health; the OpenAPI document and its Swagger UI are served by the meta function."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from ... import clock
from ...models import Health

router = Router()


@router.get("/health", summary="Liveness", tags=["meta"])
def health() -> Health:
    return Health(status="ok", time=clock.now_iso())
