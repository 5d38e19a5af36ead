"""Upload tickets are tied to a held claim or an officer's region, count-limited, keyed without the
login id; a delivery accepts only the caller's own uploads for that wish that exist; what is never
attached expires by the bucket's lifecycle rule (issue 14, leak 9)."""

from __future__ import annotations

import boto3
import requests

from microwish.services import uploads
from tests.support.people import (
    CITY_OFFICER,
    DONOR,
    DONOR_2,
    FOREIGN_OFFICER,
    OFFICER,
    RESIDENT,
    open_wish,
    submit,
)

PHOTO = b"jpeg-bytes!"


def ask(api, wish_id, who):
    return api.post("/uploads", {"wish_id": wish_id, "content_type": "image/jpeg", "size_bytes": len(PHOTO)}, as_=who)


def upload(api, wish_id, who):
    ticket = ask(api, wish_id, who)
    assert ticket.status == 201, ticket.text
    assert requests.put(ticket.json["upload_url"], data=PHOTO, headers=ticket.json["headers"]).ok
    return ticket.json["key"]


def claimed_wish(api, donor=DONOR):
    wish = open_wish(api)
    assert api.post(f"/wishes/{wish['id']}/claims", {}, as_=donor).status == 201
    return wish


def deliver(api, wish, keys, who=DONOR):
    return api.post(f"/wishes/{wish['id']}/delivery", {"note": "电视机已送到", "photo_keys": keys}, as_=who)


def bucket(stack):
    return stack.outputs["PhotoBucketName"]


def tags(stack, key):
    found = boto3.client("s3").get_object_tagging(Bucket=bucket(stack), Key=key)["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in found}


def test_only_the_claim_holder_or_an_officer_of_the_region_gets_a_ticket(api):
    wish = claimed_wish(api)
    assert ask(api, wish["id"], DONOR).status == 201
    assert ask(api, wish["id"], OFFICER).status == 201  # 沅陵县 contains the village
    assert ask(api, wish["id"], CITY_OFFICER).status == 201
    assert ask(api, wish["id"], DONOR_2).status == 409  # a donor without the claim
    assert ask(api, wish["id"], FOREIGN_OFFICER).status == 404
    assert ask(api, wish["id"], RESIDENT).status == 403
    assert ask(api, "0" * 32, DONOR).status == 404
    assert ask(api, "not-a-wish", DONOR).status == 404
    unreviewed = submit(api)
    assert ask(api, unreviewed["id"], DONOR).status == 404  # not on the public list
    opened = open_wish(api)
    assert ask(api, opened["id"], DONOR).status == 409  # nobody's claim yet
    missing = api.post("/uploads", {"content_type": "image/jpeg", "size_bytes": 10}, as_=DONOR)
    assert missing.status == 422 and missing.json["errors"][0]["field"] == "wish_id"


def test_tickets_per_wish_and_person_are_limited(api):
    wish = claimed_wish(api)
    for _ in range(uploads.MAX_TICKETS):
        assert ask(api, wish["id"], DONOR).status == 201
    refused = ask(api, wish["id"], DONOR)
    assert refused.status == 429 and str(uploads.MAX_TICKETS) in refused.json["detail"]
    assert ask(api, wish["id"], OFFICER).status == 201  # another person's count


def test_the_key_names_the_wish_and_not_the_login_id(api):
    wish = claimed_wish(api)
    key = ask(api, wish["id"], DONOR).json["key"]
    assert key.startswith(f"deliveries/{wish['id']}/") and DONOR["sub"] not in key
    other = claimed_wish(api)
    assert ask(api, other["id"], DONOR).json["key"].split("/")[2] != key.split("/")[2]  # unlinkable across wishes


def test_a_delivery_takes_only_the_callers_own_existing_uploads_for_that_wish(api, stack):
    wish = claimed_wish(api)
    other = claimed_wish(api, donor=DONOR_2)
    officers = upload(api, wish["id"], OFFICER)  # someone else's photo of the same wish
    elsewhere = upload(api, other["id"], DONOR_2)  # someone else's photo of another wish
    never_put = ask(api, wish["id"], DONOR).json["key"]  # a ticket, but nothing uploaded
    for keys, index in (([officers], 0), ([elsewhere], 0), ([never_put], 0)):
        refused = deliver(api, wish, keys)
        assert refused.status == 422 and refused.json["errors"][0]["field"] == f"photo_keys[{index}]", refused.text
    assert api.get(f"/wishes/{wish['id']}", as_=CITY_OFFICER).json["status"] == "claimed"  # nothing written

    own = upload(api, wish["id"], DONOR)
    assert tags(stack, own) == {"state": "pending"}
    delivered = deliver(api, wish, [own])
    assert delivered.status == 200, delivered.text
    assert tags(stack, own) == {"state": "attached"}
    assert tags(stack, officers) == {"state": "pending"}  # left to expire


def test_unattached_uploads_expire_by_the_buckets_lifecycle_rule(stack):
    rules = boto3.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket(stack))["Rules"]
    [expiring] = [rule for rule in rules if "Expiration" in rule]
    assert expiring["Status"] == "Enabled"
    assert expiring["Filter"]["Tag"] == {"Key": "state", "Value": "pending"}
    assert 1 <= expiring["Expiration"]["Days"] <= 7
    assert expiring["NoncurrentVersionExpiration"]["NoncurrentDays"] >= 1  # the bucket is versioned


def test_the_upload_route_documents_its_answers(api):
    operation = api.get("/openapi.json").json["paths"]["/uploads"]["post"]
    assert {"201", "404", "409", "422", "429"} <= set(operation["responses"])


def test_a_member_delivering_for_a_unit_uploads_its_photos_and_an_outsider_cannot(api, stack):
    from tests.handlers.test_unit_registry import MEMBER, OUTSIDER, create, with_member

    unit = create(api)
    with_member(api, unit)
    wish = open_wish(api)
    assert api.post(f"/wishes/{wish['id']}/claims", {"unit_id": unit["id"]}, as_=MEMBER).status == 201
    assert ask(api, wish["id"], OUTSIDER).status == 409  # not a member: holds no claim
    key = upload(api, wish["id"], MEMBER)
    delivered = deliver(api, wish, [key], who=MEMBER)
    assert delivered.status == 200, delivered.text
    assert tags(stack, key) == {"state": "attached"}
