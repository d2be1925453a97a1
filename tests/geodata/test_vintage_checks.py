"""Build-time consistency checks and nullable layers, on the tiny synthetic source.

The tiny source gains a strategic-authority lookup on districts: District 1 in an
established authority with an ONS code, District 2 in a proposed one without a code,
and the two unitaries in none.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from synthetic import VINTAGE_TOML, TinySource

from geodata.config import parse_vintage
from geodata.errors import InputError
from geodata.ingest import build_vintage
from geodata.splits import split_table
from geodata.store import Store
from geodata.unit_status import with_status

SA_TOML = VINTAGE_TOML + """
[[lookups]]
file = "sa.csv"
on = "ltla"
key = "LAD24CD"
layers.sa = { code = "SA_CODE", name = "SA_NAME", code_from_name = "SA-", \
none_when = { SA_TYPE = "none" }, attributes = { type = "SA_TYPE", status = "SA_STATUS" } }
"""

SA_ROWS = pd.DataFrame(
    {
        "LAD24CD": ["E07000001", "E07000002", "E06000001", "E06000002"],
        "SA_CODE": ["E47000001", "", "", ""],
        "SA_NAME": ["First CA", "Second & Co. (proposed)", "", ""],
        "SA_TYPE": ["combined authority", "combined county authority", "none", "none"],
        "SA_STATUS": ["established 2011-04-01 (mayoral)", "proposed (DPP)", "none: no SA",
                      "none: no SA"],
    }
)  # fmt: skip


@pytest.fixture
def tiny(tmp_path: Path) -> TinySource:
    source = TinySource(tmp_path / "source")
    source.tables["sa"] = SA_ROWS.copy()
    source.toml = SA_TOML
    return source


def build(tiny: TinySource):  # noqa: ANN201
    tiny.write()
    return build_vintage(parse_vintage(tiny.config_path), tiny.root)


def test_straddling_sub_icb_location_is_refused_naming_it_and_its_icbs(tiny: TinySource) -> None:
    lookup = tiny.tables["lsoa_lookup"]
    # E38000002 now holds LSOA 2 (in ICB 1) and LSOA 3 (in ICB 2): it straddles both.
    lookup.loc[1, ["SICBL22CD", "SICBL22CDH", "SICBL22NM"]] = ["E38000002", "02X", "Sub-ICB 2"]
    with pytest.raises(InputError) as caught:
        build(tiny)
    message = str(caught.value)
    assert "lsoa_lookup.csv" in message
    assert "E38000002 (Sub-ICB 2) straddles 2" in message
    assert "E54000001 ICB 1 (1 LSOAs)" in message and "E54000002 ICB 2 (1 LSOAs)" in message


def test_a_code_with_two_names_is_refused(tiny: TinySource) -> None:
    tiny.tables["lsoa_lookup"].loc[1, "ICB22NM"] = "ICB One"
    with pytest.raises(InputError, match="E54000001 has 2 names"):
        build(tiny)


def test_nullable_layer_codes_attributes_and_counts(tiny: TinySource) -> None:
    built = build(tiny)
    sa = built.table.set_index("lsoa_code")["sa_code"]
    # District 1 (LSOAs 1-2) in E47000001, District 2 (LSOA 3) in a code made from its
    # name, the unitaries (LSOAs 4-5) in none: null, not an invented unit.
    assert list(sa.iloc[:3]) == ["E47000001", "E47000001", "SA-SECOND-CO-PROPOSED"]
    assert sa.iloc[3:].isna().all()
    units = built.units.loc[built.units["layer"] == "sa"].set_index("code")
    assert list(units.index) == ["E47000001", "SA-SECOND-CO-PROPOSED"]
    assert units.loc["E47000001", "status_kind"] == "established"
    assert units.loc["E47000001", "established"] == "2011-04-01"
    assert units.loc["SA-SECOND-CO-PROPOSED", "status_kind"] == "proposed"
    assert units.loc["SA-SECOND-CO-PROPOSED", "type"] == "combined county authority"
    checks = built.meta["checks"]
    assert checks["unassigned"] == {"sa": {"lsoas": 2, "population": 900}}
    assert checks["units"]["icb"] == 2
    assert checks["national_total"] == checks["population_file_total"] == 1500
    assert "every sub-icb location lies in exactly one integrated care board" in checks["nested"]


def test_splits_count_none_so_totals_reconcile(tiny: TinySource) -> None:
    table = build(tiny).table
    by_icb = split_table(table, "icb", "sa", ({}, {}))
    # ICB 2 = LSOAs 3 (SA-SECOND…, 300) + 4, 5 (none, 900).
    icb2 = by_icb.loc[by_icb["by_code"] == "E54000002"]
    assert icb2["across_code"].isna().tolist() == [True, False]  # none: null, largest first
    assert icb2["across_code"].iloc[1] == "SA-SECOND-CO-PROPOSED"
    assert list(icb2["population"]) == [900, 300]
    assert list(icb2["across_name"]) == ["none", ""]
    assert icb2["share"].sum() == pytest.approx(1.0)
    by_sa = split_table(table, "sa", "icb")
    assert by_sa["population"].sum() == 1500
    assert by_sa.loc[by_sa["by_code"].isna(), "population"].sum() == 900


def test_established_only_turns_proposed_units_into_none(tiny: TinySource, tmp_path: Path) -> None:
    built = build(tiny)
    store = Store(tmp_path / "store")
    store.write(built)
    data = store.load("tiny")
    established = with_status(data, "sa", "established")
    assert established.table["sa_code"].isna().sum() == 3  # LSOA 3 joins the unitaries
    assert set(established.units.loc[established.units["layer"] == "sa", "code"]) == {"E47000001"}
    assert data.table["sa_code"].isna().sum() == 2  # the loaded vintage is untouched


def test_declared_default_vintage_wins_over_newest(tiny: TinySource, tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    tiny.toml = SA_TOML.replace('name = "tiny"', 'name = "a-older"\ndefault = true')
    store.write(build(tiny))
    tiny.toml = SA_TOML.replace('name = "tiny"', 'name = "b-newer"')
    store.write(build(tiny))
    assert store.built() == ["a-older", "b-newer"]
    assert Store(store.root).default_vintage() == "a-older"
