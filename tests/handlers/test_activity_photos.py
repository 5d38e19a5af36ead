"""An activity's photos (issue 12 §2): its unit's members and the officers of its region upload, attach and look at
them through pre-signed URLs, as delivery photos; a member of another unit, donors, the public never."""

from __future__ import annotations

from urllib.parse import urlparse

import requests

from microwish.services import activity_photos
from tests.handlers.test_unit_registry import MEMBER, OUTSIDER, UNIT_ADMIN, create, with_member
from tests.support.harness import person
from tests.support.people import ADMIN, DONOR, FOREIGN_OFFICER, OFFICER

PHOTO = b"jpeg-bytes!"
OTHER_ADMIN = person("donor", "donor-other-unit-admin", name="另一单位管理员")


def activity_of(api, unit) -> dict:
    reply = api.post(f"/units/{unit['id']}/activities", {"title": "重阳节走访", "day": "2026-10-29"}, as_=UNIT_ADMIN)
    assert reply.status == 201, reply.text
    return reply.json


def path(unit, activity, tail):
    return f"/units/{unit['id']}/activities/{activity['id']}/{tail}"


def ask(api, unit, activity, who):
    return api.post(path(unit, activity, "uploads"), {"content_type": "image/jpeg", "size_bytes": len(PHOTO)}, as_=who)


def upload(api, unit, activity, who) -> str:
    ticket = ask(api, unit, activity, who)
    assert ticket.status == 201, ticket.text
    assert requests.put(ticket.json["upload_url"], data=PHOTO, headers=ticket.json["headers"]).ok
    return ticket.json["key"]


def test_members_and_officers_attach_photos_and_see_them(api):
    unit = create(api)
    with_member(api, unit)
    activity = activity_of(api, unit)
    assert api.get(path(unit, activity, "photos"), as_=MEMBER).json["items"] == []
    key = upload(api, unit, activity, MEMBER)
    assert key.startswith(f"activities/{activity['id']}/") and MEMBER["sub"] not in key
    stray = upload(api, unit, activity, MEMBER)  # never attached: never shown
    attached = api.post(path(unit, activity, "photos"), {"keys": [key]}, as_=MEMBER)
    assert attached.status == 200, attached.text
    again = api.post(path(unit, activity, "photos"), {"keys": [key]}, as_=MEMBER)  # changes nothing
    officer_key = upload(api, unit, activity, OFFICER)
    assert api.post(path(unit, activity, "photos"), {"keys": [officer_key]}, as_=OFFICER).status == 200
    assert len(again.json["items"]) == 1
    for who in (MEMBER, UNIT_ADMIN, OFFICER, ADMIN):
        seen = api.get(path(unit, activity, "photos"), as_=who)
        assert seen.status == 200 and seen.json["expires_in"] == activity_photos.EXPIRES_IN
        urls = [item["url"] for item in seen.json["items"]]
        assert [urlparse(url).path.endswith(k) for url, k in zip(urls, (key, officer_key), strict=True)] == [True] * 2
        assert not any(stray in url for url in urls)
    assert requests.get(api.get(path(unit, activity, "photos"), as_=MEMBER).json["items"][0]["url"]).content == PHOTO


def test_a_member_of_another_unit_and_everyone_else_cannot(api):
    unit = create(api)
    with_member(api, unit)
    other = create(api, name="怀化市女企业家协会", kind="women_entrepreneurs", admins=[OTHER_ADMIN["sub"]])
    activity = activity_of(api, unit)
    key = upload(api, unit, activity, MEMBER)
    assert api.post(path(unit, activity, "photos"), {"keys": [key]}, as_=MEMBER).status == 200
    for who in (OTHER_ADMIN, OUTSIDER, DONOR, FOREIGN_OFFICER):
        assert ask(api, unit, activity, who).status == 403, who["sub"]
        refused = api.get(path(unit, activity, "photos"), as_=who)
        assert refused.status == 403 and key not in refused.text
        assert api.post(path(unit, activity, "photos"), {"keys": [key]}, as_=who).status == 403
    assert api.get(path(unit, activity, "photos")).status == 401
    # the activity under another unit's path, an unknown activity: 404
    assert api.get(path(other, activity, "photos"), as_=OTHER_ADMIN).status == 404
    assert api.get(path(unit, {"id": "0" * 32}, "photos"), as_=MEMBER).status == 404
    assert api.get(path(unit, {"id": "nope"}, "photos"), as_=MEMBER).status == 404


def test_only_ones_own_uploads_that_exist_are_attached(api):
    unit = create(api)
    with_member(api, unit)
    activity = activity_of(api, unit)
    theirs = upload(api, unit, activity, UNIT_ADMIN)
    refused = api.post(path(unit, activity, "photos"), {"keys": [theirs]}, as_=MEMBER)
    assert refused.status == 422 and refused.json["errors"][0]["field"] == "keys.0"
    missing = ask(api, unit, activity, MEMBER).json["key"]  # a ticket, nothing PUT
    assert api.post(path(unit, activity, "photos"), {"keys": [missing]}, as_=MEMBER).status == 422
    assert api.post(path(unit, activity, "photos"), {"keys": []}, as_=MEMBER).status == 422
    assert api.get(path(unit, activity, "photos"), as_=MEMBER).json["items"] == []


def test_tickets_and_photos_are_limited(api, monkeypatch):
    unit = create(api)
    activity = activity_of(api, unit)
    for _ in range(activity_photos.MAX_TICKETS):
        assert ask(api, unit, activity, UNIT_ADMIN).status == 201
    assert ask(api, unit, activity, UNIT_ADMIN).status == 429
    monkeypatch.setattr(activity_photos, "MAX_PHOTOS", 1)
    first, second = upload(api, unit, activity, OFFICER), upload(api, unit, activity, OFFICER)
    assert api.post(path(unit, activity, "photos"), {"keys": [first]}, as_=OFFICER).status == 200
    full = api.post(path(unit, activity, "photos"), {"keys": [second]}, as_=OFFICER)
    assert full.status == 409 and full.json["state"] == "full"


def test_the_routes_document_their_answers(api):
    paths = api.get("/openapi.json").json["paths"]
    for route, method in (("uploads", "post"), ("photos", "post"), ("photos", "get")):
        operation = paths[f"/units/{{id}}/activities/{{activity_id}}/{route}"][method]
        assert {"401", "403", "404"} <= set(operation["responses"]), route
