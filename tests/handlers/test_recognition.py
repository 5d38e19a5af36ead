"""Recognition (issue 12 §4): a region's year — people and units ranked by wishes fulfilled, value, activities,
volunteer hours, with honours — as JSON and CSV, equal to a recount; funds raised outside the platform shown
apart and never mixed into the platform's figures."""

from __future__ import annotations

import csv
import io

from tests.support.harness import person
from tests.support.people import CITY_OFFICER, DONOR, FOREIGN_OFFICER, OFFICER, fulfil, open_wish, work_wish
from tests.support.stats_feed import feed, records_of, stream_items

MEMBER = person("donor", "xiehui-member", name="协会志愿者")
VOLUNTEER = person("resident", "volunteer-a", name="志愿者小李")


def test_recognition_ranks_people_and_units_and_keeps_outside_funds_apart(api, table):
    body = {"name": "沅陵县志愿者协会", "kind": "volunteer_association", "region_code": "431222",
            "honours": ["三八红旗集体"], "admins": [MEMBER["sub"]]}  # fmt: skip
    unit = api.post("/units", body, as_=OFFICER).json
    for _ in range(2):
        fulfil(api, open_wish(api), MEMBER, {"unit_id": unit["id"]})
    fulfil(api, open_wish(api), DONOR)
    activity = {"title": "重阳节走访", "day": "2026-10-29", "participants": 12}
    assert api.post(f"/units/{unit['id']}/activities", activity, as_=MEMBER).status == 201
    yard = work_wish(api, places=2)
    assert api.post(f"/wishes/{yard['id']}/volunteers", {}, as_=VOLUNTEER).status == 201
    check_in = f"/wishes/{yard['id']}/volunteers/{VOLUNTEER['sub']}/check-in"
    assert api.post(check_in, {"hours": 2.5}, as_=OFFICER).status == 200
    funds = {"region_code": "431222", "source": "腾讯公益99公益日", "day": "2026-09-09", "amount_fen": 1_000_000,
             "donors": 3200}  # fmt: skip
    assert api.post("/external-funds", funds, as_=OFFICER).status == 201
    assert api.post("/external-funds", funds, as_=FOREIGN_OFFICER).status == 403
    assert api.post("/external-funds", {**funds, "amount_fen": "1"}, as_=OFFICER).status == 422
    stats_before = api.get("/stats", query={"region": "431222"}).json
    feed(api, records_of(stream_items(table)))
    stats = api.get("/stats", query={"region": "431222"}).json

    reply = api.get("/recognition", as_=OFFICER, query={"year": 2026})
    assert reply.status == 200, reply.text
    view = reply.json
    top = view["units"][0]
    assert (top["name"], top["wishes"], top["activities"], top["honours"]) == (
        "沅陵县志愿者协会",
        2,
        1,
        ["三八红旗集体"],
    )
    assert top["value_fen"] == 2 * 150000
    people = {p["ref"]: p for p in view["people"]}
    assert people[DONOR["sub"]]["wishes"] == 1 and people[VOLUNTEER["sub"]]["volunteer_hours"] == 2.5
    assert view["external_funds"] == {
        "amount_fen": 1_000_000,
        "donors": 3200,
        "items": [view["external_funds"]["items"][0]],
    }
    # Never mixed in: the platform's own value is its wishes' (3 fulfilled), the same as without the funds
    assert stats["value_fen"] == 3 * 150000 and stats_before["value_fen"] <= stats["value_fen"]
    text = api.get("/recognition.csv", as_=OFFICER, query={"year": 2026}).text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["单位", "1", "沅陵县志愿者协会", "2", "3000.00", "1", "0", "三八红旗集体"] in rows
    assert any(row[:1] == ["站外筹款（不计入平台数据）"] for row in rows)
    assert api.get("/recognition", as_=FOREIGN_OFFICER, query={"region": "431222"}).status == 403
    assert api.get("/recognition", as_=DONOR).status == 403
    assert api.get("/recognition", as_=CITY_OFFICER, query={"year": 2025}).json["units"][0]["wishes"] == 0
