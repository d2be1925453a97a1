"""Pages for people: the index with links to reports, maps and the API description."""

from __future__ import annotations

from flask import Blueprint, render_template_string

from geodata.provenance import ATTRIBUTION
from geodata.store import VintageData

from ..context import services
from .maps import SEARCH_LAYERS, maps

web = Blueprint("web", __name__)
# The map pages come with the index that links them: registering ``web`` on an app
# registers ``maps`` (/maps/...) beside it.
web.record_once(lambda state: state.app.register_blueprint(maps))

INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Boundary Lab</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.5}footer{margin-top:3rem;font-size:.85rem;color:#555}code{background:#eee}
form{margin:1rem 0;display:flex;gap:.5rem;flex-wrap:wrap;align-items:end}
label{display:flex;flex-direction:column;font-size:.9rem}input,select,button{font:inherit;
padding:.3rem .5rem}input{min-width:22rem}</style>
</head><body>
<h1>Boundary Lab</h1>
{% set who = current_user() %}<p>{% if who.role %}Signed in as {{ who.name }} ({{ who.role }}).
<form method="post" action="{{ url_for('sign_in.sign_out') }}" style="display:inline">
{{ csrf_field() }}<button type="submit">Sign out</button></form>{% else %}
<a href="{{ url_for('sign_in.form') }}">Sign in</a> to save scenarios and place sets.{% endif %}</p>
<p>How England's councils, Integrated Care Boards, sub-ICB locations, places and PCNs line
up, from ONS and NHS open data.</p>
<h2>Maps</h2>
{% if vintages %}
<form action="{{ url_for('maps.find') }}" method="get" role="search">
<label for="q">Council, ICB or sub-ICB location: name or code
<input id="q" name="q" list="areas" required placeholder="Essex, or E10000012"></label>
<label for="vintage">Vintage<select id="vintage" name="vintage">
{% for v in vintages %}<option value="{{ v.name }}">{{ v.name }}</option>{% endfor %}
</select></label>
<button type="submit">Show on a map</button>
</form>
<datalist id="areas">{% for name, code in areas %}
<option value="{{ name }} ({{ code }})">{% endfor %}
</datalist>
<ul>
{% for v in vintages %}
<li>Vintage {{ v.name }}:
 <a href="{{ url_for('maps.overview', vintage=v.name) }}">England overview</a>
 (ICBs, councils, sub-ICB locations) ·
 <a href="{{ url_for('maps.typology', vintage=v.name) }}">council typology</a>
 {%- if 'E10000012' in v.names['utla'] %} ·
 <a href="{{ url_for('maps.split', council='E10000012', vintage=v.name) }}">Essex by ICB</a>
 {%- endif %} (any council's LSOAs by ICB: <code>/maps/split/&lt;code or name&gt;</code>)</li>
{% endfor %}
</ul>
{% endif %}
<h2>Reports</h2>
<ul>
{% for v in vintages %}
<li>Vintage {{ v.name }} ({{ v.meta.title }}):
 UTLA by ICB splits <a href="/api/v1/reports/splits.xlsx?vintage={{ v.name }}">XLSX</a>
 · <a href="/api/v1/reports/splits.csv?vintage={{ v.name }}">CSV</a>;
 typology <a href="/api/v1/reports/typology.xlsx?vintage={{ v.name }}">XLSX</a>
 · <a href="/api/v1/reports/typology.csv?vintage={{ v.name }}">CSV</a>;
 PCN populations <a href="/api/v1/reports/pcns.xlsx?vintage={{ v.name }}">XLSX</a>
 · <a href="/api/v1/reports/pcns.csv?vintage={{ v.name }}">CSV</a>;
 PCNs split across councils
 <a href="/api/v1/reports/pcn-splits.xlsx?vintage={{ v.name }}">XLSX</a></li>
{% else %}<li>No vintage is built yet: run <code>boundary-lab build</code>.</li>
{% endfor %}
</ul>
{% if vintages %}
<h2>PCNs of an ICB</h2>
<form action="{{ url_for('maps.pcns') }}" method="get">
<label for="pcn-icb">ICB <select id="pcn-icb" name="icb">
{% for code, name in vintages[0].names['icb']|dictsort(by='value') %}
<option value="{{ code }}">{{ name }}</option>{% endfor %}
</select></label>
<input type="hidden" name="vintage" value="{{ vintages[0].name }}">
<button type="submit">Show PCN catchments and practices</button>
</form>
{% endif %}
<h2>What-if redraws</h2>
<p><a href="{{ url_for('scenario_pages.index') }}">Scenarios</a>: move councils, sub-ICB
locations, PCNs or LSOAs between ICBs, or upload candidate boundaries, and see who moves,
which councils become split or unsplit, and how big every ICB becomes.</p>
<h2>API</h2>
<p>JSON under <a href="/api/v1/vintages">/api/v1</a>, described by
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<footer>{{ attribution }}</footer>
</body></html>"""


@web.get("/")
def index() -> str:
    store = services().store
    vintages = [store.load(name) for name in reversed(services().usable())]
    areas = _search_suggestions(vintages[0]) if vintages else []
    return render_template_string(INDEX, vintages=vintages, areas=areas, attribution=ATTRIBUTION)


def _search_suggestions(data: VintageData) -> list[tuple[str, str]]:
    """(name, code) of every unit the map search finds, newest vintage, once each."""
    seen: dict[str, str] = {}
    for layer in (layer for layer in SEARCH_LAYERS if layer in data.layers):
        for code, name in data.names[layer].items():
            seen.setdefault(code, name)
    return sorted((name, code) for code, name in seen.items())
