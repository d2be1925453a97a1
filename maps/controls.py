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
.bl-map-header { margin: -12px -14px 10px; padding: 8px 14px; background: #0b0c0c; color: #fff;
  border-bottom: 6px solid #1d70b8; }
.bl-map-header a { color: #fff; }
.bl-map-header a:focus { background: #ffdd00; color: #0b0c0c; outline: none; }
.bl-map-home { font-weight: 700; font-size: 17px; text-decoration: none; }
.bl-map-header ul { list-style: none; margin: 4px 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: 2px 12px; font-size: 13px; }
.bl-map-header a[aria-current] { font-weight: 700; text-decoration-thickness: 3px; }
.bl-vintage { display: flex; gap: 6px; align-items: center; font-size: 13px; margin-top: 4px; }
.bl-vintage select, .bl-vintage button { font: inherit; padding: 1px 6px; }
.bl-skip-link { position: absolute; left: -9999px; }
.leaflet-control-layers { font-size: 13px; }
.bl-label span { display: inline-block; transform: translate(-50%, -50%); white-space: nowrap;
  font-size: 12px; font-weight: 600; color: #0b0c0c; text-shadow: 0 0 3px #fff, 0 0 3px #fff,
  0 0 2px #fff; pointer-events: none; }
.bl-key { margin: 6px 0; }
.leaflet-interactive { cursor: pointer; }
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


class Panes(MacroElement):
    """Leaflet panes above the overlay pane (400): borders that must stay on top of every
    other layer, then the labels, which never take the mouse."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.createPane("bl-top").style.zIndex = 450;
        var bl_labels_pane = {{ this._parent.get_name() }}.createPane("bl-labels");
        bl_labels_pane.style.zIndex = 460;
        bl_labels_pane.style.pointerEvents = "none";
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Panes"


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
