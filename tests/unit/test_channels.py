"""The delivery channels against their real counterparts: SNS and SES in moto, a chat webhook served
by a local HTTP server that answers what each test tells it to."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

from microwish.notifications import channels
from microwish.notifications.channels import (
    SMS_PREFIX,
    ChatChannel,
    DeliveryError,
    EmailChannel,
    Message,
    SmsChannel,
    dingtalk_signature,
    post_webhook,
)

REGION = "us-east-1"


def message(channel: str, to: str) -> Message:
    return Message(
        channel=channel,
        to=to,
        title="心愿已认领",
        text="您的心愿“一台电视机”已被认领。",
        event="claimed",
        wish_id="w-1",
        notification_id="n-1",
        created_at="2030-01-01T00:00:00.000Z",
    )


@pytest.fixture(autouse=True)
def fresh_channels(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(channels, "WEBHOOK_BACKOFF_S", 0.0)
    channels.reset()
    yield
    channels.reset()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


# ---------------------------------------------------------------- a webhook that answers as told
class Webhook:
    def __init__(self) -> None:
        self.answers: list[tuple[int, bytes]] = []  # (status, body) per request; the last repeats
        self.requests: list[dict[str, Any]] = []

    def next_answer(self) -> tuple[int, bytes]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def webhook() -> Iterator[tuple[Webhook, str]]:
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            hook.requests.append(
                {
                    "path": self.path,
                    "body": json.loads(self.rfile.read(length)),
                    "content_type": self.headers.get("Content-Type"),
                }
            )
            status, body = hook.next_answer()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook, f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token=t"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- sms and e-mail
def test_sms_is_published_to_the_number_in_e164_with_the_prefix(aws: None) -> None:
    from moto.sns.models import sns_backends

    SmsChannel().send(message("sms", "138 0000 0000"))
    sent = sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages
    assert [(number, text) for number, text in sent.values()] == [
        ("+8613800000000", SMS_PREFIX + "您的心愿“一台电视机”已被认领。")
    ]


def test_email_goes_through_ses_with_the_title_as_subject(aws: None) -> None:
    from moto.ses.models import ses_backends

    boto3.client("ses").verify_email_identity(EmailAddress="noreply@example.org")
    EmailChannel("noreply@example.org").send(message("email", "donor@example.org"))
    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert sent.source == "noreply@example.org"
    assert sent.destinations["ToAddresses"] == ["donor@example.org"]
    assert sent.subject == "微心愿：心愿已认领"
    assert sent.body == "您的心愿“一台电视机”已被认领。"


def test_email_without_a_sender_fails_and_sends_nothing(aws: None) -> None:
    with pytest.raises(DeliveryError, match="NOTIFY_EMAIL_SENDER"):
        EmailChannel("").send(message("email", "donor@example.org"))


def test_the_outbox_takes_sms_email_and_chat_instead_of_aws(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    SmsChannel(str(outbox)).send(message("sms", "13800000000"))
    EmailChannel("", str(outbox)).send(message("email", "donor@example.org"))
    ChatChannel({}, str(outbox)).send(message("chat", "431222"))
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert [(line["channel"], line["to"], line.get("subject")) for line in lines] == [
        ("sms", "13800000000", None),
        ("email", "donor@example.org", "微心愿：心愿已认领"),
        ("chat", "431222", None),
    ]
    assert lines[0]["text"].startswith(SMS_PREFIX)
    assert lines[2]["text"] == f"{SMS_PREFIX}心愿已认领\n您的心愿“一台电视机”已被认领。"
    assert all(line["wish_id"] == "w-1" and line["event"] == "claimed" and line["sent_at"] for line in lines)


# ---------------------------------------------------------------- chat webhooks
def test_chat_posts_a_signed_text_message_to_the_regions_robot(webhook: tuple[Webhook, str]) -> None:
    hook, url = webhook
    hook.answers = [(200, b'{"errcode": 0, "errmsg": "ok"}')]
    ChatChannel({"431222": {"url": url, "secret": "SEC-1"}}).send(message("chat", "431222"))
    [request] = hook.requests
    text = f"{SMS_PREFIX}心愿已认领\n您的心愿“一台电视机”已被认领。"
    assert request["body"] == {"msgtype": "text", "text": {"content": text}}
    assert request["content_type"] == "application/json; charset=utf-8"
    query = parse_qs(urlsplit(request["path"]).query)
    assert query["access_token"] == ["t"]
    assert query["sign"] == [dingtalk_signature("SEC-1", int(query["timestamp"][0]))]


def test_chat_without_a_group_for_the_region_fails() -> None:
    with pytest.raises(DeliveryError, match="no chat group is configured for region 431222"):
        ChatChannel({"4312": {"url": "http://127.0.0.1:9/"}}).send(message("chat", "431222"))


def test_a_webhook_is_retried_on_5xx_until_it_answers(webhook: tuple[Webhook, str]) -> None:
    hook, url = webhook
    hook.answers = [(502, b""), (503, b""), (200, b"")]
    post_webhook(url, None, b'{"msgtype": "text"}')
    assert len(hook.requests) == 3


def test_a_webhook_failing_every_attempt_fails_then_fails_fast(webhook: tuple[Webhook, str]) -> None:
    hook, url = webhook
    hook.answers = [(500, b"")]
    with pytest.raises(DeliveryError, match=r"failed after 3 attempts \(HTTP 500\)"):
        post_webhook(url, None, b"{}")
    assert len(hook.requests) == channels.WEBHOOK_ATTEMPTS
    with pytest.raises(DeliveryError, match="failed moments ago"):
        post_webhook(url, None, b"{}")
    assert len(hook.requests) == channels.WEBHOOK_ATTEMPTS  # not tried again


def test_a_webhook_refusing_with_4xx_is_not_retried(webhook: tuple[Webhook, str]) -> None:
    hook, url = webhook
    hook.answers = [(403, b"")]
    with pytest.raises(DeliveryError, match="refused the message: HTTP 403"):
        post_webhook(url, None, b"{}")
    assert len(hook.requests) == 1


def test_a_webhook_answering_an_errcode_failed(webhook: tuple[Webhook, str]) -> None:
    hook, url = webhook
    hook.answers = [(200, b'{"errcode": 310000, "errmsg": "sign not match"}')]
    with pytest.raises(DeliveryError, match="errcode 310000"):
        post_webhook(url, "wrong", b"{}")


def test_a_webhook_answering_other_than_json_got_it(webhook: tuple[Webhook, str]) -> None:
    hook, url = webhook
    hook.answers = [(200, b"ok")]
    post_webhook(url, None, b"{}")
    assert len(hook.requests) == 1


def test_an_unreachable_webhook_is_tried_three_times() -> None:
    with pytest.raises(DeliveryError, match=r"failed after 3 attempts \(URLError\)"):
        post_webhook("http://127.0.0.1:9/robot", None, b"{}")
