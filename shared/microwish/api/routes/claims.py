"""Claiming: POST /wishes/{id}/claims (1+1 or an N+1 pledge), POST /claims (1+N), DELETE /claims/{id}."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...auth import Caller
from ...models import BatchClaimRequest, BatchClaimResponse, BatchResult, ClaimRequest, ClaimView
from ...once import KeyedRequest
from ...repository import WishRepository
from ...services import claims
from ...services.views import claim_view
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent_replaying, in_progress, path_id

router = Router()


def _claim_by_key(repo: WishRepository, wish_id: str, keyed: KeyedRequest) -> ClaimView | None:
    """The claim a key made on a wish: its id derives from the key."""
    claim_id = claims.claim_id_for(wish_id, keyed)
    bundle = repo.get_wish_and_claims(wish_id)
    found = [claim for claim in (bundle[1] if bundle else []) if claim.get("id") == claim_id]
    return claim_view(found[0]) if found else None


def _replay_claim(
    app: APIGatewayHttpResolver, _: Caller, repo: WishRepository, keyed: KeyedRequest
) -> Response[ClaimView]:
    claim = _claim_by_key(repo, path_id(app), keyed)
    if claim is None:
        raise in_progress()
    return Response(201, "application/json", claim)


def _replay_batch(
    app: APIGatewayHttpResolver, _: Caller, repo: WishRepository, keyed: KeyedRequest
) -> Response[BatchClaimResponse]:
    """The claims the key made, wish by wish (a wish it did not get is reported as not claimed)."""
    results = []
    for wish_id in app.current_event.json_body.get("wish_ids", []):
        claim = _claim_by_key(repo, wish_id, keyed)
        results.append(
            BatchResult(wish_id=wish_id, ok=True, status=201, claim=claim)
            if claim
            else BatchResult(wish_id=wish_id, ok=False, status=409, detail="not claimed by this request")
        )
    return Response(
        200, "application/json", BatchClaimResponse(claimed=sum(result.ok for result in results), results=results)
    )


@router.post(
    "/wishes/<id>/claims",
    summary="Claim a sole wish whole, or pledge to a pooled one",
    tags=["claims"],
    description="As oneself, or with `unit_id` on behalf of a unit of the registry the caller is a member of "
    "(issue 12): the claim is then the unit's (donor_id `unit:<id>`), its members may withdraw and deliver it, "
    "and the membership is guarded in the claim's transaction. A unit_id of no unit: 422; not a member: 403.",
    security=BEARER,
    middlewares=[idempotent_replaying(_replay_claim, 201)],
    responses={
        201: {"description": "The claim or pledge"},
        403: {"description": "Not a donor, or not a member of the unit named by unit_id"},
        409: {"description": "Taken, or over the remaining amount (remaining_fen)"},
        422: {"description": "A bad amount_fen or unit_id (named in `errors`)"},
    },
)
def claim(
    id: str,
    request: ClaimRequest,
    caller: CurrentCaller,
    repo: Repository,
    settings: AppSettings,
) -> Response[ClaimView]:
    return Response(
        201, "application/json", claims.claim_wish(caller, id, request.amount_fen, repo, settings, request.unit_id)
    )


@router.post(
    "/claims",
    summary="1+N: claim many wishes at once",
    tags=["claims"],
    security=BEARER,
    middlewares=[idempotent_replaying(_replay_batch)],
    responses={
        200: {
            "description": "A result per wish (claimed, or why not)",
            "content": {"application/json": {"model": BatchClaimResponse}},
        },
        409: {
            "description": "all_or_nothing refused, nothing claimed: a problem whose `results` "
            "member lists each wish that stood in the way, with its reason"
        },
    },
)
def claim_many(
    request: BatchClaimRequest, caller: CurrentCaller, repo: Repository, settings: AppSettings
) -> Response[BatchClaimResponse]:
    status, result = claims.claim_many(caller, request, repo, settings)
    return Response(status, "application/json", result)


@router.delete(
    "/claims/<claim_id>",
    summary="Withdraw your claim or pledge",
    tags=["claims"],
    security=BEARER,
    responses={204: {"description": "Withdrawn"}},
)
def withdraw(claim_id: str, caller: CurrentCaller, repo: Repository, settings: AppSettings) -> Response[None]:
    claims.withdraw(caller, claim_id, repo, settings)
    return Response(204)
