"""Membership on a date, practices placed, and every disagreement between sources listed."""

from __future__ import annotations

import pandas as pd
import pytest
from pcn_world import MEMBERS_HEADER, TinyPcn, member_rows, write_csv

from geodata.errors import InputError
from geodata.pcn.sources import load_sources


def test_membership_is_the_epcn_relationship_active_on_the_date(tiny_pcn: TinyPcn) -> None:
    sources = load_sources(tiny_pcn.source)
    assert str(sources.as_of.date()) == "2022-01-01"  # the practice map's extract date
    placed = sources.practices.set_index("practice_code")["pcn_code"].to_dict()
    assert placed == {
        "A00001": "U00001",
        "A00002": "U00001",
        "B00001": "U00002",
        "B00002": "U00002",
        "C00001": "U00003",  # moved from U00002 in April 2021
    }
    earlier = load_sources(tiny_pcn.source, as_of="2020-06-01")
    assert earlier.practices.set_index("practice_code").loc["C00001", "pcn_code"] == "U00002"
    # Registrations name practices, placed or not: D00001 still counts for U00004.
    assert sources.practice_pcn["D00001"] == "U00004"


def test_practices_that_cannot_be_used_are_listed_with_the_reason(tiny_pcn: TinyPcn) -> None:
    issues = load_sources(tiny_pcn.source).practice_issues.set_index("practice_code")["problem"]
    assert "not geocoded" in issues["D00001"]
    assert "unallocated" in issues["E00001"]
    assert "not in the practice map" in issues["F00001"]
    assert len(issues) == 3


def test_every_pcn_in_any_source_is_reconciled(tiny_pcn: TinyPcn) -> None:
    pcns = load_sources(tiny_pcn.source).pcns.set_index("pcn_code")
    assert list(pcns.index) == [f"U0000{i}" for i in range(1, 7)]
    assert pcns.loc["U00001", "note"] == ""
    assert "no 2020 catchment" in pcns.loc["U00004", "note"]
    assert "no member practice with a point" in pcns.loc["U00004", "note"]
    assert "closed on 2020-03-31" in pcns.loc["U00005", "note"]
    assert "has a 2020 catchment but is not an open PCN" in pcns.loc["U00005", "note"]
    assert pcns.loc["U00006", "note"] == "not yet open on the date"
    assert pcns.loc["U00002", "members"] == 3  # B00001, B00002 and F00001 (unplaced)
    assert pcns.loc["U00002", "located_practices"] == 2


def test_a_practice_in_two_pcns_on_the_date_is_refused(tiny_pcn: TinyPcn) -> None:
    rows = member_rows()
    rows.append(["A00001", "PRACTICE A00001", "00X", "U00002", "U00002 PCN", "20200101", ""])
    write_csv(tiny_pcn.path("pcn/ePCN_2022-04_PCN_Core_Partner_Details.csv"), MEMBERS_HEADER, rows)
    with pytest.raises(InputError, match="practice A00001 belongs to U00001, U00002 on 2022-01-01"):
        load_sources(tiny_pcn.source)


def test_the_practice_map_fills_in_where_the_epcn_has_no_relationship(tiny_pcn: TinyPcn) -> None:
    rows = [r for r in member_rows() if r[0] != "B00002"]
    write_csv(tiny_pcn.path("pcn/ePCN_2022-04_PCN_Core_Partner_Details.csv"), MEMBERS_HEADER, rows)
    sources = load_sources(tiny_pcn.source)
    b2 = sources.practices.set_index("practice_code").loc["B00002"]
    assert (b2["pcn_code"], b2["basis"]) == ("U00002", "practice map")
    problem = sources.practice_issues.set_index("practice_code").loc["B00002", "problem"]
    assert "the practice map's PCN is used" in problem
    assert isinstance(sources.as_of, pd.Timestamp)
