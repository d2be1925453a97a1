"""The rows of a benchmark's Markdown table (``bench_maps.py``, ``bench_editor.py``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    measure: str
    median: str
    target: str
    met: bool | None  # None: no target

    def cells(self) -> list[str]:
        met = "–" if self.met is None else ("yes" if self.met else "**no**")
        return [self.measure, self.median, self.target, met]


def table(rows: list[Row]) -> str:
    header = ["measure", "median", "target", "met?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)
