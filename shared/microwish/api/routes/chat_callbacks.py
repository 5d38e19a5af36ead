"""The chat platforms' callbacks (issue 11): GET|POST /chat/wechat, GET|POST /chat/wecom, POST /chat/dingtalk.

Public routes (no JWT): the platforms sign their calls, and microwish.chat_platforms checks the
signature before it reads a message. The answers are the platforms' own formats (passive XML replies,
"success", DingTalk's JSON), not this API's JSON; refusals are problem+json as everywhere.
"""

from __future__ import annotations

import time
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseContentSchema

from ...chat_platforms import callback, config, outbound
from ...chat_platforms.platforms import Request
from ...repository import chat_messages
from .. import context
from ..context import repository, settings

router = Router()
context.on_reset(config.reset)
context.on_reset(outbound.reset)
context.on_reset(chat_messages.sqs_client.cache_clear)

_TEXT: OpenAPIResponseContentSchema = {"schema": {"type": "string"}}
_WECHAT_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {
        "description": "The echostr (server-address check), a passive reply (XML; encrypted in safe mode), "
        "or `success` (nothing to say now: a retry still being answered, a reply sent later)",
        "content": {"application/xml": _TEXT, "text/plain": _TEXT},
    },
    403: {"description": "Not signed by the platform, a timestamp over 5 minutes away, or a replayed nonce"},
    404: {"description": "This platform is not configured"},
}
_DINGTALK_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {
        "description": 'The reply `{"msgtype": "text", "text": {"content": ...}}`, or `{}` (nothing to say now)',
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    403: {"description": "Not signed by the robot's AppSecret, or a timestamp over 5 minutes away, or replayed"},
    404: {"description": "DingTalk is not configured"},
}
_Q = Annotated[str | None, Query(description="set by the platform")]


def _answer(platform: str) -> Response[str]:
    started = time.monotonic()
    event = router.current_event
    request = Request(
        method=event.http_method.upper(),
        query={key: value for key, value in (event.query_string_parameters or {}).items()},
        headers={key.lower(): value for key, value in (event.headers or {}).items()},
        body=event.decoded_body or "",
    )
    answer = callback.handle(platform, request, repository(), settings(), started)
    return Response(status_code=answer.status, content_type=answer.content_type, body=answer.body)


@router.get(
    "/chat/wechat",
    summary="WeChat official account: the server-address check",
    description="`signature` = SHA-1 of the sorted token, timestamp and nonce; answers the echostr.",
    tags=["chat"],
    responses=_WECHAT_RESPONSES,
)
def wechat_check(signature: _Q = None, timestamp: _Q = None, nonce: _Q = None, echostr: _Q = None) -> Response[str]:
    return _answer("wechat")


@router.post(
    "/chat/wechat",
    summary="WeChat official account: a message or menu click (plain or safe mode)",
    description="The body is WeChat's XML message (safe mode: `<Encrypt>`, with `encrypt_type=aes` and "
    "`msg_signature`). A retried message (same MsgId) is acted on once and gets the same reply.",
    tags=["chat"],
    responses=_WECHAT_RESPONSES,
)
def wechat_message(
    signature: _Q = None,
    timestamp: _Q = None,
    nonce: _Q = None,
    openid: _Q = None,
    encrypt_type: _Q = None,
    msg_signature: _Q = None,
) -> Response[str]:
    return _answer("wechat")


@router.get(
    "/chat/wecom",
    summary="WeCom self-built app: the URL check",
    description="`msg_signature` over the token, timestamp, nonce and the encrypted echostr; answers it decrypted.",
    tags=["chat"],
    responses=_WECHAT_RESPONSES,
)
def wecom_check(msg_signature: _Q = None, timestamp: _Q = None, nonce: _Q = None, echostr: _Q = None) -> Response[str]:
    return _answer("wecom")


@router.post(
    "/chat/wecom",
    summary="WeCom self-built app: an encrypted message or menu click",
    description="The body is WeCom's `<xml><Encrypt>…`; the reply is an encrypted passive reply.",
    tags=["chat"],
    responses=_WECHAT_RESPONSES,
)
def wecom_message(msg_signature: _Q = None, timestamp: _Q = None, nonce: _Q = None) -> Response[str]:
    return _answer("wecom")


@router.post(
    "/chat/dingtalk",
    summary="DingTalk outgoing robot: a message @-ing the robot",
    description="Headers `timestamp` (ms) and `sign` = base64 HMAC-SHA256 of `timestamp\\nappSecret`; the body "
    "is DingTalk's JSON message.",
    tags=["chat"],
    responses=_DINGTALK_RESPONSES,
)
def dingtalk_message(
    timestamp: Annotated[str | None, Header(description="milliseconds since the epoch")] = None,
    sign: Annotated[str | None, Header(description="the robot's signature")] = None,
) -> Response[str]:
    return _answer("dingtalk")
