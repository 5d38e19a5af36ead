"""Chat bindings: the one-time code a person gets on the web, and the chat identities bound to them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Platform = Literal["wechat", "wecom", "dingtalk"]
PLATFORMS: tuple[Platform, ...] = ("wechat", "wecom", "dingtalk")


class ChatBindingCode(BaseModel):
    code: str = Field(description='Six digits, sent in the chat as "绑定 <code>"; valid once.')
    expires_at: str = Field(description="When the code stops working (RFC 3339, UTC).")
    expires_in: int = Field(description="Seconds it stays valid from now (a client's clock may differ from ours).")


class ChatBinding(BaseModel):
    platform: Platform
    bound_at: str


class ChatBindings(BaseModel):
    items: list[ChatBinding]
