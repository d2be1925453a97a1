"""The geographic layers the engine knows, with the GSS code pattern of each.

Every layer except ``lsoa`` is a column of the block table: the code of the unit each
LSOA falls in. Layers are fixed by the domain; vintages only say where to read them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    key: str
    label: str
    pattern: re.Pattern[str]
    example: str

    def is_valid_code(self, code: str) -> bool:
        return bool(self.pattern.fullmatch(code))


LAYERS: dict[str, Layer] = {
    layer.key: layer
    for layer in (
        Layer("lsoa", "Lower layer Super Output Area", re.compile(r"E01\d{6}"), "E01000001"),
        Layer("ltla", "Lower-tier local authority", re.compile(r"E0[6-9]\d{6}"), "E07000066"),
        Layer(
            "utla", "Upper-tier local authority", re.compile(r"E(06|08|09|10)\d{6}"), "E10000012"
        ),
        Layer("icb", "Integrated Care Board", re.compile(r"E54\d{6}"), "E54000026"),
        Layer("sicbl", "Sub-ICB location", re.compile(r"E38\d{6}"), "E38000007"),
        Layer("region", "Region", re.compile(r"E12\d{6}"), "E12000006"),
        # Strategic authorities: the ONS CAUTH code (E47) where there is one, else a code
        # the vintage declares from the name (``code_from_name``), e.g. SA-GREATER-LONDON.
        Layer(
            "sa",
            "Strategic authority",
            re.compile(r"E47\d{6}|SA-[A-Z0-9]+(?:-[A-Z0-9]+)*"),
            "E47000001",
        ),
        # Not in the ONS lookups: places come from a place set, PCNs from the PCN layer.
        Layer("pcn", "Primary Care Network", re.compile(r"U\d{5}"), "U04748"),
        Layer("place", "Place", re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}"), "mid-essex"),
    )
}

#: Layers a split can be taken by or across (a vintage may lack some: 2022 has no ``sa``).
AREA_LAYERS: tuple[str, ...] = ("ltla", "utla", "icb", "sicbl", "region", "sa")

#: How outputs name "in no unit of this layer" (a district outside every strategic
#: authority): the block table holds null there, never an invented unit.
NONE_LABEL = "none"

#: child -> parent: every unit of the child layer must lie in exactly one parent unit.
#: Checked when a vintage is built, so a lookup with a straddling unit is refused.
NESTED_IN: dict[str, str] = {"sicbl": "icb", "ltla": "utla", "utla": "region"}

#: England and Wales LSOA codes: boundary and population files cover both nations.
LSOA_EW_PATTERN = re.compile(r"[EW]01\d{6}")


def code_column(layer: str) -> str:
    return f"{layer}_code"


#: British National Grid's extent (EPSG:27700 metres): eastings 0 to 700 km, northings 0
#: to 1,300 km. A point outside it is not in Great Britain's grid at all.
BNG_EASTING = (0.0, 700_000.0)
BNG_NORTHING = (0.0, 1_300_000.0)
