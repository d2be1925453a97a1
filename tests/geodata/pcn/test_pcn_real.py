"""The PCN layer on the real bundle: the default method's measured accuracy on West Sussex,
and the national layers conserve population and report what the sources disagree on."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata.pcn import reports
from geodata.pcn.apportion import DEFAULT_METHOD
from geodata.pcn.layer import PcnLayer, build_pcn_layer
from geodata.pcn.readers import read_validation
from geodata.pcn.sources import VALIDATION_FILE, PcnSources, load_sources
from geodata.pcn.validate import ValidationSet, score, shares_by_code, validation_set
from geodata.store import Store

#: Measured by scripts/validate_pcn.py: TVD 0.057, agreement 88.2% (447 of 507 LSOAs).
MEASURED_TVD = 0.057
MEASURED_AGREEMENT = 0.882
MARGIN_TVD = 0.005
MARGIN_AGREEMENT = 0.008  # four LSOAs


@pytest.fixture(scope="module")
def sources(real_source: Path) -> PcnSources:
    return load_sources(real_source)


@pytest.fixture(scope="module")
def west_sussex(real_store: Store, real_source: Path, sources: PcnSources) -> ValidationSet:
    lookup = read_validation(real_source / VALIDATION_FILE)
    return validation_set(real_store.load("2022"), sources, lookup)


def test_default_method_reaches_its_measured_figures_on_west_sussex(
    west_sussex: ValidationSet,
) -> None:
    result = score(west_sussex, shares_by_code(west_sussex, DEFAULT_METHOD))
    assert (result.lsoas, result.estimated) == (507, 507)
    assert result.tvd <= MEASURED_TVD + MARGIN_TVD
    assert result.agreement >= MEASURED_AGREEMENT - MARGIN_AGREEMENT


@pytest.mark.xfail(
    strict=True,
    reason="the issue's target (TVD <= 0.05, >= 90% agreement) is not reached: the default "
    "measures 0.057 and 88.2%; the rest is branch surgeries and list sizes, not in the bundle",
)
def test_default_method_meets_the_issue_target(west_sussex: ValidationSet) -> None:
    result = score(west_sussex, shares_by_code(west_sussex, DEFAULT_METHOD))
    assert result.tvd <= 0.05 and result.agreement >= 0.90


def test_distance_beats_catchment_area_as_the_issue_found(west_sussex: ValidationSet) -> None:
    area = score(west_sussex, shares_by_code(west_sussex, "area_share"))
    nearest = score(west_sussex, shares_by_code(west_sussex, "nearest_practice"))
    default = score(west_sussex, shares_by_code(west_sussex, DEFAULT_METHOD))
    assert area.tvd > 0.15 and nearest.tvd < 0.09
    assert default.tvd < nearest.tvd and default.agreement > nearest.agreement


def test_sources_report_what_they_disagree_on(sources: PcnSources) -> None:
    pcns = sources.pcns.set_index("pcn_code")
    # Angmering Coppice Fitzalan formed in October 2020, after the catchments were drawn.
    assert "no 2020 catchment" in pcns.loc["U04748", "note"]
    assert pcns["has_catchment"].sum() == 1278
    closed_with_catchment = pcns["has_catchment"] & ~pcns["open_on_date"]
    assert closed_with_catchment.sum() > 0
    assert pcns.loc[closed_with_catchment, "note"].str.contains("not an open PCN").all()
    problems = sources.practice_issues["problem"]
    assert problems.str.contains("not geocoded").sum() == 17


@pytest.fixture(scope="module", params=["2022", "2024"])
def national(request: pytest.FixtureRequest, real_store: Store, real_source: Path) -> tuple:
    data = real_store.load(request.param)
    return data, build_pcn_layer(data, real_source)


def test_national_layer_conserves_population(national: tuple) -> None:
    data, layer = national
    layer_: PcnLayer = layer
    totals = layer_.shares.groupby("lsoa_code")["share"].sum()
    assert len(totals) == len(data.table)
    assert totals.to_numpy() == pytest.approx(1.0)
    populations = reports.pcn_populations(data, layer_).frame
    assert populations["population"].sum() == pytest.approx(data.table["population"].sum(), abs=700)
    assert layer_.meta["catchment_intersections"] > 100_000
    essex = reports.area_pcns(data, layer_, "utla", "E10000012").frame
    assert essex["share_of_area"].sum() == pytest.approx(1.0, abs=0.01)
    assert len(essex) > 30
