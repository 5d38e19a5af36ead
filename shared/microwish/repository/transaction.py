"""The writes of one state change, in the domain's words, committed all or nothing.

Each verb adds one item to the transaction and returns its `Guard`: the name of the condition that
item carries. When DynamoDB cancels the transaction, `ConditionFailed.guard` is the guard that
failed, so a caller asks `failure.guard == donor_guard` (or `donor_guard.failed(failure)`) instead
of counting places in the transaction.

One more item for any state change (e.g. issue 16's idempotency record, written in the same
transaction so the answer and the change land together): `tx.put_new(name, item, table_name=...,
key_attribute=...)` adds a Put guarded by `attribute_not_exists(<key>)`, in this table or another,
and returns its guard.
Inside a keyed request (`microwish.once`), `TableStore.commit` adds the key's record this way to the
first change the request commits, without the service knowing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..lifecycle import TERMINAL, Status
from ..settings import get_settings
from . import keys
from .codec import to_dynamo
from .items import access_item, audit_item, campaign_item, claim_item, wish_item

if TYPE_CHECKING:  # annotations only: a function that never builds a model does not load them
    from ..models import AccessEntry, AuditEvent, Campaign, Claim, Wish


@dataclass(frozen=True)
class Guard:
    """A named condition of one item of a transaction ("wish", "donor limit", "claim <id>", ...)."""

    name: str
    index: int

    def failed(self, failure: ConditionFailed) -> bool:
        return failure.guard == self


class ConditionFailed(Exception):
    """A conditional write found the item otherwise than expected.

    `item` is how that item was (None if absent); `guard` names the condition that failed (None for
    a single conditional write, or a refusal decided before writing); `index` is its place.
    """

    def __init__(self, item: dict[str, Any] | None, guard: Guard | None = None) -> None:
        super().__init__(f"condition failed: {guard.name}" if guard else "condition failed")
        self.item = item
        self.guard = guard

    @property
    def index(self) -> int:
        return self.guard.index if self.guard else 0


class Transaction:
    """The writes of one state change, committed all or nothing by a store's `commit`."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        self.items: list[dict[str, Any]] = []
        self.guards: list[Guard] = []
        # The wishes this change writes, by id: a claim put beside one is indexed under it (claim_item).
        self.wishes: dict[str, Wish] = {}

    # ------------------------------------------------------------ the generic part
    def _add(
        self,
        name: str,
        operation: str,
        body: dict[str, Any],
        condition: str | None = None,
        values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
    ) -> Guard:
        body = {"TableName": self.table_name, **body, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        if condition:
            body["ConditionExpression"] = condition
        if values:
            body["ExpressionAttributeValues"] = to_dynamo(values)
        if names:
            body["ExpressionAttributeNames"] = names
        guard = Guard(name, len(self.items))
        self.items.append({operation: body})
        self.guards.append(guard)
        return guard

    def extended(self) -> Transaction:
        """A copy to add items to, leaving this one as it is."""
        copy = Transaction(self.table_name)
        copy.items, copy.guards, copy.wishes = list(self.items), list(self.guards), dict(self.wishes)
        return copy

    def guard_at(self, index: int) -> Guard | None:
        return self.guards[index] if 0 <= index < len(self.guards) else None

    def put_new(
        self, name: str, item: dict[str, Any], *, table_name: str | None = None, key_attribute: str = "PK"
    ) -> Guard:
        """A new item, written only if no item has its key yet (`attribute_not_exists(<key attribute>)`).

        The hook for one more guarded item in any state change: `table_name` may name another table
        (an idempotency record keyed by caller, route and key), `key_attribute` its partition key.
        """
        guard = self._add(
            name, "Put", {"Item": to_dynamo(item)}, "attribute_not_exists(#key)", names={"#key": key_attribute}
        )
        if table_name is not None:
            self.items[guard.index]["Put"]["TableName"] = table_name
        return guard

    # ------------------------------------------------------------ wishes
    def replace_wish(self, before: Wish, after: Wish, event: AuditEvent | None) -> Guard:
        """The new wish if it is still at the version read, and the event that says why; the guard is the
        version's ("wish")."""
        self.wishes[after.id] = after
        guard = self._add(
            "wish",
            "Put",
            {"Item": to_dynamo(wish_item(after))},
            "#version = :version",
            {":version": before.version},
            {"#version": "version"},
        )
        if event is not None:
            self.audit(after, event)
        if after.status in TERMINAL and before.status not in TERMINAL:
            # The wish ends: its private part goes on the sparse due index, to be erased when the
            # retention period is over (services/erasure.py). No condition: an already erased part
            # is simply taken off the index again by the sweep.
            self._add(
                "erasure due",
                "Update",
                {"Key": to_dynamo(keys.private_key(after.id)), "UpdateExpression": "SET DuePK = :kind, DueSK = :due"},
                values={":kind": keys.DUE_ERASURE, ":due": keys.due_sort_key(_erasure_due(after), after.id)},
            )
        return guard

    def add_pledge(self, wish: Wish, amount_fen: int, now: str, max_pledges: int) -> Guard:
        """Add a pledge to a pooled wish's total while keeping it strictly below the target ("wish").

        Such pledges commute, so concurrent donors do not collide on the wish's version; the one
        pledge that reaches the target goes through `replace_wish` instead, which moves the status.
        """
        room = (wish.target_fen or 0) - amount_fen
        self.wishes[wish.id] = wish
        return self._add(
            "wish",
            "Update",
            {
                "Key": to_dynamo(keys.wish_key(wish.id)),
                "UpdateExpression": "SET pledged_fen = pledged_fen + :amount, updated_at = :now "
                "ADD pledge_count :one, #version :one",
            },
            "#status = :open AND pledged_fen < :room AND pledge_count < :max",
            {
                ":amount": amount_fen,
                ":now": now,
                ":one": 1,
                ":open": Status.OPEN.value,
                ":room": room,
                ":max": max_pledges,
            },
            {"#status": "status", "#version": "version"},
        )

    def audit(self, wish: Wish, event: AuditEvent, order: int = 0) -> Guard:
        """The audit event of the change (a new item: its key is unique)."""
        return self._add(
            f"audit {event.action.value}",
            "Put",
            {"Item": to_dynamo(audit_item(wish, event, order))},
            "attribute_not_exists(PK)",
        )

    def erase_private(self, wish_id: str, erased_at: str, due_sk: str | None = None) -> Guard:
        """Blank the private part, while it still holds personal data (and is still due as read)."""
        condition = "attribute_exists(beneficiary)"
        values: dict[str, Any] = {":at": erased_at, ":type": "private"}
        if due_sk is not None:
            condition += " AND DueSK = :due"
            values[":due"] = due_sk
        return self._add(
            "private part",
            "Update",
            {
                "Key": to_dynamo(keys.private_key(wish_id)),
                "UpdateExpression": "SET erased_at = :at, #type = :type REMOVE beneficiary, DuePK, DueSK",
            },
            condition,
            values,
            {"#type": "type"},
        )

    def record_access(self, entry: AccessEntry) -> Guard:
        """One read of a private view, logged with the change whose answer shows it (no condition: its key
        has a random part)."""
        return self._add("access", "Put", {"Item": to_dynamo(access_item(entry))})

    # ------------------------------------------------------------ claims and donors
    def put_claim(self, claim: Claim, lease_due: str | None = None) -> Guard:
        """A new claim, pledge or offer (on the lease index when `lease_due` is given). Every claim is put
        beside its wish's own write in the same change: the claim is indexed under that wish (ByArea)."""
        item = claim_item(claim, lease_due, self.wishes.get(claim.wish_id))
        return self._add(f"claim {claim.id}", "Put", {"Item": to_dynamo(item)}, "attribute_not_exists(PK)")

    def move_claim(
        self,
        claim: Claim,
        status: str,
        now: str,
        *,
        expect: str,
        deadline: str | None = None,
        lease_due: str | None = None,
        note: str | None = None,
        donor_name: str | None = None,
    ) -> Guard:
        """Move a claim on, if it is still in the status the decision was made on."""
        names = {"#status": "status"}
        values: dict[str, Any] = {":status": str(status), ":now": now, ":expect": str(expect)}
        sets = ["#status = :status", "updated_at = :now"]
        removes = []
        if deadline:
            sets += ["deadline = :deadline", "reminded = :false", "DuePK = :lease", "DueSK = :due"]
            values.update(
                {
                    ":deadline": deadline,
                    ":false": False,
                    ":lease": keys.DUE_LEASE,
                    ":due": keys.due_sort_key(lease_due or deadline, claim.id),
                }
            )
        else:
            removes += ["DuePK", "DueSK"]  # off the lease index: nothing more to wait for
        if note:
            sets.append("note = :note")
            values[":note"] = note
        if donor_name:
            sets.append("donor_name = :donor_name")
            values[":donor_name"] = donor_name
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        return self._add(
            f"claim {claim.id}",
            "Update",
            {"Key": to_dynamo(keys.claim_key(claim.wish_id, claim.id)), "UpdateExpression": expression},
            "#status = :expect",
            values,
            names,
        )

    def remind_claim(self, claim: Claim, due_sk: str) -> Guard:
        """Mark a claim reminded and move its lease entry to the deadline, if still as the sweep read it."""
        return self._add(
            f"claim {claim.id}",
            "Update",
            {
                "Key": to_dynamo(keys.claim_key(claim.wish_id, claim.id)),
                "UpdateExpression": "SET reminded = :true, DueSK = :deadline",
            },
            "#status = :status AND DueSK = :due",
            {
                ":true": True,
                ":deadline": keys.due_sort_key(claim.deadline or "", claim.id),
                ":status": str(claim.status),
                ":due": due_sk,
            },
            {"#status": "status"},
        )

    def count_donor(self, donor_id: str, *, limit: int | None = None, **deltas: int) -> Guard:
        """Move the donor's record counters; with `limit`, only while their active claims stay under it
        (the guard "donor limit"; without a limit it never fails)."""
        names = {f"#{name}": name for name in deltas}
        values = {f":{name}": delta for name, delta in deltas.items()}
        expression = "ADD " + ", ".join(f"#{name} :{name}" for name in deltas)
        condition = None
        if limit is not None:
            names["#active"] = "active"
            values[":room"] = limit - deltas.get("active", 0)
            condition = "attribute_not_exists(#active) OR #active <= :room"
        return self._add(
            "donor limit" if limit is not None else f"donor {donor_id}",
            "Update",
            {"Key": to_dynamo(keys.donor_record_key(donor_id)), "UpdateExpression": expression},
            condition,
            values,
            names,
        )

    # ------------------------------------------------------------ campaigns
    def put_campaign(self, campaign: Campaign) -> Guard:
        return self.put_new("campaign", campaign_item(campaign))

    def move_matched(self, campaign: Campaign, delta: int) -> Guard:
        """Move the campaign's matched total; upwards only while it stays within the cap ("matching cap")."""
        cap = campaign.matching.cap_fen if campaign.matching else 0
        key = {"Key": to_dynamo(keys.campaign_key(campaign.id)), "UpdateExpression": "ADD matched_fen :delta"}
        if delta > 0:
            return self._add(
                "matching cap",
                "Update",
                key,
                "attribute_exists(PK) AND (attribute_not_exists(matched_fen) OR matched_fen <= :room)",
                {":delta": delta, ":room": cap - delta},
            )
        return self._add("campaign", "Update", key, "attribute_exists(PK)", {":delta": delta})

    def accept_matching(self, campaign: Campaign, sponsor_id: str, sponsor_name: str, now: str) -> Guard:
        """The sponsor's acceptance, while the offer names them and is still only offered ("matching offer")."""
        return self._add(
            "matching offer",
            "Update",
            {
                "Key": to_dynamo(keys.campaign_key(campaign.id)),
                "UpdateExpression": "SET matching.#status = :active, matching.accepted_at = :now, "
                "matching.sponsor_name = :name",
            },
            "matching.sponsor_id = :me AND (attribute_not_exists(matching.#status) OR matching.#status = :offered)",
            {":active": "active", ":offered": "offered", ":now": now, ":name": sponsor_name, ":me": sponsor_id},
            {"#status": "status"},
        )

    # ------------------------------------------------------------ units (issue 12)
    def require_member(self, unit_id: str, sub: str, *, admin: bool = False) -> Guard:
        """The change holds only while `sub` is a member (with `admin`: an admin) of the unit ("unit member")."""
        condition = "attribute_exists(PK)" + (" AND #role = :admin" if admin else "")
        return self._add(
            "unit member",
            "ConditionCheck",
            {"Key": to_dynamo(keys.member_key(unit_id, sub))},
            condition,
            {":admin": "admin"} if admin else None,
            {"#role": "role"} if admin else None,
        )

    def check_exists(self, name: str, key: dict[str, str]) -> Guard:
        """The change holds only while the item exists (a ConditionCheck)."""
        return self._add(name, "ConditionCheck", {"Key": to_dynamo(key)}, "attribute_exists(PK)")

    def put_versioned(self, name: str, item: dict[str, Any], version: int) -> Guard:
        """Replace an item still at the version read (the item's own `version` attribute)."""
        return self._add(
            name,
            "Put",
            {"Item": to_dynamo(item)},
            "#version = :version",
            {":version": version},
            {"#version": "version"},
        )

    def put(self, name: str, item: dict[str, Any]) -> Guard:
        """An unconditional put (an item that moves with a guarded one)."""
        return self._add(name, "Put", {"Item": to_dynamo(item)})

    def delete_existing(self, name: str, key: dict[str, str]) -> Guard:
        """Delete an item that must still exist."""
        return self._add(name, "Delete", {"Key": to_dynamo(key)}, "attribute_exists(PK)")

    # ------------------------------------------------------------ volunteer work (issue 12 §3)
    def take_place(self, wish_id: str) -> Guard:
        """One more place taken, only while some are left ("places"): the no-overbooking condition."""
        return self._add(
            "places",
            "Update",
            {"Key": to_dynamo(keys.volunteering_key(wish_id)), "UpdateExpression": "ADD signed_up :one"},
            "attribute_exists(PK) AND signed_up < places",
            {":one": 1},
        )

    def give_back_place(self, wish_id: str) -> Guard:
        return self._add(
            "places",
            "Update",
            {"Key": to_dynamo(keys.volunteering_key(wish_id)), "UpdateExpression": "ADD signed_up :minus"},
            "attribute_exists(PK) AND signed_up > :zero",
            {":minus": -1, ":zero": 0},
        )

    def drop_signup(self, wish_id: str, sub: str) -> Guard:
        """Delete a signup that exists and was not checked in yet ("signup")."""
        return self._add(
            "signup",
            "Delete",
            {"Key": to_dynamo(keys.signup_key(wish_id, sub))},
            "attribute_exists(PK) AND #status = :signed",
            {":signed": "signed_up"},
            {"#status": "status"},
        )

    def check_signup_minutes(self, wish_id: str, sub: str, minutes: int | None) -> Guard:
        """The change holds only while the signup's checked-in minutes are still `minutes` ("signup")."""
        return self._add(
            "signup",
            "ConditionCheck",
            {"Key": to_dynamo(keys.signup_key(wish_id, sub))},
            "minutes = :was",
            {":was": minutes},
        )

    def check_wish_status(self, wish_id: str, statuses: tuple[str, ...]) -> Guard:
        """The change holds only while the wish is in one of `statuses` ("wish status")."""
        values = {f":s{index}": status for index, status in enumerate(statuses)}
        return self._add(
            "wish status",
            "ConditionCheck",
            {"Key": to_dynamo(keys.wish_key(wish_id))},
            f"#status IN ({', '.join(values)})",
            values,
            {"#status": "status"},
        )

    # ------------------------------------------------------------ report counters
    def mark_counted(self, wish_id: str, sort_key: str, at: str) -> Guard:
        """The marker that makes counting an audit record happen once ("counted")."""
        return self.put_new("counted", {**keys.counted_marker_key(wish_id, sort_key), "type": "counted", "at": at})

    def move_counter(self, dimension: str, bucket: str, deltas: dict[str, int], sets: dict[str, set[str]]) -> Guard:
        """ADD to a counter item: numbers, and string sets (donors, months). Commutes; never fails."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        parts = []
        for index, (name, amount) in enumerate(sorted(deltas.items())):
            names[f"#a{index}"] = name
            values[f":a{index}"] = amount
            parts.append(f"#a{index} :a{index}")
        for attribute in sorted(sets):
            if sets[attribute]:
                names[f"#{attribute}"] = attribute
                values[f":{attribute}"] = set(sets[attribute])
                parts.append(f"#{attribute} :{attribute}")
        return self._add(
            f"counter {dimension} {bucket}",
            "Update",
            {"Key": to_dynamo(keys.counter_key(dimension, bucket)), "UpdateExpression": "ADD " + ", ".join(parts)},
            None,
            values,
            names,
        )

    def put_donor_trail(self, donor_id: str, days: dict[str, int], version: int | None) -> Guard:
        """The days a donor gave on ({"<dim>|<yyyy-mm>": bitmask}), if still at the version read (None: not
        there yet). A few bytes a month and place: it grows with the donor's own giving, not with donors."""
        item = {**keys.donor_trail_key(donor_id), "type": "donor_days", "v": (version or 0) + 1, **days}
        if version is None:
            return self.put_new(f"donor days {donor_id}", item)
        return self._add(
            f"donor days {donor_id}",
            "Put",
            {"Item": to_dynamo(item)},
            "#v = :v",
            {":v": version},
            {"#v": "v"},
        )

    def move_leaderboard(
        self,
        scope: str,
        month: str,
        kind: str,
        donor_id: str,
        *,
        unit_name: str,
        display_name: str,
        donor_ref: str,
        value_fen: int,
    ) -> Guard:
        """One more fulfilled wish (and its value) for a donor on a region's monthly leaderboard."""
        return self._add(
            f"leaderboard {scope} {month}",
            "Update",
            {
                "Key": to_dynamo(keys.leaderboard_key(scope, month, kind, donor_id)),
                "UpdateExpression": "SET #name = :name, display_name = :display, donor_ref = :ref, #kind = :kind, "
                "donor_id = :donor ADD fulfilled :one, value_fen :value",
            },
            None,
            {
                ":name": unit_name,
                ":display": display_name,
                ":ref": donor_ref,
                ":kind": kind,
                ":donor": donor_id,
                ":one": 1,
                ":value": value_fen,
            },
            {"#name": "name", "#kind": "kind"},
        )


def _erasure_due(wish: Wish) -> str:
    """When a wish that ended now has its private part erased (the RetentionDays parameter)."""
    return get_settings().erasure_due(wish.updated_at)
