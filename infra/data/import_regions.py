"""Build shared/microwish/data/regions.csv, the region table shipped in the Lambda layer.

Input: the reference CSVs (code,name,parent_code,level) of every province/city/county of China
and of Huaihua's townships. Output: code,name,parent_code,level,demo in short form, sorted by
padded code (tree order), UTF-8, LF line endings, plus the demo villages below.

    .venv/bin/python infra/data/import_regions.py [--reference DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "shared"))

from microwish import regions  # noqa: E402  (needs the sys.path entry above)

DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
DEFAULT_OUT = REPO / "shared" / "microwish" / "data" / "regions.csv"
SOURCES = ("regions-china-to-county.csv", "regions-huaihua-townships.csv")
HEADER = ["code", "name", "parent_code", "level", "demo"]

# INVENTED DEMO DATA, NOT REAL CODES OR NAMES. The statistical codes stop at townships in our
# reference; these villages (村委会 group 2xx) exist so that wishes can be filed in a demo. The
# first three townships are the real ones the news article names; the others spread the demo
# over more counties. Every row is written with demo=1.
DEMO_VILLAGES: tuple[tuple[str, str], ...] = (
    ("431222250201", "王家村"),  # 沅陵县马底驿乡 (named in the article)
    ("431222250202", "杉木村"),
    ("431222250203", "青山村"),
    ("431281203201", "颜容村"),  # 洪江市茅渡乡 (named in the article)
    ("431281203202", "枫树村"),
    ("431281203203", "桃花村"),
    ("431221110201", "石宝村"),  # 中方县新路河镇 (named in the article)
    ("431221110202", "岩门村"),
    ("431221110203", "高坪村"),
    ("431202101201", "松林村"),  # 鹤城区黄金坳镇
    ("431224100201", "金竹村"),  # 溆浦县卢峰镇
    ("431223100201", "柳树村"),  # 辰溪县辰阳镇
    ("431228100201", "和平村"),  # 芷江侗族自治县芷江镇
)


class ReferenceDataError(RuntimeError):
    """The reference data does not fit the code rules; nothing is written."""


def read_reference(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != HEADER[:4]:
            raise ReferenceDataError(f"{path}: unexpected header {reader.fieldnames}")
        return [{key: (value or "").strip() for key, value in row.items()} for row in reader]


def to_row(raw: dict[str, str], demo: bool = False) -> dict[str, str] | None:
    """One output row in short form, or None for a county that is only its city again."""
    code = regions.normalize(raw["code"])
    level = raw["level"]
    if regions.level_of(code) != level:
        # 东莞/中山/儋州 have a county row 441900 that normalizes to the city 4419: their
        # townships hang directly under the city, so the duplicate row is dropped.
        if level == "county" and regions.level_of(code) == "city":
            return None
        raise ReferenceDataError(f"{raw['code']}: level {level} but the code is a {regions.level_of(code)}")
    parent = regions.normalize(raw["parent_code"]) if raw["parent_code"] else ""
    if parent != (regions.parent(code) or ""):
        raise ReferenceDataError(f"{raw['code']}: parent {raw['parent_code']} is not its prefix")
    if not raw["name"]:
        raise ReferenceDataError(f"{raw['code']}: empty name")
    return {
        "code": code,
        "name": raw["name"],
        "parent_code": parent,
        "level": level,
        "demo": "1" if demo else "0",
    }


def demo_rows() -> list[dict[str, str]]:
    return [
        {
            "code": code,
            "name": name,
            "parent_code": regions.parent(code) or "",
            "level": "village",
            "demo": "1",
        }
        for code, name in DEMO_VILLAGES
    ]


def check(rows: list[dict[str, str]]) -> None:
    """Unique codes, and every parent present: the registry relies on both."""
    codes = [row["code"] for row in rows]
    if len(codes) != len(set(codes)):
        raise ReferenceDataError("duplicate codes after normalizing")
    known = set(codes)
    for row in rows:
        if row["parent_code"] and row["parent_code"] not in known:
            raise ReferenceDataError(f"{row['code']}: unknown parent {row['parent_code']}")
        if row["level"] == "village" and not row["name"].endswith("村"):
            raise ReferenceDataError(f"{row['code']}: a demo village name must end in 村")


def build(reference: Path) -> tuple[list[dict[str, str]], int]:
    """All output rows in tree order, and how many duplicate county rows were dropped."""
    rows: list[dict[str, str]] = []
    dropped = 0
    for source in SOURCES:
        for raw in read_reference(reference / source):
            row = to_row(raw)
            if row is None:
                dropped += 1
            else:
                rows.append(row)
    rows.extend(demo_rows())
    check(rows)
    rows.sort(key=lambda row: regions.padded(row["code"]))
    return rows, dropped


def write(rows: list[dict[str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help=f"directory with {' and '.join(SOURCES)} (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: %(default)s")
    args = parser.parse_args(argv)
    try:
        rows, dropped = build(args.reference)
    except (ReferenceDataError, regions.RegionCodeError, OSError, KeyError) as error:
        print(f"import_regions: {error}", file=sys.stderr)
        return 1
    write(rows, args.out)
    print(
        f"wrote {len(rows)} regions to {args.out} "
        f"({len(DEMO_VILLAGES)} demo villages; {dropped} county rows equal to their city dropped)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
