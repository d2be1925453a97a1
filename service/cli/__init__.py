"""``boundary-lab``: the geodata commands plus ``serve`` and ``tokens``.

The parser comes from ``geodata.cli`` so the table paths stay as fast as there; Flask and
SQLAlchemy are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from geodata import cli as core
from geodata.errors import BoundaryLabError, UsageError

from ..roles import ROLES


def cmd_serve(args: argparse.Namespace) -> int:
    from .. import create_app

    cmd_db(argparse.Namespace(data=args.data, action="upgrade"))  # local use: one step
    config = {"DATA_DIR": args.data} if args.data else None
    app = create_app(config)
    print(
        f"Boundary Lab on http://{args.host}:{args.port}/ (development server; for "
        "production use gunicorn, see the README)",
        file=sys.stderr,
    )
    app.run(host=args.host, port=args.port, debug=False)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """``db upgrade``: bring the schema to the newest version (a release step in
    production, before the workers start); ``db version``: print it."""
    import sqlalchemy as sa

    from ..db import LATEST
    from .common import database

    db = database(args)
    try:
        if args.action == "upgrade":
            before = db.schema_version()
            after = db.migrate()
            print(f"database {db.describe()}: schema version {before} -> {after}", file=sys.stderr)
        else:
            print(db.schema_version())
            print(f"(the service needs {LATEST})", file=sys.stderr)
    except sa.exc.OperationalError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        print(f"boundary-lab db: the database {db.describe()} is unavailable: {reason}",
              file=sys.stderr)  # fmt: skip
        return 1
    finally:
        db.dispose()
    return 0


def cmd_tokens(args: argparse.Namespace) -> int:
    from .common import database

    db = database(args)
    actor = f"cli:{getpass.getuser()}"
    if args.action == "create":
        token, secret = db.create_token(args.name, args.role, actor)
        print(
            f"created token {token.id} for {token.name!r} with role {token.role}; "
            "it is shown once, keep it safe:",
            file=sys.stderr,
        )
        print(secret)
    elif args.action == "list":
        for t in db.list_tokens():
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "live"
            print(
                f"{t.id:5}  {t.role:9} {state:18} {t.name}  (by {t.created_by}, "
                f"{t.created_at:%Y-%m-%d %H:%M})"
            )
    elif args.action == "revoke":
        if not db.revoke_token(args.id, actor):
            raise UsageError(f"no live token with id {args.id} (see: boundary-lab tokens list)")
        print(f"revoked token {args.id}", file=sys.stderr)
    return 0


def make_parser() -> argparse.ArgumentParser:
    from ..settings import describe

    parser = core.make_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    serve = sub.add_parser(
        "serve",
        help="run the web service (development server)",
        epilog="settings (environment):\n" + describe(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    core.data_option(serve)
    serve.set_defaults(run=cmd_serve)

    db = sub.add_parser("db", help="the database schema: upgrade it, or print its version")
    core.data_option(db)
    db.add_argument("action", choices=("upgrade", "version"))
    db.set_defaults(run=cmd_db)

    tokens = sub.add_parser("tokens", help="API tokens: create, list, revoke",
                            epilog="the database: DATABASE_URL, else the SQLite file in the "
                            "data folder")  # fmt: skip
    core.data_option(tokens)  # before the action, or after it: the same option
    actions = tokens.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a token; prints the secret once")
    core.data_option(create)
    create.add_argument("--role", choices=ROLES, required=True, help=f"one of {', '.join(ROLES)}")
    create.add_argument("--name", required=True, help="whose token it is")
    core.data_option(actions.add_parser("list", help="list tokens (never their secrets)"))
    revoke = actions.add_parser("revoke", help="revoke a token by id")
    core.data_option(revoke)
    revoke.add_argument("id", type=int)
    tokens.set_defaults(run=cmd_tokens)

    from . import places, propose, scenario

    scenario.add_commands(sub)
    places.add_commands(sub)
    propose.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Every command refuses a mistyped ``BOUNDARY_LAB_*`` setting, as ``serve`` does: a
    typo must not silently leave a default in force."""
    from ..settings import check_environment

    try:
        check_environment()
    except BoundaryLabError as exc:
        print(f"boundary-lab: {exc}", file=sys.stderr)
        return core.EXIT_USAGE
    return core.run(make_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
