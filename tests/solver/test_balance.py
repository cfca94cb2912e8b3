"""Balanced days and steady visit times: inputs, the rules binding, plans that check."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date

import pandas as pd
import pytest

from routeopt import (
    Horizon,
    InputError,
    Outlet,
    Plan,
    Problem,
    Rep,
    SolveParams,
    VisitRule,
    solve,
)
from routeopt.datasets import make_territory
from routeopt.hours import parse_time
from routeopt.read import read_outlets, read_problem, read_reps

MONDAY = date(2026, 11, 30)
OFF = SolveParams(max_iterations=150, seed=0, balance_weight=0.0, steady_weight=0.0)


def _visits_per_day(plan: Plan) -> Counter[date]:
    return Counter({r.date: len(r.stops) for r in plan.routes})


def _cluster(n: int = 10) -> Problem:
    """One rep, ``n`` weekly outlets close together: all fit in one day."""
    rng = random.Random(5)
    outlets = [Outlet(f"P{i}", 43.73 + 0.01 * rng.random(), 7.41 + 0.01 * rng.random(),
                      VisitRule.parse("1/week"), service=900) for i in range(n)]
    return Problem(outlets, [Rep("R1", 43.731, 7.418)], Horizon(MONDAY))


def _spreads(plan: Plan) -> list[int]:
    """Per outlet visited on one weekday only, its latest minus earliest start."""
    by: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for r in plan.routes:
        for s in r.stops:
            by[s.outlet_id].append((r.date.weekday(), s.start))
    return [max(t for _, t in v) - min(t for _, t in v) for v in by.values()
            if len(v) > 1 and len({w for w, _ in v}) == 1]


# -- inputs ---------------------------------------------------------------------------
def test_bad_weights_and_bounds_name_the_rep_and_the_column() -> None:
    with pytest.raises(InputError, match="balance_weight must be >= 0"):
        SolveParams(balance_weight=-1.0)
    with pytest.raises(InputError, match="steady_weight must be >= 0"):
        SolveParams(steady_weight=-0.5)
    with pytest.raises(InputError, match="steady_weight is inf: give a finite number"):
        SolveParams(steady_weight=float("inf"))
    with pytest.raises(InputError, match="min_visits 5 is more than max_visits 3") as e:
        Rep("R7", 43.7, 7.4, min_visits=5, max_visits=3)
    assert (e.value.issues[0].rep_id, e.value.issues[0].column) == ("R7", "min_visits")
    with pytest.raises(InputError, match="target_day must be more than 0"):
        Rep("R7", 43.7, 7.4, target_day=0)
    with pytest.raises(InputError, match="preferred_time"):
        Outlet("P1", 43.7, 7.4, preferred_time=90_000)


def test_reps_and_outlets_tables_read_the_new_columns(tmp_path: object) -> None:
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "lat": [43.7, 43.7], "lon": [7.4, 7.4],
                         "max_visits": ["12", "8"], "min_visits": ["6", ""],
                         "target_day": ["6:30", ""]})
    got, issues, _ = read_reps(reps)
    assert issues == []
    assert (got[0].min_visits, got[0].target_day) == (6, 6 * 3600 + 1800)
    assert (got[1].min_visits, got[1].target_day) == (None, None)
    outlets = pd.DataFrame({"outlet_id": ["P1", "P2"], "lat": [43.7, 43.7], "lon": [7.4, 7.4],
                            "frequency": ["1/week", "1/week"], "preferred_time": ["10:00", ""]})
    o, issues, _ = read_outlets(outlets)
    assert issues == []
    assert (o[0].preferred_time, o[1].preferred_time) == (parse_time("10:00"), None)


def test_a_bad_min_visits_in_reps_csv_names_file_line_and_column(tmp_path: object) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    path = tmp_path / "reps.csv"
    path.write_text("rep_id,lat,lon,max_visits,min_visits\nR1,43.7,7.4,10,4\n"
                    "R2,43.7,7.4,6,9\n", encoding="utf-8")
    outlets = tmp_path / "outlets.csv"
    outlets.write_text("outlet_id,lat,lon,frequency\nP1,43.7,7.4,1/week\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_problem(outlets, path, start=MONDAY, weeks=1)
    text = str(e.value)
    assert "reps.csv" in text and "line 3" in text and "min_visits" in text and "R2" in text


# -- balanced days --------------------------------------------------------------------
def test_balance_fills_the_empty_days() -> None:
    problem = _cluster()
    off = _visits_per_day(solve(problem, OFF).validate())
    assert len(off) < 5  # without balance the cluster is served in fewer days
    on = solve(problem, OFF.replace(balance_weight=6.0)).validate()
    per_day = _visits_per_day(on)
    assert len(per_day) == 5 and set(per_day.values()) == {2}


def test_min_visits_fills_days_without_a_balance_weight() -> None:
    problem = _cluster()
    rep = Rep("R1", 43.731, 7.418, min_visits=2)
    plan = solve(problem.replace(reps=(rep,)), OFF).validate()
    per_day = _visits_per_day(plan)
    assert len(per_day) == 5 and min(per_day.values()) >= 2
    assert plan.kpis()["coverage"] == 1.0


def test_min_visits_never_costs_a_visit() -> None:
    """Fewer visits than the floor asks: every visit is made, some days stay short."""
    problem = _cluster(6)
    rep = Rep("R1", 43.731, 7.418, min_visits=3)
    plan = solve(problem.replace(reps=(rep,)), OFF).validate()
    assert plan.kpis()["coverage"] == 1.0 and not plan.unscheduled


def test_balance_is_deterministic() -> None:
    outlets, reps = make_territory(30, 1, seed=2)
    problem = read_problem(outlets, reps, start=MONDAY, weeks=4)
    params = SolveParams(max_iterations=120, seed=3)
    a, b = solve(problem, params), solve(problem, params)
    assert a.routes == b.routes


# -- steady visit times ---------------------------------------------------------------
def test_steady_times_lower_the_spread_and_the_plan_validates() -> None:
    outlets, reps = make_territory(40, 1, seed=4)
    problem = read_problem(outlets, reps, start=MONDAY, weeks=4)
    params = SolveParams(max_iterations=150, seed=0)
    off = solve(problem, params.replace(steady_weight=0.0)).validate()
    on = solve(problem, params).validate()
    assert sum(_spreads(off)) > 0  # there is something to steady
    assert sum(_spreads(on)) < 0.5 * sum(_spreads(off))
    # the same routes' days: steady times re-order and re-time, never move a visit
    days = {(r.date, s.outlet_id) for r in off.routes for s in r.stops}
    assert days == {(r.date, s.outlet_id) for r in on.routes for s in r.stops}
    assert on.stats["aligned_routes"] >= 0


def test_a_preferred_time_is_kept_where_the_day_allows() -> None:
    problem = _cluster(4)
    want = parse_time("11:00")
    outlets = list(problem.outlets)
    outlets[2] = Outlet(outlets[2].id, outlets[2].lat, outlets[2].lon, outlets[2].rule,
                        service=900, preferred_time=want)
    plan = solve(problem.replace(outlets=tuple(outlets)), OFF.replace(steady_weight=600.0))
    plan.validate()
    starts = [s.start for r in plan.routes for s in r.stops if s.outlet_id == outlets[2].id]
    assert starts == [want]
    early = solve(problem.replace(outlets=tuple(outlets)), OFF).validate()
    assert [s.start for r in early.routes for s in r.stops
            if s.outlet_id == outlets[2].id] != [want]  # the rule binds


def test_the_workload_band_pulls_the_reps_together() -> None:
    """Two reps side by side, 24 free outlets: where geography allows, the band
    brings the reps' workloads nearer the team mean."""
    rng = random.Random(5)
    outlets = [Outlet(f"P{i}", 43.70 + 0.03 * rng.random(), 7.40 + 0.03 * rng.random(),
                      VisitRule.parse("1/week"), service=1800) for i in range(24)]
    problem = Problem(outlets, [Rep("A", 43.715, 7.415), Rep("B", 43.716, 7.416)],
                      Horizon(MONDAY))
    params = SolveParams(max_iterations=150, seed=0)
    loose = solve(problem, params).validate()  # the band is off by default
    held = solve(problem, params.replace(workload_band=0.05)).validate()
    assert loose.kpis()["workload_deviation_max"] > 0.1  # the split is uneven without it
    # measured: 13.8 % without the band, 6.9 % with it
    assert held.kpis()["workload_deviation_max"] < 0.75 * loose.kpis()["workload_deviation_max"]
    with pytest.raises(InputError, match="workload_band must be >= 0 and < 1"):
        SolveParams(workload_band=1.0)
