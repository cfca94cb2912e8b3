"""Plan four weeks of visits for two reps over 141 real outlets of Monaco, on its calendar.

Run from the repository root::

    python examples/plan_monaco.py [--iterations 3000] [--out out/monaco-example]
        [--sheets out/monaco-sheets [--lang zh] [--pdf]]

It reads the bundled CSVs, solves, checks the plan independently, prints the
summary and the first route sheet, and writes the plan's files; with
``--sheets``, the route sheets of every rep and day too (HTML, and PDF with
``--pdf``: ``pip install "routeopt[reports]"``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from routeopt import SolveParams, solve
from routeopt.hours import format_time
from routeopt.read import read_problem

DATA = Path(__file__).parent / "data" / "monaco"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--out", type=Path, default=Path("out/monaco-example"))
    ap.add_argument("--sheets", type=Path, default=None,
                    help="write the route sheets into this folder")
    ap.add_argument("--lang", default="en", help="the sheets' language: en or zh")
    ap.add_argument("--pdf", action="store_true", help="the sheets as PDF too")
    args = ap.parse_args(argv)

    # Monaco's public holidays (8 December, 25 December) are not planned
    problem = read_problem(DATA / "outlets.csv", DATA / "reps.csv", start="2026-11-30",
                           weeks=args.weeks, country="MC")
    plan = solve(problem, SolveParams(max_iterations=args.iterations, time_limit=120))
    plan.validate()
    print(plan.summary())

    first = plan.routes[0]
    print(f"\nRoute sheet: rep {first.rep_id}, {first.date:%A %d %B %Y}")
    print(f"  {format_time(first.depart)}  leave")
    for k, stop in enumerate(first.stops, start=1):
        print(f"  {format_time(stop.start)}  {k:2d}. {stop.outlet_id}  "
              f"({stop.travel_s // 60} min drive)")
    if first.break_start is not None:
        print(f"  {format_time(first.break_start)}  lunch break")
    print(f"  {format_time(first.back)}  back")

    files = plan.write(args.out)
    print(f"\nwrote {', '.join(str(p) for p in files.values())}")
    if args.sheets is not None:
        from routeopt.export.sheets import write_route_sheets

        sheets = write_route_sheets(plan, args.sheets, lang=args.lang, pdf=args.pdf)
        print(f"wrote {len(sheets)} route sheet files, index: {sheets[0]}")


if __name__ == "__main__":
    main()
