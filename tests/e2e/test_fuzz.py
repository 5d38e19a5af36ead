"""The fuzzer (issue 14): schemathesis over every operation of /openapi.json, on the local runtime's
real HTTP path, as an officer (the city of Huaihua) and as a donor.

Each generated request is sent once with each token. It must never get a 5xx, and every answer
must be one the document promises: its status listed in the operation's responses, its content type
(application/problem+json for errors) and its body's schema. Requests name the fuzzer's own wishes and
the demo campaign often enough to get past 404 and into the handlers' logic (on the session's runtime,
which other e2e tests share: the fuzzer acts only on what it made).

Bounded for `make test` (a fixed seed, MICROWISH_FUZZ_EXAMPLES per operation, default 10); `make fuzz`
runs it longer.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.conftest import REPO

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("MICROWISH_FUZZ_EXAMPLES", "10"))
SEED = int(os.environ.get("MICROWISH_FUZZ_SEED", "14"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


FUZZ_VILLAGE = "431281203201"  # 颜容村, 洪江市: away from the villages the other e2e tests list
WISH = {
    "title": "一台电视机",
    "description": "想有一台电视机。",
    "category": "goods",
    "groups": ["women_in_hardship"],
    "region_code": FUZZ_VILLAGE,
    "beneficiary": {"name": "符测试", "phone": "13800000099", "address": "一组"},
    "target_fen": 50_000,
}


@pytest.fixture(scope="module")
def fuzz_context(runtime):
    """Tokens, and wishes of the fuzzer's own (submitted, open, pooled) for the `{id}` of its requests:
    the session's runtime is shared, so the fuzzer changes only what it made."""
    officer = runtime.token("officer", "officer-fuzz", region="4312", name="怀化市妇联")
    donor = runtime.token("donor", "donor-fuzz", name="爱心人士")
    resident = runtime.token("resident", "resident-fuzz")
    wish_ids = []
    for review in (None, {"decision": "approve"}, {"decision": "approve", "mode": "pooled"}, {"decision": "approve"}):
        created = runtime.post("/wishes", json=WISH, token=resident)
        assert created.status_code == 201, created.text
        wish_ids.append(created.json()["id"])
        if review:
            reviewed = runtime.post(f"/wishes/{wish_ids[-1]}/review", json=review, token=officer)
            assert reviewed.status_code == 200, reviewed.text
    campaigns = runtime.get("/campaigns", token=officer).json().get("items", [])
    return {
        "url": runtime.url,
        "tokens": {"officer": officer, "donor": donor},
        "wish_ids": wish_ids,
        "campaign_ids": [item["id"] for item in campaigns],
    }


@pytest.fixture(scope="module")
def fuzz_schema(runtime):
    return schemathesis.openapi.from_url(runtime.url + "/openapi.json")


def _known_ids(case, context) -> None:
    """Two generated ids in three become a real wish's (or campaign's), chosen by the generated one."""
    generated = str(case.path_parameters.get("id", "")) if case.path_parameters else ""
    if not generated:
        return
    pick = zlib.crc32(generated.encode("utf-8", "surrogatepass"))
    known = context["campaign_ids"] if case.operation.path.startswith("/campaigns/") else context["wish_ids"]
    if known and pick % 3:
        case.path_parameters["id"] = known[pick % len(known)]


def _fuzz(operation, context) -> None:
    @seed(SEED)
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, print_blob=True, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def run(case) -> None:
        _known_ids(case, context)
        for role, token in context["tokens"].items():
            try:
                case.call_and_validate(
                    base_url=context["url"], headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, timeout=60
                )
            except AssertionError as failure:  # say which caller met it
                raise AssertionError(f"as the {role}: {failure}") from failure

    run()


def test_no_operation_answers_5xx_or_outside_its_document(fuzz_schema, fuzz_context):
    # One hypothesis run per operation (schemathesis' pytest plugin does the same, but does not
    # support this pytest); every operation is run, then every failure reported.
    failures = []
    for result in fuzz_schema.get_all_operations():
        operation = result.ok()
        try:
            _fuzz(operation, fuzz_context)
        except Exception as failure:  # collected, then reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_the_fuzzer_covers_every_operation(fuzz_schema):
    operations = {(result.ok().method.upper(), result.ok().path) for result in fuzz_schema.get_all_operations()}
    assert len(operations) >= 30 and ("POST", "/wishes") in operations


def test_make_fuzz_runs_it_longer():
    makefile = (Path(REPO) / "Makefile").read_text(encoding="utf-8")
    assert "fuzz:" in makefile and "MICROWISH_FUZZ_EXAMPLES" in makefile
