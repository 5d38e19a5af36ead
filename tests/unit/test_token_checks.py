"""In-function token verification of the public routes (issue 14, leak 13): forged, expired, wrong
issuer, wrong audience, missing claims and the wrong token_use are refused; Cognito access tokens
(client_id, no aud) pass only when access tokens are configured; the JWKS fetch has a short timeout."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from microwish import auth
from microwish.errors import Unauthorized
from microwish.settings import get_settings
from tests.support.harness import AUDIENCE, ISSUER

NOW = int(time.time())
GOOD = {
    "sub": "donor-1",
    "cognito:groups": ["donor"],
    "iss": ISSUER,
    "aud": AUDIENCE,
    "exp": NOW + 3600,
    "iat": NOW,
    "token_use": "id",
}


@pytest.fixture
def verifying(signer, monkeypatch):
    """The environment a public route's function runs in: the issuer, audience and JWKS of the signer."""
    monkeypatch.setenv("JWT_ISSUER", ISSUER)
    monkeypatch.setenv("JWT_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("JWKS_URL", signer.jwks_url)
    monkeypatch.delenv("JWT_TOKEN_USE", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def sign(signer, claims, *, drop=(), key=None, kid="test"):
    claims = {name: value for name, value in claims.items() if name not in drop}
    return jwt.encode(claims, key or signer.key, algorithm="RS256", headers={"kid": kid})


def test_a_good_token_passes(signer, verifying):
    assert auth.verify_token(sign(signer, GOOD))["sub"] == "donor-1"
    assert auth.caller_from_event({"headers": {"authorization": f"Bearer {sign(signer, GOOD)}"}}).role == "donor"


@pytest.mark.parametrize(
    ("why", "changes", "drop"),
    [
        ("expired", {"exp": NOW - 3600}, ()),
        ("no exp", {}, ("exp",)),
        ("no iss", {}, ("iss",)),
        ("wrong issuer", {"iss": "https://evil.example"}, ()),
        ("no aud", {}, ("aud",)),
        ("wrong audience", {"aud": "another-client"}, ()),
        ("no sub", {}, ("sub",)),
        ("not yet valid", {"nbf": NOW + 3600}, ()),
        ("an access token where id tokens are configured", {"token_use": "access"}, ()),
        ("an unknown token_use", {"token_use": "refresh"}, ()),
        ("access token for another client", {"token_use": "access", "client_id": "another-client"}, ("aud",)),
    ],
)
def test_bad_tokens_are_refused(signer, verifying, why, changes, drop):
    with pytest.raises(Unauthorized):
        auth.verify_token(sign(signer, {**GOOD, **changes}, drop=drop))


def test_a_forged_signature_is_refused(signer, verifying):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthorized):
        auth.verify_token(sign(signer, GOOD, key=forger))
    with pytest.raises(Unauthorized):  # a kid the issuer never published
        auth.verify_token(sign(signer, GOOD, key=forger, kid="mine"))
    unsigned = jwt.encode(GOOD, None, algorithm="none")
    with pytest.raises(Unauthorized):
        auth.verify_token(unsigned)


def test_a_cognito_access_token_passes_by_client_id_when_configured(signer, verifying, monkeypatch):
    access = sign(signer, {**GOOD, "token_use": "access", "client_id": AUDIENCE}, drop=("aud",))
    with pytest.raises(Unauthorized):  # the default: id tokens only (they carry the region attribute)
        auth.verify_token(access)
    monkeypatch.setenv("JWT_TOKEN_USE", "id,access")
    get_settings.cache_clear()
    assert auth.verify_token(access)["client_id"] == AUDIENCE
    assert auth.verify_token(sign(signer, GOOD))["sub"] == "donor-1"


def test_the_jwks_fetch_gives_up_well_inside_the_functions_timeout(signer):
    function_timeout_s = 10  # Globals.Function.Timeout in template.yaml
    assert auth._jwks_client(signer.jwks_url).timeout <= function_timeout_s / 4
