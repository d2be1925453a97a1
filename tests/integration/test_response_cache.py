"""Cached national reads on the real bundle: a cached answer is byte-for-byte the answer
computed afresh, agrees with pandas on the raw block table, is shared by spellings of
one question, is never made from an error, and the cache stays bounded."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

import pandas as pd
import pytest
from flask.testing import FlaskClient

from geodata.store import Store
from service import create_app
from service.api import cache

pytestmark = [pytest.mark.real_data]

READS = [
    "/api/v1/splits?by=utla&across=icb&vintage=2022",
    "/api/v1/splits?by=ltla&across=sicbl&vintage=2024",
    "/api/v1/splits?area=Essex&vintage=2022",
    "/api/v1/typology?vintage=2022",
    "/api/v1/typology?vintage=2024&by=ltla&la_in_icb=0.9&other_la_min_share=0.1",
    "/api/v1/layers/icb?vintage=2022&simplify=500",
    "/api/v1/areas/E54000026?vintage=2022",
    "/api/v1/pcns/splits?across=icb&vintage=2022",
    "/api/v1/pcns/area/E10000012?vintage=2022",
]


@pytest.fixture(scope="module")
def app(real_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    db = tmp_path_factory.mktemp("db") / "db.sqlite3"
    app = create_app({"DATA_DIR": str(real_store.root), "DATABASE_URL": f"sqlite:///{db}"})
    yield app
    app.extensions["boundary_lab"].db.dispose()


def responses(app, vintage: str) -> dict:  # noqa: ANN001
    data = app.extensions["boundary_lab"].vintage(vintage)
    return data.cache.setdefault("responses", OrderedDict())


@pytest.mark.parametrize("url", READS)
def test_a_cached_answer_is_the_fresh_answer(app, url: str) -> None:  # noqa: ANN001
    client: FlaskClient = app.test_client()
    first = client.get(url)
    assert first.status_code == 200
    again = client.get(url)
    for vintage in ("2022", "2024"):
        responses(app, vintage).clear()
    fresh = client.get(url)
    assert first.data == again.data == fresh.data
    assert first.mimetype == fresh.mimetype


def test_national_split_agrees_with_pandas(app, real_store: Store) -> None:  # noqa: ANN001
    client = app.test_client()
    client.get("/api/v1/splits?by=utla&across=icb&vintage=2022")
    rows = client.get("/api/v1/splits?by=utla&across=icb&vintage=2022").get_json()["rows"]
    blocks = pd.read_parquet(real_store.root / "2022" / "blocks.parquet")
    expected = blocks.groupby(["utla_code", "icb_code"], observed=True)["population"].sum()
    got = {(r["by_code"], r["across_code"]): r["population"] for r in rows}
    assert got == {key: int(value) for key, value in expected.items()}


def test_spellings_of_one_area_share_an_entry(app) -> None:  # noqa: ANN001
    client = app.test_client()
    responses(app, "2022").clear()
    bodies = {client.get(f"/api/v1/splits?area={a}&vintage=2022").data
              for a in ("Essex", "essex", "E10000012", "ESSEX")}  # fmt: skip
    assert len(bodies) == 1
    assert len(responses(app, "2022")) == 1


def test_errors_are_not_cached(app) -> None:  # noqa: ANN001
    client = app.test_client()
    responses(app, "2022").clear()
    for _ in range(2):
        response = client.get("/api/v1/splits?area=Nowhere-at-all&vintage=2022")
        assert response.status_code in (400, 404)
        assert "Nowhere-at-all" in response.get_json()["error"]["message"]
    assert len(responses(app, "2022")) == 0


def test_the_cache_is_bounded(app, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(cache, "MAX_ENTRIES", 5)
    client = app.test_client()
    for i in range(12):
        assert client.get(f"/api/v1/typology?vintage=2022&la_in_icb=0.{50 + i}").status_code == 200
    assert len(responses(app, "2022")) == 5
