"""What a chat message gets back: `respond(message, repo, settings) -> str` (the seam with the platforms).

The platform callbacks (microwish.chat_platforms) verify, decrypt and deduplicate a message, then call
`respond` once and send its string back. Here: who the sender is (their binding: the person's Caller,
or nobody), what they said (chat.text), and the command's answer, always through the same services as
the HTTP routes, as that Caller — so a bound donor cannot approve, and an officer acts only in her region.

Wish numbers (编号) are the first 6 hex digits of a wish's id (any case; more digits, or the whole id,
work too). They are resolved within what the sender may see: the wishes this chat was last shown, then
— for donors — the open wishes of the deployment's home region, and — for officers — their region's
review queue and the open wishes at their level. Two wishes on the same number: the reply lists both
and asks for more digits; none: the reply says so.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from .. import clock, regions
from ..auth import ANONYMOUS
from ..errors import DomainError
from ..lifecycle import Status
from ..models import ReviewDecision, WishPublicView
from ..repository import ConditionFailed, ListQuery, WishRepository, is_wish_id
from ..services import claims, escalation, wishes
from ..services.views import claim_view
from ..settings import Settings
from . import bindings, places, replies
from .guided import Conversation
from .text import hex_code, parse, yuan_to_fen

logger = Logger(child=True)

Platform = Literal["wechat", "wecom", "dingtalk"]
LIST_SIZE = 5  # wishes per list reply: a chat screen
_CANDIDATES = 300  # wishes read (newest first) to resolve a number beyond what the chat was shown


class ChatMessage(BaseModel, frozen=True):
    platform: Platform
    user: str  # the platform's id of the sender (openid, WeCom UserID, DingTalk senderStaffId)
    text: str  # what they typed; a menu click arrives as the text its button stands for
    message_id: str  # for logs; once-only is the platform side's job


def respond(message: ChatMessage, repo: WishRepository, settings: Settings) -> str:
    """The reply text the user sees (Chinese, short). Never raises for anything a user can type."""
    try:
        return _Talk(message, repo, settings).reply()
    except ConditionFailed:
        return "上一条消息还在处理，请稍后再发一次。"
    except DomainError as error:
        return replies.refusal(error)
    except Exception as error:  # a reply, whatever went wrong; the log says what, never what was typed
        logger.error(
            "chat reply failed",
            extra={"error_type": type(error).__name__, "platform": message.platform, "message_id": message.message_id},
        )
        return "抱歉，出了点问题，请稍后再试。"


class _Talk:
    def __init__(self, message: ChatMessage, repo: WishRepository, settings: Settings) -> None:
        self.message, self.repo, self.settings = message, repo, settings
        self.platform, self.user = message.platform, message.user
        self.said = parse(message.text[:2000])

    def reply(self) -> str:
        command = self.said.command
        logger.info("chat message", extra={"command": command or "-", "message_id": self.message.message_id})
        if command == "绑定":
            return bindings.bind(self.platform, self.user, "".join(self.said.words), self.repo, self.settings)
        if command == "解绑":
            self.repo.chat.drop_conversation(self.platform, self.user)
            return bindings.unbind_chat(self.platform, self.user, self.repo)
        caller = bindings.bound_caller(self.platform, self.user, self.repo) or ANONYMOUS
        self.caller = caller
        if not caller.anonymous:
            going = Conversation.load(self.platform, self.user, caller, self.repo, self.settings)
            if going is not None:
                if command == "取消" and not self.said.rest:
                    return going.cancel()
                if command == "帮助" and not self.said.rest:
                    return "正在许愿中（回复“取消”退出）。\n" + going.question()
                return going.answer(self.message.text[:2000])
        handler = _COMMANDS.get(command or "")
        if handler is None:
            return "没看懂。发“帮助”看看能做什么。"
        return handler(self)

    # ------------------------------------------------------------ anyone
    def help(self) -> str:
        caller = self.caller
        lines = ["微心愿·巾帼圆梦行。可以发：", "心愿清单 [地名]：最新的待认领心愿，如：心愿清单 沅陵"]
        if caller.anonymous:
            lines.append("绑定 123456：用网页“我的 → 绑定聊天账号”里的绑定码，绑定后可认领、许愿、审核")
        if caller.role == "donor":
            lines += ["认领 编号：认领 1+1 心愿", "捐 编号 金额：为 N+1 心愿捐款（元），如：捐 a1b2c3 50", "我的认领"]
        if caller.role in ("resident", "officer", "admin"):
            lines.append("许愿：一步步提交一个心愿")
        if caller.role in ("officer", "admin"):
            lines += [
                "待审核：本辖区待审核的心愿",
                "通过 编号 / 退回 编号 理由",
                "本级心愿：升到本级的心愿（急需在前）；上报 编号 理由：再往上一级",
            ]
        if not caller.anonymous:
            lines.append(f"解绑：解除绑定（现在是 {bindings.who(caller)}）")
        return "\n".join(lines)

    def wish_list(self) -> str:
        place = self.said.rest
        region = self.settings.home_region
        if place:
            found = places.find_public(place, self.settings.home_region)
            if not found:
                return f"没有找到“{place}”。可以说县名或乡镇名，如：心愿清单 沅陵"
            if len(found) > 1:
                named = "、".join(places.full_name(region.code) for region in found[:5])
                return f"“{place}”有几处：{named}。请说得具体些。"
            region = found[0].code
        query = ListQuery(status=Status.OPEN, region=region, limit=LIST_SIZE)
        items, _ = wishes.list_wishes(self.caller, query, self.repo)
        name = places.full_name(region)
        if not items:
            return f"{name}暂时没有待认领的心愿。"
        self._shown(items)
        head = f"{name}最新的待认领心愿："
        tail = "认领：发“认领 编号”（1+1）或“捐 编号 金额”（N+1）。" if self.caller.role == "donor" else ""
        if self.caller.anonymous:
            tail = "想认领？先在网页“我的”获取绑定码，发“绑定 绑定码”。"
        return "\n".join([head, *(replies.wish_line(wish, self.settings) for wish in items), tail]).strip()

    # ------------------------------------------------------------ donors
    def claim(self) -> str:
        if refused := self._needs("donor"):
            return refused
        wish = self._resolve(self.said.words[:1], "认领 编号")
        if isinstance(wish, str):
            return wish
        if wish.mode == "pooled":
            return f"这是 N+1 众筹心愿，请发：捐 {replies.number(wish.id)} 金额（元），{replies.mode(wish)}。"
        claims.claim_wish(self.caller, wish.id, None, self.repo, self.settings)
        deadline = clock.iso(clock.now() + timedelta(days=self.settings.claim_lease_days))[:10]
        return (
            f"认领成功：{wish.title}。请在 {deadline} 前送达，送达后在网页上报告。\n"
            f"{replies.link(self.settings, wish.id)}"
        )

    def pledge(self) -> str:
        if refused := self._needs("donor"):
            return refused
        words = self.said.words
        if len(words) < 2 or yuan_to_fen(words[1]) is None:
            return "请这样发：捐 编号 金额（元），如：捐 a1b2c3 50"
        amount = yuan_to_fen(words[1]) or 0
        if amount <= 0:
            return "金额要大于 0。"
        wish = self._resolve(words[:1], "捐 编号 金额")
        if isinstance(wish, str):
            return wish
        if wish.mode != "pooled":
            return f"这是 1+1 心愿，由一位爱心人士整体认领：请发“认领 {replies.number(wish.id)}”。"
        claims.claim_wish(self.caller, wish.id, amount, self.repo, self.settings)
        after = wishes.get_wish(self.caller, wish.id, self.repo)
        remaining = (after.target_fen or 0) - after.pledged_fen
        done = "心愿已筹满，谢谢您！" if remaining <= 0 else f"还差 {replies.yuan(remaining)}。"
        return f"已认捐 {replies.yuan(amount)}：{wish.title}。{done}\n{replies.link(self.settings, wish.id)}"

    def my_claims(self) -> str:
        if refused := self._needs("donor"):
            return refused
        page, _ = self.repo.claims_by(self.caller.sub or "", 10, None)
        listed = [claim_view(item) for item in page]
        if not listed:
            return "您还没有认领。发“心愿清单”看看吧。"
        return "我的认领（最新 10 个）：\n" + "\n".join(replies.claim_line(claim, self.settings) for claim in listed)

    # ------------------------------------------------------------ officers
    def review_queue(self) -> str:
        if refused := self._needs("officer", "admin"):
            return refused
        region = self.caller.region or self.settings.home_region
        query = ListQuery(status=Status.SUBMITTED, region=region, ascending=True, limit=LIST_SIZE)
        items, _ = wishes.list_wishes(self.caller, query, self.repo)
        if not items:
            return f"{places.full_name(region)}没有待审核的心愿。"
        count = self.repo.chat.count_wishes(ListQuery(status=Status.SUBMITTED, region=region), cap=1000)
        self._shown(items)
        lines = [f"{places.full_name(region)}待审核 {count} 个，最早的 {len(items)} 个："]
        for wish in items:
            lines.append(f"{replies.wish_line(wish, self.settings)}\n已等 {replies.waited_days(wish.created_at)} 天")
        lines.append("回复“通过 编号”或“退回 编号 理由”。")
        return "\n".join(lines)

    def level_queue(self) -> str:
        if refused := self._needs("officer", "admin"):
            return refused
        region = self.caller.region or self.settings.home_region
        level = regions.level_of(region)
        query = ListQuery(status=Status.OPEN, region=region, level=level, ascending=True, limit=20)
        items, _ = wishes.list_wishes(self.caller, query, self.repo)
        items = sorted(items, key=lambda wish: not wish.at_risk)[:LIST_SIZE]  # at risk first
        if not items:
            return f"没有升到本级（{places.full_name(region)}）的待认领心愿。"
        self._shown(items)
        lines = [f"升到本级（{places.full_name(region)}）待认领的心愿，急需在前："]
        lines += [replies.wish_line(wish, self.settings) for wish in items]
        lines.append("回复“上报 编号 理由”交上一级；派单请在网页工作台。")
        return "\n".join(lines)

    def approve(self) -> str:
        if refused := self._needs("officer", "admin"):
            return refused
        wish = self._resolve(self.said.words[:1], "通过 编号")
        if isinstance(wish, str):
            return wish
        after = wishes.review_wish(self.caller, wish.id, ReviewDecision(decision="approve"), self.repo, self.settings)
        return f"已通过：{after.title}，已上心愿清单。\n{replies.link(self.settings, after.id)}"

    def reject(self) -> str:
        if refused := self._needs("officer", "admin"):
            return refused
        words = self.said.words
        reason = self.said.rest[len(words[0]) :].strip() if words else ""
        if not reason:
            return "退回需要写理由，如：退回 a1b2c3 请补充说明"
        wish = self._resolve(words[:1], "退回 编号 理由")
        if isinstance(wish, str):
            return wish
        decision = ReviewDecision(decision="reject", reason=reason[:500])
        after = wishes.review_wish(self.caller, wish.id, decision, self.repo, self.settings)
        return f"已退回：{after.title}。理由会告诉提交人。"

    def escalate(self) -> str:
        if refused := self._needs("officer", "admin"):
            return refused
        words = self.said.words
        reason = self.said.rest[len(words[0]) :].strip() if words else ""
        if not reason:
            return "上报需要写理由，如：上报 a1b2c3 本级无力解决"
        wish = self._resolve(words[:1], "上报 编号 理由")
        if isinstance(wish, str):
            return wish
        after = escalation.escalate_by_hand(self.caller, wish.id, reason[:500], self.repo, self.settings)
        return f"已上报：{after.title}，现由{places.full_name(after.handling_region_code)}处理。"

    # ------------------------------------------------------------ residents and village workers
    def start_wish(self) -> str:
        if refused := self._needs("resident", "officer", "admin"):
            return refused
        return Conversation(self.platform, self.user, self.caller, self.repo, self.settings).start()

    def nothing_going(self) -> str:
        return "现在没有进行中的许愿。发“帮助”看看能做什么。"

    # ------------------------------------------------------------ parts
    def _needs(self, *roles: str) -> str | None:
        if self.caller.anonymous:
            return "这需要先绑定：在网页“我的 → 绑定聊天账号”获取绑定码，然后发“绑定 绑定码”。"
        if self.caller.role not in roles:
            return f"您绑定的身份是{bindings.ROLE_NAMES.get(self.caller.role or '', '已登录用户')}，不能做这件事。"
        return None

    def _shown(self, items: list[WishPublicView]) -> None:
        expires = int((clock.now() + timedelta(days=2)).timestamp())
        self.repo.chat.put_shown(self.platform, self.user, [wish.id for wish in items], expires)

    def _resolve(self, words: list[str], usage: str) -> WishPublicView | str:
        """The wish a number names, among what the sender may see; or the reply saying why not."""
        code = hex_code(words[0]) if words else ""
        if len(code) < 4:
            return f"请带上心愿编号（至少 4 位），如：{usage.replace('编号', 'a1b2c3')}"
        if is_wish_id(code):
            ids = [code]
        else:
            ids = [wish_id for wish_id in self.repo.chat.shown(self.platform, self.user) if wish_id.startswith(code)]
            if not ids:
                ids = [wish_id for wish_id in self._candidates() if wish_id.startswith(code)]
        ids = list(dict.fromkeys(ids))
        if len(ids) > 1:
            return f"编号 {code} 对应 {len(ids)} 个心愿，请多打几位（如 {ids[0][:8]}）。"
        if not ids:
            return f"没有找到编号 {code} 的心愿。发“心愿清单”或“待审核”看看编号。"
        view = wishes.get_wish(self.caller, ids[0], self.repo)  # 404 for what the sender may not see
        return WishPublicView.model_validate(view.model_dump(include=set(WishPublicView.model_fields) - {"view"}))

    def _candidates(self) -> list[str]:
        """Wish ids a number may name for this sender, newest first (a bounded read of list indexes)."""
        region = self.settings.home_region
        queries = [ListQuery(status=Status.OPEN, region=region, limit=100)]
        if self.caller.role in ("officer", "admin") and self.caller.region:
            mine = self.caller.region
            queries = [
                ListQuery(status=Status.SUBMITTED, region=mine, limit=100),
                ListQuery(status=Status.OPEN, region=mine, level=regions.level_of(mine), limit=100),
            ]
        found: list[str] = []
        for query in queries:
            while len(found) < _CANDIDATES:
                items, cursor = wishes.list_wishes(self.caller, query, self.repo)
                found += [wish.id for wish in items]
                if not cursor:
                    break
                query.cursor = cursor
        return found


_COMMANDS = {
    "帮助": _Talk.help,
    "心愿清单": _Talk.wish_list,
    "认领": _Talk.claim,
    "捐": _Talk.pledge,
    "我的认领": _Talk.my_claims,
    "待审核": _Talk.review_queue,
    "本级心愿": _Talk.level_queue,
    "通过": _Talk.approve,
    "退回": _Talk.reject,
    "上报": _Talk.escalate,
    "许愿": _Talk.start_wish,
    "取消": _Talk.nothing_going,
    "提交": _Talk.nothing_going,
    "改": _Talk.nothing_going,
}
