"""Categories (添一物, 送一技, …) and priority groups, loaded from data/catalog.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

_CATALOG_FILE = Path(__file__).with_name("data") / "catalog.json"


@cache
def _catalog() -> dict:
    return json.loads(_CATALOG_FILE.read_text(encoding="utf-8"))


def categories() -> dict[str, dict]:
    return {entry["code"]: entry for entry in _catalog()["categories"]}


def groups() -> dict[str, dict]:
    return {entry["code"]: entry for entry in _catalog()["groups"]}


# Literal types built from the data, so validation and the OpenAPI enum follow the catalog.
CategoryCode = Literal[tuple(categories())]  # type: ignore[valid-type]
GroupCode = Literal[tuple(groups())]  # type: ignore[valid-type]
