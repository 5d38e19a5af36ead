"""`make run` keeps its data: a state folder outlives a SIGKILL of the runtime (infra/local/journal.py).

One story, four starts on one folder: the first loads the demo data and takes a wish through its
life (and a photo into the bucket); the runtime is killed with SIGKILL; the second start finds every
wish, claim, state and photo, loads no demo data over them and sends no notification again for the
history it replayed; a third start (after a clean stop) finds the same from the compacted journal;
a start with MICROWISH_FRESH=1 finds nothing.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.e2e.conftest import REPO, RuntimeProcess, _stop_checked, start_runtime
from tests.e2e.test_wish_life import WISH

pytestmark = pytest.mark.e2e


def tokens(runtime: RuntimeProcess) -> dict[str, str]:
    """The people of the story (the local issuer's key is new at every start: tokens are minted again)."""
    return {
        "resident": runtime.token("resident", "state-resident", name="王家村妇联主席"),
        "officer": runtime.token("officer", "state-officer", region="431222"),
        "donor": runtime.token("donor", "state-donor", name="爱心人士"),
    }


def every_wish(runtime: RuntimeProcess, region: str = "4312") -> list[str]:
    ids, cursor = [], None
    while True:
        page = runtime.get("/wishes", params={"region": region, "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        ids += [item["id"] for item in page.json()["items"]]
        cursor = page.json().get("next_cursor")
        if not cursor:
            return ids


def snapshot(runtime: RuntimeProcess, wish_ids: list[str]) -> dict[str, object]:
    people = tokens(runtime)
    seen: dict[str, object] = {}
    for wish_id in wish_ids:
        view = runtime.get(f"/wishes/{wish_id}", token=people["officer"])
        assert view.status_code == 200, view.text
        events = runtime.get(f"/wishes/{wish_id}/events", token=people["officer"]).json()["items"]
        seen[wish_id] = (view.json()["status"], [(e["action"], e.get("at")) for e in events])
    seen["claims"] = runtime.get("/me/claims", token=people["donor"]).json()["items"]
    seen["inbox"] = sorted(n["id"] for n in runtime.get("/me/notifications", token=people["resident"]).json()["items"])
    seen["listed"] = sorted(every_wish(runtime))
    return seen


def settled_outbox(runtime: RuntimeProcess, quiet_s: float = 4.0, timeout_s: float = 60.0) -> list[dict]:
    """The outbox once nothing has been added to it for `quiet_s` (the pipeline has delivered)."""
    deadline = time.monotonic() + timeout_s
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        items = runtime.get("/dev/outbox").json()["items"]
        if items != last:
            last, since = items, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return items
        time.sleep(0.5)
    raise AssertionError("the outbox did not settle")


def wait_for_inbox(runtime: RuntimeProcess, token: str, count: int, timeout_s: float = 60.0) -> None:
    """Until the person's inbox holds `count` notices (the notifier writes them after the change commits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if len(runtime.get("/me/notifications", token=token).json()["items"]) >= count:
            return
        time.sleep(0.5)
    raise AssertionError(f"the inbox did not reach {count} notices")


def test_a_killed_runtime_restarts_with_every_wish_and_fresh_starts_empty(tmp_path):
    state = tmp_path / "state"
    env = {"MICROWISH_STATE_DIR": str(state)}
    first = start_runtime(REPO / "template.yaml", seed=True, env=env)
    try:
        assert f"state:    {state}" in first.log() and "kept across restarts" in first.log()
        demo = sorted(every_wish(first))
        assert demo, "the demo data was loaded on the first start"
        people = tokens(first)
        created = first.post("/wishes", json=WISH, token=people["resident"])
        assert created.status_code == 201, created.text
        claimed_id = created.json()["id"]
        assert (
            first.post(
                f"/wishes/{claimed_id}/review", json={"decision": "approve", "mode": "sole"}, token=people["officer"]
            ).status_code
            == 200
        )
        claim = first.post(f"/wishes/{claimed_id}/claims", json={}, token=people["donor"])
        assert claim.status_code == 201, claim.text
        ticket = first.post(
            "/uploads",
            json={"wish_id": claimed_id, "content_type": "image/jpeg", "size_bytes": 11},
            token=people["donor"],
        ).json()
        uploaded = requests.put(ticket["upload_url"], data=b"jpeg-bytes!", headers=ticket["headers"], timeout=30)
        assert uploaded.status_code == 200, uploaded.text
        waiting = first.post("/wishes", json={**WISH, "title": "一副拐杖"}, token=people["resident"])
        assert waiting.status_code == 201, waiting.text
        ours = [claimed_id, waiting.json()["id"]]
        outbox = settled_outbox(first)
        before = snapshot(first, ours)
        assert before[claimed_id][0] == "claimed" and before[ours[1]][0] == "submitted"
        assert [c["wish_id"] for c in before["claims"]] == [claimed_id]
    finally:
        first.process.kill()  # SIGKILL: no clean-up, no flush at exit
        first.process.wait()
        first.log_file.close()
        first.log_path.unlink(missing_ok=True)

    second = start_runtime(REPO / "template.yaml", seed=True, env=env)
    try:
        log = second.log()
        assert "write calls replayed" in log, log[-3000:]
        assert "the demo data is not loaded again" in log and "demo data loaded" not in log
        after = snapshot(second, ours)
        assert after == before  # every wish, its state and trail, the claim, the inbox, the list
        assert sorted(set(after["listed"]) - set(ours)) == demo  # the demo data once, not twice
        assert settled_outbox(second) == outbox  # nothing sent again for the replayed history
        # the photo uploaded before the kill is in the bucket: the delivery may name it
        people = tokens(second)
        delivery = {"note": "送到了", "photo_keys": [ticket["key"]]}
        delivered = second.post(f"/wishes/{claimed_id}/delivery", json=delivery, token=people["donor"])
        assert delivered.status_code == 200 and delivered.json()["status"] == "delivered", delivered.text
        wait_for_inbox(second, people["resident"], len(after["inbox"]) + 1)  # the delivery's notice, sent async
        delivered_state = snapshot(second, ours)
    finally:
        _stop_checked(second)  # exits 0 on SIGTERM

    # The second start compacted the journal (a PutItem per item); a third start reads it back whole.
    third = start_runtime(REPO / "template.yaml", seed=True, env=env)
    try:
        assert snapshot(third, ours) == delivered_state
    finally:
        _stop_checked(third)  # exits 0 on SIGTERM

    fresh = start_runtime(REPO / "template.yaml", seed=False, env={**env, "MICROWISH_FRESH": "1"})
    try:
        assert every_wish(fresh) == []
        assert fresh.get(f"/wishes/{claimed_id}", token=tokens(fresh)["officer"]).status_code == 404
        assert fresh.get("/dev/outbox").json()["items"] == []
    finally:
        _stop_checked(fresh)  # exits 0 on SIGTERM
