"""The native pricing of an outlet's options answers what the Python loop answers.

``Search.price2`` hands its loop over an outlet's options to the native kernel
(``price_options``, each slot priced as ``pick_slots`` prices it) where only the
hard node terms, the timing and the day balance price a slot. These tests put
random plans of generated territories to a search with the kernel and to one
with the reference Python path and ask both for every removed outlet's price:
the same best option, positions, cost (bit for bit) and runner-up, and the same
draws of the random generator for the noise.
"""

from __future__ import annotations

import random
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routeopt import CycleWarning, SolveParams
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


def test_the_native_path_steps_aside_for_a_soft_term() -> None:
    """A soft route term prices slots the kernel does not know: the Python loop."""
    new, _ = _searches(1, 20, 2, 1)
    cur = new.construct()
    new.penalties.soft = [0]
    assert new._native_args(cur, 0, True) is None
