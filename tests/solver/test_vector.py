"""The numpy pricer must answer exactly what the Timer and the Python pricing answer."""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from routeopt import Break, Horizon, OpeningHours, Outlet, Problem, Rep, SolveParams, VisitRule
from routeopt.solver._model import compile_problem
from routeopt.solver._search import Search

MONDAY = date(2026, 11, 30)
ONE_WINDOW = ["24/7", "Mo-Fr 09:00-11:00", "Mo-Fr 13:00-17:00", "Mo,We,Fr 08:00-18:00",
              "Tu-Th 10:00-16:00"]
MANY_WINDOWS = ["Mo-Fr 08:30-12:30,14:00-19:00", "Mo-Fr 08:00-10:00,11:00-12:00,15:00-16:30"]


def _problem(seed: int, multi: bool, capacity: bool, max_visits: bool,
             fixed: bool, max_drive: bool = False) -> Problem:
    rng = random.Random(seed)
    hours = ONE_WINDOW + (MANY_WINDOWS if multi else [])
    outlets = [
        Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
               dataclasses.replace(VisitRule.parse(rng.choice(["1/week", "2/week", "1/2weeks"])),
                                   same_rep=fixed),
               service=rng.choice([300, 900, 1800]), demand=rng.randint(1, 5),
               hours=OpeningHours.parse(rng.choice(hours)))
        for i in range(24)
    ]
    reps = [Rep(f"R{k}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
                capacity=12 if capacity else None, max_visits=4 if max_visits else None,
                max_drive=1500 if max_drive else None)
            for k in range(3)]
    return Problem(outlets, reps, Horizon(MONDAY, weeks=2))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), multi=st.booleans(), capacity=st.booleans(),
       max_visits=st.booleans(), fixed=st.booleans(), soft=st.booleans(),
       max_drive=st.booleans())
def test_vector_pricing_matches_python(seed: int, multi: bool, capacity: bool,
                                       max_visits: bool, fixed: bool, soft: bool,
                                       max_drive: bool) -> None:
    # balanced days off: the vector pricer prices no objective term (with one on, it
    # only gives the cheapest position per slot, checked below, and the per-slot loop
    # adds the term's price)
    inst = compile_problem(_problem(seed, multi, capacity, max_visits, fixed, max_drive),
                           SolveParams(seed=seed, balance_weight=0.0))
    search = Search(inst)
    vec = search.vector
    assert vec.enabled  # one mode, no lunch break
    vec.enabled = False  # build a plan with the Timer alone
    state = search.construct()
    rng = random.Random(seed)
    out = rng.sample([i for i in range(inst.n) if state.choice[i] is not None],
                     k=min(8, sum(c is not None for c in state.choice)))
    touched: set[int] = set()
    for i in out:
        touched.update(search.remove(state, i))
    search.settle(state, touched)
    if soft:  # the soft terms (capacity) at a finite penalty
        search.penalties.term = [3.5 if t.soft else math.inf for t in search.terms]
    answered = 0
    for i in range(inst.n):
        best, g = vec.best_positions(state.routes, list(state.scheds), state.version, state.use, i)
        for s in range(len(inst.slots)):
            if not vec.last_use[s] or i in state.routes[s]:
                continue
            want = search._slot_insert_now(state, i, s)
            got = None if best[s] >= 1 << 62 else (int(best[s]), int(g[s]))
            assert got == want, (i, s, state.routes[s])
            answered += 1
    assert answered > 0
    # and the whole price, the loop over the options reading the vector's answers
    with_vec = Search(inst)
    with_vec.timer.kernel = None
    without = Search(inst)
    without.timer.kernel = None
    without.vector.enabled = False
    for s in (with_vec, without):
        s.penalties.term = list(search.penalties.term)
    for i in range(inst.n):
        if state.choice[i] is None:
            assert with_vec.price(state, i) == without.price(state, i), i


def test_lunch_break_leaves_pricing_to_the_timer() -> None:
    rep = Rep("R", 43.72, 7.42, lunch=Break.parse("12:00-14:00/45"))
    outlet = Outlet("P", 43.73, 7.41, VisitRule.parse("1/week"))
    inst = compile_problem(Problem([outlet], [rep], Horizon(MONDAY)), SolveParams())
    assert not Search(inst).vector.enabled


def test_boundaries_match_the_timer() -> None:
    """Arriving exactly at the last start time fits; an outlet no route can
    reach in time gets no option at all, as in the Python pricing."""
    import numpy as np

    from routeopt import TimeWindow, TravelMatrix

    outlets = [
        # start window 08:00-08:30, reached at 08:30 sharp from the rep's start
        Outlet("edge", 43.7, 7.4, VisitRule.parse("1/week"), service=1800,
               hours=OpeningHours.parse("Mo-Fr 08:00-09:00")),
        # start window 08:00-08:05, reached at 08:30 at best: never on time
        Outlet("late", 43.7, 7.4, VisitRule.parse("1/week"), service=900,
               hours=OpeningHours.parse("Mo-Fr 08:00-08:20")),
        Outlet("other", 43.7, 7.4, VisitRule.parse("1/week"), service=600),
    ]
    n = len(outlets) + 2  # outlets, then the rep's start and end
    dur = np.full((n, n), 1800, dtype=np.int64)
    np.fill_diagonal(dur, 0)
    rep = Rep("R", 43.7, 7.4, shift=TimeWindow.parse("08:00-17:00"))
    matrix = TravelMatrix(dur, dur)
    problem = Problem(outlets, [rep], Horizon(MONDAY), matrix={"drive": matrix})
    inst = compile_problem(problem, SolveParams())
    search = Search(inst)
    vec = search.vector
    state = search.empty()
    for i in range(inst.n):
        best, g = vec.best_positions(state.routes, list(state.scheds), state.version, state.use, i)
        for s in range(len(inst.slots)):
            want = search._slot_insert_now(state, i, s)
            got = None if best[s] >= 1 << 62 else (int(best[s]), int(g[s]))
            assert got == want
    assert search.price(state, 0) is not None  # vector path, "edge" fits
    assert search.price(state, 1) is None  # "late" fits nowhere
    vec.enabled = False
    assert search.price(state, 0) is not None
    assert search.price(state, 1) is None
