"""The text of replies: a wish as one line (public fields only), a claim, money, and errors in words.

A wish line is built from the public view only (alias, township, title, mode): no beneficiary's name,
phone, address or village can reach a chat through it.
"""

from __future__ import annotations

from ..catalog import categories
from ..clock import now, parse
from ..errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthorized
from ..models import ClaimView, WishPublicView
from ..registry import get_registry
from ..settings import Settings

SHORT = 6  # hex digits of a wish id shown as its number (编号)


def number(wish_id: str) -> str:
    return wish_id[:SHORT]


def link(settings: Settings, wish_id: str) -> str:
    return f"{settings.web_base_url.rstrip('/')}/wishes/{wish_id}"


def yuan(fen: int | None) -> str:
    value = (fen or 0) / 100
    return f"¥{value:,.0f}" if value == int(value) else f"¥{value:,.2f}"


def mode(wish: WishPublicView) -> str:
    if wish.mode == "pooled":
        remaining = (wish.target_fen or 0) - wish.pledged_fen
        return f"N+1 众筹，还差{yuan(remaining)}"
    return "1+1 一对一"


def category(code: str) -> str:
    entry = categories().get(code)
    return str(entry["name"]) if entry else code


def township(wish: WishPublicView) -> str:
    region = get_registry().get(wish.township_code)
    return region.name if region else wish.region_name


def waited_days(created_at: str) -> int:
    return max(0, (now() - parse(created_at)).days)


def wish_line(wish: WishPublicView, settings: Settings) -> str:
    flag = "【急需】" if wish.at_risk else ""
    return (
        f"[{number(wish.id)}] {flag}{wish.title}｜{category(wish.category)}｜{mode(wish)}｜{township(wish)}"
        f"｜{wish.beneficiary_alias}\n{link(settings, wish.id)}"
    )


STATUS_WORDS = {
    "submitted": "待审核",
    "open": "待认领",
    "assigned": "已派单",
    "claimed": "已认领",
    "delivered": "已送达待确认",
    "fulfilled": "已圆梦",
    "rejected": "已退回",
    "cancelled": "已取消",
}
CLAIM_WORDS = {
    "offered": "待接单",
    "active": "进行中",
    "delivered": "已送达",
    "fulfilled": "已圆梦",
    "withdrawn": "已撤回",
    "lapsed": "已过期",
    "declined": "已谢绝",
    "cancelled": "已取消",
    "refund_due": "待退款",
}


def claim_line(claim: ClaimView, settings: Settings) -> str:
    kind = (
        "认捐" + yuan(claim.amount_fen)
        if claim.kind == "pledge"
        else ("派单" if claim.kind == "assignment" else "认领")
    )
    deadline = f"，{claim.deadline[:10]} 前送达" if claim.deadline and claim.status == "active" else ""
    return (
        f"[{number(claim.wish_id)}] {claim.wish_title or '心愿'}｜{kind}｜{CLAIM_WORDS.get(claim.status, claim.status)}"
        f"{deadline}\n{link(settings, claim.wish_id)}"
    )


def refusal(error: DomainError) -> str:
    """A domain error said in words (never its raw text, which is English and may name a field)."""
    extensions = error.extensions
    state = extensions.get("state")
    if isinstance(error, Conflict):
        if state == "limit_reached":
            limit = extensions.get("max_active_claims")
            return f"您已有 {limit} 个进行中的认领，已到上限：请先送达或撤回一个。"
        if "remaining_fen" in extensions and state == "open":
            remaining = int(extensions["remaining_fen"] or 0)
            return f"超过了剩余金额：这个心愿最多还能捐 {yuan(remaining)}。"
        if state == "busy":
            return "这个心愿正被很多人认领，请稍后再试。"
        if state in ("claimed", "assigned", "delivered", "fulfilled"):
            return f"来晚了一步：这个心愿{STATUS_WORDS.get(str(state), '')}，看看别的心愿吧（发“心愿清单”）。"
        if state:
            return f"这个心愿现在是“{STATUS_WORDS.get(str(state), state)}”，不能这样操作。"
        return "这个心愿刚刚有了变化，请再看一下。"
    if isinstance(error, NotFound):
        return "没有找到这个心愿（或它不在您能处理的范围内）。"
    if isinstance(error, Forbidden | Unauthorized):
        return "您的身份不能做这件事。"
    if str((extensions.get("errors") or [{}])[0].get("type", "")) == "personal_data":
        return "心愿的标题或描述里有电话、身份证号或受助人姓名：这些会公开，请先在网页上修改。"
    if isinstance(error, TooManyRequests):
        return "操作太频繁了，请稍后再试。"
    if isinstance(error, InvalidInput):
        entries = extensions.get("errors") or [{}]
        field = str(entries[0].get("field", ""))
        return f"填写的内容不合要求（{FIELD_WORDS.get(field, field)}）。"
    return "没办成，请稍后再试。"


FIELD_WORDS = {
    "title": "心愿",
    "description": "描述",
    "category": "类别",
    "groups": "人群",
    "region_code": "村",
    "amount_fen": "金额",
    "reason": "理由",
    "target_fen": "目标金额",
    "campaign_id": "专场活动",
}
