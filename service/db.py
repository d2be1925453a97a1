"""The one module that owns the database: API tokens, the audit log (later: scenarios and
places), through SQLAlchemy. SQLite in the data folder by default, PostgreSQL when
``DATABASE_URL`` names one; the same code and tests run on both.

The schema is versioned: ``MIGRATIONS`` run in order, under a lock, so several workers
migrating at once do it exactly once. ``boundary-lab db upgrade`` runs them (production);
with ``auto_migrate`` the first use does (local use, tests). Nothing connects at start-up,
so a worker starts while the database is down and answers 503 until it is back.

Every connection has timeouts: a connect timeout, and a statement timeout (PostgreSQL's
``statement_timeout``; on SQLite a progress handler that interrupts a statement running
too long, and a busy timeout for locks).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from geodata.validation import TextError, check_name

from .roles import ROLES

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata, sa.Column("version", sa.Integer, primary_key=True)
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.String(400), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
)

uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("filename", sa.String(300), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("bytes", sa.Integer, nullable=False),
    sa.Column("label_property", sa.String(200), nullable=False),
    sa.Column("candidates_geojson", sa.Text, nullable=False),  # EPSG:4326, as read
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("family", sa.String(32), nullable=False, index=True),  # versions share it
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("vintage", sa.String(40), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),  # moves | blocks | upload
    sa.Column("spec", sa.Text, nullable=False),  # Scenario.as_dict() as JSON
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id")),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("family", "version"),
)

place_sets = sa.Table(
    "place_sets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("family", sa.String(32), nullable=False, index=True),  # versions share it
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("vintage", sa.String(40), nullable=False),
    sa.Column("spec", sa.Text, nullable=False),  # PlaceSet.as_dict() as JSON
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("family", "version", name="uq_place_set_version"),
)


def _create(tables: list[sa.Table]) -> Callable[[Connection], None]:
    def migrate(conn: Connection) -> None:
        metadata.create_all(conn, tables=tables)

    return migrate


#: (version, migration). Append only; never edit a released one.
MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [
    (1, _create([api_tokens, audit_log])),
    (2, _create([uploads, scenarios])),
    (3, _create([place_sets])),
]

LATEST = MIGRATIONS[-1][0]
TOKEN_PREFIX = "bl_"
#: The largest id a path or body may name: ids are 32-bit on PostgreSQL.
MAX_ID = 2**31 - 1


def parse_id(text: object) -> int | None:
    """A record id from text (or an int): ASCII digits naming 1 to MAX_ID, else None.
    ('²'.isdigit() is true, and 2**63 overflows SQLite: neither may reach a query.)"""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not 0 < len(text) <= 10 or not text.isascii():
        return None
    if not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def id_help(what: str) -> str:
    return f"{what} must be an id: a whole number from 1 to {MAX_ID}"


class DatabaseUnavailable(Exception):
    """The database cannot be used now (down, timed out, schema not upgraded): a 503."""


class ConflictError(Exception):
    """A write lost a race with another (e.g. two new versions of one parent): a 409."""


class NotAllowedError(PermissionError):
    """The caller may not change this family (only its author or an admin may)."""


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    role: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None


@dataclass(frozen=True)
class ScenarioRecord:
    id: int
    family: str
    version: int
    name: str
    vintage: str
    source: str
    spec: dict[str, Any]
    upload_id: int | None
    author: str
    created_at: datetime


@dataclass(frozen=True)
class PlaceSetRecord:
    id: int
    family: str
    version: int
    name: str
    vintage: str
    spec: dict[str, Any]
    author: str
    created_at: datetime
    deleted_at: datetime | None


@dataclass(frozen=True)
class Upload:
    filename: str
    sha256: str
    size: int
    label_property: str
    candidates_geojson: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def default_url(data_dir: Path | str) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / 'boundary-lab.sqlite3'}"


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _family_version(
    conn: Connection,
    table: sa.Table,
    parent_id: int | None,
    what: str,
    author: str,
    admin: bool,
) -> tuple[str, int]:
    """(family, version) of a new row: version 1 of a new family, or the next version of
    ``parent_id``'s family, which only the family's author (or an admin) may add. Rows are
    immutable: a change is always a new version."""
    if parent_id is None:
        return secrets.token_hex(8), 1
    if not 0 < parent_id <= MAX_ID:
        raise LookupError(f"no {what} {parent_id} to make a new version of")
    query = table.select().where(table.c.id == parent_id)
    if "deleted_at" in table.c:
        query = query.where(table.c.deleted_at.is_(None))
    parent = conn.execute(query).first()
    if parent is None:
        raise LookupError(f"no {what} {parent_id} to make a new version of")
    _check_owner(conn, table, parent.family, what, parent_id, author, admin)
    latest = conn.execute(
        sa.select(sa.func.max(table.c.version)).where(table.c.family == parent.family)
    ).scalar()
    return parent.family, 1 + (latest or 0)


def family_owner(conn: Connection, table: sa.Table, family: str) -> str:
    """The author of a family's first version: the family is theirs."""
    query = sa.select(table.c.author).where(table.c.family == family)
    return str(conn.execute(query.order_by(table.c.version).limit(1)).scalar())


def _check_owner(
    conn: Connection, table: sa.Table, family: str, what: str, row_id: int, who: str, admin: bool
) -> None:
    owner = family_owner(conn, table, family)
    if not admin and owner != who:
        raise NotAllowedError(
            f"{what} {row_id} belongs to {author_name(owner)}; only its author or an admin "
            "may change it (save yours as a new one instead)"
        )


def author_name(actor: str) -> str:
    """The name in an actor string ('token:3:Alice Smith' -> 'Alice Smith')."""
    kind, _, rest = actor.partition(":")
    if kind == "token":
        return rest.partition(":")[2] or actor
    return actor


def _reason(exc: BaseException) -> str:
    """The first line of a driver error, without SQL or parameters."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:300]


def _sqlite_timeouts(engine: Engine, statement_timeout: float) -> None:
    """SQLite has no statement timeout: a progress handler interrupts a statement that
    runs past its deadline (set as each statement starts, cleared when it ends)."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        deadline = [float("inf")]
        record.info["deadline"] = deadline
        dbapi_connection.set_progress_handler(lambda: int(time.monotonic() > deadline[0]), 10_000)
        dbapi_connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for writers

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Connection, *_: Any) -> None:
        conn.info["deadline"][0] = time.monotonic() + statement_timeout

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _end(conn: Connection, *_: Any) -> None:
        conn.info["deadline"][0] = float("inf")


@contextmanager
def _conflicts(what: str, parent_id: int | None) -> Iterator[None]:
    """A unique-key race (two new versions of one parent at once) as a ConflictError."""
    try:
        yield
    except sa.exc.IntegrityError:
        raise ConflictError(
            f"another version of {what} {parent_id} was saved at the same moment; "
            "reload it and try again"
        ) from None


class Database:
    def __init__(
        self,
        url: str,
        *,
        auto_migrate: bool = True,
        connect_timeout: float = 5.0,
        statement_timeout: float = 15.0,
    ) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        self.url = url
        self.auto_migrate = auto_migrate
        self.connect_timeout = connect_timeout
        self.statement_timeout = statement_timeout
        self.engine: Engine = sa.create_engine(
            url, pool_pre_ping=True, pool_timeout=connect_timeout, **self._connect_args()
        )
        if self.dialect == "sqlite":
            _sqlite_timeouts(self.engine, statement_timeout)
        self._ready = False
        self._ready_lock = threading.Lock()

    def _connect_args(self) -> dict[str, Any]:
        if self.url.startswith("sqlite"):
            # check_same_thread: the pool hands a connection to one thread at a time.
            return {"connect_args": {"timeout": self.connect_timeout,
                                     "check_same_thread": False}}  # fmt: skip
        if self.url.startswith("postgresql"):
            ms = int(self.statement_timeout * 1000)
            return {"connect_args": {
                "connect_timeout": max(2, round(self.connect_timeout)),
                "options": f"-c statement_timeout={ms} -c lock_timeout={ms}",
            }}  # fmt: skip
        return {}

    def ready(self) -> None:
        """Make sure the schema is current (migrating it with ``auto_migrate``), once per
        process; DatabaseUnavailable when the database cannot be reached or is behind."""
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            try:
                version = self.migrate() if self.auto_migrate else self.schema_version()
            except sa.exc.SQLAlchemyError as exc:
                raise DatabaseUnavailable(f"the database is unavailable: {_reason(exc)}") from exc
            if version < LATEST:
                raise DatabaseUnavailable(
                    f"the database schema is at version {version}, the service needs "
                    f"{LATEST}: run boundary-lab db upgrade"
                )
            self._ready = True

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A write transaction (on SQLite it takes the write lock at once, so two writers
        queue instead of one failing to upgrade its read lock)."""
        self.ready()
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn  # an exception here leaves without commit: closing rolls back
            conn.commit()

    def _connect(self) -> Connection:
        self.ready()
        return self.engine.connect()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def describe(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> int:
        """Bring the schema to the newest version; returns it."""
        for attempt in range(5):
            try:
                return self._migrate()
            except (sa.exc.OperationalError, sa.exc.IntegrityError):
                # SQLite has no advisory lock: a worker that lost the race to create the
                # schema (duplicate version, table exists) looks again and finds it done.
                if self.dialect != "sqlite" or attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _migrate(self) -> int:
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(7272022)"))
            metadata.create_all(conn, tables=[schema_version])
            current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
            current = current or 0
            for version, migration in MIGRATIONS:
                if version > current:
                    migration(conn)
                    conn.execute(schema_version.insert().values(version=version))
                    current = version
        return current

    def schema_version(self) -> int:
        """The schema's version; 0 before the first migration."""
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                return 0
            return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0

    def ping(self, within: float = 1.0) -> str | None:
        """None when a fresh connection answers within ``within`` seconds and the schema
        is current (or will be migrated on first use), else the reason. The probe runs in a
        thread of its own, so a database that accepts and never answers cannot hold the
        caller (the thread ends at the connect or statement timeout)."""
        outcome: list[str | None] = []

        def probe() -> None:
            engine = sa.create_engine(self.url, poolclass=NullPool, **self._connect_args())
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
                    has_schema = sa.inspect(conn).has_table("schema_version")
                    version = (conn.execute(sa.select(sa.func.max(schema_version.c.version)))
                               .scalar() if has_schema else 0) or 0  # fmt: skip
                behind = version < LATEST and not self.auto_migrate
                outcome.append(
                    f"the database schema is at version {version}, the service "
                    f"needs {LATEST}: run boundary-lab db upgrade"
                    if behind
                    else None
                )
            except sa.exc.SQLAlchemyError as exc:
                outcome.append(_reason(exc))
            finally:
                engine.dispose()

        thread = threading.Thread(target=probe, name="database-ping", daemon=True)
        thread.start()
        thread.join(within)
        if not outcome:
            return f"no answer within {within:g} s"
        return outcome[0]

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_: object) -> None:
        self.dispose()

    # --- tokens -------------------------------------------------------------------------

    def create_token(self, name: str, role: str, created_by: str) -> tuple[Token, str]:
        """A new token; the secret is returned once and only its hash is kept."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; valid: {', '.join(ROLES)}")
        if not name.strip():
            raise ValueError("a token needs a name saying whose it is")
        try:  # the one name rule (geodata.validation): 200 characters, printable, no NUL
            name = check_name(name, "a token's name")
        except TextError as exc:
            raise ValueError(str(exc)) from None
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = {
            "name": name.strip(),
            "role": role,
            "token_hash": _hash(secret),
            "created_at": _now(),
            "created_by": created_by,
        }
        with self._begin() as conn:
            token_id = conn.execute(api_tokens.insert().values(**row)).inserted_primary_key[0]  # type: ignore[index]
            self._audit(
                conn,
                created_by,
                "token.create",
                f"token:{token_id}",
                {"name": row["name"], "role": role},
            )
        return self.get_token(int(token_id)), secret

    def get_token(self, token_id: int) -> Token:
        with self._connect() as conn:
            row = conn.execute(api_tokens.select().where(api_tokens.c.id == token_id)).one()
        return self._token(row)

    def live_token(self, token_id: int) -> Token | None:
        """The token with this id unless it is revoked (or there is none)."""
        if not 0 < token_id <= MAX_ID:
            return None
        query = api_tokens.select().where(
            api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None)
        )
        with self._connect() as conn:
            row = conn.execute(query).first()
        return self._token(row) if row else None

    def verify_token(self, secret: str) -> Token | None:
        """The live token with this secret, or None (unknown or revoked)."""
        query = api_tokens.select().where(
            api_tokens.c.token_hash == _hash(secret), api_tokens.c.revoked_at.is_(None)
        )
        with self._connect() as conn:
            row = conn.execute(query).first()
        return self._token(row) if row else None

    def list_tokens(self) -> list[Token]:
        with self._connect() as conn:
            rows = conn.execute(api_tokens.select().order_by(api_tokens.c.id)).all()
        return [self._token(r) for r in rows]

    def revoke_token(self, token_id: int, by: str) -> bool:
        """Revoke a live token; False when there is none with that id."""
        if not 0 < token_id <= MAX_ID:
            return False
        with self._begin() as conn:
            done = conn.execute(
                api_tokens.update()
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=_now())
            ).rowcount
            if done:
                self._audit(conn, by, "token.revoke", f"token:{token_id}", {})
        return bool(done)

    @staticmethod
    def _token(row: sa.Row[Any]) -> Token:
        return Token(
            row.id,
            row.name,
            row.role,
            _aware(row.created_at) or _now(),
            row.created_by,
            _aware(row.revoked_at),
        )

    # --- audit --------------------------------------------------------------------------

    def audit(self, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
        with self._begin() as conn:
            self._audit(conn, actor, action, target, details)

    @staticmethod
    def _audit(
        conn: Connection, actor: str, action: str, target: str, details: dict[str, Any]
    ) -> None:
        conn.execute(
            audit_log.insert().values(
                at=_now(),
                actor=actor,
                action=action,
                target=target,
                details=json.dumps(details, sort_keys=True, default=str),
            )
        )

    def count_audit(self, action: str, actor: str, since: datetime) -> int:
        """How many ``action`` entries ``actor`` has had since ``since`` (throttling)."""
        query = (
            sa.select(sa.func.count())
            .select_from(audit_log)
            .where(
                audit_log.c.action == action, audit_log.c.actor == actor, audit_log.c.at >= since
            )  # fmt: skip
        )
        with self._connect() as conn:
            return int(conn.execute(query).scalar_one())

    def audit_entries(self, limit: int = 100) -> list[AuditEntry]:
        query = audit_log.select().order_by(audit_log.c.id.desc()).limit(limit)
        with self._connect() as conn:
            rows = conn.execute(query).all()
        return [
            AuditEntry(
                r.id, _aware(r.at) or _now(), r.actor, r.action, r.target, json.loads(r.details)
            )
            for r in rows
        ]

    # --- scenarios (immutable: a change is a new version of the family) -----------------

    def save_scenario(
        self,
        spec: dict[str, Any],
        source: str,
        author: str,
        parent_id: int | None = None,
        upload: Upload | None = None,
        admin: bool = False,
    ) -> ScenarioRecord:
        """Save a new scenario, or a new version of ``parent_id``'s family (its author's or
        an admin's), with its upload and an audit entry, all in one transaction.
        ConflictError when another version of the family was saved at the same moment."""
        now = _now()
        with _conflicts("scenario", parent_id), self._begin() as conn:
            family, version = _family_version(conn, scenarios, parent_id, "scenario", author,
                                              admin)  # fmt: skip
            upload_id = None
            if upload is not None:
                upload_id = conn.execute(uploads.insert().values(
                    filename=upload.filename, sha256=upload.sha256, bytes=upload.size,
                    label_property=upload.label_property,
                    candidates_geojson=upload.candidates_geojson, author=author,
                    created_at=now)).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
            scenario_id = conn.execute(scenarios.insert().values(
                family=family, version=version, name=spec["name"], vintage=spec["vintage"],
                source=source, spec=json.dumps(spec), upload_id=upload_id, author=author,
                created_at=now)).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
            self._audit(conn, author, "scenario.create", f"scenario:{scenario_id}",
                        {"name": spec["name"], "vintage": spec["vintage"], "source": source,
                         "version": version, "moves": len(spec.get("moves", [])),
                         "blocks": len(spec.get("blocks", []))})  # fmt: skip
        return self.get_scenario(int(scenario_id))

    def get_scenario(self, scenario_id: int) -> ScenarioRecord:
        if not 0 < scenario_id <= MAX_ID:
            raise LookupError(f"no scenario with id {scenario_id}")
        with self._connect() as conn:
            row = conn.execute(scenarios.select().where(scenarios.c.id == scenario_id)).first()
        if row is None:
            raise LookupError(f"no scenario with id {scenario_id}")
        return self._scenario(row)

    def list_scenarios(self, limit: int = 500) -> list[ScenarioRecord]:
        query = scenarios.select().order_by(scenarios.c.id.desc()).limit(limit)
        with self._connect() as conn:
            return [self._scenario(r) for r in conn.execute(query).all()]

    def versions(self, family: str) -> list[ScenarioRecord]:
        query = scenarios.select().where(scenarios.c.family == family).order_by(scenarios.c.version)
        with self._connect() as conn:
            return [self._scenario(r) for r in conn.execute(query).all()]

    def get_upload(self, upload_id: int) -> Upload:
        with self._connect() as conn:
            row = conn.execute(uploads.select().where(uploads.c.id == upload_id)).one()
        return Upload(row.filename, row.sha256, row.bytes, row.label_property,
                      row.candidates_geojson)  # fmt: skip

    @staticmethod
    def _scenario(row: sa.Row[Any]) -> ScenarioRecord:
        return ScenarioRecord(row.id, row.family, row.version, row.name, row.vintage,
                              row.source, json.loads(row.spec), row.upload_id, row.author,
                              _aware(row.created_at) or _now())  # fmt: skip

    # --- place sets (versioned like scenarios; deleting marks a whole family deleted) ----

    def save_place_set(
        self,
        spec: dict[str, Any],
        author: str,
        parent_id: int | None = None,
        admin: bool = False,
    ) -> PlaceSetRecord:
        now = _now()
        with _conflicts("place set", parent_id), self._begin() as conn:
            family, version = _family_version(conn, place_sets, parent_id, "place set", author,
                                              admin)  # fmt: skip
            new_id = conn.execute(
                place_sets.insert().values(
                    family=family,
                    version=version,
                    name=spec["name"],
                    vintage=spec["vintage"],
                    spec=json.dumps(spec),
                    author=author,
                    created_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            self._audit(conn, author, "place_set.create", f"place_set:{new_id}",
                        {"name": spec["name"], "version": version,
                         "places": len(spec.get("places", []))})  # fmt: skip
        return self.get_place_set(int(new_id))

    def get_place_set(self, set_id: int) -> PlaceSetRecord:
        if not 0 < set_id <= MAX_ID:
            raise LookupError(f"no place set with id {set_id}")
        with self._connect() as conn:
            row = conn.execute(place_sets.select().where(place_sets.c.id == set_id)).first()
        if row is None or row.deleted_at is not None:
            raise LookupError(f"no place set with id {set_id}")
        return self._place_set(row)

    def list_place_sets(self) -> list[PlaceSetRecord]:
        query = (place_sets.select().where(place_sets.c.deleted_at.is_(None))
                 .order_by(place_sets.c.id.desc()))  # fmt: skip
        with self._connect() as conn:
            return [self._place_set(r) for r in conn.execute(query).all()]

    def delete_place_set(self, set_id: int, by: str, admin: bool = False) -> bool:
        """Mark every version of the set's family deleted; only the family's author (the
        author of its first version) or an admin may (NotAllowedError)."""
        if not 0 < set_id <= MAX_ID:
            return False
        with self._begin() as conn:
            row = conn.execute(place_sets.select().where(place_sets.c.id == set_id,
                                                         place_sets.c.deleted_at.is_(None))
                               ).first()  # fmt: skip
            if row is None:
                return False
            _check_owner(conn, place_sets, row.family, "place set", set_id, by, admin)
            conn.execute(place_sets.update().where(place_sets.c.family == row.family)
                         .values(deleted_at=_now()))  # fmt: skip
            self._audit(conn, by, "place_set.delete", f"place_set:{set_id}",
                        {"family": row.family})  # fmt: skip
        return True

    @staticmethod
    def _place_set(row: sa.Row[Any]) -> PlaceSetRecord:
        return PlaceSetRecord(
            row.id,
            row.family,
            row.version,
            row.name,
            row.vintage,
            json.loads(row.spec),
            row.author,
            _aware(row.created_at) or _now(),
            _aware(row.deleted_at),
        )
