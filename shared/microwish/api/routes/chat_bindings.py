"""POST|GET /me/chat-bindings, DELETE /me/chat-bindings/{platform}: bind a chat identity with a one-time code."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...chat import bindings
from ...models.chat import ChatBindingCode, ChatBindings
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository

router = Router()


@router.post(
    "/me/chat-bindings",
    summary="A one-time code to bind a chat identity (WeChat, WeCom, DingTalk)",
    tags=["me"],
    security=BEARER,
    description='Six digits, valid a few minutes (ChatCodeMinutes, default 10), usable once: send "绑定 <code>" '
    "to the federation's official account or robot. The chat then acts as the caller (role, region and name "
    "as they are now) until 解绑 or DELETE. Any signed-in person; no body.",
    responses={
        201: {"description": "The code and when it expires"},
        429: {"description": "No free code right now; try again"},
    },
)
def new_code(caller: CurrentCaller, repo: Repository, settings: AppSettings) -> Response[ChatBindingCode]:
    return Response(201, "application/json", bindings.new_code(caller, repo, settings))


@router.get(
    "/me/chat-bindings",
    summary="My bound chat identities",
    tags=["me"],
    security=BEARER,
    description="One entry per platform bound (wechat, wecom, dingtalk) with when; the chat's own user id is "
    "not shown.",
    responses={200: {"description": "The caller's bindings"}},
)
def my_bindings(caller: CurrentCaller, repo: Repository) -> ChatBindings:
    return bindings.my_bindings(caller, repo)


@router.delete(
    "/me/chat-bindings/<platform>",
    summary="Unbind my chat identity on a platform",
    tags=["me"],
    security=BEARER,
    description="The chat is public again (as after 解绑 in the chat).",
    responses={204: {"description": "Unbound"}, 404: {"description": "Nothing bound on that platform"}},
)
def unbind(platform: str, caller: CurrentCaller, repo: Repository) -> Response[None]:
    bindings.unbind(caller, platform, repo)
    return Response(204)
