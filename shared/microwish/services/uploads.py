"""Delivery photos: a caller gets a one-off URL to PUT one photo of a declared type and size."""

from __future__ import annotations

import re
import uuid

from .. import photo_store
from ..auth import Caller, require_role
from ..models import UploadRequest, UploadTicket
from ..settings import Settings

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
_EXPIRES_IN = 15 * 60


def ticket(caller: Caller, request: UploadRequest, settings: Settings) -> UploadTicket:
    require_role(caller, "donor", "officer", "admin")
    owner = re.sub(r"[^A-Za-z0-9_.@:-]", "_", caller.sub or "")[:128]
    key = f"deliveries/{owner}/{uuid.uuid4().hex}.{_EXTENSIONS[request.content_type]}"
    url = photo_store.presign_put(settings.upload_bucket_name, key, request.content_type, request.size_bytes,
                                  _EXPIRES_IN)
    return UploadTicket(upload_url=url, key=key, expires_in=_EXPIRES_IN,
                        headers={"Content-Type": request.content_type, "Content-Length": str(request.size_bytes)})
