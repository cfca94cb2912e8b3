"""Choosing the rep where reps share a home: sectors, candidates, first plan, rep moves."""

from __future__ import annotations

import math
import random
import time
from datetime import date

from routeopt import Horizon, Outlet, Problem, Rep, SolveParams, TimeWindow, VisitRule, solve
from routeopt.solver._model import compile_problem
from routeopt.solver._reps import REP_REMOVALS, can_split, rep_of, split_routes, workload
from routeopt.solver._search import Search, State
from routeopt.solver._tuning import Tuning

MONDAY = date(2026, 11, 30)
HOME = (43.73, 7.41)


def _office(n: int = 48, reps: int = 4, seed: int = 0, *, same_rep: bool = True,
            homes: list[tuple[float, float]] | None = None) -> Problem:
    """``n`` outlets in a ring around one office shared by ``reps`` reps (or the
    reps at ``homes``), visited once or twice a week."""
    rng = random.Random(seed)
    outlets = []
    for i in range(n):
        a = rng.uniform(0, 2 * math.pi)
        r = rng.uniform(0.01, 0.05)
        rule = VisitRule.parse(rng.choice(["1/week", "2/week"]))
        outlets.append(Outlet(f"P{i}", HOME[0] + r * math.sin(a), HOME[1] + r * math.cos(a),
                              VisitRule(rule.per_week, same_rep=same_rep),
                              service=rng.choice([600, 900]), demand=rng.randint(1, 3)))
    where = homes or [HOME] * reps
    team = [Rep(f"R{k}", lat, lon, shift=TimeWindow.parse("08:00-18:00"))
            for k, (lat, lon) in enumerate(where)]
    return Problem(outlets, team, Horizon(MONDAY, weeks=1))


def _params(**kw: object) -> SolveParams:
    base: dict[str, object] = dict(time_limit=60, max_iterations=150, max_no_improvement=150,
                                   seed=3, balance_weight=0.0, steady_weight=0.0)
    base.update(kw)
    return SolveParams(**base)  # type: ignore[arg-type]


def _one_rep_each(search: Search, st: State) -> None:
    """Every placed outlet's visits are on one rep, the one its option names, and
    the routes hold exactly the visits the choices list."""
    inst = search.inst
    seen: dict[int, list[int]] = {}
    for s, seq in enumerate(st.routes):
        for i in seq:
            seen.setdefault(i, []).append(s)
    for i, ch in enumerate(st.choice):
        if ch is None:
            assert i not in seen
            continue
        assert sorted(ch[1]) == sorted(seen.get(i, []))
        reps = {inst.slots[s].rep for s in ch[1]}
        assert reps == {inst.options[i][ch[0]].rep}


def test_sectors_cover_every_outlet_and_balance_the_workload() -> None:
    inst = compile_problem(_office(n=80, reps=4), _params())
    home = inst.home_rep[:80]
    assert set(home) == {0, 1, 2, 3}
    # the reps have no capacity nor visit cap: each visit weighs its service
    # time over the 10-hour shift
    weight = workload(inst.problem, inst.need[:80])
    assert all(math.isclose(w, inst.need[i] * inst.problem.outlets[i].service / 36000)
               for i, w in enumerate(weight))
    load = [0.0] * 4
    for i, h in enumerate(home):
        load[h] += weight[i]
    assert max(load) <= 1.35 * min(load), load
    # each sector is one arc of the ring: its outlets' angles are contiguous
    ang = {i: math.atan2(inst.problem.outlets[i].lat - HOME[0],
                         inst.problem.outlets[i].lon - HOME[1]) for i in range(80)}
    order = sorted(range(80), key=lambda i: ang[i])
    changes = sum(1 for a, b in zip(order, order[1:] + order[:1], strict=True)
                  if home[a] != home[b])
    assert changes == 4


def test_no_sectors_without_a_shared_home_or_a_fixed_rep() -> None:
    apart = _office(reps=3, homes=[HOME, (43.70, 7.38), (43.76, 7.44)])
    assert set(compile_problem(apart, _params()).home_rep) == {-1}
    free = _office(same_rep=False)
    assert set(compile_problem(free, _params()).home_rep) == {-1}


def test_candidates_of_a_shared_home_are_the_nearest_sectors_not_the_first_reps() -> None:
    inst = compile_problem(_office(n=60, reps=6), _params(candidate_reps=3))
    used = set()
    for i in range(60):
        near = inst.near_reps[i]
        assert len(near) == 3 and inst.home_rep[i] in near
        used.update(near)
    assert used == set(range(6))  # a tie on the trip from home no longer means reps 0-2


def test_first_plan_puts_each_outlet_with_its_sectors_rep() -> None:
    inst = compile_problem(_office(), _params())
    search = Search(inst)
    st = search.construct()
    _one_rep_each(search, st)
    placed = [i for i in range(48) if st.choice[i] is not None]
    assert len(placed) == 48
    assert all(rep_of(inst, st, i) == inst.home_rep[i] for i in placed)


def test_rep_moves_keep_each_outlet_on_one_rep_and_do_move_outlets() -> None:
    inst = compile_problem(_office(), _params())
    search = Search(inst)
    st = search.construct()
    moved = 0
    for name, op in REP_REMOVALS.items():
        for _ in range(15):
            before = [rep_of(inst, st, i) for i in range(inst.n)]
            removed = op(search, st, 4)
            assert removed, name
            assert set(search.forced) <= set(removed)
            for i, rep in search.forced.items():
                assert rep != before[i] and rep in inst.near_reps[i]
            touched: set[int] = set()
            for i in removed:
                touched.update(search.remove(st, i))
            search.settle(st, touched)
            forced, search.forced = search.forced, {}
            for i, rep in forced.items():
                best = search.price_on_rep(st, i, rep)
                if best is not None:
                    search.insert(st, i, best=best)
                    assert rep_of(inst, st, i) == rep
            search.repair(st, removed)
            _one_rep_each(search, st)
            moved += sum(1 for i in range(inst.n) if rep_of(inst, st, i) != before[i])
    assert moved > 0


def test_the_search_draws_the_rep_moves_and_is_deterministic() -> None:
    problem = _office()
    a = solve(problem, _params())
    b = solve(problem, _params())
    assert [(r.rep_id, r.date, [s.outlet_id for s in r.stops]) for r in a.routes] == \
        [(r.rep_id, r.date, [s.outlet_id for s in r.stops]) for r in b.routes]
    ops = a.stats["operators"]
    assert all(ops[name] > 0 for name in REP_REMOVALS)
    reps_of: dict[str, set[str]] = {}
    for r in a.routes:
        for s in r.stops:
            reps_of.setdefault(s.outlet_id, set()).add(r.rep_id)
    assert all(len(v) == 1 for v in reps_of.values())
    assert not a.unscheduled


def test_no_rep_moves_where_no_home_is_shared() -> None:
    apart = _office(reps=3, homes=[HOME, (43.70, 7.38), (43.76, 7.44)])
    ops = solve(apart, _params(max_iterations=50, max_no_improvement=50)).stats["operators"]
    assert not set(REP_REMOVALS) & set(ops)


def test_sectors_planned_apart_keep_each_outlet_with_its_rep_and_repeat() -> None:
    inst = compile_problem(_office(), _params())
    assert can_split(inst)
    routes = split_routes(inst, 0.4, time.perf_counter())
    seen: dict[int, set[int]] = {}
    for s, seq in enumerate(routes):
        for i in seq:
            seen.setdefault(i, set()).add(s)
            assert inst.slots[s].rep == inst.home_rep[i]
    assert set(seen) == set(range(48))  # every sector's outlets planned
    assert all(len(ss) == inst.need[i] for i, ss in seen.items())
    # 0.4 of 150 iterations shared by the sectors: the same routes again
    assert split_routes(inst, 0.4, time.perf_counter()) == routes


def test_the_first_plan_is_the_sectors_planned_apart_when_they_are_better() -> None:
    inst = compile_problem(_office(), _params())
    joined = Search(inst)
    st = joined.construct()
    plain = Search(inst, tuning=Tuning(rep_split=0.0))
    other = plain.construct()
    assert joined.stats.split_start and not plain.stats.split_start
    assert joined.objective(st) < plain.objective(other)
    _one_rep_each(joined, st)
    assert all(st.choice[i] is not None for i in range(48))


def test_no_split_without_a_shared_home_or_with_a_reference_plan() -> None:
    apart = _office(reps=3, homes=[HOME, (43.70, 7.38), (43.76, 7.44)])
    assert not can_split(compile_problem(apart, _params()))
    problem = _office()
    plan = solve(problem, _params(max_iterations=20, max_no_improvement=20))
    again = compile_problem(problem, _params(), previous=plan)
    assert not can_split(again)
