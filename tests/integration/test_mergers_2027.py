"""The 2027 mergers scenario on vintage 2026, against numbers computed here with pandas
from the clusters file, the reconstructed lookup, the strategic authorities and Census."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geodata.scenarios.builtin import evaluate_builtin, get_builtin
from geodata.store import Store


def read(source: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(source / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def blocks(real_source: Path) -> pd.DataFrame:
    """Per LSOA: 2026 ICB, its 2025/26 cluster, strategic authority (or none), people."""
    lookup = read(real_source, "lookups/LSOA21_SICBL26_ICB26_EN_LU_reconstructed.csv")
    clusters = read(real_source, "nhs/ICB_clusters_2025_26.csv")
    member = clusters.assign(ICB26CD=clusters["MEMBERS_ICB26CD"].str.split(";")).explode("ICB26CD")
    wards = read(real_source, "lookups/LSOA21_WD24_LAD24_EW_LU.csv")[["LSOA21CD", "LAD24CD"]]
    sa = read(real_source, "local-government/strategic_authorities_2026.csv")
    sa = sa.assign(SA=sa["SA_NAME"].where(sa["SA_TYPE"] != "none"))[["LAD24CD", "SA"]]
    census = read(real_source, "population/census2021_TS001_LSOA21_usual_residents.csv")
    people = census.set_index("geography code")["Residence type: Total; measures: Value"]
    frame = lookup.merge(member[["ICB26CD", "CLUSTER_ID"]], on="ICB26CD", validate="m:1")
    frame = frame.merge(wards, on="LSOA21CD").merge(sa, on="LAD24CD", validate="m:1")
    frame["population"] = people.loc[frame["LSOA21CD"]].astype(float).to_numpy()
    return frame


@pytest.fixture(scope="module")
def result(real_store: Store):  # noqa: ANN201
    data = real_store.load("2026")
    return evaluate_builtin(data, get_builtin(data, "builtin-2027-mergers"))


def test_each_cluster_becomes_one_icb(result, blocks: pd.DataFrame, real_source: Path) -> None:  # noqa: ANN001
    clusters = read(real_source, "nhs/ICB_clusters_2025_26.csv")
    evaluation = result.evaluation
    after = evaluation.icbs.loc[evaluation.icbs["population_after"] > 0]
    assert evaluation.summary["before"]["icbs"] == 36
    assert evaluation.summary["after"]["icbs"] == len(after) == len(clusters) == 26
    want = sorted(blocks.groupby("CLUSTER_ID")["population"].sum().round().astype(int))
    assert sorted(after["population_after"].astype(int)) == want
    assert evaluation.summary["after"]["min"] == min(want)
    assert evaluation.summary["after"]["max"] == max(want)
    groups = result.builtin.groups.set_index("id")
    m4 = set(clusters.loc[clusters["CLUSTER_ID"] == "M4", "MEMBERS_ICB26CD"].iloc[0].split(";"))
    assert set(groups.loc["M4", "members"]) == m4 and groups.loc["M4", "merged"]


def test_low_confidence_rows_are_flagged(result, real_source: Path) -> None:  # noqa: ANN001
    clusters = read(real_source, "nhs/ICB_clusters_2025_26.csv")
    unsure = set(clusters.loc[~clusters["CONFIDENCE"].str.startswith("high"), "CLUSTER_ID"])
    groups = result.builtin.groups
    assert set(groups.loc[groups["uncertain"], "id"]) == unsure
    assert {"L3", "L4"} <= unsure  # the two rows marked low
    notes = " ".join(result.builtin.scenario.notes)
    assert all(f"Group {g} " in notes for g in unsure)


def test_rules_before_and_after(result, blocks: pd.DataFrame) -> None:  # noqa: ANN001
    rules = result.rules.set_index("rule")
    by_icb = blocks.groupby("ICB26CD")["population"].sum()
    assert rules.loc["icb_population", "offenders_before"] == (by_icb < 1_000_000).sum()
    by_cluster = blocks.groupby("CLUSTER_ID")["population"].sum()
    assert rules.loc["icb_population", "offenders_after"] == (by_cluster < 1_000_000).sum() == 0
    held = blocks.loc[blocks["SA"].notna()]
    split_before = held.groupby("SA")["ICB26CD"].nunique()
    split_after = held.groupby("SA")["CLUSTER_ID"].nunique()
    assert rules.loc["sa_within_one_icb", "offenders_before"] == (split_before > 1).sum()
    assert rules.loc["sa_within_one_icb", "offenders_after"] == (split_after > 1).sum()
    rule = next(r for r in result.evaluation.rules if r.rule == "sa_within_one_icb")
    assert sorted(o["name"] for o in rule.offenders) == sorted(split_after.index[split_after > 1])
    west_midlands = next(o for o in rule.offenders if o["name"] == "West Midlands")
    wm = held.loc[held["SA"] == "West Midlands"]
    shares = sorted(wm.groupby("CLUSTER_ID")["population"].sum() / wm["population"].sum())
    assert sorted(s["share"] for s in west_midlands["shares"]) == pytest.approx(shares)
    classes = result.alignment.set_index("class")
    assert classes["icbs_before"].sum() == 36 and classes["icbs_after"].sum() == 26
