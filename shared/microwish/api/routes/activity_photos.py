"""An activity's photos (issue 12 §2): upload, attach and look, for its unit's members and the region's officers."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import UploadTicket
from ...models.activities import ActivityPhotoKeys, ActivityPhotos, ActivityPhotoUpload
from ...services import activity_photos
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository

router = Router()
_WHO = (
    "For the unit's members, the officers of its region and admins (a member of another unit, donors and the "
    "public: 403). Never public: like a delivery's, an activity's photos may show beneficiaries and their homes."
)


@router.post(
    "/units/<id>/activities/<activity_id>/uploads",
    summary="Get a URL to upload a photo of a unit's activity to",
    tags=["units"],
    security=BEARER,
    description=f"{_WHO} At most {activity_photos.MAX_TICKETS} tickets per activity and person. PUT the photo to "
    "upload_url with exactly the headers given (type, size and a pending tag are signed in), then attach its key "
    "(POST …/photos); a photo never attached is deleted after a few days.",
    responses={
        201: {"description": "PUT the photo to upload_url with these headers; then attach key"},
        403: {"description": "Not a member of the unit nor an officer of its region"},
        404: {"description": "No such activity of this unit"},
        422: {"description": "content_type or size_bytes not valid"},
        429: {"description": "The caller had all the tickets one activity allows"},
    },
)
def activity_upload(
    id: str,
    activity_id: str,
    request: ActivityPhotoUpload,
    caller: CurrentCaller,
    repo: Repository,
    settings: AppSettings,
) -> Response[UploadTicket]:
    ticket = activity_photos.ticket(caller, id, activity_id, request, settings, repo)
    return Response(201, "application/json", ticket)


@router.post(
    "/units/<id>/activities/<activity_id>/photos",
    summary="Attach uploaded photos to a unit's activity",
    tags=["units"],
    security=BEARER,
    description=f"{_WHO} `keys`: the caller's own uploads for this activity, present in the bucket; attaching "
    f"again changes nothing. At most {activity_photos.MAX_PHOTOS} photos per activity. Answers the photos as "
    "GET does.",
    responses={
        200: {"description": "The activity's photos, as short-lived URLs"},
        403: {"description": "Not a member of the unit nor an officer of its region"},
        404: {"description": "No such activity of this unit"},
        409: {"description": "The activity has all the photos it may keep (`state: full`)"},
        422: {"description": "A key is not the caller's upload for this activity, or nothing was uploaded there"},
    },
)
def attach_activity_photos(
    id: str,
    activity_id: str,
    request: ActivityPhotoKeys,
    caller: CurrentCaller,
    repo: Repository,
    settings: AppSettings,
) -> ActivityPhotos:
    return activity_photos.attach(caller, id, activity_id, request, settings, repo)


@router.get(
    "/units/<id>/activities/<activity_id>/photos",
    summary="The photos of a unit's activity",
    tags=["units"],
    security=BEARER,
    description=f"{_WHO} Each a pre-signed GET valid for {activity_photos.EXPIRES_IN} seconds; the bucket is never "
    "listed.",
    responses={
        200: {"description": "The photos' URLs (an empty list when none was attached)"},
        403: {"description": "Not a member of the unit nor an officer of its region"},
        404: {"description": "No such activity of this unit"},
    },
)
def activity_photos_list(
    id: str, activity_id: str, caller: CurrentCaller, repo: Repository, settings: AppSettings
) -> ActivityPhotos:
    return activity_photos.photos(caller, id, activity_id, settings, repo)
