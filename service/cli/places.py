"""``boundary-lab places list|show|check|create|delete``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from geodata import cli as core
from geodata.errors import BoundaryLabError, UsageError


def _load(args: argparse.Namespace, ref: str) -> tuple[Any, Any]:
    from geodata.places import PlaceSet, builtin_sets
    from geodata.store import Store

    from ..db import parse_id
    from .common import database

    store = Store(args.data)
    if ref.startswith("builtin-"):
        data = store.load(args.vintage)
        sets = builtin_sets(data)
        key = ref.removeprefix("builtin-")
        if key not in sets:
            raise UsageError(f"no built-in set {ref!r}; valid: "
                                   + ", ".join("builtin-" + k for k in sets))  # fmt: skip
        return sets[key], data
    set_id = parse_id(ref)
    if set_id is None:
        raise UsageError(f"{ref!r} is not a place set id or builtin-…")
    try:
        record = database(args).get_place_set(set_id)
    except LookupError as exc:
        raise UsageError(f"{exc} (see: boundary-lab places list)") from None
    place_set = PlaceSet.from_dict(record.spec)
    return place_set, store.load(place_set.vintage)


def cmd_list(args: argparse.Namespace) -> int:
    from geodata.places import builtin_sets
    from geodata.store import Store

    from .common import database

    data = Store(args.data).load(args.vintage)
    for key, s in builtin_sets(data).items():
        print(f"builtin-{key:14} {data.name:6} {len(s.places):4} places  {s.name}")
    for r in database(args).list_place_sets():
        print(f"{r.id:<22} {r.vintage:6} {len(r.spec['places']):4} places  {r.name} "
              f"(v{r.version}, {r.author})")  # fmt: skip
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from geodata import output
    from geodata.places import resolve_places
    from geodata.places.checks import check_places

    place_set, data = _load(args, args.ref)
    checks = check_places(data, resolve_places(data, place_set))
    print(f"{place_set.name} (vintage {data.name}): {len(checks.places)} places, population "
          f"min {checks.spread['min']:,.0f}, median {checks.spread['median']:,.0f}, max "
          f"{checks.spread['max']:,.0f}\n")  # fmt: skip
    print(output.to_table(checks.places, ["code", "name", "population", "lsoas",
                                          "crosses_icb", "crosses_utla"]))  # fmt: skip
    print(
        f"\nGaps: {len(checks.gaps)} LSOAs ({int(checks.gaps['population'].sum()):,} people) "
        f"of the set's ICBs are in no place; overlaps: {len(checks.overlaps)} LSOAs"
    )
    if checks.pcns_straddling is not None:
        print(f"PCNs straddling places: {len(checks.pcns_straddling)}")
    for note in checks.notes:
        print(f"note: {note}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    place_set, _ = _load(args, args.ref)
    print(json.dumps(place_set.as_dict(), indent=1))
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from geodata.places import PlaceSet, resolve_places
    from geodata.store import Store

    from .common import database

    try:
        raw = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BoundaryLabError(f"{args.file}: not a readable JSON place set ({exc})") from None
    place_set = PlaceSet.from_dict(raw)
    resolve_places(Store(args.data).load(place_set.vintage), place_set)
    record = database(args).save_place_set(place_set.as_dict(), f"cli:{getpass.getuser()}",
                                           args.parent, admin=True)  # fmt: skip
    print(
        f"saved place set {record.id} ({record.name!r}, version {record.version})", file=sys.stderr
    )
    print(record.id)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from .common import database

    if not database(args).delete_place_set(args.id, f"cli:{getpass.getuser()}", admin=True):
        raise UsageError(f"no place set with id {args.id} (see: boundary-lab places list)")
    print(f"deleted place set {args.id}", file=sys.stderr)
    return 0


def add_commands(sub: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    core.data_option(common)
    common.add_argument("--vintage", help="vintage for built-in sets (default: newest)")
    places = sub.add_parser("places", help="place sets: built-in and your own")
    actions = places.add_subparsers(dest="action", required=True)
    actions.add_parser("list", parents=[common], help="place sets").set_defaults(run=cmd_list)
    for name, run, about in (
        ("show", cmd_show, "a set as JSON"),
        ("check", cmd_check, "populations, crossings, gaps, overlaps"),
    ):
        action = actions.add_parser(name, parents=[common], help=about)
        action.add_argument("ref", help="a place set id, or builtin-sicbl, builtin-utla-in-icb")
        action.set_defaults(run=run)  # fmt: skip
    create = actions.add_parser("create", parents=[common], help="save a set from JSON")
    create.add_argument(
        "file",
        help='JSON: {"name", "vintage", "icbs", "places": [{"name", '
        '"blocks": [{"layer", "code"}]}]}',
    )
    create.add_argument("--parent", type=int, help="make a new version of this set")
    create.set_defaults(run=cmd_create)
    delete = actions.add_parser("delete", parents=[common], help="delete a set (all versions)")
    delete.add_argument("id", type=int)
    delete.set_defaults(run=cmd_delete)
