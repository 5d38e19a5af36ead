"""The authorization matrix (issue 14, "Proofs that stay"): every operation of the generated OpenAPI
document × every kind of caller, each against an object in the state the operation needs.

Each case asserts the status in the table below, and that the answer holds nothing the caller may not
see: for a caller not entitled to a wish (API.md "Private view"; CONTRACT-14 decision 1), no
`beneficiary`, `region_code`, `handling_region_code` or `claims` in a wish view, and none of the
wish's markers anywhere in the body: the beneficiary's name, phone and address, the village's code and
name, and the ids of donors other than the caller. An operation of the document without a row fails
by name (`test_every_documented_operation_has_a_row`, and its cases).

Reading the table: one line per operation and variant; the state is the object the case acts on
(a fresh one per case that changes it); the columns are the callers:
  anon    anonymous (no token)
  own     the resident who submitted the wish       res   another resident
  hold    the donor holding the claim, assignment or pledge (or a campaign's matching sponsor)
  don     another donor
  vil twp cty  officers of the wish's village (王家村), township (马底驿乡), county (沅陵县)
  oth     an officer of another county (洪江市)     city  an officer of the city (怀化市)   adm  an admin
A cell is the expected status; `40x` is 403 or 404, where the contract leaves open which refusal it is.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from microwish.api.openapi import SECURITY_SCHEMES, TITLE, VERSION, full_app
from microwish.notifications.recipients import notification_id
from microwish.repository import to_dynamo
from tests.support import stats_feed
from tests.support.harness import Api, person
from tests.support.people import (
    ADMIN,
    CITY_OFFICER,
    DONOR_2,
    FOREIGN_OFFICER,
    OFFICER,
    OTHER_RESIDENT,
    RESIDENT,
    TOWNSHIP_OFFICER,
    VILLAGE,
    wish_body,
)
from tests.support.shared_stack import shared_stack

VILLAGE_NAME = "王家村"
VILLAGE_OFFICER = person("officer", "officer-wangjia", region=VILLAGE)
CALLERS = ("anon", "own", "res", "hold", "don", "vil", "twp", "cty", "oth", "city", "adm")
CALLER_NAMES = {
    "anon": "anonymous",
    "own": "resident_owner",
    "res": "resident_other",
    "hold": "donor_holder",
    "don": "donor_other",
    "vil": "officer_village",
    "twp": "officer_township",
    "cty": "officer_county",
    "oth": "officer_other_county",
    "city": "officer_city",
    "adm": "admin",
}
# Who may see a wish's private view (decision 1: wishes.may_see_private): officers in region, admins, the submitter.
WISH_ENTITLED = frozenset({"own", "vil", "twp", "cty", "city", "adm"})
PRIVATE_KEYS = ("beneficiary", "region_code", "handling_region_code", "claims")

# ---------------------------------------------------------------------------------------------- the matrix
MATRIX = """
operation                                variant   state          anon own  res  hold don  vil  twp  cty  oth  city adm
POST /wishes                             -         none           401  201  201  403  403  201  201  201  403  201  201
POST /wishes                             unit      unit           401  403  403  201  403  403  403  403  403  403  403
GET /wishes                              -         open           200  200  200  200  200  200  200  200  200  200  200
GET /wishes                              village   open           422  422  422  422  422  200  200  200  422  200  200
GET /wishes                              submitted submitted      403  403  403  403  403  403  403  200  403  200  200
GET /wishes/{id}                         -         open           200  200  200  200  200  200  200  200  200  200  200
GET /wishes/{id}                         -         submitted      404  200  404  404  404  200  200  200  404  200  200
GET /wishes/{id}                         -         claimed_pooled 200  200  200  200  200  200  200  200  200  200  200
GET /wishes/{id}                         collected collected      200  200  200  200  200  200  200  200  200  200  200
GET /wishes/{id}                         collecting collected_submitted 404 404 404 200 404 200 200  200  404  200  200
POST /wishes/{id}/review                 -         submitted      401  403  403  403  403  200  200  200  404  200  200
POST /wishes/{id}/review                 collected collected_submitted 401 403 403 403 403  200  200  200  404  200  200
POST /wishes/{id}/claims                 -         open           401  403  403  201  201  403  403  403  403  403  403
POST /wishes/{id}/claims                 pledge    open_pooled    401  403  403  201  201  403  403  403  403  403  403
POST /claims                             -         open           401  403  403  200  200  403  403  403  403  403  403
DELETE /claims/{claim_id}                -         claimed        401  403  403  204  404  403  403  403  403  403  403
POST /wishes/{id}/assignment             -         open           401  403  403  403  403  200  200  200  404  200  200
POST /wishes/{id}/assignment/accept      -         assigned       401  403  403  200  404  403  403  403  403  403  403
POST /wishes/{id}/assignment/decline     -         assigned       401  403  403  200  404  403  403  403  403  403  403
POST /wishes/{id}/delivery               -         claimed        401  403  403  200  404  200  200  200  404  200  200
POST /wishes/{id}/confirmation           -         delivered      401  403  403  403  403  200  200  200  404  200  200
POST /wishes/{id}/cancellation           -         open           401  200  404  403  403  200  200  200  404  200  200
POST /wishes/{id}/escalation             -         open           401  403  403  403  403  200  200  200  404  200  200
POST /wishes/{id}/erasure                -         open           401  200  40x  40x  40x  200  200  200  40x  200  200
GET /wishes/{id}/access-log              -         open           401  403  403  403  403  403  403  403  403  403  200
GET /wishes/{id}/events                  -         open           401  403  403  403  403  200  200  200  404  200  200
GET /donors/{donor_id}                   -         claimed        401  403  403  403  403  200  200  200  200  200  200
GET /me/wishes                           -         open           401  200  200  200  200  200  200  200  200  200  200
GET /me/claims                           -         claimed        401  403  403  200  200  403  403  403  403  403  403
GET /me/profile                          -         none           401  403  403  200  200  403  403  403  403  403  403
PUT /me/profile                          -         none           401  403  403  200  200  403  403  403  403  403  403
GET /me/notifications                    -         notification   401  200  200  200  200  200  200  200  200  200  200
POST /me/notifications/{id}/read         -         notification   401  200  404  404  404  404  404  404  404  404  404
POST /me/notifications/read              -         notification   401  200  200  200  200  200  200  200  200  200  200
GET /me/preferences                      -         none           401  200  200  200  200  200  200  200  200  200  200
PUT /me/preferences                      -         none           401  200  200  200  200  200  200  200  200  200  200
POST /me/preferences/verification        -         none           401  409  409  409  409  409  409  409  409  409  409
POST /uploads                            -         claimed        401  403  403  201  409  201  201  201  40x  201  201
GET /wishes/{id}/photos                  -         delivered      401  403  403  403  403  200  200  200  404  200  200
GET /units                               -         none           401  403  403  403  403  200  200  200  200  200  200
POST /units                              -         none           401  403  403  403  403  403  403  201  403  201  201
GET /units/{id}                          -         unit           401  200  200  200  200  200  200  200  200  200  200
PATCH /units/{id}                        -         unit           401  403  403  403  403  403  403  200  403  200  200
GET /units/{id}/members                  -         unit           401  403  403  200  403  403  403  200  403  200  200
POST /units/{id}/members                 -         unit           401  403  403  201  403  403  403  201  403  201  201
DELETE /units/{id}/members/{sub}         -         unit           401  403  403  204  403  403  403  204  403  204  204
GET /units/{id}/claims                   -         unit           401  403  403  200  403  403  403  200  403  200  200
GET /me/units                            -         none           401  200  200  200  200  200  200  200  200  200  200
POST /units/{id}/activities              -         unit           401  403  403  201  403  403  403  201  403  201  201
GET /units/{id}/activities               -         unit           401  200  200  200  200  200  200  200  200  200  200
POST /units/{id}/activities/{activity_id}/uploads - activity   401  403  403  201  403  403  403  201  403  201  201
POST /units/{id}/activities/{activity_id}/photos  - activity   401  403  403  422  403  403  403  422  403  422  422
GET /units/{id}/activities/{activity_id}/photos   - activity   401  403  403  200  403  403  403  200  403  200  200
GET /compliance                          -         none           401  403  403  403  403  403  403  200  403  200  200
GET /recognition                         -         none           401  403  403  403  403  403  403  200  403  200  200
GET /recognition.csv                     -         none           401  403  403  403  403  403  403  200  403  200  200
POST /external-funds                     -         none           401  403  403  403  403  403  403  201  403  201  201
PUT /wishes/{id}/volunteering            -         yard           401  403  403  403  403  200  200  200  404  200  200
GET /wishes/{id}/volunteering            -         volunteering   200  200  200  200  200  200  200  200  200  200  200
POST /wishes/{id}/volunteers             -         volunteering   401  201  201  409  201  201  201  201  201  201  201
DELETE /wishes/{id}/volunteers           -         volunteering   401  404  404  204  404  404  404  404  404  404  404
GET /wishes/{id}/volunteers              -         volunteering   401  403  403  403  403  200  200  200  403  200  200
POST /wishes/{id}/volunteers/{volunteer_id}/check-in - volunteering 401 403 403 403 403 200  200  200  403  200  200
GET /me/volunteering                     -         none           401  200  200  200  200  200  200  200  200  200  200
GET /exports/volunteer-hours.csv         -         none           401  403  403  403  403  403  403  200  403  200  200
POST /campaigns                          -         none           401  403  403  403  403  403  403  201  403  201  201
GET /campaigns                           -         campaign       200  200  200  200  200  200  200  200  200  200  200
GET /campaigns/{id}                      -         campaign       200  200  200  200  200  200  200  200  200  200  200
POST /campaigns/{id}/matching/acceptance -         campaign       401  403  403  200  403  403  403  403  403  403  403
GET /stats                               -         fulfilled      200  200  200  200  200  200  200  200  200  200  200
GET /stats                               village   none           422  422  422  422  422  422  422  422  422  422  422
GET /donors/leaderboard                  -         fulfilled      200  200  200  200  200  200  200  200  200  200  200
GET /exports/wishes.csv                  -         open           401  403  403  403  403  403  403  200  403  200  200
GET /access-log                          -         none           401  403  403  403  403  403  403  403  403  403  200
POST /me/chat-bindings                   -         none           401  201  201  201  201  201  201  201  201  201  201
GET /me/chat-bindings                    -         none           401  200  200  200  200  200  200  200  200  200  200
DELETE /me/chat-bindings/{platform}      -         chat_binding   401  404  404  404  404  404  404  404  404  404  404
GET /regions                             -         none           200  200  200  200  200  200  200  200  200  200  200
GET /health                              -         none           200  200  200  200  200  200  200  200  200  200  200
GET /chat/wechat                         -         none           404  404  404  404  404  404  404  404  404  404  404
POST /chat/wechat                        -         none           404  404  404  404  404  404  404  404  404  404  404
GET /chat/wecom                          -         none           404  404  404  404  404  404  404  404  404  404  404
POST /chat/wecom                         -         none           404  404  404  404  404  404  404  404  404  404  404
POST /chat/dingtalk                      -         none           404  404  404  404  404  404  404  404  404  404  404
"""

# Routes of the contract that other branches add (CONTRACT-14): until they land, their rows wait.
PENDING = {
    "POST /wishes/{id}/erasure": "erasure lands with D (PIPL)",
    "GET /wishes/{id}/access-log": "audited reads land with D (PIPL)",
    "GET /access-log": "audited reads land with D (PIPL)",
    "POST /campaigns/{id}/matching/acceptance": "the sponsor's acceptance lands with A (decision 3)",
    "GET /me/profile": "display names land with A (decision 7)",
    "PUT /me/profile": "display names land with A (decision 7)",
    "POST /me/preferences/verification": "verified channels land with C (decision 8)",
}

# What every caller is refused, whoever they are (on top of the wish's markers for the non-entitled).
NEVER: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST /wishes/{id}/erasure", "-"): ("beneficiary",),  # erased: nobody gets them back
    ("GET /exports/wishes.csv", "-"): ("beneficiary",),  # the ledger names the alias only
    ("GET /donors/leaderboard", "-"): ("donors",),  # decision 7: an opaque donor_ref, never the sub
    ("GET /stats", "-"): ("beneficiary", "village", "donors"),  # aggregates only
}
# What anyone may get back because the request itself names it.
SHOWN: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET /donors/{donor_id}", "-"): ("donors",),  # the record of the donor asked for
}


def _campaign_body(thing: Thing) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "name": "矩阵专场",
        "region_code": "431222",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=30)).isoformat(),
    }


# How each line calls its operation: body and query, from the object it acts on.
REQUESTS: dict[tuple[str, str], dict[str, Callable[[Thing], Any]]] = {
    ("POST /wishes", "-"): {
        "body": lambda t: wish_body(beneficiary={"name": "马新提", "phone": "13700000000", "address": "新提交路1号"})
    },
    ("POST /wishes", "unit"): {
        "body": lambda t: wish_body(
            unit_id=t.params["id"], beneficiary={"name": "马征集", "phone": "13700000001", "address": "征集路1号"}
        )
    },
    ("POST /wishes/{id}/review", "collected"): {"body": lambda t: {"decision": "approve"}},
    ("GET /wishes", "village"): {"query": lambda t: {"region": VILLAGE}},
    ("GET /wishes", "submitted"): {"query": lambda t: {"status": "submitted", "region": "431222"}},
    ("POST /wishes/{id}/review", "-"): {"body": lambda t: {"decision": "approve"}},
    ("POST /wishes/{id}/claims", "-"): {"body": lambda t: {}},
    ("POST /wishes/{id}/claims", "pledge"): {"body": lambda t: {"amount_fen": 10000}},
    ("POST /claims", "-"): {"body": lambda t: {"wish_ids": [t.params["id"]], "all_or_nothing": True}},
    ("POST /wishes/{id}/assignment", "-"): {"body": lambda t: {"donor_id": t.holder}},
    ("POST /wishes/{id}/assignment/accept", "-"): {"body": lambda t: {}},
    ("POST /wishes/{id}/assignment/decline", "-"): {"body": lambda t: {}},
    ("POST /wishes/{id}/delivery", "-"): {"body": lambda t: {"note": "已送到家中"}},
    ("POST /wishes/{id}/confirmation", "-"): {"body": lambda t: {"accepted": True, "feedback": "谢谢大家的关心"}},
    ("POST /wishes/{id}/cancellation", "-"): {"body": lambda t: {"reason": "家里已经解决了"}},
    ("POST /wishes/{id}/escalation", "-"): {"body": lambda t: {"reason": "交上级妇联协调"}},
    ("POST /wishes/{id}/erasure", "-"): {"body": lambda t: {"reason": "本人申请删除个人信息"}},
    ("POST /me/notifications/{id}/read", "-"): {"body": lambda t: None},
    ("POST /me/notifications/read", "-"): {"body": lambda t: {"ids": [t.params["id"]]}},
    ("PUT /me/preferences", "-"): {"body": lambda t: {"sms": False, "email": False}},
    ("POST /me/preferences/verification", "-"): {"body": lambda t: {"channel": "sms", "code": "123456"}},
    ("PUT /me/profile", "-"): {"body": lambda t: {"display_name": "热心市民"}},
    ("GET /access-log", "-"): {"query": lambda t: {"actor": OFFICER["sub"]}},
    # Decision 9: a ticket names the wish, for a donor holding a claim on it or an officer in its region.
    ("POST /uploads", "-"): {
        "body": lambda t: {"content_type": "image/jpeg", "size_bytes": 2048, "wish_id": t.params["id"]}
    },
    ("POST /campaigns", "-"): {"body": _campaign_body},
    ("POST /units", "-"): {"body": lambda t: {"name": "矩阵单位", "kind": "company", "region_code": "431222"}},
    ("PATCH /units/{id}", "-"): {"body": lambda t: {"honours": ["三八红旗集体"]}},
    ("POST /units/{id}/members", "-"): {"body": lambda t: {"sub": "matrix-new-member"}},
    ("GET /exports/volunteer-hours.csv", "-"): {"query": lambda t: {"region": "431222"}},
    ("GET /compliance", "-"): {"query": lambda t: {"region": "431222"}},
    ("GET /recognition", "-"): {"query": lambda t: {"region": "431222"}},
    ("GET /recognition.csv", "-"): {"query": lambda t: {"region": "431222"}},
    ("POST /external-funds", "-"): {
        "body": lambda t: {"region_code": "431222", "source": "99公益日", "day": "2026-09-09", "amount_fen": 100}
    },
    ("POST /units/{id}/activities", "-"): {"body": lambda t: {"title": "矩阵活动", "day": "2026-06-01"}},
    ("POST /units/{id}/activities/{activity_id}/uploads", "-"): {
        "body": lambda t: {"content_type": "image/jpeg", "size_bytes": 2048}
    },
    # Issue 12 §2: a key that is not the caller's upload: 422 for whoever may attach, 403 for the rest.
    ("POST /units/{id}/activities/{activity_id}/photos", "-"): {
        "body": lambda t: {"keys": [f"activities/{t.params['activity_id']}/someone/photo.jpg"]}
    },
    ("PUT /wishes/{id}/volunteering", "-"): {
        "body": lambda t: {"places": 5, "day": "2026-12-20", "place": "马底驿乡政府", "hours": 2}
    },
    ("POST /campaigns/{id}/matching/acceptance", "-"): {"body": lambda t: {}},
    ("GET /stats", "village"): {"query": lambda t: {"region": VILLAGE}},
    ("GET /exports/wishes.csv", "-"): {"query": lambda t: {"region": "431222"}},
}


@dataclass(frozen=True)
class Row:
    operation: str
    variant: str
    state: str
    expected: dict[str, tuple[int, ...]]

    @property
    def key(self) -> tuple[str, str]:
        return self.operation, self.variant

    @property
    def name(self) -> str:
        return self.operation + ("" if self.variant == "-" else f" ({self.variant})") + f" [{self.state}]"


def _rows(table: str) -> list[Row]:
    rows = []
    for line in table.strip().splitlines()[1:]:
        method, path, variant, state, *cells = line.split()
        assert len(cells) == len(CALLERS), f"{method} {path}: {len(cells)} cells for {len(CALLERS)} callers"
        rows.append(
            Row(
                f"{method} {path}",
                variant,
                state,
                {
                    caller: (403, 404) if cell == "40x" else (int(cell),)
                    for caller, cell in zip(CALLERS, cells, strict=True)
                },
            )
        )
    return rows


ROWS = _rows(MATRIX)


def documented_operations() -> list[str]:
    """Every operation of the OpenAPI document the code generates (what GET /openapi.json serves)."""
    document = json.loads(
        full_app().get_openapi_json_schema(title=TITLE, version=VERSION, security_schemes=SECURITY_SCHEMES)
    )
    return [f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item]


DOCUMENTED = documented_operations()


# Reads that query whole indexes run first, while the table is small (moto answers a GSI query by
# scanning the table): the order of the cases, not of the table above.
EARLY = ("GET /exports/wishes.csv", "GET /stats", "GET /donors/leaderboard", "GET /wishes", "GET /campaigns")


def _cases() -> list[Any]:
    cases = []
    for row in sorted(ROWS, key=lambda row: row.operation not in EARLY):
        if row.operation not in DOCUMENTED:
            continue  # a pending route: test_rows_name_documented_operations says why
        cases += [pytest.param(row, caller, id=f"{row.name} as {CALLER_NAMES[caller]}") for caller in CALLERS]
    with_rows = {row.operation for row in ROWS}
    cases += [
        pytest.param(None, operation, id=f"{operation} has no row")
        for operation in DOCUMENTED
        if operation not in with_rows
    ]
    return cases


# ---------------------------------------------------------------------------------------------- the objects
@dataclass
class Thing:
    """An object in a state: its path parameters, and what a caller not entitled to it must never get."""

    state: str
    params: dict[str, str] = field(default_factory=dict)
    holder: str | None = None  # the donor holding its claim / assignment / pledge, or the sponsor
    markers: dict[str, list[str]] = field(default_factory=dict)  # category → strings
    entitled: frozenset[str] = frozenset()

    def forbidden(
        self, caller: str, caller_sub: str | None, never: tuple[str, ...], shown: tuple[str, ...] = ()
    ) -> dict[str, list[str]]:
        """What this caller must not get: everything unless entitled, and always what `never` names."""
        allowed = set(shown) | (set(self.markers) - set(never) if caller in self.entitled else set())
        return {
            category: [value for value in values if value != caller_sub]  # a donor may see their own id
            for category, values in self.markers.items()
            if category not in allowed
        }


class Objects:
    """Builds objects in the states the rows need; hands out a spare one when a case left it unchanged."""

    def __init__(self, api: Api, table: str) -> None:
        self.api = api
        self.table = table
        self.spare: dict[str, list[Thing]] = defaultdict(list)
        self.numbers = itertools.count(1)

    def take(self, state: str) -> Thing:
        return self.spare[state].pop() if self.spare[state] else self.build(state)

    def give_back(self, thing: Thing) -> None:
        self.spare[thing.state].append(thing)

    def _ok(self, reply: Any, status: int = 200) -> Any:
        assert reply.status == status, f"building an object: {reply.status} {reply.text[:300]}"
        return reply.json

    def build(self, state: str) -> Thing:
        n = next(self.numbers)
        holder = f"donor-h{n:03d}"
        if state == "none":
            return Thing(state)
        if state == "notification":
            return self._notification(n)
        if state == "chat_binding":  # nobody has bound a chat here: 404 for all who may ask
            return Thing(state, params={"platform": "wechat"})
        if state == "campaign":
            return self._campaign(n, holder)
        if state == "unit":
            return self._unit(n, holder)
        if state == "activity":
            return self._activity(n, holder)
        if state in ("yard", "volunteering"):
            return self._volunteering(state, n, holder)
        if state in ("collected", "collected_submitted"):
            return self._collected(state, n, holder)
        return self._wish(state, n, holder)

    def _wish(self, state: str, n: int, holder: str) -> Thing:
        api, ok = self.api, self._ok
        beneficiary = {"name": f"马标记{n:03d}", "phone": f"1390{n:07d}", "address": f"标记路{n:03d}号"}
        thing = Thing(
            state,
            holder=holder,
            entitled=WISH_ENTITLED,
            markers={"beneficiary": list(beneficiary.values()), "village": [VILLAGE, VILLAGE_NAME], "donors": [holder]},
        )
        wish = ok(api.post("/wishes", wish_body(beneficiary=beneficiary), as_=RESIDENT), 201)
        thing.params["id"] = wish_id = wish["id"]
        if state == "submitted":
            return thing
        pooled = state in ("open_pooled", "claimed_pooled")
        review = {"decision": "approve", **({"mode": "pooled", "target_fen": 150000} if pooled else {})}
        ok(api.post(f"/wishes/{wish_id}/review", review, as_=CITY_OFFICER))
        donor = person("donor", holder, name=f"爱心单位{n:03d}")
        if state == "assigned":
            ok(api.post(f"/wishes/{wish_id}/assignment", {"donor_id": holder}, as_=OFFICER))
        elif state in ("claimed", "delivered", "fulfilled"):
            thing.params["claim_id"] = ok(api.post(f"/wishes/{wish_id}/claims", {}, as_=donor), 201)["id"]
            thing.params["donor_id"] = holder
            if state in ("delivered", "fulfilled"):
                ok(api.post(f"/wishes/{wish_id}/delivery", {"note": "已送到家中"}, as_=OFFICER))
            if state == "fulfilled":
                ok(api.post(f"/wishes/{wish_id}/confirmation", {"accepted": True, "feedback": "谢谢"}, as_=OFFICER))
                # The leaderboard and figures, as the stream would move them (this wish's events only).
                stats_feed.feed(
                    api,
                    stats_feed.records_of(
                        [item for item in stats_feed.audit_items(self.table) if item["PK"]["S"] == f"WISH#{wish_id}"]
                    ),
                )
        elif state == "claimed_pooled":
            third = f"donor-t{n:03d}"
            thing.markers["donors"].append(third)
            ok(api.post(f"/wishes/{wish_id}/claims", {"amount_fen": 50000}, as_=donor), 201)
            ok(api.post(f"/wishes/{wish_id}/claims", {"amount_fen": 100000}, as_=person("donor", third)), 201)
        return thing

    def _notification(self, n: int) -> Thing:
        """A notification in the submitting resident's inbox (what the notifier stores)."""
        owner = f"user#{RESIDENT['sub']}"
        created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        title = f"通知标记{n:03d}"
        notification = {
            "id": notification_id(created_at, f"matrix/{n}", owner),
            "wish_id": "0" * 32,
            "event": "approved",
            "title": title,
            "body": f"{title}：您的心愿已通过审核",
            "created_at": created_at,
        }
        item = {
            "PK": f"INBOX#{owner}",
            "SK": f"{created_at}#{notification['id']}",
            "type": "inbox",
            "owner": owner,
            "read": False,
            **notification,
        }
        boto3.client("dynamodb").put_item(TableName=self.table, Item=to_dynamo(item))
        return Thing(
            "notification",
            params={"id": notification["id"]},
            markers={"notification": [title]},
            entitled=frozenset({"own"}),
        )

    def _campaign(self, n: int, sponsor: str) -> Thing:
        now = datetime.now(UTC)
        body = {
            "name": f"专场{n:03d}",
            "region_code": "4312",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=30)).isoformat(),
            "matching": {"sponsor_id": sponsor, "sponsor_name": "爱心企业", "cap_fen": 100000},
        }
        campaign = self._ok(self.api.post("/campaigns", body, as_=ADMIN), 201)
        # Decision 3: public views name the sponsor by display name, never by login id.
        return Thing(
            "campaign",
            params={"id": campaign["id"]},
            holder=sponsor,
            markers={"sponsor": [sponsor]},
            entitled=frozenset({"hold", "vil", "twp", "cty", "oth", "city", "adm"}),
        )

    def _unit(self, n: int, unit_admin: str) -> Thing:
        """A county unit of the registry (沅陵县) whose admin is the `hold` caller, with one more member."""
        contact = {"name": f"联系人{n:03d}", "phone": f"1370{n:07d}"}
        body = {"name": f"矩阵协会{n:03d}", "kind": "volunteer_association", "region_code": "431222"}
        unit = self._ok(self.api.post("/units", {**body, "contact": contact, "admins": [unit_admin]}, as_=ADMIN), 201)
        member = f"member-m{n:03d}"
        self._ok(self.api.post(f"/units/{unit['id']}/members", {"sub": member}, as_=ADMIN), 201)
        # Issue 12: the contact is personal data: the officers of its region, admins and its admins only.
        return Thing(
            "unit",
            params={"id": unit["id"], "sub": member},
            holder=unit_admin,
            markers={"contact": list(contact.values())},
            entitled=frozenset({"hold", "cty", "city", "adm"}),
        )

    def _activity(self, n: int, unit_admin: str) -> Thing:
        """An activity of a unit (沅陵县) whose admin is the `hold` caller: its photos are the unit's and the
        region's officers' (issue 12 §2), never a member of another unit's, a donor's or the public's."""
        unit = self._unit(n, unit_admin)
        body = {"title": f"矩阵活动{n:03d}", "day": "2026-06-01"}
        activity = self._ok(self.api.post(f"/units/{unit.params['id']}/activities", body, as_=ADMIN), 201)
        return Thing(
            "activity",
            params={"id": unit.params["id"], "activity_id": activity["id"]},
            holder=unit_admin,
            entitled=frozenset({"hold", "cty", "city", "adm"}),
        )

    def _collected(self, state: str, n: int, collector: str) -> Thing:
        """A wish a partner's member (the `hold` caller) collected (征集, issue 12 §1); `collected`: approved.
        Who collected it is for officers and the collector, never the public or donors."""
        unit_body = {"name": f"征集协会{n:03d}", "kind": "volunteer_association", "region_code": "431222"}
        unit = self._ok(self.api.post("/units", {**unit_body, "admins": [collector]}, as_=ADMIN), 201)
        beneficiary = {"name": f"马征集{n:03d}", "phone": f"1392{n:07d}", "address": f"征集路{n:03d}号"}
        body = wish_body(beneficiary=beneficiary, unit_id=unit["id"])
        wish = self._ok(self.api.post("/wishes", body, as_=person("donor", collector)), 201)
        if state == "collected":
            self._ok(self.api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER))
        return Thing(
            state,
            params={"id": wish["id"]},
            holder=collector,
            markers={
                "beneficiary": list(beneficiary.values()),
                "village": [VILLAGE, VILLAGE_NAME],
                "collector": [unit["id"], unit_body["name"]],
            },
            entitled=frozenset({"hold", "vil", "twp", "cty", "city", "adm"}),
        )

    def _volunteering(self, state: str, n: int, volunteer: str) -> Thing:
        """A yard wish (issue 12 §3); `volunteering`: with needs, the `hold` caller signed up for a place."""
        beneficiary = {"name": f"马义工{n:03d}", "phone": f"1391{n:07d}", "address": f"义工路{n:03d}号"}
        body = wish_body(beneficiary=beneficiary, category="yard")
        wish = self._ok(self.api.post("/wishes", body, as_=RESIDENT), 201)
        self._ok(self.api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER))
        thing = Thing(
            state,
            params={"id": wish["id"], "volunteer_id": volunteer},
            holder=volunteer,
            entitled=WISH_ENTITLED,
            markers={"beneficiary": list(beneficiary.values()), "village": [VILLAGE, VILLAGE_NAME]},
        )
        if state == "volunteering":
            needs = {"places": 20, "day": "2026-12-20", "place": "马底驿乡政府", "hours": 2}
            self.api.request("PUT", f"/wishes/{wish['id']}/volunteering", json_body=needs, as_=ADMIN)
            self._ok(self.api.post(f"/wishes/{wish['id']}/volunteers", {}, as_=person("donor", volunteer)), 201)
        return thing


def caller_claims(caller: str, thing: Thing) -> dict[str, Any] | None:
    return {
        "anon": None,
        "own": RESIDENT,
        "res": OTHER_RESIDENT,
        "hold": person("donor", thing.holder or "donor-h000", name="爱心单位"),
        "don": DONOR_2,
        "vil": VILLAGE_OFFICER,
        "twp": TOWNSHIP_OFFICER,
        "cty": OFFICER,
        "oth": FOREIGN_OFFICER,
        "city": CITY_OFFICER,
        "adm": ADMIN,
    }[caller]


# ---------------------------------------------------------------------------------------------- the checks
def _where(value: Any, needle: str, path: str = "$") -> list[str]:
    """JSON paths of the strings that hold `needle`."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _where(item, needle, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _where(item, needle, f"{path}[{index}]")]
    return [path] if isinstance(value, str) and needle in value else []


def _private_keys(value: Any, wish_id: str, path: str = "$") -> list[str]:
    """Private fields in the views of one wish (a wish view is what carries `beneficiary_alias`)."""
    found = []
    if isinstance(value, dict):
        if "beneficiary_alias" in value and value.get("id") == wish_id:
            found += [f"{path}.{key}" for key in PRIVATE_KEYS if key in value]
        found += [p for key, item in value.items() for p in _private_keys(item, wish_id, f"{path}.{key}")]
    elif isinstance(value, list):
        found += [p for index, item in enumerate(value) for p in _private_keys(item, wish_id, f"{path}[{index}]")]
    return found


def _without_other_wishes(value: Any, wish_id: str | None) -> Any:
    """The answer without the views of other wishes (whose village, say, may be the same one)."""
    if isinstance(value, dict):
        if "beneficiary_alias" in value and wish_id and value.get("id") != wish_id:
            return None
        return {key: _without_other_wishes(item, wish_id) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_other_wishes(item, wish_id) for item in value]
    return value


def leaks(text: str, body: Any, forbidden: dict[str, list[str]], wish_id: str | None, private: bool) -> list[str]:
    """What of `forbidden` the answer holds about this object; with `private`, also its wish's private fields."""
    found = [f"private field {path}" for path in _private_keys(body, wish_id)] if private and wish_id else []
    if body is not None:
        body = _without_other_wishes(body, wish_id)
        text = json.dumps(body, ensure_ascii=False)
    for category, values in forbidden.items():
        for value in values:
            if value in text:
                where = ", ".join(_where(body, value)) if body is not None else ""
                found.append(f"{category} {value!r} at {where or 'the body'}")
    return found


# ---------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def matrix(signer):
    with shared_stack() as (stack, _):
        api = Api(stack, signer)
        yield api, Objects(api, stack.outputs["WishTableName"])


# ---------------------------------------------------------------------------------------------- the tests
def test_every_documented_operation_has_a_row():
    missing = sorted({op for op in DOCUMENTED} - {row.operation for row in ROWS})
    assert not missing, f"operations of the OpenAPI document without a row in the matrix: {missing}"


@pytest.mark.parametrize("operation", sorted({row.operation for row in ROWS}))
def test_rows_name_documented_operations(operation):
    if operation in PENDING and operation not in DOCUMENTED:
        pytest.xfail(f"{operation} is not in the document yet: {PENDING[operation]}")
    assert operation in DOCUMENTED, f"the matrix has a row for {operation}, which the document does not have"


@pytest.mark.parametrize(("row", "caller"), _cases())
def test_matrix(matrix, row: Row | None, caller: str):
    if row is None:
        pytest.fail(f"{caller} is in the OpenAPI document but has no row in the authorization matrix")
    api, objects = matrix
    thing = objects.take(row.state)
    request = REQUESTS.get(row.key, {})
    method, template = row.operation.split(" ", 1)
    path = template.format(**thing.params) if "{" in template else template
    body = request["body"](thing) if "body" in request else None
    query = request["query"](thing) if "query" in request else None
    claims = caller_claims(caller, thing)
    reply = api.request(
        method,
        path,
        json_body=body,
        query=query,
        as_=claims,
        body="{}" if body is None and method in ("POST", "PUT") else None,
    )
    if method == "GET" or reply.status >= 300:
        objects.give_back(thing)  # unchanged (a refusal changes nothing): the next case may use it
    who = f"{row.name} as {CALLER_NAMES[caller]}"
    assert reply.status in row.expected[caller], (
        f"{who}: expected {'|'.join(map(str, row.expected[caller]))}, got {reply.status}: {reply.text[:300]}"
    )
    never = NEVER.get(row.key, ())
    forbidden = thing.forbidden(caller, (claims or {}).get("sub"), never, SHOWN.get(row.key, ()))
    wish_id = thing.params.get("id") if "beneficiary" in thing.markers else None
    found = leaks(reply.text, reply.json, forbidden, wish_id, private=caller not in thing.entitled)
    assert not found, f"{who} got what it may not see: " + "; ".join(found)
