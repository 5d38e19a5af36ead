"""Delivery photos to look at: short-lived pre-signed GET URLs, for the officers of the wish's region.

Who: the officers whose region contains the wish's village, and admins — the people who confirm the
delivery (销号). Not the donors, nor the submitting resident, nor the public: a delivery photo shows
the beneficiary and their home, which PRODUCT.md keeps from donors and the public; the donor who took
the photos has them already. Which: only the keys the last delivery report accepted (the wish's
`photo_keys`, checked and tagged attached by services/uploads.attach) — the bucket is never listed,
so a pending upload no delivery accepted is never shown.
"""

from __future__ import annotations

from .. import photo_store
from ..auth import Caller
from ..models import DeliveryPhoto, DeliveryPhotos
from ..repository import WishRepository
from ..settings import Settings
from .wishes import load_for_officer

EXPIRES_IN = 5 * 60  # long enough to look, short enough that a forwarded link soon stops working


def photos_for_officer(caller: Caller, wish_id: str, repo: WishRepository, settings: Settings) -> DeliveryPhotos:
    wish = load_for_officer(caller, wish_id, repo)  # 403 for other roles, 404 outside the region
    return DeliveryPhotos(
        wish_id=wish.id,
        expires_in=EXPIRES_IN,
        items=[
            DeliveryPhoto(url=photo_store.presign_get(settings.upload_bucket_name, key, EXPIRES_IN))
            for key in wish.photo_keys
        ],
    )
