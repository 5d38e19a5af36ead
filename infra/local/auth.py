"""The local token issuer (POST /dev/tokens, the JWKS) and the HTTP API's JWT authorizer.

A fresh RSA key pair per runtime start: tokens from an earlier run are not valid.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ROLES = ("resident", "officer", "donor", "admin")
TOKEN_LIFETIME_S = 24 * 3600


class TokenError(Exception):
    """Why a token is refused (missing, malformed, bad signature, wrong iss/aud, expired)."""


class InputError(ValueError):
    """A bad /dev/tokens request: `field` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class LocalIssuer:
    def __init__(self, issuer: str, audience: str) -> None:
        self.issuer = issuer
        self.audience = audience
        self.kid = uuid.uuid4().hex[:16]
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._public = self._key.public_key()

    # --- issuing --------------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self._public, as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}/.well-known/jwks.json",
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "response_types_supported": ["id_token"],
        }

    def mint(self, request: Mapping[str, Any]) -> str:
        """A signed id token for {"role", "sub", "region"?, "name"?}; InputError when invalid."""
        if not isinstance(request, Mapping):
            raise InputError("body", "expected a JSON object")
        role = request.get("role")
        if role not in ROLES:
            raise InputError("role", f"role must be one of {', '.join(ROLES)}")
        sub = request.get("sub")
        if not isinstance(sub, str) or not sub.strip():
            raise InputError("sub", "sub is required (a non-empty string)")
        claims: dict[str, Any] = {"sub": sub, "cognito:groups": [role]}
        for field, claim in (("region", "custom:region"), ("name", "name")):
            value = request.get(field)
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise InputError(field, f"{field} must be a non-empty string")
            claims[claim] = value
        now = int(time.time())  # real time: the platform clock's offset does not expire tokens
        claims.update(
            {
                "iss": self.issuer,
                "aud": self.audience,
                "iat": now,
                "exp": now + TOKEN_LIFETIME_S,
                "token_use": "id",
                "jti": uuid.uuid4().hex,
            }
        )
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    # --- the authorizer ---------------------------------------------------------------------

    def verify(self, token: str, *, issuer: str, audience: tuple[str, ...]) -> dict[str, Any]:
        """Claims of a valid token, as API Gateway's JWT authorizer checks it; TokenError if not.

        Signature (RS256, our key), exp/nbf/iat, iss == the authorizer's issuer, and aud (or
        client_id, as API Gateway accepts for access tokens) among the authorizer's audiences.
        """
        try:
            claims = jwt.decode(
                token,
                self._public,
                algorithms=["RS256"],
                issuer=issuer,
                options={"require": ["exp", "iss"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise TokenError(str(error)) from error
        token_audiences = claims.get("aud", claims.get("client_id"))
        if isinstance(token_audiences, str):
            token_audiences = [token_audiences]
        if audience and not set(token_audiences or ()) & set(audience):
            raise TokenError("invalid audience")
        return claims


def bearer_token(header: str | None) -> str | None:
    """The token in an Authorization header ("Bearer <t>", or a bare token as API Gateway allows)."""
    if not header:
        return None
    value = header.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None
