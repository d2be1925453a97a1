"""Lint and type checks run with the suite, so CI enforces them with the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [
    ["ruff", "check", "."],
    ["ruff", "format", "--check", "geodata", "service", "maps", "scripts"],
    [sys.executable, "-m", "mypy"],
], ids=["ruff", "ruff-format", "mypy"])
def test_clean(command: list[str]) -> None:
    if command[0] == "ruff":
        found = shutil.which("ruff")
        assert found, "ruff is not installed: pip install -e '.[test]'"
        command = [found, *command[1:]]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
