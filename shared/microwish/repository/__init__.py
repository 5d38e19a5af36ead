"""The data-access layer: every AWS call to the wish table, and every key and item shape in it.

- keys         every key format (WISH#, CLAIM#, STATS#, ...) and the due-index kinds
- codec        items to and from DynamoDB JSON; the opaque list cursors
- items        the item each model is stored as (index attributes derived from its fields)
- transaction  `Transaction`: one state change in the domain's verbs, each returning a named `Guard`;
               `ConditionFailed.guard` says which one failed
- table        `TableStore`: the client, `commit`, and the reads the stores share
- wishes       `WishStore`: a wish, its private part, claims, audit trail, access log, due index
- campaigns    `CampaignStore`;  donors  `DonorStore`;  stats  `StatsStore` (counters, leaderboard)
- inbox        `InboxStore`: notifications, preferences, send caps
- chat         `ChatStore`: binding codes, chat bindings, guided conversations (microwish.chat)
- units        `UnitStore`: the unit registry, units' contacts and members (issue 12)
- activities   `ActivityStore`: activities and the quota reminders' markers (issue 12 §2)
- volunteers   `VolunteerStore`: a work wish's needs, places and signups (issue 12 §3)

`WishRepository` is the wish store with the other stores of the same table beside it
(`repo.campaigns`, `repo.donors`, `repo.stats`): what a service is handed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from .. import lazy
from .codec import to_dynamo
from .keys import wish_key as _wish_key
from .table import TableStore
from .wishes import WishStore

if TYPE_CHECKING:
    from ..models import DonorRecord
    from . import keys
    from .activities import ActivityStore, ExternalFundsStore
    from .campaigns import CampaignStore
    from .chat import ChatStore
    from .codec import decode_cursor, encode_cursor, from_dynamo
    from .donors import DonorStore
    from .inbox import InboxStore
    from .items import audit_item, claim_item, wish_index_keys, wish_item
    from .keys import DUE_ERASURE, DUE_ESCALATION, DUE_LEASE, is_wish_id
    from .recognition_counts import RecognitionCountStore
    from .stats import CounterMove, DonorDays, DonorTrail, LeaderboardMove, StatsStore
    from .table import dynamodb_client
    from .transaction import ConditionFailed, Guard, Transaction
    from .units import UnitStore
    from .volunteers import VolunteerStore
    from .wishes import _LIST_INDEX, DueKey, ListQuery

# Lazy (PEP 562, as microwish.models): `from microwish.repository import WishRepository` loads the wish store and
# what it needs, not every store and its models; each other name loads its module when first asked for.
_MODULE_OF: dict[str, str] = {
    "ActivityStore": "activities",
    "ExternalFundsStore": "activities",
    "CampaignStore": "campaigns",
    "ChatStore": "chat",
    "decode_cursor": "codec",
    "encode_cursor": "codec",
    "from_dynamo": "codec",
    "DonorStore": "donors",
    "InboxStore": "inbox",
    "audit_item": "items",
    "claim_item": "items",
    "wish_index_keys": "items",
    "wish_item": "items",
    "DUE_ERASURE": "keys",
    "DUE_ESCALATION": "keys",
    "DUE_LEASE": "keys",
    "is_wish_id": "keys",
    "CounterMove": "stats",
    "DonorDays": "stats",
    "DonorTrail": "stats",
    "RecognitionCountStore": "recognition_counts",
    "LeaderboardMove": "stats",
    "StatsStore": "stats",
    "dynamodb_client": "table",
    "ConditionFailed": "transaction",
    "Guard": "transaction",
    "Transaction": "transaction",
    "UnitStore": "units",
    "VolunteerStore": "volunteers",
    "_LIST_INDEX": "wishes",
    "DueKey": "wishes",
    "ListQuery": "wishes",
}


__getattr__, __dir__ = lazy.exports(__name__, _MODULE_OF, globals())


__all__ = [
    "DUE_ERASURE",
    "DUE_ESCALATION",
    "DUE_LEASE",
    "_LIST_INDEX",
    "ActivityStore",
    "CampaignStore",
    "ChatStore",
    "ConditionFailed",
    "CounterMove",
    "DonorDays",
    "DonorStore",
    "DonorTrail",
    "DueKey",
    "ExternalFundsStore",
    "Guard",
    "InboxStore",
    "LeaderboardMove",
    "ListQuery",
    "StatsStore",
    "TableStore",
    "Transaction",
    "UnitStore",
    "VolunteerStore",
    "WishRepository",
    "WishStore",
    "audit_item",
    "claim_item",
    "decode_cursor",
    "dynamodb_client",
    "encode_cursor",
    "from_dynamo",
    "is_wish_id",
    "keys",
    "to_dynamo",
    "wish_index_keys",
    "wish_item",
    "wish_key",
]


StoreT = TypeVar("StoreT", bound=TableStore)


def wish_key(wish_id: str) -> dict[str, dict[str, str]]:
    """A wish's key as DynamoDB's client takes it (for scripts and tests that call the client)."""
    return to_dynamo(_wish_key(wish_id))


class WishRepository(WishStore):
    """The wish store, with the stores of the table's other aggregates beside it (same table, same client)."""

    def _beside(self, store: type[StoreT]) -> StoreT:
        return store(self.table_name, self._client)

    @property
    def campaigns(self) -> CampaignStore:
        from .campaigns import CampaignStore

        return self._beside(CampaignStore)

    @property
    def chat(self) -> ChatStore:
        from .chat import ChatStore

        return self._beside(ChatStore)

    @property
    def donors(self) -> DonorStore:
        from .donors import DonorStore

        return self._beside(DonorStore)

    @property
    def units(self) -> UnitStore:
        from .units import UnitStore

        return self._beside(UnitStore)

    @property
    def volunteers(self) -> VolunteerStore:
        from .volunteers import VolunteerStore

        return self._beside(VolunteerStore)

    @property
    def activities(self) -> ActivityStore:
        from .activities import ActivityStore

        return self._beside(ActivityStore)

    @property
    def external_funds(self) -> ExternalFundsStore:
        from .activities import ExternalFundsStore

        return self._beside(ExternalFundsStore)

    @property
    def stats(self) -> StatsStore:
        from .stats import StatsStore

        return self._beside(StatsStore)

    @property
    def recognition_counts(self) -> RecognitionCountStore:
        from .recognition_counts import RecognitionCountStore

        return self._beside(RecognitionCountStore)

    def get_donor_record(self, donor_id: str) -> DonorRecord:
        return self.donors.record(donor_id)
