"""CPU per search iteration of the solver's core, side by side for source trees.

Each tree (``--tree NAME=PATH``, PATH a ``src`` folder holding ``routeopt``) solves
the same seeded territories of :mod:`benchmarks.scaling` (the same
:func:`routeopt.datasets.make_territory` and :func:`routeopt.read.read_problem`)
with a fixed iteration stop, each run in a fresh interpreter with
``PYTHONPATH=PATH``. A run reports:

* ``search_ms_per_iter``: CPU time (``time.process_time``) of the search phase
  per iteration: the solve's CPU times the search's share of the solve's wall
  time (``stats["search_s"]``; the solve runs in one process), divided by the
  iterations;
* ``solve_cpu_s``: CPU of the whole solve;
* the plan's fingerprint (``benchmarks/fingerprint.py``'s), objective and whether
  it is valid (``Plan.violations()`` empty).

Medians over ``--repeats`` runs are printed as a Markdown table, each run
appended to ``benchmarks/results/core_speed.csv``. Trees that are meant to give
the same plans must print the same fingerprint: the script says so per case.

``--env NAME=VAR=VALUE`` sets an environment variable for one tree's runs
(``--tree ref=src --env ref=ROUTEOPT_KERNEL=python`` times this tree's
reference Python path).

Usage::

    python benchmarks/core_speed.py --tree base=/path/to/old/src --tree new=src
        [--cases 300:2,1000:7,pvrp:pr10] [--weeks 4] [--iterations 300] [--repeats 3]

A ``pvrp:NAME`` case solves the Cordeau instance NAME (from ``--data``) as
``benchmarks/pvrp.py`` does: distance only, no balanced days, no steady times.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "core_speed.csv"
START = "2026-11-30"  # a Monday, as in scaling.py
COLUMNS = ("timestamp", "host", "python", "tree", "tree_path", "env", "outlets", "reps",
           "weeks", "iterations", "repeat", "seed", "construction_cpu_s", "search_cpu_s",
           "solve_cpu_s", "search_ms_per_iter", "fingerprint", "objective", "valid",
           "load_avg_1m")


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """Solve one case in this process and return its figures."""
    import warnings

    from routeopt import CycleWarning, SolveParams, solve
    from routeopt.datasets import make_territory
    from routeopt.read import read_problem

    if case.get("pvrp"):  # a Cordeau instance, read and weighed as benchmarks/pvrp.py does
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import pvrp
        from pvrp_format import parse_pvrp

        path = Path(case["data"]) / case["pvrp"]
        problem = pvrp.to_problem(parse_pvrp(path.read_text(), case["pvrp"]))
        params = SolveParams(time_weight=0.0, distance_weight=1.0, balance_weight=0.0,
                             steady_weight=0.0, max_no_improvement=case["iterations"])
    else:
        outlets, reps = make_territory(case["outlets"], case["reps"], seed=case["seed"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CycleWarning)
            problem = read_problem(outlets, reps, start=START, weeks=case["weeks"])
        params = SolveParams()
    params = params.replace(max_iterations=case["iterations"], time_limit=1e6,
                            seed=case["seed"])
    c0 = time.process_time()
    plan = solve(problem, params)
    c1 = time.process_time()
    st = plan.stats
    iters = int(st.get("iterations") or 0)
    # the search's share of the CPU: its wall share of the solve (one process)
    wall = float(st.get("solve_s") or 0.0)
    share = float(st.get("search_s") or 0.0) / wall if wall else 0.0
    search = (c1 - c0) * share
    cons = (c1 - c0) * float(st.get("construction_s") or 0.0) / wall if wall else 0.0
    return {"construction_cpu_s": round(cons, 3), "search_cpu_s": round(search, 3),
            "solve_cpu_s": round(c1 - c0, 3),
            "search_ms_per_iter": round(1000 * search / iters, 3) if iters else None,
            "iterations_done": iters,
            "fingerprint": _fingerprint(plan),
            "objective": st.get("objective"), "valid": not plan.violations()}


def _fingerprint(plan: Any) -> str:
    """The plan's fingerprint as ``benchmarks/fingerprint.py`` computes it."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fingerprint as fp

    return str(fp.fingerprint(plan))


def spawn(src: str, env: dict[str, str], case: dict[str, Any]) -> dict[str, Any]:
    """Run one case in a fresh interpreter on the tree ``src``."""
    full = {**os.environ, **env, "PYTHONPATH": str(Path(src).resolve())}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--case",
                           json.dumps(case)], capture_output=True, text=True, env=full,
                          check=False, timeout=3600)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{src}: exit {done.returncode}: {tail}")
    out: dict[str, Any] = json.loads(lines[-1])
    return out


def main(argv: list[str] | None = None) -> int:
    """Time the trees and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", action="append", default=[], help="NAME=PATH (a src folder)")
    ap.add_argument("--env", action="append", default=[], help="NAME=VAR=VALUE")
    ap.add_argument("--cases", default="300:2,1000:7",
                    help="outlets:reps,... (pvrp:NAME for a Cordeau instance)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "benchdata" / "pvrp",
                    help="the Cordeau instances (for pvrp:NAME cases)")
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(json.loads(args.case)), default=str))
        return 0
    trees = [t.split("=", 1) for t in args.tree] or [["new", str(ROOT / "src")]]
    envs: dict[str, dict[str, str]] = {}
    for e in args.env:
        name, var, value = e.split("=", 2)
        envs.setdefault(name, {})[var] = value
    cases = [c.split(":") for c in args.cases.split(",")]
    new_file = not args.out.exists()
    table = []
    with args.out.open("a", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        if new_file:
            w.writeheader()
        for a, b in cases:
            if a == "pvrp":
                outlets, reps, label = 0, 0, b
                case = {"pvrp": b, "data": str(args.data.resolve()),
                        "iterations": args.iterations, "seed": args.seed}
            else:
                outlets, reps = int(a), int(b)
                label = f"{outlets}/{reps}/{args.weeks}"
                case = {"outlets": outlets, "reps": reps, "weeks": args.weeks,
                        "iterations": args.iterations, "seed": args.seed}
            per_tree: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in trees}
            # the trees take turns, run after run, so that a change of the machine's
            # load falls on them alike
            for rep in range(args.repeats):
                for name, src in trees:
                    runs = per_tree[name]
                    load = os.getloadavg()[0]
                    r = spawn(src, envs.get(name, {}), case)
                    row = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                           "host": platform.node(), "python": platform.python_version(),
                           "tree": name, "tree_path": src,
                           "env": ";".join(f"{k}={v}" for k, v in envs.get(name, {}).items()),
                           "outlets": outlets or label, "reps": reps, "weeks": args.weeks,
                           "iterations": r["iterations_done"], "repeat": rep,
                           "seed": args.seed, "load_avg_1m": round(load, 2), **r}
                    w.writerow(row)
                    fh.flush()
                    runs.append(r)
                    print(f"# {name} {label} run {rep}: "
                          f"{r['search_ms_per_iter']} ms/iter, valid={r['valid']}",
                          flush=True)
            first = trees[0][0]
            base = statistics.median(r["search_ms_per_iter"] for r in per_tree[first])
            prints = {r["fingerprint"] for runs in per_tree.values() for r in runs}
            for name, runs in per_tree.items():
                ms = statistics.median(r["search_ms_per_iter"] for r in runs)
                table.append((label, name, ms,
                              statistics.median(r["solve_cpu_s"] for r in runs),
                              base / ms if ms else float("nan"),
                              all(r["valid"] for r in runs),
                              "same" if len(prints) == 1 else "DIFFERENT"))
    print("\n| case (outlets/reps/weeks) | tree | search ms CPU/iter | solve CPU s "
          "| speed-up | valid | plans |")
    print("|---|---|---:|---:|---:|---|---|")
    for c, name, ms, cpu, up, ok, same in table:
        print(f"| {c} | {name} | {ms:.1f} | {cpu:.1f} | {up:.2f}x | {ok} | {same} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
