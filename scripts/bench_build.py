"""Benchmark ``boundary-lab build`` against the build of an earlier commit, as whole
processes in turn (this checkout, the baseline, this checkout, ...), and print a Markdown
table of medians and their ratio.

The baseline is the code as it was when issue 13 asked for a build twice as fast
(``aa52f7a``, the last commit before it), checked out with ``git worktree`` into a
temporary folder; each side builds into a temporary data folder of its own, so ./data is
never touched. Wall time is the user's wait; CPU time (user + system, the build's
processes included) is what the machine spent.

    python3 scripts/bench_build.py --vintage 2024 --pairs 5
    python3 scripts/bench_build.py --vintage 2024 --pcn     # PCN layer included
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_COMMIT = "aa52f7a"
#: Both sides run the same command: the package's CLI entry point, from its checkout.
ENTRY = "import sys; from service.cli import main; sys.exit(main())"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_command(vintage: str, source: Path, data: Path, pcn: bool) -> list[str]:
    command = [sys.executable, "-c", ENTRY, "build", "--vintage", vintage,
               "--source", str(source), "--data", str(data)]  # fmt: skip
    return command if pcn else [*command, "--no-pcn"]


def timed(command: list[str], checkout: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the process and its children) of one run."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=checkout, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    if done.returncode:
        raise SystemExit(f"{' '.join(command[3:])} failed in {checkout}:\n{done.stderr}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def baseline_checkout(commit: str, folder: Path) -> Path:
    progress(f"checking out the baseline {commit} into {folder}")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force",
                    str(folder), commit], check=True, capture_output=True)  # fmt: skip
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vintage", default="2024", help="a vintage both commits declare")
    parser.add_argument("--pairs", type=int, default=5, help="alternating pairs (default 5)")
    parser.add_argument("--pcn", action="store_true", help="build the PCN layer too")
    parser.add_argument("--baseline", default=BASELINE_COMMIT, help="git commit to compare")
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "geodata"))
    args = parser.parse_args(argv)
    if args.vintage == "all":  # each commit would build its own set: not a pair
        parser.error("name one vintage both commits declare ('all' would build a different "
                     "set in each: the baseline has no 2026)")  # fmt: skip
    source = Path(args.source).resolve()

    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        base = baseline_checkout(args.baseline, Path(tmp) / "baseline")
        try:
            ours = build_command(args.vintage, source, Path(tmp) / "a", args.pcn)
            theirs = build_command(args.vintage, source, Path(tmp) / "b", args.pcn)
            sides = {"this checkout": (ROOT, ours), f"baseline {args.baseline}": (base, theirs)}
            for checkout, command in sides.values():  # warm the file cache and .pyc files
                timed(command, checkout)
            runs: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
            for pair in range(1, args.pairs + 1):
                progress(f"pair {pair}/{args.pairs}")
                for side, (checkout, command) in sides.items():
                    runs[side].append(timed(command, checkout))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                           capture_output=True)  # fmt: skip

    (mine, baseline) = runs.values()
    what = f"`boundary-lab build --vintage {args.vintage}{'' if args.pcn else ' --no-pcn'}`"
    print(f"{what}, {args.pairs} alternating pairs, {os.cpu_count()} cores (medians)\n")
    print("| measure | this checkout | baseline | ratio (median of pairs) |")
    print("|---|---|---|---|")
    for index, measure in enumerate(("wall", "CPU")):
        ratio = statistics.median(a[index] / b[index] for a, b in zip(mine, baseline, strict=True))
        mine_s = statistics.median(r[index] for r in mine)
        base_s = statistics.median(r[index] for r in baseline)
        print(f"| {measure} | {mine_s:.2f} s | {base_s:.2f} s | {ratio:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
