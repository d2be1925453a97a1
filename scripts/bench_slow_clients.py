"""Slow clients against the production recipe and the old one, on loopback.

For each recipe (gthread from service/gunicorn_conf.py; the old ``--workers 2`` sync
recipe as the baseline) and each number of slowloris-style connections (each sends a
request line and then a header byte a second, never finishing), measures how long normal
``GET /api/v1/vintages`` requests take while they hang on; a request that takes longer
than the timeout counts as failed. Prints a Markdown table.

    python3 scripts/bench_slow_clients.py --data ./data
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

HOST = "127.0.0.1"
RECIPES = {
    "gthread (service.gunicorn_conf)": ["-c", "python:service.gunicorn_conf"],
    "sync, 2 workers (old recipe)": ["--workers", "2", "--timeout", "30"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start(args: list[str], data: str, db: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "BOUNDARY_LAB_DATA": data, "DATABASE_URL": f"sqlite:///{db}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *args, "--bind", f"{HOST}:{port}", "service.wsgi:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/api/v1/vintages", timeout=5)
            return process, url
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def trickle(port: int, stop: threading.Event) -> None:
    sock = socket.create_connection((HOST, port), timeout=5)
    sock.sendall(b"GET /api/v1/vintages HTTP/1.1\r\nHost: x\r\nX-a: ")
    while not stop.wait(1.0):
        try:
            sock.sendall(b"a")
        except OSError:
            break
    sock.close()


def measure(url: str, slow: int, requests_n: int, timeout: float) -> tuple[list[float], int]:
    stop = threading.Event()
    port = int(url.rsplit(":", 1)[1])
    threads = [threading.Thread(target=trickle, args=(port, stop)) for _ in range(slow)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    times, failed = [], 0
    for _ in range(requests_n):
        started = time.monotonic()
        try:
            requests.get(f"{url}/api/v1/vintages", timeout=timeout)
            times.append((time.monotonic() - started) * 1000)
        except requests.RequestException:
            failed += 1
    stop.set()
    for thread in threads:
        thread.join()
    return times, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data")
    parser.add_argument("--slow", default="0,2,8", help="numbers of slow connections")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args()
    print("| recipe | slow connections | normal requests | answered | p50 ms | max ms |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for label, recipe in RECIPES.items():
            for slow in [int(n) for n in args.slow.split(",")]:
                process, url = start(recipe, args.data, f"{tmp}/db.sqlite3")
                try:
                    times, failed = measure(url, slow, args.requests, args.timeout)
                finally:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                p50 = f"{statistics.median(times):.0f}" if times else "—"
                worst = f"{max(times):.0f}" if times else "—"
                print(f"| {label} | {slow} | {args.requests} | {len(times)} | {p50} | {worst} |",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
