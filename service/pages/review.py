"""Pages of the 2026 review: two vintages compared, and a built-in scenario (the 2027
mergers) with its groups, rules and strategic authority alignment before and after."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for

from geodata.errors import BoundaryLabError
from geodata.output import records, short_name
from geodata.provenance import ATTRIBUTION
from geodata.scenarios.builtin import evaluate_builtin, get_builtin
from geodata.vintage_compare import compare_vintages

from .. import params
from ..auth import check_access
from ..context import services
from ..errors import bad_request
from .maps import _error_page

review = Blueprint("review", __name__, url_prefix="/review")

STYLE = """<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;
padding:0 1rem;line-height:1.45}table{border-collapse:collapse;margin:.5rem 0 1.5rem}
td,th{border-bottom:1px solid #ddd;padding:.2rem .6rem;text-align:left;vertical-align:top}
.num{text-align:right}.warn{color:#a50026;font-weight:600}footer{margin-top:3rem;
font-size:.85rem;color:#555}</style>"""

TABLE = """{% macro table(rows, columns) %}<table><tr>{% for c in columns %}<th>{{ c }}</th>
{% endfor %}</tr>{% for r in rows %}<tr>{% for c in columns %}<td{% if r[c] is number %}
 class="num"{% endif %}>{{ fmt(r[c]) }}</td>{% endfor %}</tr>{% endfor %}</table>{% endmacro %}"""

COMPARE = (
    """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Vintage {{ a }} to {{ b }} · Boundary Lab</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
"""
    + STYLE
    + TABLE
    + """</head><body>
<h1>ICBs: vintage {{ a }} to {{ b }}</h1>
<p><a href="{{ map_url }}">On a map</a> · <a href="{{ xlsx_url }}">XLSX workbook</a> ·
<a href="{{ home }}">All maps and reports</a></p>
<h2>Summary</h2>{{ table(summary, ["metric", "a", "b", "change"]) }}
<h2>Who moved (LSOAs and people by ICB, from {{ a }} to {{ b }})</h2>
{{ table(moves, ["from_name", "to_name", "lsoas", "population"]) }}
<h2>Recodes (same ODS code, new ONS code: not moves)</h2>
{{ table(recodes, ["layer", "nhs_code", "code_a", "code_b", "name_b", "lsoas_kept",
                   "people_kept"]) }}
<h2>ICB populations</h2>
{{ table(icbs, ["nhs_code", "name_a", "name_b", "population_a", "population_b", "change",
                "status"]) }}
<h2>Councils that became split or unsplit</h2>
{{ table(utlas, ["code", "name", "icbs_before", "icbs_after", "change"]) }}
{{ table(ltlas, ["code", "name", "icbs_before", "icbs_after", "change"]) }}
<h2>Typology before and after (councils whose type or main ICB changed)</h2>
{{ table(typology, ["code", "name", "type_a", "main_icb_name_a", "type_b", "main_icb_name_b"]) }}
<h2>About</h2><dl>{% for label, text in about %}<dt>{{ label }}</dt><dd>{{ text }}</dd>
{% endfor %}</dl><footer>{{ attribution }}</footer></body></html>"""
)

MERGERS = (
    """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ name }} · Boundary Lab</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
"""
    + STYLE
    + TABLE
    + """</head><body>
<h1>{{ name }}</h1><p>{{ description }}</p>
<p>Vintage {{ vintage }}: ICBs {{ summary.before.icbs }} → {{ summary.after.icbs }};
smallest {{ fmt(summary.before.min) }} → {{ fmt(summary.after.min) }} people; largest
{{ fmt(summary.before.max) }} → {{ fmt(summary.after.max) }}.
<a href="{{ alignment_url }}">Alignment map of vintage {{ vintage }}</a> ·
<a href="{{ api_url }}">JSON</a> · <a href="{{ home }}">All maps and reports</a></p>
<h2>Groups (from the clusters file; uncertain rows flagged)</h2>
<table><tr><th>Group</th><th>ICBs</th><th class="num">People</th><th>Confidence</th></tr>
{% for g in groups %}<tr><td>{{ g.id }}</td><td>{{ g.member_names|map("short")|join("; ") }}</td>
<td class="num">{{ fmt(g.population) }}</td><td{% if g.uncertain %} class="warn"{% endif %}>
{% if g.uncertain %}uncertain: {% endif %}{{ g.confidence }}</td></tr>{% endfor %}</table>
<h2>Design rules before and after</h2>
{{ table(rules, ["description", "offenders_before", "offenders_after", "offenders"]) }}
<h2>ICBs and strategic authorities before and after</h2>
{{ table(alignment, ["class", "icbs_before", "icbs_after"]) }}
<h2>Councils that became split or unsplit</h2>
{{ table(utlas, ["code", "name", "icbs_before", "icbs_after", "change"]) }}
<h2>About</h2><dl>{% for label, text in about %}<dt>{{ label }}</dt><dd>{{ text }}</dd>
{% endfor %}</dl><footer>{{ attribution }}</footer></body></html>"""
)


@review.before_request
def _check_access() -> None:
    check_access("viewer")


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1 else f"{value:,.0f}"
    return short_name(str(value))


def _render(template: str, **context: Any) -> str:
    from flask import current_app

    env = current_app.jinja_env.overlay()
    env.filters["short"] = short_name
    return env.from_string(template).render(fmt=_fmt, home=url_for("web.index"),
                                            attribution=ATTRIBUTION, **context)  # fmt: skip


@review.get("/vintages")
def vintages() -> str:
    a, b = params.text("a", "2024") or "2024", params.text("b", "2026") or "2026"
    result = compare_vintages(services().vintage(a), services().vintage(b))
    return _render(
        COMPARE, a=result.a, b=result.b, summary=records(result.summary),
        moves=records(result.moves), recodes=records(result.recodes),
        icbs=records(result.icbs), utlas=records(result.utlas), ltlas=records(result.ltlas),
        typology=records(result.typology), about=result.about,
        map_url=url_for("maps.vintages_compare", a=result.a, b=result.b),
        xlsx_url=f"/api/v1/reports/vintages-compare.xlsx?a={result.a}&b={result.b}",
    )  # fmt: skip


@review.get("/scenarios/<key>")
def builtin(key: str) -> str:
    data = services().vintage(params.text("vintage"))
    result = evaluate_builtin(data, get_builtin(data, key))
    evaluation = result.evaluation
    about = [("Vintage", data.name), ("Method", evaluation.provenance.method),
             *(("Note", n) for n in [evaluation.provenance.note] if n),
             *(("Uncertain group", n) for n in evaluation.scenario.notes)]  # fmt: skip
    return _render(
        MERGERS, name=evaluation.scenario.name, description=evaluation.scenario.description,
        vintage=data.name, summary=evaluation.summary, groups=records(result.builtin.groups),
        rules=records(result.rules), alignment=records(result.alignment),
        utlas=records(evaluation.utlas.loc[evaluation.utlas["change"] != ""]), about=about,
        alignment_url=url_for("maps.alignment", vintage=data.name),
        api_url=f"/api/v1/scenarios/builtin/{result.builtin.key}/evaluation?vintage={data.name}",
    )  # fmt: skip


@review.errorhandler(BoundaryLabError)
def _domain_error(exc: BoundaryLabError) -> tuple[str, int]:
    return _error_page(400, str(exc))


__all__ = ["bad_request", "review"]
