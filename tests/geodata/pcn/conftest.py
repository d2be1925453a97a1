"""Fixtures of the PCN tests; the tiny world itself (and its picture) is in pcn_world.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from pcn_world import TinyPcn, make_tiny_pcn


@pytest.fixture
def tiny_pcn(tmp_path: Path) -> TinyPcn:
    return make_tiny_pcn(tmp_path)
