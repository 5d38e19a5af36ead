"""A giving day's burst against the local runtime (issue 15, goal 8): 2,000 pledges from 500 donors over 50
pooled (N+1) wishes, and 10 sole (1+1) wishes each raced by 5 donors, sent by a bounded pool of threads
over loopback, each with its own Idempotency-Key.

Then: every pooled wish's pledged total equals the sum of the pledges it accepted and never passes its
target (a full wish is claimed; a refused pledge is a 409 that changes nothing), every sole wish has one
winner, nothing waits in any dead-letter queue, and /stats (city and county) equals a recount of the audit
trail. The run's time and rate are printed (pytest -s): BURST_PLEDGES, BURST_DONORS, BURST_WISHES and
BURST_CONCURRENCY change the load.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from tests.e2e.test_chaos import settle
from tests.handlers.test_reports import FIELDS, Trail, plain

pytestmark = pytest.mark.e2e

PLEDGES = int(os.environ.get("BURST_PLEDGES", "2000"))
DONORS = int(os.environ.get("BURST_DONORS", "500"))
POOLED = int(os.environ.get("BURST_WISHES", "50"))
CONCURRENCY = int(os.environ.get("BURST_CONCURRENCY", "16"))
SOLE, RIVALS = 10, 5
TARGET_FEN = 18_000  # about 36 pledges of the mean amount: demand passes capacity, so the guards are tried
AMOUNTS = (200, 500, 800)
VILLAGE = "431222250201"
WISH = {
    "title": "爱心日心愿",
    "description": "一次集中认领",
    "category": "goods",
    "groups": ["elderly_alone"],
    "region_code": VILLAGE,
    "beneficiary": {"name": "李秀英", "phone": "13800000000", "address": "一组"},
}


@pytest.fixture(scope="module")
def burst_runtime():
    from tests.e2e.conftest import REPO, _stop_checked, start_runtime

    # BURST_MOTO_TIMES=<file>: moto's time per kind of call, for a profile of the run (infra/local/motoserver.py)
    times = os.environ.get("BURST_MOTO_TIMES")
    runtime = start_runtime(REPO / "template.yaml", seed=False, env={"MICROWISH_MOTO_TIMES": times} if times else None)
    yield runtime
    _stop_checked(runtime)


def client(runtime, service: str):
    return boto3.client(
        service,
        endpoint_url=runtime.describe()["moto_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def audit_items(runtime) -> list[dict]:
    dynamodb, table = client(runtime, "dynamodb"), runtime.describe()["outputs"]["WishTableName"]
    items, start = [], None
    while True:  # test-only inspection
        page = dynamodb.scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
        items += [item for item in page["Items"] if item.get("type", {}).get("S") == "audit"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def cpu_seconds(root: int) -> float:
    """CPU time used so far by a process and its live descendants (Linux /proc): what the run costs the
    machine whatever else shares it (the wall time on a busy 2-core machine says little)."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(used.get(pid, 0.0) for pid in tree)


@pytest.fixture(scope="module")
def burst(burst_runtime):
    runtime = burst_runtime
    rng = random.Random(15)
    officer = runtime.token("officer", "burst-officer", region="431222")
    resident = runtime.token("resident", "burst-resident", name="村妇联")

    def open_wish(mode: str) -> str:
        body = {**WISH, **({"target_fen": TARGET_FEN} if mode == "pooled" else {})}
        created = runtime.post("/wishes", json=body, token=resident)
        assert created.status_code == 201, created.text
        wish_id = created.json()["id"]
        reviewed = runtime.post(f"/wishes/{wish_id}/review", json={"decision": "approve", "mode": mode}, token=officer)
        assert reviewed.status_code == 200, reviewed.text
        return wish_id

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        pooled = list(pool.map(open_wish, ["pooled"] * POOLED))
        sole = list(pool.map(open_wish, ["sole"] * SOLE))
        donors = list(pool.map(lambda n: runtime.token("donor", f"burst-donor-{n}"), range(DONORS)))

    pledges = [(donors[n % DONORS], rng.choice(pooled), rng.choice(AMOUNTS)) for n in range(PLEDGES)]
    races = [(donors[rng.randrange(DONORS)], wish_id, None) for wish_id in sole for _ in range(RIVALS)]
    requests = pledges + races
    rng.shuffle(requests)

    def send(request: tuple[str, str, int | None]) -> tuple[str, int | None, int, dict]:
        token, wish_id, amount = request
        body = {"amount_fen": amount} if amount else {}
        reply = runtime.post(
            f"/wishes/{wish_id}/claims", json=body, token=token, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        return wish_id, amount, reply.status_code, reply.json()

    began, cpu_before = time.monotonic(), cpu_seconds(runtime.process.pid)
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        answers = list(pool.map(send, requests))
    seconds, cpu = time.monotonic() - began, cpu_seconds(runtime.process.pid) - cpu_before
    statuses = Counter(status for _, _, status, _ in answers)
    print(
        f"\nburst: {len(pledges)} pledges from {DONORS} donors over {POOLED} pooled wishes and {len(races)} claims "
        f"racing for {SOLE} sole wishes, {CONCURRENCY} at a time: {seconds:.1f} s "
        f"({len(requests) / seconds:.0f} requests/s), the runtime's processes used {cpu:.0f} CPU-s "
        f"({cpu / len(requests) * 1000:.0f} ms a request); answers {dict(statuses)}"
    )
    return {"runtime": runtime, "officer": officer, "pooled": pooled, "sole": sole, "answers": answers}


def test_every_request_is_answered_without_a_server_error(burst):
    statuses = Counter(status for _, _, status, _ in burst["answers"])
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] > len(burst["answers"]) // 2, statuses


def test_no_pooled_wish_passes_its_target_and_each_sole_wish_has_one_winner(burst):
    runtime, officer = burst["runtime"], burst["officer"]
    accepted: dict[str, list[int | None]] = defaultdict(list)
    for wish_id, amount, status, body in burst["answers"]:
        if status == 201:
            accepted[wish_id].append(amount)
        else:
            assert body.get("state") in ("open", "claimed"), body  # says why, in the wish's terms
    full = 0
    for wish_id in burst["pooled"]:
        view = runtime.get(f"/wishes/{wish_id}", token=officer).json()
        held = [claim["amount_fen"] for claim in view["claims"] if claim["status"] == "active"]
        assert view["pledged_fen"] <= view["target_fen"] == TARGET_FEN, view
        assert sorted(held) == sorted(accepted[wish_id]) and sum(held) == view["pledged_fen"], wish_id
        assert (view["status"] == "claimed") == (view["pledged_fen"] == TARGET_FEN), view
        full += view["status"] == "claimed"
    assert full > 0  # demand passed capacity somewhere: the last pledge's guard was tried
    for wish_id in burst["sole"]:
        view = runtime.get(f"/wishes/{wish_id}", token=officer).json()
        assert view["status"] == "claimed" and len(view["claims"]) == 1 and len(accepted[wish_id]) == 1, view


def test_nothing_is_dead_lettered(burst):
    runtime = burst["runtime"]
    sqs = client(runtime, "sqs")
    queues = {name: url for name, url in runtime.describe()["outputs"].items() if name.endswith("DeadLetterQueueUrl")}
    assert len(queues) >= 4, queues

    def empty() -> None:
        for name, url in queues.items():
            attributes = sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            )["Attributes"]
            assert attributes == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}, (
                name,
                attributes,
            )

    empty()
    time.sleep(2)  # and none arrives while the streams finish
    empty()


def test_the_figures_equal_a_recount_of_the_audit_trail(burst):
    runtime = burst["runtime"]

    def recounted() -> None:
        trail = Trail(audit_items(runtime))
        for region in ("4312", "431222"):
            reply = runtime.get("/stats", params={"region": region})
            assert reply.status_code == 200, reply.text
            assert {k: reply.json()[k] for k in FIELDS} == trail.figures(region), region
        claimed = sum(1 for events in trail.by_wish.values() if events[-1].get("to_status") == "claimed")
        assert claimed == runtime.get("/stats", params={"region": "4312"}).json()["claimed"]

    settle(recounted)
    events = Counter(plain(item)["action"] for item in audit_items(runtime))
    accepted = sum(1 for _, _, status, _ in burst["answers"] if status == 201)
    assert events["pledged"] + events["claimed"] == accepted, events  # one event per change
