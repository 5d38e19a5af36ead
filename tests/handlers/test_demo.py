"""The demo data loads through the domain's use cases, into every state, without a 500 or a gap."""

from __future__ import annotations

from infra.demo import CAMPAIGN_WISHES, WISHES, seed
from tests.support.harness import environment
from tests.support.people import CITY_OFFICER


def test_the_demo_loads_wishes_in_every_state(api, stack):
    with environment(stack.functions["ClaimsFunction"].env):
        summary = seed(stack.outputs)
    assert summary.startswith(f"{len(WISHES) + len(CAMPAIGN_WISHES)} demo wishes")
    seen = {}
    for status in ("submitted", "open", "assigned", "claimed", "fulfilled"):
        reply = api.get("/wishes", query={"status": status, "limit": 100}, as_=CITY_OFFICER)
        assert reply.status == 200, reply.text
        seen[status] = len(reply.json["items"])
    # the article's wishes, and the 六一 campaign's (infra/demo: CAMPAIGN_WISHES)
    assert seen == {"submitted": 2, "open": 6, "assigned": 1, "claimed": 2, "fulfilled": 5}
    fulfilled = api.get("/wishes", query={"status": "fulfilled"}).json["items"][0]
    assert fulfilled["beneficiary_alias"] == "谢女士" and "谢桂云" not in str(fulfilled)
