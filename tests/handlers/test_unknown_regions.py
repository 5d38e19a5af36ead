"""A well-formed division code that names no region is a 422, not an empty 200 (issue 16, §4)."""

from __future__ import annotations

import pytest

from tests.support.people import OFFICER


def _get(api, address, **kwargs):
    path, _, query = address.partition("?")
    return api.get(path, query=dict(pair.split("=", 1) for pair in query.split("&")) if query else None, **kwargs)


@pytest.mark.parametrize(
    "address",
    [
        "/wishes?region=99",  # no such province
        "/wishes?region=4399",  # no such city
        "/regions?parent=99",
        "/stats?region=99",
        "/donors/leaderboard?region=99",
        "/campaigns?region=99",
    ],
)
def test_an_unknown_region_is_refused_naming_the_field(api, address):
    reply = _get(api, address)
    assert reply.status == 422, reply.text
    assert reply.headers["Content-Type"] == "application/problem+json"
    fields = [error["field"] for error in reply.json["errors"]]
    assert any(field in ("region", "parent") for field in fields), fields


def test_an_officer_ledger_for_an_unknown_region_is_refused(api):
    reply = _get(api, "/exports/wishes.csv?region=4399", as_=OFFICER)
    assert reply.status == 422, reply.text


@pytest.mark.parametrize(
    "address", ["/wishes?region=43", "/wishes?region=431200", "/regions?parent=431222250", "/stats?region=431222250"]
)
def test_known_regions_still_answer(api, address):
    assert _get(api, address).status == 200
