"""Regret-2 repairs of missed outlets (``Tuning.regret_missed``)."""

from __future__ import annotations

import pytest

from routeopt import SolveParams
from routeopt.datasets import make_planted_territory, make_territory
from routeopt.read import read_problem
from routeopt.solver._model import compile_problem
from routeopt.solver._search import Search
from routeopt.solver._tuning import Tuning

START = "2026-11-30"
PARAMS = SolveParams(max_iterations=60, time_limit=600, polish=False)


def _run(outlets_reps: tuple[object, ...], share: float,
         monkeypatch: pytest.MonkeyPatch) -> tuple[list[list[int]], int, int]:
    """The best routes, the regret repairs made and the visits missed."""
    outlets, reps = outlets_reps[:2]
    problem = read_problem(outlets, reps, start=START, weeks=4)  # type: ignore[arg-type]
    inst = compile_problem(problem, PARAMS)
    search = Search(inst, tuning=Tuning().replace(regret_missed=share))
    calls = []
    real = search.repair_regret

    def counted(*args: object, **kw: object) -> None:
        calls.append(1)
        real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "repair_regret", counted)
    best = search.run()
    return [list(r) for r in best.routes], len(calls), sum(best.missed)


def test_missed_outlets_are_repaired_by_regret(monkeypatch: pytest.MonkeyPatch) -> None:
    # a rep with more than a month can hold: the search always misses visits
    dense = make_planted_territory(1, 150, seed=2, slack_min=0)
    outlets = dense[0].assign(service_min=dense[0]["service_min"] + 4)
    _, none, _ = _run((outlets, dense[1]), 0.0, monkeypatch)
    _, some, missed = _run((outlets, dense[1]), 1.0, monkeypatch)
    assert none == 0 and some > 0 and missed > 0


def test_a_plan_that_misses_nothing_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    easy = make_territory(60, 1, seed=3)
    a, calls_a, missed = _run(easy, 0.0, monkeypatch)
    b, calls_b, _ = _run(easy, 1.0, monkeypatch)
    assert missed == 0 and calls_a == calls_b == 0 and a == b
