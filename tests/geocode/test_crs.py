"""GCJ-02 / BD-09 to WGS-84: reference values, round trips, and the crs column of read.py."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from routeopt.geocode import Candidate, from_wgs84, parse_crs, resolve, to_wgs84
from routeopt.geocode._base import distance_m
from routeopt.read import read_problem

# WGS-84 -> GCJ-02 test vectors published with eviltransform (an independent implementation).
GCJ_REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]
# WGS-84 -> BD-09 as computed by the coordtransform package (another independent implementation).
BD_REFERENCE = [((39.911954, 116.377817), (39.919575550965874, 116.39045471310828))]
# prcoords inverts by iterating the forward transform: within about a centimetre.
TOL_M = 0.05


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_REFERENCE)
def test_gcj02_against_reference_values(wgs: tuple[float, float],
                                        gcj: tuple[float, float]) -> None:
    assert from_wgs84(*wgs, "gcj02") == pytest.approx(gcj, abs=1e-9)
    back = to_wgs84(*gcj, "gcj02")
    assert distance_m(*back, *wgs) < TOL_M  # the iterated inverse


@pytest.mark.parametrize(("wgs", "bd"), BD_REFERENCE)
def test_bd09_against_reference_values(wgs: tuple[float, float], bd: tuple[float, float]) -> None:
    assert from_wgs84(*wgs, "bd09") == pytest.approx(bd, abs=1e-9)
    assert distance_m(*to_wgs84(*bd, "bd09"), *wgs) < TOL_M


def test_offsets_are_hundreds_of_metres() -> None:
    # What converting saves: GCJ-02 and BD-09 put Beijing points 500 m to 1.2 km off.
    wgs = GCJ_REFERENCE[2][0]
    assert 400 < distance_m(*wgs, *from_wgs84(*wgs, "gcj02")) < 700
    assert 1000 < distance_m(*wgs, *from_wgs84(*wgs, "bd09")) < 1500


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_round_trips_across_china(crs: str) -> None:
    rnd = random.Random(7)
    for _ in range(500):
        lat, lon = rnd.uniform(18.5, 53.0), rnd.uniform(74.0, 134.0)
        there = from_wgs84(lat, lon, crs)
        assert distance_m(*to_wgs84(*there, crs), lat, lon) < TOL_M


def test_outside_china_nothing_moves() -> None:
    for crs in ("gcj02", "bd09", "wgs84"):
        assert to_wgs84(43.7384, 7.4246, crs) == (43.7384, 7.4246)
        assert from_wgs84(-33.86, 151.21, crs) == (-33.86, 151.21)


def test_names() -> None:
    assert [parse_crs(t) for t in ("WGS-84", "epsg:4326", "GCJ-02", "bd-09", "BD09LL", " ")] == [
        "wgs84", "wgs84", "gcj02", "bd09", "bd09", "wgs84"]
    with pytest.raises(ValueError, match=r"'utm' is not a coordinate system; use one of wgs84"):
        parse_crs("utm")


class Baidu:
    """Answers in BD-09, as Baidu's geocoder does."""

    identity, crs = "baidu-like", "bd09"

    def lookup(self, address: str) -> list[Candidate]:
        return [Candidate(*BD_REFERENCE[0][1], "天安门")]


def test_resolve_converts_at_the_boundary_and_records_the_source() -> None:
    r = resolve(Baidu(), "天安门")
    assert r.source_crs == "bd09" and r.status == "ok"
    assert r.lat is not None and r.lon is not None
    assert distance_m(r.lat, r.lon, *BD_REFERENCE[0][0]) < TOL_M


def test_crs_column_and_option_in_read(write_csv: Callable[..., Path]) -> None:
    wgs, gcj = GCJ_REFERENCE[2]
    _, bd = BD_REFERENCE[0]
    outlets = write_csv("outlets.csv", [
        {"outlet_id": "G", "lat": str(gcj[0]), "lon": str(gcj[1]), "frequency": "1/week",
         "crs": "gcj02"},
        {"outlet_id": "B", "lat": str(bd[0]), "lon": str(bd[1]), "frequency": "1/week",
         "crs": "BD-09"},
        {"outlet_id": "W", "lat": str(wgs[0]), "lon": str(wgs[1]), "frequency": "1/week",
         "crs": "wgs84"},
        {"outlet_id": "D", "lat": str(gcj[0]), "lon": str(gcj[1]), "frequency": "1/week"},
    ])
    reps = write_csv("reps.csv", [{"rep_id": "R1", "lat": str(gcj[0]), "lon": str(gcj[1])}])
    plain = read_problem(outlets, reps, start="2026-11-30")
    pts = {o.id: (o.lat, o.lon) for o in plain.outlets}
    for oid in ("G", "B", "W"):
        assert distance_m(*pts[oid], *wgs) < TOL_M, oid
    assert pts["D"] == gcj  # no crs cell: the default, WGS-84
    assert (plain.reps[0].lat, plain.reps[0].lon) == gcj
    # --crs gcj02: rows without a crs cell (and the reps) are GCJ-02.
    china = read_problem(outlets, reps, start="2026-11-30", crs="gcj02")
    d = next(o for o in china.outlets if o.id == "D")
    assert distance_m(d.lat, d.lon, *wgs) < TOL_M
    assert distance_m(china.reps[0].lat, china.reps[0].lon, *wgs) < TOL_M


def test_bad_crs_cell_names_the_row(write_csv: Callable[..., Path]) -> None:
    from routeopt import InputError

    outlets = write_csv("outlets.csv", [
        {"outlet_id": "P1", "lat": "39.9", "lon": "116.4", "frequency": "1/week", "crs": "utm"}])
    reps = write_csv("reps.csv", [{"rep_id": "R1", "lat": "39.9", "lon": "116.4"}])
    with pytest.raises(InputError, match=r"outlets.csv, line 2, outlet 'P1', column 'crs': "
                                         r"'utm' is not a coordinate system"):
        read_problem(outlets, reps, start="2026-11-30")


def test_crs_column_in_a_dataframe() -> None:
    wgs, gcj = GCJ_REFERENCE[0]
    outlets = pd.DataFrame({"outlet_id": ["A"], "lat": [gcj[0]], "lon": [gcj[1]],
                            "frequency": ["1/week"], "crs": ["gcj02"]})
    reps = pd.DataFrame({"rep_id": ["R1"], "lat": [wgs[0]], "lon": [wgs[1]]})
    p = read_problem(outlets, reps, start="2026-11-30")
    assert distance_m(p.outlets[0].lat, p.outlets[0].lon, *wgs) < TOL_M


def test_bad_crs_argument_is_an_input_error(write_csv: Callable[..., Path]) -> None:
    from routeopt import InputError

    outlets = write_csv("outlets.csv", [
        {"outlet_id": "P1", "lat": "39.9", "lon": "116.4", "frequency": "1/week"}])
    reps = write_csv("reps.csv", [{"rep_id": "R1", "lat": "39.9", "lon": "116.4"}])
    with pytest.raises(InputError, match=r"crs: 'mars2' is not a coordinate system"):
        read_problem(outlets, reps, start="2026-11-30", crs="mars2")
