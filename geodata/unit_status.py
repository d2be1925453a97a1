"""Units by status: strategic authorities are established (with a date) or proposed, and
a question can be asked of the established ones only.

The status comes from the vintage declaration (a ``status`` attribute, read at build as
``status_kind`` and ``established``); a unit left out becomes "none" for its LSOAs, as a
district outside every strategic authority is, so totals still reconcile.
"""

from __future__ import annotations

import pandas as pd

from .errors import BoundaryLabError
from .layers import code_column
from .store import VintageData

STATUSES = ("all", "established")


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise BoundaryLabError(
            f"unknown status filter {status!r}; valid: established (established units only), "
            "all (established and proposed)"
        )
    return status


def excluded_units(data: VintageData, layer: str, status: str) -> pd.DataFrame:
    """The units of ``layer`` the filter leaves out (none for "all")."""
    units = data.units.loc[data.units["layer"] == layer]
    if check_status(status) == "all" or "status_kind" not in units:
        return units.iloc[0:0]
    return units.loc[units["status_kind"] != "established"]


def with_status(data: VintageData, layer: str, status: str) -> VintageData:
    """The vintage with only the ``status`` units of ``layer``; the rest become "none".
    Made once per loaded vintage: the scenario evaluation asks on every edit."""
    key = f"status:{layer}:{status}"
    if key not in data.cache:
        data.cache[key] = _filtered(data, layer, status)
    filtered: VintageData | None = data.cache[key]
    return data if filtered is None else filtered


def _filtered(data: VintageData, layer: str, status: str) -> VintageData | None:
    """``with_status``'s answer, None when no unit is left out."""
    out = excluded_units(data, layer, status)
    if out.empty or code_column(layer) not in data.table:
        return None
    table = data.table.copy(deep=False)
    column = table[code_column(layer)]
    table[code_column(layer)] = column.where(~column.isin(out["code"])).astype(
        pd.CategoricalDtype(sorted(set(column.cat.categories) - set(out["code"])))
    )
    units = data.units.drop(index=out.index)
    meta = {**data.meta, "status_filter": {layer: status}}
    return VintageData(data.name, data.path, table, units, meta, data._geometry)


def status_line(data: VintageData, layer: str, status: str) -> str:
    """One sentence for footers and About sheets saying which units count."""
    out = excluded_units(data, layer, status)
    if status == "all":
        return "Strategic authorities: established and proposed (status as declared)"
    names = ", ".join(sorted(out["name"]))
    return f"Strategic authorities: established only; proposed left out: {names or 'none'}"
