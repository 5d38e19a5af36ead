"""The tag counters' short names (services/stats.py TAG_CODES): every catalog code has one, none is
ambiguous, and a report reads both the short names written now and the long ones written before."""

from __future__ import annotations

from microwish.catalog import categories, groups
from microwish.services import reports, stats


def test_every_category_and_group_has_its_own_short_code():
    codes = [*categories(), *groups()]
    assert set(codes) <= set(stats.TAG_CODES)
    shorts = list(stats.TAG_CODES.values())
    assert len(set(shorts)) == len(shorts) and not set(shorts) & set(codes)


def test_short_and_long_names_read_as_the_same_counter():
    for code in [*categories(), *groups(), "not_in_the_catalog"]:
        prefix = "c" if code in categories() else "g"
        for metric in ("submitted", "approved", "fulfilled", "value"):
            long = f"{prefix}_{code}_{metric}"
            assert stats.canonical(stats.tag_attribute(prefix, code, metric)) == long
            assert stats.canonical(long) == long
    for other in ("in_submitted", "out_open", "approved", "value_fen", "d_3", "c_x", "g_"):
        assert stats.canonical(other) == other
    total = reports._Sum()
    total.add({"c_goods_submitted": 2, "c_gd_s": 3, "g_wh_v": 500, "g_women_in_hardship_value": 100, "in_open": 1})
    assert total.n == {"c_goods_submitted": 5, "g_women_in_hardship_value": 600, "in_open": 1}
