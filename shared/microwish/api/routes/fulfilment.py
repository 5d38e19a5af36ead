"""Dispatch (派单), delivery, confirmation (圆梦 · 销号) and cancellation: actions on a wish → its view."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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
from .. import context
from ..app import BEARER
from ..idempotency import idempotent

if TYPE_CHECKING:
    from ...auth import Caller
    from ...repository import WishRepository
    from ...settings import Settings

router = Router()
# Issue 14: the answer's view is decided by who calls (services.wishes.view_for), never by the route.
_VIEW = ("Answers with the wish in the view its caller may see: the private view for officers of its region, "
         "admins and the submitting resident; the public view for anyone else (a donor included).")


def _act(run: Callable[[Caller, WishRepository, Settings], WishView]) -> Response[WishView]:
    """The route's action, once per Idempotency-Key; `run` closes over the route's arguments."""
    return idempotent(router, lambda: Response(200, "application/json", run(
        context.caller(router), context.repository(), context.settings())))


@router.post("/wishes/<id>/assignment", summary="Dispatch an open wish to a donor unit", tags=["fulfilment"],
             security=BEARER, description=_VIEW)
def assign(id: str, request: AssignmentRequest) -> Response[WishView]:
    return _act(lambda caller, repo, settings: claims.assign(caller, id, request, repo, settings))


@router.post("/wishes/<id>/assignment/accept", summary="The assigned unit accepts", tags=["fulfilment"],
             security=BEARER, description=_VIEW)
def accept(id: str) -> Response[WishView]:
    return _act(lambda caller, repo, settings: claims.accept(caller, id, repo, settings))


@router.post("/wishes/<id>/assignment/decline", summary="The assigned unit declines", tags=["fulfilment"],
             security=BEARER, description=_VIEW)
def decline(id: str, request: DeclineRequest | None = None) -> Response[WishView]:
    request = request or DeclineRequest()
    return _act(lambda caller, repo, settings: claims.decline(caller, id, request, repo, settings))


@router.post("/wishes/<id>/delivery", summary="Report the wish delivered, with photos", tags=["fulfilment"],
             security=BEARER, description=_VIEW)
def deliver(id: str, report: DeliveryReport) -> Response[WishView]:
    return _act(lambda caller, repo, settings: claims.deliver(caller, id, report, repo, settings))


@router.post("/wishes/<id>/confirmation", summary="Confirm fulfilment, or send the delivery back",
             tags=["fulfilment"], security=BEARER, description=_VIEW)
def confirm(id: str, request: ConfirmationRequest) -> Response[WishView]:
    return _act(lambda caller, repo, settings: claims.confirm(caller, id, request, repo, settings))


@router.post("/wishes/<id>/cancellation", summary="Cancel a wish not yet delivered", tags=["fulfilment"],
             security=BEARER, description=_VIEW)
def cancel(id: str, request: CancellationRequest) -> Response[WishView]:
    return _act(lambda caller, repo, settings: claims.cancel(caller, id, request, repo, settings))
