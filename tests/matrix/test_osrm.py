"""OSRM's table service: a real osrm-routed (Monaco, car), and a local look-alike for faults."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from routeopt.exceptions import (
    InputError,
    MatrixError,
    MatrixServiceError,
    MatrixServiceUnavailableError,
    SnapError,
    UnreachablePairsError,
)
from routeopt.matrix import OSRM, GreatCircle, MatrixProvider, haversine_m, problem_matrices
from routeopt.problem import Location
from routeopt.read import read_problem

ROOT = Path(__file__).resolve().parents[2]
MONACO = ROOT / "examples" / "data" / "monaco"
SEA = Location(43.70, 7.45)  # 3 km off the coast of Monaco


@pytest.fixture(scope="module")
def osrm_url(require_server) -> str:
    return require_server("ROUTEOPT_TEST_OSRM", "OSRM (osrm-routed with the Monaco car graph)")


@pytest.fixture(scope="module")
def outlet_points() -> list[Location]:
    problem = read_problem(MONACO / "outlets.csv", MONACO / "reps.csv", start="2026-11-30", weeks=4)
    return problem.points()


# -- the real engine --------------------------------------------------------------------


def test_monaco_matrix_is_a_road_matrix(osrm_url, outlet_points):
    pts = outlet_points  # 141 outlets + 2 reps' start and end: 145 points, 4 blocks
    osrm = OSRM(osrm_url)
    assert isinstance(osrm, MatrixProvider)
    table = osrm.table(pts, "drive")
    assert table.requests == 4
    m = osrm.matrix(pts, "drive")
    assert m.size == 145
    assert np.all(np.diag(m.durations) == 0) and np.all(np.diag(m.distances) == 0)
    # Distinct places are apart, and a road is never shorter than the straight line
    # (allowing for the snap distances at both ends).
    crow = haversine_m([p.lat for p in pts], [p.lon for p in pts])
    distinct = crow > 50
    slack = table.snap_m[:, None] + table.snap_m[None, :] + 1
    assert np.all(m.distances[distinct] + slack[distinct] >= crow[distinct])
    assert np.all(m.durations[distinct] > 0)
    # Monaco is small: every trip within 30 min and 20 km, average speeds of a town.
    assert m.durations.max() < 1800 and m.distances.max() < 20_000
    speed_kmh = m.distances[distinct] / m.durations[distinct] * 3.6
    assert 10 < np.median(speed_kmh) < 60
    # Road detours: the median ratio road/straight line lies between 1 and 3.
    assert 1.0 < np.median(m.distances[crow > 300] / crow[crow > 300]) < 3.0


def test_one_way_streets_make_it_asymmetric_but_close(osrm_url, outlet_points):
    d = OSRM(osrm_url).matrix(outlet_points, "drive").durations.astype(float)
    off = ~np.eye(len(d), dtype=bool) & (d > 60) & (d.T > 60)
    assert (d != d.T)[off].any()  # one-way streets and turns
    ratio = d[off] / d.T[off]
    assert 0.8 < np.median(ratio) < 1.25
    assert np.quantile(ratio, 0.9) < 3


def test_chunked_equals_unchunked(osrm_url, outlet_points):
    pts = outlet_points[:60]
    whole = OSRM(osrm_url, max_table_size=1000, max_url_length=None)
    small = OSRM(osrm_url, max_table_size=7, workers=2)  # 9 x 9 blocks, last ones 4 wide
    a, b = whole.table(pts, "drive"), small.table(pts, "drive")
    assert (a.requests, b.requests) == (1, 81)
    np.testing.assert_array_equal(a.durations, b.durations)
    np.testing.assert_array_equal(a.distances, b.distances)
    np.testing.assert_array_equal(a.snap_m, b.snap_m)
    # URL length alone also splits: no request above the limit
    short = OSRM(osrm_url, max_table_size=1000, max_url_length=1500)
    assert 0 < short.block_size < 60
    np.testing.assert_array_equal(short.matrix(pts, "drive").durations,
                                  whole.matrix(pts, "drive").durations)


def test_single_point_and_a_lone_last_block(osrm_url, outlet_points):
    one = OSRM(osrm_url).matrix(outlet_points[:1], "drive")
    assert one.size == 1 and one.durations[0, 0] == 0
    # 11 points in blocks of 5: the last block holds one point
    m = OSRM(osrm_url, max_table_size=5).matrix(outlet_points[:11], "drive")
    ref = OSRM(osrm_url).matrix(outlet_points[:11], "drive")
    np.testing.assert_array_equal(m.durations, ref.durations)


def test_point_in_the_sea_is_named_with_its_snap_distance(osrm_url, outlet_points):
    pts = [*outlet_points[:3], SEA]
    table = OSRM(osrm_url).table(pts, "drive")
    assert table.snap_m[3] > 1000 and np.all(table.snap_m[:3] < 200)
    with pytest.raises(SnapError, match=r"1 point\(s\) lie farther than 500 m") as e:
        OSRM(osrm_url).matrix(pts, "drive")
    assert e.value.points == (3,) and e.value.distances_m[0] == pytest.approx(table.snap_m[3])
    assert "point 3 (43.700000, 7.450000)" in str(e.value)
    # A looser limit lets it through, snapped to the coast road.
    assert OSRM(osrm_url, max_snap_m=5000).matrix(pts, "drive").size == 4
    assert OSRM(osrm_url, max_snap_m=None).matrix(pts, "drive").size == 4


def test_problem_matrices_names_the_outlet_in_the_sea(osrm_url):
    from routeopt.problem import Outlet, Problem

    problem = read_problem(MONACO / "outlets.csv", MONACO / "reps.csv", start="2026-11-30", weeks=4)
    wet = Outlet("WET-1", SEA.lat, SEA.lon)
    problem = Problem((*problem.outlets[:5], wet), problem.reps, problem.horizon)
    with pytest.raises(InputError, match=r"outlet 'WET-1', column 'lat': the outlet at "
                                         r"\(43\.700000, 7\.450000\) is \d+ m from the nearest "
                                         r"road for 'drive'") as e:
        problem_matrices(problem, OSRM(osrm_url))
    assert isinstance(e.value.__cause__, SnapError)
    ok = problem.replace(outlets=problem.outlets[:5])
    m = problem_matrices(ok, OSRM(osrm_url))
    assert m["drive"].size == 5 + 2 * len(ok.reps)
    assert ok.replace(matrix=m).matrix is not None


def test_walk_and_drive_from_two_servers(osrm_url, require_server, outlet_points):
    foot = require_server("ROUTEOPT_TEST_OSRM_FOOT", "OSRM (osrm-routed, Monaco foot graph)")
    osrm = OSRM({"drive": osrm_url, "walk": foot})
    pts = outlet_points[:40]
    drive, walk = osrm.matrix(pts, "drive"), osrm.matrix(pts, "walk")
    off = ~np.eye(len(pts), dtype=bool) & (drive.distances > 300) & (walk.distances > 300)
    walk_kmh = walk.distances[off] / walk.durations[off] * 3.6
    assert 3 < np.median(walk_kmh) < 6  # the foot profile walks at about 5 km/h
    assert np.median(walk.durations[off] / drive.durations[off]) > 2
    # Pedestrians skip one-way detours: shorter or equal ways on the whole
    assert np.median(walk.distances[off] / drive.distances[off]) <= 1.0
    assert "walk=" + foot + "/foot" in osrm.cache_key


def test_unknown_mode_says_which_servers_exist(osrm_url):
    with pytest.raises(MatrixError, match=r"no OSRM server for travel mode 'walk' \(have: drive\)"):
        OSRM(osrm_url).matrix([Location(43.73, 7.42)], "walk")


def test_unreachable_server(closed_port):
    osrm = OSRM(f"http://127.0.0.1:{closed_port}", timeout=5)
    with pytest.raises(MatrixServiceUnavailableError,
                       match=rf"cannot reach OSRM at http://127.0.0.1:{closed_port}: "
                             r"Connection refused; is osrm-routed running there\?") as e:
        osrm.matrix([Location(43.73, 7.42), Location(43.74, 7.43)], "drive")
    assert isinstance(e.value, ConnectionError) and isinstance(e.value, MatrixError)


# -- faults, from a local look-alike -----------------------------------------------------

PTS = [Location(43.7384, 7.4246), Location(43.7311, 7.4197), Location(43.7402, 7.4270)]


def test_fake_server_answers_like_osrm(fake_osrm):
    # The look-alike's happy path, so that the cache tests can trust it.
    m = OSRM(fake_osrm.url).matrix(PTS, "drive")
    crow = haversine_m([p.lat for p in PTS], [p.lon for p in PTS])
    np.testing.assert_array_equal(m.distances, np.rint(np.round(crow, 1)))
    path = fake_osrm.paths[0]
    assert path.startswith("/table/v1/driving/7.424600,43.738400;7.419700,43.731100;")
    assert "annotations=duration,distance" in path


def test_no_request_exceeds_the_limits(fake_osrm):
    pts = [Location(43.72 + i * 1e-4, 7.41 + i * 1e-4) for i in range(40)]
    osrm = OSRM(fake_osrm.url, max_table_size=15, max_url_length=600)
    b = osrm.block_size
    assert 1 < b < 15  # the URL limit binds before the table size
    m = osrm.matrix(pts, "drive")
    assert m.size == 40
    assert len(fake_osrm.paths) == (-(-40 // b)) ** 2
    lengths = [len(fake_osrm.url + path) for path in fake_osrm.paths]
    assert max(lengths) <= 600
    assert max(lengths) > 400  # not absurdly cautious either
    for path in fake_osrm.paths:
        coords = path.split("?")[0].rsplit("/", 1)[1].split(";")
        assert len(coords) <= 2 * b
    whole = OSRM(fake_osrm.url, max_url_length=None).matrix(pts, "drive")
    np.testing.assert_array_equal(m.durations, whole.durations)


@pytest.mark.parametrize(("code", "message", "match"), [
    ("TooBig", "Too many table coordinates",
     r"HTTP 400 TooBig: Too many table coordinates \(asked 3 x 3\): lower "
     r"OSRM\(max_table_size=\.\.\.\)"),
    ("NoSegment", "Could not find a matching segment for any coordinate.",
     r"HTTP 400 NoSegment: Could not find .*: a point is too far from any road"),
    ("InvalidQuery", "Query string malformed close to position 42",
     r"HTTP 400 InvalidQuery: Query string malformed"),
])
def test_osrm_error_answers(fake_osrm, code, message, match):
    fake_osrm.reply = lambda path: (400, json.dumps({"code": code, "message": message}).encode())
    with pytest.raises(MatrixServiceError, match=match) as e:
        OSRM(fake_osrm.url).matrix(PTS, "drive")
    assert (e.value.status, e.value.code) == (400, code)
    assert not isinstance(e.value, MatrixServiceUnavailableError)


def test_too_big_from_a_real_server_limit(fake_osrm, osrm_table):
    # A server that enforces --max-table-size 2 (sources x destinations <= 4), as osrm-routed
    # does: the default blocks are too big for it, blocks of 2 go through.
    def reply(path: str) -> tuple[int, bytes]:
        ans = osrm_table(path)
        if len(ans["sources"]) * len(ans["destinations"]) > 4:
            return 400, b'{"code":"TooBig","message":"Too many table coordinates"}'
        return 200, json.dumps(ans).encode()

    fake_osrm.reply = reply
    with pytest.raises(MatrixServiceError, match="TooBig"):
        OSRM(fake_osrm.url).matrix(PTS, "drive")
    assert OSRM(fake_osrm.url, max_table_size=2).matrix(PTS, "drive").size == 3


@pytest.mark.parametrize(("status", "body", "match"), [
    (200, b"<html>It works!</html>", r"answered something that is not JSON: '<html>It works"),
    (502, b"<html>Bad Gateway</html>", r"answered HTTP 502 Bad Gateway: '<html>Bad Gateway"),
    (200, b'{"code": "Ok", "durations": [[0, 1]]}', r"lacks a 3 x 3 'durations' table"),
    (200, b'["not", "an", "object"]', r"JSON that is not an object"),
    (200, b'{"code": "NoTable", "message": "nope"}', r"answered 'NoTable': nope"),
])
def test_garbage_answers(fake_osrm, status, body, match):
    fake_osrm.reply = lambda path: (status, body)
    with pytest.raises(MatrixServiceError, match=match):
        OSRM(fake_osrm.url).matrix(PTS, "drive")


def test_null_durations_name_the_points(fake_osrm, osrm_table):
    def reply(path: str) -> tuple[int, bytes]:
        ans = osrm_table(path)
        for i in range(3):
            if i != 2:  # point 2 can be left but never reached
                ans["durations"][i][2] = None
                ans["distances"][i][2] = None
        return 200, json.dumps(ans).encode()

    fake_osrm.reply = reply
    table = OSRM(fake_osrm.url).table(PTS, "drive")
    assert np.isnan(table.durations[0, 2]) and table.durations[2, 2] == 0
    with pytest.raises(UnreachablePairsError,
                       match=r"no 'drive' route for 2 pair\(s\) of points: 0 -> 2, 1 -> 2 "
                             r"\(point 2 at \(43\.740200, 7\.427000\) is in most of them\)") as e:
        OSRM(fake_osrm.url).matrix(PTS, "drive")
    assert e.value.pairs == ((0, 2), (1, 2))


def test_answer_cut_short(fake_osrm):
    # The header promises more bytes than come: the server died mid-answer.
    import socket
    import threading

    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)

        def answer_half() -> None:
            conn, _ = srv.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"code\": \"Ok\"")

        t = threading.Thread(target=answer_half)
        t.start()
        port = srv.getsockname()[1]
        with pytest.raises(MatrixServiceError, match=r"broken HTTP answer \(IncompleteRead"):
            OSRM(f"http://127.0.0.1:{port}", timeout=5).matrix(PTS, "drive")
        t.join(5)


def test_slow_server_times_out(fake_osrm):
    fake_osrm.delay = 1.0
    with pytest.raises(MatrixServiceUnavailableError, match=r"did not answer within 0\.2 s"):
        OSRM(fake_osrm.url, timeout=0.2).matrix(PTS, "drive")


def test_settings_are_checked():
    with pytest.raises(MatrixError, match="must start with http"):
        OSRM("127.0.0.1:5000")
    with pytest.raises(MatrixError, match="max_table_size must be at least 1"):
        OSRM("http://x", max_table_size=0)
    with pytest.raises(MatrixError, match="too short"):
        OSRM("http://x", max_url_length=100)
    assert OSRM("http://x").cache_key != OSRM("http://x", max_snap_m=50).cache_key
    assert OSRM("http://x").cache_key != GreatCircle().cache_key
