"""Categories (添一物, 送一技, …) and priority groups, loaded from data/catalog.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

_CATALOG_FILE = Path(__file__).with_name("data") / "catalog.json"


@cache
def _catalog() -> dict[str, Any]:
    catalog: dict[str, Any] = json.loads(_CATALOG_FILE.read_text(encoding="utf-8"))
    return catalog


def categories() -> dict[str, dict[str, Any]]:
    return {entry["code"]: entry for entry in _catalog()["categories"]}


def groups() -> dict[str, dict[str, Any]]:
    return {entry["code"]: entry for entry in _catalog()["groups"]}


# Literal types built from the data, so validation and the OpenAPI enum follow the catalog. A type
# checker cannot read the data file: to it the codes are strings.
if TYPE_CHECKING:
    CategoryCode: TypeAlias = str
    GroupCode: TypeAlias = str
else:
    CategoryCode = Literal[tuple(categories())]
    GroupCode = Literal[tuple(groups())]
