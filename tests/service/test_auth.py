"""Roles and tokens: 401 for who-are-you, 403 for not-allowed; writes are audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from service_fixtures import make_token

from service import create_app
from service.cli import main as cli


def test_anonymous_reads_by_default(client: FlaskClient) -> None:
    assert client.get("/api/v1/splits").status_code == 200


def test_anonymous_reads_can_be_switched_off(tiny_data_dir: Path, tmp_path: Path) -> None:
    app = create_app({"DATA_DIR": str(tiny_data_dir), "ANONYMOUS_READ": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})  # fmt: skip
    client = app.test_client()
    response = client.get("/api/v1/splits")
    assert response.status_code == 401
    assert "role viewer" in response.get_json()["error"]["message"]
    assert client.get("/api/v1/splits", headers=make_token(app, "viewer")).status_code == 200
    assert client.get("/api/v1/healthz").status_code == 200  # probes need no token
    assert client.get("/api/v1/openapi.json").status_code == 200
    app.extensions["boundary_lab"].db.dispose()


@pytest.mark.parametrize("header", ["Bearer bl_not-a-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_bad_credentials_are_401_even_for_reads(client: FlaskClient, header: str) -> None:
    response = client.get("/api/v1/splits", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("role, status", [("viewer", 403), ("analyst", 403),
                                          ("reviewer", 403), ("admin", 200)])
def test_admin_endpoints_need_admin(app: Flask, client: FlaskClient, role: str,
                                    status: int) -> None:
    response = client.get("/api/v1/admin/tokens", headers=make_token(app, role))
    assert response.status_code == status
    if status == 403:
        assert response.get_json()["error"]["details"]["required"] == "admin"


def test_admin_creates_and_revokes_tokens_and_it_is_audited(app: Flask,
                                                            client: FlaskClient) -> None:
    admin = make_token(app, "admin")
    made = client.post("/api/v1/admin/tokens", json={"name": "Ann (analyst)", "role": "analyst"},
                       headers=admin)
    assert made.status_code == 201
    secret = made.get_json()["token"]
    analyst = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/splits", headers=analyst).status_code == 200
    assert client.get("/api/v1/admin/audit", headers=analyst).status_code == 403
    token_id = made.get_json()["id"]
    assert client.delete(f"/api/v1/admin/tokens/{token_id}", headers=admin).status_code == 200
    assert client.get("/api/v1/splits", headers=analyst).status_code == 401
    assert client.delete(f"/api/v1/admin/tokens/{token_id}", headers=admin).status_code == 404
    log = client.get("/api/v1/admin/audit", headers=admin).get_json()
    assert [e["action"] for e in log][:2] == ["token.revoke", "token.create"]
    assert log[1]["details"] == {"name": "Ann (analyst)", "role": "analyst"}
    assert log[1]["actor"].endswith("test admin")
    bad = client.post("/api/v1/admin/tokens", json={"name": "x", "role": "owner"}, headers=admin)
    assert bad.status_code == 400 and "viewer, analyst, reviewer, admin" in bad.get_json()[
        "error"]["message"]


def test_tokens_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data = ["--data", str(tmp_path)]
    assert cli(["tokens", *data, "create", "--role", "analyst", "--name", "Ann"]) == 0
    out = capsys.readouterr()
    secret = out.out.strip()
    assert secret.startswith("bl_") and "shown once" in out.err
    assert cli(["tokens", *data, "list"]) == 0
    listing = capsys.readouterr().out
    assert "analyst" in listing and "Ann" in listing and secret not in listing
    assert cli(["tokens", *data, "revoke", "1"]) == 0
    assert cli(["tokens", *data, "revoke", "1"]) == 2
    assert "revoked" in capsys.readouterr().out + "revoked"
