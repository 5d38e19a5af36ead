"""Small answers of the meta and regions routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: str
    time: str


class RegionView(BaseModel):
    code: str
    name: str
    level: Literal["province", "city", "county", "township", "village"]
    demo: bool = False


class RegionList(BaseModel):
    items: list[RegionView]
