"""Delivery photos: a one-off URL to PUT one photo of a declared type and size, for one wish.

Only who may report the wish delivered gets a ticket: the donor holding its active claim (or a member
of the registry unit holding it), or an officer of its region (or an admin), at most MAX_TICKETS per
(wish, caller), counted by a conditional counter. The key names the wish and a hash of the caller
(never the login id): deliveries/<wish id>/<uploader hash>/<uuid>.<ext>. A delivery accepts only keys under the caller's
own prefix for that wish that exist in the bucket, and retags them attached; what is never attached
stays tagged pending and the bucket's lifecycle rule deletes it (template.yaml, PhotoBucket).
"""

from __future__ import annotations

import hashlib
import uuid

from .. import photo_store
from ..auth import Caller, require_role
from ..errors import Conflict, InvalidInput, NotFound, TooManyRequests
from ..lifecycle import PUBLIC_STATUSES
from ..models import Claim, UploadRequest, UploadTicket
from ..repository import WishRepository
from ..settings import Settings
from . import acting

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
_EXPIRES_IN = 15 * 60
MAX_TICKETS = 9  # per (wish, caller): as many as a delivery may carry photos


def uploader_hash(wish_id: str, sub: str) -> str:
    """Opaque, and different for the same person on another wish (keys link no one across wishes)."""
    return hashlib.sha256(f"upload:{wish_id}:{sub}".encode()).hexdigest()[:24]


def key_prefix(wish_id: str, sub: str) -> str:
    return f"deliveries/{wish_id}/{uploader_hash(wish_id, sub)}/"


def ticket(caller: Caller, request: UploadRequest, settings: Settings, repo: WishRepository) -> UploadTicket:
    require_role(caller, "donor", "officer", "admin")
    found = repo.get_wish_and_claims(request.wish_id)
    if found is None:
        raise NotFound("no such wish")
    wish, items = found
    if not caller.is_officer_for(wish.region_code):
        if caller.role != "donor" or wish.status not in PUBLIC_STATUSES:
            raise NotFound("no such wish")  # officers elsewhere, and wishes not on the public list
        claims = [Claim.model_validate(item) for item in items]
        holding = (c for c in claims if c.status == "active" and c.kind != "pledge")
        if not any(acting.acts_for(caller, c, repo) for c in holding):  # their own claim, or their unit's
            raise Conflict("you hold no active claim on this wish: photos are uploaded by whoever delivers it")
    if not repo.take_upload_ticket(wish.id, uploader_hash(wish.id, caller.sub or ""), MAX_TICKETS):
        raise TooManyRequests(f"at most {MAX_TICKETS} photo uploads per wish and person")
    return signed_ticket(key_prefix(wish.id, caller.sub or ""), request.content_type, request.size_bytes, settings)


def signed_ticket(prefix: str, content_type: str, size_bytes: int, settings: Settings) -> UploadTicket:
    """A one-off pre-signed PUT of one photo under `prefix`, tagged pending until something attaches it (delivery
    and activity photos alike)."""
    key = f"{prefix}{uuid.uuid4().hex}.{_EXTENSIONS[content_type]}"
    url = photo_store.presign_put(settings.upload_bucket_name, key, content_type, size_bytes, _EXPIRES_IN)
    return UploadTicket(
        upload_url=url,
        key=key,
        expires_in=_EXPIRES_IN,
        headers={"Content-Type": content_type, "Content-Length": str(size_bytes), "x-amz-tagging": photo_store.PENDING},
    )


def attach(caller: Caller, wish_id: str, keys: list[str], settings: Settings) -> None:
    """Checks a delivery's photo keys (the caller's own uploads for this wish, present in the bucket)
    and marks them attached; InvalidInput naming the first bad key otherwise."""
    prefix = key_prefix(wish_id, caller.sub or "")
    for index, key in enumerate(keys):
        if not key.startswith(prefix):
            raise InvalidInput(f"photo_keys[{index}]", "is not a photo you uploaded for this wish")
        if not photo_store.exists(settings.upload_bucket_name, key):
            raise InvalidInput(f"photo_keys[{index}]", "no photo was uploaded under this key")
    for key in keys:
        photo_store.mark_attached(settings.upload_bucket_name, key)
