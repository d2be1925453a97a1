"""Boundary Lab's domain core: ingest, the LSOA block store, splits and typology.

No Flask, no folium. Import submodules directly (``geodata.splits``...): this package
imports nothing heavy on its own, so the CLI's table paths stay fast.
"""

__version__ = "0.1.0"
