"""The rep-choice benchmark: one vehicle per customer, its checker and its baseline."""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from pvrp_format import PVRPRoute, parse_pvrp  # noqa: E402
from pvrp_reps import (  # noqa: E402
    check,
    main,
    run_baseline,
    run_routeopt,
    sweep_partition,
    to_problem,
)

# 8 customers in a ring around the depot, 2 vehicles, 2 days; customers 1-4
# every day, 5-8 on one of the days; capacity 20, no duration limit
TINY = "\n".join([
    "1 2 8 2",
    "0 20", "0 20",
    "0 0 0 0 0 0 0",
    *(f"{i} {10 * math.cos(i * math.pi / 4):.3f} {10 * math.sin(i * math.pi / 4):.3f} "
      f"0 {3 if i <= 4 else 4} {2 if i <= 4 else 1} {1 if i <= 4 else 2} "
      f"{'3' if i <= 4 else '2 1'}" for i in range(1, 9)),
]) + "\n"



def test_one_vehicle_per_customer_is_checked() -> None:
    inst = parse_pvrp(TINY, "tiny")
    routes = [PVRPRoute(0, 0, (1, 2, 3, 4, 5, 6)), PVRPRoute(1, 1, (1, 2, 3, 4, 7, 8))]
    _, errors = check(inst, routes)
    assert errors == [f"customer {c} served by vehicles [1, 2]" for c in (1, 2, 3, 4)]
    ok = [PVRPRoute(0, 0, (1, 2, 5, 6)), PVRPRoute(1, 0, (1, 2)),
          PVRPRoute(0, 1, (3, 4, 7)), PVRPRoute(1, 1, (3, 4, 8))]
    assert check(inst, ok)[1] == []


def test_sweep_partition_covers_every_customer_once_balanced() -> None:
    inst = parse_pvrp(TINY, "tiny")
    parts = sweep_partition(inst)
    assert sorted(c for p in parts for c in p) == list(range(1, 9))
    load = [sum(inst.demand[c] * inst.frequency[c] for c in p) for p in parts]
    assert load == [18, 22]  # the even split of 40 that contiguous sectors allow (6s, 4s)
    assert all(len(p) > 1 for p in parts)
    assert sweep_partition(inst) == parts


def test_the_problem_keeps_one_rep_per_customer_and_shares_the_depot() -> None:
    inst = parse_pvrp(TINY, "tiny")
    problem = to_problem(inst)
    assert all(o.rule.same_rep for o in problem.outlets)
    assert len({(r.lat, r.lon) for r in problem.reps}) == 1 and len(problem.reps) == 2
    sub = to_problem(inst, [5, 6], reps=1)
    assert [o.id for o in sub.outlets] == ["5", "6"] and len(sub.reps) == 1


@pytest.mark.parametrize("run", [run_routeopt, run_baseline])
def test_both_methods_give_checked_feasible_plans(run: object) -> None:
    inst = parse_pvrp(TINY, "tiny")
    result = run(inst, 30, 0, 40)  # type: ignore[operator]
    assert result.feasible and result.complete, result.errors
    assert result.cost > 0


def test_main_appends_rows_for_each_method(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "pvrp"
    data.mkdir()
    (data / "ptiny").write_text(TINY)
    (data / "bks.csv").write_text("instance,bks\nptiny,100.0\n")
    out = tmp_path / "r.csv"
    assert main(["--data", str(data), "--iterations", "30", "--method", "both",
                 "--out", str(out)]) == 0
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["instance"], r["method"], r["feasible"]) for r in rows] == [
        ("ptiny", "routeopt", "True"), ("ptiny", "baseline", "True")]
    printed = capsys.readouterr().out
    assert "| ptiny | routeopt |" in printed and "| ptiny | baseline |" in printed
