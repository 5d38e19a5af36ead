"""A typed phone number or e-mail address is used only once verified with the code sent to it, codes
are stored hashed, tried a limited number of times and expire, and no address gets more than a capped
number of messages a day (issue 14, leak 8)."""

from __future__ import annotations

import json

import pytest

from microwish.notifications import verification
from microwish.repository.inbox import InboxStore
from tests.support.notifications import Pipeline
from tests.support.people import DONOR, RESIDENT, all_items, submit

PHONE = "13700000009"
STRANGER = "13600000000"  # someone else's number, typed in by whoever


@pytest.fixture
def pipeline(stack, tmp_path, monkeypatch):
    outbox = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("MICROWISH_OUTBOX_FILE", str(outbox))  # where the local runtime sends codes too
    return Pipeline(stack, outbox)


def put(api, who=RESIDENT, **prefs):
    return api.request("PUT", "/me/preferences", json_body=prefs, as_=who)


def verify(api, channel, code, who=RESIDENT):
    return api.post("/me/preferences/verification", {"channel": channel, "code": code}, as_=who)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_typed_number_gets_a_code_and_no_notification_until_verified(api, pipeline):
    reply = put(api, sms=True, phone=STRANGER)
    assert reply.status == 200 and reply.json["phone"] == STRANGER and reply.json["phone_verified"] is False
    [code] = pipeline.codes(STRANGER)  # one message: the code, nothing else
    submit(api)
    pipeline.run()
    assert [line for line in pipeline.sent() if line["to"] == STRANGER] == []
    assert api.get("/me/preferences", as_=RESIDENT).json["phone_verified"] is False

    assert verify(api, "sms", code).json["phone_verified"] is True
    submit(api)
    pipeline.run()
    assert [(line["channel"], line["event"]) for line in pipeline.sent() if line["to"] == STRANGER] == [
        ("sms", "submitted")
    ]


def test_a_wrong_code_is_refused_and_attempts_are_limited(api, pipeline):
    put(api, sms=True, phone=PHONE, email=True, email_address="me@example.org")
    [code], [mail_code] = pipeline.codes(PHONE), pipeline.codes("me@example.org")
    bad = verify(api, "sms", wrong(code))
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "code"
    assert verify(api, "sms", "12345").status == 422  # not six digits
    assert verify(api, "fax", code).status == 422
    assert verify(api, "email", mail_code).json["email_verified"] is True  # channels apart
    for _ in range(verification.MAX_ATTEMPTS - 2):
        assert verify(api, "sms", wrong(code)).status == 422
    assert verify(api, "sms", wrong(code)).status == 429  # the last attempt voids the code
    assert verify(api, "sms", code).status == 429  # even the right one now
    assert api.get("/me/preferences", as_=RESIDENT).json["phone_verified"] is False
    put(api, sms=True, phone=PHONE, email=True, email_address="me@example.org")  # a new code
    assert len(pipeline.codes(PHONE)) == 2 and len(pipeline.codes("me@example.org")) == 1
    assert verify(api, "sms", pipeline.codes(PHONE)[-1]).json["phone_verified"] is True
    assert verify(api, "sms", pipeline.codes(PHONE)[-1]).status == 409  # verified already


def test_a_code_expires(api, pipeline, shift):
    put(api, sms=True, phone=PHONE)
    [code] = pipeline.codes(PHONE)
    shift(verification.CODE_TTL_S / 86400 + 0.001)
    expired = verify(api, "sms", code)
    assert expired.status == 422 and expired.json["errors"][0]["field"] == "code"
    put(api, sms=True, phone=PHONE)  # an expired code is replaced
    assert verify(api, "sms", pipeline.codes(PHONE)[-1]).json["phone_verified"] is True


def test_same_number_again_sends_nothing_new_and_a_new_number_must_be_verified_again(api, pipeline):
    put(api, sms=True, phone=PHONE)
    put(api, sms=True, phone=PHONE)  # a pending code is still good: no second message
    assert len(pipeline.codes(PHONE)) == 1
    verify(api, "sms", pipeline.codes(PHONE)[0])
    assert put(api, sms=False, phone=PHONE).json["phone_verified"] is True  # stays verified
    assert put(api, sms=True, phone=STRANGER).json["phone_verified"] is False
    assert verify(api, "sms", pipeline.codes(PHONE)[0]).status == 422  # the old number's code is no good
    assert verify(api, "sms", pipeline.codes(STRANGER)[0]).json["phone_verified"] is True
    assert verify(api, "sms", "000000", who=DONOR).status == 409  # nothing pending for the donor


def test_codes_are_stored_hashed_and_never_logged(api, pipeline, table, caplog):
    put(api, sms=True, phone=PHONE, email=True, email_address="me@example.org")
    codes = pipeline.codes(PHONE) + pipeline.codes("me@example.org")
    stored = json.dumps(all_items(table))
    logged = " ".join(str(record.__dict__) for record in caplog.records)
    assert codes and not any(code in stored or code in logged for code in codes)


def test_messages_per_address_and_day_are_capped(api, pipeline, table, caplog):
    put(api, sms=True, phone=PHONE)
    verify(api, "sms", pipeline.codes(PHONE)[0])  # the code was message 1 of the day
    for n in range(4):
        submit(api, title=f"心愿{n}")
    pipeline.run(NOTIFY_DAILY_CAP="3")
    assert len([line for line in pipeline.sent() if line["to"] == PHONE]) == 2  # messages 2 and 3
    capped = [record for record in caplog.records if "daily message cap" in record.getMessage()]
    assert len(capped) == 2 and all(record.channel == "sms" for record in capped)
    logged = " ".join(str(record.__dict__) for record in caplog.records)
    assert PHONE not in logged and "8613700000009" not in logged
    # a verification code counts too: at the cap, no code goes out (429, nothing stored)
    store = InboxStore(table)
    while verification.take_send_slot(store, "sms", STRANGER, 20):
        pass
    refused = put(api, sms=True, phone=STRANGER)
    assert refused.status == 429 and refused.json["errors"][0]["field"] == "phone"
    assert pipeline.codes(STRANGER) == [] and api.get("/me/preferences", as_=RESIDENT).json["phone"] == PHONE
    assert not any(PHONE in json.dumps(item) for item in all_items(table) if item["PK"]["S"].startswith("SENDCAP#"))


def test_the_verification_route_is_documented(api):
    operation = api.get("/openapi.json").json["paths"]["/me/preferences/verification"]["post"]
    assert {"200", "409", "422", "429"} <= set(operation["responses"])
