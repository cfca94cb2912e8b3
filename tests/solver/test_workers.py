"""Parallel searches (``SolveParams.workers``): the best of independent seeds."""

from __future__ import annotations

import logging
import multiprocessing
import warnings
from datetime import date
from pathlib import Path

import pytest

import routeopt.solver as solver_module
from routeopt import InputError, SolveParams, solve
from routeopt.datasets import make_territory
from routeopt.plan import Plan
from routeopt.read import read_problem


@pytest.fixture(scope="module")
def problem():  # type: ignore[no-untyped-def]
    outlets, reps = make_territory(50, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_problem(outlets, reps, start=date(2026, 11, 30), weeks=2)


def _routes(plan: Plan) -> list[tuple[str, str, list[str]]]:
    return [(r.rep_id, str(r.date), [s.outlet_id for s in r.stops]) for r in plan.routes]


PARAMS = SolveParams(max_iterations=120, time_limit=300, seed=5)


def test_the_best_of_the_seeds_wins_and_is_reproducible(problem) -> None:  # type: ignore[no-untyped-def]
    alone = [solve(problem, PARAMS.replace(seed=5 + k)) for k in range(3)]
    best = min(range(3), key=lambda k: (alone[k].stats["objective"], k))
    plan = solve(problem, PARAMS.replace(workers=3)).validate()
    assert plan.stats["worker_objectives"] == [p.stats["objective"] for p in alone]
    assert plan.stats["objective"] == alone[best].stats["objective"]
    assert plan.stats["seed"] == 5 + best
    assert plan.stats["workers"] == 3
    assert _routes(plan) == _routes(alone[best])
    again = solve(problem, PARAMS.replace(workers=3))
    assert _routes(again) == _routes(plan)


def _broken_worker(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise RuntimeError("worker lost")


def test_a_failed_search_loses_its_plan_not_the_solve(problem, monkeypatch,  # type: ignore[no-untyped-def]
                                                     caplog) -> None:
    # the pool forks after the patch, so its processes run the broken worker
    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the patch reaches the pool's processes only when they are forked")
    monkeypatch.setattr(solver_module, "_search_worker", _broken_worker)
    with caplog.at_level(logging.WARNING, logger="routeopt.solver"):
        plan = solve(problem, PARAMS.replace(workers=2)).validate()
    assert plan.stats["worker_objectives"][1] is None
    assert plan.stats["seed"] == 5
    assert _routes(plan) == _routes(solve(problem, PARAMS))
    assert "search 2 of 2 failed" in caplog.text


def test_workers_is_checked_and_read_from_toml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="workers must be >= 1"):
        SolveParams(workers=0)
    path = tmp_path / "solve.toml"
    path.write_text("[solve]\nworkers = 2\nmax_iterations = 10\n")
    assert SolveParams.from_toml(path).workers == 2
