"""The chat platforms' callbacks through the real handler (issue 11): handshakes, the published samples
end to end, signatures, freshness, nonces, a retried message acted on once, late replies through the
queue, and a platform that is not configured.

`respond` (the conversation, chattalk's) is monkeypatched where a test counts or reads its calls: these
tests rely on nothing it says beyond a non-empty string (CHAT-CONTRACT.md).
"""

from __future__ import annotations

import json
import time

import boto3
import pytest

from infra.local.events import LambdaContext, http_event, sqs_event
from microwish.chat.conversation import ChatMessage
from microwish.chat_platforms import callback, config
from microwish.chat_platforms.crypto import sha1_signature
from microwish.chat_platforms.simulate import DEV_CREDENTIALS, Call, message_call, reply_text
from microwish.repository.chat_messages import ChatMessageStore
from tests.support.harness import environment, load_handler

WECOM_SAMPLE = {"token": "QDG6eK", "encoding_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}
WECOM_SAMPLE["corp_id"] = "wx5823bf96d3bd56c7"
SAMPLE_ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
SAMPLE_BODY = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+"
    "rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL"
    "42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4"
    "zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH2"
    "7Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Enc"
    "rypt><AgentID><![CDATA[218]]></AgentID></xml>"
)
MP_SAMPLE = {"token": "spamtest", "app_id": "wx2c2769f8efd9abc2"}
MP_SAMPLE["encoding_aes_key"] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
MP_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9Fr"
    "XpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzj"
    "lpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1"
    "BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


@pytest.fixture
def configure(stack):
    """Write a platform's credentials to its SSM parameter (the template's default name)."""

    def put(platform: str, values: dict[str, str]) -> None:
        name = stack.outputs[
            f"Chat{ {'wechat': 'WeChat', 'wecom': 'WeCom', 'dingtalk': 'DingTalk'}[platform] }ParameterName"
        ]
        boto3.client("ssm").put_parameter(Name=name, Value=json.dumps(values), Type="SecureString", Overwrite=True)
        config.reset()

    return put


@pytest.fixture
def said(monkeypatch):
    """Every message handed to `respond`; it answers "回复:<text>"."""
    messages: list[ChatMessage] = []

    def respond(message, repo, settings):
        messages.append(message)
        return f"回复:{message.text}"

    monkeypatch.setattr(callback, "respond", respond)
    return messages


def send(api, call: Call):
    return api.request(call.method, call.path, query=call.query, headers=call.headers, body=call.body)


def test_wechat_server_address_check(api, configure):
    configure("wechat", {"token": "t0ken", "app_id": "wxapp"})
    timestamp, nonce = str(int(time.time())), "4711"
    query = {"signature": sha1_signature("t0ken", timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    reply = api.get("/chat/wechat", query={**query, "echostr": "8152946302"})
    assert reply.status == 200 and reply.text == "8152946302"
    bad = api.get("/chat/wechat", query={**query, "signature": "0" * 40, "nonce": "4712", "echostr": "x"})
    assert bad.status == 403 and bad.json["status"] == 403
    old = str(int(time.time()) - 301)
    stale = {"signature": sha1_signature("t0ken", old, "1"), "timestamp": old, "nonce": "1", "echostr": "x"}
    assert api.get("/chat/wechat", query=stale).status == 403
    assert api.get("/chat/wechat", query={"echostr": "x"}).status == 403


def test_wecom_url_check_with_the_published_sample(api, configure, monkeypatch):
    configure("wecom", WECOM_SAMPLE)
    monkeypatch.setattr(callback, "now_seconds", lambda: 1409659589 + 30)
    query = {"msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "timestamp": "1409659589"}
    reply = api.get("/chat/wecom", query={**query, "nonce": "263014780", "echostr": SAMPLE_ECHO})
    assert reply.status == 200 and reply.text == "1616140317555161061"
    forged = api.get("/chat/wecom", query={**query, "nonce": "263014781", "echostr": SAMPLE_ECHO})
    assert forged.status == 403


def test_wecom_message_with_the_published_sample(api, configure, monkeypatch, said):
    configure("wecom", WECOM_SAMPLE)
    monkeypatch.setattr(callback, "now_seconds", lambda: 1409659813 + 2)
    query = {"msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6", "timestamp": "1409659813"}
    reply = api.request("POST", "/chat/wecom", query={**query, "nonce": "1372623149"}, body=SAMPLE_BODY)
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("application/xml")
    assert [(m.platform, m.user, m.text, m.message_id) for m in said] == [
        ("wecom", "mycreate", "hello", "4561255354251345929")
    ]
    assert reply_text("wecom", WECOM_SAMPLE, reply.text) == "回复:hello"
    tampered = SAMPLE_BODY.replace("RypEvHKD8", "RypEvHKD9")
    again = api.request("POST", "/chat/wecom", query={**query, "nonce": "1372623150"}, body=tampered)
    assert again.status == 403 and len(said) == 1


def test_wechat_safe_mode_with_the_published_sample(api, configure, monkeypatch, said):
    configure("wechat", MP_SAMPLE)
    monkeypatch.setattr(callback, "now_seconds", lambda: 1409735669 + 1)
    timestamp, nonce = "1409735669", "1320562132"
    query = {
        "signature": sha1_signature("spamtest", timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    }
    body = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{MP_ENCRYPT}]]></Encrypt></xml>"
    reply = api.request("POST", "/chat/wechat", query=query, body=body)
    assert reply.status == 200
    assert [(m.user, m.text) for m in said] == [("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "abcdteT")]
    assert reply_text("wechat", MP_SAMPLE, reply.text) == "回复:abcdteT"
    # A plain body to an account in safe mode is refused, even with a good query signature.
    plain = {key: value for key, value in query.items() if key not in ("encrypt_type", "msg_signature")}
    assert api.request("POST", "/chat/wechat", query=plain, body="<xml/>").status == 403


def test_wechat_plain_mode_text_and_menu_click(api, configure, said):
    creds = {"token": "t0ken", "app_id": "wxapp"}
    configure("wechat", creds)
    reply = send(api, message_call("wechat", creds, "openid-1", "心愿清单 沅陵"))
    assert reply.status == 200 and reply_text("wechat", creds, reply.text) == "回复:心愿清单 沅陵"
    click = send(api, message_call("wechat", creds, "openid-1", "", click="WISH_LIST"))
    assert reply_text("wechat", creds, click.text) == "回复:心愿清单"
    assert [m.text for m in said] == ["心愿清单 沅陵", "心愿清单"]
    # An encrypted message to an account without an AES key: refused.
    encrypted = message_call(
        "wechat", {**creds, "encoding_aes_key": DEV_CREDENTIALS["wechat"]["encoding_aes_key"]}, "o", "x"
    )
    assert send(api, encrypted).status == 403


def test_dingtalk_robot(api, configure, said):
    creds = DEV_CREDENTIALS["dingtalk"]
    configure("dingtalk", creds)
    reply = send(api, message_call("dingtalk", creds, "staff-1", "帮助"))
    assert reply.status == 200 and reply.json == {"msgtype": "text", "text": {"content": "回复:帮助"}}
    assert [(m.platform, m.user, m.text) for m in said] == [("dingtalk", "staff-1", "帮助")]
    forged = message_call("dingtalk", {"app_secret": "not-the-secret"}, "staff-1", "认领 1")
    assert send(api, forged).status == 403
    stale = message_call("dingtalk", creds, "staff-1", "认领 1", now=time.time() - 400)
    assert send(api, stale).status == 403
    unsigned = Call("POST", "/chat/dingtalk", {}, {}, "{}")
    assert send(api, unsigned).status == 403
    assert len(said) == 1


@pytest.mark.parametrize("platform", ["wechat", "wecom", "dingtalk"])
def test_a_retried_message_is_acted_on_once_and_gets_the_same_reply(api, configure, said, platform):
    creds = DEV_CREDENTIALS[platform]
    configure(platform, creds)
    first = message_call(platform, creds, "user-1", "待审核", message_id="5001")
    # The platform's retry: the same message id, sent again (a new nonce and signature, or the same request).
    retry = message_call(platform, creds, "user-1", "待审核", message_id="5001")
    replies = [send(api, first), send(api, retry), send(api, first)]
    assert [r.status for r in replies] == [200, 200, 200]
    assert {reply_text(platform, creds, r.text) for r in replies} == {"回复:待审核"}
    assert len(said) == 1


@pytest.mark.parametrize("platform", ["wechat", "dingtalk"])
def test_a_nonce_used_by_another_request_is_refused(api, configure, said, platform):
    creds = DEV_CREDENTIALS[platform]
    configure(platform, creds)
    now = time.time()
    assert send(api, message_call(platform, creds, "u", "帮助", now=now, nonce="777", message_id="1")).status == 200
    replay = message_call(platform, creds, "u", "认领 123", now=now, nonce="777", message_id="2")
    reply = send(api, replay)
    assert reply.status == 403 and "nonce" in reply.json["detail"]
    assert [m.text for m in said] == ["帮助"]


def test_a_retry_while_the_first_is_still_answering_gets_success(api, configure, said, table):
    creds = DEV_CREDENTIALS["wechat"]
    configure("wechat", creds)
    now = int(time.time())
    assert ChatMessageStore(table).start("wechat", "9001", now, now + 600) is None  # the first delivery, busy
    reply = send(api, message_call("wechat", creds, "u", "帮助", message_id="9001"))
    assert reply.status == 200 and reply.text == "success" and said == []


def test_an_unconfigured_platform_is_404_without_an_ssm_call_per_request(stack, monkeypatch, said):
    """One process (as a warm Lambda instance): the parameters are read once, then never per request."""
    calls = []
    real = config.fetch
    monkeypatch.setattr(config, "fetch", lambda names: calls.append(names) or real(names))
    function = stack.functions["ChatCallbackFunction"]
    with environment(function.env):
        handler = load_handler(function.code_dir, function.handler)
        for _ in range(3):
            for path in ("/chat/wechat", "/chat/wecom", "/chat/dingtalk"):
                event = http_event("POST", path, route_key=f"POST {path}", body="<xml/>")
                result = handler(event, LambdaContext(function_name=function.name))
                assert result["statusCode"] == 404 and json.loads(result["body"])["status"] == 404
    assert len(calls) == 1 and said == []


def test_incomplete_or_malformed_parameters_mean_not_configured(api, configure, stack):
    configure("wecom", {"token": "only-a-token"})
    assert api.request("POST", "/chat/wecom", body="<xml/>").status == 404
    boto3.client("ssm").put_parameter(
        Name=stack.outputs["ChatDingTalkParameterName"], Value="not json", Type="SecureString", Overwrite=True
    )
    config.reset()
    assert api.request("POST", "/chat/dingtalk", body="{}").status == 404


def test_non_text_and_silent_events(api, configure, said):
    creds = {"token": "t0ken", "app_id": "wxapp"}
    configure("wechat", creds)
    call = message_call("wechat", creds, "u", "x")
    image = call.body.replace("<MsgType><![CDATA[text]]></MsgType>", "<MsgType><![CDATA[image]]></MsgType>")
    reply = send(api, Call(call.method, call.path, call.query, {}, image))
    assert "只能看懂文字" in reply_text("wechat", creds, reply.text)
    leave = message_call("wechat", creds, "u", "", click="x")
    leave = Call(leave.method, leave.path, leave.query, {}, leave.body.replace("CLICK", "unsubscribe"))
    assert send(api, leave).text == "success"
    garbage = message_call("wechat", creds, "u", "x")
    assert send(api, Call(garbage.method, garbage.path, garbage.query, {}, "not xml")).status == 400
    assert said == []


def test_a_failing_respond_is_answered_and_the_retry_acts_again(api, configure, monkeypatch):
    creds = DEV_CREDENTIALS["dingtalk"]
    configure("dingtalk", creds)
    outcomes = iter([RuntimeError("boom"), "好的"])

    def respond(message, repo, settings):
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(callback, "respond", respond)
    first = send(api, message_call("dingtalk", creds, "u", "帮助", message_id="m-1"))
    assert first.json["text"]["content"] == callback.SORRY
    retry = send(api, message_call("dingtalk", creds, "u", "帮助", message_id="m-1"))
    assert retry.json["text"]["content"] == "好的"


@pytest.mark.parametrize("platform", ["wechat", "wecom", "dingtalk"])
def test_a_late_reply_goes_through_the_queue_and_the_send_api_once(
    api, stack, configure, said, monkeypatch, tmp_path, platform
):
    creds = DEV_CREDENTIALS[platform]
    configure(platform, creds)
    monkeypatch.setattr(callback, "REPLY_BUDGET_S", -1.0)  # every reply is "late"
    reply = send(api, message_call(platform, creds, "user-9", "我的认领", message_id="late-1"))
    assert reply.status == 200 and reply_text(platform, creds, reply.text) == ""
    retry = send(api, message_call(platform, creds, "user-9", "我的认领", message_id="late-1"))
    assert reply_text(platform, creds, retry.text) == "" and len(said) == 1
    sqs = boto3.client("sqs")
    url = stack.functions["ChatCallbackFunction"].env["CHAT_REPLY_QUEUE_URL"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert len(messages) == 1
    outbox = tmp_path / "outbox.jsonl"
    worker = stack.functions["ChatReplyFunction"]
    event = sqs_event(messages * 2, queue_arn="arn:aws:sqs:us-east-1:123456789012:chat-replies")  # delivered twice
    with environment({**worker.env, "MICROWISH_OUTBOX_FILE": str(outbox)}):
        result = load_handler(worker.code_dir, worker.handler)(event, LambdaContext(function_name=worker.name))
    assert result == {"batchItemFailures": []}
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert [(line["channel"], line["to"], line["text"]) for line in lines] == [
        (f"chat:{platform}", "user-9", "回复:我的认领")
    ]


def test_a_dead_lettered_late_reply_goes_back_to_its_queue(api, stack):
    from tests.handlers.test_dead_letters import run_replay, waiting

    sqs = boto3.client("sqs")
    replay_env = stack.functions["ReplayDeadLettersFunction"].env
    dead, queue = replay_env["CHAT_REPLY_DLQ_URL"], replay_env["CHAT_REPLY_QUEUE_URL"]
    assert queue == stack.functions["ChatCallbackFunction"].env["CHAT_REPLY_QUEUE_URL"]
    sqs.send_message(QueueUrl=dead, MessageBody=json.dumps({"platform": "wecom", "user": "u", "text": "x"}))
    summary = run_replay(api, queues=["chat_replies"])
    assert summary["left"] == 0 and waiting(dead) == 0 and waiting(queue) == 1


def test_a_late_reply_whose_send_fails_is_sent_by_the_next_delivery(api, stack, configure, said, monkeypatch, tmp_path):
    from microwish.chat_platforms import outbound

    creds = DEV_CREDENTIALS["wecom"]
    configure("wecom", creds)
    monkeypatch.setattr(callback, "REPLY_BUDGET_S", -1.0)
    send(api, message_call("wecom", creds, "user-7", "帮助", message_id="late-2"))
    url = stack.functions["ChatCallbackFunction"].env["CHAT_REPLY_QUEUE_URL"]
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    worker = stack.functions["ChatReplyFunction"]
    event = sqs_event(messages, queue_arn="arn:aws:sqs:us-east-1:123456789012:chat-replies")
    real_send = outbound.send
    failures = iter([outbound.SendError("the platform could not be reached: TimeoutError")])

    def flaky(job, creds, outbox_file=""):
        failure = next(failures, None)
        if failure:
            raise failure
        real_send(job, creds, outbox_file)

    monkeypatch.setattr(outbound, "send", flaky)
    outbox = tmp_path / "outbox.jsonl"
    with environment({**worker.env, "MICROWISH_OUTBOX_FILE": str(outbox)}):
        handler = load_handler(worker.code_dir, worker.handler)
        first = handler(event, LambdaContext(function_name=worker.name))
        second = handler(event, LambdaContext(function_name=worker.name))
    assert len(first["batchItemFailures"]) == 1 and second == {"batchItemFailures": []}
    assert [json.loads(line)["to"] for line in outbox.read_text(encoding="utf-8").splitlines()] == ["user-7"]
