"""Campaigns: PK=CAMPAIGN#<id> SK=CAMPAIGN, listed on ByPerson as PersonPK=CAMPAIGNS, PersonSK=<ends_at>#<id>
(one small partition, newest-ending first; a federation runs tens of campaigns a year)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import Campaign
from . import keys
from .codec import decode_cursor, encode_cursor, from_dynamo, to_dynamo
from .table import TableStore
from .transaction import ConditionFailed

_MAX_ITEMS_READ_PER_PAGE = 500


class CampaignStore(TableStore):
    def get(self, campaign_id: str) -> Campaign | None:
        if not keys.is_campaign_id(campaign_id):
            return None
        item = self._get(keys.campaign_key(campaign_id))
        return Campaign.model_validate(item) if item else None

    def create(self, campaign: Campaign) -> None:
        """The new campaign (its id is new: the put is conditional on no item having it)."""
        transaction = self.transaction()
        transaction.put_campaign(campaign)
        self.commit(transaction)

    def accept_matching(self, campaign: Campaign, sponsor_id: str, sponsor_name: str, now: str) -> bool:
        """The sponsor accepts the offer; False when the offer was no longer offered to them (lost a race,
        or an item from before offers had a status): what is stored then decides."""
        transaction = self.transaction()
        transaction.accept_matching(campaign, sponsor_id, sponsor_name, now)
        try:
            self.commit(transaction)
        except ConditionFailed:
            return False
        return True

    def page(
        self,
        active_at: str | None,
        running: bool | None,
        keep: Callable[[Campaign], bool],
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Campaign], str | None]:
        """Campaigns newest-ending first, those `keep` accepts; with `running`, only those running at
        `active_at` (True) or not (False); bounded work per page."""
        values: dict[str, Any] = {":list": keys.CAMPAIGN_LIST}
        params: dict[str, Any] = {
            "IndexName": "ByPerson",
            "KeyConditionExpression": "PersonPK = :list",
            "ScanIndexForward": False,
        }
        if running is True:
            params["FilterExpression"] = "starts_at <= :now AND ends_at > :now"
            values[":now"] = active_at
        elif running is False:
            params["FilterExpression"] = "(starts_at > :now OR ends_at <= :now)"
            values[":now"] = active_at
        params["ExpressionAttributeValues"] = to_dynamo(values)
        start = decode_cursor(cursor, {"PK", "SK", "PersonPK", "PersonSK"}, ("PersonPK", keys.CAMPAIGN_LIST))
        found: list[Campaign] = []
        read = 0
        while True:
            response = self._query(**params, Limit=limit - len(found), ExclusiveStartKey=start)
            read += response.get("ScannedCount", 0)
            for item in response.get("Items", []):
                campaign = Campaign.model_validate(from_dynamo(item))
                if keep(campaign):
                    found.append(campaign)
            start = response.get("LastEvaluatedKey")
            if not start or len(found) >= limit or read >= _MAX_ITEMS_READ_PER_PAGE:
                return found, encode_cursor(start)
