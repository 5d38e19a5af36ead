"""POST /wishes — a resident (or an officer for them) submits a wish."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import WishPrivateView, WishSubmission
from ...services import wishes
from .. import context
from ..app import BEARER
from ..idempotency import idempotent

router = Router()


@router.post("/wishes", summary="Submit a wish", tags=["wishes"], security=BEARER,
             responses={201: {"description": "The wish, submitted (private view)"}})
def submit(submission: WishSubmission) -> Response[WishPrivateView]:
    def create() -> Response[WishPrivateView]:
        view = wishes.submit_wish(context.caller(router), submission, context.repository(), context.settings())
        return Response(201, "application/json", view)

    return idempotent(router, create)
