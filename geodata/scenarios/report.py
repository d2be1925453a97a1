"""An evaluation as data for JSON, and as CSV and XLSX downloads for reviewers."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from ..output import records
from ..reports import about_text, in_words, infer_kinds, workbook_bytes
from ..spreadsheet import csv_text
from .evaluate import Evaluation
from .statutory import statutory_description


def evaluation_data(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "scenario": evaluation.scenario.as_dict(),
        "summary": evaluation.summary,
        "passed": evaluation.passed,
        "rules": [asdict(r) for r in evaluation.rules],
        "rule_outcomes": [o.as_dict() for o in evaluation.outcomes],
        "icbs": records(evaluation.icbs),
        "moved": records(evaluation.moved),
        "utlas": records(evaluation.utlas),
        "ltlas_changed": records(evaluation.ltlas.loc[evaluation.ltlas["change"] != ""]),
        "typology_changes": records(evaluation.typology_changes),
        "strategic_authorities": [] if evaluation.sas is None else records(evaluation.sas),
        "new_icbs": evaluation.assignment.new_icbs,
        "provenance": evaluation.provenance.as_dict(),
    }


def _about(evaluation: Evaluation) -> list[tuple[str, str]]:
    p = evaluation.provenance
    rows = [
        ("Scenario", evaluation.scenario.name),
        ("Description", evaluation.scenario.description),
        ("Vintage", p.vintage),
        ("Vintage description", p.title),
        ("Boundaries", p.boundaries),
        ("Population source", p.population_source),
        ("Method", p.method),
        *([("Vintage note", p.note)] if p.note else []),
        ("Changes", f"{len(evaluation.scenario.moves)} move(s), "
                    f"{len(evaluation.scenario.blocks)} LSOA assignment(s)"),
    ]  # fmt: skip
    outcomes = {o.rule: o.status for o in evaluation.outcomes}
    rows += [(f"Rule {r.rule}", f"{'pass' if r.passed else 'FAIL'}: {r.description}"
              + (f" ({outcomes[r.rule]})" if r.rule in outcomes else ""))
             for r in evaluation.rules]  # fmt: skip
    rows += [("Note", note) for note in evaluation.scenario.notes]
    rows += [("Generated (UTC)", datetime.now(UTC).isoformat(timespec="seconds")),
             ("Attribution", p.attribution)]  # fmt: skip
    return rows


#: Column headers in words, for every sheet of a scenario report (one place: the CSV and
#: every XLSX sheet read them). A column not listed keeps its own name.
HEADERS = {
    "code": "Code", "name": "Name", "new": "New ICB?",
    "population_before": "Population before", "population_after": "Population after",
    "change": "Change", "lsoas_before": "LSOAs before", "lsoas_after": "LSOAs after",
    "parts_after": "Parts after", "islands_after": "Islands after",
    "exclaves_after": "Detached parts after (exclaves)",
    "fragments_after": "Slivers after (fragments)",
    "polsby_popper_after": "Compactness after (Polsby-Popper)",
    "from_code": "From ICB code", "from_name": "From ICB", "to_code": "To ICB code",
    "to_name": "To ICB", "population": "People", "lsoas": "LSOAs",
    "icbs_before": "ICBs before", "icbs_after": "ICBs after",
    "main_share_before": "Share in main ICB before",
    "main_share_after": "Share in main ICB after",
    "type_before": "Type before", "type_after": "Type after",
    "main_icb_code_before": "Main ICB code before", "main_icb_code_after": "Main ICB code after",
    "main_icb_name_before": "Main ICB before", "main_icb_name_after": "Main ICB after",
    "share_of_icb_before": "Share of main ICB before",
    "share_of_icb_after": "Share of main ICB after",
    "other_las_before": "Other LAs in main ICB before",
    "other_las_after": "Other LAs in main ICB after",
    "rule": "Rule", "description": "Description", "passed": "Passed?",
    "status": "Compared with the base", "offenders": "Failing now",
    "fixed": "Fixed by the scenario",
    "icb_code": "ICB code", "icb_name": "ICB", "kind": "Kind",
    "ltla_code": "Lower-tier LA code", "ltla_name": "Lower-tier LA",
}  # fmt: skip


def readable(frame: Any) -> tuple[Any, dict[str, str]]:
    """The frame with headers in words and its number formats under those headers."""
    kinds = infer_kinds(frame)
    names = {c: HEADERS.get(c) or in_words(c) for c in frame.columns}
    return frame.rename(columns=names), {names[c]: kind for c, kind in kinds.items()}


def evaluation_csv(evaluation: Evaluation) -> bytes:
    """The ICB table before/after, headers in words; what it is comes in
    ``evaluation_about_bytes``."""
    table, _ = readable(evaluation.icbs)
    body = csv_text(list(table.columns), (list(row.values()) for row in records(table)))
    return body.encode("utf-8-sig")


def evaluation_about_bytes(evaluation: Evaluation) -> bytes:
    return about_text(_about(evaluation))


def evaluation_xlsx(evaluation: Evaluation, data: Any) -> bytes:
    """Sheets: ICBs, moves, UTLAs, LTLAs changed, typology changes, rules, statutory."""
    def names(offenders: list[dict[str, Any]]) -> str:
        return "; ".join(f"{o.get('name', '')} ({o.get('code', '')})" for o in offenders)

    outcomes = {o.rule: o for o in evaluation.outcomes}
    rules = [{"rule": r.rule, "description": r.description, "passed": r.passed,
              "status": outcomes[r.rule].status if r.rule in outcomes else "",
              "offenders": names(r.offenders),
              "fixed": names(outcomes[r.rule].fixed) if r.rule in outcomes else ""}
             for r in evaluation.rules]  # fmt: skip
    import pandas as pd

    frames = {
        "ICBs": evaluation.icbs,
        "Moves": evaluation.moved,
        "UTLAs": evaluation.utlas,
        "LTLAs changed": evaluation.ltlas.loc[evaluation.ltlas["change"] != ""],
        "Typology changes": evaluation.typology_changes,
        "Rules": pd.DataFrame(rules, columns=["rule", "description", "passed", "status",
                                              "offenders", "fixed"]),
        "Statutory description": statutory_description(data, evaluation.assignment),
    }
    if evaluation.sas is not None:
        frames["Strategic authorities"] = evaluation.sas
    sheets = [(name, *readable(frame)) for name, frame in frames.items()]
    return workbook_bytes(sheets, _about(evaluation), f"Scenario: {evaluation.scenario.name}")
