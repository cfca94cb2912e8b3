"""routeopt on the 42 Cordeau periodic VRP instances, against their best-known solutions.

Usage (from the repository root)::

    python benchmarks/pvrp.py --data ../shared/benchdata/pvrp --instances p01,p02 \
        --time-limit 60 --jobs 2 [--method routeopt|naive|both] [--seeds 0,1,2] \
        [--write-solutions DIR] [--out benchmarks/results/pvrp.csv]

Each instance is built through routeopt's public API (the depot is the reps'
office; ``m`` reps work each day; demand per visit against a capacity; the
maximum route duration as the shift; the explicit allowed patterns), solved,
and its routes are checked by an independent checker (``pvrp_format``) that
recomputes the cost in float64 from the coordinates. ``--method naive`` runs
the plain OR-Tools "days as vehicles" model with the same time budget.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from pvrp_format import PVRPInstance, PVRPRoute, check_solution, format_res, parse_pvrp

from routeopt import (
    Horizon,
    Outlet,
    Problem,
    Rep,
    SolveParams,
    TimeWindow,
    TravelMatrix,
    VisitRule,
    solve,
)

DIST_SCALE = 1000  # integer cost units per distance unit
DAY = 86_400
START = date(2024, 1, 1)  # a Monday; the instance's days are the first t dates


def time_scale(inst: PVRPInstance) -> int:
    """Time units per distance unit: fine when a duration limit applies."""
    return 100 if max(inst.duration) > 0 else 10


def to_problem(inst: PVRPInstance, customers: Sequence[int] | None = None,
               reps: int | None = None, *, same_rep: bool = False) -> Problem:
    """The instance (or ``customers`` of it, with ``reps`` vehicles, default ``m``)
    as a routeopt problem, through the public API only; with ``same_rep`` each
    customer keeps one vehicle."""
    cs = list(range(1, inst.n + 1)) if customers is None else list(customers)
    m = inst.m if reps is None else reps
    t = inst.t
    weeks = math.ceil(t / 7)
    holidays = frozenset(START + timedelta(days=k) for k in range(t, 7 * weeks))
    ts = time_scale(inst)
    if len(set(inst.duration)) != 1 or len(set(inst.capacity)) != 1:
        raise ValueError(f"{inst.name}: per-day D or Q differ; not supported by this adapter")
    dmax = inst.duration[0]
    shift = TimeWindow(0, int(dmax * ts) if dmax > 0 else DAY)
    cap = inst.capacity[0]
    x0, y0 = inst.xy[0]

    def ll(x: float, y: float) -> tuple[float, float]:  # labels only: the matrix is ours
        return (y - y0) / 50.0, (x - x0) / 50.0

    outlets = []
    for c in cs:
        lat, lon = ll(*inst.xy[c])
        outlets.append(Outlet(
            str(c), lat, lon,
            VisitRule(patterns=inst.patterns[c], same_rep=same_rep),
            service=round(inst.service[c] * ts), demand=round(inst.demand[c]),
        ))
    lat0, lon0 = ll(x0, y0)
    rep_list = [Rep(f"V{k + 1}", lat0, lon0, shift=shift, working_days=frozenset(range(7)),
                    capacity=round(cap)) for k in range(m)]
    xy = np.array([inst.xy[c] for c in cs] + [inst.xy[0]] * (2 * m))
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    matrix = TravelMatrix(np.ceil(d * ts - 1e-9).astype(np.int64),
                          np.rint(d * DIST_SCALE).astype(np.int64))
    return Problem(outlets, rep_list, Horizon(START, weeks, holidays), {"drive": matrix})


@dataclass
class Result:
    instance: str
    method: str
    cost: float
    feasible: bool
    complete: bool
    seconds: float
    routes: list[PVRPRoute]
    errors: list[str]


def run_routeopt(inst: PVRPInstance, time_limit: float, seed: int,
                 iterations: int, workers: int = 1) -> Result:
    t0 = time.perf_counter()
    problem = to_problem(inst)
    plan = solve(problem, SolveParams(time_limit=time_limit, max_iterations=iterations,
                                      max_no_improvement=iterations, seed=seed,
                                      time_weight=0.0, distance_weight=1.0, workers=workers,
                                      # the PVRP objective is distance alone: no balanced
                                      # days, no steady times
                                      balance_weight=0.0, steady_weight=0.0))
    seconds = time.perf_counter() - t0
    days = {d: k for k, d in enumerate(problem.planning_days)}
    routes = [PVRPRoute(days[r.date], int(r.rep_id[1:]) - 1,
                        tuple(int(s.outlet_id) for s in r.stops)) for r in plan.routes]
    cost, errors = check_solution(inst, routes)
    return Result(inst.name, "routeopt", cost, not errors, not plan.unscheduled, seconds,
                  routes, errors)


def parse_tuning(specs: Sequence[str]) -> dict[str, object]:
    """``KEY=VALUE`` strings as changes to the search's ``Tuning`` (each value
    read as its field's default's type)."""
    from routeopt.solver._tuning import Tuning

    default = Tuning()
    changes: dict[str, object] = {}
    for spec in specs:
        key, _, value = spec.partition("=")
        cur = getattr(default, key)  # AttributeError: no such knob
        if isinstance(cur, bool):
            changes[key] = value.lower() in ("1", "true", "yes")
        else:
            changes[key] = type(cur)(float(value)) if isinstance(cur, int) else type(cur)(value)
    return changes


def use_tuning(changes: dict[str, object]) -> None:
    """Make this process's searches start from ``Tuning(**changes)`` (a benchmark
    of a knob before it becomes a default; one search per solve, ``--workers 1``);
    no changes: the tuned defaults again."""
    import functools

    from routeopt.solver import _search
    from routeopt.solver._tuning import Tuning

    _search.Tuning = (functools.partial(Tuning, **changes)  # type: ignore[misc]
                      if changes else Tuning)


def run_one(args: tuple[str, str, str, float, int, int, int]) -> Result:
    path, name, method, time_limit, seed, iterations, workers = args
    inst = parse_pvrp(Path(path).read_text(), name)
    if method == "naive":
        from baselines import naive_pvrp

        t0 = time.perf_counter()
        routes = naive_pvrp(inst, time_limit, seed)
        seconds = time.perf_counter() - t0
        if routes is None:
            return Result(name, method, math.nan, False, False, seconds, [], ["no solution"])
        cost, errors = check_solution(inst, routes)
        return Result(name, method, cost, not errors, True, seconds, routes, errors)
    return run_routeopt(inst, time_limit, seed, iterations, workers)


def load_bks(data: Path) -> dict[str, float]:
    with open(data / "bks.csv", newline="") as f:
        return {row["instance"]: float(row["bks"]) for row in csv.DictReader(f)}


def all_instances(data: Path) -> list[str]:
    names = [p.name for p in data.iterdir() if p.is_file() and p.name.startswith("p")
             and "." not in p.name]
    return sorted(names, key=lambda s: (s.startswith("pr"), s))


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def seed_summary(rows: list[dict[str, object]], method: str) -> str:
    """Per instance, the mean, lowest and highest gap over the seeds (runs that
    were not feasible count as missing), then the mean of the per-instance means."""
    by: dict[str, list[float]] = {}
    for x in rows:
        by.setdefault(str(x["instance"]), [])
        if x["feasible"]:
            by[str(x["instance"])].append(float(x["gap_pct"]))  # type: ignore[arg-type]
    lines = [f"\n{method} over seeds: | instance | runs feasible | mean gap % | min | max |",
             "|---|---:|---:|---:|---:|"]
    means = []
    for name, gaps in by.items():
        runs = sum(1 for x in rows if x["instance"] == name)
        if gaps:
            means.append(statistics.mean(gaps))
            lines.append(f"| {name} | {len(gaps)}/{runs} | {statistics.mean(gaps):.2f} | "
                         f"{min(gaps):.2f} | {max(gaps):.2f} |")
        else:
            lines.append(f"| {name} | 0/{runs} | | | |")
    if means:
        over = sum(1 for g in means if g > 5)
        lines.append(f"mean of the per-instance means {statistics.mean(means):.2f}%, "
                     f"instances whose mean is above 5 %: {over}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, default=Path("../shared/benchdata/pvrp"))
    ap.add_argument("--instances", default="all", help="comma-separated names, or all")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--iterations", type=int, default=10**9,
                    help="iteration stop (deterministic); default: time limit only")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", default=None,
                    help="comma-separated seeds: run every instance once per seed and "
                         "summarise the mean gap per instance (overrides --seed)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1,
                    help="routeopt's parallel searches per instance (SolveParams.workers); "
                         "run --jobs 1 --workers 2 to give one instance both cores")
    ap.add_argument("--method", choices=["routeopt", "naive", "both"], default="routeopt")
    ap.add_argument("--write-solutions", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None, help="append results to this CSV")
    ap.add_argument("--tuning", action="append", default=[], metavar="KEY=VALUE",
                    help="a search knob (routeopt.solver._tuning.Tuning) other than its "
                         "default, for every routeopt run with --workers 1; repeatable")
    args = ap.parse_args(argv)
    changes = parse_tuning(args.tuning)

    names = all_instances(args.data) if args.instances == "all" else args.instances.split(",")
    bks = load_bks(args.data)
    methods = ["routeopt", "naive"] if args.method == "both" else [args.method]
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else [args.seed]
    tasks = [(str(args.data / n), n, m, args.time_limit, seed, args.iterations, args.workers)
             for n in names for m in methods for seed in seeds]
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=use_tuning,
                             initargs=(changes,)) as pool:
        results = list(pool.map(run_one, tasks))
    run_seeds = [t[4] for t in tasks]

    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    commit = git_commit()
    header = ("| instance | method | seed | cost | best-known | gap % | time s | feasible |\n"
              "|---|---|---:|---:|---:|---:|---:|---|")
    print(header)
    rows = []
    for r, seed in zip(results, run_seeds, strict=True):
        b = bks.get(r.instance, math.nan)
        gap = 100 * (r.cost - b) / b if r.feasible and r.complete else math.nan
        print(f"| {r.instance} | {r.method} | {seed} | {r.cost:.2f} | {b:.2f} | {gap:.2f} | "
              f"{r.seconds:.1f} | {'yes' if r.feasible and r.complete else 'NO'} |")
        if r.errors:
            print(f"|   | {r.errors[0]} |", file=sys.stderr)
        rows.append({"timestamp": stamp, "commit": commit, "instance": r.instance,
                     "method": r.method, "cost": round(r.cost, 4), "bks": b,
                     "gap_pct": round(gap, 4), "seconds": round(r.seconds, 2),
                     "feasible": r.feasible and r.complete, "time_limit": args.time_limit,
                     "seed": seed, "jobs": args.jobs, "cpus": os.cpu_count(),
                     "python": platform.python_version(),
                     "workers": args.workers if r.method == "routeopt" else 1})
        if args.write_solutions and r.feasible:
            args.write_solutions.mkdir(parents=True, exist_ok=True)
            inst = parse_pvrp((args.data / r.instance).read_text(), r.instance)
            suffix = "" if r.method == "routeopt" else f".{r.method}"
            if len(seeds) > 1:
                suffix += f".seed{seed}"
            (args.write_solutions / f"{r.instance}{suffix}.res").write_text(
                format_res(inst, r.routes))
    for m in methods:
        gaps = [x["gap_pct"] for x in rows if x["method"] == m and x["feasible"]]
        feas = sum(1 for x in rows if x["method"] == m and x["feasible"])
        if gaps:
            print(f"\n{m}: feasible {feas}/{len(names) * len(seeds)}, mean gap "
                  f"{statistics.mean(gaps):.2f}%, max gap {max(gaps):.2f}%, total cost "
                  f"{sum(x['cost'] for x in rows if x['method'] == m and x['feasible']):.2f}")
        if len(seeds) > 1:
            print(seed_summary([x for x in rows if x["method"] == m], m))
    if args.out:
        append_rows(args.out, rows, defaults={"workers": 1})
    return 0


def append_rows(path: Path, rows: list[dict[str, object]],
                defaults: dict[str, object]) -> None:
    """Append ``rows`` to the CSV at ``path``. When they bring columns the file
    lacks, the file is rewritten (atomically) with them, the old rows taking
    ``defaults`` (or blank)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0])
    if path.exists():
        with open(path, newline="") as f:
            old = list(csv.DictReader(f))
            have = list(old[0]) if old else columns
        if have != columns:
            merged = have + [c for c in columns if c not in have]
            tmp = path.with_suffix(path.suffix + ".tmp")
            with open(tmp, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=merged)
                w.writeheader()
                for r in old:
                    w.writerow({c: r.get(c, defaults.get(c, "")) for c in merged})
                w.writerows({c: r.get(c, "") for c in merged} for r in rows)
            os.replace(tmp, path)
            return
    new = not path.exists()
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        if new:
            w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    sys.exit(main())
