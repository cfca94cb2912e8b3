"""The independent checker: one check per rule, typed violations."""

from __future__ import annotations

import dataclasses
from datetime import date

from routeopt import (
    Horizon,
    OpeningHours,
    Outlet,
    Plan,
    Problem,
    Rep,
    SolveParams,
    VisitRule,
    solve,
)
from routeopt._check import check_plan, violations


def test_violations_are_typed_by_rule_and_read_as_the_plan_reports_them() -> None:
    outlets = [Outlet(f"P{i}", 43.73 + 0.003 * i, 7.42, VisitRule.parse("1/week"),
                      hours=OpeningHours.parse("Mo-Fr 09:00-17:00"), demand=2)
               for i in range(4)]
    problem = Problem(outlets, [Rep("R", 43.73, 7.41, capacity=10)], Horizon(date(2026, 11, 30)))
    plan = solve(problem, SolveParams(max_iterations=20)).validate()
    assert violations(plan) == []
    r = plan.routes[0]
    late = dataclasses.replace(r.stops[0], start=r.stops[0].start + 8 * 3600,
                               end=r.stops[0].end + 8 * 3600)
    bad = dataclasses.replace(plan, routes=(dataclasses.replace(
        r, stops=(late, *r.stops[1:]), back=r.back + 8 * 3600), *plan.routes[1:]))
    strict = dataclasses.replace(bad, problem=problem.replace(
        reps=(Rep("R", 43.73, 7.41, capacity=1),)))
    found = violations(strict)
    rules = {v.rule for v in found}
    assert {"opening_hours", "shift", "capacity"} <= rules
    assert [str(v) for v in found] == check_plan(strict) == strict.violations()
    assert all(str(v).startswith(v.where + ": ") for v in found)


def _weekly_cn_plan(weeks: int = 2) -> Plan:
    # 2026-02-16..22 off for the Spring Festival and Monday 23rd too (Sat 14th, 28th worked)
    o = Outlet("P", 39.91, 116.40, VisitRule.parse("1/week"))
    problem = Problem([o], [Rep("R", 39.90, 116.40)],
                      Horizon(date(2026, 2, 23), weeks=weeks, country="CN"))
    return solve(problem, SolveParams(max_iterations=20)).validate()


def _moved(plan: Plan, day: date, to: date) -> Plan:
    routes = tuple(dataclasses.replace(r, date=to) if r.date == day else r for r in plan.routes)
    return dataclasses.replace(plan, routes=routes)


def test_a_visit_moved_off_a_holiday_stays_on_its_route_line() -> None:
    plan = _weekly_cn_plan()
    first, second = sorted(r.date for r in plan.routes)
    monday = date(2026, 2, 23)
    # put the plan on the Monday line: the 23rd is off, so its visit is on Tuesday 24th
    on_line = _moved(_moved(plan, first, date(2026, 2, 24)), second, date(2026, 3, 2))
    assert [v for v in violations(on_line) if v.rule == "route_line"] == []
    assert monday not in {r.date for r in on_line.routes}


def test_a_visit_moved_for_no_reason_leaves_its_route_line() -> None:
    plan = _weekly_cn_plan(weeks=3)
    days = sorted(r.date for r in plan.routes)
    # Monday line in weeks 2 and 3 (Mar 2, Mar 9), a Wednesday in a week whose Monday is worked
    wrong = _moved(_moved(_moved(plan, days[0], date(2026, 2, 24)), days[1], date(2026, 3, 4)),
                   days[2], date(2026, 3, 9))
    found = [v for v in violations(wrong) if v.rule == "route_line"]
    assert len(found) == 1 and "no holiday or day off on a line" in found[0].message
