"""An evaluation as data for JSON, and as CSV and XLSX downloads for reviewers."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from ..output import records
from ..reports import infer_kinds, workbook_bytes
from .evaluate import Evaluation
from .statutory import statutory_description


def evaluation_data(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "scenario": evaluation.scenario.as_dict(),
        "summary": evaluation.summary,
        "passed": evaluation.passed,
        "rules": [asdict(r) for r in evaluation.rules],
        "icbs": records(evaluation.icbs),
        "moved": records(evaluation.moved),
        "utlas": records(evaluation.utlas),
        "ltlas_changed": records(evaluation.ltlas.loc[evaluation.ltlas["change"] != ""]),
        "typology_changes": records(evaluation.typology_changes),
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
    rows += [(f"Rule {r.rule}", f"{'pass' if r.passed else 'FAIL'}: {r.description}")
             for r in evaluation.rules]  # fmt: skip
    rows += [("Note", note) for note in evaluation.scenario.notes]
    rows += [("Generated (UTC)", datetime.now(UTC).isoformat(timespec="seconds")),
             ("Attribution", p.attribution)]  # fmt: skip
    return rows


def evaluation_csv(evaluation: Evaluation) -> bytes:
    """The ICB table before/after, behind '# ' lines stating what it is."""
    out = io.StringIO()
    for label, text in _about(evaluation):
        out.write(f"# {label}: {text}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(evaluation.icbs.columns)
    for row in records(evaluation.icbs):
        writer.writerow(row.values())
    return out.getvalue().encode("utf-8-sig")


def evaluation_xlsx(evaluation: Evaluation, data: Any) -> bytes:
    """Sheets: ICBs, moves, UTLAs, LTLAs changed, typology changes, rules, statutory."""
    rules = [{"rule": r.rule, "description": r.description, "passed": r.passed,
              "offenders": "; ".join(f"{o.get('name', '')} ({o.get('code', '')})"
                                     for o in r.offenders)} for r in evaluation.rules]  # fmt: skip
    import pandas as pd

    frames = {
        "ICBs": evaluation.icbs,
        "Moves": evaluation.moved,
        "UTLAs": evaluation.utlas,
        "LTLAs changed": evaluation.ltlas.loc[evaluation.ltlas["change"] != ""],
        "Typology changes": evaluation.typology_changes,
        "Rules": pd.DataFrame(rules, columns=["rule", "description", "passed", "offenders"]),
        "Statutory description": statutory_description(data, evaluation.assignment),
    }
    sheets = [(name, frame, infer_kinds(frame)) for name, frame in frames.items()]
    return workbook_bytes(sheets, _about(evaluation), f"Scenario: {evaluation.scenario.name}")
