"""GET /units: the units (爱心单位) an officer can dispatch to, as the platform knows them in her region."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import KnownUnits
from ...services import units
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository

router = Router()


@router.get(
    "/units",
    summary="Units to dispatch to: those that fulfilled wishes in my region",
    tags=["fulfilment"],
    security=BEARER,
    description="For officers and admins, in the caller's own region (a village officer's township). The "
    "platform keeps no registry of units: these are the units that fulfilled wishes there (from the "
    "leaderboard's counts), most wishes first. Any other unit is dispatched to by its id all the same.",
    responses={
        200: {"description": "The units, each with the donor_id POST /wishes/{id}/assignment takes"},
        403: {"description": "The caller is not an officer or admin"},
    },
)
def list_units(caller: CurrentCaller, repo: Repository, settings: AppSettings) -> KnownUnits:
    return units.known_units(caller, repo, settings)
