"""Choosing the rep: the Cordeau PVRP instances with m > 1, one vehicle per customer.

Usage (from the repository root)::

    python benchmarks/pvrp_reps.py --data ../shared/benchdata/pvrp --instances all \
        --time-limit 30 --jobs 2 [--method routeopt|baseline|both] [--seed 0] \
        [--out benchmarks/results/pvrp_reps.csv]

Each instance is read as a field problem: its ``m`` vehicles are ``m`` reps
who share the depot as their office, and every customer keeps one rep for all
its visits (routeopt's ``same_rep``). The ordinary best-known cost (vehicles
free to change from visit to visit) is a lower bound for this reading.

``--method baseline`` partitions the customers among the vehicles first (an
angular sweep around the depot, cut where the running demand x frequency
reaches an equal share) and then plans each vehicle's customers alone, as a
one-rep routeopt problem, with an equal share of the time budget.

Every plan is checked independently (``pvrp_format.check_solution`` for
patterns, loads, durations and the cost, plus a check here that each customer
is served by one vehicle only).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from pvrp import (
    all_instances,
    append_rows,
    git_commit,
    load_bks,
    parse_tuning,
    use_tuning,
)
from pvrp import to_problem as pvrp_problem
from pvrp_format import PVRPInstance, PVRPRoute, check_solution, parse_pvrp

from routeopt import (
    Problem,
    SolveParams,
    solve,
)


def to_problem(inst: PVRPInstance, customers: Sequence[int] | None = None,
               reps: int | None = None) -> Problem:
    """The instance (or ``customers`` of it) as a routeopt problem whose ``reps``
    reps (default ``m``) share the depot and keep one rep per customer."""
    return pvrp_problem(inst, customers, reps, same_rep=True)


def check_one_vehicle(inst: PVRPInstance, routes: list[PVRPRoute]) -> list[str]:
    """Errors for customers served by more than one vehicle over the period."""
    by: dict[int, set[int]] = {}
    for r in routes:
        for c in r.customers:
            by.setdefault(c, set()).add(r.vehicle)
    return [f"customer {c} served by vehicles {sorted(v + 1 for v in vs)}"
            for c, vs in sorted(by.items()) if len(vs) > 1]


def check(inst: PVRPInstance, routes: list[PVRPRoute]) -> tuple[float, list[str]]:
    """The independent check: ``check_solution`` plus one vehicle per customer."""
    cost, errors = check_solution(inst, routes)
    return cost, errors + check_one_vehicle(inst, routes)


def sweep_partition(inst: PVRPInstance, parts: int | None = None) -> list[list[int]]:
    """The customers in ``parts`` (default ``m``) angular sectors around the depot,
    each holding about an equal share of demand x frequency.

    The sweep starts after the widest empty angle, so that no sector straddles
    the densest direction; ties in angle go by customer number.
    """
    k = inst.m if parts is None else parts
    x0, y0 = inst.xy[0]
    cs = list(range(1, inst.n + 1))
    ang = {c: math.atan2(inst.xy[c][1] - y0, inst.xy[c][0] - x0) for c in cs}
    order = sorted(cs, key=lambda c: (ang[c], c))
    if len(order) > 1:
        gaps = [(ang[order[(i + 1) % len(order)]] - ang[order[i]]) % (2 * math.pi)
                for i in range(len(order))]
        start = (max(range(len(gaps)), key=lambda i: (gaps[i], -i)) + 1) % len(order)
        order = order[start:] + order[:start]
    w = {c: max(inst.demand[c], 1e-9) * max(inst.frequency[c], 1) for c in cs}
    total = sum(w.values())
    out: list[list[int]] = [[] for _ in range(k)]
    acc = 0.0
    for c in order:
        part = min(k - 1, int((acc + w[c] / 2) / total * k))
        out[part].append(c)
        acc += w[c]
    return out


@dataclass
class Result:
    instance: str
    method: str
    cost: float
    feasible: bool
    complete: bool
    seconds: float
    errors: list[str]


def params(time_limit: float, seed: int, iterations: int) -> SolveParams:
    return SolveParams(time_limit=time_limit, max_iterations=iterations,
                       max_no_improvement=iterations, seed=seed, time_weight=0.0,
                       distance_weight=1.0, workers=1, balance_weight=0.0, steady_weight=0.0)


def run_routeopt(inst: PVRPInstance, time_limit: float, seed: int, iterations: int) -> Result:
    t0 = time.perf_counter()
    problem = to_problem(inst)
    plan = solve(problem, params(time_limit, seed, iterations))
    seconds = time.perf_counter() - t0
    days = {d: k for k, d in enumerate(problem.planning_days)}
    routes = [PVRPRoute(days[r.date], int(r.rep_id[1:]) - 1,
                        tuple(int(s.outlet_id) for s in r.stops)) for r in plan.routes]
    cost, errors = check(inst, routes)
    return Result(inst.name, "routeopt", cost, not errors, not plan.unscheduled, seconds,
                  errors)


def run_baseline(inst: PVRPInstance, time_limit: float, seed: int, iterations: int) -> Result:
    """Sweep partition, then one one-rep plan per vehicle (equal time shares)."""
    t0 = time.perf_counter()
    routes: list[PVRPRoute] = []
    complete = True
    parts = sweep_partition(inst)
    for v, cs in enumerate(parts):
        if not cs:
            continue
        problem = to_problem(inst, cs, reps=1)
        plan = solve(problem, params(time_limit / len(parts), seed, iterations))
        complete = complete and not plan.unscheduled
        days = {d: k for k, d in enumerate(problem.planning_days)}
        routes += [PVRPRoute(days[r.date], v, tuple(int(s.outlet_id) for s in r.stops))
                   for r in plan.routes]
    seconds = time.perf_counter() - t0
    cost, errors = check(inst, routes)
    return Result(inst.name, "baseline", cost, not errors, complete, seconds, errors)


def run_one(args: tuple[str, str, str, float, int, int, dict[str, object]]) -> Result:
    path, name, method, time_limit, seed, iterations, tuning = args
    inst = parse_pvrp(Path(path).read_text(), name)
    # a pool process runs both methods; the baseline keeps the tuned defaults
    use_tuning(tuning if method == "routeopt" else {})
    run = run_baseline if method == "baseline" else run_routeopt
    return run(inst, time_limit, seed, iterations)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, default=Path("../shared/benchdata/pvrp"))
    ap.add_argument("--instances", default="all",
                    help="comma-separated names, or all (every instance with m > 1)")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--iterations", type=int, default=10**9,
                    help="iteration stop (deterministic); default: time limit only")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--method", choices=["routeopt", "baseline", "both"], default="both")
    ap.add_argument("--out", type=Path, default=None, help="append results to this CSV")
    ap.add_argument("--tuning", action="append", default=[], metavar="KEY=VALUE",
                    help="a search knob (routeopt.solver._tuning.Tuning) other than its "
                         "default, for the routeopt runs (the baseline keeps the defaults); "
                         "repeatable")
    args = ap.parse_args(argv)
    tuning = parse_tuning(args.tuning)

    if args.instances == "all":
        names = [n for n in all_instances(args.data)
                 if parse_pvrp((args.data / n).read_text(), n).m > 1]
    else:
        names = args.instances.split(",")
    bks = load_bks(args.data)
    methods = ["routeopt", "baseline"] if args.method == "both" else [args.method]
    tasks = [(str(args.data / n), n, m, args.time_limit, args.seed, args.iterations, tuning)
             for n in names for m in methods]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, tasks))

    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    commit = git_commit()
    print("| instance | method | cost | best-known | gap % | time s | feasible |\n"
          "|---|---|---:|---:|---:|---:|---|")
    rows = []
    for r in results:
        b = bks.get(r.instance, math.nan)
        ok = r.feasible and r.complete
        gap = 100 * (r.cost - b) / b if ok else math.nan
        print(f"| {r.instance} | {r.method} | {r.cost:.2f} | {b:.2f} | {gap:.2f} | "
              f"{r.seconds:.1f} | {'yes' if ok else 'NO'} |")
        if r.errors:
            print(f"|   | {r.errors[0]} |", file=sys.stderr)
        rows.append({"timestamp": stamp, "commit": commit, "instance": r.instance,
                     "method": r.method, "cost": round(r.cost, 4), "bks": b,
                     "gap_pct": round(gap, 4), "seconds": round(r.seconds, 2),
                     "feasible": ok, "time_limit": args.time_limit, "seed": args.seed,
                     "jobs": args.jobs, "cpus": os.cpu_count(),
                     "python": platform.python_version()})
    for m in methods:
        mine = [x for x in rows if x["method"] == m]
        gaps = [float(x["gap_pct"]) for x in mine if x["feasible"]]  # type: ignore[arg-type]
        if gaps:
            print(f"\n{m}: feasible {len(gaps)}/{len(mine)}, mean gap "
                  f"{statistics.mean(gaps):.2f}%, max gap {max(gaps):.2f}%")
    if len(methods) == 2:
        by = {(x["instance"], x["method"]): x for x in rows}
        worse = [n for n in names
                 if not by[(n, "routeopt")]["feasible"]
                 or (by[(n, "baseline")]["feasible"]
                     and float(by[(n, "routeopt")]["cost"])  # type: ignore[arg-type]
                     > float(by[(n, "baseline")]["cost"]))]  # type: ignore[arg-type]
        print(f"routeopt infeasible or worse than the baseline on: {', '.join(worse) or 'none'}")
    if args.out:
        append_rows(args.out, rows, defaults={})
    return 0


if __name__ == "__main__":
    sys.exit(main())
