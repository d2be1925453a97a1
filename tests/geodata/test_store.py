"""The store: atomic writes that never lose the previous build; loads without geometry."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from synthetic import TinySource

from geodata.config import parse_vintage
from geodata.errors import InputError, StoreError, UnknownNameError
from geodata.ingest import build_vintage
from geodata.store import Store


@pytest.fixture
def tiny(tmp_path: Path) -> TinySource:
    source = TinySource(tmp_path / "source")
    source.write()
    return source


def test_round_trip(tiny: TinySource, tmp_path: Path) -> None:
    built = build_vintage(parse_vintage(tiny.config_path), tiny.root)
    store = Store(tmp_path / "data")
    store.write(built)
    data = Store(tmp_path / "data").load("tiny")
    pd.testing.assert_frame_equal(data.table, built.table)
    assert data.meta["population_total"] == 1500
    assert data.names["utla"]["E10000001"] == "County 1"
    assert data.geometry().geometry.area.sum() == pytest.approx(5_000_000)
    assert store.built() == ["tiny"]


def test_failed_build_leaves_previous_store_untouched(tiny: TinySource, tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    store.write(build_vintage(parse_vintage(tiny.config_path), tiny.root))
    before = sorted(p.name for p in (tmp_path / "data").iterdir())

    tiny.tables["population"].loc[0, "All Ages"] = "-1"
    tiny.write()
    with pytest.raises(InputError):
        store.write(build_vintage(parse_vintage(tiny.config_path), tiny.root))
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == before
    assert Store(tmp_path / "data").load("tiny").meta["population_total"] == 1500


def test_failed_write_leaves_previous_store_untouched(tiny: TinySource, tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    good = build_vintage(parse_vintage(tiny.config_path), tiny.root)
    store.write(good)
    broken = build_vintage(parse_vintage(tiny.config_path), tiny.root)
    broken.table["lsoa_name"] = [1, "mixed", 2.5, None, b"types"]  # pyarrow cannot write this
    with pytest.raises(Exception):  # noqa: B017 - whatever pyarrow raises
        store.write(broken)
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["tiny"]
    pd.testing.assert_frame_equal(Store(tmp_path / "data").load("tiny").table, good.table)


def test_unbuilt_vintage_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run: boundary-lab build"):
        Store(tmp_path / "empty").load()
    # 2030 is not declared, so building it would fail too: the message lists what is.
    with pytest.raises(UnknownNameError, match="no vintage 2030 is declared; declared: 2022"):
        Store(tmp_path / "empty").load("2030")
