"""Nothing lost in a dead letter: every dead-letter queue of the template has its way back (`make replay-dlq`,
the ReplayDeadLettersFunction; README "Runbook: dead letters").

- The event router's and the stats consumer's DLQs hold stream batch *pointers* (shard, sequence numbers,
  approximate arrival times), not the records, and the stream forgets after 24 hours. The audit items are
  the source of truth and stay: the events of the batch are the audit items written in its time window
  (ByWritten index, with a margin either side), routed / counted again by the consumers' own code.
  The window may hold more events than the batch did: harmless, as both consumers are idempotent —
  the notifier sends each (event, recipient, channel) once (inbox items are written only if absent,
  other channels keep a "sent" marker for NOTIFY_SENT_TTL_DAYS, longer than a DLQ keeps a message), and
  the stats consumer writes a marker per event in the transaction of its counter moves.
- The notification DLQ holds the jobs themselves: they are moved back to the notification queue
  (receive, send, delete; moto has no StartMessageMoveTask), where the notifier dedupes them as above.
- The sweeps' DLQs (escalation, lease, retention; the quota reminder's) hold runs that failed or were never
  delivered: the sweep is run once now; each of its moves is conditional, so a run more than needed changes
  nothing twice.

A dead letter is deleted only after what it stands for was redone; a failure leaves it on its queue
(visible again when the run ends) and is reported by name, without personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from ..notifications.config import NotifyConfig
from ..notifications.recipients import jobs_for
from ..notifications.router import enqueue
from ..repository import WishRepository
from ..repository.dead_letters import AuditWindow, DeadLetters, Letter
from ..settings import Settings
from . import recognition_counts, stats

logger = Logger(child=True)

STREAM_QUEUES = ("event_router", "stats_consumer")
SWEEP_QUEUES = ("escalation", "lease", "retention", "quota_reminder")
MOVED_BACK_QUEUES = ("notifications", "chat_replies")  # jobs: moved back onto the queue they came from
QUEUES = (*STREAM_QUEUES, *MOVED_BACK_QUEUES, *SWEEP_QUEUES)
WINDOW_MARGIN = timedelta(minutes=2)  # arrival times are approximate; an item's time is taken before its commit
STREAM_RETENTION = timedelta(hours=24)  # a pointer without arrival times: the stream's whole reach before it
HOLD_SECONDS = 900  # a taken letter stays hidden this long (the function's timeout): a crash gives it back
STOP_SECONDS_LEFT = 120  # take no more letters with less time left: the rest wait for the next run


@dataclass
class Targets:
    """What a replay works on (the ops function builds it from its environment)."""

    audit: AuditWindow
    repo: WishRepository
    settings: Settings
    sqs: Any
    notification_queue_url: str
    dead_letter_urls: dict[str, str]  # QUEUES name -> its DLQ's URL
    run_sweep: Callable[[str], Any]  # a SWEEP_QUEUES name -> run that sweep once now (raises on failure)
    sent_ttl: timedelta = field(default_factory=lambda: timedelta(days=NotifyConfig.from_env().sent_ttl_days))
    seconds_left: Callable[[], float] = lambda: float("inf")  # the invocation's time left (Lambda context)
    chat_reply_queue_url: str = ""  # late chat replies (issue 11): their dead letters go back there


@dataclass
class QueueReport:
    queue: str
    letters: int = 0  # dead letters taken off the queue, their work redone
    events: int = 0  # audit events re-derived (stream queues)
    jobs: int = 0  # notification jobs queued again (router) or moved back (notification DLQ)
    counted: int = 0  # events that moved a figure now (stats; the rest had been counted)
    sweeps: int = 0  # sweep runs (sweep queues)
    left: int = 0  # letters left on the queue (failed: see errors)
    waiting: int | None = None  # dry run: messages on the queue
    errors: list[str] = field(default_factory=list)


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def batch_window(record: Any) -> tuple[datetime, datetime] | None:
    """The time window whose audit items hold a dead-lettered stream batch; None if it is no such record."""
    if not isinstance(record, dict) or not isinstance(record.get("DDBStreamBatchInfo"), dict):
        return None
    info = record["DDBStreamBatchInfo"]
    first = _moment(info.get("approximateArrivalOfFirstRecord"))
    last = _moment(info.get("approximateArrivalOfLastRecord"))
    if first is None or last is None:
        given_up = _moment(record.get("timestamp"))
        if given_up is None:
            return None
        first, last = given_up - STREAM_RETENTION, given_up
    return min(first, last) - WINDOW_MARGIN, max(first, last) + WINDOW_MARGIN


def _route(items: list[dict[str, Any]], targets: Targets, report: QueueReport) -> None:
    for item in items:
        jobs = jobs_for(item, targets.settings)
        enqueue(jobs, targets.notification_queue_url)
        report.jobs += len(jobs)


def _count(items: list[dict[str, Any]], targets: Targets, report: QueueReport) -> None:
    for item in items:
        if item.get("type") == "audit" and stats.count(item, targets.repo):
            report.counted += 1
        if recognition_counts.count_item(item, targets.repo) and item.get("type") != "audit":
            report.counted += 1


def _replay_stream_letter(name: str, letter: Letter, targets: Targets, report: QueueReport) -> None:
    window = batch_window(letter.json())
    if window is None:
        raise ValueError("not a stream batch record (no DDBStreamBatchInfo with times)")
    if name == "event_router" and window[0] < datetime.now(UTC) - targets.sent_ttl + timedelta(days=1):
        # The notifier's "sent" markers of events this old may be gone: routing them again could send twice.
        raise ValueError("the batch is older than the notifier's sent markers live; not replayed")
    items = targets.audit.items_written(*window)
    report.events += len(items)
    (_route if name == "event_router" else _count)(items, targets, report)


def _failed(report: QueueReport, letter_kind: str, error: Exception) -> None:
    report.left += 1
    report.errors.append(f"{letter_kind}: {type(error).__name__}: {error}"[:300])
    logger.warning("dead letter not replayed", extra={"queue": report.queue, "error_type": type(error).__name__})


def replay_queue(name: str, targets: Targets, limit: int = 1000) -> QueueReport:
    report = QueueReport(name)
    queue = DeadLetters(targets.sqs, targets.dead_letter_urls[name])
    if name in SWEEP_QUEUES:
        letters = list(queue.take(limit, HOLD_SECONDS))
        if letters:
            try:
                targets.run_sweep(name)
            except Exception as error:  # reported; the letters stay for the next try
                for letter in letters:
                    _failed(report, "sweep run", error)
                    queue.release(letter)
                return report
            report.sweeps += 1
            for letter in letters:
                queue.done(letter)
                report.letters += 1
        return report
    failed: list[Letter] = []
    # closing: a loop left early gives back the letters taken but not yet handed out (replay_store.take)
    with closing(queue.take(limit, HOLD_SECONDS)) as taken:
        for letter in taken:
            if targets.seconds_left() < STOP_SECONDS_LEFT:
                failed.append(letter)  # not tried: given back below, for the next run
                report.errors.append("out of time: run the replay again for the rest")
                report.left += 1
                break
            try:
                if name in MOVED_BACK_QUEUES:
                    back = targets.notification_queue_url if name == "notifications" else targets.chat_reply_queue_url
                    queue.move_to(letter, back)
                    report.jobs += 1
                else:
                    _replay_stream_letter(name, letter, targets, report)
                    queue.done(letter)
            except Exception as error:  # one bad letter must not stop the others
                _failed(report, "stream batch" if name in STREAM_QUEUES else "job", error)
                failed.append(letter)
                continue
            report.letters += 1
    for letter in failed:  # after the run: taken again within it, they would be tried over and over
        queue.release(letter)
    return report


def replay(
    targets: Targets, queues: list[str] | None = None, *, limit: int = 1000, dry_run: bool = False
) -> dict[str, Any]:
    """Replay (or, dry, only count) the dead letters of `queues` (default: every one). The stream queues
    go first, so that the jobs they queue again meet the notification DLQ's moved-back jobs downstream."""
    chosen = [name for name in QUEUES if queues is None or name in queues]
    unknown = sorted(set(queues or []) - set(QUEUES))
    if unknown:
        raise ValueError(f"unknown queues {unknown}: choose from {list(QUEUES)}")
    reports = []
    for name in chosen:
        if dry_run:
            queue = DeadLetters(targets.sqs, targets.dead_letter_urls[name])
            reports.append(QueueReport(name, waiting=queue.waiting()))
        else:
            reports.append(replay_queue(name, targets, limit))
    summary = {
        "dry_run": dry_run,
        "queues": [vars(report) for report in reports],
        "left": sum(report.left for report in reports),
    }
    logger.info("dead letters replayed", extra={"summary": summary})
    return summary
