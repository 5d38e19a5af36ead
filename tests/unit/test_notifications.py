"""Notification domain without AWS: templates, recipients, signing, ids."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from microwish.lifecycle import Action
from microwish.notifications import contacts
from microwish.notifications.channels import dingtalk_signature, e164, signed_url
from microwish.notifications.recipients import jobs_for, notification_id
from microwish.notifications.templates import (
    AUDIENCES,
    PLACEHOLDERS,
    UNIT_EVENTS,
    all_templates,
    mask_phones,
    placeholders,
    render,
    variables,
)
from microwish.repository.inbox import created_at_of
from microwish.settings import Settings

SNAPSHOT = {
    "title": "一台电视机",
    "category": "goods",
    "groups": ["women_in_hardship"],
    "region_code": "431222250201",
    "level": "village",
    "status": "open",
    "mode": "sole",
    "target_fen": 150000,
    "pledged_fen": 0,
    "submitted_by": "resident-1",
    "campaign_id": None,
    "created_at": "2030-01-01T00:00:00.000Z",
}


def event(action: str, **fields):
    return {
        "PK": "WISH#abc",
        "SK": "AUDIT#2030-01-01T00:00:00.000Z#1",
        "type": "audit",
        "wish_id": "abc",
        "at": "2030-01-01T00:00:00.000Z",
        "action": action,
        "wish": dict(SNAPSHOT),
        **fields,
    }


def test_templates_use_only_known_placeholders_and_the_event_vocabulary():
    templates = all_templates()
    assert set(templates) <= {action.value for action in Action} | UNIT_EVENTS
    for name, audiences in templates.items():
        assert set(audiences) <= set(AUDIENCES), name
        for text in audiences.values():
            assert set(text) == {"title", "body"}
            assert placeholders(text["title"]) | placeholders(text["body"]) <= PLACEHOLDERS, name


def test_rendering_names_the_wish_by_title_category_and_township():
    text = render("claimed", "donor", variables(event("claimed")))
    assert "一台电视机" in text.body and "添一物" in text.body and "怀化市沅陵县马底驿乡" in text.body
    assert "王家村" not in text.body  # the village is not named to donors
    assert render("withdrawn", "donor", variables(event("withdrawn"))) is None


def test_money_is_shown_in_yuan():
    values = variables(event("pledged", amount_fen=5050, wish={**SNAPSHOT, "pledged_fen": 20000}))
    assert (values["amount_yuan"], values["pledged_yuan"], values["target_yuan"]) == ("50.50", "200", "1500")


def test_phone_numbers_in_free_text_are_masked():
    assert mask_phones("电话13800000000或0745-2345678") == "电话***或***"
    assert "13800000000" not in variables(event("fulfilled", note="13800000000"))["thanks"]


def test_jobs_go_to_the_handling_unit_and_each_recipient_once():
    settings = Settings(home_region="4312", top_level="city")
    escalated = jobs_for(event("escalated", wish={**SNAPSHOT, "level": "county"}), settings)
    assert [(job.audience, job.recipient.inbox_owner) for job in escalated] == [("officer", "region#431222")]
    # a resident who is also the donor of the wish hears a claim once
    claimed = jobs_for(event("claimed", donor_id="resident-1"), settings)
    assert [job.recipient.inbox_owner for job in claimed] == ["user#resident-1", "region#431222250201"]
    at_risk = jobs_for(event("at_risk", wish={**SNAPSHOT, "level": "city"}), settings)
    assert [(job.recipient.inbox_owner, job.recipient.chat_region) for job in at_risk] == [
        ("region#4312", "4312"),
        ("admins#4312", "4312"),
    ]
    fulfilled = jobs_for(event("fulfilled", donor_ids=["d1", "d2", "d1"]), settings)
    assert [job.recipient.id for job in fulfilled if job.audience == "donor"] == ["d1", "d2"]


def test_a_dispatch_to_a_registry_unit_goes_to_the_unit_audience_not_to_a_person_named_unit():
    settings = Settings(home_region="4312", top_level="city")
    assigned = jobs_for(event("assigned", donor_id="unit:" + "a" * 32), settings)
    assert [(job.audience, job.recipient.kind, job.recipient.id) for job in assigned] == [("unit", "unit", "a" * 32)]
    assert assigned[0].title == "单位收到派单"
    to_person = jobs_for(event("assigned", donor_id="donor-1"), settings)
    assert [(job.audience, job.recipient.inbox_owner) for job in to_person] == [("donor", "user#donor-1")]
    # other events name units among their donors; those with a "unit" text reach the members (fulfilled does)
    fulfilled = jobs_for(event("fulfilled", donor_ids=["d1", "unit:" + "b" * 32]), settings)
    told = [job.recipient.inbox_owner for job in fulfilled if job.audience in ("donor", "unit")]
    assert told == ["user#d1", "unit#" + "b" * 32]
    cancelled = jobs_for(event("cancelled", donor_ids=["unit:" + "b" * 32]), settings)
    assert [job for job in cancelled if job.audience == "unit"] == []


def test_a_notification_id_gives_back_its_time():
    note = notification_id("2030-01-02T03:04:05.678Z", "WISH#a/AUDIT#x", "user#u")
    assert created_at_of(note) == "2030-01-02T03:04:05.678Z"
    assert note != notification_id("2030-01-02T03:04:05.678Z", "WISH#a/AUDIT#x", "region#43")
    for bad in ("", "nonsense", "2030-01-02", "20300102030405678-XYZ"):
        assert created_at_of(bad) is None


def test_dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret():
    expected = base64.b64encode(hmac.new(b"SEC1", b"1700000000000\nSEC1", hashlib.sha256).digest()).decode()
    assert dingtalk_signature("SEC1", 1700000000000) == expected
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SEC1", 1700000000000)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign=")
    assert signed_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", None).endswith("key=k")


@pytest.mark.parametrize(
    ("phone", "number"),
    [("13800000000", "+8613800000000"), ("0745-2345678", "+867452345678"), ("+85212345678", "+85212345678")],
)
def test_phone_numbers_are_e164_for_sns(phone, number):
    assert e164(phone) == number


def test_contacts_accept_any_spelling_of_a_region():
    parsed = contacts.parse(
        {
            "regions": {
                "431222000000": {"sms": ["13900000000"], "chat": {"url": "u"}},
                "bad": {"sms": ["1"]},
            },
            "admins": {"email": ["a@b.c"]},
        }
    )
    assert parsed.region("431222").sms == ("13900000000",) and parsed.chat_groups() == {"431222": {"url": "u"}}
    assert parsed.admins.email == ("a@b.c",) and parsed.region("4312").chat is None
