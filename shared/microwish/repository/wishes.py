"""The wish aggregate: a wish, its private part, its claims, its audit trail, and reads of it.

Every state change is one conditional write or one transaction (`commit`); a failed condition raises
`ConditionFailed` with the item as it was, so the caller can say the wish's real state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import regions
from ..lifecycle import Status
from ..models import AccessEntry, AuditEvent, Beneficiary, Wish
from . import keys
from .codec import decode_cursor, encode_cursor, from_dynamo, to_dynamo
from .items import access_item, campaign_list_key, list_partition, private_item, wish_item
from .table import TableStore

# The list index that serves a region filter, by the filter's level. Deeper filters (township, village)
# query their township's partition of ByArea (keys and filter attributes only), then get the page.
_LIST_INDEX = {"province": ("ByProvince", "ProvPK"), "city": ("ByCity", "CityPK"), "county": ("ByCounty", "CountyPK")}
_AREA_LEVELS = ("township", "village")
_AREA_KEYS = {"PK", "SK", "AreaPK", "AreaSK"}
_MAX_ITEMS_READ_PER_PAGE = 500  # bounds the work one filtered page may do
# ByArea entries are ~200 B: a filtered township page reads them this many at a time (one call where the
# old path made one per missing row), and at most _MAX_KEYS_READ_PER_PAGE of them (~400 KB) per page.
_AREA_READ = 400
_MAX_KEYS_READ_PER_PAGE = 2000

Page = tuple[list[dict[str, Any]], str | None]


@dataclass
class ListQuery:
    status: Status
    region: str  # short code of the region subtree
    ascending: bool = False  # newest first unless asked
    category: str | None = None
    group: str | None = None
    level: str | None = None
    campaign: str | None = None
    limit: int = 20
    cursor: str | None = None
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DueKey:
    """An item the due index says is due: which wish, which item of it, and its due sort key."""

    wish_id: str
    key: dict[str, str]
    due_sk: str


def _wish(item: dict[str, Any]) -> Wish:
    return Wish.model_validate(item)


class WishStore(TableStore):
    # ------------------------------------------------------------ writes
    def put_new_wish(
        self, wish: Wish, beneficiary: Beneficiary, event: AuditEvent, member_of: str | None = None
    ) -> None:
        """The wish, its private part and its first audit event, all or nothing; with `member_of` (a unit id),
        only while the submitter is still that unit's member (ConditionFailed, guard "unit member")."""
        transaction = self.transaction()
        transaction.put_new("wish", wish_item(wish))
        transaction.put_new("private part", private_item(wish.id, beneficiary))
        transaction.audit(wish, event)
        if member_of is not None:
            transaction.require_member(member_of, wish.submitted_by)
        self.commit(transaction)

    def replace_wish(self, before: Wish, after: Wish, event: AuditEvent) -> None:
        """Write `after` if the stored wish is still the `before` we read (same version), with its event."""
        transaction = self.transaction()
        transaction.replace_wish(before, after, event)
        self.commit(transaction)

    def erase_private(self, wish: Wish, event: AuditEvent, erased_at: str, due_sk: str | None = None) -> None:
        """Blank the private part (name, phone, address go; a tombstone stays) with its audit event.

        Conditional on the part still holding personal data (and, for the retention sweep, on still
        being due as read): a second erasure raises ConditionFailed and writes nothing. The part
        leaves the due index in the same write.
        """
        transaction = self.transaction()
        transaction.erase_private(wish.id, erased_at, due_sk)
        transaction.audit(wish, event)
        self.commit(transaction)

    def drop_due(self, due: DueKey) -> None:
        """Take an item off the due index, if it is still there as read (nothing left to do for it)."""
        self._update_if(due.key, "REMOVE DuePK, DueSK", "DueSK = :due", {":due": due.due_sk})

    def put_access(self, entry: AccessEntry) -> None:
        """One read of a private view, recorded: a single unconditional put (a random suffix keeps it apart)."""
        self.client.put_item(TableName=self.table_name, Item=to_dynamo(access_item(entry)))

    def take_upload_ticket(self, wish_id: str, uploader: str, limit: int) -> bool:
        """Count one upload ticket of (wish, uploader); False (nothing counted) at the limit.
        One counter item per pair, outside the wish's partition."""
        return (
            self._update_if(
                keys.upload_counter_key(wish_id, uploader),
                "ADD issued :one SET #type = :type",
                "attribute_not_exists(issued) OR issued < :limit",
                {":one": 1, ":limit": limit, ":type": "upload_tickets"},
                {"#type": "type"},
            )
            is not None
        )

    # ------------------------------------------------------------ reads
    def get_private(self, wish_id: str) -> dict[str, Any] | None:
        return self._get(keys.private_key(wish_id))

    def get_wish(self, wish_id: str) -> Wish | None:
        if not keys.is_wish_id(wish_id):
            return None
        item = self._get(keys.wish_key(wish_id))
        return _wish(item) if item else None

    def get_wish_bundle(self, wish_id: str) -> tuple[Wish, dict[str, Any], list[dict[str, Any]]] | None:
        """The wish with its private part and claims: one Query of its partition, audit events left out."""
        if not keys.is_wish_id(wish_id):
            return None
        items = self._query_all(
            KeyConditionExpression="PK = :pk AND SK >= :first",
            ExpressionAttributeValues={":pk": {"S": keys.wish_partition(wish_id)}, ":first": {"S": keys.CLAIM_PREFIX}},
        )
        by_kind: dict[str, Any] = {"claims": []}
        for item in items:
            if item["SK"] == keys.WISH_SK:
                by_kind["wish"] = item
            elif item["SK"] == keys.PRIVATE_SK:
                by_kind["private"] = item
            elif item["SK"].startswith(keys.CLAIM_PREFIX):
                by_kind["claims"].append(item)
        if "wish" not in by_kind:
            return None
        return _wish(by_kind["wish"]), by_kind.get("private", {}), by_kind["claims"]

    def claims_of(self, wish_id: str) -> list[dict[str, Any]]:
        """A wish's claims, pledges and offers, as stored (a Query of its partition)."""
        return list(self._partition(keys.wish_partition(wish_id), keys.CLAIM_PREFIX))

    def get_wish_and_claims(self, wish_id: str) -> tuple[Wish, list[dict[str, Any]]] | None:
        """The wish and its claims, without its private part (GetItem, then a Query of the claims)."""
        wish = self.get_wish(wish_id)
        if wish is None:
            return None
        return wish, self.claims_of(wish_id)

    def get_wishes(self, wish_ids: list[str]) -> dict[str, Wish]:
        """Many wishes by id (BatchGetItem, 100 a call); unknown ids are simply absent."""
        found = self._batch_get([keys.wish_key(wish_id) for wish_id in wish_ids if keys.is_wish_id(wish_id)])
        wishes = (_wish(item) for item in found.values())
        return {wish.id: wish for wish in wishes}

    def get_private_parts(self, wish_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The private parts of many wishes by id: BatchGetItem, 100 keys a call."""
        found = self._batch_get([keys.private_key(wish_id) for wish_id in wish_ids if keys.is_wish_id(wish_id)])
        return {keys.wish_id_of(item): item for item in found.values()}

    def due(
        self, kind: str, now: str, limit: int, cursor: dict[str, Any] | None
    ) -> tuple[list[DueKey], dict[str, Any] | None]:
        """The items of `kind` due by `now`, soonest first: the cost follows what is due."""
        response = self._query(
            IndexName="ByDue",
            KeyConditionExpression="DuePK = :kind AND DueSK <= :now",
            ExpressionAttributeValues={":kind": {"S": kind}, ":now": {"S": f"{now}#~"}},
            Limit=limit,
            ExclusiveStartKey=cursor,
        )
        due = [
            DueKey(keys.wish_id_of(item), {"PK": item["PK"], "SK": item["SK"]}, item["DueSK"])
            for item in (from_dynamo(raw) for raw in response.get("Items", []))
        ]
        return due, response.get("LastEvaluatedKey")

    def _person_items(self, partition: str, limit: int, cursor: str | None) -> Page:
        response = self._query(
            IndexName="ByPerson",
            KeyConditionExpression="PersonPK = :person",
            ExpressionAttributeValues={":person": {"S": partition}},
            ScanIndexForward=False,
            Limit=limit,
            ExclusiveStartKey=decode_cursor(cursor, {"PK", "SK", "PersonPK", "PersonSK"}, ("PersonPK", partition)),
        )
        return [from_dynamo(item) for item in response.get("Items", [])], encode_cursor(
            response.get("LastEvaluatedKey")
        )

    def wishes_submitted_by(self, sub: str, limit: int, cursor: str | None) -> tuple[list[Wish], str | None]:
        """A person's own wishes, newest first."""
        items, next_cursor = self._person_items(f"{keys.WISHES_OF}{sub}", limit, cursor)
        return [_wish(item) for item in items], next_cursor

    def claims_by(self, donor_id: str, limit: int, cursor: str | None) -> Page:
        """A donor's claims and pledges, newest first."""
        return self._person_items(f"{keys.CLAIMS_OF}{donor_id}", limit, cursor)

    def audit_trail(self, wish_id: str, limit: int, cursor: str | None) -> Page:
        partition = ("PK", keys.wish_partition(wish_id))
        response = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :audit)",
            ExpressionAttributeValues={":pk": {"S": partition[1]}, ":audit": {"S": keys.AUDIT_PREFIX}},
            Limit=limit,
            ExclusiveStartKey=decode_cursor(cursor, {"PK", "SK"}, partition),
        )
        return [from_dynamo(item) for item in response.get("Items", [])], encode_cursor(
            response.get("LastEvaluatedKey")
        )

    def wish_access_log(self, wish_id: str, limit: int, cursor: str | None) -> Page:
        """Who read a wish's private view, newest first."""
        partition = ("PK", keys.access_partition(wish_id))
        response = self._query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": partition[1]}},
            ScanIndexForward=False,
            Limit=limit,
            ExclusiveStartKey=decode_cursor(cursor, {"PK", "SK"}, partition),
        )
        return [from_dynamo(item) for item in response.get("Items", [])], encode_cursor(
            response.get("LastEvaluatedKey")
        )

    def actor_access_log(self, actor: str, start: str, end: str, limit: int, cursor: str | None) -> Page:
        """The private views one officer (or admin) read between `start` and `end` (RFC 3339), newest first."""
        partition = ("PersonPK", keys.actor_access_partition(actor))
        response = self._query(
            IndexName="ByPerson",
            KeyConditionExpression="PersonPK = :person AND PersonSK BETWEEN :start AND :end",
            ExpressionAttributeValues=to_dynamo({":person": partition[1], ":start": start, ":end": f"{end}#~"}),
            ScanIndexForward=False,
            Limit=limit,
            ExclusiveStartKey=decode_cursor(cursor, {"PK", "SK", "PersonPK", "PersonSK"}, partition),
        )
        return [from_dynamo(item) for item in response.get("Items", [])], encode_cursor(
            response.get("LastEvaluatedKey")
        )

    def list_wishes(self, query: ListQuery) -> tuple[list[Wish], str | None]:
        """One page of a list index, filters applied by DynamoDB; bounded work per page."""
        if not query.campaign and regions.level_of(query.region) in _AREA_LEVELS:
            return self._list_area(query)
        params, partition = self._list_params(query)
        start = decode_cursor(query.cursor, {"PK", "SK", partition[0], "ListSK"}, partition)
        found: list[Wish] = []
        read = 0
        while True:
            response = self._query(**params, Limit=query.limit - len(found), ExclusiveStartKey=start)
            read += response.get("ScannedCount", 0)
            found.extend(_wish(from_dynamo(item)) for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start or len(found) >= query.limit or read >= _MAX_ITEMS_READ_PER_PAGE:
                return found, encode_cursor(start)

    def _list_area(self, query: ListQuery) -> tuple[list[Wish], str | None]:
        """A township's (or, for officers, a village's) page: the township's ByArea partition, filters
        applied by DynamoDB on its small entries, then one BatchGetItem of the page."""
        partition = ("AreaPK", list_partition(query.status.value, regions.prefix_at(query.region, "township")))
        filters, values, names = self._filters(query)
        if regions.level_of(query.region) == "village":
            filters.append("begins_with(region_code, :region)")
            values[":region"] = query.region
        values[":key"] = partition[1]
        params: dict[str, Any] = {
            "IndexName": "ByArea",
            "KeyConditionExpression": "AreaPK = :key",
            "ExpressionAttributeValues": to_dynamo(values),
            "ScanIndexForward": query.ascending,
        }
        if filters:
            params["FilterExpression"] = " AND ".join(filters)
        if names:
            params["ExpressionAttributeNames"] = names
        # Unfiltered, a read of `limit` entries is the page; filtered, read more at once and cut the page
        # at `limit`, the cursor then being the last entry kept (its keys are all in the entry).
        step = _AREA_READ if filters else query.limit
        start = decode_cursor(query.cursor, _AREA_KEYS, partition)
        entries: list[dict[str, Any]] = []
        read = 0
        while True:
            response = self._query(**params, Limit=step, ExclusiveStartKey=start)
            read += response.get("ScannedCount", 0)
            entries.extend(response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if len(entries) > query.limit:
                entries = entries[: query.limit]
                start = {name: entries[-1][name] for name in _AREA_KEYS}
            if not start or len(entries) >= query.limit or read >= _MAX_KEYS_READ_PER_PAGE:
                break
        return self._page_of(entries, query.status), encode_cursor(start)

    def _page_of(self, entries: list[dict[str, Any]], status: Status) -> list[Wish]:
        """The wishes index entries name, in their order (one BatchGetItem per 100). The index lags the
        table a little: a wish that has left the listed status meanwhile is left out."""
        found = self._batch_get([{"PK": entry["PK"]["S"], "SK": entry["SK"]["S"]} for entry in entries])
        items = (found.get((entry["PK"]["S"], entry["SK"]["S"])) for entry in entries)
        return [_wish(item) for item in items if item is not None and item.get("status") == status.value]

    @staticmethod
    def _filters(query: ListQuery) -> tuple[list[str], dict[str, Any], dict[str, str]]:
        """The category, group and level filters of a list (attributes every list index carries)."""
        filters: list[str] = []
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        if query.category:
            filters.append("category = :category")
            values[":category"] = query.category
        if query.group:
            filters.append("contains(#groups, :group)")
            values[":group"] = query.group
            names["#groups"] = "groups"
        if query.level:
            filters.append("#level = :level")
            values[":level"] = query.level
            names["#level"] = "level"
        return filters, values, names

    def _list_params(self, query: ListQuery) -> tuple[dict[str, Any], tuple[str, str]]:
        filters, values, names = self._filters(query)
        if query.campaign:
            index, key_attr, key_value = "ByCampaign", "CampPK", campaign_list_key(query.campaign, query.status.value)
            filters.append("begins_with(region_code, :region)")
            values[":region"] = query.region
        else:
            level = regions.level_of(query.region)
            list_level = level if level in _LIST_INDEX else "county"
            index, key_attr = _LIST_INDEX[list_level]
            key_value = list_partition(query.status.value, regions.prefix_at(query.region, list_level))
            if list_level != level:
                filters.append("begins_with(region_code, :region)")
                values[":region"] = query.region
        values[":key"] = key_value
        params: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{key_attr} = :key",
            "ExpressionAttributeValues": to_dynamo(values),
            "ScanIndexForward": query.ascending,
        }
        if filters:
            params["FilterExpression"] = " AND ".join(filters)
        if names:
            params["ExpressionAttributeNames"] = names
        return params, (key_attr, key_value)

    def created_between(
        self, region: str, status: Status, low: str, high: str, page_size: int
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """The wishes of one status in a region created in [low, high] (ListSK bounds), oldest first,
        read a page at a time: (ListSK, the wish as stored). Below a county: the township's ByArea
        partition, each page of entries then one BatchGetItem."""
        level = regions.level_of(region)
        if level in _AREA_LEVELS:
            yield from self._created_in_area(region, status, low, high, page_size)
            return
        list_level = level if level in _LIST_INDEX else "county"
        index, key = _LIST_INDEX[list_level]
        params: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{key} = :key AND ListSK BETWEEN :low AND :high",
            "ExpressionAttributeValues": to_dynamo(
                {
                    ":key": list_partition(status.value, regions.prefix_at(region, list_level)),
                    ":low": low,
                    ":high": high,
                }
            ),
            "Limit": page_size,
        }
        if list_level != level:
            params["FilterExpression"] = "begins_with(region_code, :region)"
            params["ExpressionAttributeValues"][":region"] = {"S": region}
        for wish in self._query_all(**params):
            yield wish["ListSK"], wish

    def _created_in_area(
        self, region: str, status: Status, low: str, high: str, page_size: int
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        values = {
            ":key": list_partition(status.value, regions.prefix_at(region, "township")),
            ":low": low,
            ":high": high,
        }
        params: dict[str, Any] = {
            "IndexName": "ByArea",
            "KeyConditionExpression": "AreaPK = :key AND AreaSK BETWEEN :low AND :high",
            "Limit": page_size,
        }
        if regions.level_of(region) == "village":
            params["FilterExpression"] = "begins_with(region_code, :region)"
            values[":region"] = region
        params["ExpressionAttributeValues"] = to_dynamo(values)
        start = None
        while True:
            response = self._query(**params, ExclusiveStartKey=start)
            entries = response.get("Items", [])
            found = self._batch_get([{"PK": entry["PK"]["S"], "SK": entry["SK"]["S"]} for entry in entries])
            for entry in entries:
                wish = found.get((entry["PK"]["S"], entry["SK"]["S"]))
                if wish is not None and wish.get("status") == status.value:  # moved meanwhile: listed there
                    yield wish["ListSK"], wish
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    def holders_between(self, county: str, low: str, high: str, statuses: list[str]) -> Iterator[dict[str, Any]]:
        """The claims (of the given statuses) of a county's wishes created in [low, high] (ListSK bounds), in
        their wishes' order: one Query of ByArea for a ledger page, whatever its rows (entries only:
        wish_id, donor_id, donor_name, matched, status)."""
        values: dict[str, Any] = {
            ":key": keys.holders_partition(county),
            ":low": low,
            ":high": f"{high}#~",
        }
        values.update({f":s{n}": status for n, status in enumerate(statuses)})
        return self._query_all(
            IndexName="ByArea",
            KeyConditionExpression="AreaPK = :key AND AreaSK BETWEEN :low AND :high",
            FilterExpression=f"#status IN ({', '.join(f':s{n}' for n in range(len(statuses)))})",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_dynamo(values),
        )
