"""Kept for the modules that import it by this name: the inbox store lives in repository/inbox.py."""

from __future__ import annotations

from .repository.inbox import INBOX_PREFIX, PREFS_SK, InboxStore, created_at_of

__all__ = ["INBOX_PREFIX", "PREFS_SK", "InboxStore", "created_at_of"]
