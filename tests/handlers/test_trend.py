"""GET /stats `by_month` (the monthly trend of /app/stats): a short scripted run across month
boundaries, recounted month by month from the audit trail (the same check as test_reports' long run,
small enough to run on its own)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.handlers.test_reports import Trail, assert_stats, local_day, run_script
from tests.support.stats_feed import audit_items, feed, records_of


def test_the_monthly_trend_equals_a_recount_per_month(api, table, shift):
    campaign = run_script(api, shift, n_wishes=16, seed=3)
    items = audit_items(table)
    feed(api, records_of(items))
    trail = Trail(items)
    whole = assert_stats(api, trail, "4312")
    months = [m["month"] for m in whole["by_month"]]
    assert len(months) >= 3, months  # waves on days 0..91: the run crosses months
    assert_stats(api, trail, "431222", campaign=campaign["id"])
    days = sorted({local_day(event["at"]) for event in trail.events})
    first, last = days[0], days[-1]
    for start, end in (
        (first + timedelta(days=10), first + timedelta(days=45)),
        (None, first + timedelta(days=20)),
        (first + timedelta(days=30), None),
        (date(first.year, first.month, 1), last),
    ):
        cut = assert_stats(api, trail, "4312", start=start, end=end)
        assert cut["by_month"][0]["month"] >= (start or first).isoformat()[:7]
    assert assert_stats(api, trail, "4312", start=last + timedelta(days=400))["by_month"] == []
