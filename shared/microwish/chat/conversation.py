"""PLACEHOLDER until the merge: chattalk's conversation engine replaces this file (CHAT-CONTRACT.md).

Only the names of the contract between the chat platforms (chatwire) and the conversation (chattalk).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from ..repository import WishRepository
from ..settings import Settings

Platform = Literal["wechat", "wecom", "dingtalk"]

HELP = "微心愿：发送“心愿清单”看附近的心愿，“帮助”看全部说法。"


class ChatMessage(BaseModel, frozen=True):
    platform: Platform
    user: str  # the platform's id of the sender: WeChat openid, WeCom UserID, DingTalk senderStaffId (or senderId)
    text: str  # what they typed; a menu click arrives as the text its button stands for (e.g. "心愿清单")
    message_id: str  # the platform's message id (MsgId / event id / msgId), for logs; once-only is chatwire's job


def respond(message: ChatMessage, repo: WishRepository, settings: Settings) -> str:
    """The reply text the user sees (Chinese, short). Never raises for anything a user can type."""
    return HELP
