"""Order suggestions: how long ``suggest_orders`` takes on a large made-up territory.

Builds a plan by hand (no solve): ``--outlets`` outlets visited 2/week on Mondays
and Thursdays over 4 weeks by one rep, each with ``--skus`` SKUs of ``--counts``
seeded counts every 3 days before the plan, then times
:func:`routeopt.orders.read_stock`'s table (``StockTable``) and
:func:`routeopt.orders.suggest_orders` (wall-clock and CPU time: on a busy machine
the CPU time is the figure to compare). A Markdown row is printed.

Usage::

    python benchmarks/orders.py [--outlets 2000] [--skus 5] [--counts 8] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from routeopt import Horizon, Outlet, Plan, Problem, Rep, Route, Stop, VisitRule
from routeopt.orders import StockCount, StockTable, suggest_orders

START = date(2026, 11, 30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--outlets", type=int, default=2000)
    ap.add_argument("--skus", type=int, default=5)
    ap.add_argument("--counts", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    outlets = [Outlet(f"P{i}", 43.7, 7.4, VisitRule(2)) for i in range(args.outlets)]
    problem = Problem(outlets, [Rep("R1", 43.7, 7.4)], Horizon(START, weeks=4))
    stops = tuple(Stop(o.id, 1, 1, 2, 0, 0) for o in outlets)
    routes = tuple(Route("R1", START + timedelta(days=7 * w + wd), 0, 80000, stops, 0, 0)
                   for w in range(4) for wd in (0, 3))
    plan = Plan(problem, routes, ())
    counts = [StockCount(o.id, f"sku{k}", START - timedelta(days=3 * j + 1),
                         rng.randint(0, 50), rng.randint(0, 20))
              for o in outlets for k in range(args.skus) for j in range(args.counts)]
    t = time.perf_counter()
    stock = StockTable(tuple(counts))
    table_s = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    lines = suggest_orders(plan, stock)
    suggest_s, suggest_cpu = time.perf_counter() - t, time.process_time() - cpu
    print("| outlets | SKUs | counts | lines | StockTable (s) | suggest_orders (s) | "
          "its CPU time (s) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.outlets} | {args.skus} | {len(counts)} | {len(lines)} | {table_s:.2f} "
          f"| {suggest_s:.2f} | {suggest_cpu:.2f} |")


if __name__ == "__main__":
    main()
