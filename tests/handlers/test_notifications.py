"""Events and notifications through the real handlers: stream → router → queue → notifier → channels.

Wish changes are driven through the API where its routes exist (submit, review); other events are
written as audit items with the repository's own `audit_item`, so they reach the stream exactly as
the claiming and escalation code's events do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest

from microwish.lifecycle import Action, Status
from microwish.models import AuditEvent, Wish
from microwish.notifications import channels
from microwish.notifications.templates import all_templates, render, variables
from microwish.repository import WishRepository, audit_item, to_dynamo
from tests.support.harness import person
from tests.support.notifications import Pipeline
from tests.support.people import (
    ADMIN,
    CITY_OFFICER,
    DONOR,
    DONOR_2,
    FOREIGN_OFFICER,
    OFFICER,
    PRIVATE,
    RESIDENT,
    VILLAGE,
    all_items,
    submit,
)

VILLAGE_OFFICER = person("officer", "officer-wangjia", region=VILLAGE)
OTHER_VILLAGE = "431281203201"
OTHER_VILLAGE_OFFICER = person("officer", "officer-other-village", region=OTHER_VILLAGE)
CONTACTS_PARAMETER = "/microwish/notification-contacts"
CONTACTS = {
    "regions": {
        VILLAGE: {"sms": ["13911110000"], "email": ["wangjia@example.org"], "chat": {"url": "http://chat/v"}},
        "431222": {"sms": ["13922220000"], "chat": {"url": "http://chat/c"}},
        "431200": {"email": ["huaihua@example.org"], "chat": {"url": "http://chat/h", "secret": "SECx"}},
    },
    "admins": {"sms": ["13933330000"]},
}
# Who hears each event (PRODUCT/API brief, issue #5); "donors" = every donor of the wish.
EXPECTED = {
    "submitted": {"resident", "officer"},
    "approved": {"resident"},
    "rejected": {"resident"},
    "claimed": {"resident", "officer", "donor"},
    "pledged": {"donor"},
    "withdrawn": set(),
    "assigned": {"donor"},
    "accepted": {"resident", "officer", "donor"},
    "declined": set(),
    "delivered": {"resident", "officer"},
    "fulfilled": {"resident", "donors"},
    "delivery_rejected": set(),
    "escalated": {"officer"},
    "at_risk": {"officer", "admin"},
    "reminder": {"donor"},
    "lapsed": {"officer", "donor"},
    "cancelled": {"donors"},
    "erased": {"officer"},  # the region's officers; never a donor
}
# The wish as each event leaves it (status, level).
AFTER = {
    "submitted": ("submitted", "village"),
    "approved": ("open", "village"),
    "rejected": ("rejected", "village"),
    "claimed": ("claimed", "village"),
    "pledged": ("open", "village"),
    "withdrawn": ("open", "village"),
    "assigned": ("assigned", "village"),
    "accepted": ("claimed", "village"),
    "declined": ("open", "village"),
    "delivered": ("delivered", "village"),
    "fulfilled": ("fulfilled", "village"),
    "delivery_rejected": ("claimed", "village"),
    "escalated": ("open", "county"),
    "at_risk": ("open", "city"),
    "reminder": ("claimed", "village"),
    "lapsed": ("open", "village"),
    "cancelled": ("cancelled", "village"),
    "erased": ("submitted", "village"),  # erasure moves nothing
}


@pytest.fixture
def outbox(tmp_path):
    return tmp_path / "outbox.jsonl"


@pytest.fixture
def pipeline(stack, outbox, monkeypatch):
    monkeypatch.setenv("MICROWISH_OUTBOX_FILE", str(outbox))  # verification codes, as the local runtime
    return Pipeline(stack, outbox)


@pytest.fixture
def contacts(stack):
    boto3.client("ssm").put_parameter(Name=CONTACTS_PARAMETER, Type="SecureString", Value=json.dumps(CONTACTS))
    return CONTACTS


def set_preferences(api, who, **prefs):
    """PUT the preferences, then verify each new number/address with the code sent to it (outbox)."""
    reply = api.request("PUT", "/me/preferences", json_body=prefs, as_=who)
    assert reply.status == 200, reply.text
    outbox = Pipeline(api.stack, Path(os.environ["MICROWISH_OUTBOX_FILE"]))
    for channel, field in (("sms", "phone"), ("email", "email_address")):
        verified = "phone_verified" if channel == "sms" else "email_verified"
        if prefs.get(field) and not reply.json[verified]:
            code = outbox.codes(prefs[field])[-1]
            reply = api.post("/me/preferences/verification", {"channel": channel, "code": code}, as_=who)
            assert reply.status == 200, reply.text
    return reply.json


def inbox(api, who, **query):
    reply = api.get("/me/notifications", as_=who, query=query)
    assert reply.status == 200, reply.text
    return reply.json


def stored_wish(table, wish_id) -> Wish:
    return WishRepository(table).get_wish(wish_id)


def write_event(table, wish: Wish, action: str, **fields: Any) -> dict[str, Any]:
    """An audit item as the services write it (repository.audit_item), for the wish after `action`."""
    status, level = AFTER[action]
    after = wish.model_copy(update={"status": Status(status), "level": level})
    event = AuditEvent(
        at=fields.pop("at", "2030-01-01T00:00:00.000Z"),
        actor="someone",
        actor_role="system",
        action=Action(action),
        from_status=wish.status,
        to_status=after.status,
        from_level=wish.level,
        to_level=level,
        **fields,
    )
    item = audit_item(after, event)
    boto3.client("dynamodb").put_item(TableName=table, Item=to_dynamo(item))
    return item


def inbox_items(table) -> list[dict[str, Any]]:
    items = [item for item in all_items(table) if item.get("type", {}).get("S") == "inbox"]
    return [{key: next(iter(value.values())) for key, value in item.items()} for item in items]


# ---------------------------------------------------------------- the template
def test_the_template_wires_stream_queue_dead_letters_and_alarms(stack):
    resources = stack.sam_template["Resources"]
    router = resources["EventRouterFunction"]["Properties"]
    source = router["Events"]["AuditEvents"]["Properties"]
    assert source["Stream"] == {"Fn::GetAtt": ["WishTable", "StreamArn"]}
    assert source["StartingPosition"] == "TRIM_HORIZON"
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["BisectBatchOnFunctionError"] is True and source["MaximumRetryAttempts"] >= 1
    assert json.loads(source["FilterCriteria"]["Filters"][0]["Pattern"]) == {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"type": {"S": ["audit", "recognition_event"]}}},  # an activity held: unit notices
    }
    assert source["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["EventRouterDeadLetterQueue", "Arn"]
    }
    notifier = resources["NotifierFunction"]["Properties"]
    jobs = notifier["Events"]["Jobs"]["Properties"]
    assert jobs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = resources["NotificationQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * notifier["Timeout"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 5
    for name in ("NotificationQueue", "NotificationDeadLetterQueue", "EventRouterDeadLetterQueue"):
        assert resources[name]["Properties"]["SqsManagedSseEnabled"] is True
    alarmed = {
        resource["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for resource in resources.values()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert {"NotificationDeadLetterQueue", "EventRouterDeadLetterQueue"} <= alarmed
    for function in ("EventRouterFunction", "NotifierFunction", "InboxFunction"):
        assert any(
            resource["Type"] == "AWS::Logs::LogGroup"
            and resource["Properties"].get("LogGroupName") == {"Fn::Sub": f"/aws/lambda/${{{function}}}"}
            for resource in resources.values()
        ), function
    # the moto stack runs them: the stream and queue sources are there with their settings
    assert pipeline_sources(stack) == (100, 10)


def pipeline_sources(stack):
    stream = next(s for s in stack.stream_sources if s.function == "EventRouterFunction")
    queue = next(s for s in stack.sqs_sources if s.function == "NotifierFunction")
    assert stream.report_batch_item_failures and queue.report_batch_item_failures and stream.on_failure_arn
    return stream.batch_size, queue.batch_size


def test_only_new_audit_items_reach_the_router(api, pipeline):
    wish = submit(api)
    assert api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER).status == 200
    raw = pipeline.read_stream()
    passed = pipeline.stream_event(raw)["Records"]
    assert len(raw) > len(passed) == 2  # the wish, its private part and its update are not events
    assert [r["dynamodb"]["NewImage"]["action"]["S"] for r in passed] == ["submitted", "approved"]


# ---------------------------------------------------------------- through the API
def test_submission_and_review_tell_the_resident_and_the_village_unit(api, pipeline, contacts):
    set_preferences(api, RESIDENT, sms=True, phone="13700000001")
    wish = submit(api)
    pipeline.run()
    mine = inbox(api, RESIDENT)["items"]
    assert [(item["event"], item["wish_id"], item["read"]) for item in mine] == [("submitted", wish["id"], False)]
    assert "一台电视机" in mine[0]["body"] and "马底驿乡" in mine[0]["body"]
    unit = inbox(api, VILLAGE_OFFICER)["items"]
    assert [(item["event"], item["title"]) for item in unit] == [("submitted", "新心愿待审核")]
    assert inbox(api, OFFICER)["items"] == []  # the county is not the handling unit of a village wish
    sent = {(line["channel"], line["to"]) for line in pipeline.sent()}
    assert sent == {
        ("sms", "13700000001"),
        ("sms", "13911110000"),
        ("email", "wangjia@example.org"),
        ("chat", VILLAGE),
    }

    api.post(f"/wishes/{wish['id']}/review", {"decision": "reject", "reason": "不属于帮扶范围"}, as_=CITY_OFFICER)
    pipeline.run()
    latest = inbox(api, RESIDENT)["items"][0]
    assert latest["event"] == "rejected" and "不属于帮扶范围" in latest["body"]
    assert len(inbox(api, VILLAGE_OFFICER)["items"]) == 1  # rejection is for the resident only


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_every_event_reaches_exactly_its_recipients_on_their_channels(api, pipeline, contacts, table, action):
    set_preferences(api, RESIDENT, sms=True, phone="13700000001", email=True, email_address="r@example.org")
    set_preferences(api, DONOR, sms=True, phone="13700000002")
    set_preferences(api, DONOR_2, email=True, email_address="d2@example.org")
    wish = stored_wish(table, submit(api)["id"])
    pipeline.read_stream()  # the submission's own event is not under test here
    donors = {"donor_id": DONOR["sub"]} if "donor" in EXPECTED[action] else {}
    if "donors" in EXPECTED[action]:
        donors = {"donor_ids": [DONOR["sub"], DONOR_2["sub"]]}
    write_event(table, wish, action, note="谢谢", amount_fen=5000, **donors)
    pipeline.run()

    _, level = AFTER[action]
    handling = {"village": VILLAGE, "county": "431222", "city": "4312"}[level]
    contact = {
        VILLAGE: CONTACTS["regions"][VILLAGE],
        "431222": CONTACTS["regions"]["431222"],
        "4312": CONTACTS["regions"]["431200"],
    }[handling]
    expected: set[tuple[str, str]] = set()
    audiences = EXPECTED[action]
    if "resident" in audiences:
        expected |= {("inbox", "user#resident-1"), ("sms", "13700000001"), ("email", "r@example.org")}
    if "officer" in audiences:
        expected |= {("inbox", f"region#{handling}"), ("chat", handling)}
        expected |= {("sms", n) for n in contact.get("sms", [])} | {("email", a) for a in contact.get("email", [])}
    if "donor" in audiences:
        expected |= {("inbox", "user#donor-1"), ("sms", "13700000002")}
    if "donors" in audiences:
        expected |= {
            ("inbox", "user#donor-1"),
            ("sms", "13700000002"),
            ("inbox", "user#donor-2"),
            ("email", "d2@example.org"),
        }
    if "admin" in audiences:
        expected |= {("inbox", "admins#4312"), ("chat", "4312"), ("sms", "13933330000")}
    got = [(line["channel"], line["to"]) for line in pipeline.sent()]
    got += [("inbox", item["owner"]) for item in inbox_items(table) if item["event"] == action]
    assert sorted(got) == sorted(expected)  # each exactly once
    for line in pipeline.sent():
        assert line["event"] == action and line["wish_id"] == wish.id and line["sent_at"]


def test_at_risk_reaches_the_admins_and_the_top_units_chat_once(api, pipeline, contacts, table):
    wish = stored_wish(table, submit(api)["id"])
    pipeline.read_stream()
    write_event(table, wish, "at_risk")
    pipeline.run()
    assert [line["to"] for line in pipeline.sent() if line["channel"] == "chat"] == ["4312"]
    assert [item["event"] for item in inbox(api, ADMIN)["items"]] == ["at_risk"]
    assert [item["title"] for item in inbox(api, CITY_OFFICER)["items"]] == ["心愿逾期预警"]


def test_the_donor_hears_the_beneficiarys_thanks(api, pipeline, table):
    wish = stored_wish(table, submit(api)["id"])
    pipeline.read_stream()
    thanked = wish.model_copy(update={"feedback": "电视收到了，谢谢好心人！"})
    write_event(table, thanked, "fulfilled", note="内部备注：家里还缺冰箱", donor_ids=[DONOR["sub"]])
    pipeline.run()
    [item] = inbox(api, DONOR)["items"]
    assert item["event"] == "fulfilled" and "电视收到了，谢谢好心人！" in item["body"]
    assert "冰箱" not in item["body"]  # the officer's note is not for donors


# ---------------------------------------------------------------- exactly once
def test_redelivering_every_stream_record_and_every_message_sends_nothing_twice(api, pipeline, contacts, table, stack):
    set_preferences(api, RESIDENT, sms=True, phone="13700000001")
    wish = submit(api)
    api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER)
    messages = pipeline.run()
    first_sent, first_inbox = pipeline.sent(), inbox_items(table)
    assert len(first_sent) == 5 and len(first_inbox) == 3  # submitted: resident + unit; approved: resident
    read = api.post(f"/me/notifications/{inbox(api, RESIDENT)['items'][0]['id']}/read", as_=RESIDENT)
    assert read.status == 200

    # The stream hands every record again (a crash after the router queued its jobs) ...
    assert pipeline.route(pipeline.read_stream(from_start=True)) == {"batchItemFailures": []}
    # ... and SQS delivers every message again (at-least-once), twice over.
    again = [dict(message, MessageId=message["MessageId"] + "-again") for message in messages]
    pipeline.notify(again, delete=False)
    pipeline.drain()
    assert pipeline.sent() == first_sent
    assert len(inbox_items(table)) == 3
    assert inbox(api, RESIDENT)["items"][0]["read"] is True  # a redelivery does not mark it unread


# ---------------------------------------------------------------- failures
class Webhook:
    """A chat robot: answers each path with the status queued for it (then 200), records requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, Any]]] = []
        self.statuses: dict[str, list[int]] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                url = urlparse(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append((url.path, parse_qs(url.query), body))
                queue = outer.statuses.get(url.path, [])
                status = queue.pop(0) if queue else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook(monkeypatch):
    monkeypatch.setattr(channels, "WEBHOOK_BACKOFF_S", 0.01)
    hook = Webhook()
    yield hook
    hook.close()


def chat_contacts(webhook):
    contacts = {
        "regions": {
            VILLAGE: {"chat": {"url": f"{webhook.url}/ok?access_token=a", "secret": "SECok"}},
            OTHER_VILLAGE: {"chat": {"url": f"{webhook.url}/down"}},
        }
    }
    boto3.client("ssm").put_parameter(
        Name=CONTACTS_PARAMETER, Type="SecureString", Value=json.dumps(contacts), Overwrite=True
    )


def test_chat_webhooks_are_signed_and_retried_and_a_failure_fails_only_its_record(api, stack, webhook):
    chat_contacts(webhook)
    pipeline = Pipeline(stack, None)  # no outbox file: the chat robots are called over HTTP
    webhook.statuses = {"/ok": [502], "/down": [500] * 100}
    submit(api)
    submit(api, region_code=OTHER_VILLAGE)
    assert pipeline.route(pipeline.read_stream()) == {"batchItemFailures": []}
    messages = pipeline.receive(visibility=0)
    jobs = {message["MessageId"]: json.loads(message["Body"]) for message in messages}
    assert len(jobs) == 4  # each wish: its resident and its village's unit
    result = pipeline.notify(messages)
    failed = [failure["itemIdentifier"] for failure in result["batchItemFailures"]]
    assert [jobs[m]["recipient"]["id"] for m in failed] == [OTHER_VILLAGE]

    ok = [request for request in webhook.requests if request[0] == "/ok"]
    assert len(ok) == 2  # a 502, retried, then delivered
    _, query, body = ok[-1]
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECok", f"{timestamp}\nSECok".encode(), hashlib.sha256).digest())
    assert sign == expected.decode() and query["access_token"] == ["a"]
    assert body["msgtype"] == "text" and "新心愿待审核" in body["text"]["content"]
    assert len([request for request in webhook.requests if request[0] == "/down"]) == channels.WEBHOOK_ATTEMPTS
    # The failed job's inbox item was written all the same, once.
    assert inbox(api, OTHER_VILLAGE_OFFICER)["items"][0]["event"] == "submitted"


def test_a_poison_message_ends_in_the_dead_letter_queue_and_a_redrive_sends_only_what_was_missing(
    api, stack, webhook, table
):
    chat_contacts(webhook)
    pipeline = Pipeline(stack, None)
    sqs = boto3.client("sqs")
    dlq = stack.resources["NotificationDeadLetterQueue"]
    sqs.send_message(QueueUrl=pipeline.queue.queue_url, MessageBody="{not a job")
    webhook.statuses = {"/down": [500] * 1000}
    submit(api, region_code=OTHER_VILLAGE)
    pipeline.route(pipeline.read_stream())
    receipts = 0
    for _ in range(12):  # Lambda's poller: receive, invoke, leave the failures to come back
        messages = pipeline.receive(visibility=0)
        if not messages:
            break
        receipts += 1
        result = pipeline.notify(messages)
        channels.reset()  # a fresh instance each time: no memory of the robot being down
        assert len(result["batchItemFailures"]) <= len(messages)
    assert receipts == 5  # maxReceiveCount; the sixth receive moved them to the DLQ
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    bodies = [message["Body"] for message in dead]
    assert len(bodies) == 2 and "{not a job" in bodies
    job = json.loads(next(body for body in bodies if body != "{not a job"))
    assert job["recipient"] == {"kind": "region", "id": OTHER_VILLAGE, "chat_region": OTHER_VILLAGE}
    assert len(inbox_items(table)) == 2  # the inboxes were written once, through five attempts

    # The robot is back: a redrive from the DLQ sends the chat message, and only it, once.
    webhook.statuses = {}
    before = len(webhook.requests)
    redriven = [message for message in dead if message["Body"] != "{not a job"]
    assert pipeline.notify(redriven, delete=False) == {"batchItemFailures": []}
    assert pipeline.notify(redriven, delete=False) == {"batchItemFailures": []}
    assert len(webhook.requests) == before + 1
    assert len(inbox_items(table)) == 2


def test_a_failure_to_queue_fails_only_that_stream_record(api, pipeline, monkeypatch):
    from microwish.notifications import router

    first, second = submit(api), submit(api)
    real = router.enqueue

    def flaky(jobs, url):
        if jobs and jobs[0].wish_id == first["id"]:
            raise RuntimeError("SQS is unreachable")
        real(jobs, url)

    monkeypatch.setattr(router, "enqueue", flaky)
    raw = pipeline.read_stream()
    result = pipeline.route(raw)
    records = pipeline.stream_event(raw)["Records"]
    by_wish = {r["dynamodb"]["NewImage"]["wish_id"]["S"]: r["dynamodb"]["SequenceNumber"] for r in records}
    assert result == {"batchItemFailures": [{"itemIdentifier": by_wish[first["id"]]}]}
    assert {json.loads(m["Body"])["wish_id"] for m in pipeline.receive(visibility=0)} == {second["id"]}


def test_sms_and_email_go_through_sns_and_ses_outside_the_local_runtime(api, stack, contacts):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    boto3.client("ses").verify_email_identity(EmailAddress="noreply@example.org")
    contacts_without_chat = {"regions": {VILLAGE: {"sms": ["13911110000"], "email": ["wangjia@example.org"]}}}
    boto3.client("ssm").put_parameter(
        Name=CONTACTS_PARAMETER, Type="SecureString", Overwrite=True, Value=json.dumps(contacts_without_chat)
    )
    pipeline = Pipeline(stack, None)
    submit(api)
    pipeline.run()
    sms = list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())
    assert [(phone, text.startswith("【微心愿】")) for phone, text in sms] == [("+8613911110000", True)]
    emails = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert [message.destinations["ToAddresses"] for message in emails] == [["wangjia@example.org"]]


# ---------------------------------------------------------------- privacy
def test_no_template_ever_carries_the_beneficiarys_personal_data(api, pipeline, contacts, table):
    wish = stored_wish(table, submit(api)["id"])  # beneficiary 谢桂云 / 13800000000 / 王家村3组
    [submitted] = [item for item in (json.loads(json.dumps(i)) for i in _audit_items(table))]
    texts = []
    for action, audiences in all_templates().items():
        for audience in audiences:
            event = {**submitted, "action": action, "note": "感谢！", "amount_fen": 100}
            text = render(action, audience, variables(event))
            assert text is not None and text.title and text.body
            texts += [text.title, text.body]
    for text in texts:
        for secret in PRIVATE:
            assert secret not in text
        assert "{" not in text  # every placeholder filled
    # and end to end, over every event, for every donor and chat message (and everything else)
    pipeline.read_stream()
    for action in EXPECTED:
        write_event(
            table,
            wish,
            action,
            donor_id=DONOR["sub"],
            donor_ids=[DONOR["sub"]],
            note="谢谢",
            at=f"2030-01-01T00:00:{len(action):02d}.000Z",
        )
    set_preferences(api, DONOR, sms=True, phone="13700000002", email=True, email_address="d@example.org")
    pipeline.run()
    outbox = pipeline.sent()
    assert {line["channel"] for line in outbox} == {"sms", "email", "chat"}
    everything = json.dumps(outbox, ensure_ascii=False) + json.dumps(inbox_items(table), ensure_ascii=False)
    for secret in PRIVATE:
        assert secret not in everything


def test_a_phone_number_in_a_note_is_masked(table, api, pipeline):
    wish = stored_wish(table, submit(api)["id"])
    pipeline.read_stream()
    thanked = wish.model_copy(update={"feedback": "谢桂云家电话13800000000，谢谢！"})
    write_event(table, thanked, "fulfilled", donor_ids=[DONOR["sub"]])
    pipeline.run()
    [item] = inbox(api, DONOR)["items"]
    assert "13800000000" not in item["body"] and "***" in item["body"]


def _audit_items(table):
    items = [item for item in all_items(table) if item.get("type", {}).get("S") == "audit"]
    from microwish.repository import from_dynamo

    return [from_dynamo(item) for item in items]


# ---------------------------------------------------------------- preferences
def test_preferences_are_honoured_and_the_inbox_always_works(api, pipeline, table):
    assert api.get("/me/preferences", as_=RESIDENT).json == {
        "sms": False,
        "email": False,
        "phone": None,
        "phone_verified": False,
        "email_address": None,
        "email_verified": False,
        "inbox": True,
        "updated_at": None,
    }
    bad = api.request("PUT", "/me/preferences", json_body={"sms": True}, as_=RESIDENT)
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "phone"
    bad = api.request("PUT", "/me/preferences", json_body={"sms": True, "phone": "123"}, as_=RESIDENT)
    assert bad.status == 422
    set_preferences(api, RESIDENT, sms=True, phone="13700000001", email=True, email_address="r@example.org")
    assert api.get("/me/preferences", as_=RESIDENT).json["phone"] == "13700000001"
    submit(api)
    pipeline.run()
    assert sorted(line["channel"] for line in pipeline.sent()) == ["email", "sms"]
    set_preferences(api, RESIDENT, sms=False, email=False, phone="13700000001")  # opted out
    submit(api)
    pipeline.run()
    assert len(pipeline.sent()) == 2
    assert [item["event"] for item in inbox(api, RESIDENT)["items"]] == ["submitted", "submitted"]
    assert api.request("PUT", "/me/preferences", json_body={"sms": True}).status == 401


# ---------------------------------------------------------------- the inbox
def test_the_inbox_pages_newest_first_and_marks_read(api, pipeline):
    made = [submit(api, title=f"心愿{n}")["id"] for n in range(5)]
    pipeline.run()
    seen, cursor = [], None
    while True:
        page = inbox(api, RESIDENT, limit=2, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [item["wish_id"] for item in seen] == list(reversed(made))
    assert set(seen[0]) == {"id", "wish_id", "event", "title", "body", "created_at", "read"}
    assert api.get("/me/notifications", as_=RESIDENT, query={"limit": 0}).status == 422
    assert api.get("/me/notifications", as_=RESIDENT, query={"limit": 101}).status == 422
    assert api.get("/me/notifications", as_=RESIDENT, query={"cursor": "garbage"}).status == 422
    assert api.get("/me/notifications").status == 401

    first = seen[0]["id"]
    reply = api.post(f"/me/notifications/{first}/read", as_=RESIDENT)
    assert reply.status == 200 and reply.json["read"] is True and reply.json["id"] == first
    assert api.post(f"/me/notifications/{first}/read", as_=RESIDENT, headers={"idempotency-key": "k1"}).status == 200
    assert api.post(f"/me/notifications/{first}/read", as_=DONOR).status == 404  # not the donor's
    assert api.post("/me/notifications/nonsense/read", as_=RESIDENT).status == 404
    many = api.post("/me/notifications/read", {"ids": [seen[1]["id"], seen[2]["id"], "nonsense"]}, as_=RESIDENT)
    assert many.status == 200 and [item["id"] for item in many.json["items"]] == [
        seen[1]["id"],
        seen[2]["id"],
    ]
    assert api.post("/me/notifications/read", {"ids": []}, as_=RESIDENT).status == 422
    assert [item["read"] for item in inbox(api, RESIDENT)["items"]] == [True, True, True, False, False]


def test_an_officer_sees_their_units_inbox_and_not_another_units(api, pipeline):
    here = submit(api)
    there = submit(api, region_code=OTHER_VILLAGE)
    pipeline.run()
    assert [item["wish_id"] for item in inbox(api, VILLAGE_OFFICER)["items"]] == [here["id"]]
    assert [item["wish_id"] for item in inbox(api, OTHER_VILLAGE_OFFICER)["items"]] == [there["id"]]
    assert inbox(api, FOREIGN_OFFICER)["items"] == [] and inbox(api, DONOR)["items"] == []
    note = inbox(api, VILLAGE_OFFICER)["items"][0]["id"]
    assert api.post(f"/me/notifications/{note}/read", as_=OTHER_VILLAGE_OFFICER).status == 404
    assert api.post(f"/me/notifications/{note}/read", as_=VILLAGE_OFFICER).status == 200


def test_the_inbox_routes_are_in_the_openapi_document(api):
    paths = api.get("/openapi.json").json["paths"]
    assert {
        "/me/notifications",
        "/me/notifications/read",
        "/me/notifications/{id}/read",
        "/me/preferences",
    } <= set(paths)
    assert set(paths["/me/preferences"]) == {"get", "put"}
