"""A GeoJSON overlay for folium maps, lean enough for thousands of polygons.

folium's own ``GeoJson`` writes one ``case`` per feature for its styles and has branca
compile the whole script, data included, as a Jinja template; for national layers that
is most of a page's build time. Here the style is one object plus a palette index per
feature, and the script goes into the page as plain text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from branca.element import Element, Figure
from folium.map import Layer


class RawElement(Element):
    """Text put into the page as it is (branca would compile it as a Jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawElement"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


#: Leaflet panes the maps add (see ``controls.Panes``): borders drawn over every other
#: layer, and the labels over them.
PANE_ON_TOP = "bl-top"


class GeoJsonLayer(Layer):
    """An overlay from a GeoJSON FeatureCollection (text).

    ``style``: Leaflet path options for every feature; features with a ``fill`` property
    (an index into ``palette``) take that fill colour. ``tooltip``: property -> label
    (plain text, escaped here); the values must be HTML-safe already. A layer without a
    tooltip ignores the mouse, so it never hides the tooltips of the layers below it.
    """

    def __init__(
        self,
        geojson: str,
        name: str,
        style: dict[str, Any],
        palette: Sequence[str] = (),
        tooltip: dict[str, str] | None = None,
        show: bool = True,
        point_radius: float | None = None,
        link: str | None = None,
        labels_from_zoom: float | None = None,
        follows: GeoJsonLayer | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=follows is None, show=show)
        self.point_radius = point_radius  # points as circles of this many pixels
        self._name = "GeoJsonLayer"
        self.geojson = geojson
        self.style = style
        self.palette = list(palette)
        self.tooltip = tooltip or {}
        #: an address with ``{code}``: clicking a feature opens it
        self.link = link
        #: from this zoom on, each feature's ``label_text`` at (``lx``, ``ly``)
        self.labels_from_zoom = labels_from_zoom
        #: drawn on top of everything (its own pane), shown and hidden with ``follows``
        #: and left out of the layer switcher
        self.follows = follows
        #: property values are raw text to escape (else HTML escaped already)
        self.escape_values = False

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca's own returns None
        assert self._parent is not None, "add the layer to a map first"
        name, parent = self.get_name(), self._parent.get_name()
        script = self.script()
        if self.show:
            script += f"\n{name}.addTo({parent});"
        if self.labels_from_zoom is not None:
            script += "\n" + self._labels_script(parent)
        if self.follows is not None:
            leader = self.follows.get_name()
            script += (
                f"\n{leader}.on('add', function () {{ {name}.addTo({parent}); }});"
                f"\n{leader}.on('remove', function () {{ {parent}.removeLayer({name}); }});"
            )
        root = self.get_root()
        assert isinstance(root, Figure)
        root.script.add_child(RawElement(script), name=name)

    def _labels_script(self, parent: str) -> str:
        """Names as text on the map, only when zoomed in enough for them to fit."""
        name = self.get_name()
        return "\n".join([
            f"var {name}_labels = L.layerGroup();",
            f"{name}.eachLayer(function (layer) {{",
            "    var p = layer.feature.properties;",
            "    if (p.lx === undefined) return;",
            f"    {name}_labels.addLayer(L.marker([p.ly, p.lx], {{",
            "        icon: L.divIcon({className: 'bl-label', html: '<span>' + p.label_text + "
            "'</span>', iconSize: null}),",
            "        interactive: false, keyboard: false, pane: 'bl-labels'}));",
            "});",
            f"function {name}_syncLabels() {{",
            f"    var on = {parent}.hasLayer({name}) && "
            f"{parent}.getZoom() >= {_js(self.labels_from_zoom)};",
            f"    if (on && !{parent}.hasLayer({name}_labels)) {name}_labels.addTo({parent});",
            f"    if (!on && {parent}.hasLayer({name}_labels))",
            f"        {parent}.removeLayer({name}_labels);",
            "}",
            f"{parent}.on('zoomend overlayadd overlayremove', {name}_syncLabels);",
            f"{name}_syncLabels();",
        ])  # fmt: skip

    def script(self) -> str:
        name = self.get_name()
        lines = [
            f"var {name}_style = {_js(self.style)};",
            f"var {name}_palette = {_js(self.palette)};",
            f"var {name} = L.geoJson({self.geojson}, {{",
            f"    interactive: {_js(bool(self.tooltip or self.link))},",
            *([f"    pane: {_js(PANE_ON_TOP)},"] if self.follows is not None else []),
            *(
                [
                    "    pointToLayer: function (feature, latlng) {",
                    f"        return L.circleMarker(latlng, {{radius: {_js(self.point_radius)}}});",
                    "    },",
                ]
                if self.point_radius
                else []
            ),
            "    style: function (feature) {",
            "        var fill = feature.properties.fill;",
            f"        if (fill === undefined) return {name}_style;",
            f"        var colour = {{fillColor: {name}_palette[fill]}};",
            f"        return Object.assign({{}}, {name}_style, colour);",
            "    },",
            "});",
        ]
        if self.tooltip:
            rows = "".join(
                f"<tr><th>{escape(label)}</th><td>{{{field}}}</td></tr>"
                for field, label in self.tooltip.items()
            )
            lines += [
                f"{name}.bindTooltip(function (layer) {{",
                "    var p = layer.feature.properties;",
                f"    return {_js('<table>' + rows + '</table>')}.replace(",
                "        /\\{(\\w+)\\}/g, function (all, key) {",
                "            var v = p[key];",
                "            if (typeof v === 'number') return v.toLocaleString('en-GB');",
                *(
                    [
                        "            return String(v).replace(/[&<>\"']/g, function (c) {",
                        "                return '&#' + c.charCodeAt(0) + ';'; });",
                    ]
                    if self.escape_values
                    else ["            return v;"]
                ),
                "        });",
                '}, {sticky: true, opacity: 0.95, className: "bl-tooltip"});',
                f"{name}.on('mouseover', function (e) {{",
                "    e.layer.setStyle({",
                f"        weight: ({name}_style.weight || 1) + 2,",
                f"        fillOpacity: Math.min(0.9, ({name}_style.fillOpacity || 0) + 0.2),",
                "    });",
                "});",
                f"{name}.on('mouseout', function (e) {{ {name}.resetStyle(e.layer); }});",
            ]
        if self.link:
            lines += [
                f"{name}.on('click', function (e) {{",
                "    var code = e.layer.feature.properties.code;",
                f"    window.location.href = {_js(self.link)}.replace('{{code}}', "
                "encodeURIComponent(code));",
                "});",
            ]
        return "\n".join(lines)


def _js(value: object) -> str:
    """A JSON literal safe inside a <script>."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


class LazyGeoJsonLayer(GeoJsonLayer):
    """A layer too big to put in the page (PCN catchments of all England): off when the
    page opens, fetched from ``url`` the first time a reader switches it on."""

    def __init__(
        self, url: str, name: str, style: dict[str, Any], tooltip: dict[str, str] | None = None
    ) -> None:
        super().__init__("null", name, style, (), tooltip, show=False)
        self.url = url
        self.escape_values = True  # the API's text is raw: escape it for the tooltip

    def script(self) -> str:
        name = self.get_name()
        return super().script() + (
            f"\n{name}.once('add', function () {{"
            f"\n    fetch({_js(self.url)}).then(function (r) {{ return r.json(); }})"
            f"\n        .then(function (data) {{ {name}.addData(data); }});"
            "\n});"
        )
