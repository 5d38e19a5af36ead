"""The monthly trend of GET /stats (`by_month`): per calendar month (China time) of the period, what
happened in it — read from the same counter items as the rest of the report (whole months as their
month item, the period's edge months as their day items), so the months add up to the period's
submitted, approved, fulfilled and value_fen. Front ends draw it as it is, with no arithmetic of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ..models import MonthFigures
from .stats import interval_buckets, month_days


def _months(first: date, last: date) -> list[str]:
    months, cursor = [], date(first.year, first.month, 1)
    while cursor <= last:
        months.append(cursor.isoformat()[:7])
        cursor = month_days(months[-1])[1] + timedelta(days=1)
    return months


def by_month(
    dimensions: list[str],
    counted_months: list[str],
    start: date | None,
    end: date | None,
    counters: Callable[[list[tuple[str, str]]], dict[tuple[str, str], dict[str, Any]]],
) -> list[MonthFigures]:
    """Every month from the first to the last one counted (`counted_months`, the all-time items' lists),
    cut to [start, end], summed over `dimensions` (a province: its cities); months with nothing in them
    are zeros, so the series has no gaps."""
    if not counted_months:
        return []
    first = max(start or date.min, month_days(min(counted_months))[0])
    last = min(end or date.max, month_days(max(counted_months))[1])
    if first > last:
        return []
    plan = {
        month: interval_buckets(max(first, month_days(month)[0]), min(last, month_days(month)[1]))
        for month in _months(first, last)
    }
    wanted = [(dimension, bucket) for buckets in plan.values() for bucket in buckets for dimension in dimensions]
    items = counters(wanted)
    series = []
    for month, buckets in plan.items():
        n: dict[str, int] = {}
        for key in ((dimension, bucket) for bucket in buckets for dimension in dimensions):
            for name, value in (items.get(key) or {}).items():
                if isinstance(value, int):
                    n[name] = n.get(name, 0) + value
        series.append(
            MonthFigures(
                month=month,
                submitted=n.get("in_submitted", 0),
                approved=n.get("approved", 0),
                fulfilled=n.get("in_fulfilled", 0),
                rejected=n.get("in_rejected", 0),
                cancelled=n.get("in_cancelled", 0),
                value_fen=n.get("value_fen", 0),
            )
        )
    return series
