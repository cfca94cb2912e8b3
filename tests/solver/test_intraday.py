"""Ruin and recreate inside each day: plans stay whole and feasible, and get shorter."""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from datetime import date

import pytest

from routeopt import (
    Break,
    Horizon,
    OpeningHours,
    Outlet,
    Problem,
    Rep,
    SolveParams,
    TimeWindow,
    VisitRule,
    solve,
)
from routeopt.solver._intraday import DaySearch
from routeopt.solver._model import Instance, compile_problem
from routeopt.solver._search import Search, State
from routeopt.solver._tuning import Tuning

MONDAY = date(2026, 11, 30)


def _territory(seed: int, *, lunch: bool, capacity: int | None) -> Problem:
    """Three reps from one office and 40 outlets: weekly ones with a fixed rep,
    twice-weekly ones any rep may visit, fortnightly ones over two weeks."""
    rng = random.Random(seed)
    rules = ["1/week", "2/week", "1/2weeks"]
    outlets = []
    for i in range(40):
        rule = VisitRule.parse(rng.choice(rules))
        if i % 3 == 0:
            rule = VisitRule(rule.per_week, same_rep=False)
        outlets.append(Outlet(
            f"P{i}", 43.70 + 0.06 * rng.random(), 7.36 + 0.10 * rng.random(), rule,
            service=rng.choice([600, 900, 1200]),
            hours=OpeningHours.parse(rng.choice(
                ["24/7", "Mo-Fr 09:00-12:00,14:00-18:00", "Mo-Fr 08:00-17:00"])),
            demand=rng.randint(1, 4)))
    brk = Break(TimeWindow.parse("12:00-14:00"), 1800) if lunch else None
    reps = [Rep(f"R{k}", 43.73, 7.41, shift=TimeWindow.parse("08:30-17:00"), lunch=brk,
                capacity=capacity) for k in range(3)]
    return Problem(outlets, reps, Horizon(MONDAY, weeks=2))


def _check(search: Search, st: State) -> None:
    """Every route re-times on time, and the cached totals and choices match the routes."""
    inst, timer = search.inst, search.timer
    where: dict[int, list[int]] = {}
    for t, seq in enumerate(st.routes):
        slot = inst.slots[t]
        sched = timer.schedule(slot, seq)
        assert sched is not None and sched.back <= slot.shift_end, f"slot {t} is late"
        assert st.rcost[t] == timer.route_cost(slot, seq)
        rep = inst.problem.reps[slot.rep]
        assert rep.capacity is None or sum(inst.demand[i] for i in seq) <= rep.capacity
        assert rep.max_visits is None or len(seq) <= rep.max_visits
        for k, term in enumerate(search.terms):  # the terms' bookkeeping matches the route
            assert st.use[k][t] == term.route_use(t, seq)
        assert st.scheds[t].start == sched.start
        for i in seq:
            where.setdefault(i, []).append(t)
    for i, ch in enumerate(st.choice):
        if ch is None:
            assert i not in where
            continue
        assert sorted(ch[1]) == sorted(where[i])
        groups = inst.options[i][ch[0]].groups
        assert all(any(t in g for g in groups) for t in ch[1]), f"outlet {i} off its option"
        assert len({inst.slots[t].day for t in ch[1]}) == len(ch[1])


def _days(inst: Instance, st: State) -> Counter[tuple[int, int]]:
    return Counter((i, inst.slots[t].day) for t, seq in enumerate(st.routes) for i in seq)


def _reps(inst: Instance, st: State) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for t, seq in enumerate(st.routes):
        for i in seq:
            out.setdefault(i, set()).add(inst.slots[t].rep)
    return out


@pytest.mark.parametrize(("seed", "lunch", "capacity"),
                         [(0, False, None), (1, True, None), (2, False, 25), (3, True, 30)])
def test_day_search_keeps_days_and_reps_and_shortens(seed: int, lunch: bool,
                                                     capacity: int | None) -> None:
    # travel alone (balanced days off): the day search must shorten it
    inst = compile_problem(_territory(seed, lunch=lunch, capacity=capacity),
                           SolveParams(seed=seed, balance_weight=0.0))
    # the plain first plan (not the sectors planned apart, already searched)
    search = Search(inst, tuning=Tuning(rep_split=0.0))
    st = search.construct()
    days, reps, before = _days(inst, st), _reps(inst, st), sum(st.rcost)
    ds = DaySearch(search)
    temp = 0.5 * before / sum(len(r) + 1 for r in st.routes)
    ds.run(st, 600, math.inf, time.perf_counter, temp, 0.01 * temp)
    _check(search, st)
    assert _days(inst, st) == days  # every visit on its day
    after = _reps(inst, st)
    for i, rs in reps.items():
        if inst.problem.outlets[inst.outlet_of[i]].rule.same_rep and inst.need[i] > 1:
            assert after[i] == rs, f"outlet {i} changed rep"
    assert sum(st.rcost) < before
    assert ds.accepted > 0 and ds.iterations == 600


def test_rejected_moves_are_undone() -> None:
    """Hot moves (most accepted) and cold ones (most rejected) leave a consistent plan."""
    inst = compile_problem(_territory(4, lunch=True, capacity=28), SolveParams(seed=4))
    search = Search(inst)
    st = search.construct()
    ds = DaySearch(search)
    for temp in (1e9, 0.0):
        for _ in range(200):
            ds.step(st, temp)
        _check(search, st)
    assert 0 < ds.accepted < ds.iterations


def test_day_search_is_deterministic() -> None:
    def once() -> list[list[int]]:
        inst = compile_problem(_territory(5, lunch=False, capacity=None), SolveParams(seed=7))
        search = Search(inst)
        st = search.construct()
        DaySearch(search).run(st, 300, math.inf, time.perf_counter, 500.0, 5.0)
        return st.routes

    assert once() == once()


def test_day_search_untangles_two_reps() -> None:
    """Two reps from one office, two villages east and west, visited once on Monday
    (too long a day for one rep to do both): a plan that sends both reps to
    both villages becomes one rep per village."""
    west = [Outlet(f"W{k}", 43.70 + 0.002 * k, 7.20, VisitRule.parse("1/week"), service=3000)
            for k in range(5)]
    east = [Outlet(f"E{k}", 43.70 + 0.002 * k, 7.60, VisitRule.parse("1/week"), service=3000)
            for k in range(5)]
    reps = [Rep(f"R{k}", 43.70, 7.40, working_days=frozenset({0})) for k in range(2)]
    inst = compile_problem(Problem(west + east, reps, Horizon(MONDAY)), SolveParams(seed=0))
    search = Search(inst)
    st = search.empty()
    # both routes: some of the west, then some of the east
    search.warm_start(st, [[0, 1, 2, 5, 6], [3, 4, 7, 8, 9]])
    _check(search, st)
    assert all(not r for r in st.routes[2:]) and sum(map(len, st.routes)) == 10
    ds = DaySearch(search)
    ds.run(st, 400, math.inf, time.perf_counter, 1000.0, 10.0)
    _check(search, st)
    villages = [{inst.problem.outlets[i].id[0] for i in seq} for seq in st.routes if seq]
    assert sorted(map(sorted, villages)) == [["E"], ["W"]]


def test_solve_counts_day_moves_by_the_iteration_budget() -> None:
    problem = _territory(6, lunch=False, capacity=None)
    plan = solve(problem, SolveParams(max_iterations=200, seed=1)).validate()
    knobs = Search(compile_problem(problem, SolveParams()))
    tuning = knobs.tuning
    search_its = round((1 - tuning.day_share) * 200)
    assert plan.stats["iterations"] == 200  # the end phase's moves count as iterations
    # the day arm's moves during the search, then day_moves per iteration left
    end_phase = (200 - search_its) * tuning.day_moves
    assert plan.stats["day_moves"] > end_phase
    assert (plan.stats["day_moves"] - end_phase) % tuning.day_batch == 0
    again = solve(problem, SolveParams(max_iterations=200, seed=1))
    assert again.stats["day_moves"] == plan.stats["day_moves"]
    assert [r.stops for r in again.routes] == [r.stops for r in plan.routes]


def test_no_day_search_where_no_visit_can_change_rep() -> None:
    """One rep: a day cannot be re-cut between reps, so the whole budget goes to the
    outlet moves (and the final OR-Tools pass orders each route)."""
    rng = random.Random(8)
    outlets = [Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
                      VisitRule.parse(rng.choice(["1/week", "1/2weeks"])), service=900)
               for i in range(15)]
    problem = Problem(outlets, [Rep("R", 43.72, 7.42)], Horizon(MONDAY, weeks=2))
    plan = solve(problem, SolveParams(max_iterations=60, seed=0)).validate()
    assert plan.stats["day_moves"] == 0
    assert plan.stats["iterations"] == 60
    two = problem.replace(reps=(Rep("R", 43.72, 7.42), Rep("S", 43.73, 7.40)))
    assert solve(two, SolveParams(max_iterations=60, seed=0)).stats["day_moves"] > 0


def test_day_search_with_balanced_days_lowers_the_objective() -> None:
    inst = compile_problem(_territory(1, lunch=True, capacity=None), SolveParams(seed=1))
    search = Search(inst)
    assert search.objectives  # balanced days are on by default
    st = search.construct()
    search.refresh_targets(st)
    days, before = _days(inst, st), search.objective(st)
    ds = DaySearch(search)
    temp = 0.5 * sum(st.rcost) / sum(len(r) + 1 for r in st.routes)
    ds.run(st, 300, math.inf, time.perf_counter, temp, 0.01 * temp)
    _check(search, st)
    assert _days(inst, st) == days
    assert search.objective(st) < before
