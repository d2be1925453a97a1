"""The application factory and its settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from geodata.errors import ConfigError
from service import create_app
from service.settings import load_settings


def test_defaults_environment_then_overrides() -> None:
    env = {"BOUNDARY_LAB_DATA": "/srv/data", "BOUNDARY_LAB_MAX_UPLOAD_MB": "5",
           "BOUNDARY_LAB_ANONYMOUS_READ": "false"}  # fmt: skip
    settings = load_settings({"MAX_UPLOAD_MB": 7}, environ=env)
    assert settings["DATA_DIR"] == "/srv/data"
    assert settings["ANONYMOUS_READ"] is False
    assert settings["MAX_UPLOAD_MB"] == 7
    assert load_settings(environ={})["ANONYMOUS_READ"] is True


@pytest.mark.parametrize("env, message", [
    ({"BOUNDARY_LAB_DATDIR": "x"}, "unknown setting(s) BOUNDARY_LAB_DATDIR; valid:"),
    ({"BOUNDARY_LAB_MAX_UPLOAD_MB": "lots"}, "BOUNDARY_LAB_MAX_UPLOAD_MB: invalid literal"),
    ({"BOUNDARY_LAB_MAX_UPLOAD_MB": "0"}, "not a positive whole number"),
    ({"BOUNDARY_LAB_ANONYMOUS_READ": "maybe"}, "'maybe' is not a boolean"),
    # the API documents (and its body model enforces) at most 10,000 points: a setting
    # above that would be silently capped
    ({"BOUNDARY_LAB_MAX_LOOKUP_POINTS": "20000"}, "'20000' is above 10,000, the most the API"),
])  # fmt: skip
def test_bad_settings_are_refused_at_start(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=env)
    assert message in str(caught.value)


def test_unknown_config_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown setting 'DATA_DIRS'"):
        create_app({"DATA_DIRS": "x"})


def test_factory_wires_store_database_and_limits(tiny_data_dir: Path, tmp_path: Path) -> None:
    app = create_app({"DATA_DIR": str(tiny_data_dir), "MAX_UPLOAD_MB": 2,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})  # fmt: skip
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert app.extensions["boundary_lab"].store.built() == ["tiny"]
    assert (tmp_path / "x.sqlite3").is_file()
    app.extensions["boundary_lab"].db.dispose()


def test_default_database_is_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    app = create_app({"DATA_DIR": str(tmp_path)})
    assert (tmp_path / "boundary-lab.sqlite3").is_file()
    health = app.test_client().get("/api/v1/healthz")
    assert health.status_code == 503  # no vintage built in an empty data folder
    assert health.get_json()["database"]["ok"] is True
    app.extensions["boundary_lab"].db.dispose()


def test_app_on_postgresql(tiny_data_dir: Path, postgres_url: str) -> None:
    app = create_app({"DATA_DIR": str(tiny_data_dir), "DATABASE_URL": postgres_url})
    body = app.test_client().get("/api/v1/healthz").get_json()
    assert body["status"] == "ok" and body["database"]["dialect"] == "postgresql"
    app.extensions["boundary_lab"].db.dispose()


def test_a_worker_reads_ahead_what_its_first_map_request_needs(app: Flask) -> None:
    """As the app starts, each vintage's stored outlines (every tolerance) and its LSOAs'
    WKB are read, so a fresh worker's first map request does not read them."""
    from geodata.derived import SIMPLIFY_TOLERANCES_M

    data = app.extensions["boundary_lab"].store.load("tiny")
    assert set(data.cache["stored_outlines"]) == {0.0, *SIMPLIFY_TOLERANCES_M}
    assert all(len(by_layer) for by_layer in data.cache["stored_outlines"].values())
    assert data.cache["lazy_polygons"] is not None and not data.geometry_loaded
