"""Diagnostic: is a PVRP solution's gap in its choice of days or in each day's routes?

Two ways to re-solve a solution (a Cordeau ``.res`` file) with its day sets fixed:

* ``fixed``: routeopt again, every customer restricted to the days it has in the
  solution (so the search can only re-route within each day);
* ``reroute``: each day re-routed on its own by PyVRP (hybrid genetic search),
  a CVRP with the day's vehicles, capacity and duration limit. PyVRP is not a
  routeopt dependency: install it in a scratch environment (``pip install pyvrp``,
  measured with 0.14.1).

Run from the repository root::

    python benchmarks/pvrp_days.py fixed pr10 SOLUTION.res --time-limit 60
    python benchmarks/pvrp_days.py reroute pr10 SOLUTION.res --per-day 5

Measured 2026-11-27 on pr10 (routeopt's seed-1 solution, 6.51 % above best-known):
re-routing each day with PyVRP at 5 s per day gave 2.80 %; routeopt with the days
fixed gave 10.3 % (and 8.9 % on Cordeau's 1997 days, which cost 3.67 % in his
solution). With the day search of session 5, ``fixed`` gives 4.84 % on the same days.
See benchmarks/README.md, section ``pvrp.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pvrp_format import PVRPInstance, PVRPRoute, check_solution, parse_pvrp, parse_res

SCALE = 1000  # PyVRP takes integers: distances and durations in 1/1000 units


def day_sets(routes: list[PVRPRoute]) -> dict[int, set[int]]:
    """Customer -> the days it is visited on."""
    days: dict[int, set[int]] = {}
    for r in routes:
        for c in r.customers:
            days.setdefault(c, set()).add(r.day)
    return days


def fixed(inst: PVRPInstance, routes: list[PVRPRoute], time_limit: float
          ) -> tuple[float, list[PVRPRoute]]:
    """routeopt's cost and routes with every customer held to its days in ``routes``."""
    import pvrp

    from routeopt import SolveParams, solve

    pats = list(inst.patterns)
    for c, ds in day_sets(routes).items():
        pats[c] = (tuple(sorted(ds)),)
    problem = pvrp.to_problem(dataclasses.replace(inst, patterns=tuple(pats)))
    plan = solve(problem, SolveParams(time_limit=time_limit, max_iterations=10**9,
                                      max_no_improvement=10**9, time_weight=0.0,
                                      distance_weight=1.0, balance_weight=0.0,
                                      steady_weight=0.0))
    index = {d: k for k, d in enumerate(problem.planning_days)}
    got = [PVRPRoute(index[r.date], int(r.rep_id[1:]) - 1,
                     tuple(int(s.outlet_id) for s in r.stops)) for r in plan.routes]
    cost, errors = check_solution(inst, got)
    if errors or plan.unscheduled:
        raise SystemExit(f"routeopt's plan on the fixed days is not valid: {errors[:3]}")
    return cost, got


def reroute(inst: PVRPInstance, routes: list[PVRPRoute], per_day: float) -> float:
    """The cost when PyVRP re-routes each day of ``routes`` (edges rounded to 1/1000)."""
    try:
        from pyvrp import Model
        from pyvrp.stop import MaxRuntime
    except ImportError:
        raise SystemExit("reroute needs PyVRP: pip install pyvrp "
                         "(in a scratch environment)") from None
    by_day: dict[int, list[int]] = {}
    for r in routes:
        by_day.setdefault(r.day, []).extend(r.customers)
    total = 0.0
    for d, customers in sorted(by_day.items()):
        m = Model()
        nodes = [0, *customers]
        locs = [m.add_location(x=inst.xy[c][0], y=inst.xy[c][1]) for c in nodes]
        m.add_depot(locs[0])
        limit = inst.duration[d]
        m.add_vehicle_type(num_available=inst.m, capacity=int(inst.capacity[d]),
                           shift_duration=int(limit * SCALE) if limit > 0 else 2**40)
        for c, loc in zip(customers, locs[1:], strict=True):
            m.add_client(loc, delivery=int(inst.demand[c]),
                         service_duration=int(inst.service[c] * SCALE))
        for a, la in zip(nodes, locs, strict=True):
            for b, lb in zip(nodes, locs, strict=True):
                e = round(inst.dist(a, b) * SCALE)
                m.add_edge(la, lb, distance=e, duration=e)
        best = m.solve(stop=MaxRuntime(per_day), display=False, seed=1).best
        if not best.is_feasible():
            raise SystemExit(f"PyVRP found no feasible routes for day {d + 1}")
        total += best.distance() / SCALE
        print(f"day {d + 1}: {len(customers)} customers, {best.distance() / SCALE:.2f}",
              flush=True)
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("how", choices=["fixed", "reroute"])
    ap.add_argument("instance")
    ap.add_argument("solution", type=Path, help="a .res file")
    ap.add_argument("--data", type=Path, default=Path("../shared/benchdata/pvrp"))
    ap.add_argument("--time-limit", type=float, default=60.0, help="fixed: routeopt's budget")
    ap.add_argument("--per-day", type=float, default=5.0, help="reroute: PyVRP seconds per day")
    args = ap.parse_args(argv)
    inst = parse_pvrp((args.data / args.instance).read_text(), args.instance)
    source, routes = parse_res(args.solution.read_text())
    cost = (fixed(inst, routes, args.time_limit)[0] if args.how == "fixed"
            else reroute(inst, routes, args.per_day))
    print(f"{args.instance}: the solution costs {source:.2f}; with its days fixed, "
          f"{args.how} gives {cost:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
