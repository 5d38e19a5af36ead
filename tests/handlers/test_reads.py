"""Lists and the ledger read O(page) (issue 15, goal 5): a township or village page is one Query of its
township's ByArea partition and one BatchGetItem, whatever its county holds; the ledger's donors are one
Query per county of a page, never one per row. Figures at scale: python -m infra.bench.reads."""

from __future__ import annotations

from collections import Counter
from typing import Any

import boto3

from microwish.lifecycle import Status
from microwish.models import Claim, Wish
from microwish.models.claims import ClaimKind, ClaimStatus
from microwish.repository import ListQuery, WishRepository, claim_item, to_dynamo, wish_item
from tests.support.people import DONOR, OFFICER, TOWNSHIP_OFFICER, open_wish, submit

TOWNSHIP = "431222250"  # 马底驿乡, 沅陵县
OWN_VILLAGE, OTHER_VILLAGE = "431222250201", "431222250202"
ELSEWHERE = "431222102001"  # 麻溪铺镇: another township of the same county


class Counting:
    """A DynamoDB client that counts its calls by name."""

    def __init__(self) -> None:
        self._client = boto3.client("dynamodb")
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(**params: Any) -> Any:
            self.calls[name] += 1
            return method(**params)

        return call


def stored_wish(n: int, region: str, status: Status = Status.OPEN, category: str = "goods", **fields: Any) -> Wish:
    at = f"2026-11-{1 + n // 1000:02d}T{n // 60 % 24:02d}:{n % 60:02d}:00.000Z"
    return Wish(
        id=f"{n:032x}",
        title=f"心愿{n}",
        description="",
        category=category,
        groups=["women_in_hardship"],
        region_code=region,
        status=status,
        beneficiary_alias="谢女士",
        submitted_by="resident-1",
        created_at=at,
        updated_at=at,
        target_fen=100_000,
        **fields,
    )


def put(table: str, items: list[dict[str, Any]]) -> None:
    client = boto3.client("dynamodb")
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": to_dynamo(item)}} for item in items[start : start + 25]]
        client.batch_write_item(RequestItems={table: batch})


def crowded_county(table: str) -> list[Wish]:
    """Ours: 6 open wishes of the township (3 in each of two villages, one of them 'study'), created
    first; then 150 newer open wishes elsewhere in the county (what the old path read through)."""
    ours = [
        stored_wish(n, OWN_VILLAGE if n % 2 else OTHER_VILLAGE, category="study" if n == 3 else "goods")
        for n in range(6)
    ]
    ours.append(stored_wish(6, OWN_VILLAGE, Status.CLAIMED))
    others = [stored_wish(100 + n, ELSEWHERE) for n in range(150)]
    put(table, [wish_item(wish) for wish in ours + others])
    return ours


def pages(repo: WishRepository, client: Counting, **query: Any) -> tuple[list[str], list[int]]:
    """Every page of a list: the ids in order and the calls each page took."""
    ids, calls, cursor = [], [], None
    while True:
        client.calls.clear()
        found, cursor = repo.list_wishes(ListQuery(status=Status.OPEN, limit=2, cursor=cursor, **query))
        ids += [wish.id for wish in found]
        calls.append(sum(client.calls.values()))
        if not cursor:
            return ids, calls


def test_a_township_page_reads_its_township_not_its_county(table):
    ours = crowded_county(table)
    client = Counting()
    repo = WishRepository(table, client)
    newest_first = [wish.id for wish in reversed(ours) if wish.status is Status.OPEN]

    ids, calls = pages(repo, client, region=TOWNSHIP)
    assert ids == newest_first
    assert max(calls) <= 2, calls  # one Query of ByArea and one BatchGetItem (the old path: 8 Queries a page)

    village = [wish.id for wish in reversed(ours) if wish.region_code == OWN_VILLAGE and wish.status is Status.OPEN]
    ids, calls = pages(repo, client, region=OWN_VILLAGE)
    assert ids == village and max(calls) <= 2, calls

    ids, calls = pages(repo, client, region=TOWNSHIP, category="study")
    assert ids == [ours[3].id] and calls == [2], calls

    ids, _ = pages(repo, client, region=TOWNSHIP, ascending=True)
    assert ids == newest_first[::-1]


def test_a_township_list_over_the_api_stops_at_the_township(api, table):
    crowded_county(table)
    listed = api.get("/wishes", query={"region": TOWNSHIP, "limit": 4})
    assert listed.status == 200 and len(listed.json["items"]) == 4
    assert all(item["township_code"] == TOWNSHIP and "region_code" not in item for item in listed.json["items"])
    rest = api.get("/wishes", query={"region": TOWNSHIP, "limit": 4, "cursor": listed.json["next_cursor"]})
    assert len(rest.json["items"]) == 2 and rest.json["next_cursor"] is None
    assert api.get("/wishes", query={"region": OWN_VILLAGE}).status == 422  # the public never filters by village
    village = api.get("/wishes", query={"region": OWN_VILLAGE}, as_=TOWNSHIP_OFFICER)
    assert village.status == 200 and len(village.json["items"]) == 3
    county_cursor = api.get("/wishes", query={"region": "431222", "limit": 1}).json["next_cursor"]
    reply = api.get("/wishes", query={"region": TOWNSHIP, "cursor": county_cursor})
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "cursor"


def test_a_claimed_wish_leaves_the_township_list_at_once(api):
    wish = open_wish(api)
    listed = api.get("/wishes", query={"region": TOWNSHIP}).json["items"]
    assert [item["id"] for item in listed] == [wish["id"]]
    assert api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR).status == 201
    assert api.get("/wishes", query={"region": TOWNSHIP}).json["items"] == []
    claimed = api.get("/wishes", query={"region": TOWNSHIP, "status": "claimed"}).json["items"]
    assert [item["id"] for item in claimed] == [wish["id"]]


def test_the_ledger_finds_a_pages_donors_in_one_query_per_county(api, table):
    wishes, items = [], []
    for n in range(40):
        wish = stored_wish(n, OWN_VILLAGE if n % 2 else ELSEWHERE, Status.CLAIMED)
        wishes.append(wish)
        items.append(wish_item(wish))
        claim = Claim(
            id=f"{n:032x}",
            wish_id=wish.id,
            donor_id=f"donor-{n}",
            donor_name=f"爱心人士{n}",
            kind=ClaimKind.SOLE,
            amount_fen=100_000,
            status=ClaimStatus.ACTIVE,
            created_at=wish.created_at,
            updated_at=wish.created_at,
            matched=n == 7,
        )
        items.append(claim_item(claim, wish=wish))
        withdrawn = claim.model_copy(update={"id": f"{n + 1000:032x}", "status": ClaimStatus.WITHDRAWN})
        items.append(claim_item(withdrawn, wish=wish))
    put(table, items)
    client = Counting()
    repo = WishRepository(table, client)
    from microwish.auth import Caller
    from microwish.services import ledger
    from microwish.settings import Settings

    officer = Caller(sub="officer", role="officer", region="431222")
    text, cursor, rows = ledger.export(officer, repo, Settings.from_env({}), "431222", None, None, None, 500)
    assert rows == 40 and cursor is None
    # 8 status partitions and one holders Query, for 40 claimed rows (before: 8 + 40)
    assert client.calls == {"query": 9}, client.calls
    assert "爱心人士7（配捐）" in text and all(f"爱心人士{n}," in text for n in range(40) if n != 7)

    client.calls.clear()
    text, _, rows = ledger.export(officer, repo, Settings.from_env({}), TOWNSHIP, None, None, None, 500)
    assert rows == 20 and "爱心人士1," in text and "爱心人士2," not in text
    assert client.calls["query"] == 9 and client.calls["batch_get_item"] == 1, client.calls


def test_pledges_and_claims_made_over_the_api_name_their_donors_in_the_ledger(api):
    pooled = submit(api, target_fen=30_000)
    api.post(f"/wishes/{pooled['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=OFFICER)
    assert api.post(f"/wishes/{pooled['id']}/claims", {"amount_fen": 10_000}, as_=DONOR).status == 201
    reply = api.get("/exports/wishes.csv", query={"region": TOWNSHIP}, as_=OFFICER)
    assert "怀化市公共资源交易中心" in reply.text


def test_the_backfill_gives_items_written_before_the_index_their_area_keys(api, table):
    from infra.ops.backfill_area import backfill

    old = stored_wish(1, OWN_VILLAGE, Status.CLAIMED)
    claim = Claim(
        id="c" * 32,
        wish_id=old.id,
        donor_id="donor-old",
        donor_name="老捐赠人",
        kind=ClaimKind.SOLE,
        amount_fen=100_000,
        status=ClaimStatus.ACTIVE,
        created_at=old.created_at,
        updated_at=old.created_at,
    )
    before = [wish_item(old), claim_item(claim, wish=old), wish_item(stored_wish(2, OWN_VILLAGE))]
    put(table, [{k: v for k, v in item.items() if k not in ("AreaPK", "AreaSK")} for item in before])
    assert api.get("/wishes", query={"region": TOWNSHIP}).json["items"] == []
    client = boto3.client("dynamodb")
    assert backfill(client, table) == {"wishes": 2, "claims": 1, "skipped": 0}
    assert backfill(client, table) == {"wishes": 0, "claims": 0, "skipped": 0}
    assert [item["id"] for item in api.get("/wishes", query={"region": TOWNSHIP}).json["items"]] == [f"{2:032x}"]
    reply = api.get("/exports/wishes.csv", query={"region": TOWNSHIP}, as_=OFFICER)
    assert "老捐赠人" in reply.text
