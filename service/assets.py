"""Front-end files the map pages load, served by the service itself: NHS and government
networks often block CDNs, and a map must work with no internet at all.

Each bundle comes from a Python package (XStatic) and is served under a folder named
with its version, so browsers may cache it for a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xstatic.pkg.leaflet
from flask import Response, send_from_directory
from werkzeug.exceptions import NotFound

ONE_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Bundle:
    name: str
    version: str
    folder: Path

    @property
    def slug(self) -> str:
        return f"{self.name}-{self.version}"


#: Leaflet is all the map pages load (see maps.base.MapOptions). Its CSS finds the
#: layer-switcher icons in images/ beside it.
LEAFLET = Bundle("leaflet", xstatic.pkg.leaflet.VERSION, Path(xstatic.pkg.leaflet.BASE_DIR))
BUNDLES = {bundle.slug: bundle for bundle in (LEAFLET,)}


def send_asset(slug: str, filename: str) -> Response:
    bundle = BUNDLES.get(slug)
    if bundle is None:
        raise NotFound(f"no asset bundle {slug!r}; bundles: {', '.join(BUNDLES)}")
    return send_from_directory(bundle.folder, filename, max_age=ONE_YEAR)
