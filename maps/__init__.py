"""Folium map pages built from geodata results: no Flask and no file reading here.

``pages`` turns a loaded vintage into complete HTML pages; the builders (``overview``,
``split``, ``typology``, ``area``) take frames and results and return folium maps;
``screen`` prepares geometry for the screen.
"""

from .base import MapOptions, render_page

__all__ = ["MapOptions", "render_page"]
