"""Small answers of the meta and regions routes."""

from __future__ import annotations

from typing import Literal

from .base import Model


class Health(Model):
    status: str
    time: str


class RegionView(Model):
    code: str
    name: str
    level: Literal["province", "city", "county", "township", "village"]
    demo: bool = False


class RegionList(Model):
    items: list[RegionView]
