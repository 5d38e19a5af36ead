"""Exactly once per Idempotency-Key: the request's scope, which the state change's transaction carries.

A keyed request (POST with an `Idempotency-Key`) runs inside a `KeyedRequest` scope, set by the API's
idempotency middleware. Two things follow from it, without the use cases passing it around:
- the first transaction the request commits also writes the key's record (only if absent), so the change
  and its record commit together or not at all (repository: `Transaction.commit`);
- ids of what the request creates derive from the key (`new_id`), so a duplicate that races the first
  collides with it instead of creating a second claim or wish;
- the use case says its answer before it commits (`answering`), so the record is written WITH its answer:
  one write round trip for the change, its record and its answer, and a crash after the commit loses
  nothing (the retry replays the answer the record holds).
The scope rides a ContextVar: one request per invocation, and nothing outside a request ever sets it.

Keyed or not, an API request whose private answers are logged (api/app.py) runs in an `AuditedAnswers`
scope too: the access entry of the private view a use case says it answers with rides the same commit, so
an officer's state change is one write round trip with its audited read (issue 15).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class KeyedRequest:
    record_id: str  # sha256 of (caller, route, key): the record's key in the idempotency table
    payload_hash: str  # sha256 of the parsed body: the same key with another body is refused
    expires_at: int  # epoch seconds: the table's TTL drops the record after a day
    table_name: str  # the idempotency table, where the record goes
    recorded: bool = field(default=False)  # set once a transaction has carried the record
    # The route's: the answer's body -> the answer as the record keeps it (status, content type, public part).
    keep: Callable[[Any], str] | None = field(default=None, repr=False)
    answer: str | None = field(default=None, repr=False)  # what the next commit writes on the record
    answered: str | None = field(default=None, repr=False)  # the answer a committed record holds
    answers_later: bool = field(default=False)  # several changes: the answer is known after the last

    def derived_id(self, purpose: str, length: int = 8) -> str:
        """A stable id for what this request creates (`purpose` tells apart several things it creates)."""
        return hashlib.sha256(f"{self.record_id}|{purpose}".encode()).hexdigest()[:length]

    def derived_uuid(self, purpose: str) -> str:
        """The same, shaped as a uuid4 hex (wish and campaign ids are)."""
        return uuid.UUID(bytes=bytes.fromhex(self.derived_id(purpose, 32)), version=4).hex


class AlreadyDone(Exception):
    """The key's record was already written: a duplicate of this request committed first.

    `record` is the record as the failed write found it (None when the store could not say)."""

    def __init__(self, record: dict[str, Any] | None = None) -> None:
        super().__init__("a duplicate of this request committed first")
        self.record = record


def record_id(caller: str, route: str, key: str) -> str:
    return hashlib.sha256(json.dumps([caller, route, key], ensure_ascii=False).encode("utf-8")).hexdigest()


def payload_hash(body: Any) -> str:
    """Of the parsed JSON: the same JSON spelled otherwise (whitespace, key order) is the same request."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class AuditedAnswers:
    """A request whose private answers are logged: the entry an answer needs goes with the next commit."""

    entry_for: Callable[[Any], Any]  # an answer's body -> the access entry it needs (None: nothing to log)
    pending: Any = None  # the entry of the answer said for the next commit
    logged: set[str] = field(default_factory=set)  # wish ids whose entry a commit carried


_current: ContextVar[KeyedRequest | None] = ContextVar("keyed_request", default=None)
_audited: ContextVar[AuditedAnswers | None] = ContextVar("audited_answers", default=None)


def current() -> KeyedRequest | None:
    return _current.get()


@contextmanager
def keyed(request: KeyedRequest) -> Iterator[KeyedRequest]:
    token = _current.set(request)
    try:
        yield request
    finally:
        _current.reset(token)


def new_id(purpose: str, length: int = 8) -> str:
    """A fresh random id, or, inside a keyed request, the one its key derives for `purpose`."""
    request = _current.get()
    return request.derived_id(purpose, length) if request else secrets.token_hex(length // 2)


def new_uuid(purpose: str) -> str:
    """A uuid4 hex id (a wish's, a campaign's), derived from the key inside a keyed request."""
    request = _current.get()
    return request.derived_uuid(purpose) if request else uuid.uuid4().hex


def audited() -> AuditedAnswers | None:
    return _audited.get()


@contextmanager
def auditing(answers: AuditedAnswers) -> Iterator[AuditedAnswers]:
    token = _audited.set(answers)
    try:
        yield answers
    finally:
        _audited.reset(token)


def answering(body: Any) -> None:
    """The answer the request gives if the change it commits next commits; called by a use case right
    before its commit. Inside a keyed request the record that commit writes keeps it; in an audited one
    the access entry a private view needs rides that commit. Elsewhere a no-op."""
    request = _current.get()
    if request is not None and request.keep is not None and not request.answers_later:
        request.answer = request.keep(body)
    answers = _audited.get()
    if answers is not None and not (request is not None and request.answers_later):
        answers.pending = answers.entry_for(body)


@contextmanager
def answered_later() -> Iterator[None]:
    """For a use case that commits several changes (a batch claimed wish by wish): what its changes say
    before they commit is not the request's answer; the API keeps the answer after the last."""
    request = _current.get()
    if request is None:
        yield
        return
    before, request.answers_later = request.answers_later, True
    try:
        yield
    finally:
        request.answers_later = before
