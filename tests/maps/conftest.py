"""Map fixtures: an app on the tiny store, a live server on the real store, and headless
Chromium (Debian's, never a test tool's own download) that records every request.

The browser tests skip on a laptop without Chromium and fail in CI, where .ci/run
installs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import need
from synthetic import TinySource

from geodata.config import parse_vintage
from geodata.ingest import build_vintage
from geodata.store import Store
from service import create_app
from service.testing import chromium, chromium_path, serving


@pytest.fixture(scope="session")
def tiny_maps_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the tiny synthetic vintage (see tests/synthetic.py)."""
    root = tmp_path_factory.mktemp("tiny_maps")
    source = TinySource(root / "source")
    source.write()
    Store(root / "data").write(build_vintage(parse_vintage(source.config_path), source.root))
    return root / "data"


def make_app(data_dir: Path, db_folder: Path, **config: Any) -> Flask:
    database = f"sqlite:///{db_folder / 'db.sqlite3'}"
    return create_app({"DATA_DIR": str(data_dir), "DATABASE_URL": database, **config})


@pytest.fixture
def tiny_app(tiny_maps_data: Path, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tiny_maps_data, tmp_path)
    yield app
    app.extensions["boundary_lab"].db.dispose()


@pytest.fixture
def tiny_client(tiny_app: Flask) -> FlaskClient:
    return tiny_app.test_client()


@pytest.fixture(scope="session")
def live(
    real_store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, str]]:
    """The app on the real store, served on a free local port: (app, base URL)."""
    app = make_app(real_store.root, tmp_path_factory.mktemp("live_db"))
    with serving(app) as base:
        yield app, base
    app.extensions["boundary_lab"].db.dispose()


@pytest.fixture(scope="session")
def live_server(live: tuple[Flask, str]) -> str:
    """The live app's base URL."""
    return live[1]


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium with a fresh profile (--user-data-dir) for the session."""
    executable = chromium_path()
    need(executable is not None, "Chromium is not installed: apt-get install chromium")
    try:
        import playwright  # noqa: F401  (a test extra)
    except ImportError:
        need(False, "playwright is not installed: pip install -e '.[test]'")
    assert executable is not None
    with chromium(tmp_path_factory.mktemp("chromium_profile"), executable) as context:
        yield context


def wait_for_map(page: Any) -> None:
    page.wait_for_selector("html[data-map-ready=true]", state="attached", timeout=15_000)


@dataclass
class MapVisit:
    """A page opened in Chromium, with everything that went wrong on the way."""

    page: Any
    failed: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return self.failed + self.external + self.console_errors


@pytest.fixture
def open_map(browser: Any, live_server: str) -> Iterator[Callable[..., MapVisit]]:
    """Opens a path of the live server and waits until the map says it is drawn. Any
    request to another host is aborted and recorded: the pages must work offline."""
    pages: list[Any] = []

    def visit(path: str, map_page: bool = True) -> MapVisit:
        page = browser.new_page()
        pages.append(page)
        seen = MapVisit(page)

        def route(route: Any) -> None:
            host = urlsplit(route.request.url).hostname
            if route.request.url.startswith("data:") or host == "127.0.0.1":
                route.continue_()
            else:
                seen.external.append(f"external request: {route.request.url}")
                route.abort()

        def response(response: Any) -> None:
            if response.status >= 400:
                seen.failed.append(f"{response.status}: {response.url}")

        def console(message: Any) -> None:
            if message.type == "error":
                seen.console_errors.append(f"console error: {message.text}")

        page.route("**/*", route)
        page.on("requestfailed", lambda r: seen.failed.append(f"failed: {r.url} {r.failure}"))
        page.on("response", response)
        page.on("console", console)
        page.on("pageerror", lambda e: seen.console_errors.append(f"page error: {e}"))
        page.goto(live_server + path)
        if map_page:
            wait_for_map(page)
        return seen

    yield visit
    for page in pages:
        page.close()
    browser.clear_cookies()  # a vintage chosen in one test must not carry into the next
