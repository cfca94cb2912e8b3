"""Diagnostic: is a PVRP solution's gap in its choice of days or in each day's routes?

Two ways to re-solve a solution (a Cordeau ``.res`` file) with its day sets fixed:

* ``fixed``: routeopt again, every customer restricted to the days it has in the
  solution (so the search can only re-route within each day);
* ``reroute``: each day re-routed on its own by PyVRP (hybrid genetic search),
  a CVRP with the day's vehicles, capacity and duration limit. PyVRP is not a
  routeopt dependency: install it next to routeopt for this benchmark
  (``pip install pyvrp==0.14.1``, the version measured);
* ``compare``: both, side by side, on many instances (``--instances``, all 42
  by default) with the days of Cordeau's 1997 solution files
  (``solutions_cgl1997/``, or ``--solutions DIR``) and the same total budget
  per instance (``--time-limit``). routeopt gets the whole budget for the
  whole instance; PyVRP's budget is split over the days in proportion to
  their customers. Each solver runs on one core (routeopt with one worker;
  PyVRP is single-threaded); ``--jobs 2`` runs routeopt and PyVRP on the same
  instance at the same time, so that both see the same machine load. Both
  solvers' routes are re-costed by ``pvrp_format.check_solution``; the table
  gives the gaps to ``bks.csv`` and the rows are appended to ``--out``.

Run from the repository root::

    python benchmarks/pvrp_days.py fixed pr10 SOLUTION.res --time-limit 60
    python benchmarks/pvrp_days.py reroute pr10 SOLUTION.res --per-day 5
    python benchmarks/pvrp_days.py compare --time-limit 10 --jobs 2 \
        --out benchmarks/results/pvrp_days.csv

Measured 2026-11-27 on pr10 (routeopt's seed-1 solution, 6.51 % above best-known):
re-routing each day with PyVRP at 5 s per day gave 2.80 %; routeopt with the days
fixed gave 10.3 % (and 8.9 % on Cordeau's 1997 days, which cost 3.67 % in his
solution). With the day search (2026-11-27, 05:37 UTC), ``fixed`` gives 4.84 % on the same days.
See benchmarks/README.md, section ``pvrp.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections import Counter
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


def fixed(inst: PVRPInstance, routes: list[PVRPRoute], time_limit: float,
          iterations: int | None = None, verbose: bool = False, seed: int = 0
          ) -> tuple[float, list[PVRPRoute], int]:
    """routeopt's cost, routes and search iterations with every customer held to
    its days in ``routes``; ``iterations`` stops the search after that many
    (then the plan does not depend on the machine's speed); ``verbose`` prints
    the solve's stats."""
    import pvrp

    from routeopt import SolveParams, solve

    pats = list(inst.patterns)
    for c, ds in day_sets(routes).items():
        pats[c] = (tuple(sorted(ds)),)
    problem = pvrp.to_problem(dataclasses.replace(inst, patterns=tuple(pats)))
    plan = solve(problem, SolveParams(time_limit=time_limit,
                                      max_iterations=iterations or 10**9, seed=seed,
                                      max_no_improvement=10**9, time_weight=0.0,
                                      distance_weight=1.0, balance_weight=0.0,
                                      steady_weight=0.0))
    index = {d: k for k, d in enumerate(problem.planning_days)}
    got = [PVRPRoute(index[r.date], int(r.rep_id[1:]) - 1,
                     tuple(int(s.outlet_id) for s in r.stops)) for r in plan.routes]
    cost, errors = check_solution(inst, got)
    if verbose:
        print({k: v for k, v in plan.stats.items() if isinstance(v, (int, float, str))})
    if plan.unscheduled:
        reasons = Counter(u.reason for u in plan.unscheduled)
        raise SystemExit(f"routeopt left {len(plan.unscheduled)} visits unscheduled ("
                         + ", ".join(f"{k} {r}" for r, k in reasons.most_common()) + ")")
    if errors:
        raise SystemExit(f"routeopt's plan on the fixed days is not valid: {errors[:3]}")
    return cost, got, int(plan.stats.get("iterations", 0))


PYVRP_HINT = ("PyVRP is not a routeopt dependency; install it next to routeopt for this "
              "benchmark: pip install pyvrp==0.14.1")


def reroute_routes(inst: PVRPInstance, routes: list[PVRPRoute],
                   budget: float | dict[int, float], verbose: bool = False
                   ) -> tuple[list[PVRPRoute], int]:
    """PyVRP's routes, and its iterations over all days, when it re-routes each
    day of ``routes`` on its own.

    ``budget`` is the seconds per day, or a mapping day -> seconds. Edges are
    rounded to 1/1000 of a distance unit; the caller re-costs the routes.
    """
    try:
        from pyvrp import Model
        from pyvrp.stop import MaxRuntime
    except ImportError:
        raise SystemExit(PYVRP_HINT) from None
    by_day: dict[int, list[int]] = {}
    for r in routes:
        by_day.setdefault(r.day, []).extend(r.customers)
    got: list[PVRPRoute] = []
    iterations = 0
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
        seconds = budget[d] if isinstance(budget, dict) else budget
        result = m.solve(stop=MaxRuntime(seconds), display=False, seed=1)
        iterations += result.num_iterations
        best = result.best
        if not best.is_feasible():
            raise SystemExit(f"PyVRP found no feasible routes for day {d + 1}")
        for k, route in enumerate(best.routes()):
            # a client's idx counts the clients in the order they were added
            got.append(PVRPRoute(d, k, tuple(customers[v.idx] for v in route
                                             if v.is_client())))
        if verbose:
            print(f"day {d + 1}: {len(customers)} customers, "
                  f"{best.distance() / SCALE:.2f}", flush=True)
    return got, iterations


def reroute(inst: PVRPInstance, routes: list[PVRPRoute], per_day: float) -> float:
    """The cost when PyVRP re-routes each day of ``routes`` (edges rounded to 1/1000)."""
    got, _ = reroute_routes(inst, routes, per_day, verbose=True)
    cost, errors = check_solution(inst, got)
    if errors:
        raise SystemExit(f"PyVRP's routes are not valid: {errors[:3]}")
    return cost


def split_budget(routes: list[PVRPRoute], total: float) -> dict[int, float]:
    """``total`` seconds over the days of ``routes``, in proportion to their customers."""
    count: dict[int, int] = {}
    for r in routes:
        count[r.day] = count.get(r.day, 0) + len(r.customers)
    n = sum(count.values())
    return {d: total * c / n for d, c in count.items()}


@dataclasses.dataclass
class Run:
    instance: str
    solver: str
    cost: float
    feasible: bool
    seconds: float
    routes: int
    load: float  # 1-minute load average when the run started
    iterations: int
    error: str


def compare_one(task: tuple[str, str, str, str, float]) -> Run:
    """One solver on one instance with the solution's days fixed (a pool task)."""
    import os
    import time

    path, res, name, solver, time_limit = task
    inst = parse_pvrp(Path(path).read_text(), name)
    _, routes = parse_res(Path(res).read_text())
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    try:
        if solver == "routeopt":
            cost, got, iterations = fixed(inst, routes, time_limit)
        else:
            got, iterations = reroute_routes(inst, routes, split_budget(routes, time_limit))
            cost, errors = check_solution(inst, got)
            if errors:
                raise SystemExit(f"PyVRP's routes are not valid: {errors[:3]}")
    except SystemExit as e:
        return Run(name, solver, math.nan, False, time.perf_counter() - t0, 0, load, 0,
                   str(e))
    used = sum(1 for r in got if r.customers)
    return Run(name, solver, cost, True, time.perf_counter() - t0, used, load, iterations, "")


def compare(args: argparse.Namespace) -> int:
    """routeopt and PyVRP side by side on the fixed days of many instances."""
    import os
    import platform
    import statistics
    import time
    from concurrent.futures import ProcessPoolExecutor

    from pvrp import all_instances, append_rows, git_commit, load_bks

    try:
        import pyvrp  # noqa: F401
    except ImportError:
        raise SystemExit(PYVRP_HINT) from None
    names = (all_instances(args.data) if args.instances == "all"
             else args.instances.split(","))
    solutions = args.solutions or args.data / "solutions_cgl1997"
    bks = load_bks(args.data)
    tasks = [(str(args.data / n), str(solutions / f"{n}.res"), n, s, args.time_limit)
             for n in names for s in ("routeopt", "pyvrp")]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(compare_one, tasks))
    by = {(r.instance, r.solver): r for r in runs}
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    commit = git_commit()
    print(f"days fixed from {solutions}; {args.time_limit:g} s per instance and solver, "
          f"--jobs {args.jobs}")
    print("| instance | best-known | days' source cost | routeopt | gap % | PyVRP | gap % |\n"
          "|---|---:|---:|---:|---:|---:|---:|")
    rows: list[dict[str, object]] = []
    gaps: dict[str, list[float]] = {"routeopt": [], "pyvrp": []}
    for n in names:
        b = bks[n]
        source, _ = parse_res((solutions / f"{n}.res").read_text())
        cells = []
        for s in ("routeopt", "pyvrp"):
            r = by[(n, s)]
            gap = 100 * (r.cost - b) / b if r.feasible else math.nan
            if r.feasible:
                gaps[s].append(gap)
            cells.append(f"{r.cost:.2f} | {gap:.2f}" if r.feasible
                         else "missed visits | " if "unscheduled" in r.error else "failed | ")
            rows.append({"timestamp": stamp, "commit": commit, "instance": n, "solver": s,
                         "days": solutions.name, "cost": round(r.cost, 4), "bks": b,
                         "gap_pct": round(gap, 4), "routes": r.routes,
                         "seconds": round(r.seconds, 2), "iterations": r.iterations,
                         "feasible": r.feasible,
                         "time_limit": args.time_limit, "jobs": args.jobs,
                         "load1": round(r.load, 2), "cpus": os.cpu_count(),
                         "machine": platform.machine(), "python": platform.python_version(),
                         "error": r.error})
        print(f"| {n} | {b:.2f} | {source:.2f} | {cells[0]} | {cells[1]} |")
        for s in ("routeopt", "pyvrp"):
            if by[(n, s)].error:
                print(f"|   | {s}: {by[(n, s)].error} |", file=sys.stderr)
    for s, label in (("routeopt", "routeopt (fixed)"), ("pyvrp", "PyVRP (reroute)")):
        g = gaps[s]
        if g:
            mine = [r for r in runs if r.solver == s and r.feasible]
            its = sum(r.iterations for r in mine)
            ms = 1000 * sum(r.seconds for r in mine) / its if its else math.nan
            per = f", {ms:.2f} ms per iteration"
            print(f"{label}: feasible {len(g)}/{len(names)}, mean gap {statistics.mean(g):.2f} %, "
                  f"max {max(g):.2f} %{per}")
            for group in ("p", "pr"):
                gg = [100 * (r.cost - bks[r.instance]) / bks[r.instance] for r in mine
                      if r.instance.rstrip("0123456789") == group]
                if gg:
                    print(f"  {group}xx: {len(gg)} instances, mean gap {statistics.mean(gg):.2f} %")
    both = [n for n in names if by[(n, "routeopt")].feasible and by[(n, "pyvrp")].feasible]
    if both:
        diff = [100 * (by[(n, "routeopt")].cost - by[(n, "pyvrp")].cost) / bks[n] for n in both]
        print(f"on the {len(both)} instances both solved: routeopt - PyVRP = "
              f"{statistics.mean(diff):+.2f} points of gap on average; routeopt better on "
              f"{sum(1 for d in diff if d < -1e-6)}, worse on {sum(1 for d in diff if d > 1e-6)}")
    loads = [r.load for r in runs]
    print(f"load average (1 min) at the runs' start: {min(loads):.2f}..{max(loads):.2f} "
          f"on {os.cpu_count()} cpus")
    if args.out:
        append_rows(args.out, rows, defaults={})
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("how", choices=["fixed", "reroute", "compare"])
    ap.add_argument("instance", nargs="?", help="fixed, reroute: the instance")
    ap.add_argument("solution", type=Path, nargs="?", help="fixed, reroute: a .res file")
    ap.add_argument("--data", type=Path, default=Path("../shared/benchdata/pvrp"))
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="fixed: routeopt's budget; compare: each solver's per instance")
    ap.add_argument("--iterations", type=int, default=None,
                    help="fixed: stop routeopt's search after this many iterations")
    ap.add_argument("--seed", type=int, default=0, help="fixed: routeopt's seed")
    ap.add_argument("--per-day", type=float, default=5.0, help="reroute: PyVRP seconds per day")
    ap.add_argument("--instances", default="all", help="compare: comma-separated, or all")
    ap.add_argument("--solutions", type=Path, default=None,
                    help="compare: folder of NAME.res whose days are fixed "
                         "(default DATA/solutions_cgl1997)")
    ap.add_argument("--jobs", type=int, default=2, help="compare: processes (one core each)")
    ap.add_argument("--out", type=Path, default=None, help="compare: append rows to this CSV")
    args = ap.parse_args(argv)
    if args.how == "compare":
        return compare(args)
    if args.instance is None or args.solution is None:
        ap.error(f"{args.how} needs an instance and a .res file")
    inst = parse_pvrp((args.data / args.instance).read_text(), args.instance)
    source, routes = parse_res(args.solution.read_text())
    cost = (fixed(inst, routes, args.time_limit, args.iterations, verbose=True,
                  seed=args.seed)[0]
            if args.how == "fixed"
            else reroute(inst, routes, args.per_day))
    print(f"{args.instance}: the solution costs {source:.2f}; with its days fixed, "
          f"{args.how} gives {cost:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
