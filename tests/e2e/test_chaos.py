"""Exactly once, whatever dies when (issue 16 §1): SIGKILL the API's workers during a keyed load.

A runtime of its own (no demo data), then stories run concurrently, each step one logical request
with an Idempotency-Key, sent again (same key, same body, short timeouts, a bounded budget) until it
gets an answer that is not a 5xx nor a 409 "still in progress":

- sole (1+1): review → two donors race to claim it → the holder delivers → the officer confirms;
- pooled (N+1): review (pooled) → N donors pledge in parallel, into a target with room for each pledge twice
  (a second pledge for one key shows as a second claim) → a last donor pledges what remains → the
  officer delivers and confirms.

Meanwhile a killer thread SIGKILLs a worker of the claims, review or fulfilment function a random
moment after a request to that function went out (`GET /dev/runtime` lists each function's worker
pids; the runtime starts a new worker on the next invocation, as Lambda starts a new instance).

Then: every wish's state agrees with its claims and its audit trail (one event per change), every
person's inbox holds exactly the notifications its audit events give, and /stats equals a recount of
the audit trail (test_reports.Trail) — and, strictly, one effect per key and the first answer for
every retry (the holder of a sole claim is never told 409 for their own key). Before the key's record
committed with the change (issue 16 §1), 12 of 65 killed keyed requests broke that (one second pledge,
eleven callers refused their own change).

`make test` runs a short load (CHAOS_REQUESTS=20 logical requests, CHAOS_KILLS=10);
`make chaos` a long one. The figures are printed (pytest -s) and attached to the report.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3
import pytest
import requests

from microwish.notifications.recipients import jobs_for, notification_id
from microwish.settings import Settings
from tests.handlers.test_reports import FIELDS, Trail, plain

pytestmark = pytest.mark.e2e

REQUESTS = int(os.environ.get("CHAOS_REQUESTS", "20"))  # logical requests (about: whole stories)
KILLS = int(os.environ.get("CHAOS_KILLS", "10"))  # SIGKILLs at most
SEED = int(os.environ.get("CHAOS_SEED", "16"))
STORIES_AT_ONCE = int(os.environ.get("CHAOS_CONCURRENCY", "6"))
TARGETS = ("ClaimsFunction", "ReviewWishFunction", "FulfilmentFunction")
ATTEMPT_TIMEOUT_S = 15.0  # one attempt: above the functions' 10 s timeout (the runtime answers 500 then)
RETRY_BUDGET_S = 60.0  # one logical request: a killed first attempt's record stays in progress ~10 s
PLEDGE_FEN = 1_000
POOL_SIZE = 3  # pledges per pooled wish, then one of what remains
POOLED_TARGET_FEN = 2 * POOL_SIZE * PLEDGE_FEN  # room for each of those pledges twice
VILLAGE = "431222250201"
WISH = {
    "title": "混沌心愿",
    "description": "故障注入测试",
    "category": "goods",
    "groups": ["elderly_alone"],
    "region_code": VILLAGE,
    "beneficiary": {"name": "李秀英", "phone": "13800000000", "address": "一组"},
}
SETTLE_S = 60.0  # notifications and figures: the streams and the queue catch up


# --------------------------------------------------------------------------- keyed requests
@dataclass
class Keyed:
    """One logical request: every attempt, and the answer it finally got."""

    key: str
    function: str
    step: str  # review, claim, delivery, confirmation
    wish_id: str
    caller: str
    attempts: int = 0
    crashed: int = 0  # attempts answered 5xx or cut off
    in_progress: int = 0  # attempts answered 409 "still in progress"
    status: int | None = None  # the final answer's status; None: gave up
    body: dict = field(default_factory=dict)

    @property
    def killed(self) -> bool:
        return self.crashed > 0


class InFlight:
    """Which functions have a request on the wire now: the killer aims at them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count: Counter[str] = Counter()

    def enter(self, function: str) -> None:
        with self._lock:
            self._count[function] += 1

    def leave(self, function: str) -> None:
        with self._lock:
            self._count[function] -= 1

    def busy(self) -> list[str]:
        with self._lock:
            return [function for function, n in self._count.items() if n > 0]


class Load:
    def __init__(self, runtime, rng: random.Random) -> None:
        self.runtime = runtime
        self.rng = rng
        self.inflight = InFlight()
        self.keyed: list[Keyed] = []
        self.lock = threading.Lock()
        self.tokens: dict[str, str] = {}

    def token(self, role: str, sub: str, **kwargs) -> str:
        if sub not in self.tokens:
            self.tokens[sub] = self.runtime.token(role, sub, **kwargs)
        return self.tokens[sub]

    def send(self, function: str, step: str, wish_id: str, path: str, caller: str, body: dict) -> Keyed:
        """POST with an Idempotency-Key until an answer that is not a crash nor 'in progress'."""
        with self.lock:
            record = Keyed(f"chaos-{len(self.keyed)}-{self.rng.getrandbits(32):08x}", function, step, wish_id, caller)
            self.keyed.append(record)
        headers = {"Authorization": f"Bearer {self.tokens[caller]}", "Idempotency-Key": record.key}
        deadline = time.monotonic() + RETRY_BUDGET_S
        while True:
            record.attempts += 1
            self.inflight.enter(function)
            try:
                reply = self.runtime.http.post(
                    self.runtime.url + path, json=body, headers=headers, timeout=ATTEMPT_TIMEOUT_S
                )
            except requests.RequestException:
                reply = None
            finally:
                self.inflight.leave(function)
            if reply is None or reply.status_code >= 500:
                record.crashed += 1
            elif reply.status_code == 409 and "in progress" in reply.text:
                record.in_progress += 1
            else:
                record.status = reply.status_code
                record.body = reply.json() if reply.content else {}
                return record
            if time.monotonic() > deadline:
                return record  # gave up: status None
            time.sleep(min(2.0, 0.2 * record.attempts) * (0.5 + self.rng.random()))

    def view(self, wish_id: str) -> dict:
        reply = self.runtime.get(f"/wishes/{wish_id}", token=self.tokens["chaos-officer"])
        assert reply.status_code == 200, reply.text
        return reply.json()


class Killer(threading.Thread):
    """SIGKILLs a worker of a function a random moment after a request to it went out."""

    def __init__(self, runtime, load: Load, budget: int, rng: random.Random) -> None:
        super().__init__(name="chaos-killer", daemon=True)
        self.runtime, self.load, self.budget, self.rng = runtime, load, budget, rng
        self.done = threading.Event()
        self.kills: Counter[str] = Counter()

    def run(self) -> None:
        while sum(self.kills.values()) < self.budget and not self.done.is_set():
            # the kills spread over the three functions: aim at the least killed one with a request out
            fewest = min(self.kills[function] for function in TARGETS)
            busy = [
                function
                for function in self.load.inflight.busy()
                if function in TARGETS and self.kills[function] <= fewest + 1
            ]
            if not busy:
                self.done.wait(0.01)
                continue
            function = min(busy, key=lambda f: (self.kills[f], self.rng.random()))
            self.done.wait(self.rng.uniform(0.0, 0.2))  # somewhere in the request: before, during, after its write
            workers = self.runtime.get("/dev/runtime").json()["functions"][function]
            pids = workers["busy_pids"] or []
            if not pids:
                continue  # it answered meanwhile
            try:
                os.kill(self.rng.choice(pids), signal.SIGKILL)
            except ProcessLookupError:
                continue
            self.kills[function] += 1
            self.done.wait(self.rng.uniform(0.1, 0.8))


# --------------------------------------------------------------------------- stories
def sole_story(load: Load, n: int, wish_id: str) -> None:
    officer = "chaos-officer"
    load.send(
        "ReviewWishFunction",
        "review",
        wish_id,
        f"/wishes/{wish_id}/review",
        officer,
        {"decision": "approve", "mode": "sole"},
    )
    if load.view(wish_id)["status"] != "open":
        return
    donors = [f"chaos-sole-{n}-{side}" for side in ("a", "b")]
    for donor in donors:
        load.token("donor", donor)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(
            pool.map(
                lambda donor: load.send("ClaimsFunction", "claim", wish_id, f"/wishes/{wish_id}/claims", donor, {}),
                donors,
            )
        )
    view = load.view(wish_id)
    holders = [claim["donor_id"] for claim in view["claims"] if claim["status"] == "active"]
    if view["status"] != "claimed" or not holders:
        return
    load.send("FulfilmentFunction", "delivery", wish_id, f"/wishes/{wish_id}/delivery", holders[0], {"note": "已送到"})
    if load.view(wish_id)["status"] != "delivered":
        return
    load.send(
        "FulfilmentFunction", "confirmation", wish_id, f"/wishes/{wish_id}/confirmation", officer, {"accepted": True}
    )


def pooled_story(load: Load, n: int, wish_id: str) -> None:
    officer = "chaos-officer"
    load.send(
        "ReviewWishFunction",
        "review",
        wish_id,
        f"/wishes/{wish_id}/review",
        officer,
        {"decision": "approve", "mode": "pooled", "target_fen": POOLED_TARGET_FEN},
    )
    if load.view(wish_id)["status"] != "open":
        return
    donors = [f"chaos-pool-{n}-{k}" for k in range(POOL_SIZE)]
    for donor in donors:
        load.token("donor", donor)
    with ThreadPoolExecutor(max_workers=POOL_SIZE) as pool:
        list(
            pool.map(
                lambda donor: load.send(
                    "ClaimsFunction", "claim", wish_id, f"/wishes/{wish_id}/claims", donor, {"amount_fen": PLEDGE_FEN}
                ),
                donors,
            )
        )
    # The target leaves room for every pledge twice (a second pledge for one key shows as a second claim);
    # a last donor pledges what remains, which claims the wish.
    view = load.view(wish_id)
    remaining = view["target_fen"] - view["pledged_fen"]
    if view["status"] == "open" and remaining > 0:
        closer = f"chaos-pool-{n}-last"
        load.token("donor", closer)
        load.send("ClaimsFunction", "claim", wish_id, f"/wishes/{wish_id}/claims", closer, {"amount_fen": remaining})
    if load.view(wish_id)["status"] != "claimed":
        return
    load.send("FulfilmentFunction", "delivery", wish_id, f"/wishes/{wish_id}/delivery", officer, {"note": "已送到"})
    if load.view(wish_id)["status"] != "delivered":
        return
    load.send(
        "FulfilmentFunction", "confirmation", wish_id, f"/wishes/{wish_id}/confirmation", officer, {"accepted": True}
    )


SOLE_REQUESTS, POOLED_REQUESTS = 5, 4 + POOL_SIZE


@dataclass
class Run:
    load: Load
    killer: Killer
    wishes: dict[str, str]  # wish id → "sole" | "pooled"
    seconds: float
    outputs: dict


# --------------------------------------------------------------------------- the run (once per module)
@pytest.fixture(scope="module")
def chaos_runtime():
    from tests.e2e.conftest import REPO, _stop_checked, start_runtime

    runtime = start_runtime(REPO / "template.yaml", seed=False)
    yield runtime
    _stop_checked(runtime)


@pytest.fixture(scope="module")
def chaos(chaos_runtime) -> Run:
    rng = random.Random(SEED)
    load = Load(chaos_runtime, rng)
    load.token("officer", "chaos-officer", region="431222")
    load.token("resident", "chaos-resident", name="村妇联")
    kinds: list[str] = []
    while sum(SOLE_REQUESTS if kind == "sole" else POOLED_REQUESTS for kind in kinds) < REQUESTS:
        kinds.append("sole" if len(kinds) % 2 == 0 else "pooled")
    wishes: dict[str, str] = {}
    for kind in kinds:  # submitted before the chaos: the submit function is not a target
        body = {**WISH, **({"target_fen": POOLED_TARGET_FEN} if kind == "pooled" else {})}
        reply = chaos_runtime.post("/wishes", json=body, token=load.tokens["chaos-resident"])
        assert reply.status_code == 201, reply.text
        wishes[reply.json()["id"]] = kind
    killer = Killer(chaos_runtime, load, KILLS, random.Random(SEED + 1))
    began = time.monotonic()
    killer.start()
    try:
        with ThreadPoolExecutor(max_workers=STORIES_AT_ONCE) as pool:
            futures = [
                pool.submit(sole_story if kind == "sole" else pooled_story, load, n, wish_id)
                for n, (wish_id, kind) in enumerate(wishes.items())
            ]
            for future in futures:
                future.result()
    finally:
        killer.done.set()
        killer.join(timeout=10)
    run = Run(load, killer, wishes, time.monotonic() - began, chaos_runtime.describe()["outputs"])
    print(
        f"\nchaos: {len(load.keyed)} keyed requests ({sum(r.attempts for r in load.keyed)} attempts) over "
        f"{len(wishes)} wishes in {run.seconds:.1f} s; {sum(killer.kills.values())} SIGKILLs {dict(killer.kills)}"
    )
    return run


# --------------------------------------------------------------------------- reading the outcome
def scan(run: Run, table: str) -> list[dict]:
    client = boto3.client(
        "dynamodb",
        endpoint_url=run.load.runtime.describe()["moto_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    items, start = [], None
    while True:  # test-only inspection
        page = client.scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
        items.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def audit_events(run: Run) -> list[dict]:
    items = [item for item in scan(run, run.outputs["WishTableName"]) if item.get("type", {}).get("S") == "audit"]
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def effects(run: Run, views: dict[str, dict], trails: dict[str, list[dict]], record: Keyed) -> int:
    """How many times a keyed request's change was made: claims by its donor, or audit events of its step."""
    if record.step == "claim":
        return sum(1 for claim in views[record.wish_id]["claims"] if claim["donor_id"] == record.caller)
    action = {"review": "approved", "delivery": "delivered", "confirmation": "fulfilled"}[record.step]
    return sum(1 for event in trails[record.wish_id] if event["action"] == action)


def outcome(run: Run) -> dict:
    views = {wish_id: run.load.view(wish_id) for wish_id in run.wishes}
    trails: dict[str, list[dict]] = defaultdict(list)
    for item in audit_events(run):
        event = plain(item)
        trails[event["wish_id"]].append(event)
    second, refused, unanswered, phantom = [], [], [], []
    for record in run.load.keyed:
        made = effects(run, views, trails, record)
        if record.status is None:
            unanswered.append(record)
        if made > 1:
            second.append(record)
        if made and record.status is not None and record.status >= 300:
            refused.append(record)  # its change was made, the answer says it was not (e.g. 409 "claimed")
        if not made and record.status is not None and record.status < 300:
            phantom.append(record)
    killed = [record for record in run.load.keyed if record.killed]
    figures = {
        "keyed": len(run.load.keyed),
        "killed_keyed": len(killed),
        "kills": sum(run.killer.kills.values()),
        "second_effect": len(second),
        "second_effect_of_killed": len([r for r in second if r.killed]),
        "refused_own_change": len(refused),
        "holder_told_409": len([r for r in refused if r.step == "claim" and r.status == 409]),
        "answered_without_change": len(phantom),
        "gave_up": len(unanswered),
    }
    return {
        "views": views,
        "trails": trails,
        "second": second,
        "refused": refused,
        "phantom": phantom,
        "unanswered": unanswered,
        "figures": figures,
    }


@pytest.fixture(scope="module")
def result(chaos) -> dict:
    found = outcome(chaos)
    print(f"chaos figures: {found['figures']}")
    for record in found["second"] + found["refused"]:
        print(
            f"  {record.step} {record.key} by {record.caller} on {record.wish_id}: final {record.status} "
            f"after {record.attempts} attempts ({record.crashed} crashed, {record.in_progress} in progress)"
        )
    return found


def settle(check, timeout: float = SETTLE_S):
    """A check that holds once the streams and the queue have caught up (the last failure otherwise)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


# --------------------------------------------------------------------------- the checks
def test_a_killed_worker_is_replaced_on_the_next_invocation(chaos_runtime):
    token = chaos_runtime.token("donor", "chaos-probe")
    assert chaos_runtime.post("/claims", json={}, token=token).status_code == 422  # warms a claims worker
    before = chaos_runtime.describe()["functions"]["ClaimsFunction"]["pids"]
    assert before
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    after = chaos_runtime.post("/claims", json={}, token=token)
    assert after.status_code == 422, after.text  # a new worker answered; nothing was half done
    now = chaos_runtime.describe()["functions"]["ClaimsFunction"]["pids"]
    assert now and not set(now) & set(before)


def test_every_keyed_request_gets_an_answer_and_the_killer_hit(chaos, result):
    assert sum(chaos.killer.kills.values()) > 0
    assert result["figures"]["killed_keyed"] > 0, "no kill landed in a request: the test proved nothing"
    assert not result["unanswered"], [(r.step, r.key, r.attempts) for r in result["unanswered"]]
    assert all(record.status < 500 for record in chaos.load.keyed)


def test_no_half_written_state(chaos, result):
    """A wish's state agrees with its claims, and its audit trail has one event per change."""
    for wish_id, kind in chaos.wishes.items():
        view, trail = result["views"][wish_id], result["trails"][wish_id]
        actions = [event["action"] for event in trail]
        held = [
            claim for claim in view["claims"] if claim["status"] not in ("withdrawn", "lapsed", "declined", "cancelled")
        ]
        claim_ids = {claim["id"] for claim in view["claims"]}
        assert view["status"] == "fulfilled", (wish_id, view["status"], actions)
        assert actions[:2] == ["submitted", "approved"] and actions[-2:] == ["delivered", "fulfilled"], actions
        # every change of status went from where the previous one left the wish: nothing written twice or half
        # (pledges change amounts, checked against the claims below; the one completing a target is the
        # wish's one "claimed" event, with its amount: one event per change, issue 16 §4)
        changes = [event for event in trail if event["action"] != "pledged"]
        for before, after in itertools.pairwise(changes):
            if after.get("from_status") and before.get("to_status"):
                assert after["from_status"] == before["to_status"], (wish_id, actions)
        if kind == "sole":
            assert len(held) == 1 and actions.count("claimed") == 1, (wish_id, view["claims"], actions)
            assert {e.get("claim_id") for e in trail if e["action"] == "claimed"} <= claim_ids
        else:
            assert sum(claim["amount_fen"] for claim in held) == view["pledged_fen"] == POOLED_TARGET_FEN
            pledges = [event["claim_id"] for event in trail if event["action"] in ("pledged", "claimed")]
            assert sorted(pledges) == sorted(claim["id"] for claim in held), (wish_id, actions)
            assert actions.count("claimed") == 1, actions


def test_notifications_and_figures_are_complete(chaos):
    """Every audit event's notifications reached each person's inbox once; /stats equals a recount."""
    settings = Settings()
    people = {sub: token for sub, token in chaos.load.tokens.items() if sub != "chaos-officer"}

    def inboxes_complete() -> None:
        expected: dict[str, set[str]] = defaultdict(set)
        for item in audit_events(chaos):
            event = plain(item)
            for job in jobs_for(event, settings):
                if job.recipient.kind == "person" and job.recipient.id in people:
                    expected[job.recipient.id].add(notification_id(job.at, job.event_key, job.recipient.inbox_owner))
        for sub, token in people.items():
            got: list[str] = []
            cursor = None
            while True:
                reply = chaos.load.runtime.get(
                    "/me/notifications", token=token, params={"limit": 100, **({"cursor": cursor} if cursor else {})}
                )
                assert reply.status_code == 200, reply.text
                got += [item["id"] for item in reply.json()["items"]]
                cursor = reply.json().get("next_cursor")
                if not cursor:
                    break
            assert len(got) == len(set(got)) and set(got) == expected[sub], (sub, len(got), len(expected[sub]))

    def figures_recounted() -> None:
        trail = Trail(audit_events(chaos))
        reply = chaos.load.runtime.get("/stats", params={"region": "4312"})
        assert reply.status_code == 200, reply.text
        assert {k: reply.json()[k] for k in FIELDS} == trail.figures("4312")

    settle(inboxes_complete)
    settle(figures_recounted)


def test_one_effect_per_key_and_the_first_answer_for_every_retry(result):
    figures = result["figures"]
    assert figures["second_effect"] == 0, figures
    assert figures["refused_own_change"] == 0, figures  # e.g. the holder of a sole claim told 409 "claimed"
    assert figures["answered_without_change"] == 0, figures
