"""Interactive maps of a plan (folium / Leaflet), self-contained and usable offline.

Two views:

- :func:`route_map`: one rep's day, the route in order, numbered stops whose
  popups give the times, the rep's start (and end) point, a panel with the
  day's figures;
- :func:`overview_map`: the whole cycle, every outlet coloured by the weekday
  of its visits (its route line), one layer per rep and weekday, the reps'
  start points, the outlets with unscheduled visits marked with the reason,
  and the route lines of every day as layers to switch on.

:func:`write_maps` writes both as HTML files, ``maps/overview.html``,
``maps/index.html`` (links to every map) and ``maps/<rep>/<date>.html``.

**Offline.** With ``offline=True`` (the default) Leaflet's JavaScript and CSS
are inlined into each file from the local copy of the ``xstatic-leaflet``
package, and folium's other assets (jQuery, Bootstrap, Font Awesome...) are
left out: the markers are plain ``DivIcon``\\ s and circles that need no other
library. A map opened with no network shows every marker and route on a
plain background; only the tiles are missing, and the map says so.

**Tiles.** :data:`TILES` names the providers (``osm``, the default;
``carto``; ``amap`` or ``gaode``, AutoNavi's map of China; ``none``), or pass
a :class:`TileProvider` of your own (an in-house tile server, say). AutoNavi's
tiles are drawn in GCJ-02, China's official shifted datum: on them every
point the map draws (stops, start points, lines, the view) is converted from
WGS-84 with :func:`routeopt.geocode.from_wgs84`, or it would sit several
hundred metres off. Outside mainland China GCJ-02 is WGS-84, and points stay
as they are.

Needs the ``reports`` extra: ``pip install "routeopt[reports]"``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from routeopt._files import atomic_write
from routeopt.exceptions import InputError, Issue
from routeopt.export._labels import clock, labels, weekday_name
from routeopt.geocode import from_wgs84, parse_crs

if TYPE_CHECKING:
    import folium

    from routeopt.export._cli import ExportOptions
    from routeopt.plan import Plan, Route
    from routeopt.problem import Outlet, Rep

__all__ = ["TILES", "WEEKDAY_COLOURS", "TileProvider", "distinct_colours", "overview_map",
           "route_map", "safe_name", "territory_map", "tile_provider", "write", "write_maps"]

#: One colour per weekday (Monday first): the Okabe-Ito palette, told apart with
#: the common colour-vision deficiencies, and a brown for Sunday.
WEEKDAY_COLOURS: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9",
                          "#8C564B")
_UNSCHEDULED: Final = "#C0392B"
_HOME: Final = "#222222"


@dataclass(frozen=True)
class TileProvider:
    """A tile layer: the URL template, its attribution and the datum its tiles are drawn in.

    Parameters
    ----------
    name
        What the layer control calls it.
    url
        A Leaflet URL template (``{z}``, ``{x}``, ``{y}``, ``{s}``); empty for no tiles.
    attribution
        The credit the provider asks for (HTML).
    crs
        The datum the tiles are drawn in: ``wgs84`` or ``gcj02`` (any spelling
        :func:`routeopt.geocode.parse_crs` takes). Points are converted to it.
    subdomains
        The values of ``{s}``.
    max_zoom
        The highest zoom the provider serves.
    """

    name: str
    url: str
    attribution: str = ""
    crs: str = "wgs84"
    subdomains: str = "abc"
    max_zoom: int = 19

    def __post_init__(self) -> None:
        try:
            crs = parse_crs(self.crs)
        except ValueError as e:
            raise InputError([Issue(f"{e}", column="crs")]) from None
        if crs == "bd09":
            raise InputError([Issue("BD-09 tiles (Baidu) use their own projection, which "
                                    "Leaflet does not draw; use amap (GCJ-02) instead",
                                    column="crs")])
        object.__setattr__(self, "crs", crs)


_OSM_ATTR: Final = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                    'OpenStreetMap</a> contributors')
#: The tile providers by name (``tiles=`` and ``--tiles``).
TILES: Final[Mapping[str, TileProvider]] = {
    "osm": TileProvider("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                        _OSM_ATTR),
    "carto": TileProvider("CARTO Positron",
                          "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
                          _OSM_ATTR + ' &copy; <a href="https://carto.com/attributions">CARTO</a>',
                          subdomains="abcd", max_zoom=20),
    "amap": TileProvider("高德地图 AutoNavi",
                         "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1"
                         "&scale=1&style=8&x={x}&y={y}&z={z}",
                         '&copy; <a href="https://www.amap.com/">高德地图 AutoNavi</a>',
                         crs="gcj02", subdomains="1234", max_zoom=18),
    "none": TileProvider("no tiles", ""),
}
_ALIASES: Final = {"gaode": "amap", "autonavi": "amap", "openstreetmap": "osm", "": "osm"}


def tile_provider(tiles: str | TileProvider | None) -> TileProvider:
    """The :class:`TileProvider` that ``tiles`` names (``None``: ``osm``).

    Raises
    ------
    InputError
        An unknown name: the message lists the known ones.

    Examples
    --------
    >>> tile_provider("gaode").crs, tile_provider(None).name
    ('gcj02', 'OpenStreetMap')
    """
    if isinstance(tiles, TileProvider):
        return tiles
    key = (tiles or "").strip().lower()
    key = _ALIASES.get(key, key)
    if key not in TILES:
        names = ", ".join([*TILES, *sorted(k for k in _ALIASES if k)])
        raise InputError([Issue(f"unknown tiles {tiles!r}; use one of {names}, or a "
                                "TileProvider for a tile server of your own", column="tiles")])
    return TILES[key]


def safe_name(text: str) -> str:
    """A file or folder name for a rep id: the id itself when it is safe, else its safe
    characters and a short hash (so that two ids never share a name).

    Examples
    --------
    >>> safe_name("R1"), safe_name("Nord/Ost 3")
    ('R1', 'Nord_Ost_3-9a8fcbfd')
    """
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", text):
        return text
    short = re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:60].strip("._") or "rep"
    return f"{short}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


# -- the libraries -------------------------------------------------------------------------


def _folium() -> Any:
    try:
        import folium
    except ImportError as e:  # pragma: no cover - the extra is installed in the tests
        raise ImportError('maps need folium: pip install "routeopt[reports]"') from e
    return folium


@functools.lru_cache(maxsize=1)
def _leaflet() -> tuple[str, str]:
    """Leaflet's JavaScript and CSS from the local ``xstatic-leaflet`` copy, the CSS's
    images inlined as data URIs."""
    try:
        from xstatic.pkg import leaflet
    except ImportError as e:  # pragma: no cover - the extra is installed in the tests
        raise ImportError('offline maps need xstatic-leaflet: pip install "routeopt[reports]"'
                          ) from e
    base = Path(leaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(m: re.Match[str]) -> str:
        png = (base / "images" / m.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)
    # A script ends at the first "</script": escape any inside the code.
    return js.replace("</script", "<\\/script"), css


_LEAFLET_CDN: Final = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/"
_CSS: Final = """
.leaflet-container { background: #f2efe9; font: 13px/1.35 system-ui, -apple-system,
  "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", sans-serif; }
.routeopt-stop div { width: 24px; height: 24px; border-radius: 50%; color: #fff;
  font-weight: 700; font-size: 12px; line-height: 24px; text-align: center;
  border: 2px solid #fff; box-shadow: 0 1px 4px rgba(0,0,0,.45); }
.routeopt-home div { width: 26px; height: 26px; border-radius: 5px; background: #222;
  color: #fff; font-size: 15px; line-height: 26px; text-align: center;
  border: 2px solid #fff; box-shadow: 0 1px 4px rgba(0,0,0,.45); }
.routeopt-home span { position: absolute; left: 32px; top: 5px; white-space: nowrap;
  font-weight: 700; color: #222; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.routeopt-unscheduled div { width: 18px; height: 18px; color: #C0392B; font-size: 22px;
  font-weight: 900; line-height: 18px; text-align: center;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.routeopt-panel { background: rgba(255,255,255,.94); padding: 8px 11px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); max-width: 330px; color: #222; }
.routeopt-panel ol { margin: 6px 0 0; padding: 0; list-style: none; max-height: 45vh;
  overflow-y: auto; }
.routeopt-panel li { padding: 1px 0; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.routeopt-panel li b { display: inline-block; min-width: 20px; text-align: right;
  margin-right: 5px; }
.routeopt-panel .chips span { white-space: nowrap; margin-right: 8px; }
@media (max-width: 720px) {
  .routeopt-panel { max-width: 62vw; font-size: 11px; padding: 5px 7px; }
  .routeopt-panel ol, .routeopt-panel .chips { display: none; }
}
.routeopt-panel h3 { margin: 0 0 4px; font-size: 14px; }
.routeopt-panel table { border-collapse: collapse; }
.routeopt-panel td { padding: 1px 6px 1px 0; vertical-align: top; }
.routeopt-panel .key { display: inline-block; width: 12px; height: 12px; border-radius: 50%;
  margin-right: 5px; vertical-align: -1px; border: 1px solid #555; }
.routeopt-panel .note { color: #8a5a00; margin-top: 5px; display: none; }
.routeopt-popup table { border-collapse: collapse; }
.routeopt-popup th { text-align: left; padding: 1px 8px 1px 0; color: #555; font-weight: 600;
  vertical-align: top; white-space: nowrap; }
.routeopt-popup td { padding: 1px 0; }
.routeopt-popup h4 { margin: 0 0 4px; font-size: 14px; }
"""


@functools.lru_cache(maxsize=1)
def _elements() -> tuple[Any, Any, Any, Any, Any, Any]:
    """The elements folium lacks, made once: ``Raw`` renders its text as it is (Leaflet's
    code holds braces a template would read), ``Bind`` gives its marker or line a popup
    and a tooltip (folium's popups need jQuery), ``Panel`` is the control at the top
    right, whose note shows when a tile fails to load (no network); ``Fit`` fits the view
    to the points, beside the panel where the screen is wide enough; ``Circles`` draws
    a layer's outlets from one list ``[lat, lon, radius, colour, popup, tooltip]``, and
    ``Stops`` a route's numbered stops from ``[lat, lon, number, colour, popup, tooltip]``
    (the first stop on top where stops share a place)."""
    from branca.element import Element, MacroElement
    from jinja2 import Template

    class Raw(Element):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

        def render(self, **kwargs: Any) -> str:
            return self.text

    class Fast(MacroElement):
        """A macro element whose script goes into the page as it is: branca's own
        ``render`` compiles each element's output as a new template, which took most of
        the time of an overview of thousands of outlets."""

        def render(self, **kwargs: Any) -> str:
            script = self._template.module.__dict__["script"]
            root: Any = self.get_root()
            root.script.add_child(Raw(script(self, kwargs)), name=self.get_name())
            for child in self._children.values():
                child.render(**kwargs)
            return ""

    class Bind(Fast):
        _template = Template("""
{% macro script(this, kwargs) %}
{%- if this.popup %}
{{ this._parent.get_name() }}.bindPopup({{ this.popup|tojson }}, {maxWidth: {{ this.width }}});
{%- endif %}
{%- if this.tooltip %}
{{ this._parent.get_name() }}.bindTooltip({{ this.tooltip|tojson }}, {sticky: true});
{%- endif %}
{% endmacro %}
""")

        def __init__(self, popup: str, tooltip: str, width: int) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "Bind"
            self.popup, self.tooltip, self.width = popup, tooltip, width

    class Panel(Fast):
        _template = Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var panel = L.control({position: "topright"});
  panel.onAdd = function () {
    var div = L.DomUtil.create("div", "routeopt-panel");
    div.innerHTML = {{ this.body|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  panel.addTo(map);
  var shown = false;
  map.eachLayer(function (layer) {
    if (layer instanceof L.TileLayer) {
      layer.on("tileerror", function () {
        if (shown) { return; }
        shown = true;
        var note = document.querySelector(".routeopt-panel .note");
        if (note) { note.textContent = {{ this.note|tojson }}; note.style.display = "block"; }
      });
    }
  });
})({{ this._parent.get_name() }});
{% endmacro %}
""")

        def __init__(self, body: str, note: str) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "RouteoptPanel"
            self.body, self.note = body, note

    class Fit(Fast):
        _template = Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var wide = map.getSize().x > 720;  // beside the panel on a screen, under it on a phone
  map.fitBounds({{ this.bounds|tojson }},
                {paddingTopLeft: [30, 30], paddingBottomRight: [wide ? 380 : 30, 30]});
})({{ this._parent.get_name() }});
{% endmacro %}
""")

        def __init__(self, bounds: list[list[float]]) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "RouteoptFit"
            self.bounds = bounds

    class Circles(Fast):
        _template = Template("""
{% macro script(this, kwargs) %}
(function (layer) {
  {{ this.points|tojson }}.forEach(function (p) {
    L.circleMarker([p[0], p[1]], {radius: p[2], color: "#333", weight: 1, fill: true,
                                  fillColor: p[3], fillOpacity: 0.9,
                                  className: "routeopt-outlet"})
      .bindPopup(p[4], {maxWidth: 360}).bindTooltip(p[5], {sticky: true}).addTo(layer);
  });
})({{ this._parent.get_name() }});
{% endmacro %}
""")

        def __init__(self, points: list[list[Any]]) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "RouteoptCircles"
            self.points = points

    class Stops(Fast):
        _template = Template("""
{% macro script(this, kwargs) %}
(function (map) {
  {{ this.points|tojson }}.forEach(function (p) {
    var icon = L.divIcon({html: "<div style='background:" + p[3] + "'>" + p[2] + "</div>",
                          className: "routeopt-stop", iconSize: [28, 28], iconAnchor: [14, 14]});
    L.marker([p[0], p[1]], {icon: icon, zIndexOffset: -p[2]})
      .bindPopup(p[4], {maxWidth: 340}).bindTooltip(p[5], {sticky: true}).addTo(map);
  });
})({{ this._parent.get_name() }});
{% endmacro %}
""")

        def __init__(self, points: list[list[Any]]) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "RouteoptStops"
            self.points = points

    return Raw, Bind, Panel, Fit, Circles, Stops


def _raw(text: str) -> Any:
    return _elements()[0](text)


def _bind(layer: Any, popup: str = "", tooltip: str = "", width: int = 340) -> Any:
    """Give ``layer`` a popup (HTML) and a tooltip (plain text); return it."""
    layer.add_child(_elements()[1](popup, tooltip, width))
    return layer


def _panel(body: str, note: str) -> Any:
    return _elements()[2](body, note)


# -- helpers -------------------------------------------------------------------------------


def _duration(seconds: int, lab: Mapping[str, str]) -> str:
    h, m = divmod(round(seconds / 60), 60)
    return f"{h} {lab['h']} {m:02d} {lab['min']}" if h else f"{m} {lab['min']}"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _attributes(outlet: Outlet) -> dict[str, str]:
    """The outlet's extra columns, keys lowered (``Outlet.attributes``, where it exists)."""
    attrs: Mapping[str, str] = getattr(outlet, "attributes", None) or {}
    return {str(k).lower(): str(v) for k, v in attrs.items() if str(v).strip()}


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{_esc(k)}</th><td>{v}</td></tr>" for k, v in pairs if v)


def _day_title(rep: Rep, day: date, lang: str) -> str:
    who = f"{rep.id} · {rep.name}" if rep.name else rep.id
    return f"{who} — {weekday_name(day.weekday(), lang)} {day.isoformat()}"


def _new_map(fl: Any, provider: TileProvider, offline: bool) -> Any:
    m = fl.Map(location=None, tiles=None, control_scale=True, zoom_start=13, zoom_snap=0.25,
                   max_zoom=max(provider.max_zoom, 18))
    # Only Leaflet itself: folium's defaults also load jQuery, Bootstrap and Font Awesome
    # from the network, which the maps do not use.
    m.default_css = []
    header = m.get_root().header
    if offline:
        js, css = _leaflet()
        m.default_js = []
        header.add_child(_raw(f"<script>{js}</script>"), name="leaflet")
        header.add_child(_raw(f"<style>{css}</style>"), name="leaflet_css")
    else:
        m.default_js = [("leaflet", _LEAFLET_CDN + "leaflet.js")]
        m.default_css = [("leaflet_css", _LEAFLET_CDN + "leaflet.css")]
    header.add_child(_raw(f"<style>{_CSS}</style>"), name="routeopt_css")
    if provider.url:
        fl.TileLayer(tiles=provider.url, attr=provider.attribution, name=provider.name,
                         subdomains=provider.subdomains, max_zoom=provider.max_zoom,
                         control=False).add_to(m)
    return m


def _finish(m: Any, points: Sequence[tuple[float, float]]) -> Any:
    """Fit the view to ``points`` and number the elements in order, so that the same plan
    always gives the same file (folium draws random names)."""
    if points:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        m.add_child(_elements()[3]([[min(lats), min(lons)], [max(lats), max(lons)]]))
    count = 0

    def walk(el: Any) -> None:
        nonlocal count
        el._id = f"{count:04d}"
        count += 1
        for child in list(el._children.values()):
            walk(child)

    walk(m.get_root())
    return m


def _projector(provider: TileProvider) -> Callable[[float, float], tuple[float, float]]:
    if provider.crs == "wgs84":
        return lambda lat, lon: (lat, lon)
    return lambda lat, lon: from_wgs84(lat, lon, provider.crs)


def _home(fl: Any, rep: Rep, xy: tuple[float, float], popup: str, label: str) -> Any:
    icon = fl.DivIcon(html=f"<div>⌂</div><span>{_esc(label)}</span>",
                          icon_size=(30, 30), icon_anchor=(15, 15), class_name="routeopt-home")
    return _bind(fl.Marker(xy, icon=icon), f"<div class='routeopt-popup'>{popup}</div>",
                 label, 320)


def _route(plan: Plan, rep_id: str, day: date | str) -> Route:
    when = day if isinstance(day, date) else None
    if when is None:
        try:
            when = date.fromisoformat(str(day))
        except ValueError:
            raise InputError([Issue(f"{day!r} is not a date; write it as YYYY-MM-DD",
                                    column="day")]) from None
    for r in plan.routes:
        if r.rep_id == rep_id and r.date == when:
            return r
    days = [r.date.isoformat() for r in plan.routes if r.rep_id == rep_id]
    if not days:
        reps = sorted({r.rep_id for r in plan.routes})
        raise InputError([Issue(f"rep {rep_id!r} has no route in the plan; reps with routes: "
                                f"{', '.join(reps) or 'none'}", column="rep_id")])
    raise InputError([Issue(f"rep {rep_id!r} has no route on {when.isoformat()}; its days: "
                            f"{', '.join(days[:12])}{' ...' if len(days) > 12 else ''}",
                            column="day")])


# -- the views -----------------------------------------------------------------------------


def route_map(plan: Plan, rep_id: str, day: date | str, *,
              tiles: str | TileProvider | None = None, lang: str = "en",
              offline: bool = True) -> folium.Map:
    """One rep's day: the route in order, numbered stops, their times in the popups.

    Parameters
    ----------
    plan
        The plan.
    rep_id, day
        The rep and the date (a :class:`~datetime.date` or ``YYYY-MM-DD``) of a route.
    tiles
        A name of :data:`TILES` or a :class:`TileProvider` (default ``osm``).
    lang
        The language of the labels (``en``, ``zh``).
    offline
        Inline Leaflet into the page (no network needed); ``False`` links it from a CDN.

    Returns
    -------
    folium.Map
        Save it with ``.save(path)``, or show it in a notebook.

    Raises
    ------
    InputError
        The rep has no route that day (the message lists its days), an unknown
        ``tiles`` or ``lang``.
    """
    fl = _folium()
    lab = labels(lang)
    provider = tile_provider(tiles)
    to_map = _projector(provider)
    route = _route(plan, rep_id, day)
    outlets = {o.id: o for o in plan.problem.outlets}
    rep = next(r for r in plan.problem.reps if r.id == rep_id)
    colour = WEEKDAY_COLOURS[route.date.weekday()]
    m = _new_map(fl, provider, offline)

    start = to_map(rep.lat, rep.lon)
    end = to_map(rep.end_lat if rep.end_lat is not None else rep.lat,
                 rep.end_lon if rep.end_lon is not None else rep.lon)
    line = [start]
    stops: list[list[Any]] = []
    brk = ""
    if route.break_start is not None and route.break_end is not None:
        brk = f"{clock(route.break_start)}–{clock(route.break_end)}"
    for k, s in enumerate(route.stops, start=1):
        o = outlets[s.outlet_id]
        xy = to_map(o.lat, o.lon)
        line.append(xy)
        attrs = _attributes(o)
        name = o.name or o.id
        times = f"{clock(s.start)}–{clock(s.end)}"
        rows = _rows([
            (lab["outlet"], _esc(o.id)),
            (lab["address"], _esc(o.address)),
            (lab["arrival"], clock(s.arrival)),
            (lab["start"], clock(s.start)),
            (lab["end"], clock(s.end)),
            (lab["wait"], _duration(s.wait_s, lab) if s.wait_s >= 60 else ""),
            (lab["travel"], f"{_duration(s.travel_s, lab)} · {s.distance_m / 1000:.1f} km"),
            (lab["priority"], str(o.priority)),
            (lab["phone"], _esc(attrs.get("phone", ""))),
            (lab["contact"], _esc(attrs.get("contact", ""))),
            (lab["notes"], _esc(attrs.get("purpose", attrs.get("notes", "")))),
            (lab["visit_label"], _esc(s.label)),
        ])
        popup = (f"<div class='routeopt-popup'><h4>{k}. {_esc(name)}</h4>"
                 f"<table>{rows}</table></div>")
        stops.append([xy[0], xy[1], k, colour, popup, f"{k}. {name} · {times}"])
    line.append(end)
    fl.PolyLine(line, color=colour, weight=4, opacity=0.8).add_to(m)
    m.add_child(_elements()[5](stops))
    # The start point above the line and the stops' order: drawn last.
    home_rows = _rows([(lab["depart"], clock(route.depart)),
                       (lab["back"], clock(route.back)),
                       (lab["break"], brk)])
    home_popup = f"<h4>{_esc(_day_title(rep, route.date, lang))}</h4><table>{home_rows}</table>"
    _home(fl, rep, start, home_popup, rep.id).add_to(m)
    if end != start:
        _home(fl, rep, end, home_popup, f"{rep.id} ({lab['end']})").add_to(m)

    figures = _rows([
        (lab["visits"], str(len(route.stops))),
        (lab["day"], f"{clock(route.depart)}–{clock(route.back)}"),
        (lab["travel"], f"{_duration(route.travel_s, lab)} · {route.distance_m / 1000:.1f} km"),
        (lab["break"], brk),
    ]).replace("<th>", "<td>").replace("</th>", "</td>")
    order = "".join(f"<li><b>{k}</b>{clock(s.start)} "
                    f"{_esc(outlets[s.outlet_id].name or s.outlet_id)}</li>"
                    for k, s in enumerate(route.stops, start=1))
    body = (f"<h3><span class='key' style='background:{colour}'></span>"
            f"{_esc(_day_title(rep, route.date, lang))}</h3><table>{figures}</table>"
            f"<ol>{order}</ol><div class='note'></div>")
    _panel(body, lab["offline_tiles"]).add_to(m)
    done: folium.Map = _finish(m, [start, end, *line])
    return done


def overview_map(plan: Plan, *, rep_id: str | None = None,
                 tiles: str | TileProvider | None = None, lang: str = "en",
                 offline: bool = True) -> folium.Map:
    """The whole cycle: every outlet coloured by the weekday of its visits.

    One layer per rep and weekday (its outlets, coloured by the weekday: the
    route line), the reps' start points, the outlets with unscheduled visits
    (a red cross, the reasons in the popup), and per rep a layer of the day
    routes' lines, off at first. Each outlet's popup lists its visits.

    Parameters
    ----------
    plan
        The plan.
    rep_id
        Only this rep's outlets and routes (default: every rep).
    tiles, lang, offline
        As for :func:`route_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    InputError
        An unknown ``rep_id``, ``tiles`` or ``lang``.
    """
    fl = _folium()
    lab = labels(lang)
    provider = tile_provider(tiles)
    to_map = _projector(provider)
    reps = {r.id: r for r in plan.problem.reps}
    if rep_id is not None and rep_id not in reps:
        raise InputError([Issue(f"rep {rep_id!r} is not in the plan; its reps: "
                                f"{', '.join(reps)}", column="rep_id")])
    outlets = {o.id: o for o in plan.problem.outlets}
    routes = [r for r in plan.routes if rep_id is None or r.rep_id == rep_id]
    m = _new_map(fl, provider, offline)
    points: list[tuple[float, float]] = []

    # outlet -> its visits; (rep, weekday) -> its outlets in first-visit order
    visits: dict[str, list[tuple[Route, int]]] = defaultdict(list)
    lines: dict[tuple[str, int], dict[str, None]] = defaultdict(dict)
    for r in routes:
        for k, s in enumerate(r.stops, start=1):
            visits[s.outlet_id].append((r, k))
            lines[(r.rep_id, r.date.weekday())][s.outlet_id] = None

    def popup(o: Outlet) -> str:
        rows = _rows([(lab["outlet"], _esc(o.id)), (lab["address"], _esc(o.address)),
                      (lab["priority"], str(o.priority))])
        vis = "".join(
            f"<tr><td>{_esc(weekday_name(r.date.weekday(), lang))} {r.date.isoformat()}</td>"
            f"<td>{_esc(r.rep_id)} #{k}</td><td>{clock(r.stops[k - 1].start)}</td></tr>"
            for r, k in sorted(visits.get(o.id, []), key=lambda v: (v[0].date, v[0].rep_id)))
        missed = "".join(
            f"<tr><td colspan='3' style='color:{_UNSCHEDULED}'>✖ {_esc(lab['unscheduled'])}"
            f"{' ' + u.date.isoformat() if u.date else ''}: {_esc(u.message)} "
            f"({_esc(u.reason)})</td></tr>"
            for u in plan.unscheduled if u.outlet_id == o.id)
        body = (f"<div class='routeopt-popup'><h4>{_esc(o.name or o.id)}</h4>"
                f"<table>{rows}</table><table>{vis}{missed}</table></div>")
        return body

    used_days = sorted({wd for _, wd in lines})
    for (rid, wd), ids in sorted(lines.items()):
        group = fl.FeatureGroup(name=f"{rid} · {weekday_name(wd, lang)}")
        circles = []
        for oid in ids:
            o = outlets[oid]
            xy = to_map(o.lat, o.lon)
            points.append(xy)
            circles.append([xy[0], xy[1], 7 if o.priority <= 2 else 6, WEEKDAY_COLOURS[wd],
                            popup(o), f"{o.name or o.id} · {rid} · {weekday_name(wd, lang)}"])
        group.add_child(_elements()[4](circles))
        group.add_to(m)

    by_rep: dict[str, list[Route]] = defaultdict(list)
    for r in routes:
        by_rep[r.rep_id].append(r)
    for rid, rs in by_rep.items():
        rep = reps[rid]
        group = fl.FeatureGroup(name=f"{rid} · {lab['routes']}", show=False)
        for r in rs:
            start = to_map(rep.lat, rep.lon)
            end = to_map(rep.end_lat if rep.end_lat is not None else rep.lat,
                         rep.end_lon if rep.end_lon is not None else rep.lon)
            pts = [start, *(to_map(outlets[s.outlet_id].lat, outlets[s.outlet_id].lon)
                            for s in r.stops), end]
            _bind(fl.PolyLine(pts, color=WEEKDAY_COLOURS[r.date.weekday()], weight=2.5,
                                  opacity=0.7), "", _day_title(rep, r.date, lang)).add_to(group)
        group.add_to(m)

    missed_ids = dict.fromkeys(u.outlet_id for u in plan.unscheduled
                               if u.outlet_id in outlets and
                               (rep_id is None or outlets[u.outlet_id].rep_id in (None, rep_id)))
    if missed_ids:
        group = fl.FeatureGroup(name=f"✖ {lab['unscheduled']} ({len(missed_ids)})")
        for oid in missed_ids:
            o = outlets[oid]
            xy = to_map(o.lat, o.lon)
            points.append(xy)
            icon = fl.DivIcon(html="<div>✖</div>", icon_size=(18, 18), icon_anchor=(9, 9),
                                  class_name="routeopt-unscheduled")
            _bind(fl.Marker(xy, icon=icon), popup(o),
                  f"{o.name or o.id} · {lab['unscheduled']}", 360).add_to(group)
        group.add_to(m)

    homes = fl.FeatureGroup(name=f"⌂ {lab['homes']}")
    for rid in ([rep_id] if rep_id is not None else list(reps)):
        rep = reps[rid]
        rs = by_rep.get(rid, [])
        xy = to_map(rep.lat, rep.lon)
        points.append(xy)
        rows = _rows([(lab["rep"], _esc(rep.name)), (lab["route_days"], str(len(rs))),
                      (lab["visits"], str(sum(len(r.stops) for r in rs)))])
        _home(fl, rep, xy, f"<h4>{_esc(rid)}</h4><table>{rows}</table>", rid).add_to(homes)
    homes.add_to(m)

    chips = "".join(f"<span><span class='key' style='background:{WEEKDAY_COLOURS[wd]}'></span>"
                    f"{_esc(weekday_name(wd, lang))}</span> " for wd in used_days)
    chips += (f"<span><span class='key' style='background:{_HOME};border-radius:2px'></span>"
              f"{_esc(lab['homes'])}</span> ")
    if missed_ids:
        chips += (f"<span><b style='color:{_UNSCHEDULED}'>✖</b> {_esc(lab['unscheduled'])} "
                  f"({len(missed_ids)})</span>")
    h = plan.problem.horizon
    scheduled = sum(len(r.stops) for r in routes)
    figures = _rows([
        (lab["visits"], f"{scheduled} / {plan.problem.required_visits}" if rep_id is None
         else str(scheduled)),
        (lab["outlets"], str(len(visits))),
        (lab["route_days"], str(len(routes))),
        (lab["travel"], f"{_duration(sum(r.travel_s for r in routes), lab)}"),
    ]).replace("<th>", "<td>").replace("</th>", "</td>")
    body = (f"<h3>{_esc(lab['overview'])}{' · ' + _esc(rep_id) if rep_id else ''}: "
            f"{h.start.isoformat()} – {h.end.isoformat()}</h3><table>{figures}</table>"
            f"<div class='chips'>{chips}</div><div class='note'></div>")
    _panel(body, lab["offline_tiles"]).add_to(m)
    fl.LayerControl(position="bottomright", collapsed=len(lines) > 10).add_to(m)
    done: folium.Map = _finish(m, points)
    return done


def distinct_colours(n: int) -> list[str]:
    """``n`` colours that tell apart on a map: hues a golden angle apart, two lightnesses.

    Examples
    --------
    >>> distinct_colours(3)
    ['#d33c3c', '#28af4f', '#943cd3']
    """
    import colorsys

    out = []
    for k in range(n):
        h = (k * 0.381966) % 1.0
        r, g, b = colorsys.hls_to_rgb(h, 0.53 if k % 2 == 0 else 0.42, 0.63)
        out.append(f"#{round(255 * r):02x}{round(255 * g):02x}{round(255 * b):02x}")
    return out


def territory_map(outlets: Sequence[Outlet], reps: Sequence[Rep], assignment: Mapping[str, str],
                  *, tiles: str | TileProvider | None = None, lang: str = "en",
                  offline: bool = True, title: str = "") -> folium.Map:
    """Territories on a map: one colour and one layer per rep, its outlets and its home.

    Parameters
    ----------
    outlets, reps
        The outlets and the reps (a :class:`~routeopt.Problem`'s).
    assignment
        Each outlet id to its rep id (:attr:`routeopt.territories.TerritoryPlan.assignment`).
    tiles, lang, offline
        As for :func:`route_map`.
    title
        The panel's heading.

    Returns
    -------
    folium.Map
    """
    fl = _folium()
    lab = labels(lang)
    provider = tile_provider(tiles)
    to_map = _projector(provider)
    colour = dict(zip((r.id for r in reps), distinct_colours(len(reps)), strict=True))
    m = _new_map(fl, provider, offline)
    points: list[tuple[float, float]] = []
    mine: dict[str, list[Outlet]] = defaultdict(list)
    for o in outlets:
        mine[assignment[o.id]].append(o)
    for rep in reps:
        group = fl.FeatureGroup(name=f"{rep.id} ({len(mine[rep.id])})")
        circles = []
        for o in mine[rep.id]:
            xy = to_map(o.lat, o.lon)
            points.append(xy)
            body = (f"<div class='routeopt-popup'><h4>{_esc(o.name or o.id)}</h4><table>"
                    + _rows([(lab["outlet"], _esc(o.id)), (lab["rep"], _esc(rep.id)),
                             (lab["priority"], str(o.priority))]) + "</table></div>")
            circles.append([xy[0], xy[1], 5, colour[rep.id], body, f"{o.name or o.id} · {rep.id}"])
        group.add_child(_elements()[4](circles))
        xy = to_map(rep.lat, rep.lon)
        points.append(xy)
        _home(fl, rep, xy, f"<h4>{_esc(rep.id)}</h4><table>"
              + _rows([(lab["rep"], _esc(rep.name or rep.id)),
                       (lab["outlets"], str(len(mine[rep.id])))]) + "</table>",
              rep.id).add_to(group)
        group.add_to(m)
    chips = "".join(f"<span><span class='key' style='background:{colour[r.id]}'></span>"
                    f"{_esc(r.id)}</span> " for r in reps[:40])
    body = (f"<h3>{_esc(title or lab['outlets'])}</h3><div class='chips'>{chips}</div>"
            "<div class='note'></div>")
    _panel(body, lab["offline_tiles"]).add_to(m)
    fl.LayerControl(position="bottomright", collapsed=len(reps) > 10).add_to(m)
    done: folium.Map = _finish(m, points)
    return done


# -- files ---------------------------------------------------------------------------------


def _index(plan: Plan, files: Mapping[tuple[str, date], str], lang: str) -> str:
    lab = labels(lang)
    rows = []
    for r in plan.routes:
        rel = files[(r.rep_id, r.date)]
        rows.append(
            f"<tr><td>{_esc(r.rep_id)}</td><td>{_esc(weekday_name(r.date.weekday(), lang))}</td>"
            f"<td><a href='{_esc(rel)}'>{r.date.isoformat()}</a></td><td>{len(r.stops)}</td>"
            f"<td>{clock(r.depart)}–{clock(r.back)}</td>"
            f"<td>{_duration(r.travel_s, lab)}</td></tr>")
    head = "".join(f"<th>{_esc(lab[k])}</th>" for k in
                   ("rep", "weekday", "date", "visits", "day", "travel"))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{_esc(lab['maps'])}</title>
<style>body{{font:14px system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse}}td,th{{padding:3px 12px 3px 0;text-align:left}}
tr:nth-child(even) td{{background:#f4f4f4}}</style></head>
<body><h1>{_esc(lab['maps'])}</h1>
<p><a href="overview.html">{_esc(lab['overview'])}</a></p>
<table><tr>{head}</tr>
{''.join(rows)}
</table></body></html>
"""


def write_maps(plan: Plan, folder: str | Path, *, tiles: str | TileProvider | None = None,
               lang: str = "en", offline: bool = True) -> list[Path]:
    """Write the maps of ``plan`` under ``folder/maps``.

    ``maps/overview.html`` (the cycle), ``maps/index.html`` (links to every
    map) and one ``maps/<rep>/<date>.html`` per route; each file is written
    atomically and is whole by itself (with ``offline``, it needs no network).

    Returns
    -------
    list of Path
        The files written, the overview first.
    """
    out = Path(folder) / "maps"
    out.mkdir(parents=True, exist_ok=True)
    paths = [atomic_write(out / "overview.html", overview_map(
        plan, tiles=tiles, lang=lang, offline=offline).get_root().render())]
    files: dict[tuple[str, date], str] = {}
    for r in plan.routes:
        sub = out / safe_name(r.rep_id)
        sub.mkdir(exist_ok=True)
        page = route_map(plan, r.rep_id, r.date, tiles=tiles, lang=lang, offline=offline)
        paths.append(atomic_write(sub / f"{r.date.isoformat()}.html", page.get_root().render()))
        files[(r.rep_id, r.date)] = f"{sub.name}/{r.date.isoformat()}.html"
    paths.append(atomic_write(out / "index.html", _index(plan, files, lang)))
    return paths


def write(plan: Plan, folder: Path, options: ExportOptions) -> list[Path]:
    """The ``--map`` output of ``routeopt export``: :func:`write_maps` with the options'
    tiles and language."""
    return write_maps(plan, folder, tiles=options.tiles, lang=options.lang)
