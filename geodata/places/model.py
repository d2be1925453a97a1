"""A place set: a named set of places for one or more ICBs, each place a union of blocks
(UTLAs, LTLAs, SICBLs, LSOAs or PCN footprints). Immutable, like scenarios."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import BoundaryLabError
from ..scenarios.model import check_name
from ..store import VintageData

BLOCK_LAYERS = ("utla", "ltla", "sicbl", "lsoa", "pcn")


@dataclass(frozen=True)
class Place:
    name: str
    blocks: tuple[tuple[str, str], ...]  # (layer, code)
    code: str = ""

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
        places = []
        for i, place in enumerate(places_raw):
            if not isinstance(place, dict) or not str(place.get("name") or "").strip():
                raise BoundaryLabError(f"places[{i}] needs a name")
            blocks = place.get("blocks")
            if not isinstance(blocks, list) or not blocks:
                raise BoundaryLabError(f"place {place['name']!r} has no blocks; a place is a "
                                       f"union of {', '.join(BLOCK_LAYERS)} units")  # fmt: skip
            parsed = []
            for j, block in enumerate(blocks):
                layer = block.get("layer") if isinstance(block, dict) else None
                code = block.get("code") if isinstance(block, dict) else None
                if layer not in BLOCK_LAYERS or not isinstance(code, str) or not code.strip():
                    raise BoundaryLabError(
                        f"places[{i}].blocks[{j}] must be {{layer, code}} with layer one of "
                        f"{', '.join(BLOCK_LAYERS)}, got {block!r}"
                    )
                parsed.append((layer, code.strip().upper() if layer != "pcn" else code.strip()))
            places.append(Place(str(place["name"]).strip(), tuple(parsed),
                                str(place.get("code") or "")))  # fmt: skip
        keys = [p.key() for p in places]
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        if duplicated:
            raise BoundaryLabError(f"place codes must be unique in a set: {', '.join(duplicated)}")
        icbs = raw.get("icbs") or []
        if not isinstance(icbs, list):
            raise BoundaryLabError("icbs must be a list of ICB codes")
        overlaps = raw.get("allow_overlaps", False)
        if not isinstance(overlaps, bool):
            raise BoundaryLabError(f"allow_overlaps must be true or false, got {overlaps!r}")
        name = str(raw.get("name") or "").strip() or "unnamed place set"
        check_name(name, "a place set's name")
        for place in places:
            check_name(place.name, f"place {place.name[:40]!r}…'s name")
        return cls(
            name=name,
            vintage=str(raw.get("vintage") or ""),
            places=tuple(places),
            icbs=tuple(str(c).strip().upper() for c in icbs),
            allow_overlaps=overlaps,
            description=str(raw.get("description") or ""),
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
