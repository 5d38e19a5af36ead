"""Binding a chat identity to a person: a one-time code from the web app, sent in the chat as "绑定 123456".

The binding keeps the person's identity as it was when they asked for the code (a `Caller` snapshot:
sub, role, region, name, donor type): the chat acts as that Caller, through the same services as the
HTTP routes. A binding lasts `chat_binding_days`; after that (or after "解绑") the chat is public again.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from .. import clock
from ..auth import Caller
from ..errors import NotFound, TooManyRequests, Unauthorized
from ..models.chat import PLATFORMS, ChatBinding, ChatBindingCode, ChatBindings
from ..repository import ConditionFailed, WishRepository
from ..settings import Settings

CODE_DIGITS = 6
WRONG_CODES_PER_HOUR = 5  # 6 digits: five guesses an hour per chat identity find a live code ~never
_NEW_CODE_ATTEMPTS = 8


def _epoch(moment_iso: str, slack: timedelta = timedelta(days=1)) -> int:
    """The TTL attribute for an item valid until `moment_iso` (the TTL may delete late, never early)."""
    return int((clock.parse(moment_iso) + slack).timestamp())


# ---------------------------------------------------------------- the web side (HTTP routes)
def new_code(caller: Caller, repo: WishRepository, settings: Settings) -> ChatBindingCode:
    """A fresh 6-digit code for the signed-in caller, valid `chat_code_minutes`, usable once."""
    if caller.anonymous:
        raise Unauthorized("sign in first")
    now = clock.now_iso()
    valid_until = clock.iso(clock.now() + timedelta(minutes=settings.chat_code_minutes))
    snapshot = caller.model_dump(mode="json")
    for _ in range(_NEW_CODE_ATTEMPTS):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if repo.chat.put_code(code, snapshot, valid_until, _epoch(valid_until), now):
            return ChatBindingCode(code=code, expires_at=valid_until, expires_in=int(settings.chat_code_minutes * 60))
    raise TooManyRequests("no free code right now; try again in a minute")  # a million live codes


def my_bindings(caller: Caller, repo: WishRepository) -> ChatBindings:
    if caller.anonymous:
        raise Unauthorized("sign in first")
    now = clock.now_iso()
    items = [
        ChatBinding(platform=item["platform"], bound_at=item["bound_at"])
        for item in repo.chat.bindings_of(caller.sub or "")
        if item.get("platform") in PLATFORMS and not _lapsed(item, now)
    ]
    return ChatBindings(items=sorted(items, key=lambda binding: PLATFORMS.index(binding.platform)))


def unbind(caller: Caller, platform: str, repo: WishRepository) -> None:
    if caller.anonymous:
        raise Unauthorized("sign in first")
    if platform not in PLATFORMS or not repo.chat.unbind_person(caller.sub or "", platform):
        raise NotFound(f"no chat bound on {platform}")


def _lapsed(item: dict[str, object], now: str) -> bool:
    until = item.get("valid_until")
    return isinstance(until, str) and until <= now


# ---------------------------------------------------------------- the chat side
def bound_caller(platform: str, user: str, repo: WishRepository) -> Caller | None:
    """The person a chat identity acts as; None until bound (or after its binding lapsed)."""
    binding = repo.chat.binding(platform, user)
    if binding is None or _lapsed(binding, clock.now_iso()):
        return None
    return Caller.model_validate(binding["caller"])


def bind(platform: str, user: str, code: str, repo: WishRepository, settings: Settings) -> str:
    """The reply to "绑定 <code>": bound, or why not, in words."""
    hour = clock.now_iso()[:13]
    if repo.chat.wrong_codes(platform, user, hour) >= WRONG_CODES_PER_HOUR:
        return "绑定码错误次数太多，请一小时后再试。"
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        return _wrong(platform, user, hour, repo, "绑定码是 6 位数字，例如：绑定 123456")
    stored = repo.chat.get_code(code)
    now = clock.now_iso()
    if stored is None:
        return _wrong(platform, user, hour, repo, "绑定码不对。请在网页“我的 → 绑定聊天账号”重新获取。")
    if stored.get("used_at"):
        return "这个绑定码已经用过了。请在网页“我的 → 绑定聊天账号”重新获取。"
    if str(stored.get("valid_until", "")) <= now:
        return "这个绑定码已过期（有效期几分钟）。请在网页“我的 → 绑定聊天账号”重新获取。"
    bound_until = clock.iso(clock.now() + timedelta(days=settings.chat_binding_days))
    try:
        repo.chat.bind(stored, platform, user, now, _epoch(bound_until), bound_until)
    except ConditionFailed:
        return "这个绑定码刚刚被用过了。请在网页“我的 → 绑定聊天账号”重新获取。"
    caller = Caller.model_validate(stored["caller"])
    return f"绑定成功：{who(caller)}。发“帮助”看看能做什么；发“解绑”可解除。"


def _wrong(platform: str, user: str, hour: str, repo: WishRepository, reply: str) -> str:
    expires = int((clock.now() + timedelta(hours=2)).timestamp())
    repo.chat.count_wrong_code(platform, user, hour, WRONG_CODES_PER_HOUR, expires)
    return reply


def unbind_chat(platform: str, user: str, repo: WishRepository) -> str:
    if repo.chat.unbind_chat(platform, user):
        return "已解绑。现在只能看公开的心愿清单；要再绑定，请在网页“我的”获取绑定码。"
    return "这个聊天账号还没有绑定。"


ROLE_NAMES = {"resident": "群众 / 村级代办人", "officer": "妇联干部", "donor": "爱心人士", "admin": "管理员"}


def who(caller: Caller) -> str:
    role = ROLE_NAMES.get(caller.role or "", "已登录用户")
    return f"{caller.name}（{role}）" if caller.name else role
