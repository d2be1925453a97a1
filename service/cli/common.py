"""What every database-using command shares: the database of ``--data`` or DATABASE_URL."""

from __future__ import annotations

import argparse


def database(args: argparse.Namespace):  # noqa: ANN201 - lazy import
    from geodata.store import default_data_dir

    from ..db import Database, default_url
    from ..settings import load_settings

    settings = load_settings()
    url = settings["DATABASE_URL"] or default_url(args.data or default_data_dir())
    # The operator's own commands bring the schema up to date as they need it.
    return Database(url, connect_timeout=settings["DB_CONNECT_TIMEOUT"],
                    statement_timeout=settings["DB_STATEMENT_TIMEOUT"])  # fmt: skip
