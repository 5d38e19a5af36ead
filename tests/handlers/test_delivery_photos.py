"""GET /wishes/{id}/photos: the officers who confirm a delivery see its photos, through short-lived
pre-signed GETs of exactly the keys the delivery accepted; donors, residents, the public and officers
elsewhere never get a URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import requests

from microwish.services import delivery_photos
from tests.handlers.test_uploads import PHOTO, ask, claimed_wish, deliver, upload
from tests.support.people import (
    ADMIN,
    CITY_OFFICER,
    DONOR,
    DONOR_2,
    FOREIGN_OFFICER,
    OFFICER,
    RESIDENT,
    TOWNSHIP_OFFICER,
)


def photos(api, wish_id, who):
    return api.get(f"/wishes/{wish_id}/photos", as_=who)


def test_officers_of_the_region_read_the_photos_the_delivery_accepted(api):
    wish = claimed_wish(api)
    first, second = upload(api, wish["id"], DONOR), upload(api, wish["id"], DONOR)
    stray = upload(api, wish["id"], DONOR)  # uploaded, never sent in the delivery: stays pending, never shown
    assert deliver(api, wish, [first, second]).status == 200

    for officer in (OFFICER, TOWNSHIP_OFFICER, CITY_OFFICER, ADMIN):
        answer = photos(api, wish["id"], officer)
        assert answer.status == 200, answer.text
        assert answer.json["wish_id"] == wish["id"]
        assert answer.json["expires_in"] == delivery_photos.EXPIRES_IN
        urls = [item["url"] for item in answer.json["items"]]
        assert [urlparse(url).path.endswith(key) for url, key in zip(urls, (first, second), strict=True)] == [True] * 2
        assert not any(stray in url for url in urls)
    url = photos(api, wish["id"], OFFICER).json["items"][0]["url"]
    assert parse_qs(urlparse(url).query)["X-Amz-Expires"] == [str(delivery_photos.EXPIRES_IN)]
    fetched = requests.get(url)
    assert fetched.ok and fetched.content == PHOTO


def test_nobody_else_gets_a_url(api):
    wish = claimed_wish(api)
    key = upload(api, wish["id"], DONOR)
    assert deliver(api, wish, [key]).status == 200
    for who, status in ((DONOR, 403), (DONOR_2, 403), (RESIDENT, 403), (FOREIGN_OFFICER, 404)):
        refused = photos(api, wish["id"], who)
        assert refused.status == status, (who["sub"], refused.text)
        assert refused.json["status"] == status and refused.json["detail"]
        assert key not in refused.text
    anonymous = api.get(f"/wishes/{wish['id']}/photos")
    assert anonymous.status == 401
    assert photos(api, "0" * 32, OFFICER).status == 404


def test_a_wish_not_delivered_or_delivered_without_photos_has_none(api):
    wish = claimed_wish(api)
    ask(api, wish["id"], DONOR)  # a ticket alone shows nothing
    assert photos(api, wish["id"], OFFICER).json["items"] == []
    assert deliver(api, wish, []).status == 200
    assert photos(api, wish["id"], OFFICER).json["items"] == []


def test_the_route_documents_its_answers(api):
    operation = api.get("/openapi.json").json["paths"]["/wishes/{id}/photos"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    assert "application/problem+json" in operation["responses"]["404"]["content"]
