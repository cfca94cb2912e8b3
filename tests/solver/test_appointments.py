"""Several appointments on one day: each is planned or listed with its reason
(issue "Nothing lost, ever", item 5)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from routeopt import Appointment, Horizon, Outlet, Problem, Rep, SolveParams, VisitRule, solve
from routeopt.patterns import day_patterns, pattern_visits, same_day_appointments
from routeopt.plan import Plan
from routeopt.solver._model import compile_problem
from routeopt.solver._search import Search

MONDAY = date(2026, 11, 30)
WEDNESDAY = date(2026, 12, 2)
FAST = SolveParams(max_iterations=60)


def _appts(*times: str) -> tuple[Appointment, ...]:
    return tuple(Appointment.parse(f"2026-12-02 {t}") for t in times)


def _problem(rule: VisitRule, appts: tuple[Appointment, ...], n_reps: int = 1,
             others: int = 3) -> Problem:
    a = Outlet("A", 43.735, 7.42, rule, appointments=appts)
    rest = [Outlet(f"P{k}", 43.73 + 0.002 * k, 7.41, VisitRule.parse("1/week"))
            for k in range(others)]
    reps = [Rep(f"R{k}", 43.731, 7.418 + 0.01 * k) for k in range(n_reps)]
    return Problem([a, *rest], reps, Horizon(MONDAY))


def _visits_of(plan: Plan, outlet_id: str) -> list[tuple[str, date, int]]:
    return sorted((r.rep_id, r.date, s.start) for r in plan.routes for s in r.stops
                  if s.outlet_id == outlet_id)


@pytest.mark.parametrize("rule", [VisitRule(per_week=0), VisitRule.parse("2/week"),
                                  VisitRule.parse("1/week")], ids=["no frequency", "2/week",
                                                                   "1/week"])
@pytest.mark.parametrize("n_reps", [1, 3])
def test_two_appointments_on_one_day_are_both_kept(rule: VisitRule, n_reps: int) -> None:
    # The case: 10:00 and 14:00 on 2026-12-02. Before: no_pattern without a
    # frequency, and on a 2/week outlet the 14:00 one vanished from the plan.
    plan = solve(_problem(rule, _appts("10:00", "14:00"), n_reps), FAST)
    plan.validate()
    got = _visits_of(plan, "A")
    assert [(d, t) for _, d, t in got] == [(WEDNESDAY, 10 * 3600), (WEDNESDAY, 14 * 3600)]
    assert len({rep for rep, _, _ in got}) == 1  # one rep for the outlet (same_rep)
    assert not [u for u in plan.unscheduled if u.outlet_id == "A"]


def test_an_appointment_that_cannot_be_kept_is_listed_with_its_date_and_reason() -> None:
    # Two visits at 10:00 sharp, one rep: only one can be made.
    plan = solve(_problem(VisitRule(per_week=0), _appts("10:00", "10:00")), FAST)
    plan.validate()
    assert len(_visits_of(plan, "A")) == 1
    missed = [u for u in plan.unscheduled if u.outlet_id == "A"]
    assert [(u.date, u.reason) for u in missed] == [(WEDNESDAY, "no_time")]


def test_without_same_rep_two_reps_may_keep_two_appointments_at_one_time() -> None:
    rule = dataclasses.replace(VisitRule(per_week=0), same_rep=False)
    plan = solve(_problem(rule, _appts("10:00", "10:00"), n_reps=2), FAST)
    plan.validate()
    got = _visits_of(plan, "A")
    assert [t for _, _, t in got] == [36000, 36000] and len({r for r, _, _ in got}) == 2


def test_three_appointments_one_of_them_a_window() -> None:
    plan = solve(_problem(VisitRule.parse("2/week"), _appts("10:00", "14:00", "14:00-16:00")),
                 FAST)
    plan.validate()
    starts = [t for _, _, t in _visits_of(plan, "A")]
    assert len(starts) == 3 and starts[:2] == [36000, 50400] and 50400 < starts[2] <= 57600


def test_patterns_hold_one_date_for_the_first_appointment_of_a_day() -> None:
    o = Outlet("A", 43.7, 7.4, VisitRule.parse("2/week"), appointments=_appts("14:00", "10:00"))
    p = Problem([o], [Rep("R", 43.7, 7.4)], Horizon(MONDAY))
    assert [str(a.window) for a in same_day_appointments(o)] == ["10:00-10:00"]
    assert pattern_visits(p, o) == 1  # two visits in all: one in the pattern, one apart
    assert day_patterns(p, o, p.reps[0]) == [(2,)]
    o4 = dataclasses.replace(o, appointments=_appts("10:00", "14:00"))
    p4 = Problem([o4], [Rep("R", 43.7, 7.4)], Horizon(MONDAY, weeks=4))
    pats = day_patterns(p4, o4, p4.reps[0])
    assert pats and all(len(pt) == 7 and 2 in pt for pt in pats)  # 8 visits, one apart


def test_the_further_appointment_follows_its_outlets_rep() -> None:
    # Put the 14:00 visit on the other rep by hand: the final pass brings it back.
    problem = _problem(VisitRule(per_week=0), _appts("10:00", "14:00"), n_reps=2, others=0)
    inst = compile_problem(problem, FAST)
    j = next(i for i, m in enumerate(inst.sibling) if m >= 0)
    search = Search(inst)
    st = search.construct()
    ch, chj = st.choice[0], st.choice[j]
    assert ch is not None and chj is not None
    rep = inst.slots[ch[1][0]].rep
    search.remove(st, j)
    search.settle(st, set(chj[1]))
    other = next(k for k, o in enumerate(inst.options[j]) if o.rep != rep)
    s = inst.options[j][other].groups[0][0]
    assert search.insert(st, j, best=(0.0, other, [(s, 0)]))
    assert search.same_rep_appointments(st)
    chj = st.choice[j]
    assert chj is not None and inst.slots[chj[1][0]].rep == rep
    assert not search.same_rep_appointments(st)


def test_the_checker_wants_each_appointment_of_a_day_kept() -> None:
    problem = _problem(VisitRule(per_week=0), _appts("10:00", "14:00"), others=0)
    plan = solve(problem, FAST)
    assert plan.violations() == []
    route = plan.routes[0]
    late = route.stops[1]
    moved = dataclasses.replace(late, start=late.start + 600, end=late.end + 600)
    bad = dataclasses.replace(plan, routes=(dataclasses.replace(
        route, stops=(route.stops[0], moved), back=route.back + 600),))
    assert any("not kept" in v or "outside" in v for v in bad.violations())
    one = dataclasses.replace(plan, routes=(dataclasses.replace(route, stops=route.stops[:1]),))
    assert any("required" in v for v in one.violations())
