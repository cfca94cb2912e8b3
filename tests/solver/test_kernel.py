"""The native kernel answers exactly what the reference Python timing answers."""

from __future__ import annotations

import os
import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routeopt import Break, Horizon, OpeningHours, Outlet, Problem, Rep, SolveParams, VisitRule
from routeopt.solver import _native
from routeopt.solver._model import compile_problem
from routeopt.solver._routes import Timer

MONDAY = date(2026, 11, 30)
HOURS = ["24/7", "Mo-Fr 08:30-12:30,14:00-19:00", "Mo-Fr 09:00-11:00", "Mo-Fr 13:00-17:00",
         "Mo-Fr 08:00-10:00,11:00-12:00,15:00-16:30", "Mo-Fr 10:00-10:30,16:00-18:00"]
FORCED = os.environ.get("ROUTEOPT_KERNEL", "").strip().lower() == "python"


def test_the_kernel_is_built() -> None:
    """``pip install`` builds the extension: without it the solver runs its slow path."""
    if FORCED:
        pytest.skip("ROUTEOPT_KERNEL=python forces the reference path")
    assert _native.kernel is not None
    assert _native.load() is not None


def test_the_environment_forces_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTEOPT_KERNEL", "python")
    assert _native.load() is None


def _timers(seed: int, lunch: str | None, end: int, n: int,
            overtime: int, hours: list[str] = HOURS) -> tuple[Timer, Timer, random.Random]:
    rng = random.Random(seed)
    outlets = [
        Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
               VisitRule.parse("1/week"), service=rng.choice([60, 300, 900, 1800]),
               hours=OpeningHours.parse(rng.choice(hours)))
        for i in range(n)
    ]
    rep = Rep("R", 43.72, 7.42, shift=OpeningHours.parse(f"Mo 08:00-{end}:00").weekly[0][0],
              lunch=Break.parse(lunch) if lunch and end > 14 else None)
    inst = compile_problem(Problem(outlets, [rep], Horizon(MONDAY)), SolveParams())
    new, ref = Timer(inst), Timer(inst)
    ref.kernel = None  # the reference Python path
    for t in (new, ref):
        t.overtime_pct = overtime
        t.time_penalty = 0.5 if overtime else 0.0
    return new, ref, rng


def _route_on_time(ref: Timer, n: int, rng: random.Random) -> list[int]:
    """A random route of the first slot that the reference times on time."""
    inst = ref.inst
    slot = inst.slots[0]
    seq: list[int] = []
    for i in rng.sample(range(n), n):
        trial = list(seq)
        trial.insert(rng.randint(0, len(seq)), i)
        if slot.wkey in inst.windows[i] and ref.schedule(slot, trial) is not None:
            seq = trial
    return seq


@pytest.mark.skipif(_native.kernel is None, reason="the native kernel is not built")
@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 100_000),
       lunch=st.sampled_from([None, "12:00-14:00/45", "11:00-13:30/60", "12:30-13:00/30"]),
       end=st.sampled_from([11, 13, 15, 18]), n=st.integers(1, 16),
       overtime=st.sampled_from([0, 0, 10, 30]))
def test_kernel_matches_the_reference(seed: int, lunch: str | None, end: int, n: int,
                                      overtime: int) -> None:
    new, ref, rng = _timers(seed, lunch, end, n, overtime)
    assert new.kernel is not None
    inst = new.inst
    slot = inst.slots[0]
    seq = _route_on_time(ref, n, rng)  # a random route on time
    sched = ref.schedule(slot, seq)
    assert sched is not None
    assert new.schedule(slot, seq) == sched == ref.schedule_reference(slot, seq)
    for _ in range(10):  # random sequences, on time or not, whole schedules alike
        trial = rng.sample(range(n), rng.randint(0, n))
        assert new.schedule(slot, trial) == ref.schedule(slot, trial), trial
    for node in range(n):
        if node in seq:
            continue
        if slot.wkey in inst.windows[node]:
            for g in range(len(seq) + 1):
                assert (new.can_insert(slot, seq, sched, node, g)
                        == ref.can_insert(slot, seq, sched, node, g)
                        == ref.can_insert_reference(slot, seq, sched, node, g)), (seq, node, g)
        for tries in (None, 0, 1, 2):
            got = new.best_insertion(slot, seq, sched, node, max_tries=tries)
            want = ref.best_insertion(slot, seq, sched, node, max_tries=tries)
            assert got == want, (seq, node, tries)
            assert got is None or type(got[0]) is type(want[0])  # type: ignore[index]

        def objective(p: int, q: int) -> float:
            return 0.25 * ((p * 7 + q * 3) % 5) - 0.5

        got = new.best_insertion(slot, seq, sched, node, objective=objective)
        assert got == ref.best_insertion(slot, seq, sched, node, objective=objective)


ONE_WINDOW = ["24/7", "Mo-Fr 09:00-11:00", "Mo-Fr 13:00-17:00", "Mo-Fr 08:00-12:00"]


@pytest.mark.skipif(_native.kernel is None, reason="the native kernel is not built")
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), end=st.sampled_from([10, 11, 13]),
       n=st.integers(2, 14), overtime=st.sampled_from([10, 30, 60]))
def test_overtime_one_pass_matches_the_reference(seed: int, end: int, n: int,
                                                 overtime: int) -> None:
    """Days without a break, outlets with one window: the routes are plain and
    exact, and the best insertion with overtime priced is the kernel's one pass
    (``cheapest_overtime``), which answers what the reference's one pass does,
    overtime priced or not."""
    new, ref, rng = _timers(seed, None, end, n, overtime, ONE_WINDOW)
    inst = new.inst
    slot = inst.slots[0]
    seq = _route_on_time(ref, n, rng)
    sched = ref.schedule(slot, seq)
    assert sched is not None
    for node in range(n):
        if node in seq:
            continue
        got = new.best_insertion(slot, seq, sched, node)
        want = ref.best_insertion(slot, seq, sched, node)
        assert got == want, (seq, node)
        assert got is None or type(got[0]) is type(want[0])  # type: ignore[index]
    if seq and sched.exact:
        # the route is the one pass's case: the kernel's answer is its own
        node = next((j for j in range(n) if j not in seq and slot.wkey in inst.windows[j]
                     and len(inst.windows[j][slot.wkey]) == 1), None)
        if node is not None:
            pre = new._prefix(slot)[2]
            assert new.kernel is not None
            direct = new.kernel.cheapest_overtime(
                *pre, seq, sched.dep_before, sched.taken_before, sched.arrival, sched.back,
                sched.slack, sched.fast_from, sched.exact, node, new.time_penalty,
                slot.shift_end, sched.wait_after)
            assert direct == ref.best_insertion(slot, seq, sched, node)


@pytest.mark.skipif(_native.kernel is None, reason="the native kernel is not built")
def test_overtime_one_pass_prices_some_overtime() -> None:
    """The corpus above reaches overtime: over fixed seeds some insertions are
    priced with it (a float cost) and agree with the reference."""
    floats = 0
    for seed in range(40):
        new, ref, _ = _timers(seed, None, 10, 8, 60, ONE_WINDOW)
        slot = new.inst.slots[0]
        seq = [i for i in range(6) if ref.schedule(slot, list(range(i + 1))) is not None]
        seq = list(range(len(seq)))
        sched = ref.schedule(slot, seq)
        assert sched is not None
        for node in range(len(seq), 8):
            got = new.best_insertion(slot, seq, sched, node)
            assert got == ref.best_insertion(slot, seq, sched, node)
            floats += got is not None and type(got[0]) is float
    assert floats > 0
