"""The PCN layer of a vintage on the tiny world: build, save, load, the registrations
override, and the reports as data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pcn_world import POPULATION, REGISTRATIONS_HEADER, TinyPcn, registration_rows, write_csv

from geodata.errors import StoreError
from geodata.pcn import reports
from geodata.pcn.layer import build_pcn_layer, has_pcn_layer, load_pcn_layer, save_pcn_layer


def test_build_save_and_load_round_trip(tiny_pcn: TinyPcn) -> None:
    data = tiny_pcn.data
    assert not has_pcn_layer(data)
    with pytest.raises(StoreError, match="has no PCN layer"):
        load_pcn_layer(data)
    built = build_pcn_layer(data, tiny_pcn.source)
    assert built.meta["method"] == "gravity_within_sicbl"
    assert built.meta["catchment_intersections"] >= built.meta["covered_pairs"] == 9
    assert built.meta["lsoas_without_catchment"] == 2
    assert built.meta["membership_date"] == "2022-01-01"
    folder = save_pcn_layer(built, data.path)
    assert folder == data.path / "pcn" and not list(data.path.glob(".pcn.*"))
    loaded = load_pcn_layer(data)
    pd.testing.assert_frame_equal(loaded.shares, built.shares)
    pd.testing.assert_frame_equal(loaded.pcns, built.pcns)
    assert loaded.catchments().crs.to_epsg() == 27700
    assert load_pcn_layer(data) is loaded  # read once per process


def test_a_failed_save_leaves_the_previous_layer(tiny_pcn: TinyPcn, monkeypatch) -> None:  # noqa: ANN001
    data = tiny_pcn.data
    first = build_pcn_layer(data, tiny_pcn.source)
    save_pcn_layer(first, data.path)
    second = build_pcn_layer(data, tiny_pcn.source, method="nearest_practice")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        save_pcn_layer(second, data.path)
    monkeypatch.undo()
    data.cache.clear()
    assert load_pcn_layer(data).method == "gravity_within_sicbl"
    assert not list(data.path.glob(".pcn.*"))


def test_registrations_replace_the_estimate_where_they_exist(
    tiny_pcn: TinyPcn, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "gp-reg-pat-prac-lsoa-all.csv", REGISTRATIONS_HEADER, registration_rows()
    )
    layer = build_pcn_layer(tiny_pcn.data, tiny_pcn.source, registrations=path)
    shares = layer.shares.set_index(["lsoa_code", "pcn_code"])["share"]
    assert shares["E01000001"].to_dict() == {"U00001": 1.0}
    assert shares["E01000002"].to_dict() == {"U00001": 0.25, "U00003": 0.75}
    basis = layer.shares.drop_duplicates("lsoa_code").set_index("lsoa_code")["basis"]
    assert basis["E01000001"] == "registrations"
    # E..03 has only patients of a practice in no PCN: it keeps the estimate.
    assert basis["E01000003"] == "gravity_within_sicbl"
    assert layer.meta["lsoas_by_basis"] == {"gravity_within_sicbl": 6, "registrations": 2}
    assert layer.meta["registration_counts"]["patients_without_lsoa"] == 7
    assert layer.meta["registration_counts"]["patients_in_no_pcn"] == 4
    assert "registered patients" in reports.method_text(layer)


@pytest.fixture
def layer(tiny_pcn: TinyPcn):  # noqa: ANN201
    return build_pcn_layer(tiny_pcn.data, tiny_pcn.source, method="nearest_practice")


def test_pcn_populations_conserve_the_population(tiny_pcn: TinyPcn, layer) -> None:  # noqa: ANN001
    report = reports.pcn_populations(tiny_pcn.data, layer)
    frame = report.frame.set_index("pcn_code")
    assert frame["population"].sum() == sum(POPULATION)
    # nearest_practice: West gets E..01, 05, 06; Border E..02, 03; East E..04, 07, 08.
    assert frame["population"].to_dict() == {
        "U00001": 600,
        "U00002": 300,
        "U00003": 500,
        "U00004": 0,
        "U00005": 0,
        "U00006": 0,
    }
    assert frame.loc["U00003", "best_fit_lsoas"] == 2
    assert frame.loc["U00001", "catchment_population"] == 900  # E..01, 02, 05, 06
    assert pd.isna(frame.loc["U00004", "catchment_population"])  # it has no catchment
    assert "no member practice" in frame.loc["U00004", "note"]
    assert report.provenance.vintage == "tiny"
    assert "nearest_practice" in report.provenance.method


def test_pcns_split_across_councils(tiny_pcn: TinyPcn, layer) -> None:  # noqa: ANN001
    frame = reports.pcn_splits(tiny_pcn.data, layer, across="utla").frame
    # Only the Border PCN spans both councils: E..02 (county) and E..03 (unitary).
    assert frame[["pcn_code", "across_code", "population"]].values.tolist() == [
        ["U00003", "E10000001", 300],
        ["U00003", "E06000001", 200],
    ]
    assert frame["share"].tolist() == pytest.approx([0.6, 0.4])
    assert frame["across_name"].tolist() == ["West County", "East Unitary"]
    every = reports.pcn_splits(tiny_pcn.data, layer, across="icb", split_only=False).frame
    assert len(every) == 3 and (every["share"] == 1.0).all()


def test_an_areas_pcns(tiny_pcn: TinyPcn, layer) -> None:  # noqa: ANN001
    frame = reports.area_pcns(tiny_pcn.data, layer, "utla", "East Unitary").frame
    assert frame[["pcn_code", "population"]].values.tolist() == [["U00002", 300], ["U00003", 200]]
    assert frame["share_of_area"].tolist() == pytest.approx([0.6, 0.4])
    assert frame["share_of_pcn"].tolist() == pytest.approx([1.0, 0.4])


def test_source_mismatches_and_best_fit(layer) -> None:  # noqa: ANN001
    flagged = reports.source_mismatches(layer)
    assert list(flagged["pcn_code"]) == ["U00004", "U00005", "U00006"]
    assert reports.best_fit(layer)["E01000002"] == "U00003"


def test_registrations_covering_part_of_england_are_used_only_there(
    tiny_pcn: TinyPcn, tmp_path: Path
) -> None:
    """The fault: a file covering one ICB assigned millions of out-of-area residents to its
    PCNs. Here the file lists only the western sub-ICB location's practices (A00001,
    A00002, C00001), a few of whose patients live in the east (E..04, E..08): those
    eastern LSOAs must keep the estimate, with a warning that says where the file covers."""
    def row(practice: str, lsoa: str, patients: int) -> list[object]:
        return ["GP_PRAC_PAT_LSOA", "01Feb2022", practice, f"PRACTICE {practice}", lsoa,
                "ALL", patients]  # fmt: skip

    rows = [row("A00001", "E01000001", 300), row("A00002", "E01000005", 90),
            row("C00001", "E01000002", 250), row("A00002", "E01000006", 80),
            row("A00001", "E01000004", 3), row("A00002", "E01000008", 2)]  # fmt: skip
    path = write_csv(tmp_path / "gp-reg-pat-prac-lsoa-all.csv", REGISTRATIONS_HEADER, rows)
    said: list[str] = []
    layer = build_pcn_layer(tiny_pcn.data, tiny_pcn.source, registrations=path,
                            progress=said.append)  # fmt: skip
    basis = layer.shares.drop_duplicates("lsoa_code").set_index("lsoa_code")["basis"]
    west = ["E01000001", "E01000002", "E01000005", "E01000006"]
    east = ["E01000003", "E01000004", "E01000007", "E01000008"]
    assert {basis[c] for c in west} == {"registrations"}
    assert {basis[c] for c in east} == {"gravity_within_sicbl"}
    # The estimate for the east is the one made without any registrations file.
    plain = build_pcn_layer(tiny_pcn.data, tiny_pcn.source)
    estimate = plain.shares.set_index(["lsoa_code", "pcn_code"])["share"]
    shares = layer.shares.set_index(["lsoa_code", "pcn_code"])["share"]
    for code in ("E01000004", "E01000008"):
        assert "U00001" not in shares[code].index or shares[code].get("U00001", 0) == \
            estimate[code].get("U00001", 0)  # fmt: skip
        assert set(shares[code].index) == set(estimate[code].index)
    warning = next(line for line in said if line.startswith("warning: "))
    assert "covers 1 of 2 sub-ICB locations" in warning
    assert "Sub-ICB West (E38000001)" in warning and "Tiny ICB" in warning
    assert "the other 4 LSOAs (500 people) are estimated" in warning
    counts = layer.meta["registration_counts"]
    assert counts["sicbls_covered"] == ["E38000001"]
    assert counts["lsoas_registrations_not_used"] == 2
    assert counts["warning"] == warning.removeprefix("warning: ")
