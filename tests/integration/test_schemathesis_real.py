"""Schemathesis on the real bundle (every vintage built, with PCN and strategic authority
layers): a few valid and invalid requests per operation, and valid ones on real codes,
each answered without a server error and as the OpenAPI document says."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_conformance import Seed, conformance_run
from flask import Flask

from geodata.store import Store
from service import create_app

pytestmark = pytest.mark.real_data

#: Few examples: real reads take up to a second or two each (well under a minute in all).
EXAMPLES = 8
#: Solves run for up to minutes by design (tests/service/test_proposals_api.py); the
#: vintage GeoPackage is ~100 MB and slow to write (test_pcn_splits_and_geopackage.py).
SKIPPED = {"POST /proposals", "GET /reports/boundaries.gpkg"}
#: Real codes (Essex, Colchester, its ICB in 2026, an LSOA in the City of London).
KNOWN = {"scenario_id": 1, "ref": "1", "code": "E10000012", "ltla": "E07000071",
         "lsoa": "E01000001", "icb": "E54000066", "a": "baseline", "b": "1",
         "key": "2027-mergers", "delete:ref": "2", "delete:token_id": 2}  # fmt: skip


SEED = Seed({"unit_layer": "ltla", "code": "E07000071", "to_icb": "E54000008"}, "E10000012")


@pytest.fixture(scope="module")
def real_app(real_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    db: Path = tmp_path_factory.mktemp("schemathesis") / "db.sqlite3"
    return create_app({"TESTING": True, "DATA_DIR": str(real_store.root),
                       "DATABASE_URL": f"sqlite:///{db}"})  # fmt: skip


def test_every_operation_conforms_on_the_real_bundle(real_app: Flask) -> None:
    failures, statuses = conformance_run(real_app, EXAMPLES, SKIPPED, KNOWN, SEED)
    assert not failures, "\n\n".join(failures)
    answered = {label for label, codes in statuses.items() if any(c < 300 for c in codes)}
    assert len(answered) >= 0.8 * len(statuses), sorted(set(statuses) - answered)
