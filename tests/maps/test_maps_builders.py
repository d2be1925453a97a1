"""The map builders as pure functions on tiny hand-made frames, checked in their HTML.

Three 1 km squares in British National Grid (codes: LSOA, council, ICB):

    y=201 km +-----------+-----------+-----------+
             | E01000001 | E01000002 | E01000003 |
             | E10000001 | E10000001 | E06000001 |
             | E54000001 | E54000002 | E54000002 |
             |   [100]   |   [300]   |   [600]   |
    y=200 km +-----------+-----------+-----------+
           x=500 km     501         502         503

County E10000001 (400 people) is split: 25% in ICB E54000001, 75% in E54000002.
"""

from __future__ import annotations

import html
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata.provenance import ATTRIBUTION, Provenance
from geodata.splits import SplitResult, split_table
from geodata.typology import Thresholds, TypologyResult
from maps import MapOptions, render_page
from maps.area import area_map
from maps.base import new_map
from maps.geojson import feature_collection
from maps.layer import GeoJsonLayer
from maps.overview import overview_map
from maps.screen import AreaOverlaps, LocalBlocks
from maps.split import split_map
from maps.style import neighbour_colours
from maps.typology import typology_map

OPTIONS = MapOptions(leaflet_js="/static/leaflet.js", leaflet_css="/static/leaflet.css")
PROVENANCE = Provenance(
    vintage="test", title="Tiny", boundaries="squares", population_source="made up", method="m"
)
BNG = "EPSG:27700"


def square(i: int, j: int = 0) -> shapely.Polygon:
    return shapely.box(
        500_000 + 1000 * i, 200_000 + 1000 * j, 501_000 + 1000 * i, 201_000 + 1000 * j
    )


def units(
    codes: list[str], names: list[str], population: list[int], squares: list
) -> gpd.GeoDataFrame:
    frame = {"code": codes, "name": names, "population": population}
    return gpd.GeoDataFrame(frame, geometry=squares, crs=BNG)


def blocks_table() -> pd.DataFrame:
    return pd.DataFrame({
        "lsoa_code": ["E01000001", "E01000002", "E01000003"],
        "lsoa_name": ["Tiny 001A", "Tiny 002A", "Tiny 003A"],
        "population": [100, 300, 600],
        "utla_code": ["E10000001", "E10000001", "E06000001"],
        "icb_code": ["E54000001", "E54000002", "E54000002"],
    })  # fmt: skip


ICB_NAMES = {"E54000001": "NHS North Integrated Care Board", "E54000002": "NHS South ICB"}
LA_NAMES = {"E10000001": "County One", "E06000001": "Unitary One"}


def asset_urls(page: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]*)"', page)


def source_line(page: str) -> str:
    literal = re.search(r"addAttribution\((\".*?\")\)", page)
    assert literal, "the map has no source line"
    return html.unescape(json.loads(literal.group(1)))


def test_feature_collection_is_lon_lat_rounded_and_carries_only_the_columns() -> None:
    frame = units(["A"], ["<b>A</b>"], [5], [square(0)])
    collection = json.loads(feature_collection(frame, ["code"], precision=4))
    feature = collection["features"][0]
    assert feature["properties"] == {"code": "A"}
    lon, lat = feature["geometry"]["coordinates"][0][0]
    assert -3 < lon < 0 and 51 < lat < 53  # central southern England
    assert all(round(v, 4) == v for ring in feature["geometry"]["coordinates"] for xy in ring
               for v in xy)  # fmt: skip


def test_feature_collection_text_cannot_end_its_script() -> None:
    frame = units(["A"], ["</script><script>alert(1)</script>"], [5], [square(0)])
    text = feature_collection(frame, ["code", "name"])
    assert "</script>" not in text
    assert json.loads(text)["features"][0]["properties"]["name"].startswith("</script>")


def test_feature_collection_refuses_a_frame_without_crs() -> None:
    frame = units(["A"], ["A"], [5], [square(0)]).set_crs(None, allow_override=True)
    with pytest.raises(ValueError, match="no CRS"):
        feature_collection(frame, ["code"])


def test_touching_units_get_different_colours() -> None:
    """A 2 x 2 grid: every square touches the three others (corners count)."""
    grid = units(list("abcd"), list("abcd"), [1] * 4,
                 [square(0, 0), square(1, 0), square(0, 1), square(1, 1)])  # fmt: skip
    colours = neighbour_colours(grid, ("red", "green", "blue", "grey", "white"))
    assert len(set(colours)) == 4


def test_overview_loads_only_local_assets_and_states_its_source() -> None:
    icbs = units(list(ICB_NAMES), list(ICB_NAMES.values()), [100, 900], [square(0), square(1)])
    councils = units(list(LA_NAMES), list(LA_NAMES.values()), [400, 600],
                     [square(0) | square(1), square(2)]).assign(
        main_icb_name=["NHS South ICB", "NHS South ICB"], main_icb_share=[0.75, 1.0])  # fmt: skip
    page = render_page(overview_map({"icb": icbs, "utla": councils}, PROVENANCE, OPTIONS))
    # Leaflet, and an empty icon so the browser does not ask for /favicon.ico.
    assert asset_urls(page) == ["/static/leaflet.js", "/static/leaflet.css", "data:,"]
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert '<html lang="en">' in page
    assert source_line(page) == f"Boundary Lab, vintage test. {ATTRIBUTION}"
    assert "Vintage test · made up" in page  # the sidebar: vintage and population source
    assert '"South ICB (75.0%)"' in page  # a council's main ICB, short name, in its tooltip
    assert "Integrated Care Boards (ICB)" in page and "Councils, upper tier (UTLA)" in page


def test_a_basemap_appears_only_when_configured() -> None:
    frame = units(["A"], ["A"], [1], [square(0)])
    plain = render_page(new_map("t", frame, PROVENANCE, OPTIONS))
    assert "tileLayer" not in plain
    tiled = MapOptions("/l.js", "/l.css", tiles="/tiles/{z}/{x}/{y}.png", tiles_attribution="Ours")
    page = render_page(new_map("t", frame, PROVENANCE, tiled))
    assert '"/tiles/{z}/{x}/{y}.png"' in page and "Ours" in page


def test_layers_without_tooltips_let_the_mouse_through() -> None:
    collection = '{"type":"FeatureCollection","features":[]}'
    quiet = GeoJsonLayer(collection, "outline", {"weight": 1}).script()
    assert "interactive: false" in quiet and "bindTooltip" not in quiet
    talking = GeoJsonLayer(collection, "units", {"weight": 1}, tooltip={"name": "Name"}).script()
    assert "interactive: true" in talking and "bindTooltip" in talking


def split_fixture() -> tuple[LocalBlocks, SplitResult]:
    table = blocks_table()
    county = table.loc[table["utla_code"] == "E10000001"]
    blocks = gpd.GeoDataFrame(
        county.rename(columns={"lsoa_code": "code", "lsoa_name": "name"}),
        geometry=[square(0), square(1)], crs=BNG)  # fmt: skip
    outline = units(["E10000001"], ["County One"], [400], [square(0) | square(1)])
    context = units(list(ICB_NAMES), list(ICB_NAMES.values()), [100, 900],
                    [square(0), square(1) | square(2)])  # fmt: skip
    frame = split_table(county, "utla", "icb", (LA_NAMES, ICB_NAMES))
    return LocalBlocks(blocks, outline, context), SplitResult("utla", "icb", frame, PROVENANCE)


def test_split_legend_gives_each_icb_its_people_and_share() -> None:
    local, result = split_fixture()
    page = render_page(split_map(local, result, OPTIONS))
    assert "<title>County One by ICB · Boundary Lab</title>" in page
    legend = re.sub(r"<[^>]+>", " ", page[page.index('<aside class="bl-panel">') :])
    assert re.search(r"South ICB\s+300\s+75.0%", legend)
    assert re.search(r"North ICB\s+100\s+25.0%", legend)
    assert re.search(r"County One\s+400\s+100%", legend)
    # Largest unit first, so it takes the first colour (blue).
    assert page.index("#4e79a7") < page.index("#f28e2b")
    assert '"LSOAs by ICB"' in page and '"ICB outlines"' in page and '"Council outline"' in page


def test_split_map_refuses_a_layer_it_cannot_colour() -> None:
    local, result = split_fixture()
    with pytest.raises(ValueError, match="across must be one of icb, sicbl"):
        split_map(local, SplitResult("utla", "ltla", result.frame, PROVENANCE), OPTIONS)


def typology_fixture() -> TypologyResult:
    frame = pd.DataFrame([
        {"code": "E10000001", "name": "County One", "type": 4, "main_icb_name": "NHS South ICB",
         "main_share": 0.75, "share_of_icb": 0.333, "other_la_names": ["Unitary One"],
         "elsewhere": [{"icb_code": "E54000001", "icb_name": "NHS North ICB", "share": 0.25}],
         "notes": []},
        {"code": "E06000001", "name": "Unitary One", "type": 2, "main_icb_name": "NHS South ICB",
         "main_share": 1.0, "share_of_icb": 0.667, "other_la_names": ["County One"],
         "elsewhere": [], "notes": ["near-coterminous <sic>"]},
    ])  # fmt: skip
    return TypologyResult("utla", frame, Thresholds(), PROVENANCE)


def test_typology_tooltips_show_the_shares_behind_each_type() -> None:
    councils = units(list(LA_NAMES), list(LA_NAMES.values()), [400, 600],
                     [square(0) | square(1), square(2)])  # fmt: skip
    icbs = units(list(ICB_NAMES), list(ICB_NAMES.values()), [100, 900], [square(0), square(1)])
    page = render_page(typology_map(councils, typology_fixture(), icbs, OPTIONS))
    assert '"type_text":"4: split over several ICSs"' in page
    assert '"elsewhere":"25.0% in North ICB"' in page
    assert "near-coterminous &lt;sic&gt;" in page and "<sic>" not in page
    legend = re.sub(r"<[^>]+>", " ", page[page.index('<aside class="bl-panel">') :])
    assert re.search(r"1: coterminous\s+0", legend) and re.search(r"4: split over .*?\s+1", legend)


def test_typology_map_needs_a_type_for_every_council() -> None:
    councils = units(["E10000009"], ["Nowhere"], [1], [square(0)])
    with pytest.raises(ValueError, match="councils without a type: E10000009"):
        typology_map(councils, typology_fixture(), councils, OPTIONS)


def test_area_map_lists_the_icbs_a_council_overlaps() -> None:
    outline = units(["E10000001"], ["O'Neill County"], [400], [square(0) | square(1)])
    icbs = units(["E54000002", "E54000001"], ["NHS South ICB", "NHS North ICB"], [300, 100],
                 [square(1) | square(2), square(0)]).assign(
        share_of_area=[0.75, 0.25], share_of_unit=[1 / 3, 1.0])  # fmt: skip
    page = render_page(area_map(AreaOverlaps("utla", outline, {"icb": icbs}), PROVENANCE, OPTIONS))
    legend = re.sub(r"<[^>]+>", " ", page[page.index('<aside class="bl-panel">') :])
    assert re.search(r"South ICB\s+300\s+75.0%\s+North ICB\s+100\s+25.0%", legend)
    assert '"of_unit":"33.3%"' in page  # the share of the ICB's own people
    assert "/split/E10000001?vintage=test" in page
    assert "<h1>O&#x27;Neill County</h1>" in page and "Share of O&#x27;Neill County" in page
    assert "&amp;#x27;" not in page  # escaped once, not twice
