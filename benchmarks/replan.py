"""Nightly re-planning: how much an undisturbed and a disturbed re-plan change.

Plans a 4-week cycle (the bundled Monaco example, or a seeded
:func:`routeopt.datasets.make_territory`), then re-plans it on ``--today``:

* ``undisturbed, no log`` and ``undisturbed, all done``: an empty log, and a
  log saying every visit up to today was done. Both must change nothing.
* ``disturbed``: a log, made from the plan, where three of today's visits
  were missed (the first key account among them, and the two next visits)
  and two outlets asked for a follow-up (an objection: 1 working day; an
  order: 3 working days).

The logs and every plan are written under ``--out`` (``log_disturbed.csv``,
``prev/``, ``disturbed/``...) so that the same runs can be repeated with
``routeopt replan``. A Markdown table is printed.

Usage::

    python benchmarks/replan.py [--outlets N] [--today 2026-12-01] [--iterations 300]
        [--seed 0] [--out out/replan-bench]
"""

from __future__ import annotations

import argparse
import csv
import time
import warnings
from datetime import date
from pathlib import Path

from routeopt import Plan, SolveParams, solve
from routeopt.read import read_problem
from routeopt.replan import LogEntry, replan

ROOT = Path(__file__).resolve().parents[1]
START = date(2026, 11, 30)


def disturbed_log(plan: Plan, today: date) -> list[dict[str, str]]:
    """Three of today's visits missed (a key account first), two follow-ups."""
    priority = {o.id: o.priority for o in plan.problem.outlets}
    stops = [(r.rep_id, s.outlet_id) for r in plan.routes if r.date == today for s in r.stops]
    key = [x for x in stops if priority[x[1]] == 1][:1]
    missed = key + [x for x in stops if x not in key][:2]
    rest = [x for x in stops if x not in missed]
    rows = [{"outlet_id": o, "rep_id": r, "date": today.isoformat(), "status": "missed",
             "kind": "", "reason": ""} for r, o in missed]
    rows += [{"outlet_id": o, "rep_id": r, "date": today.isoformat(), "status": "",
              "kind": "follow_up", "reason": why} for (r, o), why in zip(
                  rest[:2], ("objection", "order"), strict=False)]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--outlets", type=int, default=0,
                    help="a make_territory size (default: the Monaco example)")
    ap.add_argument("--today", default="2026-12-01")
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "replan-bench")
    a = ap.parse_args()
    out: Path = a.out
    out.mkdir(parents=True, exist_ok=True)
    today = date.fromisoformat(a.today)
    if a.outlets:
        from routeopt.datasets import make_territory

        outlets, reps = make_territory(a.outlets, seed=a.seed)
        outlets.to_csv(out / "outlets.csv", index=False)
        reps.to_csv(out / "reps.csv", index=False)
        o_csv, r_csv = out / "outlets.csv", out / "reps.csv"
    else:
        data = ROOT / "examples" / "data" / "monaco"
        o_csv, r_csv = data / "outlets.csv", data / "reps.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problem = read_problem(o_csv, r_csv, start=START, weeks=4)
    params = SolveParams(max_iterations=a.iterations, seed=a.seed)
    t0 = time.perf_counter()
    first = solve(problem, params).validate()
    first_s = time.perf_counter() - t0
    first.write(out / "prev")
    done = [LogEntry(s.outlet_id, r.rep_id, r.date, "done")
            for r, s in first.visits() if r.date <= today]
    rows = disturbed_log(first, today)
    with (out / "log_disturbed.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"{len(problem.outlets)} outlets, {len(problem.reps)} reps, 4 weeks from {START}; "
          f"first plan {first_s:.1f} s, coverage {first.kpis()['coverage']:.3f}; "
          f"re-plans on {today}, {a.iterations} iterations, seed {a.seed}\n")
    print("| case | moved | added | dropped | retimed | weekday changed | unchanged "
          "| coverage | travel h | solve s | valid |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    cases: list[tuple[str, object]] = [("undisturbed, no log", None),
                                       ("undisturbed, all done", done),
                                       ("disturbed", out / "log_disturbed.csv")]
    for name, log in cases:
        result = replan(problem, first, log, today=today, params=params)  # type: ignore[arg-type]
        result.write(out / name.replace(", ", "_").replace(" ", "_"))
        c, k = result.changes.as_dict(), result.plan.kpis()
        print(f"| {name} | {c['moved']} | {c['added']} | {c['dropped']} | {c['retimed']} | "
              f"{c['outlets_weekday_changed']} | {c['unchanged']} | {k['coverage']:.3f} | "
              f"{k['travel_s'] / 3600:.2f} | {result.plan.stats['solve_s']:.2f} | "
              f"{not result.plan.violations()} |")


if __name__ == "__main__":
    main()
