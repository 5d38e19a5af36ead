"""Division-code functions (microwish.regions) and the packaged region registry."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from microwish import regions
from microwish.regions import (
    LEVEL_DIGITS,
    LEVELS,
    RegionCodeError,
    ancestors,
    contains,
    level_above,
    level_of,
    normalize,
    padded,
    parent,
    prefix_at,
)
from microwish.registry import DATA_FILE, Region, RegionRegistry, get_registry

REPO = Path(__file__).resolve().parents[2]
WANGJIA = "431222250201"  # demo village 王家村 under 沅陵县马底驿乡

# --- strategies ------------------------------------------------------------------------------

_GROUP_WIDTHS = (2, 2, 2, 3, 3)  # province, city, county, township, village


def _group(width: int) -> st.SearchStrategy[str]:
    return st.integers(1, 10**width - 1).map(lambda n: str(n).zfill(width))


@st.composite
def short_codes(draw: st.DrawFn, level: str | None = None) -> str:
    """A valid short-form code with no zero group, of the given (or any) level."""
    if level is None:
        level = draw(st.sampled_from(LEVELS))
    depth = list(LEVEL_DIGITS).index(level) + 1
    return "".join(draw(_group(width)) for width in _GROUP_WIDTHS[:depth])


def spellings(short: str) -> list[str]:
    """Every accepted way to write the same region."""
    forms = {short, short.ljust(12, "0"), f"  {short}\t"}
    if len(short) <= 6:
        forms.add(short.ljust(6, "0"))
    if len(short) <= 9:
        forms.add(short.ljust(9, "0"))
    return sorted(forms)


# --- normalize / padded / level_of -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "short"),
    [
        ("43", "43"),
        ("430000", "43"),
        ("4312", "4312"),
        ("431200", "4312"),
        ("431200000000", "4312"),
        ("431222", "431222"),
        ("431222000000", "431222"),
        ("431222250", "431222250"),
        ("431222250000", "431222250"),
        (WANGJIA, WANGJIA),
        (" 431222\n", "431222"),
        ("441900003", "441900003"),  # 东莞: townships sit under a zero county group
    ],
)
def test_normalize_examples(raw: str, short: str) -> None:
    assert normalize(raw) == short


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "4",
        "431",
        "43122",
        "4312225",
        "43122225",
        "4312222501",
        "43122225020",
        "4312222502011",
        "43a2",
        "4312-2",
        "43 12",
        "４３",
        "٤٣",
        "+43",
        "-431",
        "4.31",
        "00",
        "0000",
        "000000",
        "000000000",
        "000000000000",
        "001200",  # zero province under a city
        "430012",  # zero city under a county
        "431222000201",  # zero township under a village
    ],
)
def test_normalize_rejects_malformed(raw: str) -> None:
    with pytest.raises(RegionCodeError, match="invalid region code"):
        normalize(raw)


@pytest.mark.parametrize("raw", [None, 431222, 43.0, b"4312", ["43"]])
def test_normalize_rejects_non_strings(raw: object) -> None:
    with pytest.raises(RegionCodeError):
        normalize(raw)  # type: ignore[arg-type]


def test_region_code_error_is_a_value_error() -> None:
    assert issubclass(RegionCodeError, ValueError)


@given(short_codes())
def test_every_spelling_normalizes_to_the_short_form(short: str) -> None:
    for form in spellings(short):
        assert normalize(form) == short


@given(short_codes())
def test_normalize_is_idempotent(short: str) -> None:
    for form in spellings(short):
        once = normalize(form)
        assert normalize(once) == once


@given(short_codes())
def test_padded_round_trips(short: str) -> None:
    full = padded(short)
    assert len(full) == 12 and full.isdigit()
    assert full == short.ljust(12, "0")
    assert normalize(full) == short
    assert padded(full) == full


@given(st.sampled_from(LEVELS).flatmap(lambda level: st.tuples(st.just(level), short_codes(level))))
def test_level_of_matches_significant_length(case: tuple[str, str]) -> None:
    level, short = case
    assert len(short) == LEVEL_DIGITS[level]
    assert level_of(short) == level
    assert level_of(padded(short)) == level


@given(st.text(max_size=14))
def test_arbitrary_text_is_a_valid_code_or_a_region_code_error(text: str) -> None:
    try:
        short = normalize(text)
    except RegionCodeError:
        return
    assert normalize(short) == short
    assert len(short) in LEVEL_DIGITS.values()


# --- hierarchy -------------------------------------------------------------------------------


def test_hierarchy_examples() -> None:
    assert parent(WANGJIA) == "431222250"
    assert parent("431222250") == "431222"
    assert parent("431200") == "43"
    assert parent("43") is None
    assert ancestors(WANGJIA) == ["43", "4312", "431222", "431222250"]
    assert ancestors("430000") == []
    assert prefix_at(WANGJIA, "county") == "431222"
    assert prefix_at(WANGJIA, "village") == WANGJIA
    assert prefix_at("431222000000", "province") == "43"
    assert contains("431200", WANGJIA)
    assert contains("431222250000", WANGJIA)
    assert not contains("431221", WANGJIA)
    assert not contains(WANGJIA, "431222250")


def test_prefix_at_rejects_a_level_below_the_code() -> None:
    with pytest.raises(RegionCodeError, match="county"):
        prefix_at("431222", "township")
    with pytest.raises(ValueError, match="unknown level"):
        prefix_at("431222", "district")


def test_levels_and_level_above() -> None:
    assert LEVELS == ("village", "township", "county", "city", "province")
    assert [level_above(level) for level in LEVELS] == [
        "township",
        "county",
        "city",
        "province",
        None,
    ]
    with pytest.raises(ValueError):
        level_above("town")


def test_a_zero_county_group_is_skipped_by_the_hierarchy() -> None:
    # 东莞市 4419 has no counties: its townships' parent is the city itself.
    assert parent("441900003") == "4419"
    assert ancestors("441900003") == ["44", "4419"]
    assert prefix_at("441900003", "county") == "4419"
    assert contains("4419", "441900003")


@given(short_codes())
def test_ancestors_parent_and_prefix_at_agree(code: str) -> None:
    above = ancestors(code)
    assert len(above) == LEVELS[::-1].index(level_of(code))
    assert [level_of(a) for a in above] == list(LEVELS[::-1][: len(above)])
    assert parent(code) == (above[-1] if above else None)
    for ancestor in above:
        assert prefix_at(code, level_of(ancestor)) == ancestor
        assert contains(ancestor, code)
        assert not contains(code, ancestor)
    assert prefix_at(code, level_of(code)) == code
    assert contains(code, code)
    if above:
        assert level_of(above[-1]) == level_above(level_of(code))


@given(short_codes(), st.data())
def test_a_sibling_neither_contains_nor_is_contained(code: str, data: st.DataObject) -> None:
    width = _GROUP_WIDTHS[LEVELS[::-1].index(level_of(code))]
    last = data.draw(_group(width))
    sibling = code[:-width] + last
    assume(sibling != code)
    assert parent(sibling) == parent(code)
    assert not contains(sibling, code)
    assert not contains(code, sibling)
    for ancestor in ancestors(code):
        assert contains(ancestor, sibling)


# --- registry --------------------------------------------------------------------------------

HUAIHUA_COUNTIES = [
    "431202",
    "431221",
    "431222",
    "431223",
    "431224",
    "431225",
    "431226",
    "431227",
    "431228",
    "431229",
    "431230",
    "431271",
    "431281",
]


@pytest.fixture(scope="module")
def registry() -> RegionRegistry:
    return get_registry()


def test_registry_is_loaded_once(registry: RegionRegistry) -> None:
    assert get_registry() is registry


def test_huaihua_is_a_city_of_hunan(registry: RegionRegistry) -> None:
    huaihua = registry.get("4312")
    assert huaihua == Region("4312", "怀化市", "city", "43", False)
    assert registry.get("431200") == huaihua
    assert registry.get("431200000000") == huaihua
    assert registry.name("43") == "湖南省"


def test_huaihua_has_thirteen_county_level_units(registry: RegionRegistry) -> None:
    counties = registry.children("4312")
    assert [region.code for region in counties] == HUAIHUA_COUNTIES
    assert {region.level for region in counties} == {"county"}
    assert registry.children("431200") == counties
    assert counties[2].name == "沅陵县"


def test_provinces_are_the_top_regions(registry: RegionRegistry) -> None:
    provinces = registry.children(None)
    assert len(provinces) == 31
    assert provinces[0] == Region("11", "北京市", "province", None, False)
    assert [p.code for p in provinces] == sorted(p.code for p in provinces)


def test_demo_village_wangjia(registry: RegionRegistry) -> None:
    villages = registry.children("431222250")
    assert Region(WANGJIA, "王家村", "village", "431222250", True) in villages
    assert all(village.demo and village.level == "village" for village in villages)
    assert registry.is_known_village(WANGJIA)
    assert not registry.is_known_village("431222250")
    assert not registry.is_known_village("431222250299")
    assert "沅陵县马底驿乡" in registry.full_name(WANGJIA)
    assert registry.full_name(WANGJIA) == "怀化市沅陵县马底驿乡王家村"


def test_article_villages_are_demo_data(registry: RegionRegistry) -> None:
    assert registry.full_name("431281203201") == "怀化市洪江市茅渡乡颜容村"
    assert registry.full_name("431221110201") == "怀化市中方县新路河镇石宝村"
    demo = [r for r in registry if r.demo]
    assert {r.level for r in demo} == {"village"}
    assert len({r.code[:6] for r in demo}) >= 5  # spread over several counties


def test_get_of_none_is_none_but_children_of_none_are_the_provinces(
    registry: RegionRegistry,
) -> None:
    assert registry.get(None) is None  # type: ignore[arg-type]
    assert len(registry.children(None)) == 31


def test_full_name_stops_at_the_code(registry: RegionRegistry) -> None:
    assert registry.full_name("431222250") == "怀化市沅陵县马底驿乡"
    assert registry.full_name("4312") == "怀化市"
    assert registry.full_name("43") == "湖南省"
    assert registry.full_name("110101") == "北京市东城区"  # not "市辖区东城区"


@pytest.mark.parametrize(
    "code",
    ["", "abc", "4312x", "99", "4399", "431299", "431222999", "431222250999", "000000", 4312],
)
def test_unknown_or_malformed_codes_are_not_found(registry: RegionRegistry, code: object) -> None:
    assert registry.get(code) is None  # type: ignore[arg-type]
    assert code not in registry
    assert registry.children(code) == []  # type: ignore[arg-type]
    assert not registry.is_known_village(code)  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        registry.name(code)  # type: ignore[arg-type]


def test_every_row_fits_the_code_rules(registry: RegionRegistry) -> None:
    rows = list(registry)
    assert len(rows) > 3500
    for region in rows:
        assert normalize(region.code) == region.code
        assert level_of(region.code) == region.level
        assert region.parent_code == parent(region.code)
        assert region.parent_code is None or registry.get(region.parent_code) is not None


def test_children_do_not_leak_the_internal_list(registry: RegionRegistry) -> None:
    registry.children("4312").clear()
    registry.children(None).clear()
    assert len(registry.children("4312")) == 13
    assert len(registry.children(None)) == 31


# --- packaged data file ----------------------------------------------------------------------


def test_data_file_lives_inside_the_package() -> None:
    package_dir = Path(regions.__file__).resolve().parent
    assert DATA_FILE.is_relative_to(package_dir)
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["code", "name", "parent_code", "level", "demo"]


def test_a_data_file_with_an_unknown_level_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "regions.csv"
    data.write_text(
        "code,name,parent_code,level,demo\n43,湖南省,,province,0\n4312,怀化市,43,prefecture,0\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="unknown level 'prefecture'"):
        RegionRegistry.from_csv(data)


def test_a_data_file_with_another_header_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "regions.csv"
    data.write_text("code,name,level\n43,湖南省,province\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unexpected header"):
        RegionRegistry.from_csv(data)


def test_data_file_is_what_the_importer_builds(tmp_path: Path) -> None:
    script = REPO / "infra" / "data" / "import_regions.py"
    reference = REPO.parent / "shared" / "reference"
    if not (script.exists() and reference.is_dir()):
        pytest.skip("importer or reference data not available")
    spec = importlib.util.spec_from_file_location("import_regions", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "regions.csv"
    assert module.main(["--reference", str(reference), "--out", str(out)]) == 0
    assert out.read_bytes() == DATA_FILE.read_bytes(), "rerun infra/data/import_regions.py"
