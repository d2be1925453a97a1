"""The PCN sources read together: who belongs to which PCN on a date, where each member
practice is, which PCNs have a catchment, and every disagreement between the sources.

Membership comes from the ODS ePCN relationships active on ``as_of`` (the register of
record); the practice map adds each practice's postcode point, and its PCN where the ePCN
has no relationship for the practice. Nothing is dropped silently: PCNs in one source and
not another, practices without a point or whose two sources disagree are all listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ..errors import InputError
from .readers import (
    read_catchments,
    read_epcn_details,
    read_epcn_members,
    read_practice_map,
)


@dataclass(frozen=True)
class PcnFiles:
    """Where the PCN inputs are, relative to the source folder (the shipped bundle's)."""

    catchments: str = "boundaries/PCN_2020_catchments.gpkg"
    practice_map: str = "pcn/gp-reg-pat-prac-map_01Jan2022_geocoded.csv"
    epcn_details: str = "pcn/ePCN_2022-04_PCNDetails.csv"
    epcn_members: str = "pcn/ePCN_2022-04_PCN_Core_Partner_Details.csv"
    catchments_vintage: str = "2020"

    def all(self) -> list[str]:
        return [self.catchments, self.practice_map, self.epcn_details, self.epcn_members]


VALIDATION_FILE = "pcn/validation/LSOA11_PCN_WestSussex_2022-02.csv"


@dataclass(frozen=True)
class PcnSources:
    """Everything the PCN layer is built from, reconciled at one date."""

    as_of: pd.Timestamp
    #: Member practices with a point: practice_code, practice_name, pcn_code, x, y, basis
    #: ('epcn' or 'practice map').
    practices: pd.DataFrame
    #: One row per PCN code seen anywhere (see ``reconcile``).
    pcns: pd.DataFrame
    #: Practice-level notes: practice_code, practice_name, pcn_code, problem.
    practice_issues: pd.DataFrame
    #: practice_code -> pcn_code for every member practice, with a point or not (for
    #: registrations, which name practices rather than places).
    practice_pcn: pd.Series
    catchments: gpd.GeoDataFrame
    catchments_repaired: int
    files: PcnFiles = field(default_factory=PcnFiles)


def active_members(members: pd.DataFrame, as_of: pd.Timestamp, path: Path) -> pd.DataFrame:
    """Relationships that hold on ``as_of``; a practice in two PCNs that day is refused."""
    on = (members["start_date"] <= as_of) & (
        members["end_date"].isna() | (members["end_date"] >= as_of)
    )
    active = members.loc[on]
    twice = active["practice_code"].duplicated(keep=False)
    if twice.any():
        first = active.loc[twice].iloc[0]
        pcns = active.loc[active["practice_code"] == first["practice_code"], "pcn_code"]
        raise InputError(
            path,
            f"practice {first['practice_code']} belongs to {', '.join(pcns)} on "
            f"{as_of.date()}; a practice is in one PCN at a time",
        )
    return active.reset_index(drop=True)


def member_practices(
    practice_map: pd.DataFrame, members: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(member practices with a point, practice-level issues)."""
    epcn = members.set_index("practice_code")
    mapped = practice_map.set_index("practice_code")
    issues: list[pd.DataFrame] = []

    def note(frame: pd.DataFrame, problem: str) -> None:
        if len(frame):
            part = frame[["practice_code", "practice_name", "pcn_code"]].copy()
            part["problem"] = problem
            issues.append(part)

    both = mapped.index.intersection(epcn.index)
    differ = both[mapped.loc[both, "pcn_code"].to_numpy() != epcn.loc[both, "pcn_code"].to_numpy()]
    if len(differ):
        disagree = epcn.loc[differ].reset_index()[["practice_code", "practice_name", "pcn_code"]]
        disagree["problem"] = [
            f"the practice map puts it in {mapped.at[c, 'pcn_code'] or 'no PCN'}; "
            "the ePCN membership is used"
            for c in disagree["practice_code"]
        ]
        issues.append(disagree)
    practices = practice_map.drop(columns=["pcn_code", "pcn_name"]).merge(
        members[["practice_code", "pcn_code"]], on="practice_code", how="left"
    )
    practices["basis"] = "epcn"
    map_only = practices["pcn_code"].isna()
    map_pcn = practice_map.set_index("practice_code")["pcn_code"]
    fallback = practices.loc[map_only, "practice_code"].map(map_pcn)
    practices.loc[map_only, "pcn_code"] = fallback.replace("", None)
    practices.loc[map_only, "basis"] = "practice map"
    note(
        practices.loc[map_only & practices["pcn_code"].notna()],
        "no ePCN relationship on the date; the practice map's PCN is used",
    )
    note(
        practices.loc[practices["pcn_code"].isna()].assign(pcn_code=""),
        "in no PCN (unallocated in both sources)",
    )
    practices = practices.loc[practices["pcn_code"].notna()]
    note(
        practices.loc[practices["easting"].isna()],
        "no postcode point (not geocoded): the practice cannot be placed",
    )
    unmapped = members.loc[~members["practice_code"].isin(practice_map["practice_code"])]
    note(unmapped, "an ePCN member that is not in the practice map: no point to place it")
    located = practices.loc[practices["easting"].notna()].rename(
        columns={"easting": "x", "northing": "y"}
    )
    columns = ["practice_code", "practice_name", "postcode", "pcn_code", "x", "y", "basis"]
    issue_frame = (
        pd.concat(issues, ignore_index=True)
        if issues
        else pd.DataFrame(columns=["practice_code", "practice_name", "pcn_code", "problem"])
    )
    return located[columns].reset_index(drop=True), issue_frame


def reconcile(
    details: pd.DataFrame,
    members: pd.DataFrame,
    practices: pd.DataFrame,
    catchments: gpd.GeoDataFrame,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """One row per PCN code in any source: where it appears, its members, and a note when
    the sources disagree (in one and not another, closed but with a catchment, ...)."""
    codes = sorted(
        set(details["pcn_code"])
        | set(members["pcn_code"])
        | set(practices["pcn_code"])
        | set(catchments["pcn_code"])
    )
    frame = pd.DataFrame({"pcn_code": codes})
    listed = details.set_index("pcn_code")
    names = (
        catchments.set_index("pcn_code")["pcn_name"]
        .combine_first(listed["pcn_name"])
        .reindex(codes)
    )
    # The ePCN name is the current one; the catchment name fills in for unlisted PCNs.
    frame["pcn_name"] = listed["pcn_name"].reindex(codes).fillna(names).fillna("").to_numpy()
    frame["in_epcn"] = frame["pcn_code"].isin(listed.index)
    opened = listed["open_date"].reindex(codes)
    closed = listed["close_date"].reindex(codes)
    frame["open_on_date"] = (
        frame["in_epcn"] & (opened <= as_of).to_numpy() & ~(closed < as_of).to_numpy()
    )
    frame["close_date"] = closed.dt.strftime("%Y-%m-%d").fillna("").to_numpy()
    frame["has_catchment"] = frame["pcn_code"].isin(catchments["pcn_code"])
    frame["members"] = (
        members.groupby("pcn_code").size().reindex(codes, fill_value=0).to_numpy(dtype=int)
    )
    frame["located_practices"] = (
        practices.groupby("pcn_code").size().reindex(codes, fill_value=0).to_numpy(dtype=int)
    )
    frame["note"] = [_note(row) for row in frame.to_dict("records")]
    return frame


def _note(row: dict[str, Any]) -> str:
    in_epcn, open_now = row["in_epcn"], row["open_on_date"]
    catchment, located = row["has_catchment"], row["located_practices"]
    notes = []
    if not in_epcn:
        notes.append("not in the ePCN list")
    elif not open_now:
        closed = row["close_date"]
        notes.append(f"closed on {closed}" if closed else "not yet open on the date")
    if open_now and not catchment:
        notes.append("no 2020 catchment (formed or re-formed since)")
    if catchment and not open_now:
        notes.append("has a 2020 catchment but is not an open PCN on the date")
    if open_now and located == 0:
        notes.append("no member practice with a point: no population can be estimated")
    return "; ".join(notes)


def load_sources(
    source: Path, as_of: pd.Timestamp | str | None = None, files: PcnFiles | None = None
) -> PcnSources:
    """Read and reconcile the PCN files. ``as_of`` defaults to the practice map's extract
    date: the day its postcodes and PCN codes were true."""
    files = files or PcnFiles()
    practice_map = read_practice_map(source / files.practice_map)
    details = read_epcn_details(source / files.epcn_details)
    relationships = read_epcn_members(source / files.epcn_members)
    catchments = read_catchments(source / files.catchments)
    if as_of is None:
        if practice_map.extract_date is None:
            raise InputError(
                source / files.practice_map,
                "EXTRACT_DATE is not one date like 01Jan2022; give the membership date",
            )
        as_of = practice_map.extract_date
    date = pd.Timestamp(as_of)
    members = active_members(relationships, date, source / files.epcn_members)
    practices, issues = member_practices(practice_map.frame, members)
    map_pcn = practice_map.frame.set_index("practice_code")["pcn_code"]
    practice_pcn = members.set_index("practice_code")["pcn_code"].combine_first(
        map_pcn.loc[map_pcn != ""]
    )
    pcns = reconcile(details, members, practices, catchments.frame, date)
    return PcnSources(
        as_of=date,
        practices=practices,
        pcns=pcns,
        practice_issues=issues,
        practice_pcn=practice_pcn,
        catchments=catchments.frame,
        catchments_repaired=catchments.repaired,
        files=files,
    )
