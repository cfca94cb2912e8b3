"""The seam: route terms, the penalty manager, the loop's parts and the tuning."""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import date

import numpy as np
import numpy.typing as npt
import pytest

from routeopt import Horizon, Outlet, Problem, Rep, SolveParams, VisitRule, solve
from routeopt.solver._loop import Annealing, StopRules
from routeopt.solver._model import Instance, Slot, compile_problem
from routeopt.solver._search import Search
from routeopt.solver._tuning import Tuning
from routeopt.solver.terms import Capacity, MaxVisits, RouteTerm, route_terms

MONDAY = date(2026, 11, 30)


def _problem(capacity: int | None, max_visits: int | None) -> Problem:
    rng = random.Random(4)
    outlets = [Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
                      VisitRule.parse("1/week"), service=900, demand=1 + i % 3)
               for i in range(12)]
    reps = [Rep("R", 43.72, 7.42, capacity=capacity, max_visits=max_visits),
            Rep("S", 43.73, 7.40)]
    return Problem(outlets, reps, Horizon(MONDAY))


def test_a_term_without_any_limit_is_left_out() -> None:
    inst = compile_problem(_problem(None, None), SolveParams())
    assert inst.terms == []
    inst = compile_problem(_problem(5, 3), SolveParams())
    assert [type(t) for t in inst.terms] == [MaxVisits, Capacity]
    assert route_terms(inst)[1].limit[0] == 5


def test_capacity_measures_prices_and_describes_itself() -> None:
    inst = compile_problem(_problem(5, None), SolveParams())
    cap = next(t for t in inst.terms if isinstance(t, Capacity))
    r_slot = next(s.index for s in inst.slots if s.rep == 0)
    s_slot = next(s.index for s in inst.slots if s.rep == 1)
    seq = [0, 1, 2]  # demands 1, 2, 3
    assert cap.route_use(r_slot, seq) == 6
    assert cap.excess(r_slot, 6) == 1 and cap.excess(r_slot, 5) == 0
    assert cap.excess(s_slot, 10**6) == 0  # rep S has no capacity
    assert cap.room(r_slot, 4, 0) == 0 and cap.room(s_slot, 4, 0) is None
    assert cap.added_excess(r_slot, 4, 3) == 2 and cap.added_excess(r_slot, 7, 3) == 3
    assert cap.blocks(r_slot, seq, 5, 0) and not cap.blocks(r_slot, seq, 4, 0)
    dim = cap.dimension()
    assert dim.name == "capacity" and not dim.travel
    assert dim.node[:3] == (1, 2, 3) and dim.limit[r_slot] == 5 and dim.limit[s_slot] is None


def test_max_visits_bounds_the_search_and_the_plan() -> None:
    problem = _problem(None, 2)
    plan = solve(problem, SolveParams(max_iterations=60)).validate()
    assert all(len(r.stops) <= 2 for r in plan.routes if r.rep_id == "R")
    inst = compile_problem(problem, SolveParams())
    search = Search(inst)
    st = search.empty()
    s = next(sl.index for sl in inst.slots if sl.rep == 0)
    st.routes[s] = [0, 1]
    assert search._touch(st, s)
    assert st.use[0][s] == 2
    assert search.slot_insert(st, 2, s) is None  # a third visit is over max_visits


def test_penalties_hard_restores_them_however_the_block_ends() -> None:
    search = Search(compile_problem(_problem(5, None), SolveParams()))
    pen = search.penalties
    pen.soften_terms(100.0, [10.0])
    assert pen.term == [10.0]
    version = pen.version
    with pytest.raises(RuntimeError), pen.hard():
        assert pen.term == [math.inf]
        raise RuntimeError("stop")
    assert pen.term == [10.0] and pen.version > version


def test_a_penalty_change_invalidates_cached_prices() -> None:
    search = Search(compile_problem(_problem(None, None), SolveParams()))
    st = search.construct()
    s = next(t for t, r in enumerate(st.routes) if r)
    i = next(j for j in range(search.inst.n) if j not in st.routes[s])
    search.slot_insert(st, i, s)
    assert search.cache[(i, s)][1] == search.penalties.version
    search.penalties.set_overtime(25, 3.0)
    assert search.cache[(i, s)][1] != search.penalties.version  # stale: priced again
    search.slot_insert(st, i, s)
    assert search.cache[(i, s)][1] == search.penalties.version


def test_tuning_is_frozen_and_replaced_by_copy() -> None:
    tuning = Tuning()
    with pytest.raises(dataclasses.FrozenInstanceError):
        tuning.day_share = 0.5  # type: ignore[misc]
    assert tuning.replace(day_share=0.5).day_share == 0.5 and tuning.day_share == 0.05


def test_stop_rules_name_the_rule_that_fired() -> None:
    stop = StopRules(True, 10, 3, t_zero=0.0, budget=100.0, deadline=50.0)
    assert not stop.stop(5, 1.0, 0)
    assert stop.stop(10, 1.0, 0) and stop.reason == "max_iterations"
    assert stop.stop(5, 50.0, 0) and stop.reason == "time_limit"
    assert stop.stop(5, 1.0, 3) and stop.reason == "no_improvement"
    assert stop.progress(5, 99.0) == 0.5
    by_time = StopRules(False, 10**9, 10**9, t_zero=0.0, budget=100.0, deadline=50.0)
    assert by_time.progress(5, 25.0) == 0.25


def test_annealing_cools_and_accepts() -> None:
    anneal = Annealing(100.0, 0.01)
    assert anneal.temperature(0.0) == 100.0 and math.isclose(anneal.temperature(2.0), 1.0)
    rng = random.Random(0)
    assert anneal.accept(5.0, 10.0, 1e-9, rng)  # better: always
    assert not anneal.accept(1e6, 10.0, 1.0, rng)  # far worse and cold: never


def test_plan_stats_count_every_operator_draw() -> None:
    problem = Problem(_problem(None, None).outlets, [Rep("R", 43.72, 7.42)], Horizon(MONDAY))
    plan = solve(problem, SolveParams(max_iterations=80))
    ops = plan.stats["operators"]
    assert set(ops) == {"random", "related", "worst", "day"}  # one rep: no day arm
    assert sum(ops.values()) == plan.stats["iterations"] == 80


class _Balance(RouteTerm):
    """A workload balance, as the next soft terms will be: per route,
    ``w * |work - target|`` with work = service plus travel."""

    code = "balance"
    message = "-"
    travel = True
    objective = True
    weight = 0.7
    target = 3 * 3600

    def slot_limit(self, inst: Instance, slot: Slot) -> int | None:
        return None

    def node_use(self, inst: Instance, node: int) -> int:
        return inst.service[node]

    def cost(self, s: int, use: int) -> float:
        return self.weight * abs(use - self.target)

    def cost_rows(self, use: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        return self.weight * np.abs(use - self.target)


def test_an_objective_term_is_priced_alike_by_both_pricers_and_the_objective() -> None:
    rng = random.Random(3)
    outlets = [Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
                      VisitRule.parse(rng.choice(["1/week", "2/week"])),
                      service=rng.choice([600, 1800, 2700])) for i in range(20)]
    reps = [Rep(f"R{k}", 43.72, 7.40 + 0.02 * k, max_drive=3000) for k in range(2)]
    # the day balance of SolveParams off: this test's own term alone
    inst = compile_problem(Problem(outlets, reps, Horizon(MONDAY)),
                           SolveParams(balance_weight=0.0, steady_weight=0.0))
    inst.terms.append(_Balance(inst))
    search = Search(inst)
    assert search.vector.enabled
    search.vector.enabled = False  # the plan from the per-route pricer alone
    st = search.construct()
    k = len(inst.terms) - 1
    for s, seq in enumerate(st.routes):
        assert st.use[k][s] == inst.terms[k].route_use(s, seq)
    balance = sum(inst.terms[k].cost(s, u) for s, u in enumerate(st.use[k]))
    assert math.isclose(search.objective(st), sum(st.rcost) + balance)
    vec = search.vector
    negative = compared = 0
    for i in range(inst.n):
        best, g = vec.best_positions(st.routes, list(st.scheds), st.version, st.use, i)
        for s in range(len(inst.slots)):
            if not vec.last_use[s] or i in st.routes[s]:
                continue
            want = search._slot_insert_now(st, i, s)
            if want is None:
                assert best[s] >= 1 << 62
                continue
            assert float(best[s]) == want[0] and int(g[s]) == want[1], (i, s)
            compared += 1
            negative += want[0] < 0  # below target, work is welcome: a term may pay
    assert compared > 50 and negative > 0
    # the whole search runs with it (day search, end phases), deterministically
    runs = []
    for _ in range(2):
        params = SolveParams(max_iterations=60, seed=2)
        again = compile_problem(Problem(outlets, reps, Horizon(MONDAY)), params)
        again.terms.append(_Balance(again))
        runs.append(Search(again).run().routes)
    assert runs[0] == runs[1]
