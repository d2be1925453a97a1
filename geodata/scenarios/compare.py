"""Two scenarios side by side, and the block-assignment CSV that redistricting tools
(Districtr and others) exchange: one row per LSOA, its code and its ICB code."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import BoundaryLabError, describe_rows
from ..spreadsheet import csv_text
from ..store import VintageData
from ..validation import CODE, ICB_NAME, TEXT_FILE, check_text
from .evaluate import Evaluation, evaluate
from .model import Scenario
from .resolve import NEW_ICB, Assignment, resolve
from .rules import RuleSet

MAX_CSV_ROWS = 100_000


@dataclass(frozen=True)
class Comparison:
    a: Evaluation
    b: Evaluation
    lsoas_different: int
    people_different: int
    moved: pd.DataFrame  # LSOAs assigned differently, by ICB in a -> ICB in b
    icbs: pd.DataFrame  # per ICB: population in a, in b, change
    summary: pd.DataFrame  # metric, a, b, change


def compare(
    data: VintageData, a: Scenario, b: Scenario, rules: RuleSet | None = None
) -> Comparison:
    """Every metric of ``a`` and ``b`` (each against the baseline) in two columns."""
    eval_a, eval_b = evaluate(data, a, rules), evaluate(data, b, rules)
    # New ICBs are numbered per scenario (NEW-1…): compare them by name, not by number.
    keys_a, keys_b = _icb_keys(eval_a.assignment), _icb_keys(eval_b.assignment)
    diff = keys_a != keys_b
    population = data.table["population"].to_numpy()
    moves = pd.DataFrame(
        {"a_icb": keys_a[diff], "b_icb": keys_b[diff], "population": population[diff]}
    )  # fmt: skip
    moved = (moves.groupby(["a_icb", "b_icb"])["population"].agg(["sum", "size"]).reset_index()
             .rename(columns={"sum": "population", "size": "lsoas"}))  # fmt: skip
    side_a = eval_a.icbs[["code", "name", "population_after"]].assign(
        key=lambda f: f["code"].map(lambda c: eval_a.assignment.new_icbs.get(c, c))
    )
    side_b = eval_b.icbs[["code", "name", "population_after"]].assign(
        key=lambda f: f["code"].map(lambda c: eval_b.assignment.new_icbs.get(c, c))
    )
    icbs = side_a.merge(side_b, on="key", how="outer", suffixes=("_a", "_b"))
    icbs["code"] = icbs["code_a"].fillna(icbs["code_b"])
    icbs["name"] = icbs["name_a"].fillna(icbs["name_b"])
    icbs = icbs.rename(columns={"population_after_a": "population_a",
                                "population_after_b": "population_b"})  # fmt: skip
    icbs[["population_a", "population_b"]] = icbs[["population_a", "population_b"]].fillna(0)
    icbs["change"] = icbs["population_b"] - icbs["population_a"]
    rows: list[tuple[str, Any, Any]] = []
    for key in ("icbs", "min", "max", "ratio_max_min"):
        rows.append((f"ICB {key}", eval_a.summary["after"][key], eval_b.summary["after"][key]))
    for key in ("utla_icb_links_after", "lsoas_moved", "people_moved"):
        rows.append((key.replace("_after", ""), eval_a.summary[key], eval_b.summary[key]))
    rows.append(("split UTLAs", int((eval_a.utlas["icbs_after"] > 1).sum()),
                 int((eval_b.utlas["icbs_after"] > 1).sum())))  # fmt: skip
    rows.append(("split LTLAs", int((eval_a.ltlas["icbs_after"] > 1).sum()),
                 int((eval_b.ltlas["icbs_after"] > 1).sum())))  # fmt: skip
    for ra, rb in zip(eval_a.rules, eval_b.rules, strict=True):
        rows.append((f"rule {ra.rule} offenders", len(ra.offenders), len(rb.offenders)))
    summary = pd.DataFrame(rows, columns=["metric", "a", "b"], dtype=object)
    summary["change"] = [_change(a, b) for a, b in zip(summary["a"], summary["b"], strict=True)]
    return Comparison(
        eval_a,
        eval_b,
        int(diff.sum()),
        int(population[diff].sum()),
        moved[["a_icb", "b_icb", "lsoas", "population"]],
        icbs[["code", "name", "population_a", "population_b", "change"]],
        summary,
    )


def _icb_keys(assignment: Assignment) -> np.ndarray:
    """ICB per LSOA, new ICBs by their name."""
    return np.array([assignment.new_icbs.get(c, c) for c in assignment.icb], dtype=object)


def _change(a: Any, b: Any) -> Any:
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return b - a
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(b) - float(a)
    return None


def export_blocks(data: VintageData, assignment: Assignment) -> str:
    """Every LSOA with its ICB code (new ICBs as ``new_icb:NAME``, so the file reads back
    as the same scenario), header ``lsoa_code,icb_code``."""
    targets = {code: NEW_ICB + name for code, name in assignment.new_icbs.items()}
    icbs = [targets.get(c, c) for c in assignment.icb]
    return csv_text(["lsoa_code", "icb_code"], zip(data.table["lsoa_code"], icbs, strict=True))


def read_blocks_csv(text: str, source: str = "the CSV") -> dict[str, str]:
    """LSOA code -> ICB code (or new ICB name) from a two-column CSV, with or without a
    header; refuses bad rows with their line numbers."""
    check_text(text, source, TEXT_FILE, required=False)  # binary, NUL, control characters
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KiB limit
        raise BoundaryLabError(f"{source} is not a usable CSV: {exc}") from None
    if not rows:
        raise BoundaryLabError(f"{source} is empty; expected rows of LSOA code, ICB code")
    if len(rows) > MAX_CSV_ROWS:
        raise BoundaryLabError(f"{source} has {len(rows):,} rows; at most {MAX_CSV_ROWS:,}")
    start = 1 if rows[0] and not rows[0][0].strip().upper().startswith(("E01", "W01")) else 0
    blocks: dict[str, str] = {}
    bad = []
    for number, row in enumerate(rows[start:], start=start + 1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            bad.append(number)
            continue
        lsoa = check_text(cells[0], f"{source}, line {number}, LSOA code", CODE).upper()
        icb = check_text(cells[1], f"{source}, line {number}, ICB", ICB_NAME)
        if lsoa in blocks:
            raise BoundaryLabError(f"{source}, line {number}: LSOA {cells[0]} appears twice")
        blocks[lsoa] = icb
    if bad:
        raise BoundaryLabError(f"{source}: lines {describe_rows(bad)} need two values, "
                               "an LSOA code and an ICB code")  # fmt: skip
    if not blocks:
        raise BoundaryLabError(f"{source} has no rows of LSOA code, ICB code")
    return blocks


def import_blocks(data: VintageData, name: str, text: str) -> Scenario:
    """A scenario that assigns the CSV's LSOAs as it says (the rest keep the baseline)."""
    scenario = Scenario(data.name, name).with_blocks(read_blocks_csv(text))
    resolve(data, scenario)  # refuse unknown codes now, not at first use
    return scenario
