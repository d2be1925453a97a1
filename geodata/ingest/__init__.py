"""Ingest: read the files as the ONS and NHS publish them, validate, assemble a vintage.

``build_vintage`` is imported on first use (PEP 562): the build's boundary process
imports ``boundary_work`` from here, and starts sooner without the build and its
declarations (about 30 ms, on the build's critical path)."""

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
