"""Every map page in headless Chromium, served live from the real store: nothing fails
or leaves the machine, the layer switcher lists the layers, each layer holds one
feature per unit, a tooltip shows on hover, and the screenshot is a map, not a blank."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import MapVisit, wait_for_map
from PIL import Image

from geodata.layers import code_column
from geodata.provenance import ATTRIBUTION
from geodata.store import Store, VintageData
from maps.area import AREA_LAYERS
from maps.area import SHOWN as AREA_SHOWN
from maps.overview import OVERVIEW_LAYERS
from maps.style import LAYER_STYLES

pytestmark = pytest.mark.real_data


@dataclass(frozen=True)
class Expected:
    layers: dict[str, int]  # layer switcher label -> features, in switcher order
    shown: list[str]  # labels switched on when the page opens
    hover: str  # a tooltip label
    #: layers drawn over everything, out of the switcher: label -> features
    on_top: dict[str, int] = field(default_factory=dict)


def overview(data: VintageData) -> Expected:
    # one feature per unit with residents (strategic authorities: only where there is one)
    layers = {LAYER_STYLES[k].label: data.table[code_column(k)].nunique()
              for k, _ in OVERVIEW_LAYERS if k in data.layers}  # fmt: skip
    layers[LAYER_STYLES["pcn"].label] = 0  # fetched only when switched on
    shown = [LAYER_STYLES[k].label for k, on in OVERVIEW_LAYERS if on and k in data.layers]
    # The ICB borders lie on top, so the pointer may meet a border (ICB tooltip) or a
    # council (with its main ICB); both tooltips give the unit's population.
    return Expected(layers, shown, "Population", {"ICB borders": len(data.names["icb"])})


def essex_split(data: VintageData) -> Expected:
    lsoas = int((data.table["utla_code"] == "E10000012").sum())
    layers = {"LSOAs by ICB": lsoas, "ICB outlines": 3, "Council outline": 1}
    return Expected(layers, list(layers), "LSOA")


def typology(data: VintageData) -> Expected:
    layers = {"Councils by type": len(data.names["utla"]), "ICB outlines": len(data.names["icb"])}
    return Expected(layers, list(layers), "Type")


def mid_and_south_essex(data: VintageData) -> Expected:
    table = data.table.loc[data.table["icb_code"] == "E54000026"]
    layers = {
        LAYER_STYLES[k].label: table[code_column(k)].nunique() for k in AREA_LAYERS if k != "icb"
    }
    shown = [LAYER_STYLES[k].label for k in AREA_LAYERS if k in AREA_SHOWN and k != "icb"]
    # the councils' parts inside the ICB, filled: one per council it overlaps
    parts = {"Upper-tier local authority: part in this area": table["utla_code"].nunique()}
    return Expected(parts | layers | {"This area": 1}, [*parts, *shown, "This area"],
                    "Share of its own people")  # fmt: skip


PAGES: dict[str, tuple[str, Callable[[VintageData], Expected]]] = {
    "overview": ("/maps/overview?vintage=2022", overview),
    "overview-2026": ("/maps/overview?vintage=2026", overview),  # strategic authorities too
    "split": ("/maps/split/E10000012?vintage=2022", essex_split),
    "typology": ("/maps/typology?vintage=2024", typology),
    "area": ("/maps/area/E54000026?vintage=2024", mid_and_south_essex),
}


@pytest.mark.parametrize("page_name", list(PAGES))
def test_map_page_in_chromium(
    page_name: str, real_store: Store, open_map: Callable[..., MapVisit]
) -> None:
    path, expect = PAGES[page_name]
    vintage = path.rsplit("vintage=", 1)[1]
    expected = expect(real_store.load(vintage))
    visit = open_map(path)
    page = visit.page

    switcher = page.locator(".leaflet-control-layers-overlays label")
    assert [t.strip() for t in switcher.all_inner_texts()] == list(expected.layers)
    ticked = page.locator(".leaflet-control-layers-overlays input").evaluate_all(
        "inputs => inputs.map(input => input.checked)"
    )
    assert [label for label, on in zip(expected.layers, ticked, strict=True) if on] == (
        expected.shown
    )

    counts = page.evaluate(
        "() => Object.fromEntries(Object.entries(window.boundaryLab.layers)"
        ".map(([label, layer]) => [label, layer.getLayers().length]))"
    )
    assert counts == expected.layers | expected.on_top
    drawn = page.locator(".leaflet-overlay-pane path").count()
    assert drawn == sum(expected.layers[label] for label in expected.shown)
    assert page.locator(".leaflet-bl-top-pane path").count() == sum(expected.on_top.values())

    source = page.locator(".leaflet-control-attribution").inner_text()
    assert f"vintage {vintage}" in source and ATTRIBUTION in source

    assert expected.hover in hover_until_tooltip(page)
    assert_not_blank(page.screenshot())
    assert visit.problems() == []


def test_overview_pcn_layer_loads_when_switched_on(
    real_store: Store, open_map: Callable[..., MapVisit]
) -> None:
    visit = open_map("/maps/overview?vintage=2022")
    page = visit.page
    label = LAYER_STYLES["pcn"].label
    page.locator(".leaflet-control-layers-overlays label", has_text=label).click()
    page.wait_for_function(
        f"() => window.boundaryLab.layers[{label!r}].getLayers().length > 1000", timeout=30_000
    )
    from geodata.pcn.layer import load_pcn_layer

    expected = len(load_pcn_layer(real_store.load("2022")).catchments())
    count = page.evaluate(f"() => window.boundaryLab.layers[{label!r}].getLayers().length")
    assert count == expected
    assert visit.problems() == []


def test_search_box_opens_the_area_map(live_server: str, open_map: Callable[..., MapVisit]) -> None:
    visit = open_map("/", map_page=False)
    page = visit.page
    page.select_option("#bl-vintage", "2022")  # the header's vintage switcher
    page.click(".bl-vintage button")
    page.wait_for_url(f"{live_server}/?vintage=2022")
    page.fill("#q", "Essex (E10000012)")
    page.click("form[role=search] button")
    wait_for_map(page)
    assert page.url == f"{live_server}/maps/area/E10000012?vintage=2022"
    assert page.locator("aside h1").inner_text() == "Essex"
    assert visit.problems() == []


def hover_until_tooltip(page: Any) -> str:
    """Moves the mouse over a grid of points on the map until a tooltip shows."""
    box = page.locator(".folium-map").bounding_box()
    for fx in (0.5, 0.4, 0.6, 0.3, 0.7):
        for fy in (0.5, 0.4, 0.6, 0.3, 0.7):
            page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
            tooltip = page.locator(".leaflet-tooltip")
            if tooltip.count():
                return tooltip.inner_text()
    raise AssertionError("no tooltip appeared anywhere over the map")


def assert_not_blank(png: bytes) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    commonest = max(count for count, _ in colours)
    assert len(colours) > 50, f"only {len(colours)} colours: a blank page?"
    assert commonest < 0.8 * image.width * image.height, "one colour fills the screenshot"
