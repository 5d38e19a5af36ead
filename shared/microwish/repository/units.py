"""The unit registry (issue 12 §1): units, their private contact, their members.

- unit      PK=UNIT#<id> SK=UNIT; on the list indexes as ProvPK/CityPK/CountyPK = unit#<prefix> (each level
            at or above the unit's own), ListSK = <padded region code>#<id>: a region subtree's units
            are one Query of the index of the region's level (begins_with on the padded prefix).
- contact   PK=UNIT#<id> SK=PRIVATE (personal data; never on an index, never on the stream's consumers:
            type `unit_private`)
- member    PK=UNIT#<id> SK=MEMBER#<sub>; PersonPK=UNITS#<sub>: a person's units
"""

from __future__ import annotations

from typing import Any

from .. import regions
from ..models.units import Member, Unit, UnitContact
from . import keys
from .codec import decode_cursor, encode_cursor, from_dynamo, to_dynamo
from .table import TableStore
from .transaction import ConditionFailed

# The list index a region's units are read from, by the region's level (township and village: their county's).
_INDEX_OF_LEVEL = {"province": ("ByProvince", "ProvPK", "province"), "city": ("ByCity", "CityPK", "city")}
_COUNTY_INDEX = ("ByCounty", "CountyPK", "county")
_MAX_ITEMS_READ_PER_PAGE = 500


def _list_keys(unit: Unit) -> dict[str, str]:
    """The list index attributes of a unit: one per level at or above its own (province, city, county)."""
    index: dict[str, str] = {"ListSK": f"{regions.padded(unit.region_code)}#{unit.id}"}
    for level, attribute in (("province", "ProvPK"), ("city", "CityPK"), ("county", "CountyPK")):
        try:
            index[attribute] = f"{keys.UNIT_LIST}{regions.prefix_at(unit.region_code, level)}"
        except regions.RegionCodeError:
            break  # the unit's own level is above this one
    return index


def unit_item(unit: Unit) -> dict[str, Any]:
    return {**keys.unit_key(unit.id), "type": "unit", **unit.model_dump(mode="json"), **_list_keys(unit)}


def contact_item(unit_id: str, contact: UnitContact) -> dict[str, Any]:
    return {**keys.unit_contact_key(unit_id), "type": "unit_private", "contact": contact.model_dump(mode="json")}


def member_item(member: Member) -> dict[str, Any]:
    return {
        **keys.member_key(member.unit_id, member.sub),
        "type": "unit_member",
        **member.model_dump(mode="json"),
        "PersonPK": f"{keys.UNITS_OF}{member.sub}",
        "PersonSK": member.unit_id,
    }


class UnitStore(TableStore):
    # ------------------------------------------------------------ reads
    def get(self, unit_id: str) -> Unit | None:
        if not keys.is_wish_id(unit_id):  # the same shape: uuid4 hex
            return None
        item = self._get(keys.unit_key(unit_id))
        return Unit.model_validate(item) if item else None

    def get_many(self, unit_ids: list[str]) -> dict[str, Unit]:
        found = self._batch_get([keys.unit_key(unit_id) for unit_id in unit_ids if keys.is_wish_id(unit_id)])
        return {item["id"]: Unit.model_validate(item) for item in found.values()}

    def contact(self, unit_id: str) -> UnitContact | None:
        item = self._get(keys.unit_contact_key(unit_id))
        return UnitContact.model_validate(item["contact"]) if item and item.get("contact") else None

    def member(self, unit_id: str, sub: str | None) -> Member | None:
        if not sub or not keys.is_wish_id(unit_id):
            return None
        item = self._get(keys.member_key(unit_id, sub))
        return Member.model_validate(item) if item else None

    def members(self, unit_id: str) -> list[Member]:
        return [
            Member.model_validate(item) for item in self._partition(keys.unit_partition(unit_id), keys.MEMBER_PREFIX)
        ]

    def member_subs(self, unit_id: str) -> list[str]:
        """The members' subs: one Query of the unit's partition (its MEMBER# items), projecting the sub only —
        what the notifier may read of a unit (never its contact)."""
        if not keys.is_wish_id(unit_id):
            return []
        items = self._query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ProjectionExpression="#sub",
            ExpressionAttributeNames={"#sub": "sub"},
            ExpressionAttributeValues=to_dynamo({":pk": keys.unit_partition(unit_id), ":prefix": keys.MEMBER_PREFIX}),
        )
        return [str(item["sub"]) for item in items if item.get("sub")]

    def units_of(self, sub: str) -> list[Member]:
        """A person's memberships (the ByPerson index), at most a few per person."""
        items = self._query_all(
            IndexName="ByPerson",
            KeyConditionExpression="PersonPK = :pk",
            ExpressionAttributeValues=to_dynamo({":pk": f"{keys.UNITS_OF}{sub}"}),
        )
        return [Member.model_validate(item) for item in items]

    def page(self, region: str, kind: str | None, limit: int, cursor: str | None) -> tuple[list[Unit], str | None]:
        """The units of a region subtree (of `kind`), by region code then id; one index Query a page."""
        level = regions.level_of(region)
        index, attribute, index_level = _INDEX_OF_LEVEL.get(level, _COUNTY_INDEX)
        partition = f"{keys.UNIT_LIST}{regions.prefix_at(region, index_level)}"
        values: dict[str, Any] = {":pk": partition, ":prefix": regions.normalize(region)}
        params: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{attribute} = :pk AND begins_with(ListSK, :prefix)",
        }
        if kind:
            params["FilterExpression"] = "#kind = :kind"
            params["ExpressionAttributeNames"] = {"#kind": "kind"}
            values[":kind"] = kind
        params["ExpressionAttributeValues"] = to_dynamo(values)
        start = decode_cursor(cursor, {"PK", "SK", attribute, "ListSK"}, (attribute, partition))
        found: list[Unit] = []
        read = 0
        while True:
            response = self._query(**params, Limit=limit - len(found), ExclusiveStartKey=start)
            read += response.get("ScannedCount", 0)
            found += [Unit.model_validate(from_dynamo(item)) for item in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start or len(found) >= limit or read >= _MAX_ITEMS_READ_PER_PAGE:
                return found, encode_cursor(start)

    # ------------------------------------------------------------ writes
    def create(self, unit: Unit, contact: UnitContact | None, admins: list[Member]) -> None:
        """The unit, its contact and its first admins, in one transaction (the id is new)."""
        transaction = self.transaction()
        transaction.put_new("unit", unit_item(unit))
        if contact is not None:
            transaction.put_new("unit contact", contact_item(unit.id, contact))
        for member in admins:
            transaction.put_new(f"member {member.sub}", member_item(member))
        self.commit(transaction)

    def update(self, before: Unit, after: Unit, contact: UnitContact | None) -> bool:
        """The unit as changed, if still at the version read (False when someone changed it first)."""
        transaction = self.transaction()
        guard = transaction.put_versioned("unit", unit_item(after), before.version)
        if contact is not None:
            transaction.put("unit contact", contact_item(after.id, contact))
        return self.commit_unless(transaction, guard)

    def add_member(self, member: Member) -> bool:
        """The member, while the unit exists; True when added now, False when already a member (as any role)."""
        transaction = self.transaction()
        transaction.check_exists("unit", keys.unit_key(member.unit_id))
        guard = transaction.put_new("member", member_item(member))
        return self.commit_unless(transaction, guard)

    def remove_member(self, unit_id: str, sub: str) -> bool:
        """True when a member was removed now (a conditional delete: a second removal removes nothing)."""
        transaction = self.transaction()
        transaction.delete_existing("member", keys.member_key(unit_id, sub))
        try:
            self.commit(transaction)
        except ConditionFailed:
            return False
        return True
