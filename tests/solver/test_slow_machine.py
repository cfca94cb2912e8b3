"""With an iteration budget, the plan does not depend on the machine's speed.

A machine ``SLOW`` times slower is simulated: OR-Tools sees every time limit
it is given (the search's and the one of each neighbour's completion) ``SLOW``
times shorter, and the solver's own clock runs ``SLOW`` times faster. With
``max_iterations`` the stop and a time limit far above what the solve needs,
the plan must be the one of the normal machine, bit for bit.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from ortools.constraint_solver import pywrapcp

from routeopt import Plan, SolveParams, solve
from routeopt.datasets import make_territory
from routeopt.read import read_problem
from routeopt.solver import _ortools, _reps, _search

SLOW = 1000.0
LIMIT = 3600.0  # the solve needs well under LIMIT / SLOW seconds


def _routes(plan: Plan) -> list[tuple[Any, ...]]:
    return [(r.rep_id, r.date, r.depart, r.back, r.break_start,
             tuple((s.outlet_id, s.start) for s in r.stops)) for r in plan.routes]


def _slow_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    solve_from = pywrapcp.RoutingModel.SolveFromAssignmentWithParameters

    def slower(self: Any, initial: Any, params: Any) -> Any:
        p = pywrapcp.DefaultRoutingSearchParameters()
        p.CopyFrom(params)
        for limit in (p.time_limit, p.lns_time_limit):
            ns = limit.ToNanoseconds()
            limit.FromNanoseconds(max(1, int(ns / SLOW)))
        return solve_from(self, initial, p)

    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveFromAssignmentWithParameters", slower)
    t0 = time.perf_counter()
    fast = SimpleNamespace(perf_counter=lambda: t0 + SLOW * (time.perf_counter() - t0),
                           time=time.time, monotonic=time.monotonic)
    for mod in (_search, _reps, _ortools):
        monkeypatch.setattr(mod, "time", fast)


@pytest.mark.parametrize("n_outlets, n_reps, weeks", [(40, 1, 2), (60, 2, 2)])
def test_iteration_stop_ignores_the_machine_speed(monkeypatch: pytest.MonkeyPatch,
                                                   n_outlets: int, n_reps: int,
                                                   weeks: int) -> None:
    outlets, reps = make_territory(n_outlets, n_reps, seed=7)
    problem = read_problem(outlets, reps, start="2026-11-30", weeks=weeks)
    params = SolveParams(max_iterations=150, time_limit=LIMIT, seed=3)
    normal = solve(problem, params)
    assert normal.stats["stop_reason"] == "max_iterations"
    assert normal.stats["reoptimise_s"] > 0 and normal.stats["polish_s"] > 0  # both ran
    _slow_machine(monkeypatch)
    slow = solve(problem, params)
    assert _routes(slow) == _routes(normal)
    assert slow.stats["stop_reason"] == "max_iterations"
    assert slow.stats["clock_cut"] == []


def test_no_clock_bound_inside_the_descents(monkeypatch: pytest.MonkeyPatch) -> None:
    """With an iteration budget, every OR-Tools search (the whole-plan search and
    the polish of each route) and each neighbour's completion in it may take
    the time left of the limit: no shorter clock bound (such as OR-Tools' own
    100 ms a neighbour, or 2 s a route) can change the plan on a busy machine."""
    seen: list[tuple[float, float]] = []
    solve_from = pywrapcp.RoutingModel.SolveFromAssignmentWithParameters

    def spy(self: Any, initial: Any, params: Any) -> Any:
        seen.append((params.time_limit.ToNanoseconds() / 1e9,
                     params.lns_time_limit.ToNanoseconds() / 1e9))
        return solve_from(self, initial, params)

    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveFromAssignmentWithParameters", spy)
    outlets, reps = make_territory(60, 2, seed=7)
    problem = read_problem(outlets, reps, start="2026-11-30", weeks=2)
    plan = solve(problem, SolveParams(max_iterations=150, time_limit=LIMIT, seed=3))
    assert plan.stats["reoptimise_s"] > 0 and len(seen) > 1
    assert min(min(t, lns) for t, lns in seen) > 0.9 * LIMIT
