"""Fixed blocks: read, validated, honoured by the search, checked, with a reason."""

from __future__ import annotations

import dataclasses
import random
from datetime import date

import pandas as pd
import pytest

from routeopt import (
    Horizon,
    InputError,
    OpeningHours,
    Outlet,
    Problem,
    Rep,
    SolveParams,
    TimeWindow,
    VisitRule,
    solve,
)
from routeopt.problem import FixedBlock
from routeopt.read import read_reps
from routeopt.solver.terms import cut_windows

MONDAY = date(2026, 11, 30)
SHIFT = TimeWindow.parse("08:30-17:30")


def _problem(blocks: str, extra: list[Outlet] | None = None) -> Problem:
    rng = random.Random(5)
    outlets = [Outlet(f"P{i}", 43.70 + 0.05 * rng.random(), 7.38 + 0.08 * rng.random(),
                      VisitRule.parse(rng.choice(["1/week", "2/week"])), service=1800)
               for i in range(30)] + (extra or [])
    reps = [Rep(f"R{k}", 43.72, 7.40 + 0.02 * k, shift=SHIFT,
                blocks=FixedBlock.parse_list(blocks)) for k in range(2)]
    return Problem(outlets, reps, Horizon(MONDAY))


def _inside(plan: object, start: int, end: int, weekdays: set[int] | None = None) -> int:
    """Visits of ``plan`` overlapping [start, end] (on ``weekdays``)."""
    return sum(1 for r in plan.routes for s in r.stops  # type: ignore[attr-defined]
               if (weekdays is None or r.date.weekday() in weekdays)
               and s.start < end and s.end > start)


def test_blocks_bind_and_no_visit_falls_inside() -> None:
    # balanced days off: without blocks the plan must run into them for the test to bind
    params = SolveParams(max_iterations=120, seed=0, balance_weight=0.0)
    free = solve(_problem(""), params).validate()
    daily, monday = (9 * 3600 + 1800, 10 * 3600 + 1800), (11 * 3600, 17 * 3600 + 1800)
    assert _inside(free, *daily) > 0 and _inside(free, *monday, {0}) > 0  # they would bind
    plan = solve(_problem("09:30-10:30; Mo 11:00-17:30"), params).validate()
    assert _inside(plan, *daily) == 0
    assert _inside(plan, *monday, {0}) == 0
    assert _inside(plan, *monday, {1, 2, 3, 4}) > 0  # the Monday block is Monday's alone
    assert plan.kpis()["coverage"] == 1.0


def test_a_visit_only_possible_inside_a_block_gets_its_reason() -> None:
    only_friday = Outlet("FRI", 43.72, 7.41, VisitRule.parse("1/week"), service=1800,
                         hours=OpeningHours.parse("Fr 14:30-17:00"))
    plan = solve(_problem("Fr 14:00-17:30", [only_friday]),
                 SolveParams(max_iterations=40)).validate()
    missing = [u for u in plan.unscheduled if u.outlet_id == "FRI"]
    assert [u.reason for u in missing] == ["blocks"]
    free = solve(_problem("", [only_friday]), SolveParams(max_iterations=40)).validate()
    assert not [u for u in free.unscheduled if u.outlet_id == "FRI"]


def test_the_checker_finds_a_visit_inside_a_block() -> None:
    free = solve(_problem(""), SolveParams(max_iterations=40))
    bad = dataclasses.replace(free, problem=_problem("10:00-12:00")).violations()
    assert bad and all("overlaps the fixed block 10:00-12:00" in v for v in bad)
    assert not dataclasses.replace(free, problem=_problem("Sa 10:00-12:00")).violations()


def test_cut_windows_keeps_visits_clear_of_the_intervals() -> None:
    assert cut_windows([(0, 100)], 10, [(50, 60)]) == ((0, 40), (60, 100))
    assert cut_windows([(45, 55)], 10, [(50, 60)]) == ()
    assert cut_windows([(0, 30), (70, 90)], 5, [(40, 60), (80, 85)]) == ((0, 30), (70, 75),
                                                                          (85, 90))


def test_reps_table_reads_blocks() -> None:
    reps, issues, _ = read_reps(pd.DataFrame({
        "rep_id": ["R1", "R2"], "lat": [43.7, 43.7], "lon": [7.4, 7.4],
        "blocks": ["Fr 14:00-17:30; 16:30-17:30", ""]}))
    assert not issues
    assert [str(b) for b in reps[0].blocks] == ["Fr 14:00-17:30", "16:30-17:30"]
    assert reps[1].blocks == ()


@pytest.mark.parametrize(("text", "match"), [
    ("Fr 07:00-09:00", "not inside the shift 08:30-17:30"),
    ("Fx 14:00-15:00", "Fx"),
    ("14:00", "time window"),
])
def test_a_bad_block_names_the_rep_and_the_column(text: str, match: str) -> None:
    _, issues, _ = read_reps(pd.DataFrame({"rep_id": ["R3"], "lat": [43.7], "lon": [7.4],
                                           "blocks": [text]}))
    assert len(issues) == 1, issues
    assert issues[0].rep_id == "R3" and issues[0].column == "blocks"
    assert match in issues[0].message


def test_a_block_outside_the_shift_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not inside the shift") as e:
        Rep("R4", 43.7, 7.4, shift=SHIFT, blocks=FixedBlock.parse_list("17:00-18:00"))
    assert e.value.issues[0].column == "blocks" and e.value.issues[0].rep_id == "R4"
