"""Service fixtures: a tiny store, an app on it, and a database of each kind.

PostgreSQL tests run against the server on 127.0.0.1:5432 (``BOUNDARY_LAB_TEST_POSTGRES``
overrides the URL), each in a database of its own that is dropped afterwards. They skip
on a laptop without PostgreSQL, and fail in CI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_token, need  # noqa: F401  (make_token: re-exported)
from synthetic import TinySource

from geodata.config import parse_vintage
from geodata.ingest import build_vintage
from geodata.store import Store
from service import create_app

POSTGRES = os.environ.get(
    "BOUNDARY_LAB_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def tiny_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the tiny synthetic vintage (see tests/synthetic.py)."""
    root = tmp_path_factory.mktemp("tiny_service")
    source = TinySource(root / "source")
    source.write()
    Store(root / "data").write(build_vintage(parse_vintage(source.config_path), source.root))
    return root / "data"


def _postgres_admin() -> sa.Engine | None:
    engine = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return engine
    except sa.exc.OperationalError:
        engine.dispose()
        return None


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    engine = _postgres_admin()
    need(engine is not None, f"PostgreSQL is not reachable at {POSTGRES}")
    assert engine is not None
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin: sa.Engine) -> Iterator[str]:
    """A fresh database on the PostgreSQL server, dropped after the test."""
    name = f"boundary_lab_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = postgres_admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with postgres_admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'boundary-lab.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app(tiny_data_dir: Path, tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATA_DIR": str(tiny_data_dir),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})  # fmt: skip
    yield app
    app.extensions["boundary_lab"].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()

