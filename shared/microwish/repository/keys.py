"""Every key format of the wish table, spelled here and nowhere else (README "The wish table").

- wish          PK=WISH#<id>  SK=WISH        public fields + index keys (no personal data)
- private part  PK=WISH#<id>  SK=PRIVATE     the beneficiary's name, phone, address; on the due index
                (erasure) once the wish ended; after erasure a tombstone with `erased_at` only
- claim         PK=WISH#<id>  SK=CLAIM#<id>  a claim or pledge (donor index keys)
- audit event   PK=WISH#<id>  SK=AUDIT#<at>#<version>.<order>#<n>  one per state change, in its transaction
- access entry  PK=ACCESS#<wish id>  SK=<at>#<n>  an officer's or admin's read of a private view
                (PersonPK=ACCESS#<actor>: the actor's reads)
- donor record  PK=DONOR#<sub>  SK=RECORD   claim counters, display name, donor_ref
- upload count  PK=UPLOADS#<wish id>  SK=<uploader hash>
- campaign      PK=CAMPAIGN#<id>  SK=CAMPAIGN  (PersonPK=CAMPAIGNS: the campaign list)
- counter       PK=STATS#<dim>  SK=T | M#<yyyy-mm> | D#<yyyy-mm-dd> | N#<yyyy-mm-dd>#<yyyy-mm>
- donor days    PK=DAYS#<donor id>  SK=ALL   the days a donor gave on, per most specific dimension (month
                bitmasks); before it, PK=DAYS#<dim>#<donor id>  SK=DAYS per dimension (infra/ops/backfill_donor_days.py)
- leaderboard   PK=LB#<region prefix>#<yyyy-mm>  SK=<kind>#<donor id>
- marker        PK=COUNTED#<wish id>  SK=<audit SK>[#lb<n>]
- notification  PK=INBOX#<owner>  SK=<created_at>#<id>
- preferences   PK=PREFS#<sub>  SK=PREFERENCES
- send counter  PK=SENDCAP#<address hash>  SK=D#<yyyy-mm-dd>
- chat message  PK=CHATMSG#<platform>#<message id>  SK=MESSAGE  a platform message acted on, its reply (TTL)
- chat nonce    PK=CHATNONCE#<platform>#<timestamp>#<nonce>  SK=NONCE  a signed request's nonce seen (TTL)
- chat code     PK=CHATCODE#<6 digits>  SK=CODE            a one-time binding code (TTL expires_at)
- chat binding  PK=CHAT#<platform>#<user>  SK=BINDING      the person a chat identity acts as
- chat talk     PK=CHAT#<platform>#<user>  SK=CONVERSATION a guided conversation's answers (TTL expires_at)
- chat tries    PK=CHAT#<platform>#<user>  SK=TRIES#<hour> wrong binding codes in an hour (TTL expires_at)
- chat shown    PK=CHAT#<platform>#<user>  SK=SHOWN         the wish ids a chat was last shown (TTL expires_at)
- my bindings   PK=CHATBIND#<sub>  SK=<platform>           a person's bound chat identities

The ByArea index (AreaPK, AreaSK) holds two kinds of small partitions:
- a wish        AreaPK=<status>#<township>  AreaSK=<created_at>#<wish id> (= ListSK)
- a claim       AreaPK=HOLDERS#<county of its wish>  AreaSK=<wish's created_at>#<wish id>#<claim id>
- unit          PK=UNIT#<id>  SK=UNIT     a registry unit's public part (ProvPK/CityPK/CountyPK=unit#<prefix>,
                ListSK=<padded region>#<id>: the registry of a region subtree)
- unit contact  PK=UNIT#<id>  SK=PRIVATE  its contact person (personal data)
- unit member   PK=UNIT#<id>  SK=MEMBER#<sub>  (PersonPK=UNITS#<sub>: a person's units)
- volunteering  PK=WISH#<id>  SK=BOOKING   a work wish's needs and its counter of places taken
- signup        PK=WISH#<id>  SK=BOOKING#<sub>  a volunteer's place (PersonPK=VOLUNTEER#<sub>; on the list
                indexes as volunteer#<prefix>, ListSK=<day>#<wish id>#<sub>: a region's hours by day)
                (BOOKING sorts between AUDIT# and CLAIM#: a wish's bundle query, SK >= CLAIM#, never reads them)
- activity      PK=ACTIVITY#<id>  SK=ACTIVITY  (activity#<prefix> on the list indexes, ListSK=<day>#<id>;
                PersonPK=ACTIVITIES#<unit id>)
- quota marker  PK=UNIT#<id>  SK=REMINDED#<year>;  PK=REGION#<code>  SK=QUOTA_SUMMARY#<year>
- outside funds PK=EXTFUND#<id>  SK=EXTFUND  (extfund#<prefix> on the list indexes, ListSK=<day>#<id>)
"""

from __future__ import annotations

import uuid
from typing import Any

Key = dict[str, str]

WISH_PREFIX = "WISH#"
WISH_SK = "WISH"
PRIVATE_SK = "PRIVATE"
CLAIM_PREFIX = "CLAIM#"
AUDIT_PREFIX = "AUDIT#"
ACCESS_PREFIX = "ACCESS#"
DONOR_PREFIX = "DONOR#"
DONOR_RECORD_SK = "RECORD"
UPLOADS_PREFIX = "UPLOADS#"
CAMPAIGN_PREFIX = "CAMPAIGN#"
CAMPAIGN_SK = "CAMPAIGN"
CAMPAIGN_LIST = "CAMPAIGNS"
STATS_PREFIX = "STATS#"
LEADERBOARD_PREFIX = "LB#"
COUNTED_PREFIX = "COUNTED#"
DONOR_DAYS_PREFIX = "DAYS#"
DONOR_DAYS_SK = "DAYS"
DONOR_TRAIL_SK = "ALL"
INBOX_PREFIX = "INBOX#"
PREFS_PREFIX = "PREFS#"
PREFS_SK = "PREFERENCES"
SENDCAP_PREFIX = "SENDCAP#"
UNIT_PREFIX = "UNIT#"
UNIT_SK = "UNIT"
MEMBER_PREFIX = "MEMBER#"
UNIT_LIST = "unit#"  # the list indexes' partitions of the unit registry: unit#<region prefix>
UNITS_OF = "UNITS#"
BOOKING_SK = "BOOKING"
SIGNUP_PREFIX = "BOOKING#"
VOLUNTEER_LIST = "volunteer#"
VOLUNTEERING_OF = "VOLUNTEER#"
ACTIVITY_PREFIX = "ACTIVITY#"
ACTIVITY_SK = "ACTIVITY"
ACTIVITY_LIST = "activity#"
ACTIVITIES_OF = "ACTIVITIES#"
EXTERNAL_FUNDS_PREFIX = "EXTFUND#"
EXTERNAL_FUNDS_SK = "EXTFUND"
EXTERNAL_FUNDS_LIST = "extfund#"

# Sparse due index (ByDue): DuePK names the kind, DueSK = "<due time>#<id>".
DUE_ESCALATION = "escalation"
DUE_LEASE = "lease"
DUE_ERASURE = "erasure"  # a finished wish's private part, due for erasure when its retention ends

# Area index (ByArea): a county's claims, by their wish's creation (the ledger's donor names).
HOLDERS_PREFIX = "HOLDERS#"

# Person index (ByPerson) partitions.
WISHES_OF = "WISHES#"
CLAIMS_OF = "CLAIMS#"


def is_wish_id(text: str) -> bool:
    """Ids are uuid4 hex; anything else cannot exist, so it is not even looked up."""
    return len(text) == 32 and all(char in "0123456789abcdef" for char in text)


is_campaign_id = is_wish_id  # the same shape: uuid4 hex


def wish_partition(wish_id: str) -> str:
    return f"{WISH_PREFIX}{wish_id}"


def wish_id_of(key: dict[str, Any]) -> str:
    """The wish id of any item of a wish's partition (a due-index key, an audit item)."""
    return str(key["PK"]).removeprefix(WISH_PREFIX)


def wish_key(wish_id: str) -> Key:
    return {"PK": wish_partition(wish_id), "SK": WISH_SK}


def private_key(wish_id: str) -> Key:
    return {"PK": wish_partition(wish_id), "SK": PRIVATE_SK}


def claim_key(wish_id: str, claim_id: str) -> Key:
    return {"PK": wish_partition(wish_id), "SK": f"{CLAIM_PREFIX}{claim_id}"}


def audit_key(wish_id: str, at: str, version: int, order: int) -> Key:
    return {"PK": wish_partition(wish_id), "SK": f"{AUDIT_PREFIX}{at}#{version:09d}.{order}#{uuid.uuid4().hex[:8]}"}


def access_key(wish_id: str, at: str) -> Key:
    return {"PK": f"{ACCESS_PREFIX}{wish_id}", "SK": f"{at}#{uuid.uuid4().hex[:8]}"}


def access_partition(wish_id: str) -> str:
    return f"{ACCESS_PREFIX}{wish_id}"


def actor_access_partition(actor: str) -> str:
    return f"{ACCESS_PREFIX}{actor}"


def donor_record_key(donor_id: str) -> Key:
    return {"PK": f"{DONOR_PREFIX}{donor_id}", "SK": DONOR_RECORD_SK}


def donor_id_of(key: dict[str, Any]) -> str:
    return str(key["PK"]).removeprefix(DONOR_PREFIX)


def upload_counter_key(wish_id: str, uploader: str) -> Key:
    return {"PK": f"{UPLOADS_PREFIX}{wish_id}", "SK": uploader}


def campaign_key(campaign_id: str) -> Key:
    return {"PK": f"{CAMPAIGN_PREFIX}{campaign_id}", "SK": CAMPAIGN_SK}


def counter_key(dimension: str, bucket: str) -> Key:
    return {"PK": f"{STATS_PREFIX}{dimension}", "SK": bucket}


def donor_days_key(dimension: str, donor_id: str) -> Key:
    """The old per-dimension item (read only by infra/ops/backfill_donor_days.py)."""
    return {"PK": f"{DONOR_DAYS_PREFIX}{dimension}#{donor_id}", "SK": DONOR_DAYS_SK}


def donor_trail_key(donor_id: str) -> Key:
    return {"PK": f"{DONOR_DAYS_PREFIX}{donor_id}", "SK": DONOR_TRAIL_SK}


def leaderboard_partition(scope: str, month: str) -> str:
    return f"{LEADERBOARD_PREFIX}{scope}#{month}"


def leaderboard_key(scope: str, month: str, kind: str, donor_id: str) -> Key:
    return {"PK": leaderboard_partition(scope, month), "SK": f"{kind}#{donor_id}"}


def counted_marker_key(wish_id: str, sort_key: str) -> Key:
    return {"PK": f"{COUNTED_PREFIX}{wish_id}", "SK": sort_key}


def inbox_partition(owner: str) -> str:
    return f"{INBOX_PREFIX}{owner}"


def notification_key(owner: str, created_at: str, notification_id: str) -> Key:
    return {"PK": inbox_partition(owner), "SK": f"{created_at}#{notification_id}"}


def preferences_key(sub: str) -> Key:
    return {"PK": f"{PREFS_PREFIX}{sub}", "SK": PREFS_SK}


def send_counter_key(recipient_hash: str, day: str) -> Key:
    return {"PK": f"{SENDCAP_PREFIX}{recipient_hash}", "SK": f"D#{day}"}


def holders_partition(county: str) -> str:
    return f"{HOLDERS_PREFIX}{county}"


def holder_sort_key(wish_list_sk: str, claim_id: str) -> str:
    """A claim's place in its city's holders partition: after its wish's ListSK, so a ledger page's
    range of ListSK bounds its claims too."""
    return f"{wish_list_sk}#{claim_id}"


def unit_key(unit_id: str) -> Key:
    return {"PK": f"{UNIT_PREFIX}{unit_id}", "SK": UNIT_SK}


def unit_contact_key(unit_id: str) -> Key:
    return {"PK": f"{UNIT_PREFIX}{unit_id}", "SK": PRIVATE_SK}


def member_key(unit_id: str, sub: str) -> Key:
    return {"PK": f"{UNIT_PREFIX}{unit_id}", "SK": f"{MEMBER_PREFIX}{sub}"}


def unit_partition(unit_id: str) -> str:
    return f"{UNIT_PREFIX}{unit_id}"


def volunteering_key(wish_id: str) -> Key:
    return {"PK": wish_partition(wish_id), "SK": BOOKING_SK}


def signup_key(wish_id: str, sub: str) -> Key:
    return {"PK": wish_partition(wish_id), "SK": f"{SIGNUP_PREFIX}{sub}"}


def reminded_marker_key(unit_id: str, year: int) -> Key:
    return {"PK": f"{UNIT_PREFIX}{unit_id}", "SK": f"REMINDED#{year}"}


def summary_marker_key(region: str, year: int) -> Key:
    return {"PK": f"REGION#{region}", "SK": f"QUOTA_SUMMARY#{year}"}


def due_sort_key(due_at: str, item_id: str) -> str:
    return f"{due_at}#{item_id}"


# Counter buckets: all time, a China-time month, a China-time day.
TOTAL_BUCKET = "T"


def month_bucket(month: str) -> str:
    return f"M#{month}"


def day_bucket(day: str) -> str:
    return f"D#{day}"


def pairs_bucket(day: str, month: str) -> str:
    """Donors who gave on `day` and next (in the dimension) in the later `month`, by the day they did."""
    return f"N#{day}#{month}"


def counter_dimension(scope: str, campaign_id: str | None = None) -> str:
    """A counter's dimension: a region prefix, or "<prefix>@<campaign id>" for a campaign in it."""
    return f"{scope}@{campaign_id}" if campaign_id else scope


CHAT_MESSAGE_PREFIX = "CHATMSG#"
CHAT_NONCE_PREFIX = "CHATNONCE#"


def chat_message_key(platform: str, message_id: str) -> Key:
    return {"PK": f"{CHAT_MESSAGE_PREFIX}{platform}#{message_id}", "SK": "MESSAGE"}


def chat_nonce_key(platform: str, timestamp: str, nonce: str) -> Key:
    return {"PK": f"{CHAT_NONCE_PREFIX}{platform}#{timestamp}#{nonce}", "SK": "NONCE"}


# ---------------------------------------------------------------- chat (microwish.chat)
CHAT_CODE_PREFIX = "CHATCODE#"
CHAT_CODE_SK = "CODE"
CHAT_PREFIX = "CHAT#"
CHAT_BINDING_SK = "BINDING"
CHAT_CONVERSATION_SK = "CONVERSATION"
CHAT_TRIES_PREFIX = "TRIES#"
CHAT_SHOWN_SK = "SHOWN"
CHAT_BOUND_PREFIX = "CHATBIND#"


def chat_code_key(code: str) -> Key:
    return {"PK": f"{CHAT_CODE_PREFIX}{code}", "SK": CHAT_CODE_SK}


def chat_partition(platform: str, user: str) -> str:
    return f"{CHAT_PREFIX}{platform}#{user}"


def chat_binding_key(platform: str, user: str) -> Key:
    return {"PK": chat_partition(platform, user), "SK": CHAT_BINDING_SK}


def chat_conversation_key(platform: str, user: str) -> Key:
    return {"PK": chat_partition(platform, user), "SK": CHAT_CONVERSATION_SK}


def chat_shown_key(platform: str, user: str) -> Key:
    return {"PK": chat_partition(platform, user), "SK": CHAT_SHOWN_SK}


def chat_tries_key(platform: str, user: str, hour: str) -> Key:
    return {"PK": chat_partition(platform, user), "SK": f"{CHAT_TRIES_PREFIX}{hour}"}


def chat_bound_partition(sub: str) -> str:
    return f"{CHAT_BOUND_PREFIX}{sub}"


def chat_bound_key(sub: str, platform: str) -> Key:
    return {"PK": chat_bound_partition(sub), "SK": platform}


# ---------------------------------------------------------------- recognition counters (issue 12 §4)
# - recognition event  PK=RECEVENT#<activity id | wish id#sub>  SK=EVENT#<at>#<n>  an activity held, or a
#                      volunteer's minutes moved (check-in): what the stream consumer counts, once each
# - recognition row    PK=RECOG#<region prefix>#<year>  SK=unit#<unit id> | person#<sub>  the year's counters
# - activity link      PK=WISH#<id>  SK=ACTIVITY#<activity id>  the wish is in that unit's activity (sorts
#                      before AUDIT# and CLAIM#: no audit or bundle query reads it)
# - credit marker      PK=COUNTED#<wish id>  SK=CREDIT#<unit id>  the wish was credited to that unit, once
RECOGNITION_EVENT_PREFIX = "RECEVENT#"
RECOGNITION_EVENT_SK_PREFIX = "EVENT#"
RECOGNITION_PREFIX = "RECOG#"
ACTIVITY_LINK_PREFIX = "ACTIVITY#"
CREDIT_MARKER_PREFIX = "CREDIT#"


BACKFILLED_EVENT = "backfill"  # the <n> of the one event infra/ops/backfill_recognition.py writes for a subject


def recognition_event_key(subject: str, at: str, n: str | None = None) -> Key:
    return {
        "PK": f"{RECOGNITION_EVENT_PREFIX}{subject}",
        "SK": f"{RECOGNITION_EVENT_SK_PREFIX}{at}#{n or uuid.uuid4().hex[:8]}",
    }


def is_backfilled_event(item: dict[str, Any]) -> bool:
    return str(item.get("SK", "")).endswith(f"#{BACKFILLED_EVENT}")


def recognition_partition(scope: str, year: int) -> str:
    return f"{RECOGNITION_PREFIX}{scope}#{year:04d}"


def recognition_row_key(scope: str, year: int, row: str) -> Key:
    return {"PK": recognition_partition(scope, year), "SK": row}


def activity_link_key(wish_id: str, activity_id: str) -> Key:
    return {"PK": wish_partition(wish_id), "SK": f"{ACTIVITY_LINK_PREFIX}{activity_id}"}
