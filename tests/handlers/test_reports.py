"""Reports, recognition and the ledger: every figure equals a recount from the audit trail.

A scripted run of ~200 wishes through every path (submit, review, claim, pledge, matching, withdraw,
assign/accept/decline, deliver, confirm, cancel, escalation, the lease sweep on a shifted clock);
then every audit item is handed to the stats consumer as stream records — out of order, every record
twice, and a batch replayed — and /stats and the leaderboard are compared with figures counted here,
independently, from the audit items themselves.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import random
import statistics
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from infra.local.events import scheduled_event
from microwish.registry import get_registry
from tests.support.harness import person
from tests.support.people import (
    ADMIN,
    CITY_OFFICER,
    DONOR,
    FOREIGN_OFFICER,
    OFFICER,
    PRIVATE,
    RESIDENT,
    TOWNSHIP_OFFICER,
    all_items,
    open_wish,
    submit,
)
from tests.support.stats_feed import audit_items, counting_items, feed, records_of

CST = timezone(timedelta(hours=8))
VILLAGES = [
    "431222250201",
    "431222250202",
    "431222250203",
    "431221110201",
    "431221110202",
    "431223100201",
    "431224100201",
    "431228100201",
    "431281203201",
    "431281203202",
    "431202101201",
]
CATEGORIES = ["goods", "skill", "yard", "study", "care"]
GROUPS = [
    "women_in_hardship",
    "disabled_women",
    "left_behind_women",
    "children_in_hardship",
    "left_behind_children",
    "de_facto_orphans",
    "elderly_alone",
    "disabled",
]
INDIVIDUALS = [person("donor", f"person-{n}", name=f"爱心人士{n}") for n in range(16)]
UNITS = [{**person("donor", f"unit-{n}", name=f"巾帼文明岗{n}"), "custom:donor_type": "unit"} for n in range(8)]
SPONSOR = person("donor", "sponsor-1", name="怀化市女企业家协会")
RESIDENTS = [person("resident", f"resident-{n}") for n in range(1, 4)]
FATES = [
    "submitted",
    "rejected",
    "cancel_submitted",
    "open",
    "escalated",
    "claimed",
    "withdrawn",
    "lapse",
    "assigned",
    "accepted",
    "declined",
    "delivered",
    "delivery_rejected",
    "fulfilled",
    "fulfilled",
    "fulfilled",
    "cancel_claimed",
    "pooled",
    "pooled_withdraw",
    "pooled_fulfilled",
    "pooled_fulfilled",
    "pooled_cancelled",
]


def ok(reply, *statuses):
    assert reply.status in (statuses or (200, 201, 204)), reply.text
    return reply.json


# ---------------------------------------------------------------- the scripted run
# "A few hundred wishes": 200 run in about 2.5 minutes on an idle 2-core machine (moto slows down
# as the table grows: every GSI query walks the whole table). MICROWISH_REPORT_WISHES changes it.
WISHES = int(os.environ.get("MICROWISH_REPORT_WISHES", "200"))


def run_script(api, shift, n_wishes=WISHES, seed=6):
    rng = random.Random(seed)
    campaign = ok(
        api.post(
            "/campaigns",
            {
                "name": "六一 留守儿童专场",
                "description": "爱心妈妈圆梦留守儿童",
                "region_code": "4312",
                "starts_at": _iso(-1),
                "ends_at": _iso(400),
                "groups": ["left_behind_children", "children_in_hardship"],
                "categories": ["study", "goods"],
                "matching": {"sponsor_id": SPONSOR["sub"], "sponsor_name": SPONSOR["name"], "cap_fen": 150_000},
            },
            as_=ADMIN,
        )
    )
    ok(api.post(f"/campaigns/{campaign['id']}/matching/acceptance", as_=SPONSOR))  # binds the sponsor
    waves = [0, 16, 36, 71]  # crosses month boundaries
    per_wave = n_wishes // len(waves)
    for start in waves:
        shift(start)
        batch = []
        for _ in range(per_wave):
            fate = rng.choice(FATES)
            category, groups = rng.choice(CATEGORIES), rng.sample(GROUPS, rng.randint(1, 2))
            fits = category in ("study", "goods") and {"left_behind_children", "children_in_hardship"} & set(groups)
            join = rng.choice(["submission", "review", None]) if fits else None
            pooled = fate.startswith("pooled")
            target = rng.choice([None, 20_000, 50_000, 80_000]) if not pooled else rng.choice([30_000, 60_000])
            body = {"category": category, "groups": groups, "region_code": rng.choice(VILLAGES), "target_fen": target}
            if join == "submission":
                body["campaign_id"] = campaign["id"]
            wish = submit(api, as_=rng.choice(RESIDENTS), **body)
            batch.append((wish, fate, join, pooled))
        shift(start + 1)
        for wish, fate, join, pooled in batch:
            _review(api, wish, fate, join, pooled, campaign)
        shift(start + 2.5)
        for wish, fate, _, _ in batch:
            _act(api, rng, wish, fate)
        shift(start + 5)
        for wish, fate, _, _ in batch:
            _finish(api, rng, wish, fate)
        shift(start + 9)
        api.invoke("LeaseSweepFunction", scheduled_event())  # lapses claims and assignments left too long
        shift(start + 15)
        api.invoke("LeaseSweepFunction", scheduled_event())  # reminds donors two days before their deadline
    shift(waves[-1] + 20)
    api.invoke("LeaseSweepFunction", scheduled_event())
    if "EscalationSweepFunction" in api.stack.functions:
        api.invoke("EscalationSweepFunction", scheduled_event())
    return campaign


def _iso(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _review(api, wish, fate, join, pooled, campaign):
    if fate == "submitted":
        return
    if fate == "cancel_submitted":
        ok(
            api.post(
                f"/wishes/{wish['id']}/cancellation",
                {"reason": "已自行解决"},
                as_=OFFICER if wish["region_code"].startswith("431222") else CITY_OFFICER,
            )
        )
        return
    if fate == "rejected":
        ok(api.post(f"/wishes/{wish['id']}/review", {"decision": "reject", "reason": "不符合条件"}, as_=CITY_OFFICER))
        return
    decision = {"decision": "approve"}
    if pooled:
        decision["mode"] = "pooled"
    if join == "review":
        decision["campaign_id"] = campaign["id"]
    ok(api.post(f"/wishes/{wish['id']}/review", decision, as_=CITY_OFFICER))
    wish["mode"] = "pooled" if pooled else "sole"


def _act(api, rng, wish, fate):
    wid = wish["id"]
    if fate == "escalated":
        ok(api.post(f"/wishes/{wid}/escalation", {"reason": "村级无力落实"}, as_=CITY_OFFICER))
    elif fate in ("claimed", "withdrawn", "lapse", "delivered", "delivery_rejected", "fulfilled", "cancel_claimed"):
        donor = rng.choice(INDIVIDUALS + UNITS)
        reply = api.post(f"/wishes/{wid}/claims", {}, as_=donor)
        if reply.status == 409:  # the donor holds as many claims as allowed: the wish stays open
            wish["fate"] = "open"
            return
        wish["claim"], wish["donor"] = ok(reply), donor
    elif fate in ("assigned", "accepted", "declined"):
        unit = rng.choice(UNITS)
        ok(api.post(f"/wishes/{wid}/assignment", {"donor_id": unit["sub"], "note": "请认领"}, as_=CITY_OFFICER))
        wish["donor"] = unit
    elif fate.startswith("pooled"):
        target = wish["target_fen"]
        wish["pledges"] = []
        for donor, share in ((rng.choice(INDIVIDUALS), target // 6), (rng.choice(UNITS), target // 6)):
            reply = api.post(f"/wishes/{wid}/claims", {"amount_fen": share}, as_=donor)
            if reply.status == 201:
                wish["pledges"].append((donor, reply.json))


def _finish(api, rng, wish, fate):
    wid = wish["id"]
    fate = wish.get("fate", fate)
    officer = CITY_OFFICER
    if fate == "withdrawn":
        ok(api.delete(f"/claims/{wish['claim']['id']}", as_=wish["donor"]))
    elif fate == "accepted":
        if api.post(f"/wishes/{wid}/assignment/accept", as_=wish["donor"]).status == 409:
            return  # the unit holds as many claims as allowed: the offer lapses
        ok(api.post(f"/wishes/{wid}/delivery", {"note": "已送达"}, as_=wish["donor"]))
        ok(api.post(f"/wishes/{wid}/confirmation", {"accepted": True, "feedback": "谢谢"}, as_=officer))
    elif fate == "declined":
        ok(api.post(f"/wishes/{wid}/assignment/decline", {"reason": "人手不足"}, as_=wish["donor"]))
    elif fate in ("delivered", "delivery_rejected", "fulfilled"):
        ok(api.post(f"/wishes/{wid}/delivery", {"note": "已送达"}, as_=wish["donor"]))
        if fate == "delivery_rejected":
            ok(api.post(f"/wishes/{wid}/confirmation", {"accepted": False, "note": "东西不对"}, as_=officer))
        elif fate == "fulfilled":
            ok(api.post(f"/wishes/{wid}/confirmation", {"accepted": True}, as_=officer))
    elif fate == "cancel_claimed":
        ok(api.post(f"/wishes/{wid}/cancellation", {"reason": "家人已购买"}, as_=officer))
    elif fate == "pooled_withdraw" and wish.get("pledges"):
        donor, claim = wish["pledges"][0]
        ok(api.delete(f"/claims/{claim['id']}", as_=donor))
    elif fate == "pooled_fulfilled":
        view = api.get(f"/wishes/{wid}").json
        rest = view["target_fen"] - view["pledged_fen"]
        if view["status"] == "open" and rest > 0:
            ok(api.post(f"/wishes/{wid}/claims", {"amount_fen": rest}, as_=rng.choice(INDIVIDUALS)))
        ok(api.post(f"/wishes/{wid}/delivery", {"note": "款物已送达"}, as_=officer))
        ok(api.post(f"/wishes/{wid}/confirmation", {"accepted": True}, as_=officer))
    elif fate == "pooled_cancelled":
        ok(api.post(f"/wishes/{wid}/cancellation", {"reason": "情况变化"}, as_=officer))


# ---------------------------------------------------------------- the recount (independent of the consumer)
def plain(item):
    from microwish.repository import from_dynamo

    return from_dynamo(item)


def local_day(at: str) -> date:
    return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(CST).date()


class Trail:
    def __init__(self, items):
        self.events = [plain(item) for item in items]
        self.by_wish = defaultdict(list)
        for event in self.events:
            self.by_wish[event["wish_id"]].append(event)
        for events in self.by_wish.values():
            events.sort(key=lambda e: e["SK"])
        # a wish belongs to the campaign its latest snapshot names (joined at submission or review)
        self.campaign = {wid: events[-1]["wish"].get("campaign_id") for wid, events in self.by_wish.items()}
        self.region = {wid: events[0]["wish"]["region_code"] for wid, events in self.by_wish.items()}

    def figures(self, region, campaign=None, start=None, end=None):
        def inside(wid):
            return self.region[wid].startswith(region) and (campaign is None or self.campaign[wid] == campaign)

        def in_period(event):
            day = local_day(event["at"])
            return (start is None or day >= start) and (end is None or day <= end)

        counts = defaultdict(int)
        tags = defaultdict(lambda: {"submitted": 0, "approved": 0, "fulfilled": 0, "value_fen": 0})
        donors, durations = set(), []
        for wid, events in self.by_wish.items():
            if not inside(wid):
                continue
            status = None
            approved_at = None
            for event in events:
                if event["action"] == "approved":
                    approved_at = event["at"]
                if (end is None or local_day(event["at"]) <= end) and event.get("to_status"):
                    status = event["to_status"]
                if not in_period(event):
                    continue
                snapshot = event["wish"]
                keys = [f"c:{snapshot['category']}"] + [f"g:{g}" for g in snapshot["groups"]]
                action = event["action"]
                if action in ("submitted", "approved", "fulfilled", "rejected", "cancelled"):
                    counts[action] += 1
                if action in ("submitted", "approved", "fulfilled"):
                    for key in keys:
                        tags[key][action] += 1
                if action == "fulfilled":
                    counts["value_fen"] += event["amount_fen"]
                    for key in keys:
                        tags[key]["value_fen"] += event["amount_fen"]
                    donors.update(event.get("donor_ids") or [])
                    durations.append(
                        (
                            datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
                            - datetime.fromisoformat(approved_at.replace("Z", "+00:00"))
                        ).days
                    )
            if status:
                counts[f"now:{status}"] += 1
        approved, fulfilled = counts["approved"], counts["fulfilled"]
        return {
            "submitted": counts["submitted"],
            "approved": approved,
            "fulfilled": fulfilled,
            "rejected": counts["rejected"],
            "cancelled": counts["cancelled"],
            "value_fen": counts["value_fen"],
            "in_review": counts["now:submitted"],
            "open": counts["now:open"],
            "assigned": counts["now:assigned"],
            "claimed": counts["now:claimed"],
            "delivered": counts["now:delivered"],
            "donors": len(donors),
            "fulfilment_rate": round(min(1.0, fulfilled / approved), 4) if approved else 0.0,
            "median_days_to_fulfil": float(statistics.median(durations)) if durations else None,
            "by_category": {code: tags[f"c:{code}"] for code in CATEGORIES},
            "by_group": {code: tags[f"g:{code}"] for code in GROUPS},
        }

    def leaderboard(self, region, start=None, end=None):
        units = {u["sub"] for u in UNITS} | {SPONSOR["sub"]}
        board = {}
        for wid, events in self.by_wish.items():
            if not self.region[wid].startswith(region):
                continue
            pledges, withdrawn = {}, set()
            for event in events:
                if event["action"] in ("pledged", "claimed") and event.get("amount_fen"):  # a pledge, or the last
                    pledges[event["claim_id"]] = (event["donor_id"], event["amount_fen"])
                if event["action"] == "withdrawn":
                    withdrawn.add(event["claim_id"])
                if event["action"] != "fulfilled":
                    continue
                month = local_day(event["at"]).isoformat()[:7]
                if (start and month < start.isoformat()[:7]) or (end and month > end.isoformat()[:7]):
                    continue
                shares = defaultdict(int)
                if event["wish"]["mode"] == "pooled":
                    for claim_id, (donor, amount) in pledges.items():
                        if claim_id not in withdrawn:
                            shares[donor] += amount
                else:
                    for donor in event["donor_ids"]:
                        shares[donor] += event["amount_fen"]
                for donor, value in shares.items():
                    entry = board.setdefault(donor, {"fulfilled": 0, "value_fen": 0})
                    entry["fulfilled"] += 1
                    entry["value_fen"] += value
        split = {"individuals": {}, "units": {}}
        for donor, entry in board.items():
            split["units" if donor in units else "individuals"][donor] = entry
        return split


FIELDS = [
    "submitted",
    "approved",
    "fulfilled",
    "rejected",
    "cancelled",
    "value_fen",
    "in_review",
    "open",
    "assigned",
    "claimed",
    "delivered",
    "donors",
    "fulfilment_rate",
    "median_days_to_fulfil",
    "by_category",
    "by_group",
]


def assert_stats(api, trail, region, campaign=None, start=None, end=None):
    query = {"region": region}
    if campaign:
        query["campaign"] = campaign
    if start:
        query["from"] = start.isoformat()
    if end:
        query["to"] = end.isoformat()
    reply = api.get("/stats", query=query)
    assert reply.status == 200, reply.text
    expected = trail.figures(region, campaign, start, end)
    assert {k: reply.json[k] for k in FIELDS} == expected, (region, campaign, start, end)
    for child in reply.json["by_region"]:
        mine = {k: child[k] for k in FIELDS if k not in ("by_category", "by_group")}
        theirs = trail.figures(child["code"], campaign, start, end)
        assert mine == {k: theirs[k] for k in mine}, child["code"]
    assert_trend(reply.json["by_month"], trail, region, campaign, start, end)
    return reply.json


MONTH_FIELDS = ("submitted", "approved", "fulfilled", "rejected", "cancelled", "value_fen")


def assert_trend(months, trail, region, campaign, start, end):
    """by_month: each month (cut to the period) recounted from the trail, no gaps, summing to the period."""
    expected = trail.figures(region, campaign, start, end)
    assert {k: sum(m[k] for m in months) for k in MONTH_FIELDS} == {k: expected[k] for k in MONTH_FIELDS}
    assert [m["month"] for m in months] == sorted(m["month"] for m in months)
    for month in months:
        first = date.fromisoformat(month["month"] + "-01")
        last = date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)
        theirs = trail.figures(region, campaign, max(first, start or first), min(last, end or last))
        assert {k: month[k] for k in MONTH_FIELDS} == {k: theirs[k] for k in MONTH_FIELDS}, month["month"]
    for earlier, later in itertools.pairwise(months):
        step = date.fromisoformat(earlier["month"] + "-01") + timedelta(days=31)
        assert later["month"] == step.isoformat()[:7], (earlier["month"], later["month"])  # no gaps


def assert_leaderboard(api, trail, region, start=None, end=None):
    query = {"region": region, "limit": 100}
    if start:
        query["from"] = start.isoformat()
    if end:
        query["to"] = end.isoformat()
    reply = api.get("/donors/leaderboard", query=query)
    assert reply.status == 200, reply.text
    expected = trail.leaderboard(region, start, end)
    # Entries name donors by an opaque ref (issue 14): the donors' records say whose ref is whose.
    owner = {
        item["donor_ref"]["S"]: item["PK"]["S"].removeprefix("DONOR#")
        for item in all_items(api.stack.outputs["WishTableName"])
        if item["SK"]["S"] == "RECORD" and "donor_ref" in item
    }
    for kind in ("individuals", "units"):
        assert not {e["donor_ref"] for e in reply.json[kind]} & set(owner.values())  # never a login id
        got = {owner[e["donor_ref"]]: {"fulfilled": e["wishes"], "value_fen": e["value_fen"]} for e in reply.json[kind]}
        assert got == expected[kind], (kind, region, start, end)
        ranks = [(-e["wishes"], -e["value_fen"]) for e in reply.json[kind]]
        assert ranks == sorted(ranks)
    return reply.json


@pytest.mark.slow  # the longest test of the suite (about a minute); `make test` runs it, `-m "not slow"` skips it
def test_every_figure_equals_a_recount_of_the_audit_trail(api, table, shift):
    began = time.monotonic()
    campaign = run_script(api, shift)
    scripted = time.monotonic() - began
    items = audit_items(table)
    trail = Trail(items)
    actions = {event["action"] for event in trail.events}
    assert {
        "submitted",
        "approved",
        "rejected",
        "claimed",
        "pledged",
        "withdrawn",
        "assigned",
        "accepted",
        "declined",
        "delivered",
        "fulfilled",
        "delivery_rejected",
        "escalated",
        "lapsed",
        "cancelled",
        "reminder",
    } <= actions, actions
    records = records_of(items)
    # out of order, every record twice, and one batch replayed whole; a non-audit record is ignored
    shuffled = records[:]
    random.Random(1).shuffle(shuffled)
    wish_change = {
        "eventName": "MODIFY",
        "dynamodb": {"Keys": {"PK": {"S": "WISH#x"}, "SK": {"S": "WISH"}}, "NewImage": {"type": {"S": "wish"}}},
    }
    feed(api, [*shuffled, wish_change, *records], batch=100)
    feed(api, records[:100])
    stored = [item for item in all_items(table) if item["PK"]["S"].startswith("COUNTED#")]
    assert len(
        {(i["PK"]["S"], i["SK"]["S"]) for i in stored if "#lb" not in i["SK"]["S"] and "#dn" not in i["SK"]["S"]}
    ) == len(counting_items(items))

    city = assert_stats(api, trail, "4312")
    assert city["submitted"] == WISHES // 4 * 4 and city["fulfilled"] > WISHES // 10 and city["by_region"]
    assert_stats(api, trail, "431222")
    assert_stats(api, trail, "431222250")
    assert_stats(api, trail, "43")  # a province's flows are its cities' sum (services/stats.py SUMMED_LEVELS)
    assert_stats(api, trail, "43", campaign=campaign["id"])
    assert_stats(api, trail, "4312", campaign=campaign["id"])
    assert_stats(api, trail, "431222", campaign=campaign["id"])
    days = sorted({local_day(event["at"]) for event in trail.events})
    first, last = days[0], days[-1]
    for start, end in (
        (first + timedelta(days=10), first + timedelta(days=45)),
        (None, first + timedelta(days=20)),
        (first + timedelta(days=30), None),
        (date(first.year, first.month, 1), last),
    ):
        assert_stats(api, trail, "4312", start=start, end=end)
        assert_stats(api, trail, "43", start=start, end=end)
        assert_stats(api, trail, "431222", campaign=campaign["id"], start=start, end=end)
    board = assert_leaderboard(api, trail, "4312")
    assert board["individuals"] and board["units"]
    assert_leaderboard(api, trail, "431222")
    assert_leaderboard(api, trail, "43")  # its months: those its donors gave in (its own items)
    assert_leaderboard(api, trail, "4312", start=first + timedelta(days=40), end=last)
    progress = api.get(f"/campaigns/{campaign['id']}").json["progress"]
    expected = trail.figures("4312", campaign["id"])
    assert progress["wishes"] == expected["submitted"] and progress["fulfilled"] == expected["fulfilled"]
    assert progress["value_fen"] == expected["value_fen"] and progress["donors"] == expected["donors"]
    assert 0 < progress["matched_fen"] <= 150_000
    print(f"\nscripted run {scripted:.1f}s, {len(items)} audit events, total {time.monotonic() - began:.1f}s")


# ---------------------------------------------------------------- params and edges
def test_stats_for_an_unknown_region_are_refused_and_an_unknown_campaign_is_zeros(api):
    # A well-formed code of no region names nothing to count: a 422 on region (issue 16 §4), as on every route.
    for region in ("4399", "431299", "431222999"):
        reply = api.get("/stats", query={"region": region})
        assert reply.status == 422, reply.text
        assert [error["field"] for error in reply.json["errors"]] == ["region"]
    reply = api.get("/stats", query={"campaign": "nope", "from": "2024-01-01"})
    assert reply.status == 200 and reply.json["region"] == "4312" and len(reply.json["by_region"]) == 13
    assert reply.json["submitted"] == 0 and reply.json["donors"] == 0
    assert api.get("/donors/leaderboard", query={"region": "4399"}).status == 422


@pytest.mark.parametrize(
    "query, field",
    [
        ({"region": "43x"}, "region"),
        ({"region": "431222250201"}, "region"),
        ({"from": "2024-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2024-06-02", "to": "2024-06-01"}, "from"),
    ],
)
def test_bad_report_params_are_named(api, query, field):
    for path in ("/stats", "/donors/leaderboard"):
        reply = api.get(path, query=query)
        assert reply.status == 422, reply.text
        assert [error["field"] for error in reply.json["errors"]] == [field]
    assert api.get("/donors/leaderboard", query={"limit": 0}).json["errors"][0]["field"] == "limit"


def test_stats_never_carry_a_beneficiary(api, table):
    wish = open_wish(api)
    api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR)
    feed(api, records_of(audit_items(table)))
    text = api.get("/stats", query={"region": "431222250"}).text + api.get("/donors/leaderboard").text
    assert not any(secret in text for secret in (*PRIVATE, "谢女士", wish["id"], "431222250201"))


# ---------------------------------------------------------------- the ledger (台账)
def rows(reply):
    assert reply.text.startswith("\ufeff"), reply.text[:20]
    return list(csv.reader(io.StringIO(reply.text.lstrip("\ufeff"))))


def test_the_ledger_is_excel_ready_and_holds_no_personal_data(api):
    fulfilled = open_wish(api, groups=["women_in_hardship", "disabled_women"], title='=HYPERLINK("x")')
    api.post(f"/wishes/{fulfilled['id']}/claims", {}, as_=DONOR)
    api.post(f"/wishes/{fulfilled['id']}/delivery", {"note": "已送达"}, as_=DONOR)
    api.post(f"/wishes/{fulfilled['id']}/confirmation", {"accepted": True}, as_=OFFICER)
    submit(api, region_code="431281203201")  # 洪江市: not 沅陵县
    submitted = submit(api)
    reply = api.get("/exports/wishes.csv", query={"region": "431222"}, as_=OFFICER)
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/csv")
    table = rows(reply)
    assert table[0][:4] == ["编号", "心愿", "类别", "重点群体"]
    by_id = {row[0]: row for row in table[1:]}
    assert set(by_id) == {fulfilled["id"], submitted["id"]}
    row = by_id[fulfilled["id"]]
    assert row[1].startswith("'=") and row[2] == "添一物" and row[3] == "困难妇女、残疾妇女"
    assert row[4] == "谢女士" and row[8] == "已圆梦" and row[11] and row[12] == "怀化市公共资源交易中心"
    assert row[13] == "1500.00" and by_id[submitted["id"]][8] == "待审核"
    assert not any(secret in reply.text for secret in PRIVATE)
    city = rows(api.get("/exports/wishes.csv", as_=CITY_OFFICER))
    assert len(city) == 4
    township = rows(api.get("/exports/wishes.csv", query={"region": "431222250"}, as_=TOWNSHIP_OFFICER))
    assert len(township) == 3


def test_the_ledger_is_for_officers_in_region(api):
    assert api.get("/exports/wishes.csv").status == 401
    assert api.get("/exports/wishes.csv", as_=DONOR).status == 403
    assert api.get("/exports/wishes.csv", as_=RESIDENT).status == 403
    assert api.get("/exports/wishes.csv", query={"region": "431222"}, as_=FOREIGN_OFFICER).status == 403
    assert api.get("/exports/wishes.csv", query={"region": "4312"}, as_=OFFICER).status == 403
    assert api.get("/exports/wishes.csv", query={"region": "4312"}, as_=ADMIN).status == 200
    bad = api.get("/exports/wishes.csv", query={"from": "2024-02-30"}, as_=ADMIN)
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "from"
    bad = api.get("/exports/wishes.csv", query={"cursor": "nope"}, as_=ADMIN)
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "cursor"


def test_a_long_ledger_comes_in_parts_with_a_cursor(api, shift):
    made = []
    for day in range(5):
        shift(day)
        made.append(submit(api)["id"])
    seen, cursor, parts = [], None, 0
    while True:
        query = {"region": "431222", "limit": 2, **({"cursor": cursor} if cursor else {})}
        reply = api.get("/exports/wishes.csv", query=query, as_=OFFICER)
        seen += [row[0] for row in rows(reply)[1:]]
        parts += 1
        cursor = reply.headers.get("X-Next-Cursor")
        if not cursor:
            break
    assert seen == made and parts == 3
    today = datetime.now(CST).date()
    period = rows(
        api.get(
            "/exports/wishes.csv",
            query={
                "region": "431222",
                "from": (today + timedelta(days=1)).isoformat(),
                "to": (today + timedelta(days=3)).isoformat(),
            },
            as_=OFFICER,
        )
    )
    assert [row[0] for row in period[1:]] == made[1:4]


def test_region_names_are_known():
    assert get_registry().full_name("431222250") == "怀化市沅陵县马底驿乡"


def test_the_demo_shows_a_report_of_huaihua_by_county(api, stack, table):
    from infra.demo import seed
    from tests.support.harness import environment

    with environment(stack.functions["ClaimsFunction"].env):
        seed(stack.outputs)
    feed(api, records_of(audit_items(table)))
    trail = Trail(audit_items(table))
    report = assert_stats(api, trail, "4312")
    counties = {row["name"]: row for row in report["by_region"]}
    assert report["fulfilled"] == 5 and counties["沅陵县"]["fulfilled"] == 2 and counties["中方县"]["fulfilled"] == 2
    assert report["by_group"]["left_behind_children"]["fulfilled"] == 4
    board = api.get("/donors/leaderboard", query={"region": "4312"}).json
    assert {entry["display_name"] for entry in board["units"]} >= {"县税务局第一税务所", "怀化市女企业家协会"}
