"""A wish's whole life over HTTP, against the local runtime, as a front end drives it.

Also the load proofs: many concurrent pledges and sole claims on single wishes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.e2e

WISH = {
    "title": "一台电视机",
    "description": "罹患癌症在家休养，想看看外面的世界",
    "category": "goods",
    "groups": ["women_in_hardship"],
    "region_code": "431222250201",
    "target_fen": 150_000,
    "beneficiary": {"name": "谢桂云", "phone": "13800000000", "address": "王家村3组"},
}
SECRETS = ("谢桂云", "13800000000", "王家村3组")


@pytest.fixture(scope="module")
def people(runtime):
    return {
        "resident": runtime.token("resident", "e2e-resident", name="王家村妇联主席"),
        "officer": runtime.token("officer", "e2e-officer", region="431222"),
        "donor": runtime.token("donor", "e2e-donor", name="怀化市公共资源交易中心"),
    }


def open_wish(runtime, people, **changes):
    created = runtime.post("/wishes", json={**WISH, **changes}, token=people["resident"])
    assert created.status_code == 201, created.text
    wish_id = created.json()["id"]
    mode = "pooled" if changes.get("target_fen") and changes.get("title", "").startswith("pooled") else "sole"
    reviewed = runtime.post(
        f"/wishes/{wish_id}/review", json={"decision": "approve", "mode": mode}, token=people["officer"]
    )
    assert reviewed.status_code == 200, reviewed.text
    return wish_id


def actions(runtime, people, wish_id):
    reply = runtime.get(f"/wishes/{wish_id}/events", token=people["officer"])
    assert reply.status_code == 200, reply.text
    return [event["action"] for event in reply.json()["items"]]


def test_submit_review_claim_deliver_confirm(runtime, people):
    wish_id = open_wish(runtime, people)
    listed = runtime.get("/wishes", params={"region": "431222"})
    assert wish_id in [item["id"] for item in listed.json()["items"]]
    public = runtime.get(f"/wishes/{wish_id}", token=people["donor"])
    for reply in (listed, public):
        assert not any(secret in reply.text for secret in SECRETS)
    claimed = runtime.post(f"/wishes/{wish_id}/claims", json={}, token=people["donor"])
    assert claimed.status_code == 201, claimed.text
    ticket = runtime.post(
        "/uploads", json={"wish_id": wish_id, "content_type": "image/jpeg", "size_bytes": 11}, token=people["donor"]
    ).json()
    uploaded = requests.put(ticket["upload_url"], data=b"jpeg-bytes!", headers=ticket["headers"], timeout=30)
    assert uploaded.status_code == 200, uploaded.text
    delivered = runtime.post(
        f"/wishes/{wish_id}/delivery",
        json={"note": "电视机已送到", "photo_keys": [ticket["key"]]},
        token=people["donor"],
    )
    assert delivered.json()["status"] == "delivered"
    confirmed = runtime.post(
        f"/wishes/{wish_id}/confirmation", json={"accepted": True, "feedback": "谢谢"}, token=people["officer"]
    )
    assert confirmed.json()["status"] == "fulfilled"
    assert actions(runtime, people, wish_id) == ["submitted", "approved", "claimed", "delivered", "fulfilled"]


def test_dispatch_and_batch_and_pledges(runtime, people):
    dispatched = open_wish(runtime, people, title="派单心愿")
    runtime.post(f"/wishes/{dispatched}/assignment", json={"donor_id": "e2e-donor"}, token=people["officer"])
    accepted = runtime.post(f"/wishes/{dispatched}/assignment/accept", token=people["donor"])
    assert accepted.json()["status"] == "claimed"
    batch = [open_wish(runtime, people, title=f"1+N 心愿{n}") for n in range(3)]
    many = runtime.post(
        "/claims", json={"wish_ids": batch, "all_or_nothing": True}, token=runtime.token("donor", "e2e-batch-donor")
    )
    assert many.status_code == 200 and many.json()["claimed"] == 3
    pooled = open_wish(runtime, people, title="pooled 学费", target_fen=1_000)
    pledge = runtime.post(f"/wishes/{pooled}/claims", json={"amount_fen": 1_000}, token=people["donor"])
    assert pledge.status_code == 201 and runtime.get(f"/wishes/{pooled}").json()["status"] == "claimed"


def test_a_lapsed_claim_releases_its_wish_by_itself(runtime, people):
    wish_id = open_wish(runtime, people, title="超期心愿")
    runtime.post(f"/wishes/{wish_id}/claims", json={}, token=runtime.token("donor", "e2e-slow-donor"))
    try:
        assert runtime.post("/dev/clock", json={"advance": "P15D"}).status_code == 200
        runs = runtime.post("/dev/schedules/run").json()["runs"]
        assert any(run["ok"] and (run["result"] or {}).get("lapsed") for run in runs), runs
    finally:
        runtime.post("/dev/clock", json={"reset": True})
    assert runtime.get(f"/wishes/{wish_id}").json()["status"] == "open"
    assert actions(runtime, people, wish_id)[-1] == "lapsed"


def _fire(calls):
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_concurrent_pledges_never_pass_the_target(runtime, people):
    donors = [runtime.token("donor", f"e2e-pledger-{n}") for n in range(60)]
    wish_id = open_wish(runtime, people, title="pooled 并发", target_fen=60_000)
    replies = _fire(
        [
            lambda token=token: runtime.post(f"/wishes/{wish_id}/claims", json={"amount_fen": 2_000}, token=token)
            for token in donors
        ]
    )
    statuses = [reply.status_code for reply in replies]
    assert 500 not in statuses and set(statuses) <= {201, 409}, statuses
    view = runtime.get(f"/wishes/{wish_id}", token=people["officer"]).json()
    pledges = [claim for claim in view["claims"] if claim["status"] == "active"]
    assert statuses.count(201) == len(pledges)
    assert sum(claim["amount_fen"] for claim in pledges) == view["pledged_fen"] == 60_000
    assert view["status"] == "claimed"


def test_concurrent_sole_claims_have_one_winner(runtime, people):
    donors = [runtime.token("donor", f"e2e-claimer-{n}") for n in range(30)]
    wish_id = open_wish(runtime, people, title="抢认领")
    replies = _fire(
        [lambda token=token: runtime.post(f"/wishes/{wish_id}/claims", json={}, token=token) for token in donors]
    )
    statuses = [reply.status_code for reply in replies]
    assert statuses.count(201) == 1 and statuses.count(409) == 29, statuses
    view = runtime.get(f"/wishes/{wish_id}", token=people["officer"]).json()
    assert len(view["claims"]) == 1 and view["status"] == "claimed"
