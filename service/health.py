"""Which built vintages can be served: each is loaded and its files checked at start-up;
one that fails is disabled with its reason and the others keep serving."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow.parquet as pq

from geodata.derived import read_ahead
from geodata.store import Store, VintageData

log = logging.getLogger("service")

#: The store's files, each a Parquet file whose footer names its rows.
PARQUET_FILES = ("blocks.parquet", "units.parquet", "geometry.parquet")


def check_files(data: VintageData) -> None:
    """Raise ValueError when a file of the vintage is truncated, unreadable or does not
    match the block table (reads only the Parquet footers: quick)."""
    rows: dict[str, int] = {}
    for name in PARQUET_FILES:
        path = Path(data.path) / name
        try:
            rows[name] = pq.read_metadata(path).num_rows
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise ValueError(f"{name} is unreadable ({str(exc).splitlines()[0][:200]})") from None
    if rows["geometry.parquet"] != len(data.table):
        raise ValueError(
            f"geometry.parquet has {rows['geometry.parquet']:,} rows, the block table "
            f"{len(data.table):,}"
        )


def load_vintages(store: Store) -> dict[str, str]:
    """Load every built vintage once; returns the disabled ones: name -> reason."""
    disabled: dict[str, str] = {}
    for name in store.built():
        try:
            data = store.load(name)
            check_files(data)
            read_ahead(data)  # a worker's first map request costs about what a warm one does
        except Exception as exc:  # any failure disables this vintage only
            reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            disabled[name] = reason
            log.error("vintage %s is disabled: %s", name, reason)
    return disabled
