"""Primary Care Networks: the PCN layer of a vintage.

PCNs have no official footprint, so each LSOA's population is apportioned among PCNs
(``apportion``: the methods, measured on a registrations lookup, and the default) from
the NHS files (``readers``, reconciled in ``sources``), the catchments' cover of the
blocks (``cover``) and distances to member practices (``practices``). ``layer`` builds,
saves and loads a vintage's layer; ``reports`` answers from it; ``validate`` measures.
"""

from .apportion import DEFAULT_METHOD, METHODS
from .layer import PcnLayer, build_pcn_layer, has_pcn_layer, load_pcn_layer, save_pcn_layer

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "PcnLayer",
    "build_pcn_layer",
    "has_pcn_layer",
    "load_pcn_layer",
    "save_pcn_layer",
]
