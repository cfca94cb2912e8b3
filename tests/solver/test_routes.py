"""The incremental insertion check must agree with timing the whole route."""

from __future__ import annotations

import dataclasses
import random
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from routeopt import Break, Horizon, OpeningHours, Outlet, Problem, Rep, SolveParams, VisitRule
from routeopt.solver._model import compile_problem
from routeopt.solver._routes import Timer

MONDAY = date(2026, 11, 30)
HOURS = ["24/7", "Mo-Fr 08:30-12:30,14:00-19:00", "Mo-Fr 09:00-11:00", "Mo-Fr 13:00-17:00",
         "Mo-Fr 08:00-10:00,11:00-12:00,15:00-16:30"]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), lunch=st.booleans(), end=st.sampled_from([13, 15, 18]))
def test_can_insert_matches_full_schedule(seed: int, lunch: bool, end: int) -> None:
    rng = random.Random(seed)
    outlets = [
        Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
               VisitRule.parse("1/week"), service=rng.choice([300, 900, 1800]),
               hours=OpeningHours.parse(rng.choice(HOURS)))
        for i in range(14)
    ]
    rep = Rep("R", 43.72, 7.42, shift=OpeningHours.parse(f"Mo 08:00-{end}:00").weekly[0][0],
              lunch=Break.parse("12:00-14:00/45") if lunch and end > 14 else None)
    problem = Problem(outlets, [rep], Horizon(MONDAY))
    inst = compile_problem(problem, SolveParams())
    timer = Timer(inst)
    slot = inst.slots[0]
    # grow a feasible route at random positions
    seq: list[int] = []
    for i in rng.sample(range(len(outlets)), len(outlets)):
        trial = list(seq)
        trial.insert(rng.randint(0, len(seq)), i)
        if slot.day in inst.windows[i] and timer.schedule(slot, trial) is not None:
            seq = trial
    sched = timer.schedule(slot, seq)
    assert sched is not None
    checked = 0
    for node in range(len(outlets)):
        if node in seq or slot.day not in inst.windows[node]:
            continue
        for g in range(len(seq) + 1):
            trial = [*seq[:g], node, *seq[g:]]
            expected = timer.schedule(slot, trial) is not None
            assert timer.can_insert(slot, seq, sched, node, g) == expected, (seq, node, g)
            checked += 1
        best = timer.best_insertion(slot, seq, sched, node)
        if best is not None:
            delta, g = best
            trial = [*seq[:g], node, *seq[g:]]
            assert timer.schedule(slot, trial) is not None
            assert delta == timer.route_cost(slot, trial) - timer.route_cost(slot, seq)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), end=st.sampled_from([11, 13, 18]))
def test_plain_schedule_matches_the_general_one(seed: int, end: int) -> None:
    """Without a break, the short path times every route exactly as the simulation does."""
    rng = random.Random(seed)
    outlets = [
        Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
               VisitRule.parse("1/week"), service=rng.choice([300, 900, 1800]),
               hours=OpeningHours.parse(rng.choice(HOURS)))
        for i in range(10)
    ]
    rep = Rep("R", 43.72, 7.42, shift=OpeningHours.parse(f"Mo 08:00-{end}:00").weekly[0][0])
    inst = compile_problem(Problem(outlets, [rep], Horizon(MONDAY)), SolveParams())
    timer = Timer(inst)
    slot = inst.slots[0]
    open_ = [i for i in range(len(outlets)) if slot.day in inst.windows[i]]
    for _ in range(20):
        seq = rng.sample(open_, rng.randint(1, min(4, len(open_)))) if open_ else []
        if not seq:
            continue
        fast = timer._schedule_plain(slot, seq)
        if fast is not None:  # the plain path also sums the waiting after each gap
            idle = [s - a for s, a in zip(fast.start, fast.arrival, strict=True)]
            assert fast.wait_after == tuple(sum(idle[g:]) for g in range(len(seq) + 1))
            fast = dataclasses.replace(fast, wait_after=())
        assert fast == timer._schedule_general(slot, seq), seq
    assert timer.schedule(slot, []) == timer._schedule_general(slot, [])
