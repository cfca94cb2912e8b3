"""RoadNetwork on the real Monaco extract and on tiny OSM files written by the tests.

The synthetic files are OSM XML on a grid near (45 N, 5 E) where one grid step
is 100 m north-south (0.0008993 degrees of latitude) and 100 m east-west.
"""

from __future__ import annotations

import itertools
import logging
import math
import pickle
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import routeopt.matrix.road as road
from routeopt.exceptions import MatrixError, SnapError
from routeopt.matrix import GreatCircle, MatrixProvider, RoadNetwork, haversine_m
from routeopt.problem import Location

MONACO = Path(__file__).resolve().parents[2] / "examples" / "data" / "monaco" / "monaco.osm.pbf"
LAT0, LON0 = 45.0, 5.0
DLAT = 100.0 / (math.radians(1.0) * road.EARTH_RADIUS_M)  # 100 m north
DLON = DLAT / math.cos(math.radians(LAT0))  # 100 m east


def at(x: float, y: float) -> Location:
    """The point ``x`` steps east and ``y`` steps north of the grid's origin."""
    return Location(LAT0 + y * DLAT, LON0 + x * DLON)


Way = tuple[Sequence[int], Mapping[str, str]]


def write_osm(path: Path, nodes: Mapping[int, tuple[float, float]], ways: Sequence[Way],
              node_tags: Mapping[int, Mapping[str, str]] | None = None) -> Path:
    """An OSM XML file: ``nodes`` id -> (x, y) grid steps; ``ways`` (node ids, tags)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (x, y) in nodes.items():
        p = at(x, y)
        tags = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in (node_tags or {}).get(nid, {}).items())
        lines.append(f'  <node id="{nid}" version="1" lat="{p.lat:.9f}" lon="{p.lon:.9f}">'
                     f"{tags}</node>")
    for wid, (refs, tags) in enumerate(ways, start=1):
        lines.append(f'  <way id="{wid}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


RES = {"highway": "residential"}
SQUARE = {1: (0.0, 0.0), 2: (0.0, 1.0), 3: (1.0, 1.0), 4: (1.0, 0.0)}


def square(tmp_path: Path, first: Mapping[str, str], name: str = "square.osm") -> Path:
    """A 100 m square 1-2-3-4-1 whose side 1-2 (going north) carries ``first``."""
    return write_osm(tmp_path / name, SQUARE,
                     [([1, 2], first), ([2, 3, 4], RES), ([4, 1], RES)])


def km_h(metres: float, kmh: float) -> float:
    return metres / (kmh / 3.6)


# --------------------------------------------------------------------------- one-way, access
@pytest.mark.parametrize(("tags", "forward_open"), [
    ({"highway": "residential", "oneway": "yes"}, True),
    ({"highway": "residential", "oneway": "-1"}, False),
    ({"highway": "residential", "junction": "roundabout"}, True),
    ({"highway": "motorway_link"}, True),
    ({"highway": "motorway_link", "oneway": "no"}, None),
    ({"highway": "residential"}, None),
])
def test_oneway_rules_for_drive(tmp_path: Path, tags: dict[str, str],
                                forward_open: bool | None) -> None:
    net = RoadNetwork(square(tmp_path, tags))
    m = net.matrix([at(0, 0), at(0, 1)], "drive")
    d01, d10 = int(m.distances[0, 1]), int(m.distances[1, 0])
    if forward_open is None:
        assert (d01, d10) == (100, 100)
    elif forward_open:
        assert (d01, d10) == (100, 300)  # back: round the square
    else:
        assert (d01, d10) == (300, 100)
    assert m.durations[0, 1] != m.durations[1, 0] or forward_open is None


def test_walk_ignores_oneway_and_bicycle_contraflow(tmp_path: Path) -> None:
    net = RoadNetwork(square(tmp_path, {"highway": "residential", "oneway": "yes"}))
    pts = [at(0, 0), at(0, 1)]
    walk = net.matrix(pts, "walk")
    assert walk.distances.tolist() == [[0, 100], [100, 0]]
    assert walk.durations[0, 1] == round(km_h(100, 5.0))  # 72 s at 5 km/h
    assert net.matrix(pts, "bicycle").distances[1, 0] == 300
    contra = RoadNetwork(square(tmp_path, {"highway": "residential", "oneway": "yes",
                                           "oneway:bicycle": "no"}, "contra.osm"))
    assert contra.matrix(pts, "bicycle").distances[1, 0] == 100
    assert contra.matrix(pts, "drive").distances[1, 0] == 300


@pytest.mark.parametrize(("tags", "drive", "walk", "bicycle"), [
    ({"highway": "footway"}, 300, 100, 100),  # bicycles push along footways
    ({"highway": "steps"}, 300, 100, 300),
    ({"highway": "cycleway"}, 300, 100, 100),
    ({"highway": "residential", "access": "private"}, 300, 300, 300),
    ({"highway": "residential", "access": "no", "foot": "yes"}, 300, 100, 300),
    ({"highway": "residential", "motor_vehicle": "no"}, 300, 100, 100),
    ({"highway": "trunk"}, 100, 300, 300),  # walk and bicycle stay off trunk roads
    ({"highway": "trunk", "foot": "yes"}, 100, 100, 300),
    ({"highway": "construction"}, 300, 300, 300),
    ({"highway": "track", "motor_vehicle": "yes"}, 100, 100, 100),
])
def test_access_per_mode(tmp_path: Path, tags: dict[str, str], drive: int, walk: int,
                         bicycle: int) -> None:
    net = RoadNetwork(square(tmp_path, tags))
    pts = [at(0, 0), at(0, 1)]
    got = [int(net.matrix(pts, mode).distances[0, 1]) for mode in ("drive", "walk", "bicycle")]
    assert got == [drive, walk, bicycle]


def test_speeds_maxspeed_and_overrides(tmp_path: Path) -> None:
    pts = [at(0, 0), at(0, 1)]
    base = RoadNetwork(square(tmp_path, RES))
    assert base.matrix(pts, "drive").durations[0, 1] == round(km_h(100, 25.0))  # 14 s
    limited = RoadNetwork(square(tmp_path, {**RES, "maxspeed": "15"}, "ms.osm"))
    assert limited.matrix(pts, "drive").durations[0, 1] == round(km_h(100, 12.0))  # 30 s
    ignored = RoadNetwork(limited.osm_file, use_maxspeed=False)
    assert ignored.matrix(pts, "drive").durations[0, 1] == 14
    mph = RoadNetwork(square(tmp_path, {**RES, "maxspeed": "10 mph"}, "mph.osm"))
    assert mph.matrix(pts, "drive").durations[0, 1] == round(km_h(100, 8.0 * 1.609344))
    fast = RoadNetwork(base.osm_file, speeds={"drive": {"residential": 50}})
    assert fast.matrix(pts, "drive").durations[0, 1] == round(km_h(100, 50.0))
    assert fast.matrix(pts, "walk").durations[0, 1] == 72  # other modes keep their table
    with pytest.raises(MatrixError, match="has no road usable by drive"):
        RoadNetwork(base.osm_file, speeds={"drive": {"residential": 0}}).matrix(pts, "drive")


@pytest.mark.parametrize(("speeds", "match"), [
    ({"rocket": {"residential": 5}}, "unknown travel mode 'rocket'"),
    ({"drive": {"residential": -1}}, r"speeds\['drive'\]\['residential'\] must be"),
    ({"drive": {"residential": float("nan")}}, "must be a speed"),
    ({"drive": {"motorway": 1000}}, "above the 300 km/h"),
])
def test_bad_speeds(speeds: dict[str, dict[str, float]], match: str) -> None:
    with pytest.raises(MatrixError, match=match):
        RoadNetwork(MONACO, speeds=speeds)


def test_bad_settings_and_mode(tmp_path: Path) -> None:
    with pytest.raises(MatrixError, match="max_snap_m must be a positive number"):
        RoadNetwork(MONACO, max_snap_m=0)
    with pytest.raises(MatrixError, match="offroad_kmh must be a positive"):
        RoadNetwork(MONACO, offroad_kmh=float("inf"))
    with pytest.raises(MatrixError, match="on_disconnected must be"):
        RoadNetwork(MONACO, on_disconnected="drop")  # type: ignore[arg-type]
    net = RoadNetwork(square(tmp_path, RES))
    with pytest.raises(MatrixError, match=r"unknown travel mode 'transit'.*drive, walk, bicycle"):
        net.matrix([at(0, 0)], "transit")
    with pytest.raises(SnapError, match=r"point 1 has invalid coordinates") as e:
        net.matrix([at(0, 0), Location(float("nan"), 5.0)], "drive")
    assert e.value.points == (1,)


# --------------------------------------------------------------------------- snapping
def test_off_road_leg_and_points_on_one_segment(tmp_path: Path) -> None:
    # a long one-way street 1 -> 2 (1 km north) closed by a two-way loop back
    path = write_osm(tmp_path / "street.osm", {1: (0, 0), 2: (0, 10), 3: (1, 10), 4: (1, 0)},
                     [([1, 2], {**RES, "oneway": "yes"}), ([2, 3, 4, 1], RES)])
    net = RoadNetwork(path)
    # A and B lie 20 m west of the one-way street, B 500 m further along it
    pts = [at(-0.2, 2), at(-0.2, 7)]
    s = net.snap(pts, "drive")
    assert s.snap_m == pytest.approx([20.0, 20.0], abs=0.01)
    assert s.road_lon == pytest.approx([LON0, LON0], abs=1e-9)
    assert not s.moved.any() and set(s.way_id.tolist()) == {1}
    m = net.matrix(pts, "drive")
    assert m.distances[0, 1] == 500 + 40  # along the street, both off-road legs
    assert m.durations[0, 1] == round(km_h(500, 25) + 2 * km_h(20, 5))  # 72 + 29 s
    assert m.distances[1, 0] == 300 + 1200 + 200 + 40  # on to 2, round the loop, to A
    walk = RoadNetwork(path, offroad_kmh=2.5).matrix(pts, "walk")
    assert walk.durations[1, 0] == round(km_h(500, 5) + 2 * km_h(20, 2.5))


def test_identical_points_are_zero_apart(tmp_path: Path) -> None:
    net = RoadNetwork(square(tmp_path, RES))
    pts = [at(0.3, 0.5), at(0.5, 0.5), at(0.3, 0.5)]  # 0 and 2 are one place, 30 m off road
    m = net.matrix(pts, "drive")
    assert m.durations[0, 2] == m.durations[2, 0] == 0 and m.distances[0, 2] == 0
    assert m.durations[0, 1] == m.durations[2, 1] > 0
    assert (np.diag(m.durations) == 0).all()


def test_far_point_names_index_and_what_to_do(tmp_path: Path) -> None:
    net = RoadNetwork(square(tmp_path, RES), max_snap_m=200)
    pts = [at(0, 0), at(0.5, 2.5), at(20, 20)]  # 150 m off road: fine; about 2.7 km: not
    with pytest.raises(SnapError, match=r"point 2 \(45\.0\d+, 5\.0\d+\) is 2\d{3} m") as e:
        net.matrix(pts, "drive")
    assert e.value.points == (2,)
    assert e.value.distances_m[0] == pytest.approx(math.hypot(1900, 1900), rel=0.01)
    msg = str(e.value)
    assert "max_snap_m=200" in msg and "raise max_snap_m" in msg and "square.osm" in msg
    assert isinstance(e.value, MatrixError) and isinstance(e.value, ValueError)
    assert RoadNetwork(net.osm_file, max_snap_m=5000).matrix(pts, "drive").size == 3


def disconnected(tmp_path: Path) -> Path:
    """The square, a two-way street 1 km east of it, and a one-way dead end off it."""
    nodes = {**SQUARE, 10: (10, 0), 11: (10, 1), 20: (1, 1.5), 21: (1, 3)}
    return write_osm(tmp_path / "pieces.osm", nodes, [
        ([1, 2], RES), ([2, 3, 4], RES), ([4, 1], RES),
        ([10, 11], RES),  # a separate piece
        ([3, 20, 21], {**RES, "oneway": "yes"}),  # leads out of the square, never back
    ])


def test_disconnected_pieces_snap_to_main_network(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    net = RoadNetwork(disconnected(tmp_path), max_snap_m=2000)
    pts = [at(0, 0), at(10.1, 0.5), at(1.1, 2.8), at(0.5, 1)]
    with caplog.at_level(logging.WARNING, logger="routeopt.matrix.road"):
        m = net.matrix(pts, "drive")
    s = net.last_snaps["drive"]
    assert s.moved.tolist() == [False, True, True, False]
    assert s.nearest_road_m[1] == pytest.approx(10.0, abs=0.01)
    assert s.snap_m[1] == pytest.approx(math.hypot(910, 0), abs=1)  # to the square's east side
    assert s.nearest_road_m[2] == pytest.approx(10.0, abs=0.01)
    assert s.snap_m[2] == pytest.approx(math.hypot(10, 180), abs=1)  # to corner 3
    assert "2 point(s) snapped past a road cut off" in caplog.text
    assert (m.durations >= 0).all() and np.isfinite(m.durations).all()
    assert (m.durations[~np.eye(4, dtype=bool)] > 0).all()
    strict = RoadNetwork(net.osm_file, max_snap_m=2000, on_disconnected="raise")
    with pytest.raises(SnapError, match=r"2 point\(s\) lie nearest to a drive road that cannot"
                       ) as e:
        strict.matrix(pts, "drive")
    assert e.value.points == (1, 2)
    # the far piece alone also fails max_snap_m, naming why
    with pytest.raises(SnapError, match="its nearest road, 10 m away, is cut off"):
        RoadNetwork(net.osm_file, max_snap_m=500).matrix(pts, "drive")
    # walking, the dead end is two-way: only the separate street is cut off
    assert net.snap(pts, "walk").moved.tolist() == [False, True, False, False]


# --------------------------------------------------------------------------- files
def test_missing_file() -> None:
    net = RoadNetwork("/no/such/region.osm.pbf")  # reading is lazy
    with pytest.raises(MatrixError, match=r"'/no/such/region.osm.pbf' does not exist.*geofabrik"):
        net.matrix([Location(45, 5)], "drive")
    with pytest.raises(MatrixError, match="does not exist"):
        _ = net.cache_key


@pytest.mark.parametrize(("name", "content", "match"), [
    ("junk.osm.pbf", b"this is not a protocol buffer at all" * 10, "cannot read .*junk.osm.pbf"),
    ("junk.osm", b"<html><body>404 not found</body>", "cannot read .*junk.osm"),
    ("notes.txt", b"hello", "cannot read .*notes.txt"),
    ("empty.osm", b'<?xml version="1.0"?><osm version="0.6"></osm>', "holds no roads"),
])
def test_bad_files(tmp_path: Path, name: str, content: bytes, match: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(MatrixError, match=match):
        RoadNetwork(tmp_path / name).matrix([Location(45, 5)], "drive")


def test_one_way_only_file(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "oneway.osm", {1: (0, 0), 2: (0, 1)},
                     [([1, 2], {**RES, "oneway": "yes"})])
    with pytest.raises(MatrixError, match="no two drive roads connect both ways"):
        RoadNetwork(path).matrix([at(0, 0)], "drive")


def test_cache_key_is_content_and_settings(tmp_path: Path) -> None:
    a = RoadNetwork(square(tmp_path, RES))
    copy = shutil.copy(a.osm_file, tmp_path / "elsewhere.osm")
    assert RoadNetwork(copy).cache_key == a.cache_key
    assert a.cache_key.startswith("road-v1-" + a.file_sha256)
    for other in (RoadNetwork(copy, max_snap_m=100), RoadNetwork(copy, offroad_kmh=3),
                  RoadNetwork(copy, use_maxspeed=False), RoadNetwork(copy, on_disconnected="raise"),
                  RoadNetwork(copy, speeds={"walk": {"steps": 1}}),
                  RoadNetwork(square(tmp_path, {**RES, "oneway": "yes"}, "b.osm"))):
        assert other.cache_key != a.cache_key


# --------------------------------------------------------------------------- Monaco
@pytest.fixture(scope="module")
def monaco() -> RoadNetwork:
    return RoadNetwork(MONACO)


def test_monaco_matches_networkx_on_node_pairs(monaco: RoadNetwork) -> None:
    graph = monaco.graph("drive", largest_component=True)
    rng = np.random.default_rng(7)
    ids = sorted(graph.nodes)
    picks = [ids[i] for i in rng.choice(len(ids), 25, replace=False)]
    pts = [Location(graph.nodes[n]["y"], graph.nodes[n]["x"]) for n in picks]
    m = monaco.matrix(pts, "drive")
    assert np.asarray(monaco.last_snaps["drive"].snap_m).max() < 0.01
    shorter = 0  # pairs whose shortest path is shorter than the fastest one
    for i, src in enumerate(picks[:6]):
        times, paths = nx.single_source_dijkstra(graph, src, weight="travel_time")
        lengths = nx.single_source_dijkstra_path_length(graph, src, weight="length")
        for j, dst in enumerate(picks):
            shorter += lengths[dst] < m.distances[i, j] - 1
            assert abs(m.durations[i, j] - times[dst]) <= 1.0, (i, j)
            path = paths[dst]
            metres = sum(min(graph[x][y].values(), key=lambda e: e["travel_time"])["length"]
                         for x, y in itertools.pairwise(path))
            assert abs(m.distances[i, j] - metres) <= 1.0, (i, j)
    assert shorter > 0  # the distances are those of the fastest paths, not the shortest


@pytest.mark.parametrize("mode", ["drive", "walk", "bicycle"])
def test_monaco_bounds_and_triangle(monaco: RoadNetwork, mode: str) -> None:
    pts = monaco.sample_points(60, mode, seed=11, max_offset_m=40)
    m = monaco.matrix(pts, mode)
    s = monaco.last_snaps[mode]
    assert (s.snap_m <= 40.01).all()
    assert (np.diag(m.durations) == 0).all() and (np.diag(m.distances) == 0).all()
    off = ~np.eye(60, dtype=bool)
    assert (m.durations[off] > 0).all()
    straight = haversine_m([p.lat for p in pts], [p.lon for p in pts])
    vmax = max(road.DEFAULT_SPEEDS[mode].values()) / 3.6
    assert (m.durations >= np.floor(straight / vmax)).all()
    assert (m.distances >= np.floor(straight) - 1).all()
    t = m.durations.astype(float)
    assert (t[:, None, :] <= t[:, :, None] + t[None, :, :] + 2).all()  # i->k <= i->j->k


def test_monaco_modes_and_sea_point(monaco: RoadNetwork) -> None:
    pts = [Location(43.7384, 7.4246), Location(43.7311, 7.4197), Location(43.7480, 7.4330)]
    drive, walk = monaco.matrix(pts, "drive"), monaco.matrix(pts, "walk")
    assert (walk.durations[~np.eye(3, dtype=bool)] > drive.durations[~np.eye(3, dtype=bool)]).all()
    sea = [*pts, Location(43.700, 7.430)]  # 3 km out in the Mediterranean
    with pytest.raises(SnapError, match=r"point 3 \(43\.700000, 7\.430000\) is \d{4} m") as e:
        monaco.matrix(sea, "drive")
    assert e.value.points == (3,)


def test_monaco_deterministic_and_order_free(monaco: RoadNetwork) -> None:
    pts = monaco.sample_points(80, "walk", seed=5)
    a = RoadNetwork(MONACO).matrix(pts, "walk")
    b = monaco.matrix(pts, "walk")
    assert (a.durations == b.durations).all() and (a.distances == b.distances).all()
    perm = np.random.default_rng(2).permutation(80)
    c = monaco.matrix([pts[i] for i in perm], "walk")
    assert (c.durations == b.durations[np.ix_(perm, perm)]).all()
    assert (c.distances == b.distances[np.ix_(perm, perm)]).all()
    assert isinstance(monaco, MatrixProvider)
    clone = pickle.loads(pickle.dumps(monaco))
    assert (clone.matrix(pts[:10], "walk").durations == b.durations[:10, :10]).all()


def test_monaco_predecessor_tree_agrees_with_packed_weights(
        monaco: RoadNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    pts = monaco.sample_points(120, "drive", seed=9)
    packed = monaco.matrix(pts, "drive")
    monkeypatch.setattr(road, "_LEX_LIMIT", 0.0)  # force the fallback for long paths
    monkeypatch.setattr(road, "_CHUNK_CELLS", 50_000)  # and several Dijkstra blocks
    tree = monaco.matrix(pts, "drive")
    assert (packed.durations == tree.durations).all()
    # equally fast paths may differ in length (packed weights take the shortest)
    assert (packed.distances <= tree.distances + 1).all()
    assert np.mean(packed.distances == tree.distances) > 0.99


def test_monaco_graph_and_road_versus_great_circle(monaco: RoadNetwork) -> None:
    full = monaco.graph("drive")
    main = monaco.graph("drive", largest_component=True)
    assert full.number_of_nodes() > main.number_of_nodes() > 12_000
    assert nx.is_strongly_connected(main)
    *_, e = next(iter(main.edges(data=True)))
    assert set(e) == {"length", "travel_time", "speed_kph", "osmid", "highway"}
    assert e["travel_time"] == pytest.approx(e["length"] / (e["speed_kph"] / 3.6))
    pts = monaco.sample_points(50, "drive", seed=4)
    ratio = (monaco.matrix(pts, "drive").distances.astype(float)
             / np.maximum(GreatCircle().matrix(pts, "drive").distances, 1))
    assert 1.0 < float(np.median(ratio[~np.eye(50, dtype=bool)])) < 3.0


def test_no_point_and_one_point(tmp_path: Path) -> None:
    net = RoadNetwork(square(tmp_path, RES))
    assert net.matrix([], "drive").size == 0
    one = net.matrix([at(0.5, 0.2)], "walk")
    assert one.durations.tolist() == [[0]] and one.distances.tolist() == [[0]]
    frame = net.snap([at(0.5, 0.2), at(0.5, -0.1)], "walk").to_frame()
    assert frame["snap_m"].round(2).tolist() == [20.0, 10.0]
    assert frame["way_id"].tolist() == [3, 3]  # the south side, way 4-1


@pytest.mark.parametrize(("barrier", "drive", "walk", "bicycle"), [
    ({"barrier": "bollard"}, 300, 100, 100),
    ({"barrier": "bollard", "motor_vehicle": "yes"}, 100, 100, 100),
    ({"barrier": "gate"}, 100, 100, 100),
    ({"barrier": "gate", "access": "private"}, 300, 300, 300),
    ({"barrier": "gate", "access": "private", "foot": "yes"}, 300, 100, 300),
    ({"barrier": "turnstile"}, 300, 100, 300),
    ({"highway": "crossing"}, 100, 100, 100),  # a tagged node that is no barrier
])
def test_barrier_nodes(tmp_path: Path, barrier: dict[str, str], drive: int, walk: int,
                       bicycle: int) -> None:
    # side 1-2 of the square has a middle node 5 carrying the barrier
    path = write_osm(tmp_path / "barrier.osm", {**SQUARE, 5: (0, 0.5)},
                     [([1, 5, 2], RES), ([2, 3, 4], RES), ([4, 1], RES)], {5: barrier})
    net = RoadNetwork(path)
    pts = [at(0, 0), at(0, 1)]
    got = [int(net.matrix(pts, mode).distances[0, 1]) for mode in ("drive", "walk", "bicycle")]
    assert got == [drive, walk, bicycle]
    # a point right at the barrier is still reached, from one side
    assert net.matrix([at(-0.1, 0.5), at(0, 0)], "drive").distances[0, 1] == 60
    graph = net.graph("drive")
    split = [n for n in graph.nodes if n < 0]
    assert len(split) == (2 if drive == 300 and barrier.get("barrier") else 0)
    assert all(graph.nodes[n]["osmid"] == 5 for n in split)


def test_plan_monaco_on_road_matrices(monaco: RoadNetwork) -> None:
    from routeopt import SolveParams, solve
    from routeopt.read import read_problem

    data = MONACO.parent
    problem = read_problem(data / "outlets.csv", data / "reps.csv", start="2026-11-30", weeks=4)
    pts = problem.points()
    modes = sorted({r.mode for r in problem.reps})
    road_problem = problem.replace(matrix={m: monaco.matrix(pts, m) for m in modes})
    plan = solve(road_problem, SolveParams(max_iterations=100, time_limit=60))
    plan.validate()  # the independent checker, on road times
    kpis = plan.kpis()
    assert kpis["coverage"] == 1.0
    # every leg of every route is timed with the road matrix of its rep's mode
    index = {o.id: i for i, o in enumerate(problem.outlets)}
    n = len(problem.outlets)
    legs = 0
    for route in plan.routes:
        k = problem.rep_index(route.rep_id)
        m = road_problem.matrix[problem.reps[k].mode]  # type: ignore[index]
        prev = n + 2 * k
        for stop in route.stops:
            here = index[stop.outlet_id]
            assert (stop.travel_s, stop.distance_m) == (m.durations[prev, here],
                                                         m.distances[prev, here])
            prev, legs = here, legs + 1
        assert route.return_travel_s == m.durations[prev, n + 2 * k + 1]
    assert legs == kpis["scheduled_visits"] > 400


def test_numpy_numbers_are_accepted(tmp_path: Path) -> None:
    net = RoadNetwork(square(tmp_path, RES), max_snap_m=np.int64(300),
                      speeds={"drive": {"residential": np.float32(50)}})
    assert net.max_snap_m == 300.0 and net.speeds["drive"]["residential"] == 50.0
    with pytest.raises(MatrixError, match="max_snap_m must be a positive number, got True"):
        RoadNetwork(net.osm_file, max_snap_m=True)
