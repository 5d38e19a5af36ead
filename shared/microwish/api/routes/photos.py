"""GET /wishes/{id}/photos: the delivery's photos as short-lived URLs, for the officers who confirm it."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import DeliveryPhotos
from ...services import delivery_photos
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository

router = Router()


@router.get(
    "/wishes/<id>/photos",
    summary="The photos of a wish's delivery, to look at before confirming",
    tags=["fulfilment"],
    security=BEARER,
    description="For officers of the wish's region (and admins) only: a delivery photo shows the beneficiary "
    "and their home, so donors, residents and the public never get it. Only the photos the last delivery "
    f"report accepted (its photo_keys), each a pre-signed GET valid for {delivery_photos.EXPIRES_IN} seconds.",
    responses={
        200: {"description": "The photos' URLs (an empty list when the delivery had none, or none was reported)"},
        403: {"description": "The caller is not an officer or admin"},
        404: {"description": "No such wish in the caller's region"},
    },
)
def wish_photos(id: str, caller: CurrentCaller, repo: Repository, settings: AppSettings) -> DeliveryPhotos:
    return delivery_photos.photos_for_officer(caller, id, repo, settings)
