"""A scenario: a base vintage and a named list of changes. Immutable: a change makes a new
scenario (GerryChain's partitions work the same way)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import BoundaryLabError

MOVE_LAYERS = ("lsoa", "ltla", "utla", "sicbl", "pcn", "place")
MAX_NAME = 200  # the database's name columns


def check_name(name: str, what: str) -> None:
    if len(name) > MAX_NAME:
        raise BoundaryLabError(f"{what} is {len(name)} characters; at most {MAX_NAME}")


@dataclass(frozen=True)
class Move:
    """Move every LSOA of one unit into ``to_icb``: an ICB code, or a new ICB's name."""

    unit_layer: str
    code: str
    to_icb: str

    def __post_init__(self) -> None:
        if self.unit_layer not in MOVE_LAYERS:
            raise BoundaryLabError(
                f"a move's unit_layer must be one of {', '.join(MOVE_LAYERS)}, "
                f"got {self.unit_layer!r}"
            )
        if not self.code.strip() or not self.to_icb.strip():
            raise BoundaryLabError("a move needs a unit code and a to_icb")

    def as_dict(self) -> dict[str, str]:
        return {"unit_layer": self.unit_layer, "code": self.code, "to_icb": self.to_icb}

    @classmethod
    def from_dict(cls, raw: Any, index: int = 0) -> Move:
        if not isinstance(raw, dict):
            raise BoundaryLabError(f"moves[{index}] must be an object")
        missing = [k for k in ("unit_layer", "code", "to_icb") if not isinstance(raw.get(k), str)]
        if missing:
            raise BoundaryLabError(
                f"moves[{index}] needs string fields unit_layer, code and to_icb; "
                f"missing or not text: {', '.join(missing)}"
            )
        return cls(raw["unit_layer"].strip(), raw["code"].strip(), raw["to_icb"].strip())


@dataclass(frozen=True)
class Scenario:
    """Base vintage + changes: explicit LSOA -> ICB blocks first, then moves in order."""

    vintage: str
    name: str
    moves: tuple[Move, ...] = ()
    blocks: tuple[tuple[str, str], ...] = ()
    description: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)
    #: The place set whose places ``place`` moves name (an id or builtin-…), if any.
    place_set: str = ""

    def with_moves(self, *moves: Move) -> Scenario:
        return replace(self, moves=self.moves + moves)

    def with_blocks(self, blocks: dict[str, str]) -> Scenario:
        return replace(self, blocks=self.blocks + tuple(blocks.items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "vintage": self.vintage,
            "name": self.name,
            "description": self.description,
            "moves": [m.as_dict() for m in self.moves],
            "blocks": [list(b) for b in self.blocks],
            "notes": list(self.notes),
            "place_set": self.place_set,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Scenario:
        moves = raw.get("moves") or []
        blocks = raw.get("blocks") or []
        if not isinstance(moves, list) or not isinstance(blocks, list):
            raise BoundaryLabError("moves and blocks must be lists")
        for i, block in enumerate(blocks):
            if not (isinstance(block, (list, tuple)) and len(block) == 2
                    and all(isinstance(v, str) and v.strip() for v in block)):  # fmt: skip
                raise BoundaryLabError(f"blocks[{i}] must be [LSOA code, ICB code], got {block!r}")
        name = str(raw.get("name") or "unnamed scenario").strip()
        check_name(name, "a scenario's name")
        return cls(
            vintage=str(raw["vintage"]),
            name=name,
            description=str(raw.get("description") or ""),
            moves=tuple(Move.from_dict(m, i) for i, m in enumerate(moves)),
            blocks=tuple((str(b[0]), str(b[1])) for b in blocks),
            notes=tuple(str(n) for n in raw.get("notes") or ()),
            place_set=str(raw.get("place_set") or ""),
        )
