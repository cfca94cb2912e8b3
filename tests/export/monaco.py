"""The Monaco example planned once per test process, for the tests of the outputs."""

from __future__ import annotations

import functools
import warnings
from datetime import date
from pathlib import Path

from routeopt import CycleWarning, Plan, SolveParams, solve
from routeopt.read import read_problem

MONACO = Path(__file__).resolve().parents[2] / "examples" / "data" / "monaco"
MONDAY = date(2026, 11, 30)


@functools.cache
def monaco_week() -> Plan:
    """The Monaco example, one week from Monday 2026-11-30 (its 1/2weeks and 1/4weeks
    outlets once), 20 iterations: a few seconds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CycleWarning)
        problem = read_problem(MONACO / "outlets.csv", MONACO / "reps.csv",
                               start=MONDAY.isoformat(), weeks=1)
    return solve(problem, SolveParams(max_iterations=20, seed=1))
