"""The native pricing of an outlet's options answers what the Python loop answers.

``Search.price2`` hands its loop over an outlet's options to the native kernel
(``price_options``, each slot priced as ``pick_slots`` prices it) where only the
hard and soft node terms, the timing (overtime included) and the day balance
price a slot. These tests put
random plans of generated territories to a search with the kernel and to one
with the reference Python path and ask both for every removed outlet's price:
the same best option, positions, cost (bit for bit) and runner-up, and the same
draws of the random generator for the noise.
"""

from __future__ import annotations

import math
import random
import warnings
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routeopt import (
    CycleWarning,
    Horizon,
    OpeningHours,
    Outlet,
    Problem,
    Rep,
    SolveParams,
    TimeWindow,
    VisitRule,
)
from routeopt.datasets import make_territory
from routeopt.read import read_problem
from routeopt.solver import _native
from routeopt.solver._model import compile_problem
from routeopt.solver._search import Search

pytestmark = pytest.mark.skipif(_native.kernel is None, reason="the native kernel is not built")


def _searches(seed: int, outlets: int, reps: int, weeks: int) -> tuple[Search, Search]:
    o, r = make_territory(outlets, reps, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CycleWarning)
        problem = read_problem(o, r, start="2026-11-30", weeks=weeks)
    inst = compile_problem(problem, SolveParams().replace(seed=seed))
    new, ref = Search(inst), Search(inst)
    ref.timer.kernel = None  # the reference Python path
    return new, ref


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), outlets=st.integers(8, 60), reps=st.integers(1, 4),
       weeks=st.sampled_from([1, 2, 4]), share=st.floats(0.05, 0.6),
       noise=st.sampled_from([0.0, 0.1]), overtime=st.booleans())
def test_native_price_matches_the_reference(seed: int, outlets: int, reps: int, weeks: int,
                                            share: float, noise: float,
                                            overtime: bool) -> None:
    new, ref = _searches(seed, outlets, reps, weeks)
    cur = ref.construct()
    for s in (new, ref):
        s.refresh_targets(cur)
        if overtime:
            s.penalties.set_overtime(10, 0.05)
    rng = random.Random(seed)
    placed = [i for i in range(ref.inst.n) if cur.choice[i] is not None]
    out = rng.sample(placed, max(1, int(share * len(placed)))) if placed else []
    touched: set[int] = set()
    for i in out:
        touched.update(ref.remove(cur, i))
    ref.settle(cur, touched)
    if rng.random() < 0.5:  # targets off the plan: some routes above, some below
        for s in (new, ref):
            s.refresh_targets(cur)
    assert new._native_args(cur, 0, True) is not None  # the native path is taken
    for i in range(ref.inst.n):
        if cur.choice[i] is not None or not ref.inst.options[i]:
            continue
        for second in (False, True):
            new.rng.seed(i)
            ref.rng.seed(i)
            got = new.price2(cur, i, noise, second=second)
            want = ref.price2(cur, i, noise, second=second)
            assert got == want, (i, second)
            assert new.rng.getstate() == ref.rng.getstate()  # the same noise draws
        # and per group, the native picks (pick_slots) against the Python loop
        pick_new = new._picker(cur, i, i, 0.0, None, True)
        pick_ref = ref._picker(cur, i, i, 0.0, None, True)
        for opt in ref.inst.options[i]:
            for group in opt.groups:
                assert pick_new(group) == pick_ref(group), (i, group)


MONDAY = date(2026, 11, 30)
HOURS = ["24/7", "Mo-Fr 09:00-11:00", "Mo-Fr 13:00-17:00", "Mo,We,Fr 08:00-18:00",
         "Mo-Fr 08:30-12:30,14:00-19:00", "Mo-Fr 08:00-10:00,11:00-12:00,15:00-16:30"]


def _no_break(seed: int, outlets: int, reps: int, capacity: bool) -> Problem:
    """Days without a lunch break (overtime then priced by the one pass), some
    outlets with two or three windows (routes not plain: the general path), and
    a capacity (the soft route term)."""
    rng = random.Random(seed)
    os_ = [Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
                  VisitRule.parse(rng.choice(["1/week", "2/week", "1/2weeks"])),
                  service=rng.choice([300, 900, 1800, 3600]), demand=rng.randint(1, 5),
                  hours=OpeningHours.parse(rng.choice(HOURS)))
           for i in range(outlets)]
    rs = [Rep(f"R{k}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
              capacity=10 if capacity else None, shift=TimeWindow.parse("08:00-13:00"))
          for k in range(reps)]
    return Problem(os_, rs, Horizon(MONDAY, weeks=2))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), outlets=st.integers(8, 40), reps=st.integers(1, 3),
       capacity=st.booleans(), penalty=st.sampled_from([math.inf, 2.5]),
       noise=st.sampled_from([0.0, 0.1]), overtime=st.booleans())
def test_soft_terms_and_overtime_without_a_break(seed: int, outlets: int, reps: int,
                                                 capacity: bool, penalty: float,
                                                 noise: float, overtime: bool) -> None:
    """The soft capacity at its penalty, and overtime on days without a break
    (the kernel's one pass, and the Timer's general path where a route is not
    plain), priced as the Python loop prices them."""
    inst = compile_problem(_no_break(seed, outlets, reps, capacity),
                           SolveParams(seed=seed, balance_weight=0.0))
    new, ref = Search(inst), Search(inst)
    ref.timer.kernel = None
    ref.vector.enabled = False  # the reference: the Python loop and the Timer
    cur = ref.construct()
    for s in (new, ref):
        s.penalties.term = [penalty if t.soft else math.inf for t in s.terms]
        if overtime:
            s.penalties.set_overtime(25, 0.05)
    rng = random.Random(seed)
    placed = [i for i in range(inst.n) if cur.choice[i] is not None]
    out = rng.sample(placed, max(1, len(placed) // 3)) if placed else []
    touched: set[int] = set()
    for i in out:
        touched.update(ref.remove(cur, i))
    ref.settle(cur, touched)
    got_args = new._native_args(cur, 0, True)
    assert got_args is not None  # the native path is taken
    assert (got_args[6] is not None) == overtime  # with the overtime's price
    assert len(got_args[4]) == capacity  # and the soft capacity
    for i in range(inst.n):
        if cur.choice[i] is not None or not inst.options[i]:
            continue
        for second in (False, True):
            new.rng.seed(i)
            ref.rng.seed(i)
            got = new.price2(cur, i, noise, second=second)
            want = ref.price2(cur, i, noise, second=second)
            assert got == want, (i, second)
            assert new.rng.getstate() == ref.rng.getstate()
        pick_new = new._picker(cur, i, i, 0.0, None, True)
        pick_ref = ref._picker(cur, i, i, 0.0, None, True)
        for opt in inst.options[i]:
            for group in opt.groups:
                assert pick_new(group) == pick_ref(group), (i, group)


def test_the_kernel_rejects_a_malformed_soft_term() -> None:
    """A soft term must come as (limits, uses, node use, penalty), one entry per slot."""
    new, _ = _searches(1, 20, 2, 1)
    cur = new.construct()
    got_args = new._native_args(cur, 0, True)
    assert got_args is not None
    kernel, handle, pres, hard, _softs, bal, ot = got_args
    slots = list(range(len(cur.routes)))
    with pytest.raises(TypeError, match="soft term"):
        kernel.pick_slots(handle, slots, 0, pres, cur.routes, cur.scheds, hard,
                          [([None], [0], 1)], bal, ot)


def test_overtime_one_pass_at_the_exact_end() -> None:
    """A visit that ends the day exactly at the latest return the overtime allows
    fits, priced at its overtime, in the kernel as in the reference."""
    import numpy as np

    from routeopt import TravelMatrix

    outlets = [Outlet(name, 43.7, 7.4, VisitRule.parse("1/week"), service=1800)
               for name in ("A", "B")]
    n = len(outlets) + 2  # the outlets, then the rep's start and end
    dur = np.full((n, n), 1800, dtype=np.int64)
    np.fill_diagonal(dur, 0)
    rep = Rep("R", 43.7, 7.4, shift=TimeWindow.parse("08:00-10:00"))
    problem = Problem(outlets, [rep], Horizon(MONDAY), matrix={"drive": TravelMatrix(dur, dur)})
    inst = compile_problem(problem, SolveParams(balance_weight=0.0))
    new, ref = Search(inst), Search(inst)
    ref.timer.kernel = None
    ref.vector.enabled = False
    for s in (new, ref):
        # 25 % of a 2-hour shift: back by 10:30; A then B is back at 10:30 sharp
        s.penalties.set_overtime(25, 0.5)
    cur = ref.empty()
    slot = 0
    cur.routes[slot] = [0]
    sched = ref.timer.schedule(inst.slots[slot], [0])
    assert sched is not None and sched.fast_from == 0 and sched.exact  # the one pass
    cur.scheds[slot] = sched
    want = ref._picker(cur, 1, 1, 0.0, None, True)([slot])
    got = new._picker(cur, 1, 1, 0.0, None, True)([slot])
    assert want is not None and want[0] == 1800 + 0.5 * 1800  # the travel and the overtime
    assert got == want
