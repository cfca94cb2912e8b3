"""How solve time, quality and memory grow with the size of the territory.

For every size (outlets) and horizon (weeks) this script makes a seeded
territory with :func:`routeopt.datasets.make_territory` (about one rep per 150
outlets), builds the problem with :func:`routeopt.read.read_problem`, solves it
with :func:`routeopt.solve` and reports the plan's figures, the solver's
figures and the memory used. Every case runs in a fresh Python process so that
memory figures belong to that case alone.

Memory, two figures:

* ``rss_delta_mib``: growth of the process's peak resident set size
  (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) during ``solve()``: real
  memory, Python and native (numpy, OR-Tools) alike, measured in the timed run.
  OR-Tools is imported before the baseline is taken.
* ``tracemalloc_peak_mib``: peak of Python allocations (``tracemalloc``)
  during ``solve()``. tracemalloc slows this solver about tenfold, so it is
  measured in a *second* fresh process that stops after ``--trace-iterations``
  search iterations (column ``trace_iterations``); the timed run never traces.

Time per iteration: ``ms_per_iteration`` is the search phase's time over its
iterations (``search_s / iterations``), which construction and polish do not
blur. ``cpu_s`` is the process's CPU time during ``solve()``: on a shared
machine the wall-clock figures stretch with the load, the CPU time much less.

Growth (``--growth``): the sizes (default 100, 300, 1000, 3000 outlets, one
horizon) run as usual, each appending its row, and a least-squares line
through (log outlets, log figure) gives the exponent ``b`` of ``figure ~
outlets ** b`` for the time per iteration, the peak RSS and the RSS growth
during the solve; one row per fit goes to ``--growth-out``
(``benchmarks/results/scaling_growth.csv``).

Usage::

    python benchmarks/scaling.py [--sizes 100,300,1000] [--weeks 1,4]
        [--time-limit 60] [--iterations N] [--seed 0] [--repeats 1]
        [--mix standard|dense|fmcg] [--out benchmarks/results/scaling.csv]
    python benchmarks/scaling.py --growth [--sizes 100,300,1000,3000] [--weeks 4]
        [--iterations 100] [--mix standard|fmcg]

``--time-limit`` and ``--iterations`` default to the :class:`SolveParams`
defaults. Each case appends one row to the CSV, with a timestamp, the git
commit (``-dirty`` when the tree has changes, plus a hash of the library's
source files), the 1-minute load average before the case (other processes
slow the solver down) and the machine, so runs can be compared over time. A Markdown
table of the cases is printed at the end.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START = "2026-11-30"  # a Monday
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "scaling.csv"
DEFAULT_GROWTH_OUT = ROOT / "benchmarks" / "results" / "scaling_growth.csv"
GROWTH_SIZES = [100, 300, 1000, 3000]
GROWTH_ITERATIONS = 100
GROWTH_TIME_LIMIT = 3600.0  # far above what the iterations take: the iteration stop decides

CSV_COLUMNS = (
    "timestamp", "git_commit", "src_hash", "load_avg_1m", "host", "cpu_count", "cpu_affinity",
    "cpu_model", "mem_total_gib", "python", "platform", "numpy", "pandas", "ortools",
    "outlets", "reps", "weeks", "seed", "repeat", "mix", "radius_km", "time_limit",
    "max_iterations",
    "required", "scheduled", "coverage", "unscheduled", "unscheduled_reasons", "travel_h", "km",
    "route_days", "visits_per_day", "build_s", "solve_s", "cpu_s", "construction_s", "search_s",
    "polish_s", "iterations", "ms_per_iteration", "improvements", "stop_reason", "objective",
    "rss_before_mib", "rss_delta_mib", "rss_peak_mib", "tracemalloc_peak_mib",
    "trace_iterations", "trace_solve_s", "violations", "valid", "error", "planted",
    "planted_slack_min", "planted_travel_h",
)

GROWTH_COLUMNS = (
    "timestamp", "git_commit", "src_hash", "load_avg_1m", "host", "cpu_count", "cpu_model",
    "python", "mix", "weeks", "seed", "reps_per", "radius_km", "time_limit", "max_iterations",
    "sizes", "ms_per_iteration", "rss_peak_mib", "rss_delta_mib", "coverage", "valid",
    "exp_ms_per_iteration", "exp_rss_peak", "exp_rss_delta", "error",
)


# -- one case, in its own process ---------------------------------------------------
def _maxrss_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """Build and solve one case; return its figures (run this in a fresh process)."""
    import gc
    import tracemalloc
    import warnings

    from ortools.constraint_solver import pywrapcp  # noqa: F401  (part of the baseline)

    from routeopt import CycleWarning, SolveParams, solve
    from routeopt.datasets import make_planted_territory, make_territory, planted_plan
    from routeopt.read import read_problem

    t0 = time.perf_counter()
    planted = None
    if case.get("planted"):
        outlets, reps, planted = make_planted_territory(
            case["reps"], case["outlets"] // case["reps"], seed=case["seed"], mix=case["mix"],
            radius_km=case["radius_km"], slack_min=case["planted_slack_min"])
    else:
        outlets, reps = make_territory(case["outlets"], case["reps"], seed=case["seed"],
                                       mix=case["mix"], radius_km=case["radius_km"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CycleWarning)  # 1-week horizons round visits up
        problem = read_problem(outlets, reps, start=START, weeks=case["weeks"])
    build_s = time.perf_counter() - t0
    known: dict[str, Any] = {}
    if planted is not None:  # the certificate: a full plan, checked by the plan checker
        cert = planted_plan(problem, planted)
        cert_k = cert.kpis()
        if cert.violations() or cert_k["unscheduled_visits"]:
            raise RuntimeError("the planted plan is not a full valid plan")
        known = {"planted": True, "planted_slack_min": case["planted_slack_min"],
                 "planted_travel_h": round(cert_k["travel_s"] / 3600, 2)}
    changes = {k: v for k, v in (("time_limit", case["time_limit"]),
                                 ("max_iterations", case["max_iterations"]),
                                 ("seed", case["seed"])) if v is not None}
    params = SolveParams().replace(**changes)
    trace = bool(case.get("trace"))
    gc.collect()
    rss0 = _maxrss_mib()
    if trace:
        tracemalloc.start()
    t1, c1 = time.perf_counter(), time.process_time()
    plan = solve(problem, params)
    wall = time.perf_counter() - t1
    cpu = time.process_time() - c1
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    rss1 = _maxrss_mib()
    k = plan.kpis()
    reasons: dict[str, int] = {}
    for u in plan.unscheduled:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    violations = plan.violations()
    st = plan.stats
    iterations = st.get("iterations")
    search_s = float(st.get("search_s", 0.0))
    per_it = (round(1000 * search_s / iterations, 3)
              if isinstance(iterations, int) and iterations > 0 else None)
    return {
        **known,
        "outlets": len(problem.outlets),
        "reps": len(problem.reps),
        "time_limit": params.time_limit,
        "max_iterations": params.max_iterations,
        "required": k["required_visits"],
        "scheduled": k["scheduled_visits"],
        "coverage": k["coverage"],
        "unscheduled": k["unscheduled_visits"],
        "unscheduled_reasons": ";".join(f"{r}={n}" for r, n in sorted(reasons.items())),
        "travel_h": round(k["travel_s"] / 3600, 2),
        "km": round(k["distance_m"] / 1000, 1),
        "route_days": k["route_days"],
        "visits_per_day": k["visits_per_day"],
        "build_s": round(build_s, 3),
        "solve_s": round(float(st.get("solve_s", wall)), 3),
        "cpu_s": round(cpu, 3),
        "construction_s": round(float(st.get("construction_s", 0.0)), 3),
        "search_s": round(float(st.get("search_s", 0.0)), 3),
        "polish_s": round(float(st.get("polish_s", 0.0)), 3),
        "iterations": iterations,
        "ms_per_iteration": per_it,
        "improvements": st.get("improvements"),
        "stop_reason": st.get("stop_reason"),
        "objective": st.get("objective"),
        "rss_before_mib": round(rss0, 1),
        "rss_delta_mib": round(rss1 - rss0, 1),
        "rss_peak_mib": round(rss1, 1),
        "tracemalloc_peak_mib": None if peak is None else round(peak, 1),
        "violations": len(violations),
        "valid": not violations,
        "first_violations": violations[:5],
    }


def spawn_case(script: Path, case: dict[str, Any], timeout: float,
               **on_error: Any) -> dict[str, Any]:
    """Run ``script --case JSON`` in a fresh interpreter: the JSON object it prints
    last, or ``{"error": ..., **on_error}`` (a crash, no output, or a time-out).

    The benchmarks run each case in its own process, so that peak memory and
    imports are the case's own.
    """
    cmd = [sys.executable, str(script.resolve()), "--case", json.dumps(case)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {**on_error, "error": f"timed out after {timeout:.0f} s"}
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {**on_error, "error": f"exit {done.returncode}: {tail}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# -- provenance ----------------------------------------------------------------
def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def git_commit() -> str:
    """``HEAD``'s hash, with ``-dirty`` when the working tree has changes."""
    head = _git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + ("-dirty" if _git("status", "--porcelain", "--untracked-files=no") else "")


def src_hash() -> str:
    """A short hash of the library's source files (tells dirty trees apart)."""
    h = hashlib.sha256()
    for p in sorted((ROOT / "src" / "routeopt").rglob("*.py")):
        h.update(str(p.relative_to(ROOT)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def machine() -> dict[str, Any]:
    """CPU, memory and versions of this machine."""
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return ""

    cpu_model, mem = platform.processor(), ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f}"
                break
    except OSError:
        pass
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else ""
    return {
        "host": platform.node(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": affinity,
        "cpu_model": cpu_model,
        "mem_total_gib": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": ver("numpy"),
        "pandas": ver("pandas"),
        "ortools": ver("ortools"),
    }


# -- output ----------------------------------------------------------------------
def _fmt(v: Any, spec: str = "") -> str:
    if v is None or v == "":
        return "-"
    return format(v, spec) if spec else str(v)


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The cases as a Markdown table."""
    head = ("| outlets | reps | weeks | time limit s | max iter | required | scheduled | "
            "coverage | travel h | km | solve s | iterations | ms/iter | stop reason | "
            "RSS peak MiB | RSS Δ MiB | tracemalloc peak MiB (iter) | valid |")
    lines = [head, "|" + "|".join("---:" for _ in range(head.count("|") - 1)) + "|"]
    for r in rows:
        if r.get("error"):
            lines.append(f"| {r['outlets']} | {_fmt(r.get('reps'))} | {r['weeks']} | "
                         f"{_fmt(r.get('time_limit'))} | {_fmt(r.get('max_iterations'))} | "
                         f"error: {r['error']} |" + " |" * 13)
            continue
        cov = f"{100 * r['coverage']:.1f} %"
        trace = (f"{_fmt(r.get('tracemalloc_peak_mib'), '.1f')} ({_fmt(r.get('trace_iterations'))})"
                 if r.get("tracemalloc_peak_mib") is not None else "-")
        lines.append(
            f"| {r['outlets']} | {r['reps']} | {r['weeks']} | {r['time_limit']:g} | "
            f"{r['max_iterations']} | {r['required']} | {r['scheduled']} | {cov} | "
            f"{r['travel_h']:.1f} | {r['km']:.0f} | {r['solve_s']:.1f} | {r['iterations']} | "
            f"{_fmt(r.get('ms_per_iteration'), '.1f')} | {r['stop_reason']} | "
            f"{r['rss_peak_mib']:.0f} | {r['rss_delta_mib']:.0f} | {trace} | "
            f"{'yes' if r['valid'] else 'NO (' + str(r['violations']) + ')'} |")
    return "\n".join(lines)


def append_csv(path: Path, row: dict[str, Any],
               columns: Sequence[str] = CSV_COLUMNS) -> None:
    """Append ``row`` to ``path`` (with a header when the file is new).

    A file written with an older set of columns is rewritten first with the
    current header (old rows keep their values, new columns stay empty).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = tuple(reader.fieldnames or ())
            old = list(reader) if header != tuple(columns) else []
        if header != tuple(columns):
            with path.open("w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=tuple(columns), extrasaction="ignore")
                w.writeheader()
                w.writerows(old)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=tuple(columns), extrasaction="ignore")
        if new:
            w.writeheader()
        w.writerow({c: "" if row.get(c) is None else row.get(c) for c in tuple(columns)})


def loglog_exponent(x: Sequence[float], y: Sequence[float]) -> float | None:
    """The slope ``b`` of the least-squares line through ``(log x, log y)``: ``y ~ x**b``.

    None with fewer than two distinct positive ``x`` (or a ``y`` <= 0).
    """
    import numpy as np

    pairs = [(a, b) for a, b in zip(x, y, strict=True) if a > 0 and b > 0]
    if len({a for a, _ in pairs}) < 2 or len(pairs) < len(x):
        return None
    lx = np.log([a for a, _ in pairs])
    ly = np.log([b for _, b in pairs])
    slope = np.polyfit(lx, ly, 1)[0]
    return round(float(slope), 3)


def growth_row(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The growth fit of one horizon's cases (sizes ascending): the figures per
    size (``;``-separated, in the order of ``sizes``) and their exponents."""
    ok = [r for r in rows if not r.get("error")]
    errors = "; ".join(f"{r['outlets']}: {r['error']}" for r in rows if r.get("error"))

    def col(name: str) -> list[float]:
        return [float(r[name]) if r.get(name) is not None else 0.0 for r in ok]

    sizes = [float(r["outlets"]) for r in ok]
    first = rows[0]
    return {
        **{k: first.get(k) for k in ("timestamp", "git_commit", "src_hash", "load_avg_1m",
                                     "host", "cpu_count", "cpu_model", "python", "mix",
                                     "weeks", "seed", "radius_km", "time_limit",
                                     "max_iterations")},
        "reps_per": first.get("reps_per"),
        "sizes": ";".join(str(r["outlets"]) for r in ok),
        "ms_per_iteration": ";".join(_fmt(r.get("ms_per_iteration")) for r in ok),
        "rss_peak_mib": ";".join(_fmt(r.get("rss_peak_mib")) for r in ok),
        "rss_delta_mib": ";".join(_fmt(r.get("rss_delta_mib")) for r in ok),
        "coverage": ";".join(_fmt(r.get("coverage")) for r in ok),
        "valid": all(bool(r.get("valid")) for r in ok) and bool(ok),
        "exp_ms_per_iteration": loglog_exponent(sizes, col("ms_per_iteration")),
        "exp_rss_peak": loglog_exponent(sizes, col("rss_peak_mib")),
        "exp_rss_delta": loglog_exponent(sizes, col("rss_delta_mib")),
        "error": errors,
    }


def growth_markdown(fits: Sequence[dict[str, Any]]) -> str:
    """The growth fits as a Markdown table."""
    lines = ["| mix | weeks | iterations | sizes | ms/iter | RSS peak MiB | RSS Δ MiB | "
             "b (ms/iter) | b (RSS peak) | b (RSS Δ) | valid |",
             "|---|---:|---:|---|---|---|---|---:|---:|---:|---|"]
    for f in fits:
        lines.append(
            f"| {f['mix']} | {f['weeks']} | {_fmt(f['max_iterations'])} | {f['sizes']} | "
            f"{f['ms_per_iteration']} | {f['rss_peak_mib']} | {f['rss_delta_mib']} | "
            f"{_fmt(f['exp_ms_per_iteration'])} | {_fmt(f['exp_rss_peak'])} | "
            f"{_fmt(f['exp_rss_delta'])} | {'yes' if f['valid'] else 'NO'} |")
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------
def ints(text: str) -> list[int]:
    try:
        return [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give whole numbers separated by commas"
                                         ) from None


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=ints, default=None,
                    help="outlet counts, comma separated (default 100,300,1000; "
                         "with --growth 100,300,1000,3000)")
    ap.add_argument("--weeks", type=ints, default=None,
                    help="horizons in weeks, comma separated (default 1,4; with --growth 4)")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="SolveParams.time_limit in seconds (default: the library default; "
                         f"with --growth {GROWTH_TIME_LIMIT:g}, so that the iterations stop it)")
    ap.add_argument("--iterations", type=int, default=None,
                    help="SolveParams.max_iterations (default: the library default; "
                         f"with --growth {GROWTH_ITERATIONS})")
    ap.add_argument("--seed", type=int, default=0, help="territory and solver seed")
    ap.add_argument("--repeats", type=int, default=1, help="runs of every case")
    ap.add_argument("--mix", default="standard", choices=("standard", "dense", "fmcg"),
                    help="frequency mix of make_territory (fmcg: 10-15 minute visits, "
                         "up to 35 a day)")
    ap.add_argument("--planted", action="store_true",
                    help="make_planted_territory instead of make_territory: outlets placed "
                         "along a known plan that serves every visit (4 weeks; the rows' mix "
                         "reads fmcg-planted)")
    ap.add_argument("--planted-slack", type=int, default=20,
                    help="with --planted: idle minutes of each rep's busiest planted day "
                         "before the end of the shift (default 20; smaller is tighter)")
    ap.add_argument("--radius-km", type=float, default=25.0,
                    help="radius of the territory (default 25 km, whatever the size)")
    ap.add_argument("--reps-per", type=int, default=150,
                    help="outlets per rep (default 150: max(1, round(outlets / 150)) reps)")
    ap.add_argument("--trace-iterations", type=int, default=None,
                    help="iterations of the separate tracemalloc run (0: skip it; "
                         "default 100, with --growth 0)")
    ap.add_argument("--growth", action="store_true",
                    help="fit the exponents of time per iteration and memory against the "
                         "outlets over --sizes (one horizon at a time)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV to append rows to")
    ap.add_argument("--growth-out", type=Path, default=DEFAULT_GROWTH_OUT,
                    help="CSV to append the growth fits to")
    ap.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    args = ap.parse_args(argv)

    if args.case:
        print(json.dumps(run_case(json.loads(args.case)), default=str))
        return 0
    if args.sizes is None:
        args.sizes = GROWTH_SIZES if args.growth else [100, 300, 1000]
    if args.weeks is None:
        args.weeks = [4] if args.growth or args.planted else [1, 4]
    if args.growth and args.iterations is None:
        args.iterations = GROWTH_ITERATIONS
    if args.growth and args.time_limit is None:
        args.time_limit = GROWTH_TIME_LIMIT
    if args.trace_iterations is None:
        args.trace_iterations = 0 if args.growth else 100
    if args.planted and (args.weeks != [4] or args.mix != "fmcg" or args.growth):
        ap.error("--planted plans 4 weeks (--weeks 4) of the fmcg mix (--mix fmcg), "
                 "without --growth")
    if args.growth and len(set(args.sizes)) < 2:
        ap.error("--growth needs two sizes or more")

    info = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": git_commit(), "src_hash": src_hash(), **machine()}
    print(f"# routeopt scaling benchmark, {info['timestamp']}, commit {info['git_commit']} "
          f"(src {info['src_hash']}), {info['cpu_count']} CPU ({info['cpu_model']}), "
          f"Python {info['python']}", flush=True)
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        reps = max(1, round(size / args.reps_per))
        for weeks in args.weeks:
            for rep in range(args.repeats):
                case = {"outlets": size, "reps": reps, "weeks": weeks, "seed": args.seed,
                        "mix": args.mix, "radius_km": args.radius_km,
                        **({"planted": True, "planted_slack_min": args.planted_slack}
                           if args.planted else {}),
                        "time_limit": args.time_limit,
                        "max_iterations": args.iterations}
                limit = args.time_limit if args.time_limit is not None else 30.0
                timeout = 10 * limit + 900
                # the tree may change between cases (others edit it): stamp every case
                stamp = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                         "git_commit": git_commit(), "src_hash": src_hash(),
                         "load_avg_1m": round(os.getloadavg()[0], 2)}
                t0 = time.perf_counter()
                res = spawn_case(Path(__file__), case, timeout)
                if args.trace_iterations > 0 and not res.get("error"):
                    n_it = min(args.trace_iterations, int(res["max_iterations"]))
                    trace = {**case, "trace": True, "max_iterations": n_it, "time_limit": 1e6}
                    traced = spawn_case(Path(__file__), trace, timeout)
                    res["tracemalloc_peak_mib"] = traced.get("tracemalloc_peak_mib")
                    res["trace_iterations"] = traced.get("iterations")
                    res["trace_solve_s"] = traced.get("solve_s")
                row = {**info, **stamp, **case, "repeat": rep, **res}
                if args.planted:
                    row["mix"] = f"{args.mix}-planted"
                row["time_limit"] = res.get("time_limit", case["time_limit"])
                row["max_iterations"] = res.get("max_iterations", case["max_iterations"])
                append_csv(args.out, row)
                rows.append(row)
                status = res.get("error") or (
                    f"{res['scheduled']}/{res['required']} visits "
                    f"({100 * res['coverage']:.1f} %), {res['solve_s']:.1f} s, "
                    f"{res['iterations']} it ({res['stop_reason']}, "
                    f"{_fmt(res.get('ms_per_iteration'), '.1f')} ms/it), "
                    f"peak RSS {res['rss_peak_mib']:.0f} MiB, "
                    f"{'valid' if res['valid'] else 'INVALID'}")
                print(f"  {size} outlets, {reps} reps, {weeks} wk, repeat {rep}: {status} "
                      f"[{time.perf_counter() - t0:.0f} s wall]", flush=True)
                if res.get("first_violations"):
                    for v in res["first_violations"]:
                        print(f"    violation: {v}", flush=True)
    print()
    print(markdown(rows))
    print(f"\nrows appended to {args.out}")
    if args.growth:
        fits = []
        for weeks in args.weeks:
            for rep in range(args.repeats):
                case_rows = sorted((r for r in rows if r["weeks"] == weeks and r["repeat"] == rep),
                                   key=lambda r: int(r["outlets"]))
                fit = {**growth_row(case_rows), "reps_per": args.reps_per}
                append_csv(args.growth_out, fit, GROWTH_COLUMNS)
                fits.append(fit)
        print()
        print(growth_markdown(fits))
        print(f"\ngrowth fits appended to {args.growth_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
