"""ICB areas described as the Integrated Care Boards (Establishment) Order 2022 does: the
lower-tier local government areas wholly within the ICB, plus the additional LSOAs where
only part of a lower-tier area is included."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..spreadsheet import neutralise_frame
from ..store import VintageData
from .resolve import Assignment

COLUMNS = ["icb_code", "icb_name", "kind", "code", "name", "ltla_code", "ltla_name"]


def statutory_description(data: VintageData, assignment: Assignment) -> pd.DataFrame:
    """One row per whole LTLA (kind 'ltla') or per LSOA of a part-included LTLA
    (kind 'lsoa'), ICB by ICB."""
    table = data.table
    ltla = data.column_objects("ltla_code")
    frame = pd.DataFrame({"icb": assignment.icb, "ltla": ltla,
                          "lsoa": table["lsoa_code"].to_numpy()})  # fmt: skip
    icbs_per_ltla = frame.groupby("ltla")["icb"].nunique()
    whole = frame["ltla"].map(icbs_per_ltla).to_numpy() == 1
    ltla_names, lsoa_names = data.names["ltla"], data.names["lsoa"]

    wholes = frame.loc[whole, ["icb", "ltla"]].drop_duplicates()
    parts = frame.loc[~whole, ["icb", "ltla", "lsoa"]]
    rows = pd.concat(
        [
            pd.DataFrame({"icb_code": wholes["icb"], "kind": "ltla", "code": wholes["ltla"],
                          "ltla_code": wholes["ltla"]}),
            pd.DataFrame({"icb_code": parts["icb"], "kind": "lsoa", "code": parts["lsoa"],
                          "ltla_code": parts["ltla"]}),
        ],
        ignore_index=True,
    )  # fmt: skip
    rows["icb_name"] = rows["icb_code"].map(assignment.names)
    rows["ltla_name"] = rows["ltla_code"].map(ltla_names)
    rows["name"] = np.where(rows["kind"] == "ltla", rows["ltla_name"],
                            rows["code"].map(lsoa_names))  # fmt: skip
    order = rows["kind"].map({"ltla": 0, "lsoa": 1})
    rows = rows.assign(_order=order).sort_values(["icb_code", "_order", "ltla_code", "code"])
    return rows[COLUMNS].reset_index(drop=True)


def statutory_text(description: pd.DataFrame) -> str:
    """The description as readable text, ICB by ICB, in the order's manner."""
    lines = []
    for (code, name), group in description.groupby(["icb_code", "icb_name"], sort=True):
        whole = group.loc[group["kind"] == "ltla", "name"].tolist()
        lines.append(f"{name} ({code})")
        if whole:
            lines.append("  The areas of: " + ", ".join(whole) + ".")
        for (_, ltla_name), part in group.loc[group["kind"] == "lsoa"].groupby(
            ["ltla_code", "ltla_name"]
        ):
            lines.append(f"  In {ltla_name}, the lower layer super output areas: "
                         + ", ".join(part["code"]) + ".")  # fmt: skip
        lines.append("")
    return "\n".join(lines)


def statutory_csv(description: pd.DataFrame) -> str:
    """The description as CSV, its names neutralised for spreadsheets."""
    return neutralise_frame(description).to_csv(index=False, lineterminator="\n")
