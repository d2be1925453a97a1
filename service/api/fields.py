"""Field types of the request bodies (bodies.py). Each states its bounds as pydantic
constraints, so the OpenAPI document shows exactly what pydantic checks: strict types (a
string is no number, 1 is no boolean), ranges, lengths, enums. Text goes through
geodata's one text check (``text_problem``: lengths in characters and bytes, control
characters, blank), the same the CLI's parsers use.

A check of ours refuses with ``refuse(predicate)``: the predicate says what is wrong of
the value ("is 201 characters long; at most 200") and spec.py puts the value's JSON path in
front ("places[0].name is 201 …"); ``refuse_whole`` for a sentence about the whole body.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from geodata.validation import TextRule, text_problem

from ..db import MAX_ID, parse_id
from .schemas import VINTAGE_ENUM

#: The error type of a refusal whose message is a predicate (the path goes in front).
REFUSED = "refused"
#: The error type of a refusal whose message is a whole sentence.
REFUSED_WHOLE = "refused_whole"


def refuse(predicate: str) -> PydanticCustomError:
    return PydanticCustomError(REFUSED, predicate)


def refuse_whole(sentence: str) -> PydanticCustomError:
    return PydanticCustomError(REFUSED_WHOLE, sentence)


def Text(rule: TextRule, about: str, *, required: bool = True, **schema: Any) -> Any:  # noqa: N802
    """Text under ``rule`` (geodata.validation), stripped; ``required``: not blank."""

    def check(raw: object) -> str:
        problem = text_problem(raw, rule, required=required)
        if problem:
            raise refuse(problem)
        return str(raw).strip()

    bounds: dict[str, Any] = {"min_length": 1} if required else {}
    return Annotated[str, Field(max_length=rule.max_chars, description=about, **bounds,
                                **schema), BeforeValidator(check)]  # fmt: skip


def Number(about: str, *, whole: bool = False, **bounds: float) -> Any:  # noqa: N802
    """A finite JSON number (``whole``: an integer) within ``bounds`` (ge, le, gt, lt)."""
    kind = int if whole else float
    limits: dict[str, Any] = {**bounds} if whole else {**bounds, "allow_inf_nan": False}
    return Annotated[kind, Field(strict=True, description=about, **limits)]


def Choice(valid: tuple[str, ...], about: str | None = None) -> Any:  # noqa: N802
    return Annotated[Literal[valid], Field(description=about)]


#: true or false, nothing else (not 1, not "yes").
Flag = Annotated[bool, Field(strict=True)]


def Id(what: str, about: str, *, text_too: bool = False) -> Any:  # noqa: N802
    """A record's id as the databases hold them (1 to MAX_ID); ``text_too``: its digits
    as text are taken too (a form sends nothing else, and the scenario API always took
    them)."""

    def check(raw: object) -> int:
        taken = isinstance(raw, int) and not isinstance(raw, bool) or (
            text_too and isinstance(raw, str))  # fmt: skip
        parsed = parse_id(raw.strip() if isinstance(raw, str) else raw) if taken else None
        if parsed is None:
            raise refuse(f"must be a {what} id (1 to {MAX_ID}), got {_quoted(raw)}")
        return parsed

    return Annotated[int, Field(ge=1, le=MAX_ID, description=about), BeforeValidator(check)]


def _quoted(value: object) -> str:
    if isinstance(value, str):
        return repr(value[:80] + ("…" if len(value) > 80 else ""))
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return repr(value)[:80]


def Vintage(rule: TextRule) -> Any:  # noqa: N802
    """A vintage's name; the document lists the built ones (openapi.py fills them in), and
    the service says which exist (with a "did you mean") when a name is unknown."""
    return Text(rule, "default (absent or blank): the newest built", required=False,
                json_schema_extra={VINTAGE_ENUM: True})  # fmt: skip
