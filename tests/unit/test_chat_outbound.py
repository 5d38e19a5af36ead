"""Late chat replies through the platforms' send APIs, against a loopback stand-in for the platforms."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from microwish.chat_platforms import outbound
from microwish.chat_platforms.config import Credentials


@pytest.fixture
def platform_api(monkeypatch):
    """A loopback server answering like the platforms; `seen` holds (path, query, body) per call."""
    seen: list[tuple[str, dict[str, list[str]], dict | None]] = []
    answers: dict[str, dict] = {}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            seen.append((split.path, parse_qs(split.query), body))
            answer = answers.get(split.path, {"errcode": 0, "access_token": "T-1", "expires_in": 7200})
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(outbound, "WECHAT_API", base + "/wechat")
    monkeypatch.setattr(outbound, "WECOM_API", base + "/wecom")
    outbound.reset()
    yield base, seen, answers
    server.shutdown()
    server.server_close()
    outbound.reset()


def test_wechat_customer_service_message_with_one_token_per_process(platform_api):
    _, seen, _ = platform_api
    creds = Credentials("wechat", {"token": "t", "app_id": "wxapp", "app_secret": "s3cret"})
    for text in ("第一条", "第二条"):
        outbound.send({"platform": "wechat", "user": "openid-1", "text": text}, creds)
    assert [path for path, _, _ in seen] == [
        "/wechat/cgi-bin/token",
        "/wechat/cgi-bin/message/custom/send",
        "/wechat/cgi-bin/message/custom/send",
    ]
    assert seen[0][1]["appid"] == ["wxapp"] and seen[1][1]["access_token"] == ["T-1"]
    assert seen[2][2] == {"touser": "openid-1", "msgtype": "text", "text": {"content": "第二条"}}


def test_wecom_application_message(platform_api):
    _, seen, _ = platform_api
    creds = Credentials("wecom", {"corp_id": "ww1", "secret": "s", "agent_id": "1000002"})
    outbound.send({"platform": "wecom", "user": "zhangsan", "text": "好"}, creds)
    assert seen[0][0] == "/wecom/cgi-bin/gettoken" and seen[0][1]["corpid"] == ["ww1"]
    assert seen[1][2] == {"touser": "zhangsan", "msgtype": "text", "agentid": "1000002", "text": {"content": "好"}}


def test_dingtalk_session_webhook_and_refusals(platform_api):
    base, seen, answers = platform_api
    job = {"platform": "dingtalk", "user": "staff", "text": "好", "session_webhook": base + "/robot/sendBySession"}
    outbound.send(job, None)
    assert seen[-1] == ("/robot/sendBySession", {}, {"msgtype": "text", "text": {"content": "好"}})
    with pytest.raises(outbound.SendError, match="sessionWebhook"):
        outbound.send({"platform": "dingtalk", "user": "staff", "text": "好"}, None)
    answers["/robot/sendBySession"] = {"errcode": 310000, "errmsg": "sign not match"}
    with pytest.raises(outbound.SendError, match="310000"):
        outbound.send(job, None)
    with pytest.raises(outbound.SendError, match="not configured"):
        outbound.send({"platform": "wechat", "user": "u", "text": "x"}, None)
    answers["/wechat/cgi-bin/token"] = {"errcode": 0}
    creds = Credentials("wechat", {"app_id": "a", "app_secret": "b"})
    with pytest.raises(outbound.SendError, match="no access token"):
        outbound.send({"platform": "wechat", "user": "u", "text": "x"}, creds)


def test_unreachable_platform_and_missing_queue():
    with pytest.raises(outbound.SendError, match="could not be reached"):
        outbound.send(
            {"platform": "dingtalk", "user": "u", "text": "x", "session_webhook": "http://127.0.0.1:9/"}, None
        )
    with pytest.raises(outbound.SendError, match="queue"):
        outbound.enqueue("", {"platform": "wechat"})
