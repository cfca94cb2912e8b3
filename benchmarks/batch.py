"""Batch throughput: territories per minute on 1 and 2 processes and on a Dask cluster.

The script makes ``--territories`` seeded territories of ``--outlets`` outlets
(:func:`routeopt.datasets.make_territory`, one rep per 150 outlets) as
territory folders, then plans them, side by side in one run:

1. ``single``: one :func:`routeopt.solve` after the other in this process, the
   reference plans;
2. ``processes x1`` and ``processes x2``: :func:`routeopt.batch.run_batch` on a
   local process pool of 1 and 2 workers;
3. ``dask1`` and ``dask2``: ``run_batch`` on a ``dask.distributed.LocalCluster``
   of 1 and 2 worker processes with 1 thread each (``daskNxT``: ``N`` workers of
   ``T`` threads, e.g. ``dask1x2``). The cluster's start-up, including a
   tiny plan in each worker so that pandas, OR-Tools and the solver are
   imported (as in a long-lived cluster's workers), is timed apart. The local pool's workers are
   forked from this process, which has imported them already.

With ``--company N,REPS`` the territories are a whole company's instead: a
:func:`routeopt.datasets.make_company` of ``N`` outlets and ``REPS`` reps,
given a rep each by :func:`routeopt.territories.design` (timed, as
``design_s``), one territory folder per rep, as ``routeopt territories``
followed by ``routeopt batch`` plans it.

The search stops after ``--iterations`` iterations (the deterministic stop
rule), so every configuration must give each territory exactly the plan of the
single run: the script checks coverage, travel, objective and a fingerprint of
the written plan (a hash of ``visits.csv``, ``routes.csv`` and
``unscheduled.csv``: every visit's rep, day, order and times) per territory
and prints how many match, and which ones differ and how. It reports wall
time, territories per minute, and CPU seconds per territory (measured in the
workers), with the 1-minute load
average before and after each configuration (the machine may be shared).

Usage::

    python benchmarks/batch.py [--territories 8] [--outlets 150] [--weeks 4]
        [--iterations 300] [--configs single,processes1,processes2,dask1,dask2]
        [--company 3000,10] [--repeats 1] [--out benchmarks/results/batch.csv]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scaling import append_csv, git_commit, machine, src_hash

ROOT = Path(__file__).resolve().parents[1]
START = "2026-11-30"  # a Monday
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "batch.csv"
CONFIGS = ("single", "processes1", "processes2", "dask1", "dask2")
CSV_COLUMNS = (
    "timestamp", "git_commit", "src_hash", "host", "cpu_count", "cpu_model", "python",
    "ortools", "config", "repeat", "territories", "outlets", "reps", "weeks", "max_iterations",
    "load_before", "load_after", "startup_s", "wall_s", "territories_per_min", "cpu_s",
    "cpu_s_per_territory", "done", "failed", "required", "scheduled", "coverage", "travel_h",
    "same_as_single", "error", "company", "design_s",
)


def make_folders(root: Path, n: int, outlets: int, weeks: int, iterations: int) -> list[str]:
    """Territory folders ``t00``... under ``root`` with a ``batch.toml``; their names."""
    from routeopt.datasets import make_territory

    root.mkdir(parents=True, exist_ok=True)
    (root / "batch.toml").write_text(
        f'start = "{START}"\nweeks = {weeks}\n\n[solve]\nmax_iterations = {iterations}\n'
        "time_limit = 3600\nmax_no_improvement = 100000\n", encoding="utf-8")
    names = []
    for k in range(n):
        name = f"t{k:02d}"
        o, r = make_territory(outlets, seed=1000 + k)
        (root / name).mkdir(exist_ok=True)
        o.to_csv(root / name / "outlets.csv", index=False)
        r.to_csv(root / name / "reps.csv", index=False)
        names.append(name)
    return names


def make_company_folders(root: Path, n_outlets: int, n_reps: int, weeks: int,
                         iterations: int, seed: int = 0) -> tuple[list[str], float]:
    """A company's territories as folders, one per rep of its design; (names, design s)."""
    from routeopt.datasets import make_company
    from routeopt.read import read_problem
    from routeopt.territories import design

    root.mkdir(parents=True, exist_ok=True)
    (root / "batch.toml").write_text(
        f'start = "{START}"\nweeks = {weeks}\n\n[solve]\nmax_iterations = {iterations}\n'
        "time_limit = 3600\nmax_no_improvement = 100000\n", encoding="utf-8")
    outlets, reps = make_company(n_outlets, n_reps, seed=seed)
    t0 = time.perf_counter()
    assignment = design(read_problem(outlets, reps, start=START, weeks=weeks)).assignment
    took = time.perf_counter() - t0
    territory = outlets["outlet_id"].map(assignment)
    names = []
    for rep in reps["rep_id"]:
        mine = outlets[territory == rep]
        if mine.empty:
            continue
        (root / rep).mkdir(exist_ok=True)
        mine.to_csv(root / rep / "outlets.csv", index=False)
        reps[reps["rep_id"] == rep].to_csv(root / rep / "reps.csv", index=False)
        names.append(str(rep))
    return names, took


PLAN_FILES = ("visits.csv", "routes.csv", "unscheduled.csv")


def plan_hash(folder: Path) -> str:
    """A fingerprint of the plan written in ``folder`` (its visits, routes and
    unscheduled visits, byte for byte)."""
    if not (folder / PLAN_FILES[0]).is_file():
        raise FileNotFoundError(f"no plan written in {folder}")
    h = hashlib.sha256()
    for name in PLAN_FILES:
        p = folder / name
        h.update(name.encode() + b"\0" + (p.read_bytes() if p.is_file() else b"-") + b"\0")
    return h.hexdigest()[:12]


def kpis(summary: dict[str, Any], folder: Path) -> tuple[Any, ...]:
    return (summary.get("scheduled_visits"), summary.get("required_visits"),
            summary.get("travel_s"), summary.get("objective"), plan_hash(folder))


def run_single(root: Path, names: list[str], out: Path
               ) -> tuple[dict[str, tuple[Any, ...]], dict[str, Any]]:
    """Plan each territory with solve() in this process: the reference."""
    from routeopt.batch import batch_defaults
    from routeopt.read import read_problem
    from routeopt.solver import solve

    opts = batch_defaults(root)
    ref: dict[str, tuple[Any, ...]] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for name in names:
        problem = read_problem(root / name / "outlets.csv", root / name / "reps.csv",
                               start=START, weeks=opts.weeks)
        plan = solve(problem, opts.solve)
        plan.write(out / name)
        ref[name] = kpis(plan.summary_dict(), out / name)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    req = sum(v[1] for v in ref.values())
    sch = sum(v[0] for v in ref.values())
    return ref, {"wall_s": wall, "cpu_s": cpu, "done": len(names), "failed": 0,
                 "required": req, "scheduled": sch,
                 "travel_h": sum(v[2] for v in ref.values()) / 3600}


def warm_up() -> None:
    """Plan a tiny territory, so that this process has imported everything planning needs."""
    import warnings

    from routeopt.datasets import make_territory
    from routeopt.read import read_problem
    from routeopt.solver import SolveParams, solve

    outlets, reps = make_territory(8, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solve(read_problem(outlets, reps, start=START, weeks=1), SolveParams(max_iterations=5))


def run_config(config: str, root: Path, out: Path) -> tuple[dict[str, tuple[Any, ...]],
                                                            dict[str, Any]]:
    """One batch configuration; per-territory KPIs and the figures of the row."""
    from routeopt.batch import run_batch

    startup = 0.0
    if config.startswith("processes"):
        summary = run_batch(root, out, workers=int(config.removeprefix("processes")),
                            progress=False)
    elif re.fullmatch(r"dask\d+(x\d+)?", config):
        from distributed import Client, LocalCluster

        workers, _, threads = config.removeprefix("dask").partition("x")
        n = int(workers)
        t0 = time.perf_counter()
        with LocalCluster(n_workers=n, threads_per_worker=int(threads or 1), processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.wait_for_workers(n)
            client.run(warm_up)  # a long-lived cluster's workers have these imported already
            startup = time.perf_counter() - t0
            summary = run_batch(root, out, executor=client, progress=False)
    else:
        raise ValueError(f"unknown configuration {config!r}; known: {', '.join(CONFIGS)}")
    t = summary.totals()
    got = {r.name: kpis(dict(r.summary), out / r.name) for r in summary.results}
    return got, {"startup_s": startup, "wall_s": summary.wall_s, "cpu_s": t["cpu_s"],
                 "done": t["done"], "failed": t["failed"], "required": t["required_visits"],
                 "scheduled": t["scheduled_visits"], "travel_h": t["travel_s"] / 3600}


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    head = ("| configuration | territories | wall s | territories / min | CPU s / territory | "
            "coverage | travel h | same plans as single | load before / after |")
    lines = [head, "|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|"]
    for r in rows:
        if r.get("error"):
            lines.append(f"| {r['config']} | error: {r['error']} |" + " |" * 7)
            continue
        start = f" (+{r['startup_s']:.1f} s start-up)" if r.get("startup_s") else ""
        lines.append(
            f"| {r['config']} | {r['done']}/{r['territories']} | {r['wall_s']:.1f}{start} | "
            f"{r['territories_per_min']:.2f} | {r['cpu_s_per_territory']:.2f} | "
            f"{100 * r['coverage']:.2f} % | {r['travel_h']:.1f} | {r['same_as_single']} | "
            f"{r['load_before']:.2f} / {r['load_after']:.2f} |")
    return "\n".join(lines)


def medians(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per configuration: the median of its timed figures over the repeats."""
    out = []
    for config in dict.fromkeys(r["config"] for r in rows if not r.get("error")):
        group = [r for r in rows if r["config"] == config and not r.get("error")]
        med = dict(group[0])
        for key in ("wall_s", "startup_s", "territories_per_min", "cpu_s_per_territory",
                    "load_before", "load_after"):
            med[key] = statistics.median(float(r.get(key) or 0.0) for r in group)
        same = [r["same_as_single"] for r in group]
        med["same_as_single"] = same[0] if len(set(same)) == 1 else " ".join(same)
        med["config"] = f"{config} (median of {len(group)})"
        out.append(med)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--territories", type=int, default=8)
    ap.add_argument("--outlets", type=int, default=150)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--configs", default=",".join(CONFIGS),
                    help=f"comma separated, of {', '.join(CONFIGS)} (single is always run)")
    ap.add_argument("--repeats", type=int, default=1,
                    help="run the configurations this many times, interleaved (medians shown)")
    ap.add_argument("--company", default=None, metavar="N,REPS",
                    help="plan a company of N outlets and REPS reps, its territories "
                         "designed by routeopt.territories.design (then --territories and "
                         "--outlets are ignored)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    company = None
    if args.company:
        try:
            company = tuple(int(x) for x in args.company.split(","))
            if len(company) != 2 or min(company) < 1:
                raise ValueError
        except ValueError:
            ap.error(f"--company takes N,REPS (two whole numbers >= 1), not {args.company!r}")
    configs = [c.strip() for c in args.configs.split(",") if c.strip() and c.strip() != "single"]

    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)
    mach = machine()
    base = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": git_commit(), "src_hash": src_hash(), **mach,
            "territories": args.territories, "outlets": args.outlets,
            "reps": max(1, round(args.outlets / 150)), "weeks": args.weeks,
            "max_iterations": args.iterations}
    rows = []
    with tempfile.TemporaryDirectory(prefix="routeopt-bench-batch-") as tmp:
        root = Path(tmp) / "territories"
        design_s: float | str = ""
        if company is None:
            names = make_folders(root, args.territories, args.outlets, args.weeks,
                                 args.iterations)
        else:
            names, design_s = make_company_folders(root, *company, args.weeks, args.iterations)
            base.update(territories=len(names), outlets=company[0], reps=company[1],
                        company=f"{company[0]}x{company[1]}", design_s=design_s)
            print(f"company {args.company}: {len(names)} territories designed in "
                  f"{design_s:.1f} s", file=sys.stderr)
        ref: dict[str, tuple[Any, ...]] = {}
        plan = [(rep, c) for rep in range(args.repeats) for c in ["single", *configs]]
        for repeat, config in plan:
            load_before = os.getloadavg()[0]
            print(f"{config} (repeat {repeat}): {len(names)} territories...", file=sys.stderr,
                  flush=True)
            try:
                if config == "single":
                    got, fig = run_single(root, names, Path(tmp) / f"out-single-{repeat}")
                    ref = ref or got
                else:
                    got, fig = run_config(config, root, Path(tmp) / f"out-{config}-{repeat}")
            except Exception as e:  # a benchmark row, not a crash of the whole run
                rows.append({**base, "config": config, "error": f"{type(e).__name__}: {e}"})
                continue
            same = sum(1 for n in names if got.get(n) == ref.get(n))
            row = {**base, **fig, "config": config, "repeat": repeat,
                   "load_before": load_before,
                   "load_after": os.getloadavg()[0],
                   "territories_per_min": 60 * fig["done"] / fig["wall_s"],
                   "cpu_s_per_territory": fig["cpu_s"] / max(1, fig["done"]),
                   "coverage": fig["scheduled"] / fig["required"] if fig["required"] else 0.0,
                   "same_as_single": f"{same}/{len(names)}"}
            if same != len(names):
                diff = [n for n in names if got.get(n) != ref.get(n)]
                print(f"  DIFFERENT plans from the single run: {diff}", file=sys.stderr)
                for n in diff:
                    print(f"    {n}: single (scheduled, required, travel s, objective, plan) "
                          f"{ref.get(n)}, {config} {got.get(n)}", file=sys.stderr)
            rows.append(row)
            print(f"  {fig['wall_s']:.1f} s, {row['territories_per_min']:.2f} territories/min, "
                  f"same plans as single: {row['same_as_single']}", file=sys.stderr)
    for r in rows:
        append_csv(args.out, {k: round(v, 3) if isinstance(v, float) else v
                              for k, v in r.items()}, CSV_COLUMNS)
    print(markdown(rows))
    if args.repeats > 1:
        print("\nMedians over the repeats:\n")
        print(markdown(medians(rows)))
    print(f"\n{mach['cpu_count']} CPUs ({mach['cpu_model']}), load average now "
          f"{os.getloadavg()[0]:.2f}; rows appended to {args.out}")
    return 0 if all(not r.get("error") and r["same_as_single"].split("/")[0]
                    == r["same_as_single"].split("/")[1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
