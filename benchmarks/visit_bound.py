"""A sound upper bound on the visits any valid plan can make: service plus travel.

Every visit a plan makes costs its rep at least the outlet's service time plus
the shortest trip into the outlet from any other place (another outlet or a
rep's start): a route reaches each of its stops by one trip. A rep-day offers
at most its shift less the break (or, for a day that ends before the break's
window opens, the time up to that opening), and at most ``max_visits`` visits.
So if the cheapest ``k`` required visits (by that cost) already need more than
all rep-days together, no valid plan makes ``k`` visits. The bound ignores
opening hours, the way home and the distance between a rep's own stops, so
it only ever *proves* visits impossible; a bound at or above the required
visits shows nothing either way.

Usage::

    python benchmarks/visit_bound.py [--outlets 3000] [--reps 20] [--mix fmcg]
        [--seed 0] [--planted]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from routeopt.problem import Problem

START = "2026-11-30"  # a Monday


def visit_bound(problem: Problem) -> dict[str, Any]:
    """The bound's figures for ``problem`` (one travel mode per rep, see the module).

    Returns
    -------
    dict
        ``required``, ``rep_days``, ``capacity_min`` (all rep-days' usable
        minutes), ``need_min`` (the required visits' minimum cost),
        ``cap_visits`` (``max_visits`` over all rep-days) and ``max_visits``:
        the most visits a valid plan can make by this bound.
    """
    from routeopt.solver._model import build_matrices

    matrices = build_matrices(problem)
    n = len(problem.outlets)
    days = problem.planning_days
    capacity = 0
    cap_visits = 0
    rep_days = 0
    modes = {r.mode for r in problem.reps}
    into = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    for mode in modes:
        dur = np.asarray(matrices[mode].durations, dtype=np.int64)
        others = dur[:n, :n].copy()
        np.fill_diagonal(others, np.iinfo(np.int64).max)
        starts = [n + 2 * k for k, r in enumerate(problem.reps) if r.mode == mode]
        into = np.minimum(into, np.minimum(others.min(axis=0), dur[starts, :n].min(axis=0)))
    for r in problem.reps:
        usable = r.shift.duration
        if r.lunch is not None:
            usable = max(r.shift.duration - r.lunch.duration,
                         r.lunch.window.start - r.shift.start)
        worked = sum(1 for d in days if d.weekday() in r.working_days)
        rep_days += worked
        capacity += worked * usable
        cap_visits += worked * (r.max_visits if r.max_visits is not None else n)
    costs = np.repeat(np.array([o.service for o in problem.outlets], dtype=np.int64) + into,
                      [problem.visits_of(o) for o in problem.outlets])
    costs.sort()
    fit = int(np.searchsorted(np.cumsum(costs), capacity, side="right"))
    return {
        "required": len(costs),
        "rep_days": rep_days,
        "capacity_min": round(capacity / 60, 1),
        "need_min": round(float(costs.sum()) / 60, 1),
        "cap_visits": cap_visits,
        "max_visits": min(fit, cap_visits),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--outlets", type=int, default=3000)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--mix", default="fmcg")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--planted", action="store_true",
                    help="make_planted_territory (outlets // reps outlets per rep)")
    args = ap.parse_args(argv)
    from routeopt.datasets import make_planted_territory, make_territory
    from routeopt.read import read_problem

    if args.planted:
        outlets, reps, _ = make_planted_territory(args.reps, args.outlets // args.reps,
                                                  seed=args.seed, mix=args.mix)
    else:
        outlets, reps = make_territory(args.outlets, args.reps, seed=args.seed, mix=args.mix)
    problem = read_problem(outlets, reps, start=START, weeks=args.weeks)
    b = visit_bound(problem)
    print(" ".join(f"{k}={v}" for k, v in b.items()))
    print("proves visits impossible" if b["max_visits"] < b["required"]
          else "proves nothing: every required visit fits this bound")
    return 0


if __name__ == "__main__":
    sys.exit(main())
