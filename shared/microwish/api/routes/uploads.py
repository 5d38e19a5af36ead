"""POST /uploads: a pre-signed S3 PUT for a delivery photo (type and exact size signed in)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import UploadRequest, UploadTicket
from ...services import uploads
from .. import context
from ..app import BEARER

router = Router()


@router.post("/uploads", summary="Get a URL to upload a delivery photo to", tags=["fulfilment"], security=BEARER,
             responses={201: {"description": "PUT the photo to upload_url with these headers; then "
                                             "send key in photo_keys"}})
def create_upload(request: UploadRequest) -> Response[UploadTicket]:
    ticket = uploads.ticket(context.caller(router), request, context.settings())
    return Response(201, "application/json", ticket)
