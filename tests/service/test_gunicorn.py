"""The production server for real: gunicorn with two workers on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tiny_data_dir: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "BOUNDARY_LAB_DATA": str(tiny_data_dir),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}  # fmt: skip
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
               f"127.0.0.1:{port}", "service.wsgi:app"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/api/v1/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or a worker still booting
                pass
            if process.poll() is not None:
                break
            time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer /api/v1/healthz within 60 s")
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"gunicorn exited: {output[-2000:]}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


def test_gunicorn_serves_the_api(server: str) -> None:
    with requests.Session() as http:
        health = http.get(f"{server}/api/v1/healthz", timeout=10).json()
        assert health["status"] == "ok" and health["store"]["vintages"] == ["tiny"]
        # Many requests, so both workers answer; they share only the store and database.
        for _ in range(20):
            rows = http.get(f"{server}/api/v1/splits?area=E10000001", timeout=10).json()["rows"]
            assert [r["population"] for r in rows] == [300, 300]
        batch = http.post(f"{server}/api/v1/lookup", timeout=10,
                          json={"points": [{"easting": 502500, "northing": 200500}]}).json()
        assert batch["results"][0]["lsoa"] == "E01000003"
        error = http.get(f"{server}/api/v1/lookup?lat=999&lon=0", timeout=10)
        assert error.status_code == 400 and error.json()["error"]["code"] == "bad_request"
