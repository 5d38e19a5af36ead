"""The regions' configured contacts: chat group robots, SMS numbers and e-mail addresses.

There is no user directory: officers are reached through their unit. What a unit wants besides
its inbox lives in one SSM parameter (SecureString: it holds webhook secrets), named by the
template parameter NotificationContactsParameter, as JSON:

    {"regions": {"431222": {"chat": {"url": "https://oapi.dingtalk.com/robot/send?access_token=…",
                                     "secret": "SEC…", "kind": "dingtalk"},
                            "sms": ["13900000000"], "email": ["fulian@example.org"]}},
     "admins": {"sms": [...], "email": [...]}}

Region keys may be written in any accepted spelling (431222, 431222000000). A missing parameter
means no contacts: every unit still has its inbox.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger

from .. import regions
from .channels import aws_client

logger = Logger(child=True)


@dataclass(frozen=True)
class UnitContacts:
    sms: tuple[str, ...] = ()
    email: tuple[str, ...] = ()
    chat: dict[str, Any] | None = None


@dataclass(frozen=True)
class Contacts:
    regions: dict[str, UnitContacts] = field(default_factory=dict)
    admins: UnitContacts = field(default_factory=UnitContacts)

    def region(self, code: str) -> UnitContacts:
        return self.regions.get(code, UnitContacts())

    def chat_groups(self) -> dict[str, dict[str, Any]]:
        return {code: unit.chat for code, unit in self.regions.items() if unit.chat}


def _unit(raw: Any) -> UnitContacts:
    if not isinstance(raw, dict):
        return UnitContacts()
    chat = raw.get("chat") if isinstance(raw.get("chat"), dict) and raw["chat"].get("url") else None
    return UnitContacts(
        sms=tuple(str(value) for value in raw.get("sms") or []),
        email=tuple(str(value) for value in raw.get("email") or []),
        chat=chat,
    )


def parse(document: str | dict[str, Any]) -> Contacts:
    data = json.loads(document) if isinstance(document, str) else document
    units: dict[str, UnitContacts] = {}
    for code, raw in (data.get("regions") or {}).items():
        try:
            units[regions.normalize(str(code))] = _unit(raw)
        except regions.RegionCodeError:
            logger.warning("notification contacts: skipped a malformed region code")
    return Contacts(regions=units, admins=_unit(data.get("admins")))


_cache: dict[str, tuple[float, Contacts]] = {}


def load(parameter: str, max_age_s: float = 300) -> Contacts:
    """The contacts, read from SSM at most every `max_age_s` seconds per process."""
    if not parameter:
        return Contacts()
    cached = _cache.get(parameter)
    if cached and time.monotonic() - cached[0] < max_age_s:
        return cached[1]
    try:
        value = aws_client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
        contacts = parse(value)
    except aws_client("ssm").exceptions.ParameterNotFound:
        logger.info("notification contacts: no parameter, units get their inbox only")
        contacts = Contacts()
    _cache[parameter] = (time.monotonic(), contacts)
    return contacts


def reset() -> None:
    _cache.clear()
