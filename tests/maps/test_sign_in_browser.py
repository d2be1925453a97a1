"""In headless Chromium, with anonymous reads off (the production setting): sign in with
a token once, browse the maps and the forms, save a scenario through the form, sign out.
Every page runs under the Content Security Policy with no violation and no console error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_app, wait_for_map

from service.testing import serving

#: Records CSP violations in the page (they also reach the console as errors).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def closed_server(tiny_maps_data: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The tiny store served live with anonymous reads off; yields (url, analyst token)."""
    app = make_app(tiny_maps_data, tmp_path, ANONYMOUS_READ=False)
    _, secret = app.extensions["boundary_lab"].db.create_token("Ann Analyst", "analyst", "test")
    with serving(app) as base:
        yield base, secret
    app.extensions["boundary_lab"].db.dispose()


def test_sign_in_browse_and_sign_out_in_chromium(
    browser: Any, closed_server: tuple[str, str]
) -> None:
    url, secret = closed_server
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH_CSP)
    try:
        # A map page sends the browser to sign in, then back.
        page.goto(f"{url}/maps/overview?vintage=tiny")
        assert "/sign-in" in page.url
        page.fill("input[name=token]", secret)
        page.click("form[action='/sign-in'] button[type=submit]")
        wait_for_map(page)
        assert page.url.endswith("/maps/overview?vintage=tiny")
        assert page.evaluate("Object.keys(window.boundaryLab.layers).length") > 0
        assert page.evaluate("window.__cspViolations") == []
        for path in ("/maps/split/E10000001", "/maps/places/builtin-sicbl?vintage=tiny"):
            page.goto(url + path)
            wait_for_map(page)
            assert page.evaluate("window.__cspViolations") == [], path
        # The scenario form: no token field any more, the session is enough.
        page.goto(f"{url}/scenarios/")
        assert "Signed in as Ann Analyst (analyst)" in page.content()
        assert page.locator("input[name=token]").count() == 0
        page.fill("input[name=name]", "District 2 to ICB 1")
        page.fill("textarea[name=moves]", "ltla:E07000002:E54000001")
        page.click("form.stack button[type=submit]")
        page.wait_for_url("**/scenarios/1")
        assert "300 people in 1 small area (LSOA) change ICB" in page.content()
        page.goto(f"{url}/maps/scenario/1")
        wait_for_map(page)
        assert page.evaluate("window.__cspViolations") == []
        page.goto(f"{url}/scenarios/")
        assert ">Ann Analyst<" in page.content() and "token:" not in page.content()
        # Sign out: the pages ask for sign-in again.
        page.click(".bl-signin button[type=submit]")
        page.goto(f"{url}/scenarios/")
        assert "/sign-in" in page.url
        assert errors == []
    finally:
        page.close()
