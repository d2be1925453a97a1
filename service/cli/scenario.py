"""``boundary-lab scenario create|list|evaluate|compare|export``: the scenario workflow
from the command line, saved to the same database as the web service."""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from geodata import cli as core
from geodata.cells import counted
from geodata.errors import BoundaryLabError, UsageError


def _services(args: argparse.Namespace) -> Any:
    from geodata.store import Store

    from .common import database

    return Store(args.data), database(args)


def _move(text: str) -> Any:
    from geodata.scenarios import Move

    parts = text.split(":", 2)
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"{text!r}: a move is LAYER:CODE:TO_ICB, e.g. "
                                         "ltla:E07000071:E54000026")  # fmt: skip
    try:
        return Move(*parts)
    except BoundaryLabError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _load(args: argparse.Namespace, ident: str) -> Any:
    """A saved scenario by id, or the baseline of --vintage for 'baseline'."""
    from geodata.scenarios import Scenario

    from ..db import parse_id

    store, db = _services(args)
    if ident == "baseline":
        data = store.load(args.vintage)
        return Scenario(data.name, "baseline"), data
    if ident.startswith("builtin-"):
        from geodata.scenarios.builtin import get_builtin

        data = store.load(args.vintage)
        return get_builtin(data, ident).scenario, data
    scenario_id = parse_id(ident)
    if scenario_id is None:
        raise UsageError(f"{ident!r} is not a scenario id (see: boundary-lab scenario list)")
    try:
        record = db.get_scenario(scenario_id)
    except LookupError as exc:
        raise UsageError(f"{exc} (see: boundary-lab scenario list)") from None
    scenario = Scenario.from_stored(record.spec)
    if args.vintage and args.vintage != scenario.vintage:
        raise UsageError(f"scenario {ident} is on vintage {scenario.vintage}, not "
                         f"{args.vintage}; leave out --vintage (a saved scenario keeps "
                         "its own)")  # fmt: skip
    return scenario, _scenario_data(args, scenario)


def _scenario_data(args: argparse.Namespace, scenario: Any) -> Any:
    """The scenario's vintage, with its place set as a layer when it moves places."""
    from ..context import Services

    store, db = _services(args)
    return Services(store, db).scenario_data(scenario)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BoundaryLabError(f"{path}: cannot read it ({exc.strerror})") from None


def cmd_create(args: argparse.Namespace) -> int:
    from geodata.geometry import to_geojson
    from geodata.scenarios import Scenario, resolve
    from geodata.scenarios.compare import read_blocks_csv
    from geodata.scenarios.upload import best_fit, read_candidates
    from geodata.validation import decode_text

    from ..db import Upload

    store, db = _services(args)
    data = store.load(args.vintage)
    scenario = Scenario(data.name, args.name, description=args.description or "",
                        place_set=args.place_set or "")  # fmt: skip
    source, upload = "moves", None
    if args.blocks:
        text = decode_text(_read(args.blocks), args.blocks)
        scenario = scenario.with_blocks(read_blocks_csv(text, args.blocks))
        source = "blocks"
    if args.boundaries:
        content = _read(args.boundaries)
        candidates = read_candidates(content, Path(args.boundaries).name, args.label)
        fit = best_fit(data, candidates, args.name)
        scenario = scenario.with_blocks(dict(fit.scenario.blocks))
        for warning in candidates.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if fit.unassigned:
            print(f"{len(fit.unassigned)} LSOA(s) fall in no candidate and keep their "
                  f"baseline ICB: {', '.join(fit.unassigned[:20])}"
                  + (" …" if len(fit.unassigned) > 20 else ""), file=sys.stderr)  # fmt: skip
        upload = Upload(Path(args.boundaries).name, hashlib.sha256(content).hexdigest(),
                        len(content), candidates.label_property,
                        json.dumps(to_geojson(candidates.frame)))  # fmt: skip
        source = "upload"
    scenario = scenario.with_moves(*(args.move or []))
    data = _scenario_data(args, scenario) if scenario.place_set else data
    assignment = resolve(data, scenario)
    moved = int((assignment.icb != data.table["icb_code"].to_numpy()).sum())
    try:
        record = db.save_scenario(scenario.as_dict(), source, f"cli:{getpass.getuser()}",
                                  args.parent, upload, admin=True)  # fmt: skip
    except LookupError as exc:  # no such --parent
        raise UsageError(str(exc)) from None
    print(f"saved scenario {record.id} ({record.name!r}, version {record.version}, vintage "
          f"{record.vintage}): {counted(moved, 'LSOA')} {'moves' if moved == 1 else 'move'}",
          file=sys.stderr)  # fmt: skip
    print(record.id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from geodata.scenarios.builtin import builtin_scenarios

    store, db = _services(args)
    names = [store.check_vintage(args.vintage)] if args.vintage else store.built()
    for name in names:
        for builtin in builtin_scenarios(store.load(name)).values():
            print(f"{builtin.ref}  {name:6} built-in {builtin.scenario.name}")
    for r in db.list_scenarios():
        if args.vintage and r.vintage != args.vintage:
            continue
        print(f"{r.id:5}  v{r.version:<3} {r.vintage:6} {r.source:7} {r.name}  "
              f"({r.author}, {r.created_at:%Y-%m-%d %H:%M})")  # fmt: skip
    return 0


def _rules(args: argparse.Namespace) -> Any:
    from geodata.scenarios.rules import RuleSet

    return RuleSet(min_icb_population=args.min_icb_population,
                   max_icb_population=args.max_icb_population,
                   sa_within_one_icb=not args.no_sa_rule, sa_status=args.sa_status)  # fmt: skip


def _print_builtin(args: argparse.Namespace, data: Any) -> None:
    """A built-in scenario's groups (uncertain ones flagged), and every rule and the
    strategic authority alignment before and after."""
    from geodata import output
    from geodata.scenarios.builtin import evaluate_builtin, get_builtin

    result = evaluate_builtin(data, get_builtin(data, args.id), _rules(args))
    groups = result.builtin.groups
    flagged = zip(groups["uncertain"], groups["confidence"], strict=True)
    groups = groups.assign(
        members=groups["member_names"].map(lambda n: "; ".join(map(output.short_name, n))),
        confidence=[("UNCERTAIN: " if u else "") + c for u, c in flagged],
    )
    print(output.to_table(groups, ["id", "members", "population", "confidence"]))
    print()
    print(output.to_table(result.rules, ["rule", "offenders_before", "offenders_after",
                                         "offenders"]))  # fmt: skip
    print()
    print(output.to_table(result.alignment, list(result.alignment.columns)))
    print()


def cmd_evaluate(args: argparse.Namespace) -> int:
    from geodata import output
    from geodata.scenarios.evaluate import evaluate
    from geodata.scenarios.report import evaluation_data

    scenario, data = _load(args, args.id)
    evaluation = evaluate(data, scenario, _rules(args))
    if args.id.startswith("builtin-") and args.format != "json":
        _print_builtin(args, data)
    if args.format == "json":
        print(json.dumps(evaluation_data(evaluation), indent=1, default=str))
        return 0
    s = evaluation.summary
    print(f"Scenario: {scenario.name} (vintage {scenario.vintage})")
    print(f"Moved: {s['lsoas_moved']:,} LSOAs, {s['people_moved']:,} people; UTLA-ICB links "
          f"{s['utla_icb_links_before']} -> {s['utla_icb_links_after']}")  # fmt: skip
    print(f"ICBs: {s['before']['icbs']} -> {s['after']['icbs']}; smallest "
          f"{s['before']['min']:,} -> {s['after']['min']:,}; largest {s['before']['max']:,} -> "
          f"{s['after']['max']:,}\n")  # fmt: skip
    changed = evaluation.icbs.loc[evaluation.icbs["change"] != 0]
    print(output.to_table(changed, ["code", "name", "population_before", "population_after",
                                     "change", "parts_after"]))  # fmt: skip
    las = evaluation.utlas.loc[evaluation.utlas["change"] != ""]
    if len(las):
        print()
        print(output.to_table(las, ["code", "name", "icbs_before", "icbs_after", "change"]))
    types = evaluation.typology_changes
    if len(types):
        print("\nTypology changes:")
        print(output.to_table(types, ["code", "name", "type_before", "type_after",
                                      "main_icb_name_after", "main_share_after"]))  # fmt: skip
    print("\nDesign rules, compared with the base:")
    for outcome in evaluation.outcomes:
        print(f"[{outcome.status}] {outcome.description}")
        for label, offenders in (("newly failing", outcome.new),
                                 ("already failing in the base", outcome.existing),
                                 ("fixed", outcome.fixed)):  # fmt: skip
            if offenders:
                names = ", ".join(output.short_name(str(o.get("name", o.get("code", ""))))
                                  for o in offenders[:8])  # fmt: skip
                more = f" (+{len(offenders) - 8} more)" if len(offenders) > 8 else ""
                print(f"    {label}: {names}{more}")
    print()
    for line in evaluation.provenance.lines():
        print(line)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from geodata import output
    from geodata.scenarios.compare import compare

    a, data = _load(args, args.a)
    b, data_b = _load(args, args.b)
    if data.name != data_b.name:
        raise BoundaryLabError(f"{args.a} and {args.b} are on different vintages")
    result = compare(data, a, b, _rules(args))
    print(f"{a.name} vs {b.name}: {result.lsoas_different:,} LSOAs and "
          f"{result.people_different:,} people assigned differently\n")  # fmt: skip
    print(output.to_table(result.summary, ["metric", "a", "b", "change"]))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from geodata.scenarios import resolve
    from geodata.scenarios.compare import export_blocks
    from geodata.scenarios.evaluate import evaluate
    from geodata.scenarios.report import evaluation_xlsx
    from geodata.scenarios.statutory import statutory_csv, statutory_description, statutory_text

    scenario, data = _load(args, args.id)
    assignment = resolve(data, scenario)
    content: str | bytes
    if args.what == "blocks":
        content = export_blocks(data, assignment)
    elif args.what == "statutory":
        content = statutory_text(statutory_description(data, assignment))
    elif args.what == "statutory-csv":
        content = statutory_csv(statutory_description(data, assignment))
    else:
        if not args.output:
            raise BoundaryLabError("an XLSX report needs --output FILE.xlsx")
        content = evaluation_xlsx(evaluate(data, scenario, _rules(args)), data)
    if args.output:
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(args.output, mode) as handle:
            handle.write(content)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(content if isinstance(content, str) else "")
    return 0


def add_commands(sub: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    core.data_option(common)
    common.add_argument("--vintage", help="vintage (default: the newest built; a saved "
                        "scenario keeps its own, and list shows only this vintage's)")  # fmt: skip
    rules = argparse.ArgumentParser(add_help=False)
    rules.add_argument("--min-icb-population", type=float, default=1_000_000)
    rules.add_argument("--max-icb-population", type=float)
    rules.add_argument("--no-sa-rule", action="store_true",
                       help="leave out the rule that no strategic authority is split")  # fmt: skip
    rules.add_argument("--sa-status", choices=["all", "established"], default="all",
                       help="strategic authorities the rule counts (default all)")  # fmt: skip

    scenario = sub.add_parser("scenario", help="what-if ICB redraws")
    actions = scenario.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", parents=[common], help="make and save a scenario")
    create.add_argument("--name", required=True)
    create.add_argument("--description")
    create.add_argument(
        "--move",
        type=_move,
        action="append",
        help="LAYER:CODE:TO_ICB (layer lsoa|ltla|utla|sicbl|pcn|place; TO_ICB an ICB "
        "code or a new ICB's name); repeat for several",
    )
    create.add_argument("--blocks", help="CSV of LSOA code, ICB code")
    create.add_argument("--boundaries", help="candidate ICB polygons: .geojson, .gpkg, .zip")
    create.add_argument("--label", help="the boundaries' property naming each ICB")
    create.add_argument("--parent", type=int, help="make a new version of this scenario")
    create.add_argument(
        "--place-set",
        help="the place set (id or builtin-…) whose places place:CODE:TO_ICB moves name",
    )
    create.set_defaults(run=cmd_create)
    listing = actions.add_parser("list", parents=[common], help="saved scenarios")
    listing.set_defaults(run=cmd_list)
    evaluate = actions.add_parser("evaluate", parents=[common, rules], help="every metric")
    evaluate.add_argument("id", help="scenario id, or builtin-2027-mergers")
    evaluate.add_argument("--format", choices=["table", "json"], default="table")
    evaluate.set_defaults(run=cmd_evaluate)
    compare = actions.add_parser("compare", parents=[common, rules], help="two side by side")
    compare.add_argument("a", help="scenario id, 'baseline' or builtin-…")
    compare.add_argument("b", help="scenario id, 'baseline' or builtin-…")
    compare.set_defaults(run=cmd_compare)
    export = actions.add_parser("export", parents=[common, rules], help="blocks, statutory…")
    export.add_argument("id", help="scenario id or builtin-…")
    export.add_argument(
        "--what", choices=["blocks", "statutory", "statutory-csv", "xlsx"], default="blocks"
    )
    export.add_argument("--output", help="file to write (default: standard output)")
    export.set_defaults(run=cmd_export)


__all__ = ["add_commands", "core"]
