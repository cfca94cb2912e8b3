"""Territory design against k-means, nearest rep and one single solve, side by side.

For each case (a generated company, :func:`routeopt.datasets.make_company`,
or a field territory, :func:`routeopt.datasets.make_territory`) the outlets
are given reps four ways:

- ``kmeans``: k-means on the coordinates (Lloyd, seeded, 30 rounds), the
  clusters matched one to one to the reps by the distance from their centre
  to the rep's home (Hungarian method);
- ``nearest``: each outlet to the rep with the nearest home;
- ``single``: no territories: one :func:`routeopt.solve` of the whole
  problem chooses reps itself (up to ``--single-max`` outlets);
- ``design``: :func:`routeopt.territories.design`.

Every territory is then planned by :func:`routeopt.batch.run_batch` with the
same solver settings (``--weeks``, ``--iterations``, ``--time-limit``), and the
plans give the figures: the spread of the reps' planned workload (visit plus
travel hours per week; max/min and standard deviation in % of the mean),
the total planned travel, the coverage, and the wall time (assignment and
planning). Rows are appended to ``benchmarks/results/territories.csv``.

Usage::

    python benchmarks/territories.py [--company 15000,50] [--field 1000,7]
        [--weeks 4] [--iterations 300] [--time-limit 120] [--workers 2]
        [--methods kmeans,nearest,single,design] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from routeopt import SolveParams, solve
from routeopt.batch import TerritoryOptions, run_batch, territories_from_frames
from routeopt.datasets import make_company, make_territory
from routeopt.read import read_problem
from routeopt.territories import design, outlet_workloads

RESULTS = Path(__file__).resolve().parent / "results" / "territories.csv"
START = "2026-11-30"
FIELDS = ("timestamp", "commit", "load1", "machine", "case", "outlets", "reps", "method",
          "weeks", "iterations", "time_limit", "assign_s", "plan_s", "wall_s",
          "workload_max_over_min", "workload_std_pct", "travel_h", "coverage",
          "design_dev_pct")


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True,
                               text=True, cwd=Path(__file__).parent).stdout.strip()
        return out + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def kmeans_assign(outlets: pd.DataFrame, reps: pd.DataFrame, seed: int) -> dict[str, str]:
    """k-means clusters of the outlets, matched one to one to the reps' homes."""
    from scipy.optimize import linear_sum_assignment

    lat0 = float(outlets["lat"].astype(float).mean())
    k_lon = np.cos(np.radians(lat0))
    xy = np.column_stack([outlets["lon"].astype(float) * k_lon, outlets["lat"].astype(float)])
    homes = np.column_stack([reps["lon"].astype(float) * k_lon, reps["lat"].astype(float)])
    rng = np.random.default_rng(seed)
    k = len(reps)
    centres = xy[rng.choice(len(xy), size=k, replace=False)].copy()
    for _ in range(30):
        label = ((xy[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
        for j in range(k):
            if (label == j).any():
                centres[j] = xy[label == j].mean(axis=0)
    cost = ((centres[:, None, :] - homes[None]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    to_rep = {int(r): str(reps["rep_id"].iloc[int(c)]) for r, c in zip(rows, cols, strict=True)}
    return dict(zip(outlets["outlet_id"], (to_rep[int(c)] for c in label), strict=True))


def nearest_assign(problem: Any) -> dict[str, str]:
    w = outlet_workloads(problem)
    return dict(zip(w["outlet_id"], w["nearest_rep"], strict=True))


def plan_territories(outlets: pd.DataFrame, reps: pd.DataFrame, assignment: dict[str, str],
                     args: argparse.Namespace, tmp: Path) -> tuple[dict[str, Any], float]:
    """Plan each territory with the batch; (figures, seconds)."""
    o = outlets.assign(territory=[assignment[x] for x in outlets["outlet_id"]])
    r = reps.assign(territory=reps["rep_id"])
    opts = TerritoryOptions(start=dt.date.fromisoformat(START), weeks=args.weeks,
                            solve=SolveParams(max_iterations=args.iterations,
                                              time_limit=args.time_limit, seed=args.seed))
    terrs = territories_from_frames(o, r, defaults=opts)
    t0 = time.perf_counter()
    summary = run_batch(terrs, tmp, workers=args.workers)
    took = time.perf_counter() - t0
    per_rep: dict[str, float] = {}
    travel = required = scheduled = 0
    for res in summary.results:
        s = res.summary or {}
        required += int(s.get("required_visits", 0))
        scheduled += int(s.get("scheduled_visits", 0))
        travel += int(s.get("travel_s", 0))
        for rep, k in (s.get("per_rep") or {}).items():
            per_rep[rep] = per_rep.get(rep, 0.0) + float(k["workload_s"]) / 3600 / args.weeks
    for rep in reps["rep_id"]:
        per_rep.setdefault(str(rep), 0.0)
    return _figures(per_rep, travel, required, scheduled), took


def _figures(per_rep: dict[str, float], travel_s: int, required: int, scheduled: int
             ) -> dict[str, Any]:
    w = list(per_rep.values())
    mean = statistics.fmean(w)
    return {"workload_max_over_min": round(max(w) / min(w), 3) if min(w) > 0 else float("inf"),
            "workload_std_pct": round(100 * statistics.pstdev(w) / mean, 2) if mean else 0.0,
            "travel_h": round(travel_s / 3600, 1),
            "coverage": round(scheduled / required, 4) if required else 1.0}


def single_solve(problem: Any, args: argparse.Namespace) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    plan = solve(problem, SolveParams(max_iterations=args.iterations, time_limit=args.time_limit,
                                      seed=args.seed))
    took = time.perf_counter() - t0
    k = plan.kpis()
    per_rep = {rep: float(v["workload_s"]) / 3600 / args.weeks
               for rep, v in k["per_rep"].items()}
    for r in problem.reps:
        per_rep.setdefault(r.id, 0.0)
    return _figures(per_rep, int(k["travel_s"]), int(k["required_visits"]),
                    int(k["scheduled_visits"])), took


def run_case(name: str, outlets: pd.DataFrame, reps: pd.DataFrame,
             args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    problem = read_problem(outlets, reps, start=START, weeks=args.weeks)
    for method in args.methods:
        if method == "single" and len(outlets) > args.single_max:
            continue
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        dev = ""
        if method == "single":
            figs, plan_s = single_solve(problem, args)
            assign_s = 0.0
        else:
            if method == "kmeans":
                assignment = kmeans_assign(outlets, reps, args.seed)
            elif method == "nearest":
                assignment = nearest_assign(problem)
            else:
                plan = design(problem)
                assignment = dict(plan.assignment)
                dev = f"{plan.spread()['max_dev_pct']:.2f}"
            assign_s = time.perf_counter() - t0
            with tempfile.TemporaryDirectory() as tmp:
                figs, plan_s = plan_territories(outlets, reps, assignment, args,
                                                Path(tmp) / "plans")
        rows.append({
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": _commit(), "load1": round(load, 2),
            "machine": f"{platform.machine()} {os.cpu_count()} cpu", "case": name,
            "outlets": len(outlets), "reps": len(reps), "method": method, "weeks": args.weeks,
            "iterations": args.iterations, "time_limit": args.time_limit,
            "assign_s": round(assign_s, 1), "plan_s": round(plan_s, 1),
            "wall_s": round(time.perf_counter() - t0, 1), **figs, "design_dev_pct": dev})
        print(f"  {name} {method}: {rows[-1]}", file=sys.stderr)
    return rows


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    head = ("| case | method | workload max/min | std % | travel h | coverage | assign s | "
            "plan s |\n|---|---|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for r in rows:
        lines.append(f"| {r['case']} | {r['method']} | {r['workload_max_over_min']} | "
                     f"{r['workload_std_pct']} | {r['travel_h']} | {100 * r['coverage']:.1f} % | "
                     f"{r['assign_s']} | {r['plan_s']} |")
    return "\n".join(lines)


def _pair(text: str) -> tuple[int, int]:
    a, b = text.split(",")
    return int(a), int(b)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--company", type=_pair, action="append", default=None,
                    metavar="OUTLETS,REPS")
    ap.add_argument("--company-radius", type=float, default=120.0)
    ap.add_argument("--field", type=_pair, action="append", default=None, metavar="OUTLETS,REPS")
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--methods", default="kmeans,nearest,single,design")
    ap.add_argument("--single-max", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    cases: list[tuple[str, pd.DataFrame, pd.DataFrame]] = []
    for n, m in args.company or ([] if args.field else [(15_000, 50)]):
        o, r = make_company(n, m, seed=args.seed, radius_km=args.company_radius)
        cases.append((f"company-{n}", o, r))
    for n, m in args.field or []:
        o, r = make_territory(n, m, seed=args.seed)
        o = o.assign(rep_id="")  # territories are what is compared: no fixed pairs
        cases.append((f"field-{n}", o, r))
    rows: list[dict[str, Any]] = []
    for name, o, r in cases:
        rows += run_case(name, o, r, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    new = not args.out.exists()
    with args.out.open("a", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            w.writeheader()
        w.writerows(rows)
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
