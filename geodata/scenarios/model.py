"""A scenario: a base vintage and a named list of changes. Immutable: a change makes a new
scenario (GerryChain's partitions work the same way)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import BoundaryLabError
from ..validation import CODE, DESCRIPTION, ICB_NAME, NAME, NAME_CHARS, check_text

MOVE_LAYERS = ("lsoa", "ltla", "utla", "sicbl", "pcn", "place")
NEW_ICB_TARGET = "new_icb:"  # to_icb of a move into a new ICB: "new_icb:NHS Essex ICB"
#: Saved specs carry it; those without were saved when any unknown name made a new ICB.
SPEC_FORMAT = 2
MAX_NAME = NAME_CHARS  # the database's name columns
#: Bounds on what one scenario may hold (a request can make these large).
MAX_MOVES = 5_000
MAX_BLOCKS = 100_000  # more than England's LSOAs
MAX_NOTES = 100


def check_name(name: str, what: str) -> None:
    """Kept for callers of the old name check: the shared validator, for one name."""
    check_text(name, what, NAME)


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # normalising a frozen dataclass in __post_init__


@dataclass(frozen=True)
class Move:
    """Move every LSOA of one unit into ``to_icb``: an ICB code, or a new ICB's name."""

    unit_layer: str
    code: str
    to_icb: str

    def __post_init__(self) -> None:
        _set(self, "code", check_text(self.code, "a move's code", CODE, required=False))
        # A new ICB's name gets the whole ICB name limit, its "new_icb:" marker aside.
        marker = NEW_ICB_TARGET if str(self.to_icb).startswith(NEW_ICB_TARGET) else ""
        target = check_text(self.to_icb[len(marker):], "a new ICB's name" if marker
                            else "a move's to_icb", ICB_NAME, required=False)  # fmt: skip
        _set(self, "to_icb", marker + target)
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
        """``{"unit_layer", "code", "to_icb"}``, or ``"new_icb": NAME`` instead of
        ``to_icb`` to send the unit to a new ICB (the same as ``to_icb: "new_icb:NAME"``)."""
        if not isinstance(raw, dict):
            raise BoundaryLabError(f"moves[{index}] must be an object")
        if "new_icb" in raw:
            if "to_icb" in raw or not isinstance(raw["new_icb"], str):
                raise BoundaryLabError(f"moves[{index}] gives new_icb (a new ICB's name) or "
                                       "to_icb (an existing ICB), not both")  # fmt: skip
            raw = {**raw, "to_icb": NEW_ICB_TARGET + raw["new_icb"]}
        missing = [k for k in ("unit_layer", "code", "to_icb") if not isinstance(raw.get(k), str)]
        if missing:
            raise BoundaryLabError(
                f"moves[{index}] needs string fields unit_layer, code and to_icb (or "
                f"new_icb); missing or not text: {', '.join(missing)}"
            )
        return cls(raw["unit_layer"].strip()[:20], raw["code"], raw["to_icb"])


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
    #: Saved before new ICBs were named explicitly: an unknown name still makes one.
    implicit_new_icbs: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        _set(self, "name", check_text(self.name, "a scenario's name", NAME))
        _set(self, "description", check_text(self.description, "a scenario's description",
                                              DESCRIPTION, required=False))  # fmt: skip
        _set(self, "vintage", check_text(self.vintage, "a scenario's vintage", CODE))
        _set(self, "place_set", check_text(self.place_set, "a scenario's place_set", CODE,
                                           required=False))  # fmt: skip
        if len(self.moves) > MAX_MOVES:
            raise BoundaryLabError(f"a scenario has {len(self.moves):,} moves; at most "
                                   f"{MAX_MOVES:,} (give LSOAs as blocks instead)")  # fmt: skip
        if len(self.blocks) > MAX_BLOCKS:
            raise BoundaryLabError(f"a scenario has {len(self.blocks):,} LSOA assignments; at "
                                   f"most {MAX_BLOCKS:,}")  # fmt: skip
        if len(self.notes) > MAX_NOTES:
            raise BoundaryLabError(f"a scenario has {len(self.notes):,} notes; at most "
                                   f"{MAX_NOTES}")  # fmt: skip
        _set(self, "notes", tuple(check_text(n, f"notes[{i}]", DESCRIPTION, required=False)
                                  for i, n in enumerate(self.notes)))  # fmt: skip

    def with_moves(self, *moves: Move) -> Scenario:
        return replace(self, moves=self.moves + moves)

    def with_blocks(self, blocks: dict[str, str]) -> Scenario:
        return replace(self, blocks=self.blocks + tuple(blocks.items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": SPEC_FORMAT,
            "vintage": self.vintage,
            "name": self.name,
            "description": self.description,
            "moves": [m.as_dict() for m in self.moves],
            "blocks": [list(b) for b in self.blocks],
            "notes": list(self.notes),
            "place_set": self.place_set,
        }

    @classmethod
    def from_stored(cls, spec: dict[str, Any]) -> Scenario:
        """A scenario as saved in the database; older specs keep their old meaning."""
        scenario = cls.from_dict(spec)
        if spec.get("format") != SPEC_FORMAT:
            scenario = replace(scenario, implicit_new_icbs=True)
        return scenario

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Scenario:
        moves = raw.get("moves") or []
        blocks = raw.get("blocks") or []
        if not isinstance(moves, list) or not isinstance(blocks, list):
            raise BoundaryLabError("moves and blocks must be lists")
        if len(moves) > MAX_MOVES or len(blocks) > MAX_BLOCKS:
            raise BoundaryLabError(f"a scenario has {len(moves):,} moves and {len(blocks):,} "
                                   f"LSOA assignments; at most {MAX_MOVES:,} moves and "
                                   f"{MAX_BLOCKS:,} assignments")  # fmt: skip
        for i, block in enumerate(blocks):
            if not (isinstance(block, (list, tuple)) and len(block) == 2
                    and all(isinstance(v, str) and v.strip() for v in block)):  # fmt: skip
                raise BoundaryLabError(f"blocks[{i}] must be [LSOA code, ICB code], "
                                       f"got {str(block)[:80]!r}")  # fmt: skip
            if len(block[0]) > 100 or len(block[1]) > ICB_NAME.max_chars:
                raise BoundaryLabError(f"blocks[{i}] is too long: an LSOA code and an ICB "
                                       f"code or name of at most {ICB_NAME.max_chars} "
                                       "characters")  # fmt: skip
        notes = raw.get("notes") or []
        if not isinstance(notes, list):
            raise BoundaryLabError("notes must be a list of text")
        return cls(
            vintage=check_text(raw.get("vintage"), "vintage", CODE),
            name=check_text(raw.get("name") or "unnamed scenario", "name", NAME),
            description=check_text(
                raw.get("description"), "description", DESCRIPTION, required=False
            ),  # fmt: skip
            moves=tuple(Move.from_dict(m, i) for i, m in enumerate(moves)),
            blocks=tuple((b[0].strip(), b[1].strip()) for b in blocks),
            notes=tuple(
                check_text(n, f"notes[{i}]", DESCRIPTION, required=False)
                for i, n in enumerate(notes[: MAX_NOTES + 1])
            ),  # fmt: skip
            place_set=check_text(
                str(raw.get("place_set") or ""), "place_set", CODE, required=False
            ),  # fmt: skip
        )
