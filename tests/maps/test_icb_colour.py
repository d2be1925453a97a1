"""Stable ICB colours: the same for a code in every process, distinct across England's ICBs."""

from __future__ import annotations

import colorsys
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

from maps.style import icb_colour, icb_colours


def _hls(colour: str) -> tuple[float, float, float]:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)


def test_same_colour_in_a_fresh_process_with_another_hash_seed() -> None:
    codes = ["E54000008", "E54000064", "NEW-ICB-1"]
    script = ("from maps.style import icb_colour; "
              f"print(' '.join(icb_colour(c) for c in {codes!r}))")  # fmt: skip
    env = os.environ | {"PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, env=env).stdout.split()  # fmt: skip
    assert out == [icb_colour(c) for c in codes]
    assert icb_colours(codes) == dict(zip(codes, out, strict=True))


def test_every_real_icb_gets_its_own_light_colour(real_source: Path) -> None:
    codes: set[str] = set()
    for lookup in (real_source / "lookups").glob("LSOA*ICB*.csv"):
        frame = pd.read_csv(lookup, dtype=str)
        codes |= set(frame.filter(regex=r"^ICB\d\dCD$").iloc[:, 0])
    assert len(codes) >= 42
    colours = [icb_colour(c) for c in codes]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
    assert len(set(colours)) == len(codes)
    # light enough for dark outlines and labels on top
    assert all(_hls(c)[1] >= 0.6 for c in colours)
