"""The coverage gate of `make test` (infra/tools/coverage_gate.py): its arithmetic and its verdict."""

from __future__ import annotations

import io

from infra.tools.coverage_gate import Figure, judge, module_name, total


def test_percent_counts_statements_and_branches_as_coverage_does() -> None:
    # coverage.py: (136 - 3 + 26 - 1) / (136 + 26) = 97.53 %
    assert round(Figure("m", 136, 3, 26, 1).percent, 2) == 97.53
    assert Figure("empty", 0, 0, 0, 0).percent == 100.0


def test_the_total_adds_up_the_modules() -> None:
    overall = total([Figure("a", 100, 10, 20, 2), Figure("b", 50, 0, 10, 0)])
    assert (overall.statements, overall.missing_statements, overall.branches, overall.missing_branches) == (
        150,
        10,
        30,
        2,
    )


def test_a_module_under_its_floor_fails_even_when_the_total_passes() -> None:
    out = io.StringIO()
    found = [Figure("microwish.big", 1000, 0, 100, 0), Figure("microwish.small", 10, 3, 0, 0)]
    assert not judge(found, 90.0, 80.0, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "coverage: microwish.small 70.0% < 80% (module floor)"
    assert lines[-1].startswith("coverage: shared/ (microwish) 99.7% branch coverage")
    assert lines[-1].endswith("1 under the floor): FAILED")


def test_the_total_under_its_floor_fails() -> None:
    out = io.StringIO()
    assert not judge([Figure("microwish.a", 100, 15, 0, 0)], 90.0, 80.0, out)
    assert judge([Figure("microwish.a", 100, 15, 0, 0)], 85.0, 80.0, io.StringIO())
    assert out.getvalue().endswith("FAILED\n")


def test_module_names_are_dotted_from_shared() -> None:
    from infra.tools.coverage_gate import ROOT

    assert module_name(str(ROOT / "shared" / "microwish" / "api" / "app.py")) == "microwish.api.app"
    assert module_name(str(ROOT / "shared" / "microwish" / "services" / "__init__.py")) == "microwish.services"
