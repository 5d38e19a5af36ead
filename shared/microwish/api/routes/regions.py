"""GET /regions — child regions for cascading pickers."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from ...models import RegionPrefix
from ...registry import get_registry

router = Router()


class RegionView(BaseModel):
    code: str
    name: str
    level: Literal["province", "city", "county", "township", "village"]
    demo: bool = False


class RegionList(BaseModel):
    items: list[RegionView]


@router.get("/regions", summary="Child regions of a region (no parent: the provinces)", tags=["regions"])
def list_regions(
    parent: Annotated[RegionPrefix | None, Query(description="e.g. 4312 or 431200")] = None,
) -> RegionList:
    children = get_registry().children(parent)
    return RegionList(
        items=[
            RegionView(code=region.code, name=region.name, level=region.level, demo=region.demo) for region in children
        ]
    )
