"""What a proposal must satisfy and how it is solved: plain, validated, recorded data."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from ..errors import BoundaryLabError
from ..scenarios.rules import RuleSet
from ..unit_status import check_status
from .unit_kinds import UNIT_KINDS, UNIT_LABELS


def _millions(value: float) -> str:
    return f"{value / 1e6:g}m" if value >= 100_000 else f"{value:,.0f}"


@dataclass(frozen=True)
class ProposalRules:
    """The design rules a proposal must meet, the units it moves and its objective.

    ``weight_icbs`` adds that many people to the objective per ICB used (a positive
    weight favours fewer ICBs); ``weight_compactness`` adds that many people per km of
    boundary between units in different ICBs (favours compact ICBs)."""

    units: str = "ltla"
    council_within_one_icb: bool = True
    sa_within_one_icb: bool = False
    min_icb_population: float | None = None
    max_icb_population: float | None = None
    contiguous: bool = True
    max_icbs: int | None = None
    exact_icbs: int | None = None
    locked_icbs: tuple[str, ...] = ()
    weight_icbs: float = 0.0
    weight_compactness: float = 0.0
    #: Which strategic authorities the rule and the ``sa`` units count: all, established.
    sa_status: str = "all"
    #: Link land with no land neighbour (islands) to the unit that serves it; without the
    #: links a contiguous ICB cannot hold an island with anything else.
    link_islands: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "locked_icbs",
                           tuple(c.strip().upper() for c in self.locked_icbs))  # fmt: skip
        check_status(self.sa_status)
        if self.units not in UNIT_KINDS:
            raise BoundaryLabError(
                f"units must be one of {', '.join(UNIT_KINDS)} "
                f"({'; '.join(f'{k}: {v}' for k, v in UNIT_LABELS.items())}), got {self.units!r}"
            )
        for name in ("min_icb_population", "max_icb_population"):
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise BoundaryLabError(f"{name} must be a number of people, 0 or more")
        low, high = self.min_icb_population, self.max_icb_population
        if low is not None and high is not None and low > high:
            raise BoundaryLabError(f"min_icb_population {low:,.0f} is above max {high:,.0f}")
        for name in ("max_icbs", "exact_icbs"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise BoundaryLabError(f"{name} must be 1 or more, got {value}")
        if self.max_icbs is not None and self.exact_icbs is not None:
            raise BoundaryLabError("give max_icbs or exact_icbs, not both")
        for name in ("weight_icbs", "weight_compactness"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise BoundaryLabError(f"{name} must be 0 or more, got {value}")

    def name(self) -> str:
        """A scenario name that says what was asked: 'Proposal (districts): councils
        within one ICB; contiguous; fewest people moved'."""
        parts = []
        if self.council_within_one_icb:
            parts.append("councils within one ICB")
        if self.sa_within_one_icb:
            established = "established " if self.sa_status == "established" else ""
            parts.append(f"no {established}strategic authority cut")
        low, high = self.min_icb_population, self.max_icb_population
        if low is not None and high is not None:
            parts.append(f"ICBs {_millions(low)}-{_millions(high)}")
        elif low is not None:
            parts.append(f"ICBs at least {_millions(low)}")
        elif high is not None:
            parts.append(f"ICBs at most {_millions(high)}")
        if self.contiguous:
            parts.append("contiguous" if self.link_islands else "contiguous, islands apart")
        if self.max_icbs is not None:
            parts.append(f"at most {self.max_icbs} ICBs")
        if self.exact_icbs is not None:
            parts.append(f"exactly {self.exact_icbs} ICBs")
        if self.locked_icbs:
            parts.append(f"{len(self.locked_icbs)} ICB(s) locked")
        objective = "fewest people moved"
        if self.weight_icbs:
            objective += f" + {self.weight_icbs:g} per ICB"
        if self.weight_compactness:
            objective += f" + {self.weight_compactness:g} per km cut"
        parts.append(objective)
        return f"Proposal ({UNIT_LABELS[self.units]}): " + "; ".join(parts)

    def evaluation_rules(self) -> RuleSet:
        """The scenario design rules that check a proposal's own evaluation."""
        return RuleSet(
            utla_within_one_icb=self.council_within_one_icb,
            min_icb_population=self.min_icb_population,
            max_icb_population=self.max_icb_population,
            contiguous=self.contiguous,
            sa_within_one_icb=self.sa_within_one_icb,
            sa_status=self.sa_status,
        )

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["locked_icbs"] = list(self.locked_icbs)
        return out

    @classmethod
    def from_dict(cls, raw: Any) -> ProposalRules:
        if not isinstance(raw, dict):
            raise BoundaryLabError("rules must be an object")
        return cls(**_typed_fields(cls, raw, "rules"))


@dataclass(frozen=True)
class SolverSettings:
    """Recorded with every proposal so it can be reproduced: HiGHS is deterministic for
    a given model, seed and thread count."""

    time_limit_s: float = 60.0
    seed: int = 0
    threads: int = 1
    mip_rel_gap: float = 0.0
    #: Each unit may join the ICBs within this many graph steps of it (None: any ICB).
    #: A restriction for speed on very large problems; optimality is then within it.
    reach: int | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.time_limit_s) or not 0 < self.time_limit_s <= 3600:
            raise BoundaryLabError("time_limit_s must be more than 0 and at most 3600 seconds")
        if not 1 <= self.threads <= 64:
            raise BoundaryLabError("threads must be between 1 and 64")
        if not 0 <= self.mip_rel_gap < 1:
            raise BoundaryLabError("mip_rel_gap must be at least 0 and below 1")
        if self.reach is not None and self.reach < 0:
            raise BoundaryLabError("reach must be 0 or more (or null for any ICB)")
        if not 0 <= self.seed < 2**31:
            raise BoundaryLabError("seed must be between 0 and 2^31-1")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Any) -> SolverSettings:
        if not isinstance(raw, dict):
            raise BoundaryLabError("solver must be an object")
        return cls(**_typed_fields(cls, raw, "solver"))


def _typed_fields(cls: type, raw: dict[str, Any], where: str) -> dict[str, Any]:
    """Check names and types of a JSON object against a dataclass's fields."""
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise BoundaryLabError(
            f"{where}: unknown field(s) {', '.join(unknown)}; valid: {', '.join(known)}"
        )
    out: dict[str, Any] = {}
    for name, value in raw.items():
        kind = str(known[name].type)
        if value is None and "None" in kind:
            out[name] = None
        elif "bool" in kind:
            if not isinstance(value, bool):
                raise BoundaryLabError(f"{where}.{name} must be true or false, got {value!r}")
            out[name] = value
        elif "tuple" in kind:
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise BoundaryLabError(f"{where}.{name} must be a list of codes")
            out[name] = tuple(value)
        elif "int" in kind and "float" not in kind:
            if isinstance(value, bool) or not isinstance(value, int):
                raise BoundaryLabError(f"{where}.{name} must be a whole number, got {value!r}")
            out[name] = value
        elif "float" in kind:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise BoundaryLabError(f"{where}.{name} must be a number, got {value!r}")
            out[name] = float(value)
        elif "str" in kind:
            if not isinstance(value, str):
                raise BoundaryLabError(f"{where}.{name} must be text, got {value!r}")
            out[name] = value.strip()
    return out
