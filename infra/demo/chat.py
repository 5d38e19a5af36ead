"""POST /dev/chat {"platform", "user", "text"} → {"reply"}: a chat message played as the platform sends it.

A dev route of the app's (issue 11), handed to the local runtime by `infra.demo.dev_routes` (the runtime
itself names no part of the app). It writes the local development credentials into the chat platforms'
SSM parameters (named by the stack's Chat*ParameterName outputs), builds the platform's signed — and, for
WeChat's safe mode and WeCom, encrypted — callback with the app's own simulator
(microwish.chat_platforms.simulate), sends it to the real callback route over HTTP, and answers the text
the user would see (the passive reply, decrypted). A reply that came too late for the platform went
through the chat reply queue: then `reply` is "" and `late` is true (see /dev/outbox).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import requests

from microwish.chat_platforms import simulate

PARAMETER_OUTPUTS = {
    "wechat": "ChatWeChatParameterName",
    "wecom": "ChatWeComParameterName",
    "dingtalk": "ChatDingTalkParameterName",
}


def problem(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return status, body


class DevChat:
    def __init__(self, outputs: dict[str, str], api_url: str) -> None:
        self.parameters = {platform: outputs[name] for platform, name in PARAMETER_OUTPUTS.items() if name in outputs}
        self.api_url = api_url

    def configure(self, ssm: Any) -> list[str]:
        """Write the development credentials to the platforms' parameters; the platforms configured."""
        credentials = simulate.DEV_CREDENTIALS
        for platform, name in self.parameters.items():
            ssm.put_parameter(Name=name, Value=json.dumps(credentials[platform]), Type="SecureString", Overwrite=True)
        return sorted(self.parameters)

    def play(self, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            request = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            return problem(400, "the body is not valid JSON")
        if not isinstance(request, dict):
            return problem(400, "the body is not a JSON object")
        errors = []
        platform = str(request.get("platform"))
        if platform not in self.parameters:
            choices = ", ".join(sorted(self.parameters)) or "none in this template"
            errors.append({"field": "platform", "message": f"one of {choices}"})
        for field in ("user", "text"):
            if not isinstance(request.get(field), str) or not request[field].strip():
                errors.append({"field": field, "message": "a non-empty string"})
        if errors:
            return problem(422, "some fields are not valid", errors=errors)
        credentials = simulate.DEV_CREDENTIALS[platform]
        call = simulate.message_call(platform, credentials, request["user"], request["text"])
        answer = requests.request(
            call.method,
            self.api_url + call.path,
            params=call.query,
            headers={**call.headers, "Content-Type": "application/json" if platform == "dingtalk" else "text/xml"},
            data=call.body.encode("utf-8"),
            timeout=30,
        )
        if answer.status_code != 200:
            return problem(502, f"the callback answered {answer.status_code}: {answer.text[:300]}")
        reply = simulate.reply_text(platform, credentials, answer.content.decode("utf-8"))
        return 200, {"reply": reply, "late": reply == ""}
