"""The boundary editor (/edit) in headless Chromium on the real 2024 store: a click, a box,
the keyboard and a saved scenario, each checked against populations summed here from the
published CSVs with pandas; nothing fails, nothing leaves the machine, no console errors.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest
from conftest import MapVisit, make_app, wait_for_map
from test_maps_browser import assert_not_blank

from geodata.store import Store
from maps.style import icb_colour
from service.testing import serving

pytestmark = pytest.mark.real_data

COLCHESTER, BRAINTREE = "E07000071", "E07000067"
MID_SOUTH_ESSEX, SUFFOLK_NE_ESSEX = "E54000026", "E54000023"
#: Where screenshots are kept to look at (default: pytest's temporary folder).
SHOTS_ENV = "EDITOR_TEST_SCREENSHOTS"

def wait_until(page: Any, expression: str, timeout: float = 10_000) -> None:
    """Poll ``expression`` through the DevTools protocol: Playwright's wait_for_function
    evaluates its string with eval inside the page, which the page's CSP rightly forbids."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} ms waiting for {expression}")
        time.sleep(0.05)



@pytest.fixture(scope="module")
def blocks(real_source: Path) -> pd.DataFrame:
    """LSOA 2021 -> ICB 2024, district 2024 and Census 2021 population, from the CSVs."""
    icb = pd.read_csv(real_source / "lookups/LSOA21_SICBL24_ICB24_EN_LU.csv",
                      usecols=["LSOA21CD", "ICB24CD"])  # fmt: skip
    lad = pd.read_csv(real_source / "lookups/LSOA21_WD24_LAD24_EW_LU.csv",
                      usecols=["LSOA21CD", "LAD24CD"]).drop_duplicates("LSOA21CD")  # fmt: skip
    people = pd.read_csv(real_source / "population/census2021_TS001_LSOA21_usual_residents.csv")
    people.columns = ["LSOA21CD", "population"]
    return icb.merge(lad, on="LSOA21CD").merge(people, on="LSOA21CD")


@pytest.fixture(scope="module")
def editor_server(real_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app on the real store, live on a free port, with an analyst token."""
    app = make_app(real_store.root, tmp_path_factory.mktemp("editor_db"))
    _, token = app.extensions["boundary_lab"].db.create_token("editor test", "analyst", "test")
    with serving(app) as base:
        yield base, token
    app.extensions["boundary_lab"].db.dispose()


@pytest.fixture
def open_editor(browser: Any, editor_server: Any) -> Iterator[Callable[..., MapVisit]]:
    """Opens a path in a fresh tab, recording failures, external requests and console
    errors, and waits until the editor says it is ready."""
    base, _ = editor_server
    pages: list[Any] = []

    def visit(path: str) -> MapVisit:
        page = browser.new_page()
        pages.append(page)
        seen = MapVisit(page)

        def route(route: Any) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                seen.external.append(f"external request: {route.request.url}")
                route.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda r: seen.failed.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and seen.failed.append(f"{r.status} {r.url}"))
        page.on("console", lambda m: m.type == "error" and seen.console_errors.append(m.text))
        page.on("pageerror", lambda e: seen.console_errors.append(f"page error: {e}"))
        page.add_init_script("localStorage.clear()")  # each test starts from the base
        page.goto(base + path)
        wait_for_map(page)
        return seen

    yield visit
    for page in pages:
        page.close()


def people(page: Any, icb: str, column: str = "people") -> int:
    text = page.locator(f'#icb-table tr[data-icb="{icb}"] td[data-col={column}]').inner_text()
    return int(text.replace(",", "").replace("\u2212", "-").replace("+", ""))


def tally(page: Any, name: str) -> str:
    return page.locator(f'#summary dd[data-tally="{name}"]').inner_text()


def centre_on(page: Any, layer: str, code: str, zoom: float) -> None:
    page.evaluate(
        """([layer, code, zoom]) => {
            const map = editor.map();
            const f = editor.unitPoint(layer, code);
            map.setView(map.containerPointToLatLng([f.x, f.y]), zoom, {animate: false});
        }""",
        [layer, code, zoom],
    )


def click_unit(page: Any, layer: str, code: str, zoom: float = 9) -> None:
    """Zooms the map onto the unit's inside point and clicks it there."""
    centre_on(page, layer, code, zoom)
    point = page.evaluate("([l, c]) => editor.unitPoint(l, c)", [layer, code])
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


@pytest.fixture
def shot(tmp_path: Path) -> Callable[[Any, str], None]:
    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path)

    def take(page: Any, name: str) -> None:
        png = page.screenshot()
        assert_not_blank(png)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"editor-{name}.png").write_bytes(png)

    return take


def test_click_a_district_moves_its_people_and_undo_restores(
    blocks: pd.DataFrame, open_editor: Callable[..., MapVisit], shot: Callable[[Any, str], None]
) -> None:
    visit = open_editor("/edit?base=2024")
    page = visit.page
    by_icb = blocks.groupby("ICB24CD")["population"].sum()
    colchester = int(blocks.loc[blocks["LAD24CD"] == COLCHESTER, "population"].sum())
    assert people(page, MID_SOUTH_ESSEX) == by_icb[MID_SOUTH_ESSEX]
    assert people(page, SUFFOLK_NE_ESSEX) == by_icb[SUFFOLK_NE_ESSEX]

    page.select_option("#active-icb", MID_SOUTH_ESSEX)
    click_unit(page, "ltla", COLCHESTER)
    wait_until(page, "window.editorPerf.tally.length === 1")
    assert people(page, MID_SOUTH_ESSEX) == by_icb[MID_SOUTH_ESSEX] + colchester
    assert people(page, MID_SOUTH_ESSEX, "change") == colchester
    assert people(page, SUFFOLK_NE_ESSEX) == by_icb[SUFFOLK_NE_ESSEX] - colchester
    assert tally(page, "people-moved") == f"{colchester:,}"
    assert "Colchester" in page.locator("#edit-list").inner_text()
    page.mouse.move(10, 10)
    wait_until(page, "editor.evaluated()", timeout=20_000)
    assert page.locator("#server-state").get_attribute("data-agree") == "true"
    shot(page, "click-colchester")

    page.click("#undo")
    assert people(page, MID_SOUTH_ESSEX) == by_icb[MID_SOUTH_ESSEX]
    assert people(page, SUFFOLK_NE_ESSEX, "change") == 0
    assert tally(page, "people-moved") == "0"
    page.click("#redo")
    assert people(page, MID_SOUTH_ESSEX, "change") == colchester
    assert visit.problems() == []


def test_box_and_lasso_give_every_district_inside(
    blocks: pd.DataFrame, open_editor: Callable[..., MapVisit], shot: Callable[[Any, str], None]
) -> None:
    visit = open_editor("/edit?base=2024")
    page = visit.page
    page.select_option("#active-icb", MID_SOUTH_ESSEX)
    page.check("input[name=mode][value=box]")
    click_unit(page, "ltla", BRAINTREE, zoom=8)  # a click in box mode gives nothing
    assert tally(page, "people-moved") == "0"
    box = page.locator("#map").bounding_box()
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(centre_x - 60, centre_y - 60)
    page.mouse.down()
    page.mouse.move(centre_x + 10, centre_y + 10, steps=5)
    page.mouse.move(centre_x + 60, centre_y + 60, steps=5)
    page.mouse.up()
    moves = page.evaluate("editor.moves()")
    districts = {m["code"] for m in moves}
    assert len(districts) >= 2 and all(m["unit_layer"] == "ltla" for m in moves)
    assert page.locator("#edit-list li").count() == 1  # one edit for the whole box
    inside = blocks.loc[blocks["LAD24CD"].isin(districts)]
    expected = int(inside.loc[inside["ICB24CD"] != MID_SOUTH_ESSEX, "population"].sum())
    assert tally(page, "people-moved") == f"{expected:,}"
    by_icb = blocks.groupby("ICB24CD")["population"].sum()
    assert people(page, MID_SOUTH_ESSEX) == by_icb[MID_SOUTH_ESSEX] + expected
    shot(page, "box")

    page.click("#undo")
    assert tally(page, "people-moved") == "0"
    page.check("input[name=mode][value=lasso]")  # a square drawn freehand
    page.mouse.move(centre_x - 80, centre_y - 80)
    page.mouse.down()
    for x, y in ((80, -80), (80, 80), (-80, 80), (-80, -78)):
        page.mouse.move(centre_x + x, centre_y + y, steps=4)
        page.wait_for_timeout(50)
    page.mouse.up()
    lassoed = {m["code"] for m in page.evaluate("editor.moves()")}
    # Where each district's inside point is on screen, relative to the square's centre;
    # the browser coalesces moves, so a point within a few pixels of the edge may go
    # either way.
    offsets = page.evaluate(
        """([cx, cy]) => Object.fromEntries(editor.districtCodes().map(code => {
            const p = editor.unitPoint('ltla', code);
            return [code, Math.max(Math.abs(p.x - cx), Math.abs(p.y - cy))];
        }))""",
        [box["width"] / 2, box["height"] / 2],
    )
    in_mse = set(blocks.loc[blocks["ICB24CD"] == MID_SOUTH_ESSEX, "LAD24CD"])
    surely = {c for c, d in offsets.items() if d < 70 and c not in in_mse}
    maybe = {c for c, d in offsets.items() if d <= 81 and c not in in_mse}
    assert surely and surely <= lassoed <= maybe
    assert page.locator("#edit-list li").count() == 1
    inside = blocks.loc[blocks["LAD24CD"].isin(lassoed)]
    expected = int(inside.loc[inside["ICB24CD"] != MID_SOUTH_ESSEX, "population"].sum())
    assert tally(page, "people-moved") == f"{expected:,}"
    assert visit.problems() == []


def test_a_locked_icb_refuses_edits(
    blocks: pd.DataFrame, open_editor: Callable[..., MapVisit]
) -> None:
    visit = open_editor("/edit?base=2024")
    page = visit.page
    by_icb = blocks.groupby("ICB24CD")["population"].sum()
    page.check(f'#icb-table tr[data-icb="{SUFFOLK_NE_ESSEX}"] input[type=checkbox]')
    page.select_option("#active-icb", MID_SOUTH_ESSEX)
    click_unit(page, "ltla", COLCHESTER)
    assert "locked" in page.locator("#status").inner_text()
    assert people(page, SUFFOLK_NE_ESSEX) == by_icb[SUFFOLK_NE_ESSEX]
    assert tally(page, "people-moved") == "0"
    page.select_option("#merge-from", MID_SOUTH_ESSEX)
    page.select_option("#merge-into", SUFFOLK_NE_ESSEX)
    page.click("#merge button")
    assert "locked" in page.locator("#status").inner_text()
    assert people(page, MID_SOUTH_ESSEX) == by_icb[MID_SOUTH_ESSEX]
    page.uncheck(f'#icb-table tr[data-icb="{SUFFOLK_NE_ESSEX}"] input[type=checkbox]')
    page.click("#merge button")  # unlocked: one action merges the two
    assert people(page, SUFFOLK_NE_ESSEX) == by_icb[SUFFOLK_NE_ESSEX] + by_icb[MID_SOUTH_ESSEX]
    assert people(page, MID_SOUTH_ESSEX) == 0
    assert tally(page, "icbs") == f"{len(by_icb) - 1} (base {len(by_icb)})"
    assert visit.problems() == []


def test_keyboard_only_assignment(
    blocks: pd.DataFrame, open_editor: Callable[..., MapVisit]
) -> None:
    visit = open_editor("/edit?base=2024")
    page = visit.page

    def tab_to(element_id: str) -> None:
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == element_id:
                return
        raise AssertionError(f"Tab never reached #{element_id}")

    tab_to("active-icb")
    page.keyboard.type("Mid and South")  # type-ahead picks the option
    assert page.evaluate("document.getElementById('active-icb').value") == MID_SOUTH_ESSEX
    tab_to("find-input")
    focus = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus != "none"  # the focus is visible
    page.keyboard.type("Colchester")
    page.keyboard.press("Enter")
    colchester = int(blocks.loc[blocks["LAD24CD"] == COLCHESTER, "population"].sum())
    assert people(page, MID_SOUTH_ESSEX, "change") == colchester
    page.keyboard.press("Tab")  # leave the text box, then undo from the keyboard
    page.keyboard.press("Control+z")
    assert people(page, MID_SOUTH_ESSEX, "change") == 0
    assert visit.problems() == []


def test_lsoa_edit_and_save_match_the_panel(
    blocks: pd.DataFrame,
    editor_server: Any,
    open_editor: Callable[..., MapVisit],
    shot: Callable[[Any, str], None],
) -> None:
    base, token = editor_server
    visit = open_editor("/edit?base=2024")
    page = visit.page
    page.select_option("#active-icb", MID_SOUTH_ESSEX)
    click_unit(page, "ltla", COLCHESTER)
    page.fill("#new-icb-name", "North Essex test")
    page.click("#new-icb button")
    page.fill("#find-input", "Braintree")
    page.press("#find-input", "Enter")
    swatch = page.locator('tr[data-icb="new:North Essex test"] .swatch')
    rgb = swatch.evaluate("e => getComputedStyle(e).backgroundColor")
    colour = icb_colour("North Essex test")  # a new ICB is coloured by its name, as in Python
    assert rgb == "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))
    # One LSOA of Colchester back to its own ICB: a district moved in part.
    page.select_option("#active-icb", SUFFOLK_NE_ESSEX)
    page.select_option("#level", "lsoa")
    colchester = blocks.loc[blocks["LAD24CD"] == COLCHESTER].sort_values("LSOA21CD")
    lsoa = str(colchester["LSOA21CD"].iloc[0])
    centre_on(page, "ltla", COLCHESTER, zoom=12)  # the district's LSOAs load
    wait_until(page, "editor.lsoasShown() > 0", timeout=20_000)
    wait_until(page, f"editor.unitPoint('lsoa', '{lsoa}') !== null", timeout=20_000)
    before = people(page, SUFFOLK_NE_ESSEX)
    click_unit(page, "lsoa", lsoa, zoom=13)
    one = int(colchester["population"].iloc[0])
    assert people(page, SUFFOLK_NE_ESSEX) == before + one
    moves, assigned = page.evaluate("editor.moves()"), page.evaluate("editor.blocks()")
    assert COLCHESTER not in {m["code"] for m in moves}  # moved in part: its LSOAs go as blocks
    assert sorted(code for code, _ in assigned) == sorted(colchester["LSOA21CD"].iloc[1:])
    assert {icb for _, icb in assigned} == {MID_SOUTH_ESSEX}
    page.mouse.move(5, 300)
    wait_until(page, "editor.evaluated()", timeout=20_000)
    shot(page, "lsoas")

    page.fill("#save-name", "Editor test: Colchester and Braintree")
    page.fill("#save-token", token)
    page.click("#save button[type=submit]")
    page.wait_for_selector("#save-result [data-matches]", timeout=20_000)
    assert page.locator("#save-result [data-matches]").get_attribute("data-matches") == "true"
    scenario = page.locator("#save-result").get_attribute("data-scenario")
    with urllib.request.urlopen(f"{base}/api/v1/scenarios/{scenario}/evaluation") as answer:
        saved = json.load(answer)
    by_icb = blocks.groupby("ICB24CD")["population"].sum()
    braintree = int(blocks.loc[blocks["LAD24CD"] == BRAINTREE, "population"].sum())
    colchester_total = int(colchester["population"].sum())
    after = {row["code"]: row["population_after"] for row in saved["icbs"]}
    new_code = next(c for c, n in saved["new_icbs"].items() if n == "North Essex test")
    assert after[new_code] == braintree
    assert after[MID_SOUTH_ESSEX] == by_icb[MID_SOUTH_ESSEX] + colchester_total - one - braintree
    assert after[SUFFOLK_NE_ESSEX] == by_icb[SUFFOLK_NE_ESSEX] - colchester_total + one
    for code in (MID_SOUTH_ESSEX, SUFFOLK_NE_ESSEX):  # the panel shows the same numbers
        assert people(page, code) == after[code]
    assert tally(page, "people-moved") == f"{saved['summary']['people_moved']:,}"
    assert visit.problems() == []

    # Open the saved version, change it, and save a new version of it.
    again = open_editor(f"/edit?scenario={scenario}")
    page = again.page
    assert tally(page, "people-moved") == f"{saved['summary']['people_moved']:,}"
    assert people(page, "new:North Essex test") == braintree
    tendring = int(blocks.loc[blocks["LAD24CD"] == "E07000076", "population"].sum())
    page.select_option("#active-icb", MID_SOUTH_ESSEX)
    page.fill("#find-input", "Tendring")
    page.press("#find-input", "Enter")
    assert people(page, MID_SOUTH_ESSEX) == after[MID_SOUTH_ESSEX] + tendring
    page.fill("#save-name", "Editor test, version 2")
    page.fill("#save-token", token)
    page.click("#save button[type=submit]")
    page.wait_for_selector("#save-result [data-matches]", timeout=20_000)
    assert page.locator("#save-result [data-matches]").get_attribute("data-matches") == "true"
    second = page.locator("#save-result").get_attribute("data-scenario")
    with urllib.request.urlopen(f"{base}/api/v1/scenarios/{second}") as answer:
        record = json.load(answer)
    assert record["version"] == 2 and [v["id"] for v in record["versions"]] == [
        int(scenario), int(second)]  # fmt: skip
    assert again.problems() == []


def test_shared_link_restores_the_edits(open_editor: Callable[..., MapVisit]) -> None:
    visit = open_editor("/edit?base=2024")
    page = visit.page
    page.select_option("#active-icb", MID_SOUTH_ESSEX)
    page.fill("#find-input", "Colchester")
    page.press("#find-input", "Enter")
    link = page.input_value("#share-link")
    moved = tally(page, "people-moved")
    other = visit.page.context.new_page()
    other.goto(link)
    wait_for_map(other)
    assert tally(other, "people-moved") == moved
    other.reload()  # the fragment and local storage both keep it
    wait_for_map(other)
    assert tally(other, "people-moved") == moved
    other.close()
    assert visit.problems() == []


def test_propose_and_apply(
    blocks: pd.DataFrame, editor_server: Any, open_editor: Callable[..., MapVisit]
) -> None:
    """The solver's proposal (every council within one ICB), applied as one edit: the
    page's own sums give the people moved the solver reports, and no council is split."""
    _, token = editor_server
    visit = open_editor("/edit?base=2026")
    page = visit.page
    assert "reconstructed" in page.locator(".base.note").inner_text()  # the vintage's note
    page.fill("#min-pop", "")
    page.locator("#min-pop").dispatch_event("change")
    page.fill("#save-token", token)
    page.click("#propose")
    page.wait_for_selector("#propose-result button", timeout=120_000)
    solver_moved = int(page.locator("#propose-result").get_attribute("data-people-moved") or -1)
    page.click("#propose-result button")
    assert tally(page, "people-moved") == f"{solver_moved:,}"
    assert tally(page, "split-utlas").startswith("0 (base ")
    assert page.locator("#edit-list li").count() == 1
    page.mouse.move(5, 300)
    wait_until(page, "editor.evaluated()", timeout=20_000)
    assert page.locator("#server-state").get_attribute("data-agree") == "true"
    rule = page.locator('#rules li[data-rule="utla_within_one_icb"]')
    assert rule.locator(".pass").count() == 1
    page.click("#undo")
    assert tally(page, "people-moved") == "0"
    assert visit.problems() == []
