"""Ingest: read the files as the ONS and NHS publish them, validate, assemble a vintage."""

from .build import BuiltVintage, build_vintage

__all__ = ["BuiltVintage", "build_vintage"]
