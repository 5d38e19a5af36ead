"""The coverage gate of `make test`: branch coverage of shared/ (the package `microwish`).

Reads the data file pytest-cov wrote (.coverage, or $COVERAGE_FILE), prints the modules under the
module floor and then one line with the total, and fails (exit 1) when the total is under the total
floor or any module is under the module floor. "Branch coverage" is coverage.py's figure with
branch measurement on: statements and branch destinations together.

    python -m infra.tools.coverage_gate [--total 90] [--module 80] [--data-file .coverage]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import coverage

ROOT = Path(__file__).resolve().parents[2]
TOTAL_FLOOR = 90.0
MODULE_FLOOR = 80.0


@dataclass(frozen=True)
class Figure:
    """Coverage of one module (or of all together): statements and branches, covered and not."""

    name: str
    statements: int
    missing_statements: int
    branches: int
    missing_branches: int

    @property
    def percent(self) -> float:
        # coverage.py's formula: (executed statements + taken branches) / (statements + branches).
        total = self.statements + self.branches
        if total == 0:
            return 100.0
        return 100.0 * (total - self.missing_statements - self.missing_branches) / total


def module_name(filename: str) -> str:
    """shared/microwish/api/app.py → microwish.api.app (a package's __init__ is the package)."""
    path = Path(filename).resolve()
    try:
        parts = list(path.relative_to(ROOT / "shared").with_suffix("").parts)
    except ValueError:
        return filename
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def figures(data_file: str | None = None) -> list[Figure]:
    """Per module, from coverage's JSON report (its public form of these numbers)."""
    options: dict[str, Any] = {"config_file": str(ROOT / "pyproject.toml")}
    if data_file:
        options["data_file"] = data_file
    cov = coverage.Coverage(**options)
    cov.load()
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "coverage.json"
        try:
            cov.json_report(outfile=str(report))
        except coverage.exceptions.NoDataError:
            return []
        files = json.loads(report.read_text(encoding="utf-8"))["files"]
    found = []
    for filename, entry in sorted(files.items()):
        summary = entry["summary"]
        if summary["num_statements"] == 0:
            continue
        found.append(
            Figure(
                module_name(filename),
                summary["num_statements"],
                summary["missing_lines"],
                summary["num_branches"],
                summary["missing_branches"],
            )
        )
    return found


def total(found: list[Figure]) -> Figure:
    return Figure(
        "shared/ (microwish)",
        sum(f.statements for f in found),
        sum(f.missing_statements for f in found),
        sum(f.branches for f in found),
        sum(f.missing_branches for f in found),
    )


def judge(found: list[Figure], total_floor: float, module_floor: float, out: TextIO) -> bool:
    """Print the verdict; True when both floors hold."""
    low = [figure for figure in found if figure.percent < module_floor]
    for figure in sorted(low, key=lambda figure: figure.percent):
        out.write(f"coverage: {figure.name} {figure.percent:.1f}% < {module_floor:.0f}% (module floor)\n")
    overall = total(found)
    passed = overall.percent >= total_floor and not low
    verdict = "ok" if passed else "FAILED"
    out.write(
        f"coverage: {overall.name} {overall.percent:.1f}% branch coverage "
        f"({overall.statements} statements, {overall.branches} branches; floor {total_floor:.0f}% total, "
        f"{module_floor:.0f}% per module; {len(found)} modules, {len(low)} under the floor): {verdict}\n"
    )
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=float, default=TOTAL_FLOOR, help="floor for shared/ as a whole (%%)")
    parser.add_argument("--module", type=float, default=MODULE_FLOOR, help="floor for every module (%%)")
    parser.add_argument("--data-file", default=None, help="coverage data (default: $COVERAGE_FILE or .coverage)")
    args = parser.parse_args(argv)
    found = figures(args.data_file)
    if not found:
        print("coverage: no data for shared/ (was pytest run with --cov?)", file=sys.stderr)
        return 1
    return 0 if judge(found, args.total, args.module, sys.stdout) else 1


if __name__ == "__main__":
    sys.exit(main())
