"""``boundary-lab build`` as a whole (the boundaries worked in a process of their own, the
layers dissolved on both sides, the PCN sources read in a thread and shared by every
vintage) writes the store that building each part on its own, in one process, writes:
table for table, on the real bundle."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from geodata.cli import main
from geodata.derived import SIMPLIFY_TOLERANCES_M, outlines_file
from geodata.ingest import build
from geodata.parallel import CORES
from geodata.store import Store

pytestmark = [pytest.mark.real_data]

#: Recorded when the build ran, so never the same twice.
WHEN = {"built_at", "build_seconds", "seconds", "source_dir"}


def same_tables(built: Path, expected: Path) -> list[str]:
    """The files under ``built`` whose content differs from ``expected``'s (parquet as
    Arrow tables, metadata included; JSON but for when it was built)."""
    differ = []
    for path in sorted(expected.rglob("*")):
        if path.is_dir():
            continue
        other = built / path.relative_to(expected)
        if path.suffix == ".parquet":
            same = pq.read_table(path).equals(pq.read_table(other), check_metadata=True)
        elif path.suffix == ".json":
            ours, theirs = json.loads(other.read_text()), json.loads(path.read_text())
            if isinstance(ours, dict):
                ours, theirs = [{k: v for k, v in d.items() if k not in WHEN}
                                for d in (ours, theirs)]  # fmt: skip
            same = ours == theirs
        else:
            same = other.read_bytes() == path.read_bytes()
        if not same:
            differ.append(str(path.relative_to(expected)))
    return differ


def test_the_cli_build_writes_what_building_each_part_alone_writes(
    real_store: Store, real_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``real_store`` built each vintage with ``build_vintage`` and ``Store.write``, then
    its PCN layer with ``build_pcn_layer`` reading the sources itself."""
    assert (
        CORES > 1
        and build.SEPARATE_READ_BYTES
        < (real_source / "boundaries" / "LSOA_2021_EW_BSC.gpkg").stat().st_size
    )
    data = tmp_path / "data"
    assert main(["build", "--vintage", "all", "--source", str(real_source),
                 "--data", str(data)]) == 0  # fmt: skip
    for vintage in real_store.built():
        files = {p.name for p in (data / vintage).iterdir()}
        assert {outlines_file(t) for t in (0.0, *SIMPLIFY_TOLERANCES_M)} <= files
        assert same_tables(data / vintage, real_store.root / vintage) == [], vintage
