"""Ingest: read the files as the ONS and NHS publish them, validate, assemble a vintage.

``build_vintage`` is imported on first use (PEP 562), so the boundary reader can be
imported without pandas: the build reads the boundaries in a process of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import BuiltVintage, build_vintage

__all__ = ["BuiltVintage", "build_vintage"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
