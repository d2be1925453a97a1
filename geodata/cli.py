"""The ``boundary-lab`` command line: build the store, print splits and the typology.

The splits path imports numpy alone (arrays kept in the store, see quick_split.py), the
typology path pandas and pyarrow; neither imports geopandas.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .cells import FORMATS
from .errors import BoundaryLabError, UsageError
from .layers import AREA_LAYERS

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .pcn.sources import PcnSources
    from .store import VintageData

#: One exit-code rule for every command: 0 done; 2 the request was wrong (the command
#: line, or a name or id in it that is not there: fix what you typed); 1 the input or the
#: work failed (a file missing, unreadable or refused, a store to rebuild, no solution).
EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_CODES = (
    "exit codes: 0 done; 2 the request was wrong (an unknown option, layer, setting, "
    "an unknown or ambiguous name, no such id, an option that does not apply); 1 the input "
    "or the work failed (a file missing, unreadable or refused, a store to rebuild)"
)


_STARTED = time.perf_counter()


def _progress(message: str) -> None:
    """A progress line on stderr, timed from the start of the command."""
    print(f"[{time.perf_counter() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def _store(args: argparse.Namespace):  # noqa: ANN202 - keeps the import lazy
    from .store import Store

    return Store(args.data)


def _emit(frame, fmt: str, columns: Sequence[str], footer: Sequence[str]) -> None:  # noqa: ANN001
    from . import output

    if fmt == "json":
        print(output.to_json(frame))
    elif fmt == "csv":
        sys.stdout.write(output.to_csv(frame))
    else:
        print(output.to_table(frame, columns, footer))
    if fmt != "table":
        # Machine formats keep stdout clean; provenance goes beside them.
        for line in footer:
            print(line, file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from .config import available_vintages, get_vintage
    from .ingest import build_vintage
    from .store import default_source_dir

    source = Path(args.source) if args.source else default_source_dir()
    if source is None or not source.is_dir():
        raise BoundaryLabError(
            f"source folder {str(source) if source else '../shared/geodata'} not found; "
            "give it with --source or BOUNDARY_LAB_SOURCE"
        )
    names = list(available_vintages()) if args.vintage == "all" else [args.vintage]
    store = _store(args)
    reading = None if args.no_pcn else _read_ahead(source)
    pcn = None if reading is None else partial(_build_pcn, reading, source, args)
    for name in names:
        config = get_vintage(name)
        _progress(f"building vintage {config.name} from {source}")
        built = build_vintage(config, source, _progress)
        # The PCN layer is built into the staged folder: a failure there leaves the
        # previous vintage, PCN layer included, exactly as it was.
        path = store.write(built, then=pcn)
        meta = built.meta
        _progress(
            f"vintage {config.name}: {meta['lsoas']:,} LSOAs, population "
            f"{meta['population_total']:,}, "
            + ", ".join(f"{n} {layer}" for layer, n in meta["layers"].items())
            + f"; repaired geometries: {meta['repaired_geometries']}, coverage cleaned: "
            + f"{meta['coverage_cleaned_geometries']}; written to {path}"
        )
    return 0


def _read_ahead(source: Path) -> Future[PcnSources | None]:
    """The PCN sources, read in a thread while the first vintage builds: they are the same
    for every vintage (None when a PCN file is missing; the build says so). Imported there
    too: pandas, here, would hold up the start of the boundaries' process."""
    from concurrent.futures import ThreadPoolExecutor

    def read() -> PcnSources | None:
        from .pcn.sources import PcnFiles, load_sources

        present = all((source / f).is_file() for f in PcnFiles().all())
        return load_sources(source) if present else None

    pool = ThreadPoolExecutor(1, thread_name_prefix="pcn-sources")
    reading = pool.submit(read)
    pool.shutdown(wait=False)  # the reading goes on; nothing more is given to the pool
    return reading


def _build_pcn(reading: Future[PcnSources | None], source: Path, args: argparse.Namespace,
               data: VintageData) -> None:  # fmt: skip
    """The PCN layer into a vintage's folder (the staged one, before Store.write swaps it in)."""
    from .pcn.layer import build_pcn_layer, save_pcn_layer
    from .pcn.sources import PcnFiles

    sources = reading.result()
    if sources is None:
        missing = [source / f for f in PcnFiles().all() if not (source / f).is_file()]
        _progress(f"PCN layer skipped for {data.name}: {missing[0]} not found")
        return
    registrations = Path(args.pcn_registrations) if args.pcn_registrations else None
    layer = build_pcn_layer(data, source, method=args.pcn_method, registrations=registrations,
                            progress=_progress, sources=sources)  # fmt: skip
    save_pcn_layer(layer, data.path)
    _progress(f"PCN layer for {data.name}: {len(layer.pcns):,} PCNs reconciled "
              f"({layer.meta['pcns_with_notes']} with notes), method {layer.method}")  # fmt: skip


def _with_sa_status(data: VintageData, args: argparse.Namespace) -> tuple[VintageData, list[str]]:
    """The vintage with the strategic authorities ``--sa-status`` keeps, and a footer line."""
    from .unit_status import status_line, with_status

    if "sa" not in data.layers:
        return data, []
    return with_status(data, "sa", args.sa_status), [status_line(data, "sa", args.sa_status)]


def cmd_splits(args: argparse.Namespace) -> int:
    from .quick_split import try_splits

    if try_splits(args):  # numpy only, from arrays kept in the store
        return 0
    from .splits import splits

    data = _store(args).load(args.vintage)
    used = {args.by, args.across}
    data, extra = _with_sa_status(data, args) if "sa" in used else (data, [])
    result = splits(data, args.by, args.across, args.area)
    columns = ["by_code", "by_name", "across_code", "across_name", "population", "share"]
    _emit(result.frame, args.format, columns, result.provenance.lines() + extra)
    return 0


def cmd_typology(args: argparse.Namespace) -> int:
    from .typology import Thresholds, typology

    data = _store(args).load(args.vintage)
    thresholds = Thresholds(
        la_in_icb=args.la_in_icb,
        la_of_icb=args.la_of_icb,
        other_la_min_share=args.other_la_min_share,
    )
    result = typology(data, thresholds, la_layer=args.by)
    columns = ["code", "name", "type", "main_icb_name", "main_share", "share_of_icb",
               "other_las", "elsewhere", "notes"]  # fmt: skip
    _emit(result.frame, args.format, columns, result.provenance.lines())
    return 0


def cmd_areas(args: argparse.Namespace) -> int:
    from .layers import LAYERS, NONE_LABEL, code_column
    from .provenance import Provenance

    data = _store(args).load(args.vintage)
    data.check_layer(args.layer)
    footer = [f"Vintage: {data.name}"]
    if args.layer == "sa":
        data, extra = _with_sa_status(data, args)
        footer += extra
    units = data.units.loc[data.units["layer"] == args.layer]
    columns = ["code", "name", "nhs_code"]
    columns += [c for c in ("type", "status_kind", "established") if units[c].notna().any()] \
        if "status_kind" in units else []  # fmt: skip
    none = data.table[code_column(args.layer)].isna().to_numpy()
    if none.any():
        people = int(data.table["population"].to_numpy()[none].sum())
        footer.append(f"{NONE_LABEL}: {int(none.sum()):,} LSOAs ({people:,} people) are in no "
                      f"{LAYERS[args.layer].label.lower()}")  # fmt: skip
    note = Provenance.of(data.meta).note
    footer += [f"Note: {note}"] if note else []
    _emit(units[columns], args.format, columns, footer)
    return 0


def _write_file(path: str, body: bytes) -> None:
    """A report file, written whole or not at all."""
    from .files import atomic_write_bytes

    atomic_write_bytes(Path(path), body)
    _progress(f"wrote {path}")


def cmd_alignment(args: argparse.Namespace) -> int:
    from .alignment import alignment
    from .alignment_report import alignment_about_bytes, alignment_csv, alignment_xlsx

    data = _store(args).load(args.vintage)
    result = alignment(data, args.sa_status, args.tolerance)
    if args.output:
        suffix = Path(args.output).suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise BoundaryLabError(f"--output must end in .csv or .xlsx, got {args.output!r}")
        _write_file(args.output, alignment_xlsx(result) if suffix == ".xlsx"
                    else alignment_csv(result))  # fmt: skip
        if suffix == ".csv":  # what the table is, beside it: the CSV holds the table alone
            _write_file(str(Path(args.output).with_suffix(".txt")), alignment_about_bytes(result))
        return 0
    footer = [result.status_line, *result.provenance.lines()]
    footer.insert(0, "ICB classes: " + "; ".join(f"{c} {n}" for c, n in result.counts().items()))
    if args.view == "authorities":
        columns = ["code", "name", "type", "status", "population", "icbs", "main_icb_name",
                   "main_share", "icb_parts"]  # fmt: skip
        _emit(result.authorities, args.format, columns, footer)
    elif args.view == "pairs":
        columns = ["icb_code", "icb_name", "sa_code", "sa_name", "population", "share_of_icb",
                   "share_of_sa"]  # fmt: skip
        _emit(result.pairs, args.format, columns, footer)
    else:
        columns = ["code", "name", "class", "population", "authority_parts", "none_share",
                   "cut_authorities"]  # fmt: skip
        _emit(result.icbs, args.format, columns, footer)
    return 0


COMPARE_VIEWS = ("summary", "moves", "recodes", "icbs", "utlas", "ltlas", "typology")


def cmd_compare_vintages(args: argparse.Namespace) -> int:
    from .vintage_compare import compare_vintages, comparison_xlsx

    if len(args.names) != 2:
        raise BoundaryLabError(
            f"vintages compare needs two vintage names, e.g. 'vintages compare 2024 2026'; "
            f"got {len(args.names)}"
        )
    store = _store(args)
    result = compare_vintages(store.load(args.names[0]), store.load(args.names[1]))
    if args.output:
        if Path(args.output).suffix.lower() != ".xlsx":
            raise BoundaryLabError(f"--output must end in .xlsx, got {args.output!r}")
        _write_file(args.output, comparison_xlsx(result))
        return 0
    frame = getattr(result, args.view)
    footer = [f"{label}: {text}" for label, text in result.about]
    _emit(frame, args.format, list(frame.columns), footer)
    return 0


def cmd_vintages(args: argparse.Namespace) -> int:
    from .config import available_vintages

    if args.action == "compare":
        return cmd_compare_vintages(args)
    if args.names:
        raise BoundaryLabError(f"'vintages' lists the vintages; did you mean 'vintages "
                               f"compare {' '.join(args.names)}'?")  # fmt: skip
    store = _store(args)
    built = set(store.built())
    for name, config in available_vintages().items():
        state = "built" if name in built else "not built"
        if name in built and not (store.root / name / "pcn" / "meta.json").is_file():
            state = "built, no PCN layer"
        default = " (default)" if config.default else ""
        print(f"{name:8} {state:20} {config.title}{default}  [{config.path}]")
    return 0


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a fraction between 0 and 1")
    return value


def _share_below_half(text: str) -> float:
    value = _fraction(text)
    if value >= 0.5:
        raise argparse.ArgumentTypeError(f"{text} must be below 0.5")
    return value


def _layer(text: str) -> str:
    if text not in AREA_LAYERS:
        raise argparse.ArgumentTypeError(f"unknown layer {text!r}; valid: {', '.join(AREA_LAYERS)}")
    return text


#: Layers a split can be by or across: the area layers, and PCNs by their apportioned
#: populations.
SPLIT_LAYERS = (*AREA_LAYERS, "pcn")


def _split_layer(text: str) -> str:
    if text not in SPLIT_LAYERS:
        valid = ", ".join(SPLIT_LAYERS)
        raise argparse.ArgumentTypeError(f"unknown layer {text!r}; valid: {valid}")
    return text


def _sa_status_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sa-status",
        choices=("all", "established"),
        default="all",
        help="strategic authorities: all (established and proposed, default) or established "
        "only; the districts of those left out count as none",
    )


DATA_HELP = "data folder of the store (default: BOUNDARY_LAB_DATA, else ./data)"


def data_option(parser: argparse.ArgumentParser) -> None:
    """``--data`` on a (sub)command: the same option as before the command, so it may go
    anywhere on the line. SUPPRESS keeps a subcommand from resetting it to None."""
    parser.add_argument("--data", default=argparse.SUPPRESS, help=DATA_HELP)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="boundary-lab", description=__doc__.splitlines()[0], epilog=EXIT_CODES
    )
    parser.add_argument("--version", action="version", version=f"boundary-lab {__version__}")
    parser.add_argument("--data", default=None, help=DATA_HELP)
    common = argparse.ArgumentParser(add_help=False)
    data_option(common)
    shown = argparse.ArgumentParser(add_help=False)
    shown.add_argument("--vintage", help="vintage name (default: the newest built)")
    shown.add_argument("--format", choices=FORMATS, default="table",
                       help=f"output: {', '.join(FORMATS)} (default table)")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", parents=[common], help="build the store from source files")
    build.add_argument("--vintage", default="all", help="vintage name, TOML path, or 'all'")
    build.add_argument("--source", help="source folder (BOUNDARY_LAB_SOURCE, ../shared/geodata)")
    build.add_argument("--no-pcn", action="store_true", help="skip the PCN layer")
    build.add_argument(
        "--pcn-method",
        default="gravity_within_sicbl",
        help="PCN apportionment method (see scripts/validate_pcn.py)",
    )
    build.add_argument(
        "--pcn-registrations",
        help="NHS Digital gp-reg-pat-prac-lsoa-all.csv: registrations replace "
        "the estimate where they cover an LSOA",
    )
    build.set_defaults(run=cmd_build)

    sp = sub.add_parser("splits", parents=[common, shown], help="population splits")
    valid = ", ".join(SPLIT_LAYERS)
    sp.add_argument("--by", type=_split_layer, default="utla",
                    help=f"layer split: {valid} (default utla)")  # fmt: skip
    sp.add_argument("--across", type=_split_layer, default="icb",
                    help=f"layer across: {valid} (default icb)")  # fmt: skip
    sp.add_argument("--area", help="one unit of --by, by code or name (e.g. Essex, E10000012)")
    _sa_status_option(sp)
    sp.set_defaults(run=cmd_splits)

    ty = sub.add_parser("typology", parents=[common, shown], help="coterminosity types 1-4")
    ty.add_argument("--by", type=_layer, default="utla", choices=["utla", "ltla"])
    ty.add_argument(
        "--la-in-icb",
        type=_fraction,
        default=0.95,
        help="share of an LA in one ICS for types 1-3 (default 0.95)",
    )
    ty.add_argument(
        "--la-of-icb",
        type=_fraction,
        default=0.95,
        help="share of the ICS that the LA makes up for type 1 (default 0.95)",
    )
    ty.add_argument(
        "--other-la-min-share",
        type=_fraction,
        default=None,
        help="count another LA as served by an ICS when this share of its own population "
        "lives there, e.g. 0.05 (default: only when it lies mostly within the ICS, at "
        "--la-in-icb)",
    )
    ty.set_defaults(run=cmd_typology)

    ar = sub.add_parser("areas", parents=[common, shown], help="list the units of a layer")
    ar.add_argument("--layer", type=_layer, default="utla",
                    help=f"one of {', '.join(AREA_LAYERS)} (default utla)")  # fmt: skip
    _sa_status_option(ar)
    ar.set_defaults(run=cmd_areas)

    vi = sub.add_parser("vintages", parents=[common],
                        help="declared vintages and their state; or compare two")  # fmt: skip
    vi.add_argument("action", nargs="?", choices=("list", "compare"), default="list",
                    help="list (default), or compare A B: what changed from A to B")  # fmt: skip
    vi.add_argument("names", nargs="*", help="with compare: the two vintages, e.g. 2024 2026")
    vi.add_argument("--view", choices=COMPARE_VIEWS, default="summary",
                    help="with compare: which table to print (default summary)")  # fmt: skip
    vi.add_argument("--format", choices=FORMATS, default="table")
    vi.add_argument("--output", help="with compare: write every table to this .xlsx file")
    vi.set_defaults(run=cmd_vintages)

    al = sub.add_parser("alignment", parents=[common, shown],
                        help="ICBs against strategic authorities: overlaps, classes")  # fmt: skip
    al.add_argument("--view", choices=("icbs", "authorities", "pairs"), default="icbs",
                    help="one row per ICB (default), per authority, or per overlap")  # fmt: skip
    al.add_argument("--tolerance", type=_share_below_half, default=0.0,
                    help="parts of an authority under this share of it are slivers, not "
                    "cuts (default 0: every LSOA counts)")  # fmt: skip
    al.add_argument("--output", help="write the report to a .csv or .xlsx file instead")
    _sa_status_option(al)
    al.set_defaults(run=cmd_alignment)
    return parser


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """Parse and run a command; a domain error is one line on stderr, never a traceback."""
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as exc:
        print(f"boundary-lab {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BoundaryLabError as exc:
        print(f"boundary-lab {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # e.g. piped into head
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(make_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
