"""Dispatch (派单), delivery, confirmation (圆梦 · 销号) and cancellation: actions on a wish → its view."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import (
    AssignmentRequest,
    CancellationRequest,
    ConfirmationRequest,
    DeclineRequest,
    DeliveryReport,
    WishView,
)
from ...services import claims
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent

router = Router()
# Issue 14: the answer's view is decided by who calls (services.wishes.view_for), never by the route.
_VIEW = (
    "Answers with the wish in the view its caller may see: the private view for officers of its region, "
    "admins and the submitting resident; the public view for anyone else (a donor included)."
)


@router.post(
    "/wishes/<id>/assignment",
    summary="Dispatch an open wish to a donor unit",
    tags=["fulfilment"],
    security=BEARER,
    description=_VIEW,
    middlewares=[idempotent],
)
def assign(
    id: str,
    request: AssignmentRequest,
    caller: CurrentCaller,
    repo: Repository,  # noqa: A002
    settings: AppSettings,
) -> Response[WishView]:
    return Response(200, "application/json", claims.assign(caller, id, request, repo, settings))


@router.post(
    "/wishes/<id>/assignment/accept",
    summary="The assigned unit accepts",
    tags=["fulfilment"],
    security=BEARER,
    description=_VIEW,
    middlewares=[idempotent],
)
def accept(
    id: str,
    caller: CurrentCaller,
    repo: Repository,  # noqa: A002
    settings: AppSettings,
) -> Response[WishView]:
    return Response(200, "application/json", claims.accept(caller, id, repo, settings))


@router.post(
    "/wishes/<id>/assignment/decline",
    summary="The assigned unit declines",
    tags=["fulfilment"],
    security=BEARER,
    description=_VIEW,
    middlewares=[idempotent],
)
def decline(
    id: str,
    caller: CurrentCaller,
    repo: Repository,
    settings: AppSettings,  # noqa: A002
    request: DeclineRequest | None = None,
) -> Response[WishView]:
    request = request or DeclineRequest()
    return Response(200, "application/json", claims.decline(caller, id, request, repo, settings))


@router.post(
    "/wishes/<id>/delivery",
    summary="Report the wish delivered, with photos",
    tags=["fulfilment"],
    security=BEARER,
    description=_VIEW,
    middlewares=[idempotent],
)
def deliver(
    id: str,
    report: DeliveryReport,
    caller: CurrentCaller,
    repo: Repository,  # noqa: A002
    settings: AppSettings,
) -> Response[WishView]:
    return Response(200, "application/json", claims.deliver(caller, id, report, repo, settings))


@router.post(
    "/wishes/<id>/confirmation",
    summary="Confirm fulfilment, or send the delivery back",
    tags=["fulfilment"],
    security=BEARER,
    description=_VIEW,
    middlewares=[idempotent],
)
def confirm(
    id: str,
    request: ConfirmationRequest,
    caller: CurrentCaller,
    repo: Repository,  # noqa: A002
    settings: AppSettings,
) -> Response[WishView]:
    return Response(200, "application/json", claims.confirm(caller, id, request, repo, settings))


@router.post(
    "/wishes/<id>/cancellation",
    summary="Cancel a wish not yet delivered",
    tags=["fulfilment"],
    security=BEARER,
    description=_VIEW,
    middlewares=[idempotent],
)
def cancel(
    id: str,
    request: CancellationRequest,
    caller: CurrentCaller,
    repo: Repository,  # noqa: A002
    settings: AppSettings,
) -> Response[WishView]:
    return Response(200, "application/json", claims.cancel(caller, id, request, repo, settings))
