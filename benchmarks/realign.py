"""Realignment without disruption: how much balance a capped number of moves buys.

For a generated company (:func:`routeopt.datasets.make_company`), today's
territories are each outlet's nearest rep (the usual unbalanced starting
point). :func:`routeopt.territories.realign` then improves their balance moving
at most ``--max-moves`` of the outlets. The script prints, before and after:
the workload spread (max/min of workload over capacity, its standard deviation
in % of the mean, the largest deviation from the target), the hours outside
the ±``--band`` band, and the moves made against the cap, with the run time;
one row per run is appended to ``benchmarks/results/realign.csv``.

Usage::

    python benchmarks/realign.py [--company 15000,50] [--max-moves 0.05] [--band 0.05]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from routeopt.datasets import make_company
from routeopt.read import read_problem
from routeopt.territories import outlet_workloads, realign
from routeopt.territories._design import _model, _result

RESULTS = Path(__file__).resolve().parent / "results" / "realign.csv"
START = "2026-11-30"
FIELDS = ("timestamp", "commit", "load1", "machine", "outlets", "reps", "seed", "band",
          "max_moves", "cap", "moved", "before_max_over_min", "before_std_pct",
          "before_outside_h", "after_max_over_min", "after_std_pct", "after_max_dev_pct",
          "after_outside_h", "kept_current", "seconds")


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True,
                              cwd=Path(__file__).resolve().parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--company", default="15000,50", help="OUTLETS,REPS")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--max-moves", type=float, default=0.05,
                    help="a share of the outlets (below 1) or a count")
    ap.add_argument("--band", type=float, default=0.05)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    n, m = (int(x) for x in args.company.split(","))
    outlets, reps = make_company(n, m, seed=args.seed)
    problem = read_problem(outlets, reps, start=START, weeks=args.weeks)
    w = outlet_workloads(problem)
    current = dict(zip(w["outlet_id"], w["nearest_rep"], strict=True))
    md = _model(problem)
    index = {r: j for j, r in enumerate(md.rep_ids)}
    cur = np.array([index[current[o]] for o in md.outlet_ids], dtype=np.int64)
    before = _result(md, cur, args.band, {}, None, time.perf_counter())
    t0 = time.perf_counter()
    plan = realign(problem, current=current, max_moves=args.max_moves, band=args.band)
    seconds = time.perf_counter() - t0
    b, a = before.spread(), plan.spread()
    row = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"), "commit": _commit(),
           "load1": round(os.getloadavg()[0], 2), "machine": f"{platform.machine()} "
           f"{os.cpu_count()} cpu", "outlets": n, "reps": m, "seed": args.seed,
           "band": args.band, "max_moves": args.max_moves, "cap": plan.stats.get("max_moves"),
           "moved": len(plan.moves), "before_max_over_min": round(b["max_over_min"], 3),
           "before_std_pct": round(b["std_pct"], 2),
           "before_outside_h": round(float(before.stats["outside_band_h"]), 1),
           "after_max_over_min": round(a["max_over_min"], 3),
           "after_std_pct": round(a["std_pct"], 2), "after_max_dev_pct": round(a["max_dev_pct"], 2),
           "after_outside_h": round(float(plan.stats["outside_band_h"]), 1),
           "kept_current": bool(plan.stats.get("kept_current", False)),
           "seconds": round(seconds, 1)}
    new_file = not args.out.exists()
    with args.out.open("a", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=FIELDS)
        if new_file:
            wr.writeheader()
        wr.writerow(row)
    print("| | max/min | std % of mean | hours outside the band | moves (cap) | s |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| nearest rep (today) | {row['before_max_over_min']} | {row['before_std_pct']} "
          f"| {row['before_outside_h']} | | |")
    print(f"| realigned | {row['after_max_over_min']} | {row['after_std_pct']} "
          f"| {row['after_outside_h']} | {row['moved']} ({row['cap']}) | {row['seconds']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
