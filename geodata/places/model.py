"""A place set: a named set of places for one or more ICBs, each place a union of blocks
(UTLAs, LTLAs, SICBLs, LSOAs or PCN footprints). Immutable, like scenarios."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import BoundaryLabError
from ..store import VintageData
from ..validation import CODE, DESCRIPTION, NAME, check_text

BLOCK_LAYERS = ("utla", "ltla", "sicbl", "lsoa", "pcn")
#: Bounds on what one request can make a place set hold: England has about 1,300 PCNs and
#: 300 councils, so 2,000 places covers one per PCN; blocks total at most the LSOAs twice.
MAX_PLACES = 2_000
MAX_BLOCKS = 70_000


@dataclass(frozen=True)
class Place:
    name: str
    blocks: tuple[tuple[str, str], ...]  # (layer, code)
    code: str = ""

    def __post_init__(self) -> None:
        # Codes are upper case, except PCN codes (ODS codes of PCNs are mixed: U12345).
        blocks = tuple((layer, code if layer == "pcn" else code.upper())
                       for layer, code in self.blocks)  # fmt: skip
        object.__setattr__(self, "blocks", blocks)

    def key(self) -> str:
        return self.code or re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-").lower()


@dataclass(frozen=True)
class PlaceSet:
    name: str
    vintage: str
    places: tuple[Place, ...]
    icbs: tuple[str, ...] = ()  # the ICBs the set covers (gaps are counted within them)
    allow_overlaps: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "icbs", tuple(c.upper() for c in self.icbs))
        counts = Counter(p.key() for p in self.places)  # linear: a set may hold thousands
        duplicated = sorted(k for k, n in counts.items() if n > 1)
        if duplicated:
            raise BoundaryLabError(f"place codes must be unique in a set: "
                                   f"{', '.join(duplicated[:10])}")  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "vintage": self.vintage, "icbs": list(self.icbs),
            "allow_overlaps": self.allow_overlaps, "description": self.description,
            "places": [{"name": p.name, "code": p.key(),
                        "blocks": [{"layer": layer, "code": code} for layer, code in p.blocks]}
                       for p in self.places],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, raw: Any) -> PlaceSet:
        if not isinstance(raw, dict):
            raise BoundaryLabError("a place set must be an object with name, vintage, places")
        places_raw = raw.get("places")
        if not isinstance(places_raw, list) or not places_raw:
            raise BoundaryLabError("a place set needs a non-empty list of places")
        if len(places_raw) > MAX_PLACES:
            raise BoundaryLabError(f"a place set has {len(places_raw):,} places; at most "
                                   f"{MAX_PLACES:,}")  # fmt: skip
        total_blocks = sum(
            len(p["blocks"])
            for p in places_raw
            if isinstance(p, dict) and isinstance(p.get("blocks"), list)
        )
        if total_blocks > MAX_BLOCKS:
            raise BoundaryLabError(f"a place set's places have {total_blocks:,} blocks in all; "
                                   f"at most {MAX_BLOCKS:,}")  # fmt: skip
        places = []
        for i, place in enumerate(places_raw):
            if not isinstance(place, dict):
                raise BoundaryLabError(f"places[{i}] must be an object with name and blocks")
            place_name = check_text(place.get("name"), f"places[{i}].name", NAME)
            blocks = place.get("blocks")
            if not isinstance(blocks, list) or not blocks:
                raise BoundaryLabError(f"place {place_name!r} has no blocks; a place is a "
                                       f"union of {', '.join(BLOCK_LAYERS)} units")  # fmt: skip
            parsed = []
            for j, block in enumerate(blocks):
                layer = block.get("layer") if isinstance(block, dict) else None
                code = block.get("code") if isinstance(block, dict) else None
                if layer not in BLOCK_LAYERS or not isinstance(code, str) or not code.strip():
                    raise BoundaryLabError(
                        f"places[{i}].blocks[{j}] must be {{layer, code}} with layer one of "
                        f"{', '.join(BLOCK_LAYERS)}, got {str(block)[:80]!r}"
                    )
                code = check_text(code, f"places[{i}].blocks[{j}].code", CODE)
                parsed.append((layer, code))
            code = check_text(str(place.get("code") or ""), f"places[{i}].code", CODE,
                              required=False)  # fmt: skip
            places.append(Place(place_name, tuple(parsed), code))
        icbs = raw.get("icbs") or []
        if not isinstance(icbs, list) or len(icbs) > 100:
            raise BoundaryLabError("icbs must be a list of ICB codes (at most 100)")
        icbs = [check_text(str(c), f"icbs[{i}]", CODE) for i, c in enumerate(icbs)]
        overlaps = raw.get("allow_overlaps", False)
        if not isinstance(overlaps, bool):
            raise BoundaryLabError(f"allow_overlaps must be true or false, got {overlaps!r}")
        name = check_text(raw.get("name") or "unnamed place set", "a place set's name", NAME)
        description = check_text(raw.get("description"), "a place set's description",
                                 DESCRIPTION, required=False)  # fmt: skip
        vintage = check_text(str(raw.get("vintage") or ""), "vintage", CODE, required=False)
        return cls(
            name=name,
            vintage=vintage,
            places=tuple(places),
            icbs=tuple(icbs),
            allow_overlaps=overlaps,
            description=description,
        )


def builtin_sets(data: VintageData) -> dict[str, PlaceSet]:
    """Per vintage: one place per SICBL; one place per UTLA within each ICB."""
    table, names = data.table, data.names
    sicbl_places = tuple(
        Place(names["sicbl"][code], (("sicbl", code),), code)
        for code in sorted(table["sicbl_code"].unique())
    )
    pairs = (
        table[["icb_code", "utla_code"]].drop_duplicates().sort_values(["icb_code", "utla_code"])
    )
    utla_places = []
    for icb, utla in pairs.itertuples(index=False):
        # A place is the UTLA's part of the ICB: its LSOAs there, named for both.
        rows = np.flatnonzero((table["icb_code"] == icb).to_numpy()
                              & (table["utla_code"] == utla).to_numpy())  # fmt: skip
        whole = len(rows) == int((table["utla_code"] == utla).sum())
        blocks = ((("utla", utla),) if whole else
                  tuple(("lsoa", c) for c in table["lsoa_code"].to_numpy()[rows]))  # fmt: skip
        utla_places.append(Place(f"{names['utla'][utla]} in {names['icb'][icb]}", blocks,
                                 f"{utla}-{icb}"))  # fmt: skip
    icbs = tuple(sorted(table["icb_code"].unique()))
    return {
        "sicbl": PlaceSet("One place per sub-ICB location", data.name, sicbl_places, icbs,
                          description="Built in: each SICBL (the former CCGs) as a place."),
        "utla-in-icb": PlaceSet("One place per upper-tier LA within each ICB", data.name,
                                tuple(utla_places), icbs,
                                description="Built in: each council's part of each ICB."),
    }  # fmt: skip
