"""Pydantic models: what clients send, what the table holds, and the views clients get, by aggregate.

base (shared field types, `Strict`), wishes, claims, campaigns, reports, profiles, inbox, meta. Import
from here (`from microwish.models import Wish`) or from the module.
"""

from __future__ import annotations

from .base import (
    EARLIEST_DAY,
    LATEST_DAY,
    MAX_TARGET_FEN,
    CalendarDate,
    CalendarDateTime,
    Description,
    Fen,
    Level,
    Mode,
    Phone,
    RegionPrefix,
    Strict,
    Text50,
    Text500,
    Title,
    VillageCode,
    check_text,
    no_repeats,
)
from .campaigns import (
    MAX_CAP_FEN,
    Campaign,
    CampaignId,
    CampaignProgress,
    CampaignRequest,
    CampaignView,
    MatchingOffer,
    MatchingTerms,
    MatchingView,
)
from .claims import (
    AssignmentRequest,
    BatchClaimRequest,
    BatchClaimResponse,
    BatchResult,
    Claim,
    ClaimKind,
    ClaimRequest,
    ClaimStatus,
    ClaimView,
    ConfirmationRequest,
    DeclineRequest,
    DeliveryReport,
    DonorRecord,
    PhotoKey,
    UploadRequest,
    UploadTicket,
    WishIds,
)
from .inbox import (
    EmailAddress,
    MarkRead,
    NotificationId,
    NotificationList,
    NotificationView,
    Preferences,
    PreferencesUpdate,
    VerificationRequest,
)
from .meta import Health, RegionList, RegionView
from .profiles import DisplayName, Profile, ProfileUpdate
from .reports import Figures, Leaderboard, LeaderboardEntry, RegionFigures, Stats, TagFigures
from .wishes import (
    AccessEntry,
    AuditEvent,
    Beneficiary,
    BeneficiaryView,
    CancellationRequest,
    ErasureRequest,
    EscalationRequest,
    MyWishView,
    Page,
    ReviewDecision,
    Wish,
    WishPrivateView,
    WishPublicView,
    WishSubmission,
    WishView,
    event_for,
)

__all__ = [
    "EARLIEST_DAY", "LATEST_DAY", "MAX_CAP_FEN", "MAX_TARGET_FEN", "AccessEntry", "AssignmentRequest", "AuditEvent",
    "BatchClaimRequest", "BatchClaimResponse", "BatchResult", "Beneficiary", "BeneficiaryView", "CalendarDate",
    "CalendarDateTime", "Campaign", "CampaignId", "CampaignProgress", "CampaignRequest", "CampaignView",
    "CancellationRequest", "Claim", "ClaimKind", "ClaimRequest", "ClaimStatus", "ClaimView", "ConfirmationRequest",
    "DeclineRequest", "DeliveryReport", "Description", "DisplayName", "DonorRecord", "EmailAddress",
    "ErasureRequest", "EscalationRequest", "Fen", "Figures", "Health", "Leaderboard", "LeaderboardEntry", "Level",
    "MarkRead", "MatchingOffer", "MatchingTerms", "MatchingView", "Mode", "MyWishView", "NotificationId",
    "NotificationList", "NotificationView", "Page", "Phone", "PhotoKey", "Preferences", "PreferencesUpdate",
    "Profile", "ProfileUpdate", "RegionFigures", "RegionList", "RegionPrefix", "RegionView", "ReviewDecision",
    "Stats", "Strict", "TagFigures", "Text50", "Text500", "Title", "UploadRequest", "UploadTicket",
    "VerificationRequest", "VillageCode", "Wish", "WishIds", "WishPrivateView", "WishPublicView", "WishSubmission",
    "WishView", "check_text", "event_for", "no_repeats",
]
