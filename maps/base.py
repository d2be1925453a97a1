"""What every map page shares: local assets, optional basemap, source line, layers with
tooltips, the layer switcher and the final HTML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import folium
import geopandas as gpd
import shapely
from pyproj import Transformer

from geodata.geometry import WEB_PRECISION
from geodata.provenance import Provenance

from .controls import PageStyle, Panes, ReadyFlag, Sidebar, SourceNote
from .geojson import feature_collection
from .layer import GeoJsonLayer

_TO_WEB = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


@dataclass(frozen=True)
class MapOptions:
    """Where a page finds its assets and links, and the basemap.

    ``leaflet_js`` and ``leaflet_css`` are the only assets a page loads: folium's other
    defaults (jQuery, Bootstrap, Font Awesome, awesome-markers) serve markers and popups
    these maps do not use. The CSS finds Leaflet's images beside itself.
    """

    leaflet_js: str
    leaflet_css: str
    home_url: str = "/"
    maps_url: str = "/maps"
    api_url: str = "/api/v1"
    tiles: str = ""
    tiles_attribution: str = ""
    #: The site's header (links, vintage switcher) as ready-made HTML for the sidebar.
    header_html: str = ""


def new_map(
    title: str, frame: gpd.GeoDataFrame, provenance: Provenance, options: MapOptions
) -> folium.Map:
    """An empty map fitted to ``frame`` (EPSG:27700), with the source line and no tiles
    unless ``options.tiles`` names a tile server. ``title`` is plain text (escaped here:
    branca's page template does not escape it)."""
    bounds = web_bounds(frame)
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    # Quarter zoom steps let a fitted area fill the window.
    fmap = folium.Map(location=centre, zoom_start=7, tiles=None, control_scale=True, zoom_snap=0.25)
    # Instance lists: folium's class-level defaults point at CDNs.
    fmap.default_js = [("leaflet", options.leaflet_js)]
    fmap.default_css = [("leaflet_css", options.leaflet_css)]
    fmap.get_root().title = escape(f"{title} · Boundary Lab")  # type: ignore[attr-defined]
    PageStyle().add_to(fmap)
    Panes().add_to(fmap)
    if options.tiles:
        folium.TileLayer(
            tiles=options.tiles,
            attr=options.tiles_attribution or "Basemap",
            name="Basemap",
            control=False,
        ).add_to(fmap)
    SourceNote(source_note(provenance)).add_to(fmap)
    fmap.fit_bounds(bounds)
    return fmap


def source_note(provenance: Provenance) -> str:
    note = f" {provenance.note}" if provenance.note else ""
    return escape(f"Boundary Lab, vintage {provenance.vintage}.{note} {provenance.attribution}")


def web_bounds(frame: gpd.GeoDataFrame) -> list[list[float]]:
    """[[south, west], [north, east]] of an EPSG:27700 frame, as Leaflet wants them."""
    west, south, east, north = _TO_WEB.transform_bounds(*frame.total_bounds)
    return [[south, west], [north, east]]


def geojson_layer(
    frame: gpd.GeoDataFrame,
    name: str,
    style: dict[str, Any],
    fills: Sequence[str] | None = None,
    tooltip: dict[str, str] | None = None,
    show: bool = True,
    precision: int = WEB_PRECISION,
    point_radius: float | None = None,
    link: str | None = None,
    labels_from_zoom: float | None = None,
    follows: GeoJsonLayer | None = None,
) -> GeoJsonLayer:
    """A switchable layer of ``frame`` (EPSG:27700, with a ``code`` column).

    ``fills``: a fill colour per row, else the style's. ``tooltip``: column -> label
    (plain text); the column's values must be formatted and HTML-escaped already. Only
    ``code`` and the tooltip's columns go into the page. ``link``: an address with
    ``{code}`` that a click opens. ``labels_from_zoom``: the ``label`` column written on
    the map from that zoom on. ``follows``: a layer this one is drawn over everything
    with, shown and hidden with it.
    """
    columns = ["code", *[c for c in (tooltip or {}) if c != "code"]]
    if labels_from_zoom is not None:
        points = _TO_WEB.transform(*shapely.get_coordinates(
            frame.geometry.representative_point().to_numpy()).T)  # fmt: skip
        frame = frame.assign(lx=points[0].round(5), ly=points[1].round(5),
                             label_text=frame["label"])  # fmt: skip
        columns += ["lx", "ly", "label_text"]
    palette: list[str] = []
    if fills is not None:
        palette = sorted(set(fills))
        index = {colour: i for i, colour in enumerate(palette)}
        frame = frame.assign(fill=[index[colour] for colour in fills])
        columns.append("fill")
    geojson = feature_collection(frame, columns, precision)
    return GeoJsonLayer(geojson, name, style, palette, tooltip, show, point_radius, link,
                        labels_from_zoom, follows)  # fmt: skip


def finish(fmap: folium.Map, layers: Sequence[GeoJsonLayer], panel_html: str) -> folium.Map:
    """Adds the layers, the layer switcher (open, so readers see what can be switched),
    the sidebar and the ready flag."""
    for layer in layers:
        layer.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    Sidebar(panel_html).add_to(fmap)
    ReadyFlag({layer.layer_name: layer for layer in layers}).add_to(fmap)
    return fmap


def render_page(fmap: folium.Map) -> str:
    """The complete HTML document of a map."""
    html = fmap.get_root().render()
    return html.replace("<html>", '<html lang="en">', 1)


def panel(title: str, provenance: Provenance, body: str, options: MapOptions) -> str:
    """The sidebar's HTML: title, vintage and population source, ``body``, a link home.
    ``title`` is plain text (escaped here), ``body`` HTML already escaped by the caller."""
    return (
        f"{options.header_html}<h1>{escape(title)}</h1>"
        f'<p class="bl-sub">Vintage {escape(provenance.vintage)} · '
        f"{escape(provenance.population_source)}</p>"
        + (f'<p class="bl-sub bl-note">{escape(provenance.note)}</p>' if provenance.note else "")
        + f"{body}"
        f'<p class="bl-sub"><a href="{escape(options.home_url)}">All maps and reports</a></p>'
    )
