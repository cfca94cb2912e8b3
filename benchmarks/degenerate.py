"""Degenerate territories against the time limit: wall time and peak memory.

Each case writes an outlets and a reps table, then runs ``routeopt plan`` in a
fresh process, as a user would: reading the tables, solving, writing the plan
and checking it with :meth:`Plan.validate` (the command does; exit code 1 on
a violation). The figures are the command's wall time (from start to exit,
reading and checking included), the solve's own time (``solve_s``), how far
the solve ran past ``--time-limit``, the process's peak resident set size and
what became of every visit.

The cases (issue "Nothing lost, ever", item 4):

* ``same-point``: thousands of outlets at one point (``1/4weeks``, 5-minute
  visits), two reps with a lunch break and no visit limit, a 4-week cycle:
  every insertion ties, routes grow to a hundred visits.
* ``same-point-max14``: the same with the Monaco example's ``max_visits`` 14:
  most visits cannot be placed, and each needs its reason.
* ``huge-window``: outlets spread over a town, open around the clock, reps on
  a 16-hour shift without a visit limit: very long routes, no window that
  prunes a position.
* ``no-insertion``: outlets 300 km from the reps: no insertion is ever
  feasible, every visit is unscheduled (``unreachable``).

Usage::

    python benchmarks/degenerate.py [--cases same-point,...] [--outlets 5000]
        [--time-limit 5] [--out benchmarks/results/degenerate.csv]

A Markdown table is printed; one row per case is appended to the CSV, with a
timestamp, the git commit and the 1-minute load average before the case
(other processes slow everything down on a shared machine).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START = "2026-11-30"  # a Monday
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "degenerate.csv"
REP_COLUMNS = ("rep_id", "lat", "lon", "end_lat", "end_lon", "shift", "working_days", "break",
               "max_visits", "mode")
CSV_COLUMNS = (
    "timestamp", "git_commit", "load_avg_1m", "host", "cpu_count", "python", "case", "outlets",
    "weeks", "time_limit", "exit_code", "wall_s", "solve_s", "over_limit_s", "peak_rss_mib",
    "required", "scheduled", "unscheduled", "unscheduled_reasons", "iterations", "stop_reason",
    "error",
)


def _monaco_reps(max_visits: str = "", shift: str = "08:30-17:30",
                 lunch: str = "12:00-14:00/45") -> list[dict[str, str]]:
    """The Monaco example's two reps (Fontvieille, Beausoleil)."""
    rows = []
    for rid, lat, lon in (("R1", "43.729498", "7.414884"), ("R2", "43.743213", "7.425368")):
        rows.append({"rep_id": rid, "lat": lat, "lon": lon, "end_lat": lat, "end_lon": lon,
                     "shift": shift, "working_days": "Mo-Fr", "break": lunch,
                     "max_visits": max_visits, "mode": "drive"})
    return rows


def _same_point(n: int) -> list[dict[str, str]]:
    return [{"outlet_id": f"S{i}", "lat": "43.73", "lon": "7.417", "frequency": "1/4weeks",
             "service_min": "5"} for i in range(n)]


def _spread(n: int, *, lat0: float, hours: str) -> list[dict[str, str]]:
    import random

    rng = random.Random(n)
    return [{"outlet_id": f"T{i}", "lat": f"{lat0 + 0.03 * rng.random():.6f}",
             "lon": f"{7.40 + 0.04 * rng.random():.6f}", "frequency": "1/4weeks",
             "service_min": "10", "opening_hours": hours} for i in range(n)]


CASES: dict[str, Callable[[int], tuple[list[dict[str, str]], list[dict[str, str]]]]] = {
    "same-point": lambda n: (_same_point(n), _monaco_reps()),
    "same-point-max14": lambda n: (_same_point(n), _monaco_reps(max_visits="14")),
    "huge-window": lambda n: (_spread(n, lat0=43.72, hours="Mo-Su 00:00-24:00"),
                              _monaco_reps(shift="06:00-22:00")),
    "no-insertion": lambda n: (_spread(n, lat0=46.4, hours="Mo-Fr 08:00-18:00"),
                               _monaco_reps()),
}


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def _git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head + ("-dirty" if dirty else "")


def run_case(case: str, n: int, weeks: int, time_limit: float) -> dict[str, Any]:
    """Write the tables of ``case``, plan them in a fresh process, read back the figures."""
    outlets, reps = CASES[case](n)
    with tempfile.TemporaryDirectory(prefix=f"degenerate-{case}-") as tmp:
        d = Path(tmp)
        _write(d / "outlets.csv", outlets)
        _write(d / "reps.csv", reps)
        cmd = [sys.executable, "-m", "routeopt", "plan", "--outlets", str(d / "outlets.csv"),
               "--reps", str(d / "reps.csv"), "--start", START, "--weeks", str(weeks),
               "--time-limit", str(time_limit), "--out", str(d / "plan")]
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        t0 = time.perf_counter()
        with (d / "stdout").open("w") as out, (d / "stderr").open("w") as err:
            proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
            # wait4: this child's own peak resident set (KiB on Linux)
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        row: dict[str, Any] = {"case": case, "outlets": n, "weeks": weeks,
                               "time_limit": time_limit, "exit_code": code,
                               "wall_s": round(wall, 2),
                               "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
                               "error": "" if code == 0 else
                               (d / "stderr").read_text(encoding="utf-8").strip()[-300:]}
        summary_path = d / "plan" / "summary.json"
        if summary_path.is_file():
            s = json.loads(summary_path.read_text(encoding="utf-8"))
            reasons: dict[str, int] = {}
            with (d / "plan" / "unscheduled.csv").open(encoding="utf-8") as f:
                for u in csv.DictReader(f):
                    reasons[u["reason"]] = reasons.get(u["reason"], 0) + 1
            row.update({
                "solve_s": s.get("solve_s"),
                "over_limit_s": round(float(s.get("solve_s", 0.0)) - time_limit, 2),
                "required": s.get("required_visits"), "scheduled": s.get("scheduled_visits"),
                "unscheduled": s.get("unscheduled_visits"),
                "unscheduled_reasons": ";".join(f"{k}={v}" for k, v in sorted(reasons.items())),
                "iterations": s.get("iterations"), "stop_reason": s.get("stop_reason"),
            })
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated; default all")
    ap.add_argument("--outlets", type=int, default=5000)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {unknown}; known: {sorted(CASES)}")
    meta = {"git_commit": _git_commit(), "host": platform.node(), "cpu_count": os.cpu_count(),
            "python": platform.python_version()}
    rows = []
    new_file = not args.out.exists()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS, restval="")
        if new_file:
            w.writeheader()
        for case in cases:
            load = os.getloadavg()[0]
            row = run_case(case, args.outlets, args.weeks, args.time_limit)
            row.update(meta, timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
                       load_avg_1m=round(load, 2))
            w.writerow(row)
            f.flush()
            rows.append(row)
            print(f"{case}: {row['wall_s']} s wall, exit {row['exit_code']}", file=sys.stderr)
    cols = ("case", "outlets", "time_limit", "wall_s", "solve_s", "over_limit_s",
            "peak_rss_mib", "exit_code", "scheduled", "unscheduled", "unscheduled_reasons",
            "iterations", "load_avg_1m")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    return 0 if all(r["exit_code"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
