"""Load-test the HTTP API on loopback against a real gunicorn server; print a Markdown table.

Starts gunicorn on a free 127.0.0.1 port with the given store and a throwaway SQLite
database, warms every scenario up (unmeasured), then runs each scenario with concurrent
keep-alive clients for a fixed time or request count, whichever comes first, and stops
the server. Nothing but loopback is contacted and nothing is left behind.

    python3 scripts/bench_api.py                 # 2 workers, 20 clients, 30 s a scenario
    python3 scripts/bench_api.py --duration 5    # a quick run
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import requests
from pyproj import Transformer

from geodata.store import Store

HOST = "127.0.0.1"
VINTAGE = "2022"
ESSEX = "E10000012"
BATCH_SIZE = 10_000
SEED = 20240601
REQUEST_TIMEOUT = 30.0  # seconds, per request


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_target() -> str:
    """``service.wsgi:app`` when that module exists, else gunicorn's factory syntax."""
    if importlib.util.find_spec("service.wsgi") is not None:
        return "service.wsgi:app"
    return "service:create_app()"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_server(data: Path, args: argparse.Namespace, tmp: Path) -> Server:
    port = free_port()
    env = dict(os.environ)
    env |= {
        "BOUNDARY_LAB_DATA": str(data.resolve()),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "BOUNDARY_LAB_ANONYMOUS_READ": "true",
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers)]
    command += ["--worker-class", args.worker_class, "--threads", str(args.threads)]
    command += ["--bind", f"{HOST}:{port}", "--worker-tmp-dir", str(tmp), app_target()]
    log = tmp / "gunicorn.log"
    progress(f"starting: {' '.join(command[1:])}")
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Server(process, f"http://{HOST}:{port}", log)


def wait_ready(server: Server, timeout: float) -> float:
    """Seconds until GET /api/v1/healthz answers 200; exits with gunicorn's output if not."""
    start = time.perf_counter()
    url = f"{server.base_url}/api/v1/healthz"
    last = "no answer"
    while time.perf_counter() - start < timeout:
        if server.process.poll() is not None:
            last = f"gunicorn exited with status {server.process.returncode}"
            break
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                return time.perf_counter() - start
            last = f"HTTP {response.status_code}: {response.text[:300]}"
        except requests.RequestException as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise SystemExit(
        f"server not ready after {time.perf_counter() - start:.0f} s ({last}); "
        f"gunicorn's output:\n{server.log_text()}"
    )


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# --- the inputs ---------------------------------------------------------------------------


def area_codes(data: Path) -> list[str]:
    units = Store(data).load(VINTAGE).units
    return sorted(units.loc[units["layer"].isin(["utla", "icb"]), "code"])


def random_points(data: Path, count: int) -> list[tuple[float, float]]:
    """(lat, lon) of ``count`` LSOA representative points, drawn with a fixed seed."""
    geometry = Store(data).load(VINTAGE).geometry()
    chosen = np.random.default_rng(SEED).choice(len(geometry), size=count, replace=False)
    points = geometry.geometry.iloc[chosen].representative_point()
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(points.x.to_numpy(), points.y.to_numpy())
    return [(round(float(a), 6), round(float(b), 6)) for a, b in zip(lat, lon, strict=True)]


# --- the scenarios ------------------------------------------------------------------------

#: A request maker: (session, base url, request number) -> response.
Send = Callable[[requests.Session, str, int], requests.Response]


@dataclass
class Scenario:
    name: str
    send: Send
    target_ms: float
    clients: int


def get_path(path: str) -> Send:
    return lambda session, base, _: session.get(base + path, timeout=REQUEST_TIMEOUT)


def get_rotating(paths: list[str]) -> Send:
    def send(session: requests.Session, base: str, n: int) -> requests.Response:
        return session.get(base + paths[n % len(paths)], timeout=REQUEST_TIMEOUT)

    return send


def post_json(path: str, body: dict[str, object]) -> Send:
    payload = json.dumps(body).encode()  # serialised once, outside the timing
    headers = {"Content-Type": "application/json"}

    def send(session: requests.Session, base: str, _: int) -> requests.Response:
        return session.post(base + path, data=payload, headers=headers, timeout=REQUEST_TIMEOUT)

    return send


def scenarios(data: Path, args: argparse.Namespace) -> list[Scenario]:
    progress("reading area codes and sampling points from the store…")
    codes = area_codes(data)
    random.Random(SEED).shuffle(codes)
    points = random_points(data, BATCH_SIZE)
    singles = [f"/api/v1/lookup?lat={lat}&lon={lon}" for lat, lon in points[:1000]]
    batch = {"points": [{"lat": lat, "lon": lon} for lat, lon in points], "vintage": VINTAGE}
    c = args.clients
    return [
        Scenario(
            "GET /splits?by=utla&across=icb (national)",
            get_path(f"/api/v1/splits?by=utla&across=icb&vintage={VINTAGE}"),
            50,
            c,
        ),
        Scenario(
            f"GET /splits?area={ESSEX}",
            get_path(f"/api/v1/splits?area={ESSEX}&vintage={VINTAGE}"),
            50,
            c,
        ),
        Scenario("GET /typology", get_path(f"/api/v1/typology?vintage={VINTAGE}"), 50, c),
        Scenario(
            f"GET /areas/{{code}} ({len(codes)} UTLA/ICB codes)",
            get_rotating([f"/api/v1/areas/{code}?vintage={VINTAGE}" for code in codes]),
            50,
            c,
        ),
        Scenario(f"GET /lookup?lat=&lon= ({len(singles)} points)", get_rotating(singles), 20, c),
        Scenario(
            f"POST /lookup ({BATCH_SIZE:,} points)",
            post_json("/api/v1/lookup", batch),
            1000,
            args.batch_clients,
        ),
    ]


# --- the load -----------------------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful or not
    errors: int = 0
    first_error: str = ""
    elapsed: float = 0.0
    client_cpu: float = 0.0  # the load generator's CPU time / elapsed (1.0 = one core)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, latencies: list[float], errors: int, first_error: str) -> None:
        with self.lock:
            self.latencies += latencies
            self.errors += errors
            self.first_error = self.first_error or first_error


class Budget:
    """A shared, thread-safe request counter with a deadline."""

    def __init__(self, max_requests: int, seconds: float) -> None:
        self._left = max_requests
        self._lock = threading.Lock()
        self.deadline = time.perf_counter() + seconds

    def take(self) -> int | None:
        """The next request number, or None when the time or the count is used up."""
        if time.perf_counter() >= self.deadline:
            return None
        with self._lock:
            if self._left <= 0:
                return None
            self._left -= 1
            return self._left


def client(scenario: Scenario, base: str, budget: Budget, result: Result) -> None:
    latencies: list[float] = []
    errors, first_error = 0, ""
    with requests.Session() as session:
        while (n := budget.take()) is not None:
            start = time.perf_counter()
            try:
                response = scenario.send(session, base, n)
                ok = 200 <= response.status_code < 300
                problem = "" if ok else f"HTTP {response.status_code}: {response.text[:200]}"
            except requests.RequestException as exc:
                problem = f"{type(exc).__name__}: {exc}"
            latencies.append(time.perf_counter() - start)
            if problem:
                errors += 1
                first_error = first_error or problem
    result.add(latencies, errors, first_error)


def run_load(scenario: Scenario, base: str, max_requests: int, seconds: float) -> Result:
    result = Result()
    budget = Budget(max_requests, seconds)
    threads = [
        threading.Thread(target=client, args=(scenario, base, budget, result), daemon=True)
        for _ in range(scenario.clients)
    ]
    start, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - start
    result.client_cpu = (time.process_time() - cpu) / result.elapsed
    return result


def run_scenario(scenario: Scenario, base: str, args: argparse.Namespace) -> Result:
    warmup = args.warmup * scenario.clients
    progress(f"{scenario.name}: warm-up ({warmup} requests, {scenario.clients} clients)…")
    warm = run_load(scenario, base, warmup, args.duration)
    if warm.latencies:
        progress(f"  warm-up slowest request: {max(warm.latencies) * 1e3:,.0f} ms")
    if warm.errors:
        progress(f"  warm-up errors: {warm.errors}; first: {warm.first_error}")
    progress(f"{scenario.name}: {args.duration:g} s, {scenario.clients} clients…")
    result = run_load(scenario, base, args.max_requests, args.duration)
    progress(
        f"  {len(result.latencies):,} requests, {result.errors} errors"
        + (f"; first: {result.first_error}" if result.errors else "")
    )
    return result


# --- the report ---------------------------------------------------------------------------


def table_row(scenario: Scenario, result: Result) -> str:
    count = len(result.latencies)
    if count:
        p50, p95, p99 = np.percentile(np.array(result.latencies) * 1e3, [50, 95, 99])
    else:
        p50 = p95 = p99 = float("nan")
    met = count > 0 and result.errors == 0 and p95 < scenario.target_ms
    target = f"p95 < {scenario.target_ms:g} ms, 0 errors"
    rate = count / result.elapsed if result.elapsed else 0.0
    return (
        f"| {scenario.name} | {scenario.clients} | {count:,} | {rate:,.1f} | {p50:,.1f} "
        f"| {p95:,.1f} | {p99:,.1f} | {result.errors} | {result.client_cpu:.0%} | {target} | "
        f"{'yes' if met else '**no**'} |"
    )


def report(args: argparse.Namespace, ready: float, rows: list[str]) -> str:
    lines = [
        "# Boundary Lab API benchmark",
        "",
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python "
        f"{platform.python_version()}, gunicorn {importlib.metadata.version('gunicorn')} "
        f"({app_target()}, {args.workers} {args.worker_class} workers x {args.threads} "
        f"thread(s), ready in {ready:.1f} s)",
        "",
        f"Load: {args.clients} concurrent clients ({args.batch_clients} for the batch), each a "
        f"requests.Session on loopback on the same machine, {args.duration:g} s or "
        f"{args.max_requests:,} requests a scenario after an unmeasured warm-up; vintage "
        f"{VINTAGE}; latency is the client's, from sending to the whole body read. "
        "Client CPU: the load generator's own CPU use (100% = one core) on the same CPUs.",
        "",
        "| scenario | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| client CPU | target | met? |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=Path("data"), help="built store (default: ./data)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (default sync)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="gunicorn threads a worker (default 1)"
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument(
        "--batch-clients", type=int, default=2, help="concurrent clients, batch (default 2)"
    )
    parser.add_argument(
        "--duration", type=float, default=30.0, help="seconds a scenario (default 30)"
    )
    parser.add_argument(
        "--max-requests", type=int, default=50_000, help="most requests a scenario (default 50000)"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="unmeasured requests a client first (default 2)"
    )
    parser.add_argument(
        "--ready-timeout", type=float, default=60.0, help="seconds to wait for healthz (60)"
    )
    args = parser.parse_args(argv)
    for name in ("workers", "threads", "clients", "batch_clients", "max_requests", "warmup"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    if not (args.data / VINTAGE / "blocks.parquet").is_file():
        parser.error(f"no built vintage {VINTAGE} in {args.data}; run: boundary-lab build")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = scenarios(args.data, args)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_api.") as tmp:
        server = start_server(args.data, args, Path(tmp))
        try:
            ready = wait_ready(server, args.ready_timeout)
            progress(f"server ready at {server.base_url} after {ready:.1f} s")
            for scenario in plan:
                rows.append(table_row(scenario, run_scenario(scenario, server.base_url, args)))
        finally:
            stop_server(server)
    print(report(args, ready, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
