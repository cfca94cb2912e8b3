"""Max driving time per day: read, validated, honoured by the search, checked."""

from __future__ import annotations

import dataclasses
import itertools
import random
from datetime import date

import pandas as pd
import pytest

from routeopt import Horizon, InputError, Outlet, Plan, Problem, Rep, SolveParams, VisitRule, solve
from routeopt.read import read_reps

MONDAY = date(2026, 11, 30)


def _drive(plan: Plan) -> dict[tuple[str, date], int]:
    """Each route's driving time, from its own stops."""
    return {(r.rep_id, r.date): sum(s.travel_s for s in r.stops) + r.return_travel_s
            for r in plan.routes}


def _problem(max_drive: int | None, far: bool = False) -> Problem:
    """Two reps, 20 weekly outlets spread over ~10 km; ``far``: one more outlet
    about 40 km away (within a day's shift, beyond an hour's driving)."""
    rng = random.Random(11)
    outlets = [Outlet(f"P{i}", 43.66 + 0.09 * rng.random(), 7.30 + 0.14 * rng.random(),
                      VisitRule.parse("1/week"), service=900) for i in range(20)]
    if far:
        outlets.append(Outlet("FAR", 44.02, 7.42, VisitRule.parse("1/week"), service=900))
    reps = [Rep(f"R{k}", 43.72, 7.36 + 0.08 * k, max_drive=max_drive) for k in range(2)]
    return Problem(outlets, reps, Horizon(MONDAY))


def test_max_drive_binds_and_every_route_keeps_it() -> None:
    params = SolveParams(max_iterations=150, seed=0)
    free = solve(_problem(None), params).validate()
    longest = max(_drive(free).values())
    limit = longest * 3 // 4  # binds: the plan without it has a longer day
    plan = solve(_problem(limit), params).validate()
    drives = _drive(plan)
    assert max(drives.values()) <= limit < longest
    assert plan.kpis()["coverage"] == 1.0  # the visits spread over more days instead
    assert len(plan.routes) > len(free.routes)
    again = solve(_problem(limit), params)
    assert [r.stops for r in again.routes] == [r.stops for r in plan.routes]


def test_a_visit_beyond_max_drive_gets_its_reason() -> None:
    plan = solve(_problem(3600, far=True), SolveParams(max_iterations=60)).validate()
    far = [u for u in plan.unscheduled if u.outlet_id == "FAR"]
    assert [u.reason for u in far] == ["max_drive"]
    assert "max_drive" in far[0].message
    # without the limit the same outlet is visited
    free = solve(_problem(None, far=True), SolveParams(max_iterations=60)).validate()
    assert not free.unscheduled


def test_the_checker_finds_a_day_driven_too_long() -> None:
    params = SolveParams(max_iterations=60)
    free = solve(_problem(None), params)
    longest = max(_drive(free).values())
    strict = dataclasses.replace(free, problem=_problem(longest - 1))
    bad = [v for v in strict.violations() if "max_drive" in v]
    assert bad and f"more than max_drive {longest - 1} s" in bad[0]
    assert not dataclasses.replace(free, problem=_problem(longest)).violations()


def test_or_tools_reorders_within_max_drive() -> None:
    """The final OR-Tools pass sees max_drive as a dimension: no route ends over it."""
    for seed, limit in itertools.product(range(3), (1500, 2400)):
        rng = random.Random(seed)
        outlets = [Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
                          VisitRule.parse("2/week"), service=600) for i in range(16)]
        problem = Problem(outlets, [Rep("R", 43.72, 7.42, max_drive=limit)], Horizon(MONDAY))
        plan = solve(problem, SolveParams(max_iterations=40, seed=seed)).validate()
        assert all(d <= limit for d in _drive(plan).values())


def test_max_drive_counts_the_trip_home_to_another_end() -> None:
    """A rep who starts and ends in different places drives the way between them
    on any day out: a limit below it leaves every visit out, with its reason."""
    outlets = [Outlet(f"P{i}", 43.75, 7.40 + 0.01 * i, VisitRule.parse("1/week"))
               for i in range(3)]
    rep = dict(lat=43.70, lon=7.40, end_lat=43.80, end_lon=7.40)
    gap = solve(Problem(outlets, [Rep("R", **rep)], Horizon(MONDAY)),
                SolveParams(max_iterations=20)).validate()
    way = min(_drive(gap).values())  # at least the trip from start to end
    short = Problem(outlets, [Rep("R", max_drive=way // 2, **rep)], Horizon(MONDAY))
    plan = solve(short, SolveParams(max_iterations=20)).validate()
    assert not plan.routes and {u.reason for u in plan.unscheduled} == {"max_drive"}
    enough = Problem(outlets, [Rep("R", max_drive=4 * way, **rep)], Horizon(MONDAY))
    assert not solve(enough, SolveParams(max_iterations=20)).validate().unscheduled


@pytest.mark.parametrize(("text", "seconds"), [("90", 5400), ("1:30", 5400), ("0", 0),
                                               ("45,5", 2730), ("", None)])
def test_reps_table_reads_max_drive(text: str, seconds: int | None) -> None:
    reps, issues, _ = read_reps(pd.DataFrame({"rep_id": ["R1"], "lat": [43.7], "lon": [7.4],
                                              "max_drive": [text]}))
    assert not issues
    assert reps[0].max_drive == seconds


@pytest.mark.parametrize("text", ["-5", "1:75", "an hour"])
def test_a_bad_max_drive_names_the_rep_and_the_column(text: str) -> None:
    _, issues, _ = read_reps(pd.DataFrame({"rep_id": ["R7"], "lat": [43.7], "lon": [7.4],
                                           "max_drive": [text]}))
    assert len(issues) == 1
    assert issues[0].rep_id == "R7" and issues[0].column == "max_drive"
    assert "duration" in issues[0].message


def test_a_negative_max_drive_is_an_input_error() -> None:
    with pytest.raises(InputError, match="max_drive must be >= 0") as e:
        Rep("R9", 43.7, 7.4, max_drive=-60)
    assert e.value.issues[0].rep_id == "R9" and e.value.issues[0].column == "max_drive"
