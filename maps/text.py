"""Numbers and names as people read them on a map. Tooltip and panel text is HTML, so
every value from the data is escaped here."""

from __future__ import annotations

from html import escape

from geodata.cells import counted, short_name

__all__ = ["counted", "listing", "name", "people", "percent", "plain"]


def people(value: float) -> str:
    return f"{value:,.0f}"


def percent(share: float) -> str:
    return f"{share:.1%}"


def plain(value: str) -> str:
    """A display name as plain text; ICB names lose 'NHS' and 'Integrated Care Board'."""
    return short_name(str(value))


def name(value: str) -> str:
    """An escaped display name (see ``plain``)."""
    return escape(plain(value))


def listing(items: list[str], limit: int = 6) -> str:
    """'a, b, c and 3 more' from already escaped items."""
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return shown + (f" and {more} more" if more > 0 else "") if items else "none"
