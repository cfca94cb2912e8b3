"""The soft end of shift: insertion prices overtime exactly, and plans end on time."""

from __future__ import annotations

import itertools
import math
import random
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routeopt import (
    Horizon,
    OpeningHours,
    Outlet,
    Problem,
    Rep,
    SolveParams,
    TimeWindow,
    TravelMatrix,
    VisitRule,
    solve,
)
from routeopt.solver._model import compile_problem
from routeopt.solver._routes import Timer
from routeopt.solver._search import Search
from routeopt.solver._tuning import Tuning

MONDAY = date(2026, 11, 30)
HOURS = ["24/7", "Mo-Fr 09:00-11:00", "Mo-Fr 13:00-17:00", "Mo-Fr 08:30-12:30,14:00-19:00"]


def _outlets(rng: random.Random, n: int, hours: list[str]) -> list[Outlet]:
    return [
        Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
               VisitRule.parse(rng.choice(["1/week", "2/week"])),
               service=rng.choice([900, 1800, 2700]),
               hours=OpeningHours.parse(rng.choice(hours)))
        for i in range(n)
    ]


def _brute(timer: Timer, slot, seq: list[int], node: int) -> tuple[float, int] | None:  # type: ignore[no-untyped-def]
    """Time every position in full: travel added plus overtime added at the penalty."""
    c = timer.cost[slot.mode]
    old = timer.schedule(slot, seq)
    assert old is not None
    base = timer.overtime(slot, old) if seq else 0
    nodes = [slot.start_node, *seq, slot.end_node]
    best: tuple[float, int] | None = None
    for g in range(len(seq) + 1):
        new = timer.schedule(slot, [*seq[:g], node, *seq[g:]])
        if new is None:
            continue
        p, q = nodes[g], nodes[g + 1]
        cost = c[p][node] + c[node][q] - c[p][q] + timer.time_penalty * (
            timer.overtime(slot, new) - base)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, g)
    return best


@pytest.mark.parametrize("penalty", [0.01, 1.0, 50.0])
def test_insertion_prices_overtime_like_timing_the_route(penalty: float) -> None:
    """Both insertion paths (one window: slack and waiting; several windows:
    simulation) give the cost and position that timing every position gives."""
    priced = late = 0
    for seed, end in itertools.product(range(20), (11, 13, 15)):
        rng = random.Random(seed)
        outlets = _outlets(rng, 12, HOURS)
        rep = Rep("R", 43.72, 7.42, shift=TimeWindow.parse(f"08:00-{end}:00"))
        inst = compile_problem(Problem(outlets, [rep], Horizon(MONDAY)), SolveParams())
        timer = Timer(inst)
        timer.overtime_pct, timer.time_penalty = 40, penalty
        slot = inst.slots[0]
        assert timer.end_of(slot) > slot.shift_end
        seq: list[int] = []  # a route of half the outlets, perhaps late already
        for i in rng.sample(range(inst.n), inst.n // 2):
            trial = list(seq)
            trial.insert(rng.randint(0, len(seq)), i)
            if slot.day in inst.windows[i] and timer.schedule(slot, trial) is not None:
                seq = trial
        sched = timer.schedule(slot, seq)
        assert sched is not None
        for node in range(inst.n):
            if node in seq or slot.day not in inst.windows[node]:
                continue
            got = timer.best_insertion(slot, seq, sched, node)
            want = _brute(timer, slot, seq, node)
            if want is None:
                assert got is None
                continue
            assert got is not None
            assert math.isclose(got[0], want[0], rel_tol=1e-9, abs_tol=1e-9), (seq, node)
            new = timer.schedule(slot, [*seq[:got[1]], node, *seq[got[1]:]])
            assert new is not None  # the position it names is on time under the soft end
            priced += 1
            late += timer.overtime(slot, new) > 0
    assert priced > 100
    assert late > 10  # the overtime price was exercised, not only on-time positions


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), penalty=st.sampled_from([0.5, 20.0]))
def test_vector_pricer_prices_overtime_like_the_timer(seed: int, penalty: float) -> None:
    rng = random.Random(seed)
    outlets = _outlets(rng, 24, HOURS[:3])
    reps = [Rep(f"R{k}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
                shift=TimeWindow.parse("08:00-12:00")) for k in range(2)]
    inst = compile_problem(Problem(outlets, reps, Horizon(MONDAY)), SolveParams(seed=seed))
    search = Search(inst, tuning=Tuning(overtime_pct=50))
    state = search.construct()
    search._soften(state)
    search.timer.time_penalty = penalty
    vec = search.vector
    answered = 0
    for i in range(inst.n):
        best, g = vec.best_positions(state.routes, list(state.scheds), state.version, state.use, i)
        for s, slot in enumerate(inst.slots):
            if not vec.last_use[s] or i in state.routes[s]:
                continue
            want = search.timer.best_insertion(slot, state.routes[s], state.scheds[s], i)
            if want is None:
                assert best[s] >= 1 << 62
                continue
            assert math.isclose(float(best[s]), want[0], rel_tol=1e-12), (i, s)
            assert int(g[s]) == want[1]
            answered += 1
    assert answered > 0


def _tight_problem(seed: int) -> Problem:
    """Short shifts, long visits: the end of the shift is what limits each day."""
    rng = random.Random(seed)
    outlets = [Outlet(f"P{i}", 0.0, 0.0, VisitRule.parse(rng.choice(["1/week", "2/week"])),
                      service=rng.choice([1800, 2700, 3600])) for i in range(30)]
    n = len(outlets) + 4
    xy = np.array([(rng.random(), rng.random()) for _ in range(n)])
    dur = (np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) * 3600).astype(np.int64)
    reps = [Rep(f"R{k}", 0.0, 0.0, shift=TimeWindow.parse("08:00-14:00")) for k in range(2)]
    return Problem(outlets, reps, Horizon(MONDAY),
                   matrix={"drive": TravelMatrix(dur, dur)})


def test_the_search_uses_overtime_and_the_plan_ends_on_time() -> None:
    """On days the end of the shift limits, the search explores late routes,
    and the plan it returns is on time, valid and deterministic."""
    problem = _tight_problem(3)
    params = SolveParams(seed=5, time_limit=600, max_iterations=400, max_no_improvement=10**6)
    inst = compile_problem(problem, params)
    search = Search(inst)
    seen_late = []
    orig = search.overtime

    def spy(st):  # type: ignore[no-untyped-def]
        late = orig(st)
        seen_late.append(late)
        return late

    search.overtime = spy  # type: ignore[method-assign]
    best = search.run()
    assert any(seen_late), "the soft end of shift was never used"
    assert search.timer.overtime_pct == 0 and search.timer.time_penalty == 0
    for s, sch in enumerate(best.scheds):
        assert sch.back <= inst.slots[s].shift_end
        assert sch == search.timer.schedule(inst.slots[s], best.routes[s])  # hard slack again
    plan = solve(problem, params)
    plan.validate()
    again = solve(problem, params)
    assert [[v.outlet_id for v in r.stops] for r in plan.routes] == \
        [[v.outlet_id for v in r.stops] for r in again.routes]


def test_soft_end_of_shift_switches_on_only_where_it_binds() -> None:
    params = SolveParams(seed=1, max_iterations=50, max_no_improvement=10**6)
    tight = Search(compile_problem(_tight_problem(1), params))
    assert tight._time_binds(tight.construct())
    rng = random.Random(2)
    loose = Problem(_outlets(rng, 6, ["24/7"]), [Rep("R", 43.72, 7.42)], Horizon(MONDAY))
    easy = Search(compile_problem(loose, params))
    assert not easy._time_binds(easy.construct())
    off = Search(compile_problem(_tight_problem(1), params), tuning=Tuning(overtime_pct=0))
    off.run()
    assert off.timer.time_penalty == 0
