"""Who is calling, from the JWT claims, and what they may do.

JWT-protected routes get claims verified by API Gateway's authorizer (`requestContext.authorizer.jwt`).
Public routes where a token only adds rights (`GET /wishes/{id}`) verify a present token here,
against the issuer's JWKS. Either way the claims are parsed in this one place.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from . import regions
from .errors import Forbidden, Unauthorized
from .settings import get_settings

if TYPE_CHECKING:
    import jwt

Role = Literal["resident", "officer", "donor", "admin"]
_ROLES: tuple[Role, ...] = ("admin", "officer", "donor", "resident")  # strongest first
DonorType = Literal["individual", "unit"]


class Caller(BaseModel):
    sub: str | None = None
    role: Role | None = None
    region: str | None = None  # short division code of an officer's or admin's unit
    name: str | None = None
    donor_type: DonorType = "individual"  # custom:donor_type (donors and units apart)

    @property
    def anonymous(self) -> bool:
        return self.sub is None

    def is_officer_for(self, region_code: str) -> bool:
        """An officer whose region contains the wish's village, or an admin."""
        if self.role == "admin":
            return True
        return self.role == "officer" and self.region is not None and regions.contains(self.region, region_code)


ANONYMOUS = Caller()


def _groups(value: Any) -> list[str]:
    # API Gateway hands a list claim over as the string "[officer donor]".
    if isinstance(value, list):
        return [str(item) for item in value]
    text = str(value or "").strip().strip("[]")
    return [part for part in text.replace(",", " ").split() if part]


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    groups = _groups(claims.get("cognito:groups"))
    role = next((candidate for candidate in _ROLES if candidate in groups), None)
    region = claims.get("custom:region")
    try:
        region = regions.normalize(region) if region else None
    except regions.RegionCodeError:
        region = None  # a malformed region claim grants no region
    is_unit = str(claims.get("custom:donor_type", "")).strip().lower() == "unit"
    donor_type: DonorType = "unit" if is_unit else "individual"
    return Caller(sub=claims.get("sub"), role=role, region=region, name=claims.get("name"), donor_type=donor_type)


# A JWKS fetch must give up well inside the function's timeout (10 s): a slow issuer then
# answers 401 for this request instead of timing the whole invocation out.
JWKS_TIMEOUT_S = 2.0
LEEWAY_S = 30  # clock skew tolerated on exp/nbf/iat


@cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    # PyJWT is imported lazily: only public routes need it.
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, timeout=JWKS_TIMEOUT_S)


def _audiences(claims: dict[str, Any]) -> set[str]:
    audience = claims.get("aud")
    if isinstance(audience, str):
        return {audience}
    if isinstance(audience, list):
        return {str(item) for item in audience}
    return set()


def check_claims(claims: dict[str, Any], audience: str, token_uses: set[str]) -> None:
    """What the signature check leaves: the audience (or, for access tokens, the client id) and
    token_use. Raises Unauthorized naming what is wrong."""
    token_use = claims.get("token_use")
    if token_use is not None and token_use not in token_uses:
        raise Unauthorized(f"a token of use '{token_use}' is not accepted here")
    if "aud" in claims:
        if audience not in _audiences(claims):
            raise Unauthorized("the bearer token is for another audience")
    elif token_use == "access" and claims.get("client_id") is not None:
        # Cognito access tokens carry the app client in client_id and have no aud.
        if claims.get("client_id") != audience:
            raise Unauthorized("the bearer token is for another client")
    else:
        raise Unauthorized("the bearer token names no audience")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Unauthorized("the bearer token names no subject")


def verify_token(token: str) -> dict[str, Any]:
    """Claims of a valid bearer token: RS256 signature by a key of the issuer's JWKS; exp, iss and
    sub required; iss the configured issuer; aud (or client_id) the configured audience; token_use,
    when present, one of the configured uses."""
    import jwt

    settings = get_settings()
    if not settings.jwt_issuer or not settings.jwt_audience:
        raise Unauthorized("this deployment verifies no bearer tokens (no issuer or audience configured)")
    try:
        key = _jwks_client(settings.jwks_url).get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=settings.jwt_issuer,
            leeway=LEEWAY_S,
            options={"require": ["exp", "iss", "sub"], "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise Unauthorized("the bearer token is not valid") from error
    check_claims(claims, settings.jwt_audience, settings.token_uses)
    return claims


def caller_from_event(event: dict[str, Any]) -> Caller:
    """The caller of an HTTP API v2 event: authorizer claims, else a verified bearer token, else anonymous."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims")
    if claims:
        return caller_from_claims(claims)
    header = (event.get("headers") or {}).get("authorization", "")
    if not header:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("expected 'Authorization: Bearer <token>'")
    return caller_from_claims(verify_token(token.strip()))


def require_role(caller: Caller, *roles: Role) -> None:
    if caller.anonymous:
        raise Unauthorized("sign in first")
    if caller.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(roles)}")
