"""Fire the template's schedules (moto has no EventBridge Scheduler and never fires a rule).

rate(N minute|minutes|hour|hours|day|days): every N units of real time from the start.
cron(min hour day-of-month month day-of-week year): checked every minute, in the schedule's
ScheduleExpressionTimezone (UTC by default), with *, ?, lists, ranges, steps and names (JAN,
MON...). L, W and # are not supported: such a schedule runs only by POST /dev/schedules/run.
at(...) one-time schedules are not used by the template: like L/W/#, only by POST /dev/schedules/run.
Schedules fire on the real clock; POST /dev/clock shifts what the functions see, not when they
run. POST /dev/schedules/run runs every schedule once, now.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.local.specs import ScheduleSpec

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$", re.IGNORECASE)
_CRON = re.compile(r"^cron\((.*)\)$", re.IGNORECASE)
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {
    m: i for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)
}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}  # AWS: 1 = Sunday


class UnsupportedSchedule(ValueError):
    pass


def rate_seconds(expression: str) -> int | None:
    match = _RATE.match(expression.strip())
    if not match:
        return None
    count, unit = int(match.group(1)), match.group(2).lower().rstrip("s")
    if count <= 0:
        raise UnsupportedSchedule(f"{expression}: the rate must be positive")
    return count * _UNIT_SECONDS[unit]


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """The values a cron field allows; None for "any" (* or ?)."""
    if text in ("*", "?"):
        return None
    for token in re.split(r"[,\-/]", text.upper()):
        if token and token != "*" and not token.isdigit() and not (names and token in names):
            raise UnsupportedSchedule(f"cron field {text!r}: L, W and # are not supported locally")

    def value(token: str) -> int:
        token = token.upper()
        if names and token in names:
            return names[token]
        return int(token)

    allowed: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = value(first), value(last)
        else:
            start = value(part)
            end = high if "/" in text else start
        allowed.update(range(start, end + 1, step))
    return allowed


class Cron:
    def __init__(self, expression: str) -> None:
        match = _CRON.match(expression.strip())
        if not match:
            raise UnsupportedSchedule(f"{expression}: not a cron() expression")
        fields = match.group(1).split()
        if len(fields) != 6:
            raise UnsupportedSchedule(f"{expression}: expected 6 fields (min hour dom month dow year)")
        self.minutes = _field(fields[0], 0, 59)
        self.hours = _field(fields[1], 0, 23)
        self.days = _field(fields[2], 1, 31)
        self.months = _field(fields[3], 1, 12, _MONTHS)
        self.weekdays = _field(fields[4], 1, 7, _DAYS)
        self.years = _field(fields[5], 1970, 2199)

    def matches(self, moment: datetime) -> bool:
        weekday = moment.isoweekday() % 7 + 1  # Sunday = 1 ... Saturday = 7
        checks = (
            (self.minutes, moment.minute),
            (self.hours, moment.hour),
            (self.days, moment.day),
            (self.months, moment.month),
            (self.weekdays, weekday),
            (self.years, moment.year),
        )
        return all(allowed is None or value in allowed for allowed, value in checks)


def _zone(name: str) -> Any:
    if name.upper() in ("UTC", "ETC/UTC", ""):
        return UTC
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        return UTC


class Timer:
    """When one schedule fires next (real time, UTC)."""

    def __init__(self, spec: ScheduleSpec, start: datetime) -> None:
        self.spec = spec
        self.rate = rate_seconds(spec.expression)
        self.cron: Cron | None = None
        self.zone = _zone(spec.timezone)
        if self.rate is None:
            self.cron = Cron(spec.expression)
        self.next_at = self._after(start)

    def _after(self, moment: datetime) -> datetime | None:
        if self.rate is not None:
            return moment + timedelta(seconds=self.rate)
        assert self.cron is not None
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(366 * 24 * 60):  # at most a year ahead
            if self.cron.matches(candidate.astimezone(self.zone)):
                return candidate
            candidate += timedelta(minutes=1)
        return None

    def fired(self, now: datetime) -> None:
        """Move to the next time after this firing (no catching up after a laptop's sleep)."""
        if self.next_at is not None:
            self.next_at = self._after(max(self.next_at, now) if self.rate is None else self.next_at)
            if self.next_at is not None and self.next_at <= now:
                self.next_at = self._after(now)

    def describe(self) -> str:
        when = self.next_at.strftime("%Y-%m-%d %H:%M:%SZ") if self.next_at else "never"
        return f"{self.spec.name} ({self.spec.expression}) → {self.spec.function}, next {when}"


class Scheduler(threading.Thread):
    def __init__(
        self,
        schedules: list[ScheduleSpec],
        fire: Callable[[ScheduleSpec], Any],
        stop: threading.Event,
        log: Callable[[str, str], None],
    ) -> None:
        super().__init__(name="scheduler", daemon=True)
        self.fire = fire
        self.stop_event = stop
        self.log = log
        self.timers: list[Timer] = []
        self.manual_only: list[str] = []
        now = datetime.now(UTC)
        for spec in schedules:
            if not spec.enabled:
                self.manual_only.append(f"{spec.name} (disabled in the template)")
                continue
            try:
                self.timers.append(Timer(spec, now))
            except (UnsupportedSchedule, ValueError) as error:
                self.manual_only.append(f"{spec.name} ({error})")

    def run(self) -> None:
        while not self.stop_event.is_set():
            pending = [t for t in self.timers if t.next_at is not None]
            if not pending:
                self.stop_event.wait()
                return
            timer = min(pending, key=lambda t: t.next_at)  # type: ignore[arg-type,return-value]
            delay = (timer.next_at - datetime.now(UTC)).total_seconds()  # type: ignore[operator]
            if delay > 0:
                # Wake at least every minute: the laptop may have slept in between.
                if self.stop_event.wait(min(delay, 60.0)):
                    return
                continue
            timer.fired(datetime.now(UTC))
            threading.Thread(target=self._fire, args=(timer.spec,), daemon=True).start()

    def _fire(self, spec: ScheduleSpec) -> None:
        try:
            self.fire(spec)
        except Exception as error:
            self.log("scheduler", f"{spec.name}: {type(error).__name__}: {error}")
