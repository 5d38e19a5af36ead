"""Personal data in public free text: detect it (to refuse it) and mask it (in what is already stored).

Public free text is what donors and the public read: a wish's title and description, the
beneficiary's thanks (feedback) and a delivery note. None of it may carry
- a mainland phone number: a mobile (1[3-9] and 9 more digits) or a landline with its area code
  (0 and 2–3 digits, then 7–8 digits), optionally after +86, with separators (spaces, dashes,
  dots, brackets) anywhere between the digits;
- an 18-digit resident ID number (17 digits and a digit or X) whose check digit is right
  (ISO 7064 MOD 11-2, GB 11643), separators allowed too;
- the beneficiary's own name as given (checked where the name is at hand).

Plain functions only; the services refuse (`refuse_personal_data`), the views, the ledger and the
notification texts mask (`mask`). Nothing here ever echoes the matched text in an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from .errors import DomainError

MASK = "***"
# What people put between digits: spaces (any width), dashes of every kind, dots, middle dots.
_SEP = r"[\-\u2010-\u2015\u2212\uff0d.\u00b7\u30fb]"
_GAP = rf"\s{{0,2}}(?:{_SEP}\s{{0,2}})?"
_COUNTRY = rf"(?:(?:\+|00|＋)?\s*86{_GAP}|\(\+?86\){_GAP})?"
_MOBILE = rf"1{_GAP}[3-9](?:{_GAP}\d){{9}}"
# Area code 0xx or 0xxx (optionally in brackets), then a 7- or 8-digit number (010-12345678).
_LANDLINE = rf"[(（]?0(?:{_GAP}\d){{2,3}}[)）]?{_GAP}\d(?:{_GAP}\d){{6,7}}"
_PHONE = re.compile(rf"(?<!\d){_COUNTRY}(?:{_MOBILE}|{_LANDLINE})(?!\d)")
_ID_CANDIDATE = re.compile(rf"(?<!\d)\d(?:{_GAP}\d){{16}}{_GAP}[\dXx](?![\dXx])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Full-width digits and signs (a common way round a filter) read as ASCII, one character for one,
# so that what is found in the folded text is at the same place in the original.
_FOLD = str.maketrans({chr(0xFF10 + n): str(n) for n in range(10)} | {"＋": "+", "Ｘ": "X", "ｘ": "x"})
# Removed before looking for a name: separators and invisible characters someone may slip in.
_NAME_NOISE = re.compile(r"[\s\-_.·・\u200b-\u200f\u2060\ufeff]")


class PersonalDataError(DomainError):
    """Public free text holding a phone number, an ID number or the beneficiary's name (422)."""

    status = 422
    title = "Unprocessable Entity"

    def __init__(self, field: str, kind: str) -> None:
        message = f"must not contain {kind}: it is shown to donors and the public"
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message, "type": "personal_data"}])


def _digits(text: str) -> str:
    return "".join(ch.upper() for ch in text.translate(_FOLD) if ch in "0123456789Xx")


def id_check_digit(first17: str) -> str:
    """The check character of a resident ID number from its first 17 digits (GB 11643, MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_resident_id(candidate: str) -> bool:
    """An 18-character resident ID number (separators ignored) whose check digit is right."""
    plain = _digits(candidate)
    return (
        len(plain) == 18 and plain[:17].isdigit() and plain[:17].isascii() and id_check_digit(plain[:17]) == plain[17]
    )


def _id_spans(text: str) -> list[tuple[int, int]]:
    folded = text.translate(_FOLD)
    return [match.span() for match in _ID_CANDIDATE.finditer(folded) if is_resident_id(match.group())]


def _phone_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _PHONE.finditer(text.translate(_FOLD))]


def find_phone(text: str) -> bool:
    return bool(_phone_spans(_without_ids(text)))


def find_resident_id(text: str) -> bool:
    return bool(_id_spans(text))


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in reversed(spans):
        text = text[:start] + MASK + text[end:]
    return text


def _without_ids(text: str) -> str:
    return _masked(text, _id_spans(text))


def contains_name(text: str, name: str | None) -> bool:
    """The beneficiary's full name as given (2+ characters), separators and invisibles between ignored."""
    wanted = _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name or ""))
    if len(wanted) < 2:
        return False  # a one-character name would refuse half the language
    return wanted.casefold() in _NAME_NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def kind_of(text: str | None, name: str | None = None) -> str | None:
    """What personal data the text holds ("a phone number", ...), or None."""
    if not text:
        return None
    if find_resident_id(text):
        return "an ID card number"
    if find_phone(text):
        return "a phone number"
    if contains_name(text, name):
        return "the beneficiary's name"
    return None


def refuse_personal_data(fields: Iterable[tuple[str, str | None]], name: str | None = None) -> None:
    """Raise PersonalDataError for the first (field, text) that holds personal data."""
    for field, text in fields:
        kind = kind_of(text, name)
        if kind:
            raise PersonalDataError(field, kind)


def mask(text: str | None) -> str | None:
    """Text with every phone number and resident ID number replaced by ***; None stays None."""
    if not text:
        return text
    text = _without_ids(text)
    return _masked(text, _phone_spans(text))


def beneficiary_name(private: dict[str, Any] | None) -> str | None:
    """The name in a wish's private part (as the repository's bundle holds it), if it is still there."""
    beneficiary = (private or {}).get("beneficiary") or {}
    return beneficiary.get("name") or None
