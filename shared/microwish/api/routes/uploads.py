"""POST /uploads: a pre-signed S3 PUT for a delivery photo (type and exact size signed in)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import UploadRequest, UploadTicket
from ...services import uploads
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository

router = Router()


@router.post(
    "/uploads",
    summary="Get a URL to upload a delivery photo of a wish to",
    tags=["fulfilment"],
    security=BEARER,
    description="For the donor holding the wish's active claim, or an officer of its region. At most "
    f"{uploads.MAX_TICKETS} tickets per wish and person. PUT the photo to upload_url with exactly the headers "
    "given (type, size and a pending tag are signed in), then send key in the delivery's photo_keys; a photo "
    "no delivery attaches is deleted after a few days.",
    responses={
        201: {"description": "PUT the photo to upload_url with these headers; then send key in photo_keys"},
        404: {"description": "No such wish, or not one the caller may report delivered"},
        409: {"description": "The donor holds no active claim on this wish"},
        422: {"description": "content_type, size_bytes or wish_id not valid"},
        429: {"description": "The caller had all the tickets one wish allows"},
    },
)
def create_upload(
    request: UploadRequest, caller: CurrentCaller, repo: Repository, settings: AppSettings
) -> Response[UploadTicket]:
    ticket = uploads.ticket(caller, request, settings, repo)
    return Response(201, "application/json", ticket)
