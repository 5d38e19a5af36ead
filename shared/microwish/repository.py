"""Every AWS call to the wish table, and the shape of its items.

Item layout (one table, see README "The wish table"):
- wish          PK=WISH#<id>  SK=WISH        public fields + index keys (no personal data)
- private part  PK=WISH#<id>  SK=PRIVATE     the beneficiary's name, phone, address; on the due index
                (erasure) once the wish ended; after erasure a tombstone with `erased_at` only
- claim         PK=WISH#<id>  SK=CLAIM#<id>  a claim or pledge (donor index keys)
- audit event   PK=WISH#<id>  SK=AUDIT#<at>#<n>  one per state change, written in the same transaction
- access entry  PK=ACCESS#<wish id>  SK=<at>#<n>  an officer's or admin's read of the private view
                (PersonPK=ACCESS#<actor>: the actor's reads); type "access", so no stream consumer sees it
Every state change is one conditional write or one transaction; a failed condition raises
`ConditionFailed` with the item as it was, so the caller can say the wish's real state.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from . import clock, once, regions
from .audit_time import written_keys
from .errors import InvalidInput
from .lifecycle import ESCALATABLE, TERMINAL, Status
from .models import AuditEvent, Beneficiary, Claim, DonorRecord, Wish
from .settings import get_settings

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

WISH_SK = "WISH"
PRIVATE_SK = "PRIVATE"
CLAIM_PREFIX = "CLAIM#"
AUDIT_PREFIX = "AUDIT#"
DUE_ESCALATION = "escalation"
DUE_LEASE = "lease"
DUE_ERASURE = "erasure"  # a finished wish's private part, due for erasure when its retention ends
ACCESS_PREFIX = "ACCESS#"

# The list index that serves a region filter, by the filter's level; deeper filters (township,
# village) query their county's partition with a begins_with filter on the village code.
_LIST_INDEX = {"province": ("ByProvince", "ProvPK"), "city": ("ByCity", "CityPK"),
               "county": ("ByCounty", "CountyPK")}
_MAX_ITEMS_READ_PER_PAGE = 500  # bounds the work one filtered page may do


class ConditionFailed(Exception):
    """A conditional write found the item otherwise than expected.

    `item` is how that item was (None if absent); `index` is its place in the transaction.
    """

    def __init__(self, item: dict[str, Any] | None, index: int = 0) -> None:
        super().__init__("condition failed")
        self.item = item
        self.index = index


@cache
def dynamodb_client():  # noqa: ANN201 - one client per process, created on first use
    return boto3.client("dynamodb")


def to_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in item.items() if value is not None}


def from_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    # DynamoDB numbers come back as Decimal; every number we store is a whole number.
    if hasattr(value, "as_integer_ratio") and not isinstance(value, (int, float, bool)):
        return int(value)
    if isinstance(value, list):
        return [_plain(entry) for entry in value]
    if isinstance(value, dict):
        return {key: _plain(entry) for key, entry in value.items()}
    if isinstance(value, set):
        return sorted(_plain(entry) for entry in value)
    return value


def idempotency_record_put(keyed: once.KeyedRequest) -> dict[str, Any]:
    """A keyed request's record, as one more Put of its change's transaction: only if absent."""
    return {"Put": {"TableName": keyed.table_name, "ConditionExpression": "attribute_not_exists(id)",
                    "Item": to_dynamo({"id": keyed.record_id, "payload_hash": keyed.payload_hash,
                                       "expiration": keyed.expires_at, "status": "COMMITTED"})}}


def is_wish_id(text: str) -> bool:
    """Ids are uuid4 hex; anything else cannot exist, so it is not even looked up."""
    return len(text) == 32 and all(char in "0123456789abcdef" for char in text)


def wish_key(wish_id: str) -> dict[str, Any]:
    return {"PK": {"S": f"WISH#{wish_id}"}, "SK": {"S": WISH_SK}}


def wish_index_keys(wish: Wish) -> dict[str, str]:
    """The index attributes a wish carries, derived from its fields (so they never drift)."""
    status = wish.status.value
    keys = {
        "ProvPK": f"{status}#{regions.prefix_at(wish.region_code, 'province')}",
        "CityPK": f"{status}#{regions.prefix_at(wish.region_code, 'city')}",
        "CountyPK": f"{status}#{regions.prefix_at(wish.region_code, 'county')}",
        "ListSK": f"{wish.created_at}#{wish.id}",
        "PersonPK": f"WISHES#{wish.submitted_by}",
        "PersonSK": f"{wish.created_at}#{wish.id}",
    }
    if wish.campaign_id:
        keys["CampPK"] = f"{wish.campaign_id}#{status}"
    # Sparse: only a wish that waits on someone can fall due for escalation.
    if wish.due_at and wish.status in ESCALATABLE:
        keys["DuePK"] = DUE_ESCALATION
        keys["DueSK"] = f"{wish.due_at}#{wish.id}"
    return keys


def wish_item(wish: Wish) -> dict[str, Any]:
    body = wish.model_dump(mode="json")
    return {"PK": f"WISH#{wish.id}", "SK": WISH_SK, "type": "wish", **body, **wish_index_keys(wish)}


def audit_item(wish: Wish, event: AuditEvent, order: int = 0) -> dict[str, Any]:
    """An audit event beside its wish. It sorts by time, then by the wish's version and `order`
    (two events of one change), so the trail reads in the order things happened."""
    # The event carries what its readers (notifications, reports) need, so none reads the wish back.
    return {
        "PK": f"WISH#{wish.id}",
        "SK": f"{AUDIT_PREFIX}{event.at}#{wish.version:09d}.{order}#{uuid.uuid4().hex[:8]}",
        "type": "audit",
        "wish_id": wish.id,
        **written_keys(),  # the ByWritten index: what a dead-lettered stream batch held (replay)
        **event.model_dump(mode="json"),
        "wish": {
            "title": wish.title, "category": wish.category, "groups": wish.groups,
            "region_code": wish.region_code, "level": wish.level, "status": wish.status.value,
            "mode": wish.mode, "target_fen": wish.target_fen, "pledged_fen": wish.pledged_fen,
            "submitted_by": wish.submitted_by, "campaign_id": wish.campaign_id,
            "created_at": wish.created_at,
            "approved_at": wish.approved_at,  # reports: days from approval to fulfilment
            "feedback": wish.feedback,  # the beneficiary's thanks, meant for donors (never the officer's note)
        },
    }


def private_key(wish_id: str) -> dict[str, str]:
    return {"PK": f"WISH#{wish_id}", "SK": PRIVATE_SK}


def erasure_due(ended_at: str) -> str:
    """When a wish that ended at `ended_at` has its private part erased (the RetentionDays parameter)."""
    return clock.iso(clock.parse(ended_at) + timedelta(days=get_settings().retention_days))


def claim_item(claim: Claim, lease_due: str | None = None) -> dict[str, Any]:
    """A claim beside its wish; on the donor's list, and on the lease index while it has a deadline."""
    item = {"PK": f"WISH#{claim.wish_id}", "SK": f"{CLAIM_PREFIX}{claim.id}", "type": "claim",
            **claim.model_dump(mode="json"),
            "PersonPK": f"CLAIMS#{claim.donor_id}", "PersonSK": f"{claim.created_at}#{claim.id}"}
    if lease_due:
        item["DuePK"] = DUE_LEASE
        item["DueSK"] = f"{lease_due}#{claim.id}"
    return item


def claim_key(claim: Claim) -> dict[str, str]:
    return {"PK": f"WISH#{claim.wish_id}", "SK": f"{CLAIM_PREFIX}{claim.id}"}


def donor_record_key(donor_id: str) -> dict[str, str]:
    return {"PK": f"DONOR#{donor_id}", "SK": "RECORD"}


def _wish_from_item(item: dict[str, Any]) -> Wish:
    return Wish.model_validate(item)


# ---------------------------------------------------------------- cursors
def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, attributes: set[str], partition: tuple[str, str]) -> dict[str, Any] | None:
    """The start key a cursor holds, if it is one this very list gave out.

    It must name exactly the list's key attributes and the list's own partition: anything else
    could start a query somewhere the caller was not listing.
    """
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidInput("cursor", "is not a cursor this list gave out") from None
    valid = (
        isinstance(key, dict) and set(key) == attributes
        and all(isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str)
                for value in key.values())
        and key[partition[0]]["S"] == partition[1]
    )
    if not valid:
        raise InvalidInput("cursor", "is not a cursor this list gave out")
    return key


class Transaction:
    """The writes of one state change, committed all or nothing by `WishRepository.commit`.

    Item 0 is always the guarded one a caller reads `ConditionFailed.index` against, when the
    caller builds it first (services put the wish first).
    """

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        self.items: list[dict[str, Any]] = []

    def put(self, item: dict[str, Any], condition: str | None = None,
            values: dict[str, Any] | None = None, names: dict[str, str] | None = None) -> Transaction:
        put: dict[str, Any] = {"TableName": self.table_name, "Item": to_dynamo(item),
                               "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        _add_condition(put, condition, values, names)
        self.items.append({"Put": put})
        return self

    def update(self, key: dict[str, str], expression: str, condition: str | None = None,
               values: dict[str, Any] | None = None, names: dict[str, str] | None = None) -> Transaction:
        update: dict[str, Any] = {"TableName": self.table_name, "Key": to_dynamo(key),
                                  "UpdateExpression": expression,
                                  "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        _add_condition(update, condition, values, names)
        self.items.append({"Update": update})
        return self

    def add_pledge(self, wish: Wish, amount_fen: int, now: str, max_pledges: int) -> Transaction:
        """Add a pledge to a pooled wish's total while keeping it strictly below the target.

        Such pledges commute, so concurrent donors do not collide on the wish's version; the one
        pledge that reaches the target goes through `replace_wish` instead, which moves the status.
        """
        room = (wish.target_fen or 0) - amount_fen
        return self.update(
            {"PK": f"WISH#{wish.id}", "SK": WISH_SK},
            "SET pledged_fen = pledged_fen + :amount, updated_at = :now ADD pledge_count :one, #version :one",
            "#status = :open AND pledged_fen < :room AND pledge_count < :max",
            {":amount": amount_fen, ":now": now, ":one": 1, ":open": Status.OPEN.value, ":room": room,
             ":max": max_pledges},
            {"#status": "status", "#version": "version"},
        )

    def replace_wish(self, before: Wish, after: Wish, event: AuditEvent | None) -> Transaction:
        """The new wish if it is still at the version read, and the event that says why."""
        self.put(wish_item(after), "#version = :version", {":version": before.version}, {"#version": "version"})
        if event is not None:
            self.put(audit_item(after, event), "attribute_not_exists(PK)")
        if after.status in TERMINAL and before.status not in TERMINAL:
            # The wish ends: its private part goes on the sparse due index, to be erased when the
            # retention period is over (services/erasure.py). No condition: an already erased part
            # is simply taken off the index again by the sweep.
            self.update(private_key(after.id), "SET DuePK = :kind, DueSK = :due",
                        values={":kind": DUE_ERASURE, ":due": f"{erasure_due(after.updated_at)}#{after.id}"})
        return self


def _add_condition(operation: dict[str, Any], condition: str | None, values: dict[str, Any] | None,
                   names: dict[str, str] | None) -> None:
    if condition:
        operation["ConditionExpression"] = condition
    if values:
        operation["ExpressionAttributeValues"] = to_dynamo(values)
    if names:
        operation["ExpressionAttributeNames"] = names


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


class TableStore:
    """A view of the one table: its name and the process's client (or a given one)."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or dynamodb_client()


class WishRepository(TableStore):

    # ------------------------------------------------------------ writes
    def transaction(self) -> Transaction:
        return Transaction(self.table_name)

    def commit(self, transaction: Transaction) -> None:
        self._transact(transaction.items)

    def _transact(self, items: list[dict[str, Any]]) -> None:
        # Inside a keyed request, its first change carries the key's record (microwish.once).
        keyed = once.current()
        carries_record = keyed is not None and not keyed.recorded
        if carries_record:
            items = [*items, idempotency_record_put(keyed)]
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            if carries_record and len(reasons) == len(items) and reasons[-1].get("Code") == "ConditionalCheckFailed":
                raise once.AlreadyDone from None
            for index, reason in enumerate(reasons):
                if reason.get("Code") == "ConditionalCheckFailed":
                    item = reason.get("Item")
                    raise ConditionFailed(from_dynamo(item) if item else None, index) from None
            raise
        if keyed is not None:
            keyed.recorded = True

    def put_new_wish(self, wish: Wish, beneficiary: Beneficiary, event: AuditEvent) -> None:
        """The wish, its private part and its first audit event, all or nothing."""
        private = {"PK": f"WISH#{wish.id}", "SK": PRIVATE_SK, "type": "private",
                   "beneficiary": beneficiary.model_dump(mode="json", exclude_none=True)}
        self._transact([
            self._put(wish_item(wish), "attribute_not_exists(PK)"),
            self._put(private, "attribute_not_exists(PK)"),
            self._put(audit_item(wish, event), "attribute_not_exists(PK)"),
        ])

    def replace_wish(self, before: Wish, after: Wish, event: AuditEvent) -> None:
        """Write `after` if the stored wish is still the `before` we read (same version), with its event."""
        transaction = self.transaction()
        transaction.replace_wish(before, after, event)
        self.commit(transaction)

    def _put(self, item: dict[str, Any], condition: str | None) -> dict[str, Any]:
        return Transaction(self.table_name).put(item, condition).items[0]

    def erase_private(self, wish: Wish, event: AuditEvent, erased_at: str, due_sk: str | None = None) -> None:
        """Blank the private part (name, phone, address go; a tombstone stays) with its audit event.

        Conditional on the part still holding personal data (and, for the retention sweep, on still
        being due as read): a second erasure raises ConditionFailed and writes nothing. The part
        leaves the due index in the same write.
        """
        condition = "attribute_exists(beneficiary)"
        values: dict[str, Any] = {":at": erased_at, ":type": "private"}
        if due_sk is not None:
            condition += " AND DueSK = :due"
            values[":due"] = due_sk
        transaction = self.transaction()
        transaction.update(private_key(wish.id), "SET erased_at = :at, #type = :type REMOVE beneficiary, DuePK, DueSK",
                           condition, values, {"#type": "type"})
        transaction.put(audit_item(wish, event), "attribute_not_exists(PK)")
        self.commit(transaction)

    def drop_due(self, key: dict[str, str], due_sk: str) -> None:
        """Take an item off the due index, if it is still there as read (nothing left to do for it)."""
        try:
            self.client.update_item(TableName=self.table_name, Key=to_dynamo(key),
                                    UpdateExpression="REMOVE DuePK, DueSK", ConditionExpression="DueSK = :due",
                                    ExpressionAttributeValues=to_dynamo({":due": due_sk}))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def put_access(self, entry: dict[str, Any]) -> None:
        """One read of a private view, recorded: a single unconditional put (a random suffix keeps it apart)."""
        item = {"PK": f"{ACCESS_PREFIX}{entry['wish_id']}", "SK": f"{entry['at']}#{uuid.uuid4().hex[:8]}",
                "type": "access", **entry,
                "PersonPK": f"{ACCESS_PREFIX}{entry['actor']}", "PersonSK": f"{entry['at']}#{entry['wish_id']}"}
        self.client.put_item(TableName=self.table_name, Item=to_dynamo(item))

    def get_private(self, wish_id: str) -> dict[str, Any] | None:
        response = self.client.get_item(TableName=self.table_name, Key=to_dynamo(private_key(wish_id)))
        item = response.get("Item")
        return from_dynamo(item) if item else None

    # ------------------------------------------------------------ reads
    def get_wish(self, wish_id: str) -> Wish | None:
        if not is_wish_id(wish_id):
            return None
        response = self.client.get_item(TableName=self.table_name, Key=wish_key(wish_id))
        item = response.get("Item")
        return _wish_from_item(from_dynamo(item)) if item else None

    def get_wish_bundle(self, wish_id: str) -> tuple[Wish, dict[str, Any], list[dict[str, Any]]] | None:
        """The wish with its private part and claims: one Query of its partition, audit events left out."""
        if not is_wish_id(wish_id):
            return None
        items = self._query_all(
            KeyConditionExpression="PK = :pk AND SK >= :first",
            ExpressionAttributeValues={":pk": {"S": f"WISH#{wish_id}"}, ":first": {"S": CLAIM_PREFIX}},
        )
        by_kind: dict[str, Any] = {"claims": []}
        for item in items:
            if item["SK"] == WISH_SK:
                by_kind["wish"] = item
            elif item["SK"] == PRIVATE_SK:
                by_kind["private"] = item
            elif item["SK"].startswith(CLAIM_PREFIX):
                by_kind["claims"].append(item)
        if "wish" not in by_kind:
            return None
        return _wish_from_item(by_kind["wish"]), by_kind.get("private", {}), by_kind["claims"]

    def get_wish_and_claims(self, wish_id: str) -> tuple[Wish, list[dict[str, Any]]] | None:
        """The wish and its claims, without its private part (GetItem, then a Query of the claims)."""
        wish = self.get_wish(wish_id)
        if wish is None:
            return None
        claims = list(self._query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :claim)",
            ExpressionAttributeValues={":pk": {"S": f"WISH#{wish_id}"}, ":claim": {"S": CLAIM_PREFIX}},
        ))
        return wish, claims

    def take_upload_ticket(self, wish_id: str, uploader: str, limit: int) -> bool:
        """Count one upload ticket of (wish, uploader); False (nothing counted) at the limit.
        One counter item per pair, UPLOADS#<wish> / <uploader hash>, outside the wish's partition."""
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"PK": {"S": f"UPLOADS#{wish_id}"}, "SK": {"S": uploader}},
                UpdateExpression="ADD issued :one SET #type = :type",
                ConditionExpression="attribute_not_exists(issued) OR issued < :limit",
                ExpressionAttributeNames={"#type": "type"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)},
                                           ":type": {"S": "upload_tickets"}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_wishes(self, wish_ids: list[str]) -> dict[str, Wish]:
        """Many wishes by id (BatchGetItem, at most 100); unknown ids are simply absent."""
        keys = [wish_key(wish_id) for wish_id in dict.fromkeys(wish_ids) if is_wish_id(wish_id)]
        found: dict[str, Wish] = {}
        while keys:
            response = self.client.batch_get_item(RequestItems={self.table_name: {"Keys": keys[:100]}})
            for item in response.get("Responses", {}).get(self.table_name, []):
                wish = _wish_from_item(from_dynamo(item))
                found[wish.id] = wish
            unprocessed = response.get("UnprocessedKeys", {}).get(self.table_name, {}).get("Keys", [])
            if unprocessed:
                time.sleep(0.05)  # throttled: give the table a moment before asking again
            keys = keys[100:] + unprocessed
        return found

    def get_private_parts(self, wish_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The private parts (PRIVATE items) of many wishes by id: BatchGetItem, 100 keys a call."""
        keys = [to_dynamo({"PK": f"WISH#{wish_id}", "SK": PRIVATE_SK})
                for wish_id in dict.fromkeys(wish_ids) if is_wish_id(wish_id)]
        found: dict[str, dict[str, Any]] = {}
        while keys:
            response = self.client.batch_get_item(RequestItems={self.table_name: {"Keys": keys[:100]}})
            for item in response.get("Responses", {}).get(self.table_name, []):
                plain = from_dynamo(item)
                found[plain["PK"].removeprefix("WISH#")] = plain
            unprocessed = response.get("UnprocessedKeys", {}).get(self.table_name, {}).get("Keys", [])
            if unprocessed:
                time.sleep(0.05)  # throttled: give the table a moment before asking again
            keys = keys[100:] + unprocessed
        return found

    def get_donor_record(self, donor_id: str) -> DonorRecord:
        response = self.client.get_item(TableName=self.table_name, Key=to_dynamo(donor_record_key(donor_id)))
        item = from_dynamo(response.get("Item", {}))
        return DonorRecord.model_validate({**item, "donor_id": donor_id})

    def due(self, kind: str, now: str, limit: int, cursor: dict[str, Any] | None
            ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Keys of the items of `kind` due by `now`, soonest first: the cost follows what is due."""
        response = self._query(
            IndexName="ByDue", KeyConditionExpression="DuePK = :kind AND DueSK <= :now",
            ExpressionAttributeValues={":kind": {"S": kind}, ":now": {"S": f"{now}#~"}},
            Limit=limit, ExclusiveStartKey=cursor)
        return [from_dynamo(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")

    def person_items(self, partition: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """A person's own wishes (WISHES#<sub>) or claims (CLAIMS#<sub>), newest first."""
        response = self._query(
            IndexName="ByPerson", KeyConditionExpression="PersonPK = :person",
            ExpressionAttributeValues={":person": {"S": partition}}, ScanIndexForward=False, Limit=limit,
            ExclusiveStartKey=decode_cursor(cursor, {"PK", "SK", "PersonPK", "PersonSK"}, ("PersonPK", partition)))
        return [from_dynamo(item) for item in response.get("Items", [])], encode_cursor(
            response.get("LastEvaluatedKey"))

    def audit_trail(self, wish_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        partition = ("PK", f"WISH#{wish_id}")
        response = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :audit)",
            ExpressionAttributeValues={":pk": {"S": partition[1]}, ":audit": {"S": AUDIT_PREFIX}},
            Limit=limit, ExclusiveStartKey=decode_cursor(cursor, {"PK", "SK"}, partition),
        )
        return [from_dynamo(item) for item in response.get("Items", [])], encode_cursor(
            response.get("LastEvaluatedKey"))

    def wish_access_log(self, wish_id: str, limit: int, cursor: str | None
                        ) -> tuple[list[dict[str, Any]], str | None]:
        """Who read a wish's private view, newest first."""
        partition = ("PK", f"{ACCESS_PREFIX}{wish_id}")
        response = self._query(
            KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": partition[1]}},
            ScanIndexForward=False, Limit=limit, ExclusiveStartKey=decode_cursor(cursor, {"PK", "SK"}, partition))
        return [from_dynamo(item) for item in response.get("Items", [])], encode_cursor(
            response.get("LastEvaluatedKey"))

    def actor_access_log(self, actor: str, start: str, end: str, limit: int, cursor: str | None
                         ) -> tuple[list[dict[str, Any]], str | None]:
        """The private views one officer (or admin) read between `start` and `end` (RFC 3339), newest first."""
        partition = ("PersonPK", f"{ACCESS_PREFIX}{actor}")
        response = self._query(
            IndexName="ByPerson", KeyConditionExpression="PersonPK = :person AND PersonSK BETWEEN :start AND :end",
            ExpressionAttributeValues=to_dynamo({":person": partition[1], ":start": start, ":end": f"{end}#~"}),
            ScanIndexForward=False, Limit=limit,
            ExclusiveStartKey=decode_cursor(cursor, {"PK", "SK", "PersonPK", "PersonSK"}, partition))
        return [from_dynamo(item) for item in response.get("Items", [])], encode_cursor(
            response.get("LastEvaluatedKey"))

    def list_wishes(self, query: ListQuery) -> tuple[list[Wish], str | None]:
        """One page of a list index, filters applied by DynamoDB; bounded work per page."""
        params, partition = self._list_params(query)
        start = decode_cursor(query.cursor, {"PK", "SK", partition[0], "ListSK"}, partition)
        found: list[Wish] = []
        read = 0
        while True:
            response = self._query(**params, Limit=query.limit - len(found), ExclusiveStartKey=start)
            read += response.get("ScannedCount", 0)
            found.extend(_wish_from_item(from_dynamo(item)) for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start or len(found) >= query.limit or read >= _MAX_ITEMS_READ_PER_PAGE:
                return found, encode_cursor(start)

    def _list_params(self, query: ListQuery) -> tuple[dict[str, Any], tuple[str, str]]:
        filters, values, names = [], {}, {}
        if query.campaign:
            index, key_attr, key_value = "ByCampaign", "CampPK", f"{query.campaign}#{query.status.value}"
            filters.append("begins_with(region_code, :region)")
            values[":region"] = query.region
        else:
            level = regions.level_of(query.region)
            list_level = level if level in _LIST_INDEX else "county"
            index, key_attr = _LIST_INDEX[list_level]
            key_value = f"{query.status.value}#{regions.prefix_at(query.region, list_level)}"
            if list_level != level:
                filters.append("begins_with(region_code, :region)")
                values[":region"] = query.region
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

    def _query(self, **params: Any) -> dict[str, Any]:
        params = {key: value for key, value in params.items() if value is not None}
        try:
            return self.client.query(TableName=self.table_name, **params)
        except ClientError as error:
            # A cursor from another list (or edited by hand) names a key this query cannot start at.
            if params.get("ExclusiveStartKey") and error.response["Error"]["Code"] == "ValidationException":
                raise InvalidInput("cursor", "is not a cursor this list gave out") from None
            raise

    def _query_all(self, **params: Any) -> Iterator[dict[str, Any]]:
        start = None
        while True:
            response = self._query(**params, ExclusiveStartKey=start)
            yield from (from_dynamo(item) for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start:
                return
