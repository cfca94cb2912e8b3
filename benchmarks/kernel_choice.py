"""Why the route timing's kernel is in C: one best insertion, timed per call three ways.

On a seeded territory (:func:`routeopt.datasets.make_territory`, the reps'
lunch breaks included) the script fills one route with the reference timer,
then prices every other outlet into it with

* ``python``: :meth:`Timer.best_insertion` on the reference Python path;
* ``numpy``: the cost changes of all positions vectorised with numpy (one
  gather and a stable sort), then the reference Python checks, position by
  position, as :mod:`routeopt.solver._vector` would have to do on routes with
  a lunch break ahead;
* ``c``: :meth:`Timer.best_insertion` on the native kernel.

All three must give the same answer; the script checks it and prints the
microseconds per call (median of ``--repeats``).

Usage::

    python benchmarks/kernel_choice.py [--outlets 300] [--reps 2] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from typing import Any

import numpy as np

from routeopt import CycleWarning, SolveParams
from routeopt.datasets import make_territory
from routeopt.read import read_problem
from routeopt.solver._model import compile_problem
from routeopt.solver._routes import Timer


def numpy_best(timer: Timer, cost: Any, slot: Any, seq: list[int], sched: Any,
               node: int) -> tuple[int, int] | None:
    """Vectorised cost changes, then the reference checks in order."""
    if timer.windows[node].get(slot.wkey) is None:
        return None
    p = np.array([slot.start_node, *seq])
    q = np.array([*seq, slot.end_node])
    delta = cost[p, node] + cost[node, q] - cost[p, q]
    for g in np.argsort(delta, kind="stable").tolist():
        if timer.can_insert_reference(slot, seq, sched, node, g):
            return int(delta[g]), g
    return None


def main(argv: list[str] | None = None) -> int:
    """Time the three ways and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--outlets", type=int, default=300)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    outlets, reps = make_territory(args.outlets, args.reps, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CycleWarning)
        problem = read_problem(outlets, reps, start="2026-11-30", weeks=4)
    inst = compile_problem(problem, SolveParams())
    new, ref = Timer(inst), Timer(inst)
    ref.kernel = None
    if new.kernel is None:
        print("the native kernel is not built")
        return 1
    slot = inst.slots[0]
    cost = np.asarray(inst.cost[slot.mode])
    seq: list[int] = []
    for i in range(inst.n):
        sched = ref.schedule(slot, seq)
        assert sched is not None
        got = ref.best_insertion(slot, seq, sched, i)
        if got is not None and len(seq) < 12:
            seq.insert(got[1], i)
    sched = ref.schedule(slot, seq)
    assert sched is not None
    nodes = [i for i in range(inst.n) if i not in seq]
    ways = {
        "python": lambda i: ref.best_insertion(slot, seq, sched, i),
        "numpy": lambda i: numpy_best(ref, cost, slot, seq, sched, i),
        "c": lambda i: new.best_insertion(slot, seq, sched, i),
    }
    answers = {name: [f(i) for i in nodes] for name, f in ways.items()}
    assert answers["numpy"] == answers["python"] == answers["c"], "the ways disagree"
    us = {}
    for name, f in ways.items():
        runs = []
        for _ in range(args.repeats):
            t0 = time.process_time()
            for i in nodes:
                f(i)
            runs.append(1e6 * (time.process_time() - t0) / len(nodes))
        us[name] = statistics.median(runs)
    print(f"# one route of {len(seq)} visits (lunch break: {slot.break_open >= 0}), "
          f"{len(nodes)} outlets priced into it, same answers: True")
    print("| way | µs CPU per best insertion | vs python |")
    print("|---|---:|---:|")
    for name, v in us.items():
        print(f"| {name} | {v:.1f} | {us['python'] / v:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
