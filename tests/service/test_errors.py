"""Every error path answers the one JSON shape with the right 4xx, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from service import create_app

CASES: list[tuple[str, str, Any, int, str, str]] = [
    # method, url, JSON body, status, error code, fragment of the message
    ("GET", "/api/v1/nowhere", None, 404, "not_found", "not found"),
    ("POST", "/api/v1/splits", None, 405, "method_not_allowed", "not allowed"),
    ("GET", "/api/v1/splits?by=ward", None, 400, "bad_request", "valid: ltla, utla"),
    ("GET", "/api/v1/splits?across=lsoa", None, 400, "bad_request", "unknown layer 'lsoa'"),
    ("GET", "/api/v1/splits?by=icb&across=icb", None, 400, "bad_request", "two different"),
    ("GET", "/api/v1/splits?vintage=1999", None, 400, "bad_request", "valid: tiny"),
    ("GET", "/api/v1/splits?area=Atlantis", None, 404, "not_found", "unknown utla area"),
    ("GET", "/api/v1/typology?la_in_icb=95", None, 400, "bad_request", "from 0 to 1"),
    ("GET", "/api/v1/typology?by=icb", None, 400, "bad_request", "utla or ltla"),
    ("GET", "/api/v1/areas/E99999999", None, 404, "not_found", "no unit has the code"),
    ("GET", "/api/v1/layers/ward", None, 404, "not_found", "valid: lsoa, ltla"),
    ("GET", "/api/v1/layers/lsoa", None, 400, "bad_request", "give a bbox"),
    ("GET", "/api/v1/layers/icb?bbox=1,2,3", None, 400, "bad_request", "min_lon,min_lat"),
    ("GET", "/api/v1/layers/icb?bbox=1,2,0,3", None, 400, "bad_request", "min below max"),
    ("GET", "/api/v1/layers/icb?simplify=-1", None, 400, "bad_request", "simplify"),
    ("GET", "/api/v1/lookup?lat=200&lon=0", None, 400, "bad_request", "from -90 to 90"),
    ("GET", "/api/v1/lookup?lat=NaN&lon=0", None, 400, "bad_request", "lat must be"),
    ("GET", "/api/v1/lookup?lat=north&lon=0", None, 400, "bad_request", "must be a number"),
    ("GET", "/api/v1/lookup?lat=inf&lon=0", None, 400, "bad_request", "lat must be"),
    ("GET", "/api/v1/lookup?easting=-5&northing=0", None, 400, "bad_request", "easting"),
    ("GET", "/api/v1/lookup", None, 400, "bad_request", "give lat and lon"),
    ("GET", "/api/v1/lookup?lat=52&lon=-4.2", None, 404, "not_found", "not in any English"),
    ("GET", "/api/v1/lookup?lsoa=W01000001", None, 404, "not_found", "no English LSOA"),
    ("POST", "/api/v1/lookup", None, 400, "bad_request", "send JSON: an object {points, vintage}"),
    ("POST", "/api/v1/lookup", {"points": []}, 400, "bad_request", "points is empty"),
    ("POST", "/api/v1/lookup", {"points": [5]}, 400, "bad_request", "points[0] must be"),
    ("POST", "/api/v1/lookup", {"points": [{"x": 1}]}, 400, "bad_request",
     "points[0] must be {lat, lon} in degrees or {easting, northing}"),
    ("POST", "/api/v1/lookup", {"points": [{"lat": "a", "lon": 1}]}, 400, "bad_request",
     "points[0].lat"),
    ("POST", "/api/v1/lookup", {"points": [{"lat": 1, "lon": 1}] * 10_001}, 400,
     "bad_request", "at most 10,000"),
    ("POST", "/api/v1/lookup", {"points": [{"lat": 1, "lon": 1}], "vintage": 3}, 400,
     "bad_request", "vintage must be"),
    ("GET", "/api/v1/reports/splits.pdf", None, 404, "not_found", "csv, xlsx"),
    ("GET", "/api/v1/reports/typology.xlsx?other_la_min_share=x", None, 400, "bad_request",
     "must be a number"),
    ("GET", "/api/v1/admin/tokens", None, 401, "unauthorized", "role admin"),
]  # fmt: skip


def check_shape(response: Any, status: int, code: str, fragment: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert fragment in body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("method, url, body, status, code, fragment", CASES,
                         ids=[f"{c[0]} {c[1][:50]}" for c in CASES])  # fmt: skip
def test_error_shape(
    client: FlaskClient, method: str, url: str, body: Any, status: int, code: str, fragment: str
) -> None:
    check_shape(client.open(url, method=method, json=body), status, code, fragment)


def test_oversized_body_is_413(tiny_data_dir: Path, tmp_path: Path) -> None:
    app = create_app({"DATA_DIR": str(tiny_data_dir), "MAX_UPLOAD_MB": 1,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})  # fmt: skip
    big = b'{"points": [' + b'{"lat": 51.5, "lon": 0.1},' * 60_000 + b"]}"
    response = app.test_client().post("/api/v1/lookup", data=big,
                                      content_type="application/json")  # fmt: skip
    check_shape(response, 413, "request_entity_too_large", "larger than the limit")
    assert response.get_json()["error"]["details"]["limit_bytes"] == 1024 * 1024
    app.extensions["boundary_lab"].db.dispose()


def test_unexpected_failure_is_a_500_without_internals(tiny_data_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app({"DATA_DIR": str(tiny_data_dir),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})  # fmt: skip

    def explode(*_: Any, **__: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("service.api.data.typology", explode)
    response = app.test_client().get("/api/v1/typology")
    check_shape(response, 500, "internal_error", "unexpected error")
    assert "secret internals" not in response.get_data(as_text=True)
    app.extensions["boundary_lab"].db.dispose()
