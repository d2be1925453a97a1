"""Pages for people: the index with links to reports, maps and the API description."""

from __future__ import annotations

from flask import Blueprint, render_template_string

from geodata.provenance import ATTRIBUTION

from .context import services

web = Blueprint("web", __name__)

INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Boundary Lab</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.5}footer{margin-top:3rem;font-size:.85rem;color:#555}code{background:#eee}</style>
</head><body>
<h1>Boundary Lab</h1>
<p>How England's councils, Integrated Care Boards, sub-ICB locations, places and PCNs line
up, from ONS and NHS open data.</p>
<h2>Reports</h2>
<ul>
{% for v in vintages %}
<li>Vintage {{ v.name }} ({{ v.meta.title }}):
 UTLA by ICB splits <a href="/api/v1/reports/splits.xlsx?vintage={{ v.name }}">XLSX</a>
 · <a href="/api/v1/reports/splits.csv?vintage={{ v.name }}">CSV</a>;
 typology <a href="/api/v1/reports/typology.xlsx?vintage={{ v.name }}">XLSX</a>
 · <a href="/api/v1/reports/typology.csv?vintage={{ v.name }}">CSV</a></li>
{% else %}<li>No vintage is built yet: run <code>boundary-lab build</code>.</li>
{% endfor %}
</ul>
<h2>API</h2>
<p>JSON under <a href="/api/v1/vintages">/api/v1</a>, described by
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<footer>{{ attribution }}</footer>
</body></html>"""


@web.get("/")
def index() -> str:
    store = services().store
    vintages = [store.load(name) for name in reversed(store.built())]
    return render_template_string(INDEX, vintages=vintages, attribution=ATTRIBUTION)
