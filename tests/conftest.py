"""Shared fixtures. Real-data tests skip on a laptop without ../shared/geodata but fail
in CI (CI=true), where a skip of any kind fails the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import IN_CI, need

from geodata.store import Store, default_source_dir


@pytest.fixture(scope="session")
def real_source() -> Path:
    source = default_source_dir()
    need(source is not None and (source / "manifest.json").is_file(),
         "the real data bundle ../shared/geodata is not here")
    assert source is not None
    return source


@pytest.fixture(scope="session")
def real_store(real_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Both shipped vintages built once from the real bundle into a temporary store, with
    their PCN layers, as ``boundary-lab build`` makes them."""
    from geodata.config import available_vintages
    from geodata.ingest import build_vintage
    from geodata.pcn.layer import build_pcn_layer, save_pcn_layer

    store = Store(tmp_path_factory.mktemp("store"))
    for config in available_vintages().values():
        store.write(build_vintage(config, real_source))
        data = Store(store.root).load(config.name)
        save_pcn_layer(build_pcn_layer(data, real_source), data.path)
    return store


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped and exitstatus == 0:
        if reporter:
            reporter.write_line(f"CI=true: {skipped} test(s) skipped; a skip in CI is a failure")
        session.exitstatus = 1
