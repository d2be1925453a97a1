"""The fault suite, in process (bounded, loopback only): a database that is down or
accepts and never answers, a schema not yet upgraded, corrupt store files. The server-level
faults (gunicorn workers starting without a database, kill -9, slow clients) are in
test_fault_server.py."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from service_fixtures import make_token

from service import create_app
from service.cli import main
from service.db import LATEST, Database


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP listener on loopback that accepts connections and never answers: a database
    that hangs. Yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when this returns


def _app(data_dir: Path, url: str, **config: object) -> Flask:
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), "DATABASE_URL": url,
                       "DB_CONNECT_TIMEOUT": 2.0, **config})  # fmt: skip


@pytest.mark.parametrize("kind", ["closed port", "silent server"])
def test_the_app_starts_and_reports_a_database_that_is_down(
    kind: str, tiny_data_dir: Path, request: pytest.FixtureRequest
) -> None:
    port = closed_port() if kind == "closed port" else request.getfixturevalue("silent_server")
    started = time.monotonic()
    app = _app(tiny_data_dir, f"postgresql://postgres@127.0.0.1:{port}/test")
    assert time.monotonic() - started < 10  # one bounded attempt, then on with start-up
    client = app.test_client()
    started = time.monotonic()
    health = client.get("/api/v1/healthz")
    assert time.monotonic() - started < 2.0
    assert health.status_code == 503
    body = health.get_json()
    assert body["status"] == "unavailable" and body["database"]["ok"] is False
    assert body["reasons"][0].startswith("database: ")
    # Pages that need no database still work; those that do say why, as a 503.
    assert client.get("/api/v1/vintages").status_code == 200
    scenarios = client.get("/api/v1/scenarios")
    assert scenarios.status_code == 503, scenarios.get_data(as_text=True)
    assert scenarios.get_json()["error"]["code"] == "database_unavailable"
    assert scenarios.headers["Retry-After"]
    app.extensions["boundary_lab"].db.dispose()


def test_the_database_comes_back(tiny_data_dir: Path, postgres_url: str) -> None:
    """Started while PostgreSQL was unreachable, the app serves once it is reachable (the
    same app object: the worker did not have to restart)."""
    app = _app(tiny_data_dir, f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    client = app.test_client()
    assert client.get("/api/v1/scenarios").status_code == 503
    # The operator fixes the address (here: the app's engine now points at the server).
    services = app.extensions["boundary_lab"]
    services.db.dispose()
    services.db = Database(postgres_url, connect_timeout=2)
    assert client.get("/api/v1/scenarios").get_json() == []
    assert client.get("/api/v1/healthz").status_code == 200
    services.db.dispose()


def test_without_auto_migrate_the_schema_is_an_explicit_step(
    tiny_data_dir: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(tiny_data_dir, database_url, AUTO_MIGRATE=False)
    client = app.test_client()
    health = client.get("/api/v1/healthz")
    assert health.status_code == 503
    assert "run boundary-lab db upgrade" in health.get_json()["reasons"][0]
    listing = client.get("/api/v1/scenarios")
    assert listing.status_code == 503
    assert f"needs {LATEST}: run boundary-lab db upgrade" in listing.get_json()["error"]["message"]

    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    assert client.get("/api/v1/scenarios").get_json() == []
    assert client.get("/api/v1/healthz").status_code == 200
    app.extensions["boundary_lab"].db.dispose()


def test_db_upgrade_says_when_the_database_is_down(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{closed_port()}/x")
    assert main(["db", "upgrade"]) == 1
    assert "is unavailable" in capsys.readouterr().err


def test_a_statement_that_runs_too_long_is_stopped_on_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite3'}", statement_timeout=0.3)
    db.ready()
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    started = time.monotonic()
    with pytest.raises(Exception, match="interrupted"), db.engine.connect() as conn:
        conn.exec_driver_sql(slow).scalar()
    assert time.monotonic() - started < 3
    db.dispose()


def test_a_statement_that_runs_too_long_is_stopped_on_postgresql(postgres_url: str) -> None:
    db = Database(postgres_url, statement_timeout=0.3)
    db.ready()
    started = time.monotonic()
    with pytest.raises(Exception, match="statement timeout"), db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT pg_sleep(5)").scalar()
    assert time.monotonic() - started < 3
    db.dispose()


# --- corrupt store files -------------------------------------------------------------------


@pytest.fixture
def two_vintages(tiny_data_dir: Path, tmp_path: Path) -> Path:
    """The tiny vintage twice: 'tiny' and a copy 'tiny-copy' that the test breaks."""
    root = tmp_path / "data"
    shutil.copytree(tiny_data_dir / "tiny", root / "tiny")
    shutil.copytree(tiny_data_dir / "tiny", root / "tiny-copy")
    return root


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("broken", ["geometry.parquet", "blocks.parquet", "meta.json"])
def test_a_corrupt_vintage_is_disabled_and_the_rest_serve(
    broken: str, two_vintages: Path, tmp_path: Path
) -> None:
    _truncate(two_vintages / "tiny-copy" / broken)
    app = _app(two_vintages, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    client = app.test_client()
    health = client.get("/api/v1/healthz")
    assert health.status_code == 503
    body = health.get_json()
    assert body["store"]["vintages"] == ["tiny"]
    assert list(body["store"]["disabled"]) == ["tiny-copy"]
    (reason,) = body["reasons"]
    assert reason.startswith("vintage tiny-copy: ")
    if broken != "meta.json":
        assert broken in reason
    assert client.get("/api/v1/vintages").get_json()["default"] == "tiny"
    assert client.get("/maps/overview?vintage=tiny").status_code == 200
    assert client.get("/").status_code == 200
    refused = client.get("/api/v1/splits?area=E10000001&vintage=tiny-copy")
    assert refused.status_code == 503
    assert "vintage tiny-copy is disabled" in refused.get_json()["error"]["message"]
    app.extensions["boundary_lab"].db.dispose()


def test_a_geometry_file_truncated_while_serving_fails_healthz(
    two_vintages: Path, tmp_path: Path
) -> None:
    app = _app(two_vintages, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    client = app.test_client()
    assert client.get("/api/v1/healthz").status_code == 200
    _truncate(two_vintages / "tiny" / "geometry.parquet")
    health = client.get("/api/v1/healthz")
    assert health.status_code == 503
    assert "vintage tiny: geometry.parquet is unreadable" in health.get_json()["reasons"][0]
    app.extensions["boundary_lab"].db.dispose()


def test_an_admin_still_reaches_the_app_while_the_database_is_down(tiny_data_dir: Path) -> None:
    """A bearer token cannot be checked without the database: a 503, never a 500."""
    app = _app(tiny_data_dir, f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    response = app.test_client().get("/api/v1/admin/tokens",
                                     headers={"Authorization": "Bearer bl_x"})  # fmt: skip
    assert response.status_code == 503
    app.extensions["boundary_lab"].db.dispose()


def test_make_token_helper_still_works(app: Flask) -> None:
    assert make_token(app, "viewer")["Authorization"].startswith("Bearer bl_")
