"""The synthetic territory generator: deterministic, in the CSV contract, plausible."""

from __future__ import annotations

import math
import warnings
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from routeopt import Appointment, OpeningHours, SolveParams, solve
from routeopt.datasets import (
    FMCG_SERVICE_MIN,
    MIXES,
    OUTLET_COLUMNS,
    REP_COLUMNS,
    make_territory,
)
from routeopt.hours import format_time, parse_time
from routeopt.problem import parse_frequency
from routeopt.read import OUTLET_COLUMNS as READ_OUTLET_COLUMNS
from routeopt.read import REP_COLUMNS as READ_REP_COLUMNS
from routeopt.read import read_problem

START = date(2026, 11, 30)  # a Monday


def test_same_seed_same_tables() -> None:
    a = make_territory(400, seed=7, appointments=5)
    b = make_territory(400, seed=7, appointments=5)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def test_other_seed_other_tables() -> None:
    a, _ = make_territory(200, seed=1)
    b, _ = make_territory(200, seed=2)
    assert not a[["lat", "lon"]].equals(b[["lat", "lon"]])


def test_appointments_and_reps_change_nothing_else() -> None:
    base, _ = make_territory(300, seed=3)
    with_appts, _ = make_territory(300, seed=3, appointments=10)
    more_reps, _ = make_territory(300, 4, seed=3)
    cols = [c for c in OUTLET_COLUMNS if c not in ("appointment", "rep_id")]
    pd.testing.assert_frame_equal(base[cols], with_appts[cols])
    pd.testing.assert_frame_equal(base[cols], more_reps[cols])
    assert (base["rep_id"] == with_appts["rep_id"]).all()


def test_columns_are_the_csv_contract() -> None:
    outlets, reps = make_territory(50, seed=0)
    assert tuple(outlets.columns) == OUTLET_COLUMNS
    assert tuple(reps.columns) == REP_COLUMNS
    known_o = set(READ_OUTLET_COLUMNS["required"]) | set(READ_OUTLET_COLUMNS["optional"])
    known_r = set(READ_REP_COLUMNS["required"]) | set(READ_REP_COLUMNS["optional"])
    assert set(OUTLET_COLUMNS) <= known_o
    assert set(REP_COLUMNS) <= known_r
    assert outlets["outlet_id"].is_unique and reps["rep_id"].is_unique
    assert not outlets.isna().any().any() and not reps.isna().any().any()


@pytest.mark.parametrize(("n", "reps"), [(1, 1), (100, 1), (149, 1), (300, 2), (1000, 7)])
def test_default_reps(n: int, reps: int) -> None:
    assert len(make_territory(n, seed=0)[1]) == reps


@pytest.mark.parametrize(("n", "weeks", "appointments"),
                         [(1, 4, 0), (25, 1, 2), (150, 4, 5), (700, 4, 12), (300, 2, 0)])
def test_reads_without_errors(n: int, weeks: int, appointments: int) -> None:
    outlets, reps = make_territory(n, seed=n, appointments=appointments)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a warning, bar the 1-week rounding
        warnings.filterwarnings("ignore", message=".*does not divide")
        problem = read_problem(outlets, reps, start=START, weeks=weeks)
    assert len(problem.outlets) == n
    assert sum(len(o.appointments) for o in problem.outlets) == appointments


def test_reads_from_csv_files(tmp_path: object) -> None:
    from pathlib import Path

    d = Path(str(tmp_path))
    outlets, reps = make_territory(120, seed=5, appointments=3)
    outlets.to_csv(d / "outlets.csv", index=False)
    reps.to_csv(d / "reps.csv", index=False)
    problem = read_problem(d / "outlets.csv", d / "reps.csv", start=START, weeks=4)
    assert problem.required_visits == read_problem(outlets, reps, start=START,
                                                   weeks=4).required_visits


def test_proportions() -> None:
    n = 2000
    outlets, _ = make_territory(n, seed=11)
    pairs = outlets.groupby(["priority", "frequency"]).size() / n
    for pri, freq, share in MIXES["standard"]:
        assert pairs[(pri, freq)] == pytest.approx(share, abs=1 / n)
    kinds = outlets["name"].str.split().str[0].value_counts(normalize=True)
    assert set(kinds.index) >= {"Pharmacy", "Supermarket", "Clinic", "Kiosk"}
    assert kinds[["Café", "Trattoria", "Bar"]].sum() > 0.15  # HoReCa
    # key accounts are pharmacies, supermarkets and clinics
    a_kinds = set(outlets.loc[outlets["priority"] == "A", "name"].str.split().str[0])
    assert a_kinds <= {"Pharmacy", "Supermarket", "Clinic", "Medical"}
    assert 0.02 < (outlets["allowed_days"] != "").mean() < 0.08
    assert 0.02 < (outlets["rep_id"] != "").mean() < 0.07
    # some types close for lunch
    assert outlets["opening_hours"].str.contains("12:30,14:30").any()
    assert outlets["service_min"].between(10, 45).all()


def test_dense_mix_proportions() -> None:
    outlets, _ = make_territory(1000, seed=0, mix="dense")
    shares = outlets["frequency"].value_counts(normalize=True)
    assert shares.to_dict() == pytest.approx(
        {"2/week": 0.1, "1/week": 0.3, "1/2weeks": 0.4, "1/4weeks": 0.2})


def test_fmcg_mix_short_visits_many_a_day() -> None:
    outlets, reps = make_territory(3000, 20, seed=0, mix="fmcg")
    shares = outlets["frequency"].value_counts(normalize=True)
    assert shares.to_dict() == pytest.approx(
        {"2/week": 0.15, "1/week": 0.45, "1/2weeks": 0.30, "1/4weeks": 0.10})
    assert outlets["service_min"].between(10, 15).all()
    assert outlets["service_min"].nunique() > 3
    assert (reps["max_visits"] == 35).all()
    problem = read_problem(outlets, reps, start=START, weeks=4)
    per_day = problem.required_visits / (len(reps) * 20)
    assert 27 <= per_day <= 29
    # the places are drawn as with the standard mix: only the classes and minutes differ
    standard, _ = make_territory(3000, 20, seed=0)
    assert outlets[["lat", "lon"]].equals(standard[["lat", "lon"]])


def test_service_and_max_visits_arguments() -> None:
    outlets, reps = make_territory(200, seed=3, service_min=(7, 9), max_visits=22)
    assert set(outlets["service_min"]) == {7, 9}
    assert (reps["max_visits"] == 22).all()
    fmcg, fmcg_reps = make_territory(200, seed=3, mix="fmcg", service_min=(30,), max_visits=20)
    assert (fmcg["service_min"] == 30).all() and (fmcg_reps["max_visits"] == 20).all()
    default, default_reps = make_territory(200, seed=3)
    assert (default_reps["max_visits"] == 14).all()
    assert default["service_min"].between(10, 45).all()


@pytest.mark.parametrize("n", [150, 300, 900, 1500])
def test_workload_is_plausible(n: int) -> None:
    """About 10-14 visits per rep-day over a 4-week cycle with the default reps."""
    outlets, reps = make_territory(n, seed=n)
    problem = read_problem(outlets, reps, start=START, weeks=4)
    per_day = problem.required_visits / (len(reps) * 20)
    assert 10 <= per_day <= 14


def test_places_are_clustered_and_inside_the_territory() -> None:
    center, radius = (48.85, 2.35), 15.0
    outlets, reps = make_territory(600, seed=4, center=center, radius_km=radius)
    km_lat = 111.32
    km_lon = km_lat * math.cos(math.radians(center[0]))
    for df in (outlets, reps):
        dy = (df["lat"] - center[0]) * km_lat
        dx = (df["lon"] - center[1]) * km_lon
        assert (np.hypot(dx, dy) <= 1.25 * radius).all()
    # clustered: the median nearest-neighbour distance is far below a uniform spread's
    xy = np.column_stack([(outlets["lon"] - center[1]) * km_lon,
                          (outlets["lat"] - center[0]) * km_lat])
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    uniform = 0.5 * math.sqrt(math.pi * radius**2 / len(xy))
    assert np.median(d.min(axis=1)) < 0.6 * uniform
    assert (reps[["shift", "working_days", "break", "mode"]].iloc[0].tolist()
            == ["08:30-17:30", "Mo-Fr", "12:00-14:00/45", "drive"])


@pytest.mark.parametrize("start", [START, date(2027, 3, 4)])  # a Monday, a Thursday
def test_appointments_on_open_days_in_the_first_week(start: date) -> None:
    outlets, _ = make_territory(400, seed=9, appointments=25, start=start)
    booked = outlets[outlets["appointment"] != ""]
    assert len(booked) == 25
    assert (booked["allowed_days"] == "").all()
    for _, row in booked.iterrows():
        a = Appointment.parse(row["appointment"])
        assert start <= a.date < start + timedelta(days=7)
        assert a.date.weekday() < 5
        assert a.window.end - a.window.start == 30 * 60
        service = 60 * int(row["service_min"])
        wins = OpeningHours.parse(row["opening_hours"]).windows_on(a.date)
        assert any(w.start <= a.window.start and a.window.end + service <= w.end for w in wins)
        assert a.window.start > 8 * 3600 + 1800 and a.window.end + service < 17 * 3600 + 1800
    # the frequency is still required: an appointment is one of the visits
    assert all(parse_frequency(f) > 0 for f in booked["frequency"])


def test_small_territory_solves_to_a_valid_plan() -> None:
    outlets, reps = make_territory(40, seed=2, appointments=2, radius_km=8.0)
    problem = read_problem(outlets, reps, start=START, weeks=4)
    plan = solve(problem, SolveParams(max_iterations=30, polish=False))
    assert plan.violations() == []
    assert plan.kpis()["coverage"] == 1.0


@pytest.mark.parametrize("bad", [
    {"n_outlets": 0}, {"n_outlets": 10, "n_reps": 0}, {"n_outlets": 10, "radius_km": 0.0},
    {"n_outlets": 10, "center": (95.0, 0.0)}, {"n_outlets": 10, "appointments": -1},
    {"n_outlets": 3, "appointments": 4}, {"n_outlets": 10, "mix": "lots"},
    {"n_outlets": 10, "mix": [("Z", "1/week", 1.0)]},
    {"n_outlets": 10, "service_min": ()}, {"n_outlets": 10, "service_min": (0, 10)},
    {"n_outlets": 10, "max_visits": 0}, {"n_outlets": 10, "max_visits": 2.5},
])
def test_bad_arguments(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_territory(**bad)  # type: ignore[arg-type]


# -- the planted territory: a known full plan ------------------------------------------
def _planted(n_reps: int = 2, per_rep: int = 50, **kw: object
             ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from routeopt.datasets import make_planted_territory

    return make_planted_territory(n_reps, per_rep, seed=4, **kw)  # type: ignore[arg-type]


def test_planted_plan_is_full_and_valid() -> None:
    from routeopt.datasets import planted_plan

    outlets, reps, planted = _planted()
    assert list(outlets.columns) == list(OUTLET_COLUMNS)
    assert list(reps.columns) == list(REP_COLUMNS)
    problem = read_problem(outlets, reps, start=START, weeks=4)
    plan = planted_plan(problem, planted)
    assert plan.violations() == []
    assert plan.kpis()["coverage"] == 1.0
    assert plan.scheduled_visits == problem.required_visits == len(planted)
    # every visit on its planted start, within the cap, the busiest day keeping its slack
    starts = {(r.rep_id, r.date.isoformat(), s.outlet_id): s.start
              for r in plan.routes for s in r.stops}
    for row in planted.itertuples():
        assert format_time(starts[(row.rep_id, row.date, row.outlet_id)]) == row.start
    assert max(len(r.stops) for r in plan.routes) <= 35
    assert max(r.back for r in plan.routes) <= parse_time("17:30") - 20 * 60


def test_planted_same_seed_same_tables_and_exact_shares() -> None:
    a = _planted()
    b = _planted()
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)
    freq = a[0]["frequency"].value_counts().to_dict()
    for _, f, share in MIXES["fmcg"]:  # each rep's 50 by largest remainder
        assert abs(freq[f] - 100 * share) <= 1
    assert sum(freq.values()) == 100
    assert set(a[0]["service_min"]) <= set(FMCG_SERVICE_MIN)


def test_planted_less_slack_is_denser() -> None:
    from routeopt.datasets import planted_plan

    def travel(slack: int) -> float:
        outlets, reps, planted = _planted(slack_min=slack)
        problem = read_problem(outlets, reps, start=START, weeks=4)
        plan = planted_plan(problem, planted).validate()
        return float(max(r.back for r in plan.routes))

    assert travel(0) > travel(40)


def test_planted_plan_reports_left_out_visits_and_bad_orders() -> None:
    from routeopt.datasets import planted_plan

    outlets, reps, planted = _planted(1, 30)
    problem = read_problem(outlets, reps, start=START, weeks=4)
    plan = planted_plan(problem, planted.iloc[3:])
    assert len(plan.unscheduled) == 3 and plan.violations() == []
    with pytest.raises(ValueError, match="unknown outlet"):
        planted_plan(problem, planted.assign(outlet_id="nope"))
    # a whole day's visits of all of a rep's weeks on one date cannot fit the shift
    with pytest.raises(ValueError, match="do not fit"):
        planted_plan(problem, planted.assign(date=planted["date"].iloc[0]))


@pytest.mark.parametrize("kw, match", [
    ({"start": date(2026, 12, 1)}, "Monday"),
    ({"mix": "standard_x"}, "unknown mix"),
    ({"mix": (("A", "3/week", 1.0),)}, "frequency"),
    ({"max_visits": 5}, "max_visits"),
    ({"service_min": (200,)}, "do not fit"),
])
def test_planted_rejects(kw: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _planted(**kw)
