"""Fingerprints of plans: a hash of every route's visits and times.

A refactoring of the solver that must not change its plans is checked by
running this before and after it: the same input, seed and iteration stop
must give the same fingerprint. The instances are the Monaco example (four
weeks from 2026-11-30, 300 iterations), the Cordeau PVRP instances p01 and
pr01 (300 iterations) and a generated field territory of 60 outlets (300
iterations), all with seed 0 and a time limit far above what they need.
Monaco and the field territory run twice: with the default parameters, and
with balanced days and steady times off (``-off``: the plans of the solver
before those terms, which must not change); the PVRP instances run with them
off, as ``pvrp.py`` does.

Run from the repository root::

    python benchmarks/fingerprint.py              # name, fingerprint, objective, times
    python benchmarks/fingerprint.py --check benchmarks/results/fingerprints.txt

``--check`` exits with 1 when a fingerprint differs from the file.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from pvrp import to_problem  # noqa: E402
from pvrp_format import parse_pvrp  # noqa: E402

from routeopt import Plan, Problem, SolveParams, solve  # noqa: E402
from routeopt.datasets import make_territory  # noqa: E402
from routeopt.read import read_problem  # noqa: E402

ITERATIONS = 300
OFF = {"balance_weight": 0.0, "steady_weight": 0.0}  # balanced days and steady times off


def fingerprint(plan: Plan) -> str:
    """A hash of every route (rep, date, departure, return, break, and each
    stop's outlet, label, arrival, start and end) and every unscheduled visit."""
    h = hashlib.sha256()
    for r in plan.routes:
        h.update(f"R {r.rep_id} {r.date} {r.depart} {r.back} {r.break_start} {r.break_end}\n"
                 .encode())
        for s in r.stops:
            h.update(f"  {s.outlet_id} {s.label} {s.arrival} {s.start} {s.end}\n".encode())
    for u in plan.unscheduled:
        h.update(f"U {u.outlet_id} {u.reason} {u.date}\n".encode())
    return h.hexdigest()[:16]


def monaco(**changes: float) -> Callable[[], tuple[Problem, SolveParams]]:
    def make() -> tuple[Problem, SolveParams]:
        data = ROOT / "examples" / "data" / "monaco"
        problem = read_problem(data / "outlets.csv", data / "reps.csv", start="2026-11-30",
                               weeks=4)
        return problem, SolveParams(max_iterations=ITERATIONS, time_limit=600, seed=0,
                                    **changes)
    return make


def pvrp(name: str) -> Callable[[], tuple[Problem, SolveParams]]:
    def make() -> tuple[Problem, SolveParams]:
        inst = parse_pvrp((ROOT / "tests" / "data" / "pvrp" / name).read_text(), name)
        return to_problem(inst), SolveParams(
            max_iterations=ITERATIONS, max_no_improvement=ITERATIONS, time_limit=600, seed=0,
            time_weight=0.0, distance_weight=1.0, **OFF)
    return make


def field(**changes: float) -> Callable[[], tuple[Problem, SolveParams]]:
    def make() -> tuple[Problem, SolveParams]:
        outlets, reps = make_territory(60, 2, seed=3)
        problem = read_problem(outlets, reps, start="2026-11-30", weeks=4)
        return problem, SolveParams(max_iterations=ITERATIONS, time_limit=600, seed=0,
                                    **changes)
    return make


CASES: dict[str, Callable[[], tuple[Problem, SolveParams]]] = {
    "monaco": monaco(),
    "monaco-off": monaco(**OFF),
    "p01": pvrp("p01"),
    "pr01": pvrp("pr01"),
    "field60": field(),
    "field60-off": field(**OFF),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="fingerprints of plans")
    ap.add_argument("--check", type=Path, help="a file of recorded fingerprints")
    ap.add_argument("cases", nargs="*", default=list(CASES))
    args = ap.parse_args(argv)
    want: dict[str, str] = {}
    if args.check is not None:
        for line in args.check.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                name, fp = line.split()[:2]
                want[name] = fp
    bad = 0
    for name in args.cases:
        problem, params = CASES[name]()
        t0, c0 = time.perf_counter(), time.process_time()
        plan = solve(problem, params)
        cpu = time.process_time() - c0
        plan.validate()
        fp = fingerprint(plan)
        mark = ""
        if name in want:
            mark = "same" if want[name] == fp else f"DIFFERS (was {want[name]})"
            bad += want[name] != fp
        print(f"{name} {fp} objective={plan.stats['objective']:.1f} "
              f"unscheduled={len(plan.unscheduled)} {time.perf_counter() - t0:.1f}s "
              f"cpu={cpu:.2f}s {mark}",
              flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
