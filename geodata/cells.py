"""Text cells and the fixed-width table layout, without pandas (the quick split path of
the CLI prints through these too)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FORMATS = ("table", "json", "csv")


def flat(value: Any) -> Any:
    """One CSV cell: lists joined with '; ', nested records as 'name: 12.3%'."""
    if isinstance(value, list):
        return "; ".join(str(flat(v)) for v in value)
    if isinstance(value, dict):
        name = short_name(value.get("icb_name") or value.get("name") or "")
        share = value.get("share")
        return f"{name}: {share:.1%}" if share is not None else name
    return value


def short_name(name: str) -> str:
    """'NHS Mid and South Essex Integrated Care Board' -> 'Mid and South Essex ICB'."""
    name = name.removeprefix("NHS ")
    return name.replace(" Integrated Care Board", " ICB")


def cell(column: str, value: Any) -> str:
    """One table cell from a plain Python value (see ``output.plain``)."""
    if value is None:
        return ""
    if column.endswith("_name") and isinstance(value, str):
        return short_name(value)
    if "share" in column and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.1%}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(flat(value))
    if column.endswith("_code") or column in ("code", "id", "version", "type"):
        return str(value)
    # Counts of people read with thousands separators; other decimals rounded, a float
    # that is whole (372.0) printed as the whole number it is.
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3f}"


def layout(
    header: Sequence[str],
    cells: list[list[str]],
    numeric: Sequence[bool],
    footer: Sequence[str] = (),
) -> str:
    """A fixed-width text table, numeric columns right-aligned, then a footer."""
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(header), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    if footer:
        out += ["", *footer]
    return "\n".join(out)


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """'1 LSOA', '2 LSOAs', '1,000 detached parts': a number with its noun agreeing."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
