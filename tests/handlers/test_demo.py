"""The demo data loads through the domain's use cases, into every state, without a 500 or a gap."""

from __future__ import annotations

from infra.demo import CAMPAIGN_WISHES, WISHES, seed
from tests.support.harness import environment
from tests.support.people import CITY_OFFICER


def test_the_demo_loads_wishes_in_every_state(api, stack):
    with environment(stack.functions["ClaimsFunction"].env):
        summary = seed(stack.outputs)
    assert summary.startswith(f"{len(WISHES) + len(CAMPAIGN_WISHES) + 1} demo wishes")
    seen = {}
    for status in ("submitted", "open", "assigned", "claimed", "fulfilled"):
        reply = api.get("/wishes", query={"status": status, "limit": 100}, as_=CITY_OFFICER)
        assert reply.status == 200, reply.text
        seen[status] = len(reply.json["items"])
    # the article's wishes, and the 六一 campaign's (infra/demo: CAMPAIGN_WISHES)
    assert seen == {"submitted": 2, "open": 6, "assigned": 1, "claimed": 3, "fulfilled": 5}
    fulfilled = api.get("/wishes", query={"status": "fulfilled"}).json["items"][0]
    assert fulfilled["beneficiary_alias"] == "谢女士" and "谢桂云" not in str(fulfilled)


def test_the_demo_shows_units_an_activity_and_a_yard_wish_with_volunteers(api, stack):
    """Issue 12: a county officer sees which branches are below quota, picks a unit from the registry, and a
    volunteer association's yard wish has its volunteers checked in."""
    from infra.demo import UNITS
    from tests.support.people import OFFICER

    with environment(stack.functions["ClaimsFunction"].env):
        seed(stack.outputs)
    registry = api.get("/units", as_=CITY_OFFICER, query={"limit": 100}).json["items"]
    assert {u["name"] for u in registry} >= {name for name, *_ in UNITS}
    compliance = api.get("/compliance", as_=OFFICER).json
    status = {e["name"]: e["status"] for e in compliance["items"]}
    assert (
        status["沅陵县妇联"] == "met" and status["王家村党支部"] == "below" and status["沅陵县志愿者协会"] == "no_quota"
    )
    yard = next(
        w
        for w in api.get("/wishes", query={"status": "claimed", "limit": 100}).json["items"]
        if w["category"] == "yard"
    )
    needs = api.get(f"/wishes/{yard['id']}/volunteering").json
    assert (needs["places"], needs["signed_up"]) == (4, 3)
    checked = [
        s for s in api.get(f"/wishes/{yard['id']}/volunteers", as_=OFFICER).json["items"] if s["status"] == "checked_in"
    ]
    assert len(checked) == 2


def test_the_demo_yard_work_day_is_chinas_date(api, stack, shift):
    """At 04:00 in China the UTC date is still yesterday: the yard wish's work day is China's date."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    to_evening = (now.replace(hour=20, minute=0, second=0, microsecond=0) - now) % timedelta(days=1)
    shift(to_evening / timedelta(days=1))  # 20:00 UTC: 04:00 of the next day in China
    with environment(stack.functions["ClaimsFunction"].env):
        seed(stack.outputs)
    claimed = api.get("/wishes", query={"status": "claimed", "limit": 100}).json["items"]
    yard = next(w for w in claimed if w["category"] == "yard")
    china_today = (now + to_evening + timedelta(hours=8)).date().isoformat()
    assert api.get(f"/wishes/{yard['id']}/volunteering").json["day"] == china_today
