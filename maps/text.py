"""Numbers and names as people read them on a map. Tooltip and panel text is HTML, so
every value from the data is escaped here."""

from __future__ import annotations

from html import escape

from geodata.output import short_name


def people(value: float) -> str:
    return f"{value:,.0f}"


def percent(share: float) -> str:
    return f"{share:.1%}"


def name(value: str) -> str:
    """An escaped display name; ICB names lose 'NHS' and 'Integrated Care Board'."""
    return escape(short_name(str(value)))


def listing(items: list[str], limit: int = 6) -> str:
    """'a, b, c and 3 more' from already escaped items."""
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return shown + (f" and {more} more" if more > 0 else "") if items else "none"
