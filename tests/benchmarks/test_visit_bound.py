"""The visit bound: sound (never below a valid plan) and able to prove visits impossible."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import visit_bound  # noqa: E402

from routeopt.datasets import make_planted_territory, planted_plan  # noqa: E402
from routeopt.read import read_problem  # noqa: E402

START = "2026-11-30"


def test_bound_holds_a_full_plan_and_its_cost() -> None:
    outlets, reps, planted = make_planted_territory(2, 60, seed=5)
    problem = read_problem(outlets, reps, start=START, weeks=4)
    plan = planted_plan(problem, planted).validate()
    b = visit_bound.visit_bound(problem)
    assert b["max_visits"] == b["required"] == plan.scheduled_visits
    # the plan's own service and trips into its stops are at least the bound's need
    spent = sum(s.end - s.start + s.travel_s for r in plan.routes for s in r.stops)
    assert spent / 60 >= b["need_min"]
    assert b["rep_days"] == 40 and b["cap_visits"] == 40 * 35


def test_bound_proves_an_overfull_territory_impossible() -> None:
    outlets, reps, _ = make_planted_territory(1, 60, seed=5)
    problem = read_problem(outlets.assign(service_min=50), reps, start=START, weeks=4)
    b = visit_bound.visit_bound(problem)
    # 20 days of 495 minutes hold at most 198 visits of 50 minutes, fewer with travel
    assert b["max_visits"] < 20 * 495 // 50 < b["required"]


def test_main_prints_the_verdict(capsys: object) -> None:
    assert visit_bound.main(["--outlets", "120", "--reps", "2", "--planted"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "proves nothing" in out and "required=" in out
