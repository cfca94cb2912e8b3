"""The plan's day and time KPIs, on hand-built plans whose figures are worked out by hand."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from routeopt import Horizon, Outlet, Plan, Problem, Rep, SolveParams, VisitRule, solve
from routeopt._kpis import quantile, spread_stats, start_spreads
from routeopt.plan import Route, Stop

MONDAY = date(2026, 11, 30)
H = 3600


def stop(outlet_id: str, start: int, *, service: int = 900, travel: int = 600) -> Stop:
    return Stop(outlet_id, start, start, start + service, travel, 1000)


def route(rep_id: str, day: date, depart: int, back: int, *stops: Stop) -> Route:
    return Route(rep_id, day, depart, back, tuple(stops), 300, 500)


def visits_at(rep_id: str, day: date, starts: list[tuple[str, int]]) -> Route:
    return route(rep_id, day, 8 * H, 17 * H, *(stop(o, s) for o, s in starts))


@pytest.fixture
def days_plan() -> Plan:
    """Two weeks; Tue 12-08 a holiday; R1 works Mo-Fr with Fri 12-04 off; R2 works Mo-Th.

    R1 has 10 - 1 - 1 = 8 working days, R2 8 - 1 = 7. Routes: R1 on 12-01 (2 visits,
    08:30-12:30), 12-02 (4 visits, 08:30-16:30), 12-09 (3 visits, 09:00-12:00); R2 on
    11-30 (1 visit). Every visit lasts 900 s and is reached in 600 s; every way back is
    300 s.
    """
    outlets = [Outlet(f"O{i}", 43.73, 7.42, VisitRule.parse("1/2weeks")) for i in range(10)]
    reps = [Rep("R1", 43.74, 7.42, days_off=frozenset({date(2026, 12, 4)})),
            Rep("R2", 43.74, 7.43, working_days=frozenset({0, 1, 2, 3}))]
    problem = Problem(outlets, reps, Horizon(MONDAY, weeks=2,
                                             holidays=frozenset({date(2026, 12, 8)})))
    t = 10 * H
    routes = (
        route("R1", date(2026, 12, 1), 8 * H + 1800, 12 * H + 1800, stop("O0", t), stop("O1", t)),
        route("R1", date(2026, 12, 2), 8 * H + 1800, 16 * H + 1800,
              *(stop(f"O{i}", t) for i in range(2, 6))),
        route("R1", date(2026, 12, 9), 9 * H, 12 * H, *(stop(f"O{i}", t) for i in range(6, 9))),
        route("R2", MONDAY, 9 * H, 10 * H, stop("O9", t)),
    )
    return Plan(problem, routes, ())


def test_working_days_leave_out_holidays_days_off_and_other_weekdays(days_plan: Plan) -> None:
    k = days_plan.kpis()
    r1, r2 = k["per_rep"]["R1"], k["per_rep"]["R2"]
    assert (r1["working_days"], r1["days_worked"], r1["days_without_route"]) == (8, 3, 5)
    assert (r2["working_days"], r2["days_worked"], r2["days_without_route"]) == (7, 1, 6)
    assert (k["working_days"], k["days_without_route"]) == (15, 11)
    assert list(k["per_rep"]) == ["R1", "R2"]


def test_visits_per_day_and_busiest_over_quietest(days_plan: Plan) -> None:
    k = days_plan.kpis()
    r1 = k["per_rep"]["R1"]
    assert r1["visits"] == 9
    assert (r1["visits_per_day_min"], r1["visits_per_day_median"], r1["visits_per_day_max"]) == (
        2, 3.0, 4)
    assert r1["busiest_quietest_ratio"] == 2.0
    assert k["per_rep"]["R2"]["busiest_quietest_ratio"] == 1.0
    # over all four routes: 2, 4, 3, 1 visits
    assert (k["visits_per_route_day_min"], k["visits_per_route_day_median"],
            k["visits_per_route_day_max"]) == (1, 2.5, 4)
    assert k["busiest_quietest_ratio_max"] == 2.0


def test_day_lengths_drive_time_and_workload(days_plan: Plan) -> None:
    k = days_plan.kpis()
    r1, r2 = k["per_rep"]["R1"], k["per_rep"]["R2"]
    assert (r1["day_length_min_s"], r1["day_length_max_s"], r1["day_length_spread_s"]) == (
        3 * H, 8 * H, 5 * H)
    assert r2["day_length_spread_s"] == 0
    assert k["day_length_spread_max_s"] == 5 * H
    # travel per day: 2, 4 and 3 legs of 600 s, plus 300 s back
    assert r1["drive_s_per_day_max"] == 4 * 600 + 300
    assert k["drive_s_per_day_max"] == 2700
    assert (r1["service_s"], r1["travel_s"], r1["workload_s"]) == (9 * 900, 6300, 14400)
    assert r2["workload_s"] == 900 + 900
    # team mean (14400 + 1800) / 2 = 8100
    assert r1["workload_deviation"] == round(14400 / 8100 - 1, 4) == 0.7778
    assert r2["workload_deviation"] == -0.7778
    assert k["workload_deviation_max"] == 0.7778


def test_a_rep_without_routes() -> None:
    problem = Problem([Outlet("O1", 43.73, 7.42, VisitRule.parse("1/week"))],
                      [Rep("R1", 43.74, 7.42)], Horizon(MONDAY, weeks=1))
    k = Plan(problem, (), ()).kpis()
    r1 = k["per_rep"]["R1"]
    assert (r1["working_days"], r1["days_worked"], r1["days_without_route"]) == (5, 0, 5)
    assert r1["visits_per_day_min"] is None and r1["busiest_quietest_ratio"] is None
    assert r1["workload_s"] == 0 and r1["workload_deviation"] is None
    assert k["workload_deviation_max"] is None and k["drive_s_per_day_max"] is None
    assert k["start_spread_same_weekday"] == {"outlets": 0, "median_s": None, "p90_s": None,
                                              "max_s": None}
    text = Plan(problem, (), ()).summary()
    assert "0 of 5 working days with a route" in text and "rep R1      0 of 5 days" in text


def spreads_routes() -> list[Route]:
    """Three weeks. A every Tuesday at 09:00, 09:30, 09:10; B on Mondays at 08:40 and 10:40
    and Thursdays at 14:00 and 14:05; C once; D every Wednesday at 11:00; E on Monday of week
    1 at 10:00 and Friday of week 2 at 15:00."""
    def day(week: int, weekday: int) -> date:
        return MONDAY + timedelta(days=7 * week + weekday)

    m = 60
    return [
        visits_at("R1", day(0, 0), [("B", 8 * H + 40 * m), ("E", 10 * H)]),
        visits_at("R1", day(0, 1), [("A", 9 * H), ("C", 12 * H)]),
        visits_at("R1", day(0, 2), [("D", 11 * H)]),
        visits_at("R1", day(0, 3), [("B", 14 * H)]),
        visits_at("R1", day(1, 0), [("B", 10 * H + 40 * m)]),
        visits_at("R1", day(1, 1), [("A", 9 * H + 30 * m)]),
        visits_at("R1", day(1, 2), [("D", 11 * H)]),
        visits_at("R1", day(1, 3), [("B", 14 * H + 5 * m)]),
        visits_at("R1", day(1, 4), [("E", 15 * H)]),
        visits_at("R1", day(2, 1), [("A", 9 * H + 10 * m)]),
        visits_at("R1", day(2, 2), [("D", 11 * H)]),
    ]


def test_start_spread_on_the_same_weekday() -> None:
    # A 1800 s (09:00-09:30), B max(7200 Mondays, 300 Thursdays), D 0; C and E have no
    # weekday with two visits
    s = start_spreads(spreads_routes())["start_spread_same_weekday"]
    # sorted 0, 1800, 7200: the 90th percentile sits at 1.8 of the way
    assert s == {"outlets": 3, "median_s": 1800.0, "p90_s": 1800 + 0.8 * 5400, "max_s": 7200}


def test_start_spread_of_one_weekday_outlets_leaves_out_twice_weekly_ones() -> None:
    s = start_spreads(spreads_routes())["start_spread_one_weekday"]
    assert s == {"outlets": 2, "median_s": 900.0, "p90_s": 1620.0, "max_s": 1800}  # A and D


def test_start_spread_over_all_visits() -> None:
    # A 1800, B 14:05 - 08:40 = 19500, D 0, E 15:00 - 10:00 = 18000; C has one visit
    s = start_spreads(spreads_routes())["start_spread_all_visits"]
    assert s == {"outlets": 4, "median_s": 9900.0, "p90_s": 18000 + 0.7 * 1500, "max_s": 19500}


def test_quantile_agrees_with_numpy() -> None:
    rng = random.Random(3)
    for _ in range(200):
        xs = [rng.randrange(0, 30000) for _ in range(rng.randint(1, 40))]
        for q in (0.0, 0.5, 0.9, 1.0):
            assert quantile(xs, q) == pytest.approx(float(np.percentile(xs, 100 * q)))
    with pytest.raises(ValueError, match="no values"):
        quantile([], 0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        quantile([1], 90)
    assert spread_stats([5])["p90_s"] == 5.0


def test_summary_json_keeps_its_keys_and_gains_the_new_ones(days_plan: Plan,
                                                             tmp_path: Path) -> None:
    files = days_plan.write(tmp_path / "out")
    summary = json.loads(files["summary.json"].read_text(encoding="utf-8"))
    for key in ("required_visits", "scheduled_visits", "unscheduled_visits", "coverage",
                "frequency_compliance", "coverage_by_priority", "travel_s", "distance_m",
                "drive_share", "route_days", "visits_per_day", "solve_s", "start", "weeks",
                "outlets", "reps", "seed", "iterations", "stop_reason", "objective"):
        assert key in summary
    assert summary["reps"] == 2  # the count, not the per-rep figures
    assert summary["per_rep"]["R1"]["days_without_route"] == 5
    assert summary["start_spread_same_weekday"]["outlets"] == 0  # no outlet seen twice
    assert json.loads(days_plan.to_json())["summary"]["per_rep"] == summary["per_rep"]


def test_summary_text_has_a_line_per_rep(days_plan: Plan) -> None:
    text = days_plan.summary()
    assert "4 of 15 working days with a route, 1 / 2.5 / 4 visits per day" in text
    assert ("rep R1      3 of 8 days, 2 / 3 / 4 visits, day 3.0-8.0 h, drive max 0.8 h, "
            "workload 4.0 h (+77.8%)") in text
    assert "rep R2      1 of 7 days, 1 / 1 / 1 visits" in text


def test_summary_lists_ten_reps_at_most() -> None:
    reps = [Rep(f"R{i:02d}", 43.74, 7.42) for i in range(12)]
    problem = Problem([Outlet("O1", 43.73, 7.42, VisitRule.parse("1/week"))], reps,
                      Horizon(MONDAY, weeks=1))
    text = Plan(problem, (), ()).summary()
    assert "rep R09" in text and "rep R10" not in text
    assert "... and 2 more reps (per_rep in summary.json)" in text


def test_solved_plan_figures_add_up() -> None:
    outlets = [Outlet(f"P{i}", 43.72 + 0.004 * (i % 5), 7.40 + 0.006 * (i // 5),
                      VisitRule.parse("2/week" if i < 3 else "1/week"), service=1200)
               for i in range(12)]
    reps = [Rep("R1", 43.73, 7.41, max_visits=6), Rep("R2", 43.73, 7.43, max_visits=6)]
    plan = solve(Problem(outlets, reps, Horizon(MONDAY, weeks=2)),
                 SolveParams(max_iterations=50, seed=0))
    k = plan.kpis()
    per = k["per_rep"].values()
    assert sum(f["days_worked"] for f in per) == k["route_days"] == len(plan.routes)
    assert sum(f["visits"] for f in per) == k["scheduled_visits"]
    assert sum(f["travel_s"] for f in per) == k["travel_s"]
    assert k["working_days"] == 20
    assert k["days_without_route"] == 20 - len(plan.routes)
    assert k["start_spread_all_visits"]["outlets"] == 12  # every outlet has 2 or 4 visits
    assert k["start_spread_one_weekday"]["outlets"] == 9  # the weekly ones
    for f in per:
        if f["days_worked"]:
            assert f["visits_per_day_min"] <= f["visits_per_day_median"] <= f["visits_per_day_max"]
            assert f["day_length_spread_s"] == f["day_length_max_s"] - f["day_length_min_s"]


def test_cli_prints_and_writes_the_day_figures(valid_tables: Any, run_cli: Any) -> None:
    r = run_cli(valid_tables.outlets, valid_tables.reps)
    assert r.code == 0, r.err
    summary = json.loads((r.out_dir / "summary.json").read_text(encoding="utf-8"))
    routes = (r.out_dir / "routes.csv").read_text(encoding="utf-8").splitlines()[1:]
    r1 = summary["per_rep"]["R1"]
    assert (r1["working_days"], r1["days_worked"], r1["visits"]) == (5, len(routes), 2)
    assert summary["days_without_route"] == 5 - len(routes)
    assert f"{len(routes)} of 5 working days with a route" in r.out
    assert f"rep R1      {len(routes)} of 5 days" in r.out
    assert "start spread" not in r.out  # each outlet is visited once
