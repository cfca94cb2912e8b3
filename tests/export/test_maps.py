"""The maps: what they draw, where (WGS-84 or GCJ-02), offline, and in a real browser."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browser import chromium, distinct_colours, dump_dom, screenshot
from monaco import MONDAY, monaco_week

from routeopt import (
    Horizon,
    Outlet,
    Plan,
    Problem,
    Rep,
    Route,
    Stop,
    Unscheduled,
    VisitRule,
)
from routeopt.exceptions import InputError
from routeopt.export._cli import OUTPUTS, ExportOptions, write_exports
from routeopt.export.maps import (
    TileProvider,
    overview_map,
    route_map,
    safe_name,
    tile_provider,
    write_maps,
)
from routeopt.geocode import from_wgs84

__all__ = ["chromium"]  # the fixture, used by name



@pytest.fixture(scope="module")
def monaco() -> Plan:
    return monaco_week()


def _plan(lat: float, lon: float, *, unscheduled: bool = False) -> Plan:
    """Three outlets around (lat, lon), one rep, one route of two stops by hand; the third
    outlet unscheduled when asked."""
    outlets = [Outlet(f"O{k}", lat + 0.004 * k, lon + 0.003 * k, VisitRule.parse("1/week"),
                      name=f"Shop {k}", address=f"{k} Main Street", priority=3)
               for k in range(1, 4)]
    rep = Rep("R1", lat, lon, name="Rep One")
    problem = Problem(outlets, [rep], Horizon(MONDAY, weeks=1))
    stops = (Stop("O1", 32400, 32400, 33300, 600, 800), Stop("O2", 33900, 34200, 35100, 600, 900))
    route = Route("R1", MONDAY, 31800, 36000, stops, 900, 1500)
    missed = (Unscheduled("O3", "no_time", "no allowed day had time left for it", 5),)
    return Plan(problem, (route,), missed if unscheduled else ())


def _drawn(m: Any) -> dict[str, list[Any]]:
    """The coordinates of every marker and every line of a folium map, by kind (and the
    rows of the numbered stops)."""
    import folium

    out: dict[str, list[Any]] = {"markers": [], "lines": [], "circles": [], "stops": []}

    def walk(el: Any) -> None:
        if el._name == "RouteoptCircles":  # a layer's outlets, drawn from one list
            out["circles"].extend((p[0], p[1]) for p in el.points)
        elif el._name == "RouteoptStops":  # a route's numbered stops, from one list
            out["markers"].extend((p[0], p[1]) for p in el.points)
            out["stops"].extend(el.points)
        elif isinstance(el, folium.Marker):
            out["markers"].append(tuple(el.location))
        elif isinstance(el, folium.PolyLine):
            out["lines"].extend(tuple(p) for p in el.locations)
        for child in el._children.values():
            walk(child)

    walk(m)
    return out


def _texts(page: str) -> str:
    """The page with its scripts' string literals decoded (labels, popups, layer names)."""
    body = page.split("</head>", 1)[1]  # after Leaflet's own code
    return body + "\n".join(json.loads(t) for t in re.findall(r'"(?:[^"\\\n]|\\.)*"', body))


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111_195
    dx = (a[1] - b[1]) * 111_195 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def _points(plan: Plan) -> list[tuple[float, float]]:
    """The WGS-84 points a route map of the plan's first route draws: rep, stops."""
    outlets = {o.id: o for o in plan.problem.outlets}
    rep = plan.problem.reps[0]
    return [(rep.lat, rep.lon), *((outlets[s.outlet_id].lat, outlets[s.outlet_id].lon)
                                  for s in plan.routes[0].stops)]


# -- GCJ-02 ---------------------------------------------------------------------------------


def test_on_amap_tiles_every_point_is_converted_to_gcj02() -> None:
    plan = _plan(39.9087, 116.3975, unscheduled=True)  # Beijing
    wgs = _points(plan)
    gcj = [from_wgs84(lat, lon, "gcj02") for lat, lon in wgs]
    for tiles in ("amap", "gaode"):
        drawn = _drawn(route_map(plan, "R1", MONDAY, tiles=tiles))
        assert sorted(drawn["markers"]) == sorted(gcj)  # the stops and the rep's start
        assert drawn["lines"] == [gcj[0], *gcj[1:], gcj[0]]
    # The shift is the one China's maps have: several hundred metres in Beijing.
    offsets = [_metres(a, b) for a, b in zip(wgs, gcj, strict=True)]
    assert all(300 < d < 800 for d in offsets), offsets
    over = _drawn(overview_map(plan, tiles="amap"))
    o3 = plan.problem.outlets[2]
    assert from_wgs84(o3.lat, o3.lon, "gcj02") in over["markers"]  # the unscheduled cross
    assert sorted(over["circles"]) == sorted(gcj[1:])


@pytest.mark.parametrize("tiles", ["osm", "carto", "none", None])
def test_on_wgs84_tiles_the_points_are_left_alone(tiles: str | None) -> None:
    plan = _plan(39.9087, 116.3975)
    wgs = _points(plan)
    drawn = _drawn(route_map(plan, "R1", MONDAY, tiles=tiles))
    assert sorted(drawn["markers"]) == sorted(wgs)
    assert drawn["lines"] == [wgs[0], *wgs[1:], wgs[0]]


def test_outside_china_gcj02_tiles_leave_the_points_alone(monaco: Plan) -> None:
    r = monaco.routes[0]
    assert _drawn(route_map(monaco, r.rep_id, r.date, tiles="amap")) == \
        _drawn(route_map(monaco, r.rep_id, r.date, tiles="osm"))


def test_tiles_by_name_and_bad_tiles_are_explained() -> None:
    assert tile_provider("GAODE").crs == "gcj02"
    assert tile_provider(None).url.startswith("https://tile.openstreetmap.org/")
    own = TileProvider("ours", "http://tiles.local/{z}/{x}/{y}.png", crs="GCJ-02")
    assert tile_provider(own).crs == "gcj02"
    with pytest.raises(InputError, match=r"unknown tiles 'google'; use one of osm, carto, amap"):
        tile_provider("google")
    with pytest.raises(InputError, match="BD-09 tiles"):
        TileProvider("baidu", "http://x/{z}/{x}/{y}", crs="bd09")


# -- what the maps hold ---------------------------------------------------------------------


def test_a_route_map_is_self_contained_and_needs_no_network() -> None:
    page = route_map(_plan(43.73, 7.42), "R1", MONDAY).get_root().render()
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", page)
    assert "Leaflet 1.9.3" in page  # inlined from the local copy
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert "url(images/" not in page  # Leaflet's images as data URIs
    online = route_map(_plan(43.73, 7.42), "R1", MONDAY, offline=False).get_root().render()
    assert re.search(r'<script src="https://cdn\.jsdelivr\.net/npm/leaflet@1\.9\.3', online)
    assert len(online) < len(page) / 5


def test_a_route_map_has_numbered_stops_with_their_times() -> None:
    m = route_map(_plan(43.73, 7.42), "R1", MONDAY)
    page = m.get_root().render()
    stops = _drawn(m)["stops"]
    assert [(k, colour) for _, _, k, colour, _, _ in stops] == [(1, "#0072B2"), (2, "#0072B2")]
    second = stops[1][4]  # its popup
    for text in ("2. Shop 2", "2 Main Street", "Arrival</th><td>09:25", "Start</th><td>09:30",
                 "End</th><td>09:45", "Wait</th><td>5 min", "Priority</th><td>3"):
        assert text in second
    assert stops[1][5] == "2. Shop 2 · 09:30–09:45"  # its tooltip
    assert "R1 · Rep One — Monday 2026-11-30" in _texts(page)
    assert "1 Main Street" in _texts(page)  # the rows are in the page


def test_the_labels_come_in_chinese() -> None:
    page = route_map(_plan(31.23, 121.47), "R1", MONDAY, lang="zh").get_root().render()
    assert "到达" in _texts(page) and "星期一" in _texts(page)
    with pytest.raises(InputError, match="unknown language 'fr'"):
        route_map(_plan(31.23, 121.47), "R1", MONDAY, lang="fr")


def test_a_route_that_does_not_exist_is_explained() -> None:
    plan = _plan(43.73, 7.42)
    with pytest.raises(InputError, match=r"rep 'R1' has no route on 2026-12-01; its days: "
                                         r"2026-11-30"):
        route_map(plan, "R1", "2026-12-01")
    with pytest.raises(InputError,
                       match=r"rep 'R9' has no route in the plan; reps with routes: R1"):
        route_map(plan, "R9", MONDAY)
    with pytest.raises(InputError, match=r"'30/11/2026' is not a date; write it as YYYY-MM-DD"):
        route_map(plan, "R1", "30/11/2026")


def test_the_overview_marks_unscheduled_outlets_with_the_reason() -> None:
    page = overview_map(_plan(43.73, 7.42, unscheduled=True)).get_root().render()
    assert page.count('"className": "routeopt-unscheduled"') == 1
    assert len(_drawn(overview_map(_plan(43.73, 7.42, unscheduled=True)))["circles"]) == 2
    popups = [json.loads(p) for p in re.findall(r"\.bindPopup\((\".*?\"), \{", page)]
    shop3 = next(p for p in popups if "Shop 3" in p)
    assert "no allowed day had time left for it (no_time)" in shop3
    assert "R1 · Monday" in _texts(page) and "Reps' start points" in _texts(page)


def test_the_same_plan_gives_the_same_files(tmp_path: Path) -> None:
    plan = _plan(43.73, 7.42)
    a = [p.read_bytes() for p in write_maps(plan, tmp_path / "a")]
    b = [p.read_bytes() for p in write_maps(plan, tmp_path / "b")]
    assert a == b


def test_rep_ids_become_safe_file_names() -> None:
    assert safe_name("R1") == "R1"
    assert safe_name("../etc") != safe_name("__etc")
    assert "/" not in safe_name("Nord/Ost") and not safe_name("..").startswith(".")


# -- the Monaco example, in a real browser ------------------------------------------------


def test_the_monaco_maps_are_written_through_the_export(monaco: Plan, tmp_path: Path) -> None:
    (out,) = [o for o in OUTPUTS if o.flag == "map"]
    files = write_exports(monaco, tmp_path / "share", [out], ExportOptions(tiles="osm"))
    routes = {f"maps/{r.rep_id}/{r.date.isoformat()}.html" for r in monaco.routes}
    assert set(files) == {"manifest.json", "maps/overview.html", "maps/index.html", *routes}
    index = (tmp_path / "share" / "maps" / "index.html").read_text(encoding="utf-8")
    assert all(f"href='{r.removeprefix('maps/')}'" in index for r in routes)


def test_a_map_renders_offline_in_chromium_with_one_marker_per_stop(
        monaco: Plan, tmp_path: Path, chromium: str) -> None:
    paths = write_maps(monaco, tmp_path)
    route = max(monaco.routes, key=lambda r: len(r.stops))
    page = tmp_path / "maps" / route.rep_id / f"{route.date.isoformat()}.html"
    assert page in paths
    dom = dump_dom(chromium, page)
    assert len(re.findall(r'class="[^"]*\brouteopt-stop\b', dom)) == len(route.stops)
    assert len(re.findall(r'class="[^"]*\brouteopt-home\b', dom)) == 1
    numbers = re.findall(r"<div style=\"background:#[0-9A-F]{6}\">(\d+)</div>", dom)
    assert sorted(map(int, numbers)) == list(range(1, len(route.stops) + 1))
    assert re.search(r'<path class="leaflet-interactive"', dom)  # the route's line
    assert "The map tiles could not load" in dom  # no network: the map says so
    png = screenshot(chromium, page, tmp_path / "route.png")
    assert png.stat().st_size > 5000 and distinct_colours(png) > 50

    overview = dump_dom(chromium, tmp_path / "maps" / "overview.html")
    expected = len({(r.rep_id, r.date.weekday(), s.outlet_id) for r, s in monaco.visits()})
    assert len(re.findall(r'class="[^"]*\brouteopt-outlet\b', overview)) == expected
    assert len(re.findall(r'class="[^"]*\brouteopt-home\b', overview)) == len(monaco.problem.reps)


def test_the_map_and_chart_libraries_load_only_when_used() -> None:
    import subprocess

    code = ("import sys, routeopt, routeopt.export, routeopt.export._cli; "
            "print(','.join(m for m in ('folium', 'branca', 'matplotlib', 'xstatic.pkg.leaflet') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
