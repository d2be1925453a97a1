"""Accepted inputs that used to kill a worker on every later read, on the real bundle:
each is now a quick 4xx with a clear message, and nothing is saved."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_token
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from geodata.store import Store
from service import create_app


@pytest.fixture(scope="module")
def real_app(real_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    db = tmp_path_factory.mktemp("bounds") / "db.sqlite3"
    return create_app({"TESTING": True, "DATA_DIR": str(real_store.root),
                       "DATABASE_URL": f"sqlite:///{db}"})  # fmt: skip


def _lsoas(real_store: Store) -> list[str]:
    # From the ONS lookup, not from the code under test.
    source = Path(real_store.load("2022").meta["source_dir"])
    lookup = pd.read_csv(source / "lookups/LSOA11_SICBL22_ICB22_LAD22_EN_LU.csv",
                         usecols=["LSOA11CD"])  # fmt: skip
    return sorted(lookup["LSOA11CD"])


def _post(client: FlaskClient, headers: dict[str, str], **kwargs: object) -> tuple[int, str, float]:
    started = time.perf_counter()
    with client.post(headers=headers, **kwargs) as response:  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        body = response.get_json(silent=True) or {}
        return response.status_code, body.get("error", {}).get("message", ""), seconds


def test_every_lsoa_its_own_new_icb_is_refused(real_app: Flask, real_store: Store) -> None:
    lsoas = _lsoas(real_store)
    assert len(lsoas) == 32_844
    csv = "".join(f"{code},new_icb:ICB of {code}\n" for code in lsoas).encode()
    client, headers = real_app.test_client(), make_token(real_app, "analyst")
    # Encoded here: the test client spools bodies over 500 KB to a file it never closes.
    boundary, body = encode_multipart({"vintage": "2022",
                                       "file": FileStorage(io.BytesIO(csv), filename="b.csv")})
    status, message, seconds = _post(client, headers, path="/api/v1/scenarios", data=body,
                                     content_type=f"multipart/form-data; boundary={boundary}")
    assert status == 400 and "at most 60 new ICBs" in message, message
    assert seconds < 10, seconds
    assert client.get("/api/v1/scenarios").get_json() == []


def test_a_place_per_lsoa_and_100000_places_are_refused(real_app: Flask,
                                                        real_store: Store) -> None:
    lsoas = _lsoas(real_store)
    client, headers = real_app.test_client(), make_token(real_app, "analyst")
    for places in ([{"name": c, "blocks": [{"layer": "lsoa", "code": c}]} for c in lsoas],
                   [{"name": f"p{i}", "blocks": [{"layer": "lsoa", "code": lsoas[0]}]}
                    for i in range(100_000)]):  # fmt: skip
        status, message, seconds = _post(client, headers, path="/api/v1/places/sets",
                                         json={"name": "many", "vintage": "2022",
                                               "places": places})  # fmt: skip
        assert status == 400, message
        assert f"places has {len(places):,} places; at most 2,000 places" == message
        assert seconds < 10, seconds
    assert [s for s in client.get("/api/v1/places/sets?vintage=2022").get_json()
            if not s["builtin"]] == []  # fmt: skip


def test_the_largest_allowed_place_set_is_checked_quickly(real_app: Flask,
                                                          real_store: Store) -> None:
    """2,000 places of LSOAs scattered over England (the worst case for the checks)."""
    lsoas = _lsoas(real_store)
    places = [{"name": f"Place {i}", "blocks": [{"layer": "lsoa", "code": c}
                                                for c in lsoas[i::2000]]} for i in range(2000)]
    client, headers = real_app.test_client(), make_token(real_app, "analyst")
    made = client.post("/api/v1/places/sets", headers=headers,
                       json={"name": "scattered", "vintage": "2022", "places": places})
    assert made.status_code == 201, made.get_json()
    started = time.perf_counter()
    checks = client.get(f"/api/v1/places/sets/{made.get_json()['id']}/checks")
    assert checks.status_code == 200
    assert time.perf_counter() - started < 20
    body = checks.get_json()
    assert len(body["places"]) == 2000
    # Every LSOA is in exactly one place: no gaps within the set's ICBs, no overlaps.
    assert body["gaps"]["lsoas"] == 0 and body["overlaps"] == []
    assert sum(p["lsoas"] for p in body["places"]) == 32_844


def test_a_saved_scenario_with_every_lsoa_its_own_icb_fails_fast_on_every_visit(
    real_app: Flask, real_store: Store
) -> None:
    """Saved before the cap (an old spec: unknown names made new ICBs), such a scenario's
    map page passed the 30 s timeout on every anonymous visit. Now each visit is a quick
    400: resolving stops at the 61st new ICB, before any per-ICB work."""
    lsoas = _lsoas(real_store)
    spec = {"vintage": "2022", "name": "old", "moves": [],
            "blocks": [[code, f"ICB of {code}"] for code in lsoas]}  # fmt: skip
    record = real_app.extensions["boundary_lab"].db.save_scenario(spec, "blocks", "old-author")
    client = real_app.test_client()
    for _ in range(3):
        started = time.perf_counter()
        for url in (f"/maps/scenario/{record.id}", f"/api/v1/scenarios/{record.id}/evaluation",
                    f"/api/v1/scenarios/{record.id}/report.xlsx"):  # fmt: skip
            response = client.get(url)
            assert response.status_code == 400, (url, response.status_code)
            assert "at most 60 new ICBs" in response.get_data(as_text=True)
        assert time.perf_counter() - started < 10
