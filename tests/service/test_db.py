"""The database module on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from service.db import MIGRATIONS, Database, api_tokens


def test_schema_is_created_and_migrations_are_idempotent(database_url: str) -> None:
    db = Database(database_url)
    newest = MIGRATIONS[-1][0]
    assert db.schema_version() == 0  # nothing happens until first use or db upgrade
    db.ready()
    assert db.schema_version() == newest
    with Database(database_url) as again:
        assert again.migrate() == newest
    with db.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM schema_version")).scalars().all()
    assert sorted(versions) == [v for v, _ in MIGRATIONS]
    db.dispose()


def test_workers_starting_together_migrate_once(database_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            with Database(database_url) as db:
                db.ready()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    db = Database(database_url)
    with db.engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM schema_version")).scalar()
    assert count == len(MIGRATIONS)
    db.dispose()


def test_tokens_are_stored_hashed_verified_and_revoked(database_url: str) -> None:
    db = Database(database_url)
    token, secret = db.create_token("Ada at DHSC", "reviewer", "cli:admin")
    assert secret.startswith("bl_") and len(secret) > 40
    with db.engine.connect() as conn:
        stored = conn.execute(sa.select(api_tokens.c.token_hash)).scalar_one()
    assert secret not in stored and len(stored) == 64
    assert db.verify_token(secret) == token
    assert db.verify_token(secret + "x") is None
    assert db.revoke_token(token.id, "cli:admin") is True
    assert db.verify_token(secret) is None
    assert db.revoke_token(token.id, "cli:admin") is False
    assert db.list_tokens()[0].revoked_at is not None
    actions = [(e.action, e.actor) for e in db.audit_entries()]
    assert actions == [("token.revoke", "cli:admin"), ("token.create", "cli:admin")]
    db.dispose()


def test_bad_tokens_are_refused(database_url: str) -> None:
    db = Database(database_url)
    with pytest.raises(ValueError, match="unknown role 'owner'; valid: viewer, analyst"):
        db.create_token("x", "owner", "cli")
    with pytest.raises(ValueError, match="needs a name"):
        db.create_token("  ", "viewer", "cli")
    assert db.list_tokens() == [] and db.audit_entries() == []
    db.dispose()


def test_audit_keeps_details(database_url: str) -> None:
    db = Database(database_url)
    db.audit("token:1:ann", "scenario.create", "scenario:7", {"moves": 3, "name": "Essex"})
    (entry,) = db.audit_entries()
    assert (entry.actor, entry.action, entry.target) == ("token:1:ann", "scenario.create",
                                                         "scenario:7")
    assert entry.details == {"moves": 3, "name": "Essex"}
    assert entry.at.tzinfo is not None
    db.dispose()


def test_unreachable_database_fails_ping() -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_timeout=2)
    reason = db.ping()
    assert reason is not None and "refused" in reason
    db.dispose()
