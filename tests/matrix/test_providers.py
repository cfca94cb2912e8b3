"""Providers by name, matrices for a problem, and ``routeopt plan --matrix ...`` end to end."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from routeopt.cli import main
from routeopt.exceptions import InputError, MatrixError, SnapError
from routeopt.matrix import OSRM, CachedProvider, GreatCircle, problem_matrices, provider_for
from routeopt.problem import Location
from routeopt.read import read_problem

ROOT = Path(__file__).resolve().parents[2]
MONACO = ROOT / "examples" / "data" / "monaco"


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def osrm_url(require_server) -> str:
    return require_server("ROUTEOPT_TEST_OSRM", "OSRM (osrm-routed with the Monaco car graph)")


# -- provider_for and problem_matrices ---------------------------------------------------------


def test_provider_for_builds_each_kind(tmp_path):
    assert isinstance(provider_for("haversine"), GreatCircle)
    osrm = provider_for("osrm", osrm_url=["http://127.0.0.1:5000", "walk=http://127.0.0.1:5001"])
    assert isinstance(osrm, OSRM)
    assert osrm.urls == {"drive": "http://127.0.0.1:5000", "walk": "http://127.0.0.1:5001"}
    cached = provider_for("haversine", cache_dir=tmp_path)
    assert isinstance(cached, CachedProvider) and cached.cache_key == GreatCircle().cache_key
    with pytest.raises(InputError, match="unknown matrix provider 'tomtom'"):
        provider_for("tomtom")
    with pytest.raises(InputError, match="--matrix osrm needs a server"):
        provider_for("osrm")
    with pytest.raises(InputError, match=r"OpenStreetMap file not found: .*nowhere\.pbf"):
        provider_for("road", osm_file=tmp_path / "nowhere.pbf")


def test_road_provider_reads_the_osm_file_given():
    from routeopt.matrix import RoadNetwork

    road = provider_for("road", osm_file=MONACO / "monaco.osm.pbf")
    assert isinstance(road, RoadNetwork) and road.cache_key.startswith("road-")


def test_problem_matrices_for_bare_points_needs_modes():
    pts = [Location(43.7384, 7.4246), Location(43.7311, 7.4197)]
    with pytest.raises(MatrixError, match="needs modes="):
        problem_matrices(pts, GreatCircle())
    m = problem_matrices(pts, GreatCircle(), ["drive", "walk"])
    assert sorted(m) == ["drive", "walk"] and m["walk"].durations[0, 1] > m["drive"].durations[0, 1]


def FarError(points, distances_m):  # noqa: N802 - reads like the class it builds
    """A snap error as any provider raises it: indices, and metres when known."""
    return SnapError("too far", points=points, distances_m=distances_m)


class Failing:
    def __init__(self, err):
        self.err = err

    def matrix(self, points, mode):
        raise self.err


def test_problem_matrices_names_outlets_and_reps_for_any_snap_error(valid_tables):
    problem = read_problem(valid_tables.outlets, valid_tables.reps, start="2026-11-30")
    far = Failing(FarError(np.array([1, 3]), np.array([812.4, 1500.0])))
    with pytest.raises(InputError) as e:
        problem_matrices(problem, far)
    got = [(i.outlet_id, i.rep_id, i.column, i.message) for i in e.value.issues]
    assert got == [
        ("P2", None, "lat", "the outlet at (43.740000, 7.420000) is 812 m from the nearest "
                            "road for 'drive'; check its coordinates (in the sea? outside the "
                            "map?)"),
        (None, "R1", "end_lat", "the rep's end at (43.730000, 7.420000) is 1500 m from the "
                                "nearest road for 'drive'; check its coordinates (in the sea? "
                                "outside the map?)")]
    with pytest.raises(InputError, match=r"outlet 'P1', column 'lat': the outlet at .* is far "
                                         r"from the nearest road"):
        problem_matrices(problem, Failing(FarError([0], ())))  # no distances given
    # Errors that name no points pass through as they are.
    with pytest.raises(MatrixError, match="server down") as e2:
        problem_matrices(problem, Failing(MatrixError("server down")))
    assert not isinstance(e2.value, InputError)


def test_problem_matrices_blames_the_point_nobody_reaches(valid_tables):
    from routeopt.exceptions import UnreachablePairsError

    problem = read_problem(valid_tables.outlets, valid_tables.reps, start="2026-11-30")
    pairs = [(0, 1), (2, 1), (3, 1), (1, 0)]  # P2 (point 1) is cut off
    with pytest.raises(InputError, match=r"outlet 'P2', column 'lat': the outlet at .* has no "
                                         r"'drive' route to or from 4 other point\(s\)"):
        problem_matrices(problem, Failing(UnreachablePairsError("cut off", pairs)))


# -- the command line ---------------------------------------------------------------------------


def plan_monaco(tmp_path, capsys, *extra):
    out = tmp_path / "plan"
    capsys.readouterr()
    code = main(["plan", "--outlets", str(MONACO / "outlets.csv"), "--reps",
                 str(MONACO / "reps.csv"), "--start", "2026-11-30", "--weeks", "4", "--out",
                 str(out), "--iterations", "20", "--seed", "1", *extra])
    cap = capsys.readouterr()
    return code, cap.out, cap.err, out


def test_plan_with_osrm_uses_its_travel_times(osrm_url, tmp_path, capsys):
    code, out, err, out_dir = plan_monaco(tmp_path, capsys, "--matrix", "osrm", "--osrm-url",
                                          osrm_url)
    assert code == 0, err  # 1 if the plan broke a constraint (the CLI validates it)
    assert "446 of 446 scheduled" in out
    problem = read_problem(MONACO / "outlets.csv", MONACO / "reps.csv", start="2026-11-30",
                           weeks=4)
    road = OSRM(osrm_url).matrix(problem.points(), "drive")
    index = {o.id: i for i, o in enumerate(problem.outlets)}
    n = len(problem.outlets)
    visits = read_csv(out_dir / "visits.csv")
    assert len(visits) == 446
    prev: dict[tuple[str, str], int] = {}
    for v in sorted(visits, key=lambda v: (v["rep_id"], v["date"], int(v["seq"]))):
        route = (v["rep_id"], v["date"])
        start = n + 2 * problem.rep_index(v["rep_id"])
        here = index[v["outlet_id"]]
        there = prev.get(route, start)
        assert int(v["travel_s"]) == road.durations[there, here], v
        assert int(v["distance_m"]) == road.distances[there, here], v
        prev[route] = here
    # ...which are not the great-circle estimates the default uses
    crow = GreatCircle().matrix(problem.points(), "drive")
    assert not np.array_equal(crow.durations, road.durations)


def test_plan_reuses_the_matrix_cache(fake_osrm, tmp_path, capsys):
    cache = tmp_path / "cache"
    args = ("--matrix", "osrm", "--osrm-url", f"drive={fake_osrm.url}", "--matrix-cache",
            str(cache))
    code, _, err, _ = plan_monaco(tmp_path, capsys, *args)
    assert code == 0, err
    asked = len(fake_osrm.paths)
    assert asked == 4  # 145 points in 100 x 100 blocks
    assert len(list(cache.glob("drive-145-*.npz"))) == 1
    code, _out, err, _ = plan_monaco(tmp_path, capsys, *args)
    assert code == 0, err
    assert len(fake_osrm.paths) == asked


def test_plan_with_osrm_down_fails_clearly(closed_port, tmp_path, capsys):
    code, _out, err, out_dir = plan_monaco(tmp_path, capsys, "--matrix", "osrm", "--osrm-url",
                                          f"http://127.0.0.1:{closed_port}")
    assert code == 1
    assert err.startswith(f"routeopt: error: cannot reach OSRM at http://127.0.0.1:{closed_port}")
    assert "Traceback" not in err and not (out_dir / "visits.csv").exists()


@pytest.mark.parametrize(("extra", "match"), [
    (("--matrix", "road"), "--matrix road needs an OpenStreetMap extract: pass --osm-file"),
    (("--matrix", "osrm"), "--matrix osrm needs a server: pass --osrm-url"),
    (("--matrix", "road", "--osm-file", "missing.osm.pbf"), "OpenStreetMap file not found"),
])
def test_plan_with_missing_matrix_settings_is_bad_input(extra, match, tmp_path, capsys):
    code, _out, err, out_dir = plan_monaco(tmp_path, capsys, *extra)
    assert code == 2
    assert err.startswith("routeopt: error: 1 problem(s) in the input:") and match in err
    assert not (out_dir / "visits.csv").exists()


def test_plan_names_an_outlet_in_the_sea(osrm_url, write_csv, outlet_rows, rep_rows, run_cli):
    wet = dict(outlet_rows[0], outlet_id="WET", lat="43.7000", lon="7.4500")
    r = run_cli(write_csv("outlets.csv", [*outlet_rows, wet]), write_csv("reps.csv", rep_rows),
                "--matrix", "osrm", "--osrm-url", osrm_url)
    assert r.code == 2, r.err
    assert ("outlet 'WET', column 'lat': the outlet at (43.700000, 7.450000) is "
            in r.err)
    assert "m from the nearest road for 'drive'; check its coordinates" in r.err
