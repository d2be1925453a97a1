"""The fault suite against the production recipe (gunicorn with service.gunicorn_conf)
on loopback, bounded in time: slow clients, a database that is down or silent when the
workers start, a worker killed while the database is down, kill -9 during writes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from test_faults import closed_port, silent_server  # noqa: F401  (a fixture)

RECIPE = ["-c", "python:service.gunicorn_conf"]
MOVE = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}


class Server:
    def __init__(self, data_dir: Path, database_url: str, args: list[str]) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "BOUNDARY_LAB_DATA": str(data_dir), "DATABASE_URL": database_url,
               "BOUNDARY_LAB_DB_CONNECT_TIMEOUT": "2"}  # fmt: skip
        command = [sys.executable, "-m", "gunicorn", *args, "--bind", f"127.0.0.1:{self.port}",
                   "service.wsgi:app"]  # fmt: skip
        # A session of its own, so kill -9 can take the master and its workers at once.
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip

    def wait_until_answering(self, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                requests.get(f"{self.url}/api/v1/vintages", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer within {limit} s")

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                             capture_output=True, text=True).stdout  # fmt: skip
        return [int(pid) for pid in out.split()]

    def kill_9(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_9()
        if self.process.stderr:
            self.process.stderr.close()

    def log(self) -> str:
        if self.process.poll() is not None and self.process.stderr:
            return self.process.stderr.read().decode(errors="replace")[-3000:]
        return ""


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def _start(servers: list[Server], data_dir: Path, url: str, args: list[str]) -> Server:
    server = Server(data_dir, url, args)
    servers.append(server)
    server.wait_until_answering()
    return server


# --- slow clients ----------------------------------------------------------------------------


def _slow_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that send a request's first line and then a header byte now and then
    (slowloris), never finishing."""
    held = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /api/v1/vintages HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
        held.append(sock)
    return held


def _answers_within(url: str, seconds: float) -> bool:
    try:
        requests.get(f"{url}/api/v1/vintages", timeout=seconds)
        return True
    except requests.RequestException:
        return False


def test_the_recipe_holds_two_slow_clients_off(
    servers: list[Server], tiny_data_dir: Path, tmp_path: Path
) -> None:
    sqlite = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    # The old recipe (sync workers, two of them) first: the test can fail.
    sync = _start(servers, tiny_data_dir, sqlite, ["--workers", "2", "--timeout", "30"])
    held = _slow_clients(sync.port, 2)
    time.sleep(0.5)
    assert not _answers_within(sync.url, 2.0), "sync workers answered: the test proves nothing"
    for sock in held:
        sock.close()
    sync.kill_9()

    server = _start(servers, tiny_data_dir, sqlite, RECIPE)
    held = _slow_clients(server.port, 2)
    try:
        for _ in range(3):  # while they trickle, normal requests answer at once
            time.sleep(0.5)
            for sock in held:
                sock.sendall(b"a")
            started = time.monotonic()
            assert requests.get(f"{server.url}/api/v1/vintages", timeout=5).status_code == 200
            assert time.monotonic() - started < 2.0
    finally:
        for sock in held:
            sock.close()


# --- the database down when workers start ------------------------------------------------------


@pytest.mark.parametrize("kind", ["closed port", "silent server"])
def test_workers_start_and_stay_up_without_the_database(
    kind: str, servers: list[Server], tiny_data_dir: Path, request: pytest.FixtureRequest
) -> None:
    port = closed_port() if kind == "closed port" else request.getfixturevalue("silent_server")
    server = _start(servers, tiny_data_dir, f"postgresql://postgres@127.0.0.1:{port}/test",
                    RECIPE)  # fmt: skip
    started = time.monotonic()
    health = requests.get(f"{server.url}/api/v1/healthz", timeout=5)
    assert time.monotonic() - started < 2.0
    assert health.status_code == 503 and health.json()["reasons"][0].startswith("database: ")
    assert requests.get(f"{server.url}/api/v1/scenarios", timeout=10).status_code == 503
    # A worker dies (here: killed) while the database is still away: gunicorn's master
    # starts another and keeps running.
    before = server.workers()
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (len(server.workers()) < len(before)
                                           or before[0] in server.workers()):  # fmt: skip
        time.sleep(0.2)
    assert server.process.poll() is None, server.log()
    assert len(server.workers()) == len(before) and before[0] not in server.workers()
    assert requests.get(f"{server.url}/api/v1/vintages", timeout=10).status_code == 200


# --- kill -9 during writes ---------------------------------------------------------------------


def test_kill_9_during_writes_loses_nothing_and_half_writes_nothing(
    servers: list[Server], tiny_data_dir: Path, database_url: str
) -> None:
    server = _start(servers, tiny_data_dir, database_url, RECIPE)
    from service.db import Database

    db = Database(database_url)
    _, secret = db.create_token("writer", "analyst", "test")
    headers = {"Authorization": f"Bearer {secret}"}
    acknowledged: list[int] = []
    stop = threading.Event()

    def write(n: int) -> None:
        with requests.Session() as http:
            while not stop.is_set():
                body = {"name": f"w{n}", "vintage": "tiny", "moves": [MOVE]}
                try:
                    response = http.post(f"{server.url}/api/v1/scenarios", json=body,
                                         headers=headers, timeout=10)  # fmt: skip
                except requests.RequestException:
                    return  # the server is gone
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])

    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in writers:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill_9()  # master and workers, mid-write
    stop.set()
    for thread in writers:
        thread.join(timeout=20)
    assert len(acknowledged) >= 20

    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, spec FROM scenarios")).all()
        query = "SELECT target FROM audit_log WHERE action = 'scenario.create'"
        audited = set(conn.execute(sa.text(query)).scalars())
    saved = {row.id for row in rows}
    assert set(acknowledged) <= saved  # nothing acknowledged is lost
    assert audited == {f"scenario:{i}" for i in saved}  # each row with its audit entry
    for row in rows:  # and whole
        assert json.loads(row.spec)["moves"] == [MOVE]
    db.dispose()

    # A new server on the same database and store serves them all.
    again = _start(servers, tiny_data_dir, database_url, RECIPE)
    listed = requests.get(f"{again.url}/api/v1/scenarios", headers=headers, timeout=10).json()
    assert {s["id"] for s in listed} == saved
