"""PCN footprints as building blocks, for scenarios (PCN moves) and place sets (PCN blocks,
PCNs straddling places). Read from the vintage's PCN layer when it is built."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..store import VintageData
from .layer import has_pcn_layer, load_pcn_layer
from .validate import largest_share


def pcn_footprints(data: VintageData) -> np.ndarray | None:
    """Each LSOA's PCN of largest share ("" where none), or None without a PCN layer."""
    if "pcn_best_fit" not in data.cache:
        if not has_pcn_layer(data):
            return None
        best = largest_share(load_pcn_layer(data).shares)
        codes = data.table["lsoa_code"].to_numpy()
        data.cache["pcn_best_fit"] = best.reindex(codes).fillna("").to_numpy(dtype=object)
    return data.cache["pcn_best_fit"]


def pcn_share_rows(data: VintageData) -> pd.DataFrame | None:
    """(lsoa_row, pcn_code, share) of the apportionment, or None without a PCN layer."""
    if "pcn_shares" not in data.cache:
        if not has_pcn_layer(data):
            return None
        shares = load_pcn_layer(data).shares
        rows = pd.Index(data.table["lsoa_code"].to_numpy()).get_indexer(shares["lsoa_code"])
        data.cache["pcn_shares"] = pd.DataFrame(
            {"lsoa_row": rows, "pcn_code": shares["pcn_code"].to_numpy(),
             "share": shares["share"].to_numpy()}
        ).loc[rows >= 0]  # fmt: skip
    return data.cache["pcn_shares"]
