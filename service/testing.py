"""The app served on a free local port, and the headless Chromium that looks at it: what
the browser tests (``tests/maps``) and the page benchmarks (``scripts/bench_maps.py``,
``scripts/bench_editor.py``) share. Playwright is a test extra, imported when a browser
is opened."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.serving import make_server

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

#: Debian's package (``apt-get install chromium``): no browser is downloaded.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    """Debian's Chromium, else one on the PATH; None if there is none."""
    return CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by threads on a free port of 127.0.0.1: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def chromium(profile: Path | str, executable: str, **options: Any) -> Iterator[Any]:
    """A headless Chromium context with its own profile folder (``options``: more of
    Playwright's ``launch_persistent_context``, such as ``bypass_csp``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=CHROMIUM_ARGS,
            viewport=VIEWPORT, **options,
        )  # fmt: skip
        try:
            yield context
        finally:
            context.close()
