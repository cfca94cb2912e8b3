"""Restarts from the best plan when the search stalls (``Tuning.stall_restart``)."""

from __future__ import annotations

import pytest

from routeopt import SolveParams
from routeopt.datasets import make_territory
from routeopt.read import read_problem
from routeopt.solver._model import compile_problem
from routeopt.solver._search import Search
from routeopt.solver._state import State
from routeopt.solver._tuning import Tuning

START = "2026-11-30"
# travel alone: the objective of a plan that misses nothing is its travel cost
PARAMS = SolveParams(max_iterations=300, time_limit=600, polish=False, seed=4,
                     time_weight=0.0, distance_weight=1.0, balance_weight=0.0,
                     steady_weight=0.0)


def _search(restart: int, kick: int = 0) -> Search:
    outlets, reps = make_territory(60, 2, seed=5)[:2]
    problem = read_problem(outlets, reps, start=START, weeks=4)
    inst = compile_problem(problem, PARAMS)
    return Search(inst, tuning=Tuning().replace(stall_restart=restart, stall_kick=kick))


def _routes(st: State) -> list[list[int]]:
    return [list(r) for r in st.routes]


def test_no_restart_when_off() -> None:
    search = _search(0)
    search.run()
    assert search.stats.restarts == 0


def test_restarts_go_back_to_the_best_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    search = _search(15, kick=5)
    kicked: list[tuple[float, int]] = []
    real = search._kick

    def spy(best: State, q: int) -> State:
        # the restart point comes from the best plan so far: no plan the
        # search has seen costs less
        kicked.append((float(sum(best.rcost)), q))
        return real(best, q)

    monkeypatch.setattr(search, "_kick", spy)
    best = search.run()
    assert search.stats.restarts == len(kicked) > 0
    assert search.stats.restarts <= search.stats.iterations // 15
    assert all(q == 5 for _, q in kicked)
    # the best plans restarted from never got worse
    costs = [c for c, _ in kicked]
    assert costs == sorted(costs, reverse=True)
    assert sum(best.rcost) <= costs[-1]


def test_kick_moves_related_outlets_and_keeps_the_best() -> None:
    search = _search(15)
    best = search.construct()
    before = _routes(best)
    same = search._kick(best, 0)
    assert _routes(same) == before and same is not best
    moved = [search._kick(best, 8) for _ in range(5)]
    assert _routes(best) == before  # the best plan is left alone
    assert any(_routes(m) != before for m in moved)
    assert all(sum(m.missed) == sum(best.missed) == 0 for m in moved)


def test_restarts_are_deterministic() -> None:
    a, b = _search(15, kick=5), _search(15, kick=5)
    assert _routes(a.run()) == _routes(b.run())
    assert a.stats.restarts == b.stats.restarts > 0
