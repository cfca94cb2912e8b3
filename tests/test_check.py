"""The independent checker: one check per rule, typed violations."""

from __future__ import annotations

import dataclasses
from datetime import date

from routeopt import Horizon, OpeningHours, Outlet, Problem, Rep, SolveParams, VisitRule, solve
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
