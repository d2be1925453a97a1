"""Population splits of one layer by another: group-bys on the LSOA block table."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .errors import BoundaryLabError
from .layers import code_column
from .provenance import Provenance
from .split_core import split_columns
from .store import VintageData

SPLIT_COLUMNS = [
    "by_code",
    "by_name",
    "across_code",
    "across_name",
    "population",
    "share",
    "by_population",
]


@dataclass(frozen=True)
class SplitResult:
    """For each unit of ``by``: its population in each unit of ``across``, and the share."""

    by: str
    across: str
    frame: pd.DataFrame
    provenance: Provenance


def _categorical(column: pd.Series) -> pd.Categorical:
    values = column.array
    return values if isinstance(values, pd.Categorical) else pd.Categorical(column.to_numpy())


def split_table(
    table: pd.DataFrame,
    by: str,
    across: str,
    names: tuple[dict[str, str], dict[str, str]] | None = None,
) -> pd.DataFrame:
    """Population of every (by, across) pair, its share of the ``by`` unit, largest first;
    with ``names`` (by, across: code -> name), the ``by_name`` and ``across_name`` too.
    Blocks in no unit of a nullable layer count under code None, named "none", so every
    total still reconciles (see ``split_core.split_columns``)."""
    by_cat = _categorical(table[code_column(by)])
    across_cat = _categorical(table[code_column(across)])
    return pd.DataFrame(split_columns(
        (by_cat.codes, np.asarray(by_cat.categories, dtype=object)),
        (across_cat.codes, np.asarray(across_cat.categories, dtype=object)),
        table["population"].to_numpy(), names,
    ))  # fmt: skip


def splits(data: VintageData, by: str, across: str, area: str | None = None) -> SplitResult:
    """Split ``by`` units across ``across`` units; ``area`` (a code or name) keeps one unit.
    Either side may be "pcn": PCNs by their apportioned populations (see ``pcn_splits``)."""
    if "pcn" in (by, across) and by != across:
        return pcn_splits(data, by, across, area)
    data.check_layer(by)
    data.check_layer(across)
    if by == across:
        raise BoundaryLabError(f"--by and --across are both {by!r}; choose two different layers")
    if "lsoa" in (by, across):
        raise BoundaryLabError(
            f"splits are by and across area layers ({', '.join(data.area_layers)}), not LSOAs"
        )
    table = data.table
    if area is not None:
        code = data.find_area(by, area)
        table = table.loc[table[code_column(by)] == code]
    frame = split_table(table, by, across, (data.names[by], data.names[across]))
    return SplitResult(by, across, frame, Provenance.of(data.meta))


def pcn_splits(data: VintageData, by: str, across: str, area: str | None = None) -> SplitResult:
    """A split with PCNs on one side. PCNs have no official footprint: each LSOA's people
    are apportioned between PCNs (the vintage's PCN layer), and the method says so."""
    from .pcn.layer import has_pcn_layer, load_pcn_layer
    from .pcn.reports import pcn_split_frame, pcn_split_provenance

    other = across if by == "pcn" else by
    data.check_layer(other)
    if other == "lsoa":
        raise BoundaryLabError("PCN splits are by and across area layers, not LSOAs")
    if not has_pcn_layer(data):
        raise BoundaryLabError(f"vintage {data.name} has no PCN layer; build it with: "
                               f"boundary-lab build --vintage {data.name}")  # fmt: skip
    layer = load_pcn_layer(data)
    frame = pcn_split_frame(data, layer, by, across)
    if area is not None:
        code = _find_pcn(layer, area) if by == "pcn" else data.find_area(by, area)
        frame = frame.loc[frame["by_code"] == code].reset_index(drop=True)
    return SplitResult(by, across, frame, pcn_split_provenance(data, layer))


def _find_pcn(layer: object, query: str) -> str:
    from .errors import AmbiguousNameError, UnknownNameError

    pcns = layer.pcns.set_index("pcn_code")["pcn_name"].to_dict()  # type: ignore[attr-defined]
    wanted = query.strip().casefold()
    exact = [c for c, n in pcns.items() if wanted in (c.casefold(), str(n).casefold())]
    if exact:
        return str(exact[0])
    partial = [c for c, n in pcns.items() if wanted in str(n).casefold()]
    if len(partial) == 1:
        return str(partial[0])
    if partial:
        raise AmbiguousNameError("PCN", query, [f"{pcns[c]} ({c})" for c in sorted(partial)])
    raise UnknownNameError("PCN", query, [str(n) for n in pcns.values()],
                           hint="PCN codes look like U12345")  # fmt: skip


def suppress_small(result: SplitResult, below: int) -> SplitResult:
    """The split without the parts of fewer than ``below`` people, as OHID's published
    ICB-to-local-authority tables leave out the slivers where ICB and council boundaries
    disagree by a handful of residents. A unit's own population (``by_population``) and
    its shares are unchanged, and a unit's largest part is always kept; the method says
    what was withheld."""
    if below < 0:
        raise BoundaryLabError(f"suppress must be 0 or more people, got {below}")
    if below == 0:
        return result
    frame = result.frame
    largest = ~frame.duplicated("by_code")  # each unit's first row is its largest part
    keep = largest | (frame["population"] >= below)
    withheld = int((~keep).sum())
    people = int(frame.loc[~keep, "population"].sum())
    note = (f" Small counts suppressed: {withheld:,} part(s) of fewer than {below:,} people "
            f"({people:,} people in all) are not listed, as OHID does where ICB and council "
            "boundaries disagree; totals and shares are of the whole unit.")  # fmt: skip
    provenance = replace(result.provenance, method=result.provenance.method + note)
    return SplitResult(result.by, result.across, frame.loc[keep].reset_index(drop=True),
                       provenance)  # fmt: skip
