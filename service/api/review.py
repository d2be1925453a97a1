"""The 2026 review: ICB-strategic authority alignment, two vintages compared, and the
built-in scenarios (the 2027 mergers) with their rules before and after."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from geodata.alignment import alignment
from geodata.alignment_report import (
    alignment_about_bytes,
    alignment_csv,
    alignment_data,
    alignment_xlsx,
)
from geodata.output import records
from geodata.scenarios.builtin import builtin_scenarios, evaluate_builtin, get_builtin
from geodata.scenarios.report import evaluation_data
from geodata.vintage_compare import compare_vintages, comparison_data, comparison_xlsx

from .. import params
from ..context import services
from ..errors import bad_request
from . import api, responses, schemas
from .reports import attachment, check_format
from .scenarios import rule_set
from .spec import operation


def _alignment() -> Any:
    data = services().vintage(params.text("vintage"))
    tolerance = params.number("tolerance", 0, 0.49, default=0.0) or 0.0
    return alignment(data, params.sa_status(), tolerance)


@api.get("/alignment")
@operation(
    "ICBs against strategic authorities: overlaps both ways and a class per ICB",
    ok=responses.Alignment,
    query=schemas.AlignmentQuery,
)
def alignment_view() -> Response:
    return jsonify(alignment_data(_alignment()))


@api.get("/reports/alignment.<ext>")
@operation(
    "The alignment as a CSV (one row per ICB) or XLSX (ICBs, authorities, pairs)",
    ok=responses.TABLE_FILES,
    query=schemas.AlignmentQuery,
    path=schemas.ExtPath,
)
def alignment_report(ext: str) -> Response:
    check_format(ext)
    result = _alignment()
    if ext == "txt":
        body = alignment_about_bytes(result)
    else:
        body = alignment_xlsx(result) if ext == "xlsx" else alignment_csv(result)
    name = f"alignment_icb_sa_{result.provenance.vintage}_{result.status}.{ext}"
    return attachment(body, name, ext)


def _comparison() -> Any:
    store = services().store
    names = [params.text("a"), params.text("b")]
    if not all(names):
        raise bad_request("give two vintages as a and b, e.g. ?a=2024&b=2026",
                          parameter="a" if not names[0] else "b", valid=store.built())  # fmt: skip
    return compare_vintages(services().vintage(names[0]), services().vintage(names[1]))


@api.get("/vintages/compare")
@operation(
    "Two vintages on the same LSOAs: moves, recodes, councils, typology and ICB "
    "populations before/after",
    ok=responses.VintageComparison,
    query=schemas.VintagePairQuery,
)
def vintages_compare() -> Response:
    return jsonify(comparison_data(_comparison()))


@api.get("/reports/vintages-compare.<ext>")
@operation(
    "The vintage comparison as an XLSX workbook",
    ok=(responses.XLSX,),
    query=schemas.VintagePairQuery,
    path=schemas.XlsxPath,
)
def vintages_compare_report(ext: str) -> Response:
    if ext != "xlsx":
        check_format(ext)
        raise bad_request("the vintage comparison comes as xlsx (it has several tables)",
                          parameter="ext", valid=["xlsx"])  # fmt: skip
    result = _comparison()
    return attachment(comparison_xlsx(result), f"vintages_{result.a}_{result.b}.xlsx", ext)


@api.get("/scenarios/builtin")
@operation("Built-in scenarios of every built vintage", ok=responses.BuiltinScenarios, errors=())
def builtin_list() -> Response:
    store = services().store
    return jsonify([{"id": b.ref, "vintage": name, "name": b.scenario.name,
                     "description": b.scenario.description,
                     "links": {"evaluation": f"/api/v1/scenarios/builtin/{b.key}/evaluation"
                                             f"?vintage={name}"}}
                    for name in store.built()
                    for b in builtin_scenarios(store.load(name)).values()])  # fmt: skip


@api.get("/scenarios/builtin/<key>/evaluation")
@operation(
    "A built-in scenario evaluated, with its groups, every rule and the alignment before and after",
    ok=responses.BuiltinEvaluation,
    query=schemas.RulesQuery,
    path=schemas.KeyPath,
)
def builtin_evaluation(key: str) -> Response:
    data = services().vintage(params.text("vintage"))
    result = evaluate_builtin(data, get_builtin(data, key), rule_set())
    return jsonify({
        "id": result.builtin.ref,
        "groups": records(result.builtin.groups),
        "rules_before_after": records(result.rules),
        "alignment_before_after": records(result.alignment),
        **evaluation_data(result.evaluation),
    })  # fmt: skip
