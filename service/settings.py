"""Every setting in one table: name, environment variable, default, help.

Precedence: defaults, then the environment, then the ``config`` passed to
``create_app`` (tests). An unknown ``BOUNDARY_LAB_*`` variable or config key is refused
at start-up, so a typo cannot silently leave a default in force.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from geodata.errors import ConfigError


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{text!r} is not a boolean (use true or false)")


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(f"{text!r} is not a positive whole number")
    return value


def _lookup_points(text: str) -> int:
    from .api.bodies import MAX_POINTS  # the bound the API documents: a setting only lowers it

    value = _positive_int(text)
    if value > MAX_POINTS:
        raise ValueError(f"{text!r} is above {MAX_POINTS:,}, the most the API accepts")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value <= 3600:
        raise ValueError(f"{text!r} is not a number of seconds from 0 to 3600")
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", "BOUNDARY_LAB_DATA", "data", "folder of the built store"),
    Setting(
        "DATABASE_URL",
        "DATABASE_URL",
        "",
        "SQLAlchemy URL of the database; default: SQLite file in the data folder",
    ),
    Setting(
        "AUTO_MIGRATE",
        "BOUNDARY_LAB_AUTO_MIGRATE",
        True,
        "bring the database schema up to date on first use (local use); in production "
        "set false and run 'boundary-lab db upgrade' as a release step",
        _bool,
    ),
    Setting(
        "DB_CONNECT_TIMEOUT",
        "BOUNDARY_LAB_DB_CONNECT_TIMEOUT",
        5.0,
        "seconds to wait for a database connection (PostgreSQL: at least 2)",
        _seconds,
    ),
    Setting(
        "DB_STATEMENT_TIMEOUT",
        "BOUNDARY_LAB_DB_STATEMENT_TIMEOUT",
        15.0,
        "seconds a database statement may run (or wait for a lock) before it is stopped",
        _seconds,
    ),
    Setting(
        "SECRET_KEY",
        "BOUNDARY_LAB_SECRET",
        "",
        "secret that signs session cookies; default: made once and kept in the data "
        "folder (.session-secret), shared by every worker",
    ),
    Setting(
        "ANONYMOUS_READ",
        "BOUNDARY_LAB_ANONYMOUS_READ",
        True,
        "allow reads without a token (on for local use; turn off in deployment)",
        _bool,
    ),
    Setting(
        "SESSION_HOURS",
        "BOUNDARY_LAB_SESSION_HOURS",
        8,
        "hours a browser stays signed in after /sign-in",
        _positive_int,
    ),
    Setting(
        "SECURE_COOKIES",
        "BOUNDARY_LAB_SECURE_COOKIES",
        False,
        "mark the session cookie Secure on every response (it always is over HTTPS); set "
        "true when a proxy terminates TLS",
        _bool,
    ),
    Setting(
        "PROXY_HOPS",
        "BOUNDARY_LAB_PROXY_HOPS",
        0,
        "proxies in front that set X-Forwarded-For/-Proto/-Host (trusted for the client "
        "address and scheme); 0 when gunicorn faces clients directly",
        int,
    ),
    Setting(
        "MAX_UPLOAD_MB",
        "BOUNDARY_LAB_MAX_UPLOAD_MB",
        20,
        "largest request body in MB (413 above it)",
        _positive_int,
    ),
    Setting(
        "MAX_LOOKUP_POINTS",
        "BOUNDARY_LAB_MAX_LOOKUP_POINTS",
        10_000,
        "most points in one batch lookup (1 to 10,000: it can lower the API's limit only)",
        _lookup_points,
    ),
    Setting(
        "TILES",
        "BOUNDARY_LAB_TILES",
        "",
        "basemap tile URL template for maps; empty: a plain background, no tiles",
    ),
    Setting(
        "TILES_ATTRIBUTION",
        "BOUNDARY_LAB_TILES_ATTRIBUTION",
        "",
        "attribution text the tile provider requires",
    ),
)

#: Variables geodata reads itself (the build and the CLI); known, so not refused.
GEODATA_ENV = ("BOUNDARY_LAB_SOURCE", "BOUNDARY_LAB_VINTAGES")


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Refuse any ``BOUNDARY_LAB_*`` variable that is not a setting: every command and the
    service check this first."""
    environ = os.environ if environ is None else environ
    known_env = {s.env for s in SETTINGS} | set(GEODATA_ENV)
    unknown_env = sorted(k for k in environ if k.startswith("BOUNDARY_LAB_") and k not in known_env)
    if unknown_env:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown_env)}; valid: {', '.join(sorted(known_env))}"
        )


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    check_environment(environ)
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        values[setting.name] = setting.default
        if setting.env in environ:
            try:
                values[setting.name] = setting.parse(environ[setting.env])
            except ValueError as exc:
                raise ConfigError(f"{setting.env}: {exc}") from None
    for key, value in (overrides or {}).items():
        if key not in values and key not in FLASK_KEYS:
            raise ConfigError(
                f"unknown setting {key!r}; valid: {', '.join(s.name for s in SETTINGS)}"
            )
        values[key] = value
    return values


#: Flask's own keys that tests may pass through.
FLASK_KEYS = frozenset({"TESTING", "DEBUG", "SERVER_NAME"})


def describe() -> str:
    """The settings as documentation lines (used by ``boundary-lab serve --help``)."""
    return "\n".join(f"{s.env:34} {s.help} (default: {s.default!r})" for s in SETTINGS)
