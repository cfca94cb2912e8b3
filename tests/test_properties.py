"""Property tests: every plan of a random small territory passes the checker."""

from __future__ import annotations

import warnings
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from routeopt import (
    Appointment,
    Break,
    Horizon,
    InputError,
    OpeningHours,
    Outlet,
    Problem,
    Rep,
    SolveParams,
    TimeWindow,
    VisitRule,
    solve,
)

MONDAY = date(2026, 11, 30)
HOURS = [
    "24/7",
    "Mo-Fr 08:30-12:30,14:00-19:00; Sa 09:00-12:00",
    "Mo-Sa 08:00-20:00",
    "Mo-Fr 09:00-12:00",
    "Tu-Fr 14:00-18:00",
    "Mo,We,Fr 10:00-16:00",
]


@st.composite
def territories(draw: st.DrawFn) -> Problem:
    weeks = draw(st.sampled_from([1, 2]))
    n_reps = draw(st.integers(1, 2))
    reps = []
    for k in range(n_reps):
        start = draw(st.sampled_from([7 * 3600, 8 * 3600 + 1800, 9 * 3600]))
        length = draw(st.sampled_from([4, 6, 9])) * 3600
        lunch = None
        if start + length >= 14 * 3600 and draw(st.booleans()):
            lunch = Break(TimeWindow(12 * 3600, 14 * 3600), draw(st.sampled_from([1800, 2700])))
        reps.append(Rep(
            f"R{k}", 43.70 + draw(st.floats(0, 0.06)), 7.38 + draw(st.floats(0, 0.1)),
            shift=TimeWindow(start, start + length), lunch=lunch,
            max_visits=draw(st.sampled_from([None, 3, 8])),
            mode=draw(st.sampled_from(["drive", "walk", "bicycle"])),
        ))
    outlets = []
    for i in range(draw(st.integers(1, 14))):
        freq = draw(st.sampled_from(["2/week", "1/week", "1/2weeks"]))
        hours = OpeningHours.parse(draw(st.sampled_from(HOURS)))
        service = draw(st.sampled_from([300, 900, 1800, 3600]))
        appointments: tuple[Appointment, ...] = ()
        if draw(st.integers(0, 5)) == 0:
            day = MONDAY + timedelta(days=draw(st.integers(0, 4)))
            wins = hours.windows_on(day)
            if wins:
                t = wins[0].start
                appointments = (Appointment(day, TimeWindow(t, t + 1800)),)
        outlets.append(Outlet(
            f"P{i}", 43.70 + draw(st.floats(0, 0.06)), 7.38 + draw(st.floats(0, 0.1)),
            VisitRule.parse(freq), service=service, priority=draw(st.integers(1, 9)),
            hours=hours, appointments=appointments,
            rep_id=draw(st.sampled_from([None, None, "R0"])),
        ))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Problem(outlets, reps, Horizon(MONDAY, weeks=weeks))
    except InputError:
        assume(False)
        raise


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=territories(), seed=st.integers(0, 3))
def test_every_plan_validates(problem: Problem, seed: int) -> None:
    plan = solve(problem, SolveParams(max_iterations=25, seed=seed))
    assert plan.violations() == []
    assert plan.scheduled_visits + len(plan.unscheduled) == problem.required_visits
    seen: set[tuple[str, date]] = set()
    for route, stop in plan.visits():
        assert (stop.outlet_id, route.date) not in seen  # once a day at most
        seen.add((stop.outlet_id, route.date))
        rep = next(r for r in problem.reps if r.id == route.rep_id)
        assert rep.shift.start <= route.depart <= stop.arrival <= stop.start
        assert stop.end <= route.back <= rep.shift.end


@settings(max_examples=15, deadline=None)
@given(problem=territories())
def test_unscheduled_only_when_a_lower_priority_would_not_do(problem: Problem) -> None:
    plan = solve(problem, SolveParams(max_iterations=25))
    for u in plan.unscheduled:
        assert u.reason in {"no_pattern", "unreachable", "no_time", "max_visits", "capacity"}
        assert u.message
