"""routeopt against two OR-Tools baselines on realistic sales territories.

For every size (outlets) this script makes a seeded territory with
:func:`routeopt.datasets.make_territory` (its default of one rep per 150
outlets, ``appointments=max(2, outlets // 100)``), builds a ``--weeks`` plan
problem with :func:`routeopt.read.read_problem`, and solves it with each
method under the SAME time budget ``--time-limit``:

* ``routeopt``: ``routeopt.solve(problem, SolveParams(time_limit=T,
  max_iterations=10**9, max_no_improvement=10**9, seed=seed))``, so that only
  the time limit stops it;
* ``naive``: the plain "days as vehicles" OR-Tools model a user writes from
  the documentation (:func:`field_baselines.naive_plan`), its search limited to
  T seconds (building the model comes on top);
* ``cluster``: cluster-first, route-second (:func:`field_baselines.cluster_plan`),
  T seconds in all, shared by the rep-days it routes.

Every method's result is a :class:`routeopt.plan.Plan` on the same travel
matrices, and the same independent checker, :meth:`Plan.violations`, judges
all three. Each (size, method) runs in a fresh Python process, so that its
memory figure is its own: the growth of the resident set size during the
solve, from the size just before it (OR-Tools, routeopt and the problem
already loaded) to the peak during it. On Linux the peak is reset just before
the solve (``/proc/self/clear_refs``), so that building the territory, which
can peak higher, does not hide it.

Usage::

    python benchmarks/field.py [--sizes 100,300,1000] [--weeks 4] [--time-limit 60]
        [--methods routeopt,naive,cluster] [--seed 1]
        [--out benchmarks/results/field.csv]

Each case appends one row to the CSV, with a timestamp, the git commit, a hash
of the library's sources and one of ``field_baselines.py``, the 1-minute load
average before and after the case (the machine is shared; times are noisy
under load) and the machine. A Markdown table is printed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scaling import append_csv, git_commit, ints, machine, spawn_case, src_hash


def bench_hash() -> str:
    """A short hash of the baselines' code (``field_baselines.py``, not in git yet)."""
    import hashlib

    data = (Path(__file__).resolve().parent / "field_baselines.py").read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


ROOT = Path(__file__).resolve().parents[1]
START = "2026-11-30"  # a Monday
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "field.csv"
METHODS = ("routeopt", "naive", "cluster")
LETTERS = "ABCDEFGHI"

CSV_COLUMNS = (
    "timestamp", "git_commit", "src_hash", "bench_hash", "load_avg_1m", "load_avg_1m_after",
    "host", "cpu_count", "cpu_affinity", "cpu_model", "mem_total_gib", "python", "platform",
    "numpy", "pandas", "ortools",
    "method", "outlets", "reps", "weeks", "appointments", "seed", "time_limit", "status",
    "required", "scheduled", "coverage", "coverage_A", "coverage_B", "coverage_C",
    "required_A", "required_B", "required_C", "frequency_compliance", "unscheduled_reasons",
    "travel_h", "km", "travel_min_per_visit", "route_days", "visits_per_day",
    "build_s", "solve_s", "rss_before_mib", "rss_delta_mib", "rss_peak_mib", "rss_measure",
    "violations", "valid", "first_violation", "details", "error",
)


# -- the territories ------------------------------------------------------------------
def territory_problem(outlets: int, weeks: int, seed: int) -> Any:
    """The benchmark's seeded territory of ``outlets`` outlets as a ``weeks``-week problem.

    :func:`routeopt.datasets.make_territory` with its default of one rep per
    150 outlets and ``appointments=max(2, outlets // 100)``, planned from
    ``START`` (``benchmarks/balance.py`` plans the same territories).
    """
    import warnings

    from routeopt import CycleWarning
    from routeopt.datasets import make_territory
    from routeopt.read import read_problem

    table, reps = make_territory(outlets, seed=seed, appointments=max(2, outlets // 100))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CycleWarning)
        return read_problem(table, reps, start=START, weeks=weeks)


# -- one case, in its own process ---------------------------------------------------
def _maxrss_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB


def _status_mib(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> tuple[float, str]:
    """Start measuring peak memory: (resident MiB now, how the peak is measured).

    On Linux, writing 5 to ``/proc/self/clear_refs`` resets the peak resident
    set size (``VmHWM``) to the current one, so the peak after the solve is
    the solve's own, even when building the territory (pandas) peaked higher.
    Elsewhere the peak so far (``ru_maxrss``) is the baseline, and growth below
    it is not seen.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        now = _status_mib("VmRSS")
        if now is not None and _status_mib("VmHWM") == now:
            return now, "VmHWM reset"
    except OSError:
        pass
    return _maxrss_mib(), "ru_maxrss"


def _peak(how: str) -> float:
    if how == "VmHWM reset":
        v = _status_mib("VmHWM")
        if v is not None:
            return v
    return _maxrss_mib()


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """Build the territory and solve it with one method (run in a fresh process)."""
    import gc

    import field_baselines
    from ortools.constraint_solver import pywrapcp  # noqa: F401  (part of the baseline)

    from routeopt import SolveParams, solve

    t0 = time.perf_counter()
    problem = territory_problem(case["outlets"], case["weeks"], case["seed"])
    build_s = time.perf_counter() - t0
    limit = float(case["time_limit"])
    method = case["method"]
    gc.collect()
    rss0, how = _reset_peak()
    t1 = time.perf_counter()
    details: dict[str, Any] = {}
    if method == "routeopt":
        plan = solve(problem, SolveParams(time_limit=limit, max_iterations=10**9,
                                          max_no_improvement=10**9, seed=case["seed"]))
        st = plan.stats
        details = {k: st.get(k) for k in ("iterations", "improvements", "stop_reason",
                                          "construction_s", "search_s", "polish_s")}
    elif method == "naive":
        plan, details = field_baselines.naive_plan(problem, limit)
    elif method == "cluster":
        plan, details = field_baselines.cluster_plan(problem, limit, seed=case["seed"])
    else:
        raise ValueError(f"unknown method {method!r}")
    wall = time.perf_counter() - t1
    rss1 = _peak(how)
    res: dict[str, Any] = {
        "reps": len(problem.reps),
        "required": problem.required_visits,
        "build_s": round(build_s, 3),
        "solve_s": round(wall, 3),
        "rss_before_mib": round(rss0, 1),
        "rss_delta_mib": round(rss1 - rss0, 1),
        "rss_peak_mib": round(rss1, 1),
        "rss_measure": how,
        "details": json.dumps({k: (round(v, 3) if isinstance(v, float) else v)
                               for k, v in details.items() if k != "solve_s"}),
    }
    need: dict[int, int] = {}
    for o in problem.outlets:
        need[o.priority] = need.get(o.priority, 0) + problem.visits_of(o)
    for p, v in need.items():
        res[f"required_{LETTERS[p - 1]}"] = v
    if plan is None:
        res.update(status="no solution", scheduled=0, coverage=0.0)
        return res
    k = plan.kpis()
    reasons: dict[str, int] = {}
    for u in plan.unscheduled:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    violations = plan.violations()
    res.update({
        # OR-Tools may hand back an assignment with every visit dropped when its
        # time runs out before the first solution is complete: no plan either
        "status": "ok" if k["scheduled_visits"] else "empty",
        "scheduled": k["scheduled_visits"],
        "coverage": k["coverage"],
        "frequency_compliance": k["frequency_compliance"],
        "unscheduled_reasons": ";".join(f"{r}={n}" for r, n in sorted(reasons.items())),
        "travel_h": round(k["travel_s"] / 3600, 2),
        "km": round(k["distance_m"] / 1000, 1),
        "travel_min_per_visit": (round(k["travel_s"] / 60 / k["scheduled_visits"], 2)
                                 if k["scheduled_visits"] else None),
        "route_days": k["route_days"],
        "visits_per_day": k["visits_per_day"],
        "violations": len(violations),
        "valid": not violations,
        "first_violation": violations[0] if violations else "",
        "first_violations": violations[:5],
    })
    for p, cov in k["coverage_by_priority"].items():
        res[f"coverage_{LETTERS[int(p) - 1]}"] = cov
    return res


# -- output ----------------------------------------------------------------------
def _pct(v: Any) -> str:
    return "-" if v is None or v == "" else f"{100 * float(v):.1f} %"


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The cases as a Markdown table."""
    head = ("| outlets | reps | method | required | scheduled | coverage | A | B | C | "
            "travel h | km | travel min / visit | solve s | RSS Δ MiB | valid |")
    lines = [head, "|---:|---:|---|" + "---:|" * (head.count("|") - 4)]
    for r in rows:
        pre = f"| {r['outlets']} | {r.get('reps') or '-'} | {r['method']} |"
        if r.get("status") == "error":
            lines.append(pre + f" error: {r.get('error')} |" + " |" * 11)
            continue
        if r.get("status") == "no solution":
            lines.append(pre + f" {r['required']} | no solution | - | - | - | - | - | - | - | "
                         f"{r['solve_s']:.1f} | {r['rss_delta_mib']:.0f} | - |")
            continue
        if r.get("status") == "empty":
            lines.append(pre + f" {r['required']} | 0 | no solution (all dropped) | - | - | - | "
                         f"- | - | - | {r['solve_s']:.1f} | {r['rss_delta_mib']:.0f} | "
                         f"{'yes' if r['valid'] else 'NO'} |")
            continue
        per = r.get("travel_min_per_visit")
        lines.append(
            pre + f" {r['required']} | {r['scheduled']} | {_pct(r['coverage'])} | "
            f"{_pct(r.get('coverage_A'))} | {_pct(r.get('coverage_B'))} | "
            f"{_pct(r.get('coverage_C'))} | {r['travel_h']:.1f} | {r['km']:.0f} | "
            f"{'-' if per is None else format(per, '.1f')} | {r['solve_s']:.1f} | "
            f"{r['rss_delta_mib']:.0f} | "
            f"{'yes' if r['valid'] else 'NO (' + str(r['violations']) + ')'} |")
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------
def _methods(text: str) -> list[str]:
    out = [t.strip() for t in text.split(",") if t.strip()]
    bad = [m for m in out if m not in METHODS]
    if bad or not out:
        raise argparse.ArgumentTypeError(f"{text!r}: choose from {','.join(METHODS)}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=ints, default=[100, 300, 1000],
                    help="outlet counts, comma separated (default 100,300,1000)")
    ap.add_argument("--weeks", type=int, default=4, help="horizon in weeks (default 4)")
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="seconds per method and territory (default 60)")
    ap.add_argument("--methods", type=_methods, default=list(METHODS),
                    help="comma separated, of routeopt,naive,cluster (default all)")
    ap.add_argument("--seed", type=int, default=1, help="territory and solver seed (default 1)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV to append rows to")
    ap.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    args = ap.parse_args(argv)

    if args.case:
        print(json.dumps(run_case(json.loads(args.case)), default=str))
        return 0

    info = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": git_commit(), "src_hash": src_hash(), "bench_hash": bench_hash(),
            **machine()}
    print(f"# routeopt field benchmark, {info['timestamp']}, commit {info['git_commit']} "
          f"(src {info['src_hash']}, baselines {info['bench_hash']}), "
          f"{info['cpu_count']} CPU ({info['cpu_model']}), "
          f"Python {info['python']}, OR-Tools {info['ortools']}", flush=True)
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        for method in args.methods:
            case = {"outlets": size, "weeks": args.weeks, "seed": args.seed,
                    "appointments": max(2, size // 100), "time_limit": args.time_limit,
                    "method": method}
            stamp = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                     "git_commit": git_commit(), "src_hash": src_hash(),
                     "load_avg_1m": round(os.getloadavg()[0], 2)}
            t0 = time.perf_counter()
            res = spawn_case(Path(__file__), case, 5 * args.time_limit + 900,
                             status="error")
            stamp["load_avg_1m_after"] = round(os.getloadavg()[0], 2)
            row = {**info, **stamp, **case, **res}
            append_csv(args.out, row, CSV_COLUMNS)
            rows.append(row)
            if res.get("status") in ("ok", "empty"):
                status = (f"{100 * res['coverage']:.1f} % coverage, {res['travel_h']:.1f} h, "
                          f"{res['solve_s']:.1f} s, {'valid' if res['valid'] else 'INVALID'}")
            else:
                status = res.get("error") or res.get("status", "?")
            print(f"  {size} outlets, {method}: {status} "
                  f"[{time.perf_counter() - t0:.0f} s wall, load {stamp['load_avg_1m']}]",
                  flush=True)
            for v in res.get("first_violations") or []:
                print(f"    violation: {v}", flush=True)
    print()
    print(markdown(rows))
    print(f"\nrows appended to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
