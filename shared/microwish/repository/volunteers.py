"""Volunteer work (issue 12 §3): a work wish's needs with its counter of places taken, and the signups.

- needs   PK=WISH#<id> SK=BOOKING: places, signed_up (the counter), day, place, skills, minutes
- signup  PK=WISH#<id> SK=BOOKING#<sub>; PersonPK=VOLUNTEER#<sub> (a volunteer's own places);
          ProvPK/CityPK/CountyPK=volunteer#<prefix>, ListSK=<day>#<wish id>#<sub> (a region's hours by day)

A signup is one transaction: the counter moves up only while it is below the places (`signed_up < places`),
the signup is new, and the wish still takes volunteers. Concurrent signups commute, and the condition
is in the update itself: no read can go stale, so N volunteers for k places give exactly k.
"""

from __future__ import annotations

from typing import Any

from ..models.volunteers import Signup, Volunteering
from . import keys
from .codec import decode_cursor, encode_cursor, from_dynamo, to_dynamo
from .recognition_counts import event_item
from .region_lists import by_day_query, partition_keys
from .table import TableStore
from .transaction import ConditionFailed

TAKES_VOLUNTEERS = ("open", "assigned", "claimed")  # the wish's statuses in which places can be taken


def signup_item(signup: Signup, region_code: str) -> dict[str, Any]:
    item = {
        **keys.signup_key(signup.wish_id, signup.volunteer_id),
        "type": "signup",
        **signup.model_dump(mode="json"),
        "PersonPK": f"{keys.VOLUNTEERING_OF}{signup.volunteer_id}",
        "PersonSK": f"{signup.day}#{signup.wish_id}",
        "ListSK": f"{signup.day}#{signup.wish_id}#{signup.volunteer_id}",
    }
    return {**item, **partition_keys(keys.VOLUNTEER_LIST, region_code)}


class VolunteerStore(TableStore):
    def needs(self, wish_id: str) -> Volunteering | None:
        if not keys.is_wish_id(wish_id):
            return None
        item = self._get(keys.volunteering_key(wish_id))
        return Volunteering.model_validate(item) if item else None

    def put_needs(self, needs: Volunteering) -> bool:
        """The needs (new or changed), keeping the counter; False when fewer places than already taken."""
        values = {k: v for k, v in needs.model_dump(mode="json").items() if k not in ("wish_id", "signed_up")}
        names = {f"#{k}": k for k in values}
        sets = ", ".join(f"#{k} = :{k}" for k in values)
        found = self._update_if(
            keys.volunteering_key(needs.wish_id),
            f"SET {sets}, wish_id = :wish, #type = :type, signed_up = if_not_exists(signed_up, :zero)",
            "attribute_not_exists(PK) OR signed_up <= :places",
            {**{f":{k}": v for k, v in values.items()}, ":wish": needs.wish_id, ":type": "volunteering", ":zero": 0},
            {**names, "#type": "type"},
        )
        return found is not None

    def signup(self, signup: Signup, region_code: str) -> str | None:
        """Take a place: None when taken, else why not ("full", "signed_up", "closed")."""
        transaction = self.transaction()
        # The first condition that fails is the answer, so the items go in the order of what is said first: a
        # finished wish is `closed` even when its places are all taken (they never free up again).
        new = transaction.put_new("signup", signup_item(signup, region_code))
        wish = transaction.check_wish_status(signup.wish_id, TAKES_VOLUNTEERS)
        counter = transaction.take_place(signup.wish_id)
        try:
            self.commit(transaction)
        except ConditionFailed as failure:
            if new.failed(failure):
                return "signed_up"
            if wish.failed(failure):
                return "closed"
            if counter.failed(failure):
                return "full"
            raise
        return None

    def withdraw(self, wish_id: str, sub: str) -> str | None:
        """Give a place back: None when given back, else why not ("not_signed_up", "checked_in")."""
        transaction = self.transaction()
        signup = transaction.drop_signup(wish_id, sub)
        transaction.give_back_place(wish_id)
        try:
            self.commit(transaction)
        except ConditionFailed as failure:
            if signup.failed(failure):
                return "checked_in" if failure.item else "not_signed_up"
            raise
        return None

    def is_full(self, wish_id: str) -> bool:
        """Every place taken now (read strongly consistent: after a signup, the last one sees it)."""
        item = self.client.get_item(
            TableName=self.table_name,
            Key=to_dynamo(keys.volunteering_key(wish_id)),
            ProjectionExpression="places, signed_up",
            ConsistentRead=True,
        ).get("Item")
        found = from_dynamo(item) if item else {}
        return bool(found) and int(found.get("signed_up", 0)) >= int(found.get("places", 0))

    def mark_full(self, wish_id: str, at: str, notice: tuple[str, dict[str, Any]]) -> bool:
        """Every place taken: mark the needs (`full_at`) with the notice event, once; False when not full or
        marked before (a withdrawal and a new signup fill it again without a second notice)."""
        transaction = self.transaction()
        guard = transaction._add(  # noqa: SLF001 - the generic part of the transaction builder
            "full",
            "Update",
            {"Key": to_dynamo(keys.volunteering_key(wish_id)), "UpdateExpression": "SET full_at = :at"},
            "signed_up >= places AND attribute_not_exists(full_at)",
            {":at": at},
        )
        subject, fields = notice
        transaction.put_new("notice event", event_item(subject, at, fields))
        return self.commit_unless(transaction, guard)

    def get_signup(self, wish_id: str, sub: str) -> Signup | None:
        item = self._get(keys.signup_key(wish_id, sub))
        return Signup.model_validate(item) if item else None

    def check_in(
        self,
        before: Signup,
        at: str,
        by: str,
        minutes: int,
        recognition_event: tuple[str, dict[str, Any]] | None = None,
    ) -> Signup | None:
        """Mark a volunteer present with their minutes (again: the minutes change), with the event of the
        minutes' move (the recognition counters), in one transaction; None when no longer signed up.

        Guarded by the minutes read (`before`): ConditionFailed when they moved meanwhile (read again)."""
        transaction = self.transaction()
        values: dict[str, Any] = {":in": "checked_in", ":at": at, ":by": by, ":minutes": minutes}
        condition = "attribute_exists(PK) AND attribute_not_exists(minutes)"
        if before.minutes is not None:
            condition, values[":was"] = "attribute_exists(PK) AND minutes = :was", before.minutes
        guard = transaction._add(  # noqa: SLF001 - the generic part of the transaction builder
            "signup",
            "Update",
            {
                "Key": to_dynamo(keys.signup_key(before.wish_id, before.volunteer_id)),
                "UpdateExpression": "SET #status = :in, checked_in_at = if_not_exists(checked_in_at, :at), "
                "checked_in_by = :by, minutes = :minutes",
            },
            condition,
            values,
            {"#status": "status"},
        )
        if recognition_event is not None:
            subject, fields = recognition_event
            transaction.put_new("recognition event", event_item(subject, at, fields))
        try:
            self.commit(transaction)
        except ConditionFailed as failure:
            if guard.failed(failure) and failure.item is None:
                return None
            raise
        checked_in_at = before.checked_in_at or at
        return before.model_copy(
            update={"status": "checked_in", "checked_in_at": checked_in_at, "checked_in_by": by, "minutes": minutes}
        )

    def signups(self, wish_id: str) -> list[Signup]:
        return [Signup.model_validate(i) for i in self._partition(keys.wish_partition(wish_id), keys.SIGNUP_PREFIX)]

    def signups_of(self, sub: str, limit: int, cursor: str | None) -> tuple[list[Signup], str | None]:
        partition = f"{keys.VOLUNTEERING_OF}{sub}"
        start = decode_cursor(cursor, {"PK", "SK", "PersonPK", "PersonSK"}, ("PersonPK", partition))
        response = self._query(
            IndexName="ByPerson",
            KeyConditionExpression="PersonPK = :pk",
            ExpressionAttributeValues=to_dynamo({":pk": partition}),
            ScanIndexForward=False,
            Limit=limit,
            ExclusiveStartKey=start,
        )
        items = [Signup.model_validate(from_dynamo(i)) for i in response.get("Items", [])]
        return items, encode_cursor(response.get("LastEvaluatedKey"))

    def region_signups(self, region: str, first_day: str, last_day: str) -> list[Signup]:
        """The signups of a region subtree whose day is in [first_day, last_day] (one index, by day)."""
        query = by_day_query(keys.VOLUNTEER_LIST, region, first_day, last_day, "township_code", to_township=True)
        return [Signup.model_validate(item) for item in self._query_all(**query)]
