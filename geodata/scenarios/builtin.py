"""Built-in scenarios declared with a vintage: groups of ICBs merged into one ICB each
(the 2027 mergers of the 2025/26 leadership clusters on vintage 2026).

Each merged group becomes a new ICB named after its group and members; every sub-ICB
location of its members moves into it, so the scenario is an ordinary one (evaluated,
compared, exported like any other). Each group's confidence from the source file comes
with it; a group not marked "high" is flagged as uncertain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..alignment import CLASSES
from ..errors import UnknownNameError
from ..layers import code_column
from ..output import short_name
from ..store import VintageData
from .evaluate import Evaluation, evaluate
from .model import NEW_ICB_TARGET, Move, Scenario
from .rules import RuleSet

BUILTIN_PREFIX = "builtin-"


@dataclass(frozen=True)
class BuiltinScenario:
    key: str
    scenario: Scenario
    #: id, members, member_names, merged (several members), new_icb (its name),
    #: population, confidence, uncertain, outcome
    groups: pd.DataFrame

    @property
    def ref(self) -> str:
        return BUILTIN_PREFIX + self.key


def _merged_name(group: str, names: list[str]) -> str:
    short = [short_name(n).removesuffix(" ICB") for n in names]
    return f"Cluster {group}: {' + '.join(short)} ICB"


def _build(data: VintageData, spec: dict[str, Any]) -> BuiltinScenario:
    icb_names = data.names["icb"]
    icb_column = data.table[code_column("icb")].astype(str)
    population = data.table.groupby(icb_column, observed=True)["population"].sum()
    rows, moves, notes = [], [], []
    for group in spec["groups"]:
        members = list(group["members"])
        names = [icb_names[c] for c in members]
        merged = len(members) > 1
        new_icb = _merged_name(group["id"], names) if merged else ""
        confidence = str(group.get("confidence") or "")
        uncertain = bool(confidence) and not confidence.casefold().startswith("high")
        if merged:
            sicbls = sorted(data.table.loc[icb_column.isin(members), "sicbl_code"].astype(str)
                            .unique())  # fmt: skip
            moves += [Move("sicbl", code, NEW_ICB_TARGET + new_icb) for code in sicbls]
        if uncertain:
            notes.append(f"Group {group['id']} ({'; '.join(short_name(n) for n in names)}): "
                         f"confidence {confidence}; {group.get('outcome', '')}")  # fmt: skip
        rows.append({
            "id": group["id"], "members": members, "member_names": names, "merged": merged,
            "new_icb": new_icb, "population": int(population.loc[members].sum()),
            "confidence": confidence, "uncertain": uncertain,
            "outcome": group.get("outcome", ""),
        })  # fmt: skip
    scenario = Scenario(data.name, spec["name"], moves=tuple(moves),
                        description=spec.get("description", ""),
                        notes=tuple(notes))  # fmt: skip
    return BuiltinScenario(spec["key"], scenario, pd.DataFrame(rows))


def builtin_scenarios(data: VintageData) -> dict[str, BuiltinScenario]:
    """key -> the built-in scenario, for every one the vintage declares."""
    cache = data.cache.get("builtin_scenarios")
    if cache is None:
        cache = {s["key"]: _build(data, s) for s in data.meta.get("scenarios") or []}
        data.cache["builtin_scenarios"] = cache
    return cache


def get_builtin(data: VintageData, ref: str) -> BuiltinScenario:
    """A built-in scenario by ``builtin-KEY`` (or KEY)."""
    key = ref.removeprefix(BUILTIN_PREFIX)
    found = builtin_scenarios(data)
    if key not in found:
        raise UnknownNameError("built-in scenario", ref, [BUILTIN_PREFIX + k for k in found],
                               hint=f"vintage {data.name}")  # fmt: skip
    return found[key]


@dataclass(frozen=True)
class BuiltinEvaluation:
    builtin: BuiltinScenario
    evaluation: Evaluation
    #: rule -> offenders before (the vintage) and after (the scenario)
    rules: pd.DataFrame
    #: alignment class -> ICBs before and after
    alignment: pd.DataFrame


def evaluate_builtin(
    data: VintageData, builtin: BuiltinScenario, rules: RuleSet | None = None
) -> BuiltinEvaluation:
    """The scenario's evaluation, every rule before and after, and the ICB-strategic
    authority alignment before and after."""
    from ..alignment import alignment

    evaluation = evaluate(data, builtin.scenario, rules)
    before = evaluate(data, Scenario(data.name, "baseline"), rules, with_shapes=False)
    offenders_before = {r.rule: r for r in before.rules}
    rows = []
    for rule in evaluation.rules:
        old = offenders_before.get(rule.rule)
        rows.append({"rule": rule.rule, "description": rule.description,
                     "offenders_before": len(old.offenders) if old else None,
                     "offenders_after": len(rule.offenders), "passed_after": rule.passed,
                     "offenders": "; ".join(_offender(o) for o in rule.offenders)})  # fmt: skip
    classes = pd.DataFrame({"class": list(CLASSES)})
    if "sa" in data.layers:
        status = (rules or RuleSet()).sa_status
        old_counts = alignment(data, status).counts()
        assignment = evaluation.assignment
        new_counts = alignment(
            data, status, icb=assignment.icb, icb_names=assignment.names
        ).counts()
        classes["icbs_before"] = [old_counts[c] for c in CLASSES]
        classes["icbs_after"] = [new_counts[c] for c in CLASSES]
    return BuiltinEvaluation(builtin, evaluation, pd.DataFrame(rows), classes)


def _offender(offender: dict[str, Any]) -> str:
    text = f"{offender.get('name', '')} ({offender.get('code', '')})"
    shares = offender.get("shares")
    if shares:
        text += ": " + ", ".join(f"{short_name(s['icb_name'])} {s['share']:.1%}" for s in shares)
    return text
