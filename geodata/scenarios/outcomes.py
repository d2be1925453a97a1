"""Rule outcomes of a scenario read against its base: which failures the redraw causes,
which it fixes and which were already there.

A reviewer must not blame a redraw for a council that was split before it; so every rule
is evaluated on the base too, and each offender is classed by whether the base had it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .rules import RuleResult

#: The class of one rule, worst first: a redraw that causes a new failure is "newly
#: failing" even if the rule also had failures in the base.
Status = Literal["newly failing", "already failing in the base", "fixed", "passes"]
STATUSES: tuple[Status, ...] = ("newly failing", "already failing in the base", "fixed", "passes")


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    description: str
    status: Status
    #: offenders in the scenario that the base did not have
    new: list[dict[str, Any]] = field(default_factory=list)
    #: offenders in both (their figures as in the scenario)
    existing: list[dict[str, Any]] = field(default_factory=list)
    #: offenders in the base that the scenario no longer has (their figures as in the base)
    fixed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "description": self.description, "status": self.status,
                "new": self.new, "existing": self.existing, "fixed": self.fixed}  # fmt: skip


def _status(new: list[Any], existing: list[Any], fixed: list[Any]) -> Status:
    if new:
        return "newly failing"
    if existing:
        return "already failing in the base"
    if fixed:
        return "fixed"
    return "passes"


def classify(base: list[RuleResult], scenario: list[RuleResult]) -> list[RuleOutcome]:
    """One outcome per rule of ``scenario``, offenders matched to the base's by ``code``.

    A rule missing from ``base`` counts as passing there (all its offenders are new).
    """
    by_rule = {result.rule: result for result in base}
    outcomes = []
    for result in scenario:
        before = by_rule.get(result.rule)
        base_offenders = {o["code"]: o for o in (before.offenders if before else [])}
        codes_after = {o["code"] for o in result.offenders}
        new = [o for o in result.offenders if o["code"] not in base_offenders]
        existing = [o for o in result.offenders if o["code"] in base_offenders]
        fixed = [o for code, o in base_offenders.items() if code not in codes_after]
        status = _status(new, existing, fixed)
        outcomes.append(RuleOutcome(result.rule, result.description, status, new, existing, fixed))
    return outcomes
