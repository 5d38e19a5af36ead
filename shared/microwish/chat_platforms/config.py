"""Each platform's secrets: one SSM SecureString parameter per platform, named by a template parameter
(ChatWeChatParameter, ChatWeComParameter, ChatDingTalkParameter → CHAT_<PLATFORM>_PARAMETER), as JSON:

    wechat    {"token", "app_id", "encoding_aes_key"?, "app_secret"?}   (no encoding_aes_key: plain mode;
              app_secret: only for late replies by customer-service message)
    wecom     {"token", "encoding_aes_key", "corp_id", "agent_id"?, "secret"?}   (agent_id + secret: late replies)
    dingtalk  {"app_secret"}   (the robot's AppSecret, which signs its outgoing calls)

All three are read in one GetParameters call per process (at cold start: app.py calls `preload`), kept
`max_age_s`, then read again. A parameter that is missing, unreadable or incomplete means the platform
is not configured: its routes answer 404, and it costs no SSM call per request.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any, Literal

from aws_lambda_powertools import Logger

logger = Logger(child=True)

Platform = Literal["wechat", "wecom", "dingtalk"]
PLATFORMS: tuple[Platform, ...] = ("wechat", "wecom", "dingtalk")
REQUIRED: dict[str, tuple[str, ...]] = {
    "wechat": ("token", "app_id"),
    "wecom": ("token", "encoding_aes_key", "corp_id"),
    "dingtalk": ("app_secret",),
}
MAX_AGE_S = 300.0


@dataclass(frozen=True)
class Credentials:
    platform: str
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def parameter_names(env: dict[str, str] | None = None) -> dict[str, str]:
    """platform → SSM parameter name, for the platforms the environment names one for."""
    env = dict(os.environ) if env is None else env
    names = {platform: env.get(f"CHAT_{platform.upper()}_PARAMETER", "") for platform in PLATFORMS}
    return {platform: name for platform, name in names.items() if name}


def fetch(names: list[str]) -> dict[str, str]:
    """The parameters' decrypted values (one GetParameters call); missing ones are left out."""
    from aws_lambda_powertools.utilities import parameters

    found = parameters.get_parameters_by_name(
        parameters={name: {} for name in names}, decrypt=True, max_age=0, raise_on_error=False
    )
    return {name: value for name, value in found.items() if name != "_errors" and isinstance(value, str)}


def _parse(platform: str, raw: str | None) -> Credentials | None:
    if raw is None:
        return None
    try:
        document: Any = json.loads(raw)
    except ValueError:
        logger.warning("chat platform parameter is not JSON: platform not configured", extra={"platform": platform})
        return None
    if not isinstance(document, dict):
        return None
    values = {str(key): str(value) for key, value in document.items() if isinstance(value, (str, int))}
    if not all(values.get(name) for name in REQUIRED[platform]):
        logger.warning("chat platform parameter is incomplete: not configured", extra={"platform": platform})
        return None
    return Credentials(platform, values)


_cache: dict[str, Any] = {}


def preload() -> None:
    """Read every configured platform's parameter now (the init phase runs at full CPU)."""
    names = parameter_names()
    values = fetch(sorted(set(names.values()))) if names else {}
    _cache["loaded_at"] = time.monotonic()
    _cache["platforms"] = {platform: _parse(platform, values.get(name)) for platform, name in names.items()}


def credentials(platform: str, max_age_s: float = MAX_AGE_S) -> Credentials | None:
    """The platform's credentials, or None when it is not configured."""
    loaded_at = _cache.get("loaded_at")
    if loaded_at is None or time.monotonic() - loaded_at >= max_age_s:
        preload()
    found: Credentials | None = _cache["platforms"].get(platform)
    return found


def reset() -> None:
    _cache.clear()
