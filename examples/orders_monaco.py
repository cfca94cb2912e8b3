"""Order suggestions for the Monaco plan, from four weeks of stock counts.

Run from the repository root::

    python examples/orders_monaco.py [--iterations 3000] [--weeks 4] [--out out/monaco-orders]

It plans the bundled outlets as ``plan_monaco.py`` does, reads
``examples/data/monaco/stock.csv`` (made by ``examples/data/make_monaco_stock.py``),
prints the suggestions of the first route as a rep would see them on the route
sheet, and writes ``orders.csv`` for every visit.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from routeopt import SolveParams, solve
from routeopt.orders import by_visit, read_stock, suggest_orders, write_orders
from routeopt.read import read_problem

DATA = Path(__file__).parent / "data" / "monaco"


def _n(x: float | int | None, fmt: str = "g") -> str:
    return "-" if x is None else format(x, fmt)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--out", type=Path, default=Path("out/monaco-orders"))
    args = ap.parse_args(argv)

    problem = read_problem(DATA / "outlets.csv", DATA / "reps.csv", start="2026-11-30",
                           weeks=args.weeks)
    plan = solve(problem, SolveParams(max_iterations=args.iterations, time_limit=120))
    stock = read_stock(DATA / "stock.csv", outlets=problem)
    lines = suggest_orders(plan, stock)
    visits = by_visit(lines)

    first = plan.routes[0]
    print(f"Orders: rep {first.rep_id}, {first.date:%A %d %B %Y}")
    print(f"  {'outlet':8} {'sku':20} {'last count':>16} {'expected':>8} {'classic':>7} "
          f"{'plan':>5} {'next':>10}   count  agreed")
    for stop in first.stops:
        for ln in visits.get((first.rep_id, first.date, stop.outlet_id), []):
            last = (f"{ln.last_stock} on {ln.last_count_date:%d %b}"
                    if ln.last_count_date is not None else "-")
            nxt = f"{ln.next_visit:%d %b}" if ln.next_visit is not None else "-"
            print(f"  {ln.outlet_id:8} {ln.sku or '(no counts yet)':20} {last:>16} "
                  f"{_n(ln.expected_stock, '.1f'):>8} {_n(ln.classic_order):>7} "
                  f"{_n(ln.plan_order):>5} {nxt:>10}   _____  _____")
    flags = Counter(f for ln in lines for f in ln.flags)
    suggested = sum(ln.plan_order is not None for ln in lines)
    print(f"\n{len(lines)} lines over {plan.scheduled_visits} visits: {suggested} with a "
          f"plan-aware order; " + ", ".join(f"{k} {v}" for k, v in sorted(flags.items())))
    (path,) = write_orders(plan, stock, args.out)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
