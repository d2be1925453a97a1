"""Load-test the HTTP API on loopback against a real gunicorn server with wrk; print a
Markdown table, each read next to the baseline measured right after it in the same run.

Starts gunicorn on a free 127.0.0.1 port with the given store and a throwaway SQLite
database, warms every scenario up (unmeasured), then runs wrk (C, event-driven: it needs
little of the 2 shared cores, unlike a Python client) for a fixed time on each scenario,
and right after each, on the baseline ``GET /areas/{code}`` (a cached read), reporting
the throughput ratio. wrk is Debian's package: the script uses it from PATH, or installs
it with apt-get (and says so) when it is missing and it runs as root.

    python3 scripts/bench_api.py                 # 2 workers, 20 connections, 15 s a run
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
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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
    port = args.port or free_port()
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


# --- the load generator -------------------------------------------------------------------


def find_wrk() -> str:
    """wrk from PATH, else installed from Debian (``apt-get install wrk``) when root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("wrk is not installed; install the Debian package: apt-get install wrk")
    progress("wrk not found: installing the Debian package with apt-get install -y wrk…")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("apt-get install wrk did not put wrk on PATH")
    return found


def lua_string(text: str) -> str:
    level = "=" * 4
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


#: wrk calls request() for every request (each thread cycles through the paths) and done()
#: once at the end; done() prints one JSON line of the totals and latency percentiles.
LUA = """
local paths = {%(paths)s}
local method, body = %(method)s, %(body)s
local headers = {["Content-Type"] = "application/json"}
local i = 0
request = function()
  i = i + 1
  return wrk.format(method, paths[(i %% #paths) + 1], headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "non2xx": %%d, '
    .. '"p50": %%d, "p95": %%d, "p99": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Scenario:
    name: str
    paths: list[str]
    target_ms: float
    connections: int
    body: str | None = None  # a POST body; GET without

    def script(self, folder: Path) -> Path:
        path = folder / f"{abs(hash(self.name))}.lua"
        path.write_text(LUA % {
            "paths": ", ".join(lua_string(p) for p in self.paths),
            "method": lua_string("POST" if self.body is not None else "GET"),
            "body": lua_string(self.body) if self.body is not None else "nil",
        })  # fmt: skip
        return path


@dataclass
class Result:
    requests: int
    seconds: float
    errors: int
    p50: float
    p95: float
    p99: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(wrk: str, scenario: Scenario, base: str, seconds: float, tmp: Path) -> Result:
    threads = min(2, scenario.connections)
    command = [wrk, f"-t{threads}", f"-c{scenario.connections}", f"-d{seconds:g}s",
               "--timeout", "30s", "-s", str(scenario.script(tmp)), base]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out}")
    raw = json.loads(line.removeprefix("RESULT "))
    return Result(raw["requests"], raw["duration_us"] / 1e6, raw["socket_errors"] + raw["non2xx"],
                  raw["p50"] / 1e3, raw["p95"] / 1e3, raw["p99"] / 1e3)  # fmt: skip


def scenarios(data: Path, args: argparse.Namespace) -> tuple[Scenario, list[Scenario]]:
    """The baseline (cached /areas reads) and the scenarios."""
    progress("reading area codes and sampling points from the store…")
    codes = area_codes(data)
    random.Random(SEED).shuffle(codes)
    points = random_points(data, BATCH_SIZE)
    singles = [f"/api/v1/lookup?lat={lat}&lon={lon}" for lat, lon in points[:1000]]
    batch = {"points": [{"lat": lat, "lon": lon} for lat, lon in points], "vintage": VINTAGE}
    c = args.clients
    v = f"vintage={VINTAGE}"
    baseline = Scenario(f"GET /areas/{{code}} ({len(codes)} UTLA/ICB codes)",
                        [f"/api/v1/areas/{code}?{v}" for code in codes], 50, c)  # fmt: skip
    return baseline, [
        Scenario("GET /splits?by=utla&across=icb (national)",
                 [f"/api/v1/splits?by=utla&across=icb&{v}"], 20, c),
        Scenario(f"GET /splits?area={ESSEX}", [f"/api/v1/splits?area={ESSEX}&{v}"], 20, c),
        Scenario("GET /typology", [f"/api/v1/typology?{v}"], 20, c),
        Scenario("GET /typology?by=ltla", [f"/api/v1/typology?by=ltla&{v}"], 20, c),
        Scenario("GET /layers/icb?simplify=500", [f"/api/v1/layers/icb?simplify=500&{v}"], 50, c),
        Scenario(f"GET /lookup?lat=&lon= ({len(singles)} points)", singles, 20, c),
        Scenario(f"POST /lookup ({BATCH_SIZE:,} points)", ["/api/v1/lookup"], 1000,
                 args.batch_clients, json.dumps(batch)),
    ]  # fmt: skip


# --- the report ---------------------------------------------------------------------------


def table_row(scenario: Scenario, result: Result, base: Result) -> str:
    met = result.requests > 0 and result.errors == 0 and result.p95 < scenario.target_ms
    ratio = result.rate / base.rate if base.rate else float("nan")
    return (
        f"| {scenario.name} | {scenario.connections} | {result.requests:,} | {result.rate:,.0f} "
        f"| {result.p50:,.1f} | {result.p95:,.1f} | {result.p99:,.1f} | {result.errors} "
        f"| {base.rate:,.0f} | {base.p95:,.1f} | {ratio:.2f}× | p95 < {scenario.target_ms:g} ms "
        f"| {'yes' if met else '**no**'} |"
    )


def report(args: argparse.Namespace, ready: float, wrk: str, rows: list[str]) -> str:
    version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split("[")[0]
    lines = [
        "# Boundary Lab API benchmark",
        "",
        f"Machine: {os.cpu_count()} CPUs (shared with the load generator), {platform.platform()}"
        f", Python {platform.python_version()}, gunicorn {importlib.metadata.version('gunicorn')}"
        f" ({app_target()}, {args.workers} {args.worker_class} workers, ready in {ready:.1f} s);"
        f" load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        f"Load: {version.strip()}, {args.clients} connections ({args.batch_clients} for the "
        f"batch), {args.duration:g} s a run after an unmeasured warm-up, vintage {VINTAGE}. "
        "Baseline: the cached GET /areas/{code} run for the same time right after each "
        "scenario; ratio = scenario req/s / baseline req/s.",
        "",
        "| scenario | connections | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| baseline req/s | baseline p95 ms | req/s ratio | target | met? |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
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
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--clients", type=int, default=20, help="connections (default 20)")
    parser.add_argument(
        "--batch-clients", type=int, default=2, help="connections, batch lookup (default 2)"
    )
    parser.add_argument("--duration", type=float, default=15.0, help="seconds a run (default 15)")
    parser.add_argument(
        "--ready-timeout", type=float, default=60.0, help="seconds to wait for healthz (60)"
    )
    args = parser.parse_args(argv)
    args.threads = 1
    for name in ("workers", "clients", "batch_clients"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    if not (args.data / VINTAGE / "blocks.parquet").is_file():
        parser.error(f"no built vintage {VINTAGE} in {args.data}; run: boundary-lab build")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = find_wrk()
    baseline, plan = scenarios(args.data, args)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_api.") as tmp:
        server = start_server(args.data, args, Path(tmp))
        try:
            ready = wait_ready(server, args.ready_timeout)
            progress(f"server ready at {server.base_url} after {ready:.1f} s")
            for scenario in [baseline, *plan]:  # warm-up: every cache filled, unmeasured
                run_wrk(wrk, scenario, server.base_url, 5, Path(tmp))
            for scenario in plan:
                progress(f"{scenario.name}: {args.duration:g} s, then the baseline…")
                result = run_wrk(wrk, scenario, server.base_url, args.duration, Path(tmp))
                base = run_wrk(wrk, baseline, server.base_url, args.duration, Path(tmp))
                rows.append(table_row(scenario, result, base))
        finally:
            stop_server(server)
    print(report(args, ready, wrk, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
