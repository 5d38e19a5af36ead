"""Activities (issue 12 §2) and the quota reminders' markers.

- activity  PK=ACTIVITY#<id> SK=ACTIVITY; ProvPK/CityPK/CountyPK=activity#<prefix> (the unit's region),
            ListSK=<day>#<id>: a region's activities of a year are one Query (BETWEEN on the day);
            PersonPK=ACTIVITIES#<unit id>, PersonSK=<day>#<id>: a unit's activities
- marker    PK=UNIT#<id> SK=REMINDED#<year> (a unit reminded of its quota) and
            PK=REGION#<code> SK=QUOTA_SUMMARY#<year> (a superior federation unit given the summary): written
            only if absent, in the transaction of the inbox items they stand for — once per unit and year
"""

from __future__ import annotations

from typing import Any

from ..models.activities import Activity
from ..models.recognition import ExternalFunds
from . import keys
from .codec import to_dynamo
from .recognition_counts import event_item
from .region_lists import by_day_query, partition_keys
from .table import TableStore


def activity_item(activity: Activity) -> dict[str, Any]:
    item = {
        "PK": f"{keys.ACTIVITY_PREFIX}{activity.id}",
        "SK": keys.ACTIVITY_SK,
        "type": "activity",
        **activity.model_dump(mode="json"),
        "ListSK": f"{activity.day}#{activity.id}",
        "PersonPK": f"{keys.ACTIVITIES_OF}{activity.unit_id}",
        "PersonSK": f"{activity.day}#{activity.id}",
    }
    return {**item, **partition_keys(keys.ACTIVITY_LIST, activity.region_code)}


class ActivityStore(TableStore):
    def create(self, activity: Activity, recognition_event: tuple[str, dict[str, Any]] | None = None) -> None:
        """The activity, a link on each of its wishes (their fulfilment credits the unit) and the event the
        stream consumer counts (recognition_counts), all in one transaction."""
        transaction = self.transaction()
        transaction.put_new("activity", activity_item(activity))
        for wish_id in dict.fromkeys(activity.wish_ids):
            link = {**keys.activity_link_key(wish_id, activity.id), "type": "activity_link"}
            transaction.put("activity link", {**link, "unit_id": activity.unit_id, "activity_id": activity.id})
        if recognition_event is not None:
            subject, fields = recognition_event
            transaction.put_new("recognition event", event_item(subject, activity.created_at, fields))
        self.commit(transaction)

    def get(self, activity_id: str) -> Activity | None:
        if not keys.is_wish_id(activity_id):  # the same shape: uuid4 hex
            return None
        item = self._get({"PK": f"{keys.ACTIVITY_PREFIX}{activity_id}", "SK": keys.ACTIVITY_SK})
        return Activity.model_validate(item) if item else None

    def add_photos(self, activity_id: str, photo_keys: list[str], limit: int) -> bool:
        """Append attached photos' keys while the activity keeps at most `limit`; False when that is full."""
        found = self._update_if(
            {"PK": f"{keys.ACTIVITY_PREFIX}{activity_id}", "SK": keys.ACTIVITY_SK},
            "SET photo_keys = list_append(if_not_exists(photo_keys, :empty), :new)",
            "attribute_exists(PK) AND (attribute_not_exists(photo_keys) OR size(photo_keys) <= :room)",
            {":empty": [], ":new": photo_keys, ":room": limit - len(photo_keys)},
        )
        return found is not None

    def of_unit(self, unit_id: str) -> list[Activity]:
        items = self._query_all(
            IndexName="ByPerson",
            KeyConditionExpression="PersonPK = :pk",
            ExpressionAttributeValues=to_dynamo({":pk": f"{keys.ACTIVITIES_OF}{unit_id}"}),
            ScanIndexForward=False,
        )
        return [Activity.model_validate(item) for item in items]

    def in_region(self, region: str, first_day: str, last_day: str) -> list[Activity]:
        """The activities of units in a region subtree held in [first_day, last_day]: one index Query."""
        query = by_day_query(keys.ACTIVITY_LIST, region, first_day, last_day, "region_code")
        return [Activity.model_validate(item) for item in self._query_all(**query)]

    def notify_once(self, marker: dict[str, str], inbox_items: list[dict[str, Any]]) -> bool:
        """The marker and the inbox items, all or nothing; False when the marker was there (told before)."""
        transaction = self.transaction()
        guard = transaction.put_new("marker", {**marker, "type": "marker"})
        for item in inbox_items:
            transaction.put("inbox", item)
        return self.commit_unless(transaction, guard)


def external_funds_item(funds: ExternalFunds) -> dict[str, Any]:
    item = {
        "PK": f"{keys.EXTERNAL_FUNDS_PREFIX}{funds.id}",
        "SK": keys.EXTERNAL_FUNDS_SK,
        "type": "external_funds",
        **funds.model_dump(mode="json"),
        "ListSK": f"{funds.day}#{funds.id}",
    }
    return {**item, **partition_keys(keys.EXTERNAL_FUNDS_LIST, funds.region_code)}


class ExternalFundsStore(TableStore):
    """Funds raised outside the platform (EXTFUND#<id>; extfund#<prefix> on the list indexes, by day)."""

    def record(self, funds: ExternalFunds) -> None:
        transaction = self.transaction()
        transaction.put_new("external funds", external_funds_item(funds))
        self.commit(transaction)

    def in_region(self, region: str, first_day: str, last_day: str) -> list[ExternalFunds]:
        query = by_day_query(keys.EXTERNAL_FUNDS_LIST, region, first_day, last_day, "region_code")
        return [ExternalFunds.model_validate(item) for item in self._query_all(**query)]
