"""Errors the core raises, each carrying a message a user can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class BoundaryLabError(Exception):
    """Base for every error that reaches a user with its message only (no traceback)."""


class InputError(BoundaryLabError):
    """A source file is missing or wrong: names the file, where in it, and the problem."""

    def __init__(self, path: Path | str, problem: str, where: str | None = None) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        location = f"{self.path}, {where}" if where else self.path
        super().__init__(f"{location}: {problem}")

    def __reduce__(self) -> tuple[object, ...]:
        # As it was made, so that it crosses from a build's boundary process intact.
        return type(self), (self.path, self.problem, self.where)


class ConfigError(BoundaryLabError):
    """A vintage declaration (TOML) is incomplete or inconsistent."""


class StoreError(BoundaryLabError):
    """The store is missing, incomplete or from an incompatible build."""


class UsageError(BoundaryLabError):
    """The user asked for something that is not there or not allowed (an unknown name or
    id, an option that does not apply): the command line exits 2 for these, 1 for a
    failure of the work itself."""


class UnknownNameError(UsageError):
    """A name the user gave (layer, vintage, area) is not one of the valid ones."""

    def __init__(self, kind: str, value: str, valid: Iterable[str], hint: str = "") -> None:
        self.kind = kind
        self.value = value
        self.valid = sorted(valid)
        if len(self.valid) <= 20:
            listing = "valid: " + ", ".join(self.valid) if self.valid else "none are available"
        else:
            close = difflib.get_close_matches(value, self.valid, n=5, cutoff=0.5)
            listing = ("did you mean: " + ", ".join(close) + "? ") if close else ""
            listing += f"{len(self.valid)} are valid"
        message = f"unknown {kind} {value!r}; {listing}"
        super().__init__(message + (f" ({hint})" if hint else ""))


class AmbiguousNameError(UnknownNameError):
    """A name that matches several units: not unknown, just not specific enough."""

    def __init__(self, kind: str, value: str, matches: Iterable[str]) -> None:
        self.kind, self.value = kind, value
        self.valid = list(matches)
        shown = ", ".join(self.valid[:10]) + (f" and {len(self.valid) - 10} more"
                                              if len(self.valid) > 10 else "")  # fmt: skip
        BoundaryLabError.__init__(
            self,
            f"ambiguous {kind} {value!r}: it matches {len(self.valid)}: {shown}; give "
            "more of the name, or the code",
        )


def describe_rows(rows: Iterable[object], limit: int = 5) -> str:
    """'rows 3, 7, 9 and 12 more' for messages that must stay on one line."""
    items = list(rows)
    shown = ", ".join(str(r) for r in items[:limit])
    more = len(items) - limit
    return shown + (f" and {more} more" if more > 0 else "")
