"""An activity's photos (issue 12 §2), kept as delivery photos are (services/uploads.py, delivery_photos.py).

Who: the unit's members (any role in it), the officers of its region, and admins — to upload, attach and look.
A member of another unit, a donor, the public: 403. Never public: an activity's photos may show beneficiaries and
their homes, as a delivery's do, and delivery photos are never shown to the public or donors; so the same
visibility holds, widened only to the unit that held the activity (its own people took them).
How: a one-off pre-signed PUT of a declared type and size (tagged pending; at most MAX_TICKETS per activity and
uploader), key `activities/<activity id>/<uploader hash>/<uuid>.<ext>` (the hash, never the login id); attaching
accepts only the caller's own keys for that activity that exist in the bucket, retags them attached and adds them
to the activity (at most MAX_PHOTOS); unattached uploads are deleted by the bucket's lifecycle rule. Looking is a
short-lived pre-signed GET per attached key — the bucket is never listed.
"""

from __future__ import annotations

import hashlib

from .. import photo_store
from ..auth import Caller, require_role
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from ..models import UploadTicket
from ..models.activities import Activity, ActivityPhoto, ActivityPhotoKeys, ActivityPhotos, ActivityPhotoUpload
from ..repository import WishRepository
from ..settings import Settings
from .uploads import signed_ticket

EXPIRES_IN = 5 * 60  # as delivery photos: long enough to look, short enough that a forwarded link soon stops
MAX_TICKETS = 9  # per (activity, uploader)
MAX_PHOTOS = 30  # per activity


def uploader_hash(activity_id: str, sub: str) -> str:
    return hashlib.sha256(f"activity-upload:{activity_id}:{sub}".encode()).hexdigest()[:24]


def key_prefix(activity_id: str, sub: str) -> str:
    return f"activities/{activity_id}/{uploader_hash(activity_id, sub)}/"


def _load(caller: Caller, unit_id: str, activity_id: str, repo: WishRepository) -> Activity:
    """The activity, for the unit's members, the officers of its region and admins (403 for anyone else)."""
    require_role(caller, "resident", "donor", "officer", "admin")
    unit = repo.units.get(unit_id)
    activity = repo.activities.get(activity_id)
    if unit is None or activity is None or activity.unit_id != unit.id:
        raise NotFound("no such activity of this unit")
    if not caller.is_officer_for(unit.region_code) and repo.units.member(unit.id, caller.sub) is None:
        raise Forbidden("an activity's photos are for its unit's members and the officers of its region")
    return activity


def ticket(
    caller: Caller,
    unit_id: str,
    activity_id: str,
    request: ActivityPhotoUpload,
    settings: Settings,
    repo: WishRepository,
) -> UploadTicket:
    activity = _load(caller, unit_id, activity_id, repo)
    uploader = uploader_hash(activity.id, caller.sub or "")
    if not repo.take_upload_ticket(activity.id, uploader, MAX_TICKETS):
        raise TooManyRequests(f"at most {MAX_TICKETS} photo uploads per activity and person")
    return signed_ticket(key_prefix(activity.id, caller.sub or ""), request.content_type, request.size_bytes, settings)


def attach(
    caller: Caller, unit_id: str, activity_id: str, request: ActivityPhotoKeys, settings: Settings, repo: WishRepository
) -> ActivityPhotos:
    """Attach the caller's uploads to the activity (again: nothing changes); 422 naming a bad key."""
    activity = _load(caller, unit_id, activity_id, repo)
    prefix = key_prefix(activity.id, caller.sub or "")
    for index, key in enumerate(request.keys):
        if not key.startswith(prefix):
            raise InvalidInput(f"keys.{index}", "is not a photo you uploaded for this activity")
        if not photo_store.exists(settings.upload_bucket_name, key):
            raise InvalidInput(f"keys.{index}", "no photo was uploaded under this key")
    new = [key for key in request.keys if key not in activity.photo_keys]
    if new and not repo.activities.add_photos(activity.id, new, MAX_PHOTOS):
        raise Conflict(f"an activity keeps at most {MAX_PHOTOS} photos", state="full")
    for key in request.keys:
        photo_store.mark_attached(settings.upload_bucket_name, key)
    return photos(caller, unit_id, activity_id, settings, repo)


def photos(caller: Caller, unit_id: str, activity_id: str, settings: Settings, repo: WishRepository) -> ActivityPhotos:
    activity = _load(caller, unit_id, activity_id, repo)
    return ActivityPhotos(
        activity_id=activity.id,
        expires_in=EXPIRES_IN,
        items=[
            ActivityPhoto(url=photo_store.presign_get(settings.upload_bucket_name, key, EXPIRES_IN))
            for key in dict.fromkeys(activity.photo_keys)
        ],
    )
