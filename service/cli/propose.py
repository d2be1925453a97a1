"""``boundary-lab propose``: the fewest-people-moved redraw that meets chosen rules, saved
as an ordinary scenario (source ``proposal``) in the same database as the web service."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from geodata import cli as core
from geodata.errors import UsageError


def rules_from_args(args: argparse.Namespace) -> Any:
    from geodata.propose.rules import ProposalRules, SolverSettings

    rules = ProposalRules(
        units=args.units,
        council_within_one_icb=args.council,
        sa_within_one_icb=args.sa,
        min_icb_population=args.min_icb_population,
        max_icb_population=args.max_icb_population,
        contiguous=args.contiguous,
        max_icbs=args.max_icbs,
        exact_icbs=args.exact_icbs,
        locked_icbs=tuple(code.strip().upper() for code in args.lock or ()),
        weight_icbs=args.weight_icbs,
        weight_compactness=args.weight_compactness,
        sa_status=args.sa_status,
        link_islands=args.island_links,
    )
    settings = SolverSettings(
        time_limit_s=args.time_limit, seed=args.seed, threads=args.threads, reach=args.reach
    )
    return rules, settings


def cmd_propose(args: argparse.Namespace) -> int:
    from geodata.propose.proposal import InfeasibleProposal, builtin_base, propose
    from geodata.scenarios import Scenario
    from geodata.scenarios.evaluate import evaluate
    from geodata.scenarios.report import evaluation_data
    from geodata.store import Store

    from ..context import Services
    from .common import database

    store, db = Store(args.data), database(args)
    services = Services(store, db)
    rules, settings = rules_from_args(args)
    base = None
    data = store.load(args.vintage)
    if args.base is not None and args.base.startswith("builtin-"):
        base = builtin_base(data, args.base)
    elif args.base is not None:
        if not args.base.isdigit():
            raise UsageError(
                f"--base {args.base!r}: give a saved scenario id or a built-in scenario (builtin-…)"
            )
        try:
            base = Scenario.from_stored(db.get_scenario(int(args.base)).spec)
        except LookupError as exc:
            raise UsageError(f"{exc} (see: boundary-lab scenario list)") from None
        data = services.scenario_data(base)
    try:
        proposal = propose(
            data, rules, settings, base=base, progress=core._progress, name=args.name
        )
    except InfeasibleProposal as exc:
        print(f"boundary-lab propose: {exc}", file=sys.stderr)
        for conflict in exc.conflicts:
            print(
                f"  conflict [{conflict.rule}] {conflict.where}: {conflict.message}",
                file=sys.stderr,
            )
        for change in exc.relaxation:
            print(f"  nearest feasible: {change}", file=sys.stderr)
        if args.format == "json":
            print(
                json.dumps({"status": "infeasible", "message": str(exc), **exc.details()}, indent=1)
            )
        return core.EXIT_FAILED
    evaluation = evaluate(store.load(data.name), proposal.scenario, rules.evaluation_rules())
    record_id = None
    if not args.dry_run:
        record = db.save_scenario(
            proposal.scenario.as_dict(), "proposal", f"cli:{getpass.getuser()}"
        )
        record_id = record.id
    if args.format == "json":
        print(
            json.dumps(
                {
                    "id": record_id,
                    "proposal": proposal.as_dict(),
                    "scenario": proposal.scenario.as_dict(),
                    "evaluation": evaluation_data(evaluation),
                },
                indent=1,
                default=str,
            )
        )
        return 0
    verdict = (
        "proven optimal"
        if proposal.proven_optimal
        else f"best found in the time limit, gap {proposal.gap or 0:.2%}"
    )
    print(f"{proposal.scenario.name}")
    print(
        f"  {verdict}; {proposal.people_moved:,} people moved "
        f"(heuristic baseline: {proposal.heuristic['people_moved']:,}"
        f"{'' if proposal.heuristic['feasible'] else ', infeasible'}); "
        f"{proposal.icbs_used} ICBs; {len(proposal.scenario.moves)} moves; "
        f"solved in {proposal.seconds:.1f} s"
    )
    icb_names = data.names["icb"]
    for move in proposal.scenario.moves:
        unit = data.names[move.unit_layer].get(move.code, move.code)
        print(
            f"  move {move.unit_layer} {move.code} {unit} -> "
            f"{icb_names.get(move.to_icb, move.to_icb)} ({move.to_icb})"
        )
    for rule in evaluation.rules:
        print(f"  [{'pass' if rule.passed else 'FAIL'}] {rule.description}")
    for link in proposal.island_links:
        print(
            f"  island link: {', '.join(link['island'])} -> {link['linked_to']} "
            f"({link['distance_m']:,} m)"
        )
    if record_id is not None:
        print(f"saved as scenario {record_id}: boundary-lab scenario evaluate {record_id}")
    for line in evaluation.provenance.lines():
        print(line)
    return 0


def add_commands(sub: Any) -> None:
    from geodata.propose.unit_kinds import UNIT_KINDS, UNIT_LABELS

    p = sub.add_parser(
        "propose",
        help="the fewest people moved that meets chosen rules (exact MILP, HiGHS)",
        description="Propose a redraw of the ICBs: the fewest people moved from the base "
        "that meets the rules, solved exactly (HiGHS). Saves an ordinary scenario named "
        "after its rules, with the rules and solver settings in its notes.",
    )
    core.data_option(p)
    p.add_argument("--vintage", help="vintage (default: the newest built)")
    p.add_argument(
        "--base",
        help="start from this saved scenario (an id) or built-in one "
        "(builtin-2027-mergers), not the vintage's ICBs",
    )
    p.add_argument(
        "--units",
        choices=UNIT_KINDS,
        default="ltla",
        help="building units: " + "; ".join(f"{k} = {v}" for k, v in UNIT_LABELS.items()),
    )
    p.add_argument(
        "--council",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="every upper-tier council within one ICB (default: on)",
    )
    p.add_argument("--sa", action="store_true", help="no strategic authority cut")
    p.add_argument(
        "--sa-status",
        choices=["all", "established"],
        default="all",
        help="which strategic authorities --sa and --units sa count",
    )
    p.add_argument("--min-icb-population", type=float)
    p.add_argument("--max-icb-population", type=float)
    p.add_argument(
        "--contiguous",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="every ICB contiguous, islands linked (default: on)",
    )
    p.add_argument(
        "--island-links",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="link islands to the unit that serves them (default: on)",
    )
    p.add_argument("--max-icbs", type=int)
    p.add_argument("--exact-icbs", type=int)
    p.add_argument("--lock", action="append", metavar="ICB", help="an ICB that must not change")
    p.add_argument("--weight-icbs", type=float, default=0.0, help="people per ICB used")
    p.add_argument(
        "--weight-compactness",
        type=float,
        default=0.0,
        help="people per km of boundary between ICBs",
    )
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reach", type=int, help="units join only ICBs this many steps away")
    p.add_argument("--name", help="scenario name (default: named after the rules)")
    p.add_argument("--dry-run", action="store_true", help="do not save the scenario")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(run=cmd_propose)
