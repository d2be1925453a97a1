"""Built-in scenarios a vintage declares ([[scenarios]]): read at build, checked against
the vintage's ICBs, and kept in meta.json so the store needs no source file at run time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..config import MergerSpec
from ..errors import InputError, describe_rows
from ..layers import code_column
from .tables import line_numbers, read_csv


def read_merger(source: Path, spec: MergerSpec, table: pd.DataFrame) -> dict[str, Any]:
    """The groups of ``spec`` with member codes checked: each an ICB of the vintage, none
    in two groups."""
    path = source / spec.file
    columns = [spec.group, spec.members] + [c for c in (spec.confidence, spec.outcome) if c]
    frame = read_csv(path, columns)
    icbs = set(table[code_column("icb")].dropna().astype(str))
    members = frame[spec.members].str.split(";").map(lambda codes: [c.strip() for c in codes])
    unknown = members.map(lambda codes: [c for c in codes if c not in icbs])
    bad = unknown.map(bool)
    if bad.any():
        raise InputError(
            path,
            f"{spec.members} names ICB code(s) {', '.join(unknown[bad].iloc[0])} that are "
            f"not ICBs of this vintage; {int(bad.sum())} row(s) affected",
            where="line " + describe_rows(line_numbers(bad)),
        )
    seen: dict[str, str] = {}
    groups = []
    for group, codes, (_, row) in zip(frame[spec.group], members, frame.iterrows(), strict=True):
        for code in codes:
            if code in seen:
                raise InputError(path, f"ICB {code} is in both group {seen[code]} and {group}")
            seen[code] = group
        groups.append({
            "id": group,
            "members": codes,
            "confidence": row[spec.confidence] if spec.confidence else "",
            "outcome": row[spec.outcome] if spec.outcome else "",
        })  # fmt: skip
    missing = sorted(icbs - set(seen))
    return {"key": spec.key, "name": spec.name, "description": spec.description,
            "file": spec.file, "groups": groups, "icbs_in_no_group": missing}  # fmt: skip
