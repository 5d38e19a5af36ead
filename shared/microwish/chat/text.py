"""What people type, made regular: full-width to half-width, spaces and punctuation forgiven.

"  认领：Ａ１Ｂ２ " and "认领a1b2" both read as the command 认领 with the argument "a1b2".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Punctuation people put around what they type (Chinese and ASCII); inside an argument it separates.
_PUNCTUATION = "，。、；：！？,.;:!?\"'“”‘’「」『』【】()（）《》<>"
_SEPARATORS = re.compile(r"[\s" + re.escape(_PUNCTUATION) + r"]+")

# Every command, longest first so that "我的认领" is not read as "我的" + … and "认领" inside it.
COMMANDS = (
    "心愿清单",
    "我的认领",
    "待审核",
    "本级心愿",
    "帮助",
    "绑定",
    "解绑",
    "认领",
    "捐",
    "许愿",
    "取消",
    "通过",
    "退回",
    "上报",
    "提交",
    "改",
)
ALIASES = {
    "清单": "心愿清单",
    "心愿": "心愿清单",
    "菜单": "帮助",
    "help": "帮助",
    "?": "帮助",
    "我的": "我的认领",
    "审核": "待审核",
    "升级心愿": "本级心愿",
    "急需": "本级心愿",
    "急需心愿": "本级心愿",
    "捐款": "捐",
    "认捐": "捐",
    "修改": "改",
    "确认": "提交",
    "驳回": "退回",
}


@dataclass(frozen=True)
class Said:
    command: str | None  # one of COMMANDS, or None when the text starts with none of them
    rest: str  # what follows the command (or the whole text), regular spaces, no edge punctuation
    text: str  # the whole text, made regular

    @property
    def words(self) -> list[str]:
        return [word for word in _SEPARATORS.split(self.rest) if word]


def regular(text: str) -> str:
    """NFKC (full-width digits, letters and spaces to half-width), one space between words, no edge punctuation."""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(char for char in folded if unicodedata.category(char) not in ("Cc", "Cf") or char in "\n\t")
    return " ".join(folded.split()).strip(_PUNCTUATION + " ")


def parse(text: str) -> Said:
    whole = regular(text)
    if not whole:  # nothing but punctuation ("？"): what can I say?
        return Said("帮助", "", whole)
    lowered = whole.lower()
    for alias, command in sorted(ALIASES.items(), key=lambda pair: -len(pair[0])):
        if lowered == alias:
            return Said(command, "", whole)
    for command in COMMANDS:
        if whole.startswith(command):
            return Said(command, whole[len(command) :].strip(_PUNCTUATION + " "), whole)
    return Said(None, whole, whole)


def hex_code(word: str) -> str:
    """A wish number as typed (any case, full-width folded): lower-case hex, or "" when it is not one."""
    code = word.strip().lower()
    return code if code and all(char in "0123456789abcdef" for char in code) else ""


def yuan_to_fen(word: str) -> int | None:
    """ "50", "50元", "¥50", "50.5" in yuan → fen; None when it is not an amount."""
    amount = word.strip().removeprefix("¥").removeprefix("￥").removesuffix("元").removesuffix("块").strip()
    match = re.fullmatch(r"(\d{1,7})(?:\.(\d{1,2}))?", amount)
    if not match:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
