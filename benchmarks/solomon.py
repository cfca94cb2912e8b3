"""routeopt and PyVRP side by side on Solomon's 56 VRPTW instances (100 customers).

Usage (from the repository root)::

    python benchmarks/solomon.py --data ../shared/benchdata/solomon --time-limit 10 \
        --jobs 2 [--instances C101,R101] [--conventions hierarchical,distance] \
        [--out benchmarks/results/solomon.csv]

Each instance becomes a routeopt problem through the public API
(:func:`to_problem`): the depot is the home of 25 identical reps with the
vehicle capacity and the horizon as their shift, on one planning day; each
customer is an outlet visited once by any rep (``same_rep=False``: the
vehicles are free, as in ``pvrp.py``; a rule that keeps one rep would give
each customer its three nearest reps as candidates, and at a shared home the
reps' sectors, which split the customers among all 25 reps), with its demand,
its service time and opening hours from its ready time to its due date plus
its service time
(routeopt starts a visit in its opening hours shortened by the service, so
service starts by the due date). The travel matrix is ours, from the
coordinates:

* ``hierarchical`` (SINTEF convention): distances in 1/1000 units (rounded),
  travel times in 1/``s`` time units rounded **up**, with ``s`` the largest of
  100 or less that fits the horizon in routeopt's day of 86,400 units (C2:
  25, R1: 100). Rounding up keeps every plan feasible in double precision.
* ``distance`` (DIMACS convention): distance and travel time ``floor(10 *
  euclid)``, times multiplied by 10: the convention's own integer data.

routeopt has no cost per vehicle, so under the hierarchical convention it
minimises the distance alone and the table gives its vehicles next to the
best-known ones; PyVRP gets a fixed cost per vehicle (10^9, above any
distance) and so minimises vehicles first. The same PyVRP model otherwise: the
same arcs (1/1000 distances, travel times rounded up), time windows, service,
capacity and 25 vehicles. Both solvers run with the same wall-clock budget per
instance on one core each (routeopt one worker, PyVRP single-threaded);
``--jobs 2`` runs them on the same instance at the same time. Both solvers'
routes are re-costed and checked by ``solomon_format.check_routes`` in double
precision (``hierarchical``) or in the integer tenths (``distance``).
PyVRP is not a routeopt dependency: ``pip install pyvrp==0.14.1``.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from solomon_format import CONVENTIONS, SolomonInstance, check_routes, parse_solomon

DAY = 86_400
START = date(2024, 1, 1)  # a Monday: the one planning day
DIST_SCALE = 1000  # hierarchical: integer distance units per instance unit
PYVRP_FIXED_COST = 10**9  # hierarchical: per vehicle, above any total distance
PYVRP_HINT = ("PyVRP is not a routeopt dependency; install it next to routeopt for this "
              "benchmark: pip install pyvrp==0.14.1")
CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")


def time_scale(inst: SolomonInstance, convention: str) -> int:
    """Integer time units per instance time unit under ``convention``."""
    if convention == "distance":
        return 10
    return min(100, DAY // inst.due[0])


def arcs(inst: SolomonInstance, convention: str, time_units: int
         ) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Integer (durations, distances) between the nodes 0..n, and the node order."""
    xy = np.array(inst.xy)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    if convention == "distance":
        t = np.floor(10 * d).astype(np.int64)
        return t, t, list(range(inst.n + 1))
    durations = np.ceil(d * time_units - 1e-9).astype(np.int64)
    return durations, np.rint(d * DIST_SCALE).astype(np.int64), list(range(inst.n + 1))


def to_problem(inst: SolomonInstance, convention: str = "hierarchical") -> object:
    """The instance as a routeopt problem, through the public API only."""
    from routeopt import (
        Horizon,
        OpeningHours,
        Outlet,
        Problem,
        Rep,
        TimeWindow,
        TravelMatrix,
        VisitRule,
    )

    s = time_scale(inst, convention)
    if inst.due[0] * s > DAY:
        raise ValueError(f"{inst.name}: the horizon does not fit a day at {s} units")
    x0, y0 = inst.xy[0]

    def ll(x: float, y: float) -> tuple[float, float]:  # labels only: the matrix is ours
        return (y - y0) / 100.0, (x - x0) / 100.0

    outlets = []
    for c in range(1, inst.n + 1):
        lat, lon = ll(*inst.xy[c])
        window = TimeWindow(inst.ready[c] * s,
                            min((inst.due[c] + inst.service[c]) * s, DAY))
        outlets.append(Outlet(str(c), lat, lon, VisitRule(same_rep=False),
                              service=inst.service[c] * s, demand=inst.demand[c],
                              hours=OpeningHours(tuple((window,) for _ in range(7)))))
    lat0, lon0 = ll(x0, y0)
    shift = TimeWindow(inst.ready[0] * s, inst.due[0] * s)
    reps = [Rep(f"V{k + 1}", lat0, lon0, shift=shift, working_days=frozenset(range(7)),
                capacity=inst.capacity) for k in range(inst.vehicles)]
    durations, distances, _ = arcs(inst, convention, s)
    # points: the outlets 1..n, then each rep's start and end (all the depot)
    order = [*range(1, inst.n + 1), *([0] * (2 * inst.vehicles))]
    ix = np.array(order)
    matrix = TravelMatrix(durations[np.ix_(ix, ix)], distances[np.ix_(ix, ix)])
    holidays = frozenset(START + timedelta(days=k) for k in range(1, 7))
    return Problem(outlets, reps, Horizon(START, 1, holidays), {"drive": matrix})


@dataclass
class Run:
    instance: str
    convention: str
    solver: str
    vehicles: int
    cost: float
    feasible: bool
    seconds: float
    iterations: int
    load: float  # 1-minute load average when the run started
    error: str


def solve_routeopt(inst: SolomonInstance, convention: str, time_limit: float, seed: int,
                   iterations: int = 10**9) -> tuple[list[tuple[int, ...]], int, int]:
    """routeopt's routes, search iterations and unscheduled visits."""
    from routeopt import Problem, SolveParams, solve

    problem = to_problem(inst, convention)
    assert isinstance(problem, Problem)
    plan = solve(problem, SolveParams(
        time_limit=time_limit, max_iterations=iterations, max_no_improvement=iterations,
        seed=seed,
        time_weight=0.0, distance_weight=1.0, balance_weight=0.0, steady_weight=0.0,
        # every customer must be served: a miss costs more than any plan's distance
        miss_penalty=1e10))
    routes = [tuple(int(st.outlet_id) for st in r.stops) for r in plan.routes if r.stops]
    return routes, int(plan.stats.get("iterations", 0)), len(plan.unscheduled)


def solve_pyvrp(inst: SolomonInstance, convention: str, time_limit: float, seed: int
                ) -> tuple[list[tuple[int, ...]], int]:
    """PyVRP's routes and iterations on the same arcs, windows and fleet."""
    try:
        from pyvrp import Model
        from pyvrp.stop import MaxRuntime
    except ImportError:
        raise SystemExit(PYVRP_HINT) from None
    s = DIST_SCALE if convention == "hierarchical" else 10
    durations, distances, _ = arcs(inst, convention, s)
    m = Model()
    locs = [m.add_location(x=x, y=y) for x, y in inst.xy]
    depot = m.add_depot(locs[0], tw_early=inst.ready[0] * s, tw_late=inst.due[0] * s)
    m.add_vehicle_type(num_available=inst.vehicles, capacity=inst.capacity,
                       start_depot=depot, end_depot=depot,
                       fixed_cost=PYVRP_FIXED_COST if convention == "hierarchical" else 0,
                       tw_early=inst.ready[0] * s, tw_late=inst.due[0] * s)
    for c in range(1, inst.n + 1):
        m.add_client(locs[c], delivery=inst.demand[c], service_duration=inst.service[c] * s,
                     tw_early=inst.ready[c] * s, tw_late=inst.due[c] * s)
    for a, la in enumerate(locs):
        for b, lb in enumerate(locs):
            if a != b:
                m.add_edge(la, lb, distance=int(distances[a, b]), duration=int(durations[a, b]))
    result = m.solve(stop=MaxRuntime(time_limit), display=False, seed=seed)
    routes = [tuple(v.idx for v in r if v.is_client()) for r in result.best.routes()]
    # a client's idx counts the clients in the order added: client c has idx c - 1
    routes = [tuple(c + 1 for c in r) for r in routes]
    return routes, result.num_iterations


def run_one(task: tuple[str, str, str, str, float, int]) -> Run:
    """One solver on one instance under one convention (a pool task)."""
    path, name, convention, solver, time_limit, seed = task
    inst = parse_solomon(Path(path).read_text(), name)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    missed = 0
    if solver == "routeopt":
        routes, iterations, missed = solve_routeopt(inst, convention, time_limit, seed)
    else:
        routes, iterations = solve_pyvrp(inst, convention, time_limit, seed)
    seconds = time.perf_counter() - t0
    vehicles, cost, errors = check_routes(inst, routes, convention)
    if missed:
        errors.insert(0, f"{missed} customers unscheduled")
    return Run(name, convention, solver, vehicles, cost, not errors, seconds, iterations, load,
               "; ".join(errors[:3]))


def load_bks(data: Path) -> dict[tuple[str, str], tuple[int, float]]:
    """(instance, convention) -> (vehicles, best-known cost)."""
    out: dict[tuple[str, str], tuple[int, float]] = {}
    with open(data / "bks_details.csv", newline="") as f:
        for row in csv.DictReader(f):
            out[(row["instance"], "hierarchical")] = (int(row["vehicles"]),
                                                      float(row["distance_exact"]))
    with open(data / "bks_distance_only.csv", newline="") as f:
        for row in csv.DictReader(f):
            out[(row["instance"], "distance")] = (int(row["dimacs_vehicles"]),
                                                  int(row["dimacs_cost_int"]) / 10)
    return out


def instance_class(name: str) -> str:
    """``C1``, ``R2``, ``RC1``...: the letters and the first digit."""
    letters = name.rstrip("0123456789")
    return letters + name[len(letters)]


def table(runs: list[Run], bks: dict[tuple[str, str], tuple[int, float]], convention: str,
          names: list[str]) -> list[str]:
    """The markdown table of one convention, then the means per class."""
    by = {(r.instance, r.solver): r for r in runs if r.convention == convention}
    unit = "distance" if convention == "hierarchical" else "cost (tenths / 10)"
    out = [f"\n{convention}: vehicles and {unit}; gap % of the {unit} to the best known",
           "| instance | BKS veh | BKS | routeopt veh | routeopt | gap % | PyVRP veh | PyVRP "
           "| gap % |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in names:
        bv, bc = bks[(n, convention)]
        cells = []
        for s in ("routeopt", "pyvrp"):
            r = by[(n, s)]
            if r.feasible:
                cells.append(f"{r.vehicles} | {r.cost:.2f} | {100 * (r.cost - bc) / bc:.2f}")
            else:
                cells.append(f"{r.vehicles} | not feasible | ")
        out.append(f"| {n} | {bv} | {bc:.2f} | {cells[0]} | {cells[1]} |")
    out += ["", "| class | instances | routeopt feasible | routeopt mean gap % | routeopt "
            "veh - BKS | PyVRP feasible | PyVRP mean gap % | PyVRP veh - BKS |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    hier = convention == "hierarchical"
    if hier:  # vehicles first: a plan with more vehicles loses whatever its distance
        out[-2] = ("| class | instances | routeopt feasible | routeopt mean gap % | routeopt "
                   "veh - BKS | routeopt more veh | routeopt gap % at BKS veh | PyVRP feasible "
                   "| PyVRP mean gap % | PyVRP veh - BKS | PyVRP more veh | PyVRP gap % at BKS "
                   "veh |")
        out[-1] = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for cls in (*CLASSES, "all"):
        members = [n for n in names if cls == "all" or instance_class(n) == cls]
        if not members:
            continue
        cells = []
        for s in ("routeopt", "pyvrp"):
            ok = [by[(n, s)] for n in members if by[(n, s)].feasible]

            def gap(r: Run) -> float:
                return 100 * (r.cost - bks[(r.instance, convention)][1]) / bks[
                    (r.instance, convention)][1]

            veh = [r.vehicles - bks[(r.instance, convention)][0] for r in ok]
            cell = (f"{len(ok)} | {statistics.mean(map(gap, ok)):.2f} | "
                    f"{statistics.mean(veh):+.2f}" if ok else f"{len(ok)} | | ")
            if hier:
                same = [r for r, v in zip(ok, veh, strict=True) if v == 0]
                more = sum(1 for v in veh if v > 0)
                cell += (f" | {more} | {statistics.mean(map(gap, same)):.2f} ({len(same)})"
                         if same else f" | {more} | (0)")
            cells.append(cell)
        out.append(f"| {cls} | {len(members)} | {cells[0]} | {cells[1]} |")
    for s in ("routeopt", "pyvrp"):
        mine = [r for r in runs if r.convention == convention and r.solver == s]
        its = sum(r.iterations for r in mine)
        if its:
            out.append(f"{s}: {1000 * sum(r.seconds for r in mine) / its:.2f} ms per iteration "
                       f"({its} iterations in {sum(r.seconds for r in mine):.0f} s)")
    return out


def report(path: Path, stamp: str | None, bks: dict[tuple[str, str], tuple[int, float]]
           ) -> int:
    """Print the tables of the run of ``stamp`` (the last one by default) in ``path``."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    stamp = stamp or rows[-1]["timestamp"]
    rows = [r for r in rows if r["timestamp"] == stamp]
    if not rows:
        raise SystemExit(f"{path}: no rows with timestamp {stamp}")
    runs = [Run(r["instance"], r["convention"], r["solver"], int(r["vehicles"]),
                float(r["cost"]), r["feasible"] == "True", float(r["seconds"]),
                int(r["iterations"]), float(r["load1"]), r["error"]) for r in rows]
    names = list(dict.fromkeys(r.instance for r in runs))
    print(f"run {stamp} (commit {rows[0]['commit']}), {rows[0]['time_limit']} s per instance, "
          f"convention and solver, --jobs {rows[0]['jobs']}")
    for c in dict.fromkeys(r.convention for r in runs):
        print("\n".join(table(runs, bks, c, names)))
    loads = [r.load for r in runs]
    print(f"load average (1 min) at the runs' start: {min(loads):.2f}..{max(loads):.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, default=Path("../shared/benchdata/solomon"))
    ap.add_argument("--instances", default="all", help="comma-separated names, or all")
    ap.add_argument("--conventions", default=",".join(CONVENTIONS))
    ap.add_argument("--time-limit", type=float, default=10.0,
                    help="seconds per instance, convention and solver")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2, help="processes (one core each)")
    ap.add_argument("--out", type=Path, default=None, help="append results to this CSV")
    ap.add_argument("--report", type=Path, default=None,
                    help="print the tables of an earlier run from this CSV (its rows of "
                         "--timestamp, by default the last run's) instead of solving")
    ap.add_argument("--timestamp", default=None, help="with --report: which run")
    args = ap.parse_args(argv)
    if args.report:
        return report(args.report, args.timestamp, load_bks(args.data))
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        raise SystemExit(PYVRP_HINT) from None
    names = (sorted(p.stem for p in args.data.glob("*.txt")) if args.instances == "all"
             else args.instances.split(","))
    conventions = args.conventions.split(",")
    bks = load_bks(args.data)
    tasks = [(str(args.data / f"{n}.txt"), n, c, s, args.time_limit, args.seed)
             for c in conventions for n in names for s in ("routeopt", "pyvrp")]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(run_one, tasks))
    print(f"{args.time_limit:g} s per instance, convention and solver, --jobs {args.jobs}")
    for c in conventions:
        print("\n".join(table(runs, bks, c, names)))
    for r in runs:
        if r.error:
            print(f"{r.instance} {r.convention} {r.solver}: {r.error}", file=sys.stderr)
    loads = [r.load for r in runs]
    print(f"load average (1 min) at the runs' start: {min(loads):.2f}..{max(loads):.2f} "
          f"on {os.cpu_count()} cpus")
    if args.out:
        from pvrp import append_rows, git_commit

        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        commit = git_commit()
        rows: list[dict[str, object]] = []
        for r in runs:
            bv, bc = bks[(r.instance, r.convention)]
            rows.append({"timestamp": stamp, "commit": commit, "instance": r.instance,
                         "convention": r.convention, "solver": r.solver,
                         "vehicles": r.vehicles, "cost": round(r.cost, 4), "bks_vehicles": bv,
                         "bks": bc, "gap_pct": round(100 * (r.cost - bc) / bc, 4)
                         if r.feasible else math.nan, "feasible": r.feasible,
                         "seconds": round(r.seconds, 2), "iterations": r.iterations,
                         "time_limit": args.time_limit, "seed": args.seed, "jobs": args.jobs,
                         "load1": round(r.load, 2), "cpus": os.cpu_count(),
                         "machine": platform.machine(), "python": platform.python_version(),
                         "error": r.error})
        append_rows(args.out, rows, defaults={})
    return 0


if __name__ == "__main__":
    sys.exit(main())
