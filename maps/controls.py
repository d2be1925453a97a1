"""Page furniture as folium elements: the style sheet, the sidebar with title and legend,
the source line and a handle for scripts (tests, benchmarks) to find the layers."""

from __future__ import annotations

from branca.element import Figure, MacroElement
from folium.template import Template

from .layer import RawElement

#: The sidebar sits beside the map, not over it, so it never hides part of an area.
#: On narrow screens it goes above the map.
PAGE_CSS = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.folium-map { position: absolute !important; top: 0 !important; bottom: 0; right: 0;
  left: 360px !important; width: auto !important; height: auto !important; }
.leaflet-container { background: #eef1f4; font: inherit; }
.bl-panel { position: absolute; top: 0; bottom: 0; left: 0; width: 360px; overflow: auto;
  box-sizing: border-box; padding: 12px 14px; background: #fff; color: #1a1a1a;
  border-right: 1px solid #ccc; }
@media (max-width: 700px) {
  .bl-panel { width: 100%; bottom: auto; height: 40vh; border-right: 0;
    border-bottom: 1px solid #ccc; }
  .folium-map { left: 0 !important; top: 40vh !important; }
}
.bl-panel h1 { font-size: 18px; margin: 0 0 4px; }
.bl-panel p { margin: 4px 0; }
.bl-panel .bl-sub { color: #444; font-size: 12px; }
.bl-panel table { border-collapse: collapse; margin: 6px 0 2px; font-size: 13px; }
.bl-panel th, .bl-panel td { padding: 2px 8px 2px 0; text-align: left; vertical-align: middle; }
.bl-panel th { font-weight: 600; border-bottom: 1px solid #ccc; }
.bl-panel .num { text-align: right; font-variant-numeric: tabular-nums; }
.bl-panel a { color: #0b5394; }
.bl-swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid #444;
  vertical-align: middle; }
.bl-line { display: inline-block; width: 26px; height: 0; vertical-align: middle; }
.leaflet-control-layers { font-size: 13px; }
.leaflet-control-attribution { max-width: 60vw; white-space: normal; font-size: 11px; }
.bl-tooltip { font-size: 13px; white-space: normal; }
.bl-tooltip th { color: #444; font-weight: 600; padding-right: 10px; text-align: left;
  vertical-align: top; white-space: nowrap; }
.bl-tooltip td { min-width: 12em; max-width: 22em; }
"""


class PageStyle(MacroElement):
    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <link rel="icon" href="data:,">
        <style>{{ this.css }}</style>
        {% endmacro %}
        """
    )

    def __init__(self, css: str = PAGE_CSS) -> None:
        super().__init__()
        self._name = "PageStyle"
        self.css = css


class Sidebar(MacroElement):
    """Ready-made (escaped) HTML beside the map: title, vintage, legend, links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Sidebar"
        self.html = html

    def render(self, **kwargs: object) -> None:  # type: ignore[override]
        # Straight into the page: branca would compile the text as a Jinja template.
        panel = RawElement(f'<aside class="bl-panel">{self.html}</aside>')
        root = self.get_root()
        assert isinstance(root, Figure)
        root.html.add_child(panel, name=self.get_name())


class SourceNote(MacroElement):
    """Adds the data source and vintage to Leaflet's attribution line (bottom right)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.html|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "SourceNote"
        self.html = html


class ReadyFlag(MacroElement):
    """Added last: publishes the map, its layers and the time since navigation started
    as ``window.boundaryLab`` and marks ``<html data-map-ready="true">`` once every
    layer is drawn."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.boundaryLab = {
            readyMs: performance.now(),
            map: {{ this._parent.get_name() }},
            layers: {
            {%- for label, layer in this.layers.items() %}
                {{ label|tojson }}: {{ layer.get_name() }},
            {%- endfor %}
            },
        };
        document.documentElement.setAttribute("data-map-ready", "true");
        {% endmacro %}
        """
    )

    def __init__(self, layers: dict[str, MacroElement]) -> None:
        super().__init__()
        self._name = "ReadyFlag"
        self.layers = layers
