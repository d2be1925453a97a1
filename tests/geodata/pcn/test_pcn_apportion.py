"""The apportionment methods on the tiny world (see conftest.py for the picture): each
method's answer by hand, and conservation for every method."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from pcn_world import POPULATION, TinyPcn

from geodata.errors import UnknownNameError
from geodata.pcn.apportion import METHODS, ApportionInputs, apportion, registration_shares
from geodata.pcn.layer import apportion_inputs
from geodata.pcn.sources import load_sources


@pytest.fixture
def inputs(tiny_pcn: TinyPcn) -> ApportionInputs:
    built, _ = apportion_inputs(tiny_pcn.data, load_sources(tiny_pcn.source))
    return built


def by_lsoa(shares: pd.DataFrame) -> dict[int, dict[str, float]]:
    return {
        int(lsoa): dict(zip(group["pcn_code"], group["share"].round(4), strict=True))
        for lsoa, group in shares.groupby("lsoa")
    }


def test_the_cover_table_counts_overlaps_and_skips_uncovered_blocks(
    inputs: ApportionInputs,
) -> None:
    cover = inputs.cover.groupby("lsoa")["pcn_code"].apply(sorted).to_dict()
    assert cover == {
        0: ["U00001"],
        1: ["U00001", "U00003"],
        2: ["U00002", "U00003"],
        4: ["U00001", "U00005"],
        5: ["U00001"],
        6: ["U00002"],
    }  # LSOAs 3 and 7 (E..04, E..08) lie in no catchment
    # Whole squares inside; the round trip through degrees costs a millionth.
    assert inputs.cover["cover"].to_numpy() == pytest.approx(1.0, abs=1e-5)


def test_nearest_practice(inputs: ApportionInputs) -> None:
    assert by_lsoa(apportion(inputs, "nearest_practice")) == {
        0: {"U00001": 1.0},
        1: {"U00003": 1.0},  # C1 is 400 m away, A1 1 km
        2: {"U00003": 1.0},  # C1 600 m, B1 1 km: across the sub-ICB edge
        3: {"U00002": 1.0},
        4: {"U00001": 1.0},
        5: {"U00001": 1.0},
        6: {"U00002": 1.0},
        7: {"U00002": 1.0},
    }


def test_within_sicbl_keeps_each_lsoa_to_its_own_areas_practices(inputs: ApportionInputs) -> None:
    shares = by_lsoa(apportion(inputs, "nearest_practice_within_sicbl"))
    assert shares[2] == {"U00002": 1.0}  # C1 is nearer but in the other sub-ICB location
    assert shares[1] == {"U00003": 1.0}  # C1 is in E..02's own area


def test_gravity_within_sicbl_by_hand(inputs: ApportionInputs) -> None:
    shares = by_lsoa(apportion(replace(inputs, scale_m=1000.0), "gravity_within_sicbl"))
    # E..02: C1 at 400 m, A1 at 1000 m, A2 at sqrt(2) km; weights exp(-d / 1 km).
    c1, a1, a2 = (math.exp(-d / 1000) for d in (400, 1000, math.hypot(1000, 1000)))
    assert shares[1]["U00003"] == pytest.approx(c1 / (c1 + a1 + a2), abs=1e-4)
    assert shares[1]["U00001"] == pytest.approx((a1 + a2) / (c1 + a1 + a2), abs=1e-4)
    assert shares[2] == {"U00002": 1.0}


def test_catchment_methods_split_overlaps_and_fall_back_where_uncovered(
    inputs: ApportionInputs,
) -> None:
    area = apportion(inputs, "area_share")
    shares = by_lsoa(area)
    assert shares[1] == {"U00001": 0.5, "U00003": 0.5}
    assert shares[2] == {"U00002": 0.5, "U00003": 0.5}
    # The closed PCN's catchment (U00005) hands nothing to a PCN that no longer exists.
    assert shares[4] == {"U00001": 1.0}
    basis = area.drop_duplicates("lsoa").set_index("lsoa")["basis"]
    assert basis[3] == basis[7] == "nearest_practice (no catchment covers it)"
    assert shares[3] == shares[7] == {"U00002": 1.0}
    assert by_lsoa(apportion(inputs, "equal_share"))[1] == {"U00001": 0.5, "U00003": 0.5}


def test_nearest_covering_practice_picks_among_the_covering_pcns(inputs: ApportionInputs) -> None:
    shares = by_lsoa(apportion(inputs, "nearest_covering_practice"))
    assert shares[2] == {"U00003": 1.0}  # U00002 and U00003 cover it; C1 is nearer
    assert shares[6] == {"U00002": 1.0}


@pytest.mark.parametrize("method", list(METHODS))
def test_every_method_conserves_population(inputs: ApportionInputs, method: str) -> None:
    shares = apportion(inputs, method)
    totals = shares.groupby("lsoa")["share"].sum()
    assert list(totals.index) == list(range(8))  # every LSOA is apportioned
    assert totals.to_numpy() == pytest.approx(1.0)
    people = (shares["share"] * np.asarray(POPULATION)[shares["lsoa"]]).sum()
    assert people == pytest.approx(sum(POPULATION))


def test_an_unknown_method_lists_the_valid_ones(inputs: ApportionInputs) -> None:
    with pytest.raises(UnknownNameError, match="unknown PCN apportionment method 'voronoi'"):
        apportion(inputs, "voronoi")


def test_registration_shares_follow_practice_membership() -> None:
    registrations = pd.DataFrame(
        {
            "practice_code": ["A00001", "A00001", "C00001", "E00001", "A00001"],
            "lsoa_code": ["E01000001", "E01000002", "E01000002", "E01000003", "E01999999"],
            "patients": [30, 10, 30, 4, 5],
        }
    )
    practice_pcn = pd.Series({"A00001": "U00001", "C00001": "U00003"})
    codes = np.array(["E01000001", "E01000002", "E01000003"], dtype=object)
    shares, counts = registration_shares(registrations, practice_pcn, codes)
    assert by_lsoa(shares) == {0: {"U00001": 1.0}, 1: {"U00001": 0.25, "U00003": 0.75}}
    assert counts == {
        "patients": 79,
        "patients_in_no_pcn": 4,
        "patients_outside_blocks": 5,
        "practices_in_no_pcn": 1,
    }
