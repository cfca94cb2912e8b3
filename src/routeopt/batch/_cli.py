"""``routeopt batch``: the command-line side of :mod:`routeopt.batch`.

Exit codes: 0 every territory planned (or already done), 3 the batch ran but
some territories failed (listed, and in ``batch-summary.json``), 2 bad
batch-level input (the territories folder, ``batch.toml``, the options, an
unreachable scheduler).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from routeopt.exceptions import InputError, Issue

EXIT_SOME_FAILED = 3


def add_parser(sub: Any) -> None:
    """Add the ``batch`` sub-command to the ``routeopt`` parser's sub-parsers."""
    p = sub.add_parser("batch", help="plan many territories: one folder each, in parallel",
                       description="Plan every territory folder under --territories (outlets.csv, "
                       "reps.csv, optional territory.toml; batch-wide defaults in batch.toml) "
                       "into --out/<territory>/. Territories already done are skipped.",
                       epilog="Exit codes: 0 every territory planned (now or before), 3 some "
                       "territories failed (listed; see OUT/batch-summary.json), 2 bad batch "
                       "input. See docs/batch.md.")
    p.add_argument("--territories", required=True, type=Path, metavar="DIR",
                   help="folder with one folder per territory")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local worker processes (default: the CPU count)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs routeopt[dask])")
    p.add_argument("--start", default=None, help="first date planned, YYYY-MM-DD (a default "
                   "that territory.toml may change)")
    p.add_argument("--weeks", type=int, default=None, help="weeks in the cycle (a default)")
    p.add_argument("--time-limit", type=float, default=None, metavar="S",
                   help="search seconds per territory (a default)")
    p.add_argument("--iterations", type=int, default=None, metavar="N",
                   help="search iterations per territory (a default; the deterministic stop)")
    p.add_argument("--retries", type=int, default=1, metavar="N",
                   help="runs alone for a territory whose worker died (default 1)")
    p.add_argument("--redo", action="store_true", help="plan territories already done again")


def run(args: argparse.Namespace) -> int:
    """Run ``routeopt batch``; print the summary; return the exit code."""
    from routeopt.batch import batch_defaults, run_batch

    if args.workers is not None and args.scheduler is not None:
        raise InputError([Issue("give --workers (local processes) or --scheduler (a Dask "
                                "cluster), not both")])
    changes: dict[str, Any] = {k: v for k, v in (("start", args.start), ("weeks", args.weeks))
                               if v is not None}
    solve = {k: v for k, v in (("time_limit", args.time_limit),
                               ("max_iterations", args.iterations)) if v is not None}
    if solve:
        changes["solve"] = solve
    defaults = batch_defaults(args.territories).updated(changes, file="command line")
    summary = run_batch(args.territories, args.out, workers=args.workers,
                        scheduler=args.scheduler, defaults=defaults, redo=args.redo,
                        retries=args.retries)
    print(summary.text())
    return 0 if summary.ok else EXIT_SOME_FAILED
