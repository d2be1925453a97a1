"""Two vintages on the same building blocks side by side, as the scenario compare does
for scenarios: which LSOAs and people changed ICB, from where to where.

An ICB is identified across vintages by its NHS (ODS) code where both have one: an ICB
whose ONS code changed but whose ODS code did not (Hampshire and Isle of Wight,
E54000042 -> E54000067, QRL) is a *recode*, and its LSOAs that stayed did not move.
Vintages on different blocks (LSOA 2011 and LSOA 2021) are refused: a comparison LSOA
by LSOA needs the same LSOAs on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import BoundaryLabError, describe_rows
from .provenance import ATTRIBUTION
from .scenarios.evaluate import la_changes
from .store import VintageData
from .typology import typology


@dataclass(frozen=True)
class VintageComparison:
    a: str
    b: str
    summary: pd.DataFrame  # metric, a, b, change
    moves: pd.DataFrame  # from ICB -> to ICB (recodes excluded): LSOAs, people
    recodes: pd.DataFrame  # units whose ONS code changed under the same ODS code
    icbs: pd.DataFrame  # per ICB (matched by ODS code): population in a, in b, status
    utlas: pd.DataFrame  # per UTLA: ICBs in a and b, split/unsplit
    ltlas: pd.DataFrame
    typology: pd.DataFrame  # per UTLA: type and main ICB in a and b, where they differ
    about: list[tuple[str, str]]
    #: the ICB (ONS code) of every LSOA in a and b, for maps
    lsoa_icbs: pd.DataFrame


def _key_of(data: VintageData, layer: str) -> dict[str, str]:
    """ONS code -> identity across vintages: the ODS code where there is one."""
    units = data.units.loc[data.units["layer"] == layer]
    nhs = units["nhs_code"].where(units["nhs_code"].notna() & (units["nhs_code"] != ""))
    return dict(zip(units["code"], nhs.fillna(units["code"]), strict=True))


def check_same_blocks(a: VintageData, b: VintageData) -> None:
    codes_a, codes_b = a.table["lsoa_code"], b.table["lsoa_code"]
    if len(codes_a) == len(codes_b) and (codes_a.to_numpy() == codes_b.to_numpy()).all():
        return
    only_a = sorted(set(codes_a) - set(codes_b))
    blocks_a = str(a.meta.get("boundaries", "")).split(";")[0]
    blocks_b = str(b.meta.get("boundaries", "")).split(";")[0]
    raise BoundaryLabError(
        f"vintages {a.name} and {b.name} are on different building blocks "
        f"({blocks_a} and {blocks_b}): "
        f"{len(only_a):,} LSOAs of {a.name} are not in {b.name} (e.g. "
        f"{describe_rows(only_a, 3)}), so they cannot be compared LSOA by LSOA. Compare "
        "vintages on the same LSOAs, e.g. 2024 and 2026 (both LSOA 2021); bridging LSOA "
        "2011 to 2021 is not done"
    )


def recodes(a: VintageData, b: VintageData, layer: str) -> pd.DataFrame:
    """Units of ``layer`` whose ONS code changed while their ODS code stayed."""
    units_a = a.units.loc[(a.units["layer"] == layer) & a.units["nhs_code"].notna()]
    units_b = b.units.loc[(b.units["layer"] == layer) & b.units["nhs_code"].notna()]
    both = units_a.merge(units_b, on="nhs_code", suffixes=("_a", "_b"))
    both = both.loc[both["code_a"] != both["code_b"]]
    table_a, table_b = a.table[f"{layer}_code"].to_numpy(), b.table[f"{layer}_code"].to_numpy()
    population = a.table["population"].to_numpy()
    rows = []
    for r in both.itertuples():
        stayed = (table_a == r.code_a) & (table_b == r.code_b)
        rows.append({"layer": layer, "nhs_code": r.nhs_code, "code_a": r.code_a,
                     "name_a": r.name_a, "code_b": r.code_b, "name_b": r.name_b,
                     "lsoas_kept": int(stayed.sum()),
                     "people_kept": int(population[stayed].sum()),
                     "lsoas_a": int((table_a == r.code_a).sum()),
                     "lsoas_b": int((table_b == r.code_b).sum())})  # fmt: skip
    columns = ["layer", "nhs_code", "code_a", "name_a", "code_b", "name_b", "lsoas_kept",
               "people_kept", "lsoas_a", "lsoas_b"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _moves(a: VintageData, b: VintageData, moved: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({
        "from_code": a.column_objects("icb_code")[moved],
        "to_code": b.column_objects("icb_code")[moved],
        "population": a.table["population"].to_numpy()[moved],
    })  # fmt: skip
    grouped = frame.groupby(["from_code", "to_code"])["population"].agg(["size", "sum"])
    result = grouped.reset_index().rename(columns={"size": "lsoas", "sum": "population"})
    result.insert(1, "from_name", result["from_code"].map(a.names["icb"]))
    result.insert(3, "to_name", result["to_code"].map(b.names["icb"]))
    return result.sort_values("population", ascending=False, ignore_index=True)


def _icbs(a: VintageData, b: VintageData, key_a: dict[str, str], key_b: dict[str, str]):  # noqa: ANN202
    def side(data: VintageData, keys: dict[str, str]) -> pd.DataFrame:
        grouped = data.table.groupby("icb_code", observed=True)["population"].agg(["sum", "size"])
        codes = [str(c) for c in grouped.index]
        return pd.DataFrame({"key": [keys[c] for c in codes], "code": codes,
                             "name": [data.names["icb"][c] for c in codes],
                             "population": grouped["sum"].to_numpy(),
                             "lsoas": grouped["size"].to_numpy()})  # fmt: skip

    both = side(a, key_a).merge(side(b, key_b), on="key", how="outer", suffixes=("_a", "_b"))
    for column in ("population_a", "population_b", "lsoas_a", "lsoas_b"):
        both[column] = both[column].fillna(0).astype("int64")
    both["change"] = both["population_b"] - both["population_a"]
    both["status"] = np.select(
        [both["code_a"].isna(), both["code_b"].isna(),
         (both["code_a"] != both["code_b"]) & (both["change"] == 0),
         both["code_a"] != both["code_b"], both["change"] != 0],
        ["new", "abolished", "recoded", "recoded and changed", "changed"], default="unchanged",
    )  # fmt: skip
    both = both.rename(columns={"key": "nhs_code"})
    columns = ["nhs_code", "code_a", "name_a", "code_b", "name_b", "population_a",
               "population_b", "change", "lsoas_a", "lsoas_b", "status"]  # fmt: skip
    return both[columns].sort_values(["status", "nhs_code"], ignore_index=True)


def _typology(a: VintageData, b: VintageData, key_a: dict[str, str], key_b: dict[str, str]):  # noqa: ANN202
    columns = ["code", "name", "type", "main_icb_code", "main_icb_name", "main_share"]
    old = typology(a).frame[columns].set_index("code")
    new = typology(b).frame[columns].set_index("code")
    joined = old.join(new.drop(columns="name"), how="outer", suffixes=("_a", "_b"))
    same_icb = [key_a.get(x) == key_b.get(y) for x, y in
                zip(joined["main_icb_code_a"], joined["main_icb_code_b"], strict=True)]  # fmt: skip
    joined["type_changed"] = joined["type_a"] != joined["type_b"]
    joined["main_icb_changed"] = ~np.array(same_icb, dtype=bool)
    return joined.reset_index()


def _split(councils: pd.DataFrame, when: str) -> int:
    return int((councils[f"icbs_{when}"] > 1).sum())


def compare_vintages(a: VintageData, b: VintageData) -> VintageComparison:
    """Everything that changed between vintage ``a`` and vintage ``b`` (same LSOAs)."""
    if a.name == b.name:
        raise BoundaryLabError(f"both vintages are {a.name}; name two different ones")
    check_same_blocks(a, b)
    key_a, key_b = _key_of(a, "icb"), _key_of(b, "icb")
    icb_a, icb_b = a.column_objects("icb_code"), b.column_objects("icb_code")
    moved = np.array([key_a[x] != key_b[y] for x, y in zip(icb_a, icb_b, strict=True)])
    population = a.table["population"].to_numpy()
    icbs = _icbs(a, b, key_a, key_b)
    utlas, ltlas = la_changes(a, b, "utla"), la_changes(a, b, "ltla")
    types = _typology(a, b, key_a, key_b)
    recoded = pd.concat([recodes(a, b, "icb"), recodes(a, b, "sicbl")], ignore_index=True)
    rows: list[tuple[str, Any, Any]] = [
        ("ICBs", a.meta["layers"]["icb"], b.meta["layers"]["icb"]),
        ("sub-ICB locations", a.meta["layers"].get("sicbl"), b.meta["layers"].get("sicbl")),
        ("smallest ICB population", int(icbs.loc[icbs["lsoas_a"] > 0, "population_a"].min()),
         int(icbs.loc[icbs["lsoas_b"] > 0, "population_b"].min())),
        ("largest ICB population", int(icbs["population_a"].max()),
         int(icbs["population_b"].max())),
        ("ICBs under 1,000,000 people",
         int(((icbs["population_a"] > 0) & (icbs["population_a"] < 1_000_000)).sum()),
         int(((icbs["population_b"] > 0) & (icbs["population_b"] < 1_000_000)).sum())),
        ("split UTLAs", _split(utlas, "before"), _split(utlas, "after")),
        ("split LTLAs", _split(ltlas, "before"), _split(ltlas, "after")),
        ("coterminous UTLAs (type 1)", int((types["type_a"] == 1).sum()),
         int((types["type_b"] == 1).sum())),
        ("LSOAs that changed ICB", 0, int(moved.sum())),
        ("people who changed ICB", 0, int(population[moved].sum())),
        ("ICBs recoded (same ODS code)", 0, int((recoded["layer"] == "icb").sum())),
    ]  # fmt: skip
    summary = pd.DataFrame(rows, columns=["metric", "a", "b"], dtype=object)
    summary["change"] = [None if x is None or y is None else y - x
                         for x, y in zip(summary["a"], summary["b"], strict=True)]  # fmt: skip
    about = [
        ("Title", f"ICBs of vintage {a.name} against vintage {b.name}"),
        (f"Vintage {a.name}", f"{a.meta.get('title', '')}; {a.meta.get('boundaries', '')}"),
        (f"Vintage {b.name}", f"{b.meta.get('title', '')}; {b.meta.get('boundaries', '')}"),
        ("Population source", a.meta["population_source"]),
        ("Method", "Both vintages on the same LSOA building blocks and population: an LSOA "
         "moved when its ICB differs, ICBs being matched by their NHS (ODS) code, so an ICB "
         "that only changed its ONS code is a recode, not a move."),
        *[(f"Note ({d.name})", d.meta["note"]) for d in (a, b) if d.meta.get("note")],
        ("Attribution", ATTRIBUTION),
    ]  # fmt: skip
    lsoa_icbs = pd.DataFrame({"lsoa_code": a.table["lsoa_code"].to_numpy(), "icb_a": icb_a,
                              "icb_b": icb_b, "moved": moved})  # fmt: skip
    return VintageComparison(
        a.name, b.name, summary, _moves(a, b, moved), recoded, icbs,
        utlas.loc[utlas["change"] != ""].reset_index(drop=True),
        ltlas.loc[ltlas["change"] != ""].reset_index(drop=True),
        types.loc[types["type_changed"] | types["main_icb_changed"]].reset_index(drop=True),
        about, lsoa_icbs,
    )  # fmt: skip


def comparison_sheets(result: VintageComparison) -> dict[str, pd.DataFrame]:
    return {
        "Summary": result.summary,
        "Moves": result.moves,
        "Recodes": result.recodes,
        "ICBs": result.icbs,
        "UTLAs changed": result.utlas,
        "LTLAs changed": result.ltlas,
        "Typology changes": result.typology,
    }


def comparison_xlsx(result: VintageComparison) -> bytes:
    from .reports import infer_kinds, workbook_bytes

    sheets = [(n, f, infer_kinds(f)) for n, f in comparison_sheets(result).items()]
    return workbook_bytes(sheets, result.about, f"Vintage {result.a} against {result.b}")


def comparison_data(result: VintageComparison) -> dict[str, Any]:
    from .output import records

    data: dict[str, Any] = {"a": result.a, "b": result.b}
    data |= {name.lower().replace(" ", "_"): records(frame)
             for name, frame in comparison_sheets(result).items()}  # fmt: skip
    data["about"] = [{"label": label, "text": text} for label, text in result.about]
    return data
