"""Measure every PCN apportionment method on a best-fit LSOA -> PCN lookup (West Sussex by
default) and print Markdown tables.

First table, per method: TVD and LSOA agreement (``geodata.pcn.validate``); the same
within each district (the worst agreement, the median TVD: is the method as good
everywhere?); and, for the methods with a distance scale, the figures when the scale is
*fitted* by leave-one-district-out (each district scored with the scale that did best on
the others) next to the unfitted national scale. Second table: the default's figures over
a sixteenfold range of scales.

    python3 scripts/validate_pcn.py [--vintage 2022] [--lookup FILE] [--source DIR] [--data DIR]

The vintage is read from the store (``--data``) if it is built there, else built into a
temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

from geodata.config import get_vintage
from geodata.ingest import build_vintage
from geodata.pcn.apportion import DEFAULT_METHOD, METHODS
from geodata.pcn.readers import read_validation
from geodata.pcn.sources import VALIDATION_FILE, load_sources
from geodata.pcn.validate import (
    ValidationSet,
    evaluate_by_group,
    leave_one_group_out,
    score,
    shares_by_code,
    validation_set,
)
from geodata.store import Store, VintageData, default_data_dir, default_source_dir

SCALED = ("gravity", "gravity_within_sicbl", "cover_inverse_distance")
#: Scales tried by the leave-one-district-out fit, as multiples of the national scale.
FACTORS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_vintage(name: str, source: Path, data_dir: Path, scratch: Path) -> VintageData:
    store = Store(data_dir)
    if name in store.built():
        return store.load(name)
    progress(f"vintage {name} is not built in {data_dir}; building it into a temporary store")
    scratch_store = Store(scratch)
    scratch_store.write(build_vintage(get_vintage(name), source))
    return scratch_store.load(name)


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def method_row(vset: ValidationSet, method: str) -> dict[str, str]:
    shares = shares_by_code(vset, method)
    overall = score(vset, shares)
    districts = evaluate_by_group(shares, vset.truth, vset.population, vset.districts)
    districts = districts.loc[districts["lsoas"] >= 10]  # the 2 LSOAs over the border: noise
    row = {
        "method": method + (" (default)" if method == DEFAULT_METHOD else ""),
        "TVD": f"{overall.tvd:.3f}",
        "agreement": pct(overall.agreement),
        "district median TVD": f"{districts['tvd'].median():.3f}",
        "worst district agreement": pct(districts["agreement"].min()),
        "LODO-fitted scale: TVD": "",
        "LODO-fitted scale: agreement": "",
        "scales chosen (m)": "",
    }
    if method in SCALED:
        base = vset.inputs.scale_m
        candidates = {round(base * f): shares_by_code(vset, method, base * f) for f in FACTORS}
        assembled, chosen = leave_one_group_out(
            candidates, vset.truth, vset.population, vset.districts
        )
        fitted = score(vset, assembled)
        row["LODO-fitted scale: TVD"] = f"{fitted.tvd:.3f}"
        row["LODO-fitted scale: agreement"] = pct(fitted.agreement)
        row["scales chosen (m)"] = ", ".join(str(v) for v in sorted(set(chosen.values())))
    return row


def markdown(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vintage", default="2022")
    parser.add_argument("--lookup", help=f"validation CSV (default: SOURCE/{VALIDATION_FILE})")
    parser.add_argument("--source", type=Path, default=default_source_dir())
    parser.add_argument("--data", type=Path, default=default_data_dir())
    args = parser.parse_args(argv)
    if args.source is None:
        parser.error("no source folder: give --source or BOUNDARY_LAB_SOURCE")
    lookup_path = Path(args.lookup) if args.lookup else args.source / VALIDATION_FILE
    with tempfile.TemporaryDirectory() as scratch:
        data = load_vintage(args.vintage, args.source, args.data, Path(scratch))
        progress("reading the PCN sources and the validation lookup")
        sources = load_sources(args.source)
        vset = validation_set(data, sources, read_validation(lookup_path))
        rows = []
        for method in METHODS:
            progress(f"scoring {method}")
            rows.append(method_row(vset, method))
        base = vset.inputs.scale_m
        sensitivity = []
        for factor in (0.25, 0.5, 1.0, 2.0, 4.0):
            result = score(vset, shares_by_code(vset, DEFAULT_METHOD, base * factor))
            sensitivity.append(
                {
                    "scale": f"{base * factor:.0f} m ({factor:g} x)",
                    "TVD": f"{result.tvd:.3f}",
                    "agreement": pct(result.agreement),
                }
            )
    print(
        f"PCN apportionment on {lookup_path.name}: {len(vset.truth)} LSOAs, "
        f"{vset.truth.nunique()} PCNs, {int(vset.population.sum()):,} people "
        f"(vintage {data.name}; membership on {sources.as_of.date()}; "
        f"national scale {base:.0f} m)\n"
    )
    print(markdown(pd.DataFrame(rows)))
    print(f"\nThe default ({DEFAULT_METHOD}) over a range of distance scales:\n")
    print(markdown(pd.DataFrame(sensitivity)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
