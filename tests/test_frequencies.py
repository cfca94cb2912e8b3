"""Visit frequencies in interval and monthly forms: ``every 14d``, ``every 10-14d``, ``4/month``.

Parsing (strict, with the row and column named), the day patterns they give
(hypothesis properties), plans through the API and the command line, the
checker's spacing and per-month rules, and ``unscheduled.csv`` when a form
cannot be met.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import re
import warnings
from collections import Counter
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routeopt import (
    CycleWarning,
    Horizon,
    InputError,
    Outlet,
    Problem,
    Rep,
    SolveParams,
    VisitRule,
    solve,
)
from routeopt._check import violations
from routeopt._skipped import owed
from routeopt.patterns import MAX_PATTERNS, day_patterns
from routeopt.problem import month_shares, parse_frequency, parse_rule_frequency

MONDAY = date(2026, 11, 30)
DEC1 = date(2026, 12, 1)  # a Tuesday


def problem(freq: str, weeks: int = 4, start: date = MONDAY, n: int = 1,
            holidays: frozenset[date] = frozenset(), **rule: object) -> Problem:
    base = VisitRule.parse(freq)
    r = dataclasses.replace(base, **rule) if rule else base
    outlets = [Outlet(f"P{i}", 43.70 + 0.004 * i, 7.40 + 0.003 * i, r) for i in range(n)]
    return Problem(outlets, [Rep("R", 43.70, 7.40)], Horizon(start, weeks=weeks, holidays=holidays))


def visit_dates(plan: object, outlet_id: str) -> list[date]:
    return sorted(r.date for r in plan.routes for s in r.stops  # type: ignore[attr-defined]
                  if s.outlet_id == outlet_id)


def gaps(dates: list[date]) -> list[int]:
    return [(b - a).days for a, b in itertools.pairwise(dates)]


# -- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("every 14d", (Fraction(1, 2), (14, 14), None)),
    ("Every 14 days", (Fraction(1, 2), (14, 14), None)),
    ("every 2w", (Fraction(1, 2), (14, 14), None)),
    ("every 2 weeks", (Fraction(1, 2), (14, 14), None)),
    ("every 7d", (Fraction(1), (7, 7), None)),
    ("every 4wk", (Fraction(1, 4), (28, 28), None)),
    ("every 10-14d", (Fraction(1, 2), (10, 14), None)),
    ("every 10 - 14 days", (Fraction(1, 2), (10, 14), None)),
    ("every 1-2w", (Fraction(1, 2), (7, 14), None)),
    ("every 7-10d", (Fraction(7, 10), (7, 10), None)),
    ("4/month", (Fraction(12, 13), None, 4)),
    ("1x/month", (Fraction(3, 13), None, 1)),
    ("2 / Month", (Fraction(6, 13), None, 2)),
    ("2/week", (Fraction(2), None, None)),
    ("1/4weeks", (Fraction(1, 4), None, None)),
    ("0.5", (Fraction(1, 2), None, None)),
])
def test_every_form_reads(text: str, expected: tuple[object, ...]) -> None:
    assert parse_rule_frequency(text) == expected


@pytest.mark.parametrize(("text", "match"), [
    ("every 10d", r"a single interval must be whole weeks.*every 9-11d"),
    ("every 14-10d", r"from 1 to 364, the least first"),
    ("every 0d", r"from 1 to 364"),
    ("every 53w", r"from 1 to 364"),
    ("every 2-400d", r"from 1 to 364"),
    ("every d", r"is not a frequency"),
    ("every 14", r"is not a frequency"),
    ("every 14h", r"is not a frequency"),
    ("every other week", r"is not a frequency"),
    ("0/month", r"visits per month must be 1 to 28"),
    ("30/month", r"visits per month must be 1 to 28"),
    ("4/months/2", r"is not a frequency"),
    ("monthly", r"is not a frequency"),
])
def test_bad_forms_say_what_to_write(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as e:
        parse_rule_frequency(text)
    assert e.value.issues[0].column == "frequency"


def test_parse_frequency_keeps_per_week_and_reads_whole_week_intervals() -> None:
    assert parse_frequency("every 14d") == parse_frequency("1/2weeks") == Fraction(1, 2)
    assert parse_frequency("every 3w") == Fraction(1, 3)
    for text in ("every 10-14d", "4/month"):
        with pytest.raises(InputError, match="parse_rule_frequency"):
            parse_frequency(text)


def test_rule_checks_and_describes_the_new_fields() -> None:
    assert VisitRule(interval=(10, 14)).describe() == "every 10-14d"
    assert VisitRule(interval=(14, 14)).describe() == "every 14d"
    assert VisitRule(per_month=4).describe() == "4/month"
    assert VisitRule(interval=(14, 14)).lines and not VisitRule(interval=(10, 14)).lines
    assert not VisitRule(interval=(14, 14), same_weekday=False).lines
    with pytest.raises(InputError, match="not both"):
        VisitRule(interval=(7, 7), per_month=2)
    with pytest.raises(InputError, match="disagree"):
        VisitRule(per_week=Fraction(2), interval=(10, 14))
    with pytest.raises(InputError, match="the least first"):
        VisitRule(interval=(14, 10))
    with pytest.raises(TypeError, match="interval"):
        VisitRule(interval="10-14")  # type: ignore[arg-type]
    # an edited copy keeps its derived rate
    r = VisitRule(interval=(10, 14))
    assert dataclasses.replace(r, visits=3).per_week == r.per_week


def test_csv_errors_name_the_file_row_and_column(tmp_path: Path) -> None:
    from routeopt.read import read_problem

    (tmp_path / "o.csv").write_text("outlet_id,lat,lon,frequency\nA,43.7,7.4,every 14d\n"
                                    "B,43.7,7.4,every 10d\nC,43.7,7.4,every 3 months\n")
    (tmp_path / "r.csv").write_text("rep_id,lat,lon\nR,43.7,7.4\n")
    with pytest.raises(InputError) as e:
        read_problem(tmp_path / "o.csv", tmp_path / "r.csv", start=MONDAY, weeks=4)
    where = [(i.line, i.column) for i in e.value.issues]
    assert where == [(3, "frequency"), (4, "frequency")]
    assert "every 9-11d" in e.value.issues[0].message
    assert "every 10-14d" in e.value.issues[1].message  # the forms accepted


# -- visits owed --------------------------------------------------------------------------------


def test_month_shares_are_pro_rata_and_add_up_across_horizons() -> None:
    # Nov 30 - Dec 27 and Dec 28 - Jan 24: December's 4 visits split 3 + 1, January 24 days: 3
    first = month_shares(MONDAY, MONDAY + timedelta(days=27), 4)
    second = month_shares(MONDAY + timedelta(days=28), MONDAY + timedelta(days=55), 4)
    assert [n for *_, n in first] == [0, 3] and [n for *_, n in second] == [1, 3]
    assert month_shares(date(2027, 2, 1), date(2027, 2, 28), 4) == [
        (date(2027, 2, 1), date(2027, 2, 28), 4)]


@pytest.mark.parametrize(("freq", "weeks", "start", "visits"), [
    ("every 14d", 4, MONDAY, 2), ("every 14d", 5, MONDAY, 3), ("1/2weeks", 5, MONDAY, 3),
    ("every 10-14d", 4, MONDAY, 2), ("every 10-14d", 5, MONDAY, 3), ("every 10-14d", 8, MONDAY, 5),
    ("every 7-10d", 4, MONDAY, 3), ("every 10-14d", 1, MONDAY, 1),
    ("4/month", 4, MONDAY, 3), ("4/month", 4, date(2027, 2, 1), 4), ("4/month", 5, DEC1, 5),
    ("2/month", 4, MONDAY, 2), ("1/month", 4, date(2026, 12, 14), 1),
])
def test_visits_owed(freq: str, weeks: int, start: date, visits: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CycleWarning)
        p = problem(freq, weeks=weeks, start=start)
    assert p.visits_of(p.outlets[0]) == visits == p.required_visits


def test_a_range_that_cannot_repeat_warns_and_others_do_not() -> None:
    with pytest.warns(CycleWarning, match="does not divide"):
        problem("every 10-14d", weeks=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CycleWarning)
        problem("every 10-14d", weeks=4)
        problem("4/month", weeks=4)
        problem("every 14d", weeks=4)


def test_skipped_rows_owe_what_their_form_owes() -> None:
    import pandas as pd

    from routeopt.exceptions import Issue

    rows = pd.DataFrame({"outlet_id": ["A", "B", "C"],
                         "frequency": ["4/month", "every 10-14d", "every 14d"]})
    bad = [Issue("bad lat", outlet_id=x) for x in "ABC"]
    assert owed(rows, bad, weeks=4, start=MONDAY) == (3, 3 + 2 + 2)


# -- patterns -----------------------------------------------------------------------------------


def test_a_whole_week_interval_is_the_route_line_of_its_per_week_form() -> None:
    for interval, per_week in (("every 7d", "1/week"), ("every 14d", "1/2weeks"),
                               ("every 2w", "1/2weeks"), ("every 28d", "1/4weeks")):
        a, b = problem(interval, weeks=4), problem(per_week, weeks=4)
        assert (day_patterns(a, a.outlets[0], a.reps[0])
                == day_patterns(b, b.outlets[0], b.reps[0]) != [])


def test_a_range_follows_the_even_pace_on_its_weekday_where_it_can() -> None:
    # 8 visits in 8 weeks: a pace of 7 days, the route line of 1/week
    p = problem("every 5-9d", weeks=8)
    pats = day_patterns(p, p.outlets[0], p.reps[0])
    first = [p.planning_days[i] for i in pats[0]]
    assert gaps(first) == [7] * 7
    assert any(set(gaps([p.planning_days[i] for i in pat])) != {7} for pat in pats)
    # 3 visits in 5 weeks: about 11.7 days apart
    q = problem("every 10-14d", weeks=5)
    assert gaps([q.planning_days[i] for i in day_patterns(q, q.outlets[0], q.reps[0])[0]]) == [
        11, 12]


def test_a_three_week_holiday_places_what_fits_and_lists_the_rest() -> None:
    holidays = frozenset(MONDAY + timedelta(days=k) for k in range(7, 28))
    p = problem("every 10-14d", weeks=4, holidays=holidays)
    pats = day_patterns(p, p.outlets[0], p.reps[0])
    assert pats and {len(pat) for pat in pats} == {1}  # one visit fits, not two
    plan = solve(p, SolveParams(max_iterations=10, seed=1)).validate()
    assert len(visit_dates(plan, "P0")) == 1
    assert [(u.outlet_id, u.reason, u.date) for u in plan.unscheduled] == [
        ("P0", "no_pattern", None)]
    assert plan.unscheduled[0].message.startswith(
        "every 10-14d: only 1 of its 2 visits fit the calendar with 10 to 14 days between them")
    # a 4/month outlet there: the first week's visit, the rest listed
    m = problem("4/month", weeks=4, holidays=holidays)
    plan = solve(m, SolveParams(max_iterations=10, seed=1)).validate()
    assert len(visit_dates(plan, "P0")) == 1 and len(plan.unscheduled) == 2
    assert plan.unscheduled[0].message.startswith("4/month: only 1 of its 3 visits fit")
    # nothing fits at all (no first visit within 14 days): every visit listed, the form named
    closed = frozenset(MONDAY + timedelta(days=k) for k in (*range(14), *range(21, 28)))
    p = problem("every 10-14d", weeks=4, holidays=closed)
    plan = solve(p, SolveParams(max_iterations=10, seed=1)).validate()
    assert [u.reason for u in plan.unscheduled] == ["no_pattern"] * 2
    assert plan.unscheduled[0].message.startswith(
        "every 10-14d: no 2 planning days with 10 to 14 days between consecutive visits")


def test_pattern_counts_stay_bounded() -> None:
    p = problem("every 1-3d", weeks=52)
    pats = day_patterns(p, p.outlets[0], p.reps[0])
    assert 0 < len(pats) <= MAX_PATTERNS
    m = problem("1/month", weeks=52)
    assert 0 < len(day_patterns(m, m.outlets[0], m.reps[0])) <= 31


@st.composite
def calendars(draw: st.DrawFn) -> tuple[date, int, frozenset[date], frozenset[int]]:
    start = MONDAY + timedelta(days=draw(st.integers(0, 400)))
    weeks = draw(st.integers(1, 9))
    holidays = frozenset(start + timedelta(days=k)
                         for k in draw(st.sets(st.integers(0, 7 * weeks - 1), max_size=8)))
    working = frozenset(draw(st.sets(st.integers(0, 6), min_size=1, max_size=7)))
    return start, weeks, holidays, working


def _calendar_problem(rule: VisitRule, cal: tuple[date, int, frozenset[date], frozenset[int]]
                      ) -> Problem:
    start, weeks, holidays, working = cal
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CycleWarning)
        return Problem([Outlet("P", 43.7, 7.4, rule)],
                       [Rep("R", 43.7, 7.4, working_days=working)],
                       Horizon(start, weeks=weeks, holidays=holidays))


@settings(max_examples=60, deadline=None)
@given(cal=calendars(), least=st.integers(1, 30), extra=st.integers(0, 10),
       back=st.none() | st.integers(1, 40))
def test_interval_patterns_keep_their_gaps(
        cal: tuple[date, int, frozenset[date], frozenset[int]], least: int, extra: int,
        back: int | None) -> None:
    last = None if back is None else cal[0] - timedelta(days=back)
    rule = VisitRule(interval=(least, least + extra), last_visit=last)
    p = _calendar_problem(rule, cal)
    o, rep = p.outlets[0], p.reps[0]
    need = p.visits_of(o)
    span = 7 * p.horizon.weeks
    cyclic = rule.cyclic_visits(span) is not None
    pats = day_patterns(p, o, rep)
    assert len(pats) <= MAX_PATTERNS
    # full patterns, or else only short ones (the form met in part), all alike in size
    assert len({len(pat) for pat in pats}) <= 1
    short = bool(pats) and len(pats[0]) < need
    for pat in pats:
        dates = [p.planning_days[i] for i in pat]
        assert 0 < len(dates) <= need and dates == sorted(set(dates))
        assert len(dates) == need or not rule.lines
        assert all(rep.works_on(d) and d not in p.horizon.holidays for d in dates)
        if rule.lines:
            assert set(gaps(dates)) <= {least}
        else:
            assert all(least <= g <= least + extra for g in gaps(dates))
            assert (dates[0] - p.horizon.start).days < least + extra or last is not None
        if last is not None:
            assert least <= (dates[0] - last).days <= least + extra
        if cyclic and not short:
            around = (dates[0] - dates[-1]).days + span
            assert least <= around <= least + extra


@settings(max_examples=60, deadline=None)
@given(cal=calendars(), n=st.integers(1, 12))
def test_monthly_patterns_hold_each_months_share(
        cal: tuple[date, int, frozenset[date], frozenset[int]], n: int) -> None:
    p = _calendar_problem(VisitRule(per_month=n), cal)
    o, rep = p.outlets[0], p.reps[0]
    shares = month_shares(p.horizon.start, p.horizon.end, n)
    pats = day_patterns(p, o, rep)
    assert len(pats) <= 31
    owed = {(a.year, a.month): k for a, _, k in shares if k}
    full = [pat for pat in pats if len(pat) == p.visits_of(o)]
    assert not full or len(full) == len(pats)  # short patterns only when no full one fits
    for pat in pats:
        dates = [p.planning_days[i] for i in pat]
        assert dates == sorted(set(dates)) and 0 < len(dates) <= p.visits_of(o)
        assert all(rep.works_on(d) for d in dates)
        per_month = Counter((d.year, d.month) for d in dates)
        if full:
            assert owed == dict(per_month)
        else:
            assert all(k <= owed.get(m, 0) for m, k in per_month.items())
        assert all(g >= 1 for g in gaps(dates))


# -- plans through the API ----------------------------------------------------------------------


@pytest.mark.parametrize(("freq", "weeks", "start"), [
    ("every 14d", 4, MONDAY), ("every 2w", 4, MONDAY), ("every 10-14d", 5, MONDAY),
    ("every 7-10d", 4, MONDAY), ("4/month", 5, DEC1), ("2/month", 4, MONDAY),
])
def test_solve_meets_each_form(freq: str, weeks: int, start: date) -> None:
    p = problem(freq, weeks=weeks, start=start, n=5)
    plan = solve(p, SolveParams(max_iterations=30, seed=3)).validate()
    assert plan.unscheduled == ()
    rule = p.outlets[0].rule
    for o in p.outlets:
        dates = visit_dates(plan, o.id)
        assert len(dates) == p.visits_of(o)
        if rule.interval is not None:
            least, most = rule.interval
            assert all(least <= g <= most for g in gaps(dates))
        if rule.per_month is not None:
            counts = Counter((d.year, d.month) for d in dates)
            assert counts == {(a.year, a.month): k for a, _, k in month_shares(
                p.horizon.start, p.horizon.end, rule.per_month) if k}
    again = solve(p, SolveParams(max_iterations=30, seed=3))
    assert [(r.rep_id, r.date, [s.outlet_id for s in r.stops]) for r in again.routes] == [
        (r.rep_id, r.date, [s.outlet_id for s in r.stops]) for r in plan.routes]


# -- the checker --------------------------------------------------------------------------------


def _move(plan: object, outlet_id: str, old: date, new: date) -> object:
    """The plan with the route of ``old`` holding ``outlet_id`` moved to ``new``."""
    routes = list(plan.routes)  # type: ignore[attr-defined]
    k = next(k for k, r in enumerate(routes) if r.date == old
             and [s.outlet_id for s in r.stops] == [outlet_id])
    routes[k] = dataclasses.replace(routes[k], date=new)
    return dataclasses.replace(plan, routes=tuple(routes))  # type: ignore[type-var]


def test_checker_names_a_gap_outside_the_interval() -> None:
    p = problem("every 10-14d", weeks=5)
    plan = solve(p, SolveParams(max_iterations=10, seed=1)).validate()
    dates = visit_dates(plan, "P0")
    assert len(dates) == 3
    # the middle visit 5 days after the first: 5 days, then too long a gap
    bad = _move(plan, "P0", dates[1], dates[0] + timedelta(days=3))
    found = [v for v in violations(bad) if v.rule == "interval"]  # type: ignore[arg-type]
    assert found and found[0].where == "outlet P0"
    assert "3 days apart, not 10 to 14 (every 10-14d)" in found[0].message


def test_checker_names_the_gap_around_the_horizon() -> None:
    p = problem("every 10-14d", weeks=4)
    plan = solve(p, SolveParams(max_iterations=10, seed=1)).validate()
    first, second = visit_dates(plan, "P0")
    assert (second - first).days == 14
    # 10 days apart is inside the range, but around the 28-day horizon it leaves 18
    bad = _move(plan, "P0", second, first + timedelta(days=10))
    msgs = [str(v) for v in violations(bad)]  # type: ignore[arg-type]
    assert msgs == [f"outlet P0: the last visit {first + timedelta(days=10)} and the first "
                    f"{first} are 18 days apart around the 28-day horizon, not 10 to 14 "
                    "(every 10-14d)"]


def test_checker_names_a_month_with_the_wrong_count() -> None:
    p = problem("2/month", weeks=5, start=DEC1)  # Dec 1 - Jan 4: 2 in December, 0 in January
    plan = solve(p, SolveParams(max_iterations=10, seed=1)).validate()
    last = visit_dates(plan, "P0")[-1]
    bad = _move(plan, "P0", last, date(2027, 1, 4))
    msgs = sorted(str(v) for v in violations(bad))  # type: ignore[arg-type]
    assert msgs == [
        "outlet P0: 1 visit(s) in 2026-12, where 2/month owes 2 (31 of its 31 days in the "
        "horizon)",
        "outlet P0: 1 visit(s) in 2027-01, where 2/month owes 0 (4 of its 31 days in the "
        "horizon)"]


def test_checker_spacing_of_a_whole_week_interval() -> None:
    p = problem("every 14d", weeks=4)
    plan = solve(p, SolveParams(max_iterations=10, seed=1)).validate()
    second = visit_dates(plan, "P0")[1]
    bad = _move(plan, "P0", second, second + timedelta(days=1))
    assert {v.rule for v in violations(bad)} >= {"interval"}  # type: ignore[arg-type]


# -- the command line ---------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(("freq", "weeks", "visits"), [
    ("every 14d", "4", 2), ("every 2w", "4", 2), ("every 10-14d", "5", 3),
    ("every 7-10d", "4", 3), ("4/month", "4", 3), ("1/month", "4", 1),
])
def test_cli_plans_each_form(write_csv, outlet_rows, rep_rows, run_cli, freq: str, weeks: str,
                             visits: int) -> None:
    rows = [{**r, "frequency": freq} for r in outlet_rows]
    r = run_cli(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows),
                "--weeks", weeks)
    assert r.code == 0, r.err
    got = read_csv(r.out_dir / "visits.csv")
    assert read_csv(r.out_dir / "unscheduled.csv") == []
    for oid in ("P1", "P2"):
        dates = sorted(date.fromisoformat(v["date"]) for v in got if v["outlet_id"] == oid)
        assert len(dates) == visits
        rule = VisitRule.parse(freq)
        if rule.interval is not None:
            assert all(rule.interval[0] <= g <= rule.interval[1] for g in gaps(dates))


def test_cli_lists_the_visits_a_form_cannot_meet(write_csv, outlet_rows, rep_rows,
                                                  run_cli) -> None:
    rows = [{**r, "frequency": "every 10-14d"} for r in outlet_rows[:1]]
    holidays = ",".join(str(MONDAY + timedelta(days=k)) for k in range(7, 28))
    r = run_cli(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows),
                "--weeks", "4", "--holidays", holidays)
    assert r.code == 0, r.err
    missed = read_csv(r.out_dir / "unscheduled.csv")
    assert [(u["outlet_id"], u["reason"]) for u in missed] == [("P1", "no_pattern")]
    assert "every 10-14d: only 1 of its 2 visits fit the calendar" in missed[0]["message"]
    assert len([v for v in read_csv(r.out_dir / "visits.csv") if v["outlet_id"] == "P1"]) == 1


def test_cli_rejects_a_bad_form_with_its_line_and_column(write_csv, outlet_rows, rep_rows,
                                                         run_cli) -> None:
    rows = [outlet_rows[0], {**outlet_rows[1], "frequency": "every 10d"}]
    r = run_cli(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows), "--weeks", "4")
    assert r.code == 2
    assert "line 3" in r.err and "column 'frequency'" in r.err and "every 9-11d" in r.err


def test_the_schema_page_table_is_what_the_code_gives() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "csv-schema.md").read_text()
    rows = [ln for ln in page.splitlines()
            if re.match(r"\| `[^|]+` \| [0-9]+\*? \([0-9]+\) \|", ln)]
    horizons = [(MONDAY, 4), (date(2027, 2, 1), 4), (DEC1, 5)]
    assert len(rows) == 8
    for row in rows:
        forms, *cells, _ = (c.strip() for c in row.strip("|").split("|"))
        for form in (f.strip("` ") for f in forms.split(",")):
            got = []
            for start, weeks in horizons:
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter("always")
                    p = problem(form, weeks=weeks, start=start)
                pats = day_patterns(p, p.outlets[0], p.reps[0])
                got.append(f"{p.visits_of(p.outlets[0])}{'*' if w else ''} ({len(pats)})")
            assert got == cells, form


# -- re-planning ----------------------------------------------------------------------------------


def test_a_replan_keeps_each_form() -> None:
    from routeopt.replan import LogEntry, replan

    forms = ["every 14d", "every 10-14d", "every 7-10d", "4/month", "2/month"]
    outlets = [Outlet(f"P{i}", 43.70 + 0.004 * i, 7.40 + 0.003 * i, VisitRule.parse(f))
               for i, f in enumerate(forms)]
    with pytest.warns(CycleWarning):  # every 14d over 5 weeks
        p = Problem(outlets, [Rep("R", 43.70, 7.40)], Horizon(DEC1, weeks=5))
    params = SolveParams(max_iterations=20, seed=2)
    first = solve(p, params).validate()
    assert first.is_complete()
    today = DEC1 + timedelta(days=9)  # Thursday of week 2
    log = [LogEntry(s.outlet_id, r.rep_id, r.date, "done") for r, s in first.visits()
           if r.date < today]
    result = replan(p, first, log, today=today, params=params)
    plan = result.plan.validate()
    assert plan.unscheduled == ()
    for o in p.outlets:
        before = [d for d in visit_dates(first, o.id) if d >= today]
        assert visit_dates(plan, o.id) == before  # nothing happened: the rest as planned
    # a missed 4/month visit is made up within its month
    missed = visit_dates(first, "P3")[0]
    again = replan(p, first, [LogEntry("P3", "R", missed, "missed")],
                   today=missed + timedelta(days=1), params=params).plan.validate()
    makeups = [r.date for r, s in again.visits() if s.outlet_id == "P3" and s.label == "makeup"]
    assert len(makeups) == 1 and makeups[0].month == missed.month


def test_the_interval_counts_from_the_last_visit_before_the_plan() -> None:
    last = MONDAY - timedelta(days=4)  # the Thursday before
    p = problem("every 10-14d", weeks=4, last_visit=last)
    pats = day_patterns(p, p.outlets[0], p.reps[0])
    assert pats
    firsts = {p.planning_days[pat[0]] for pat in pats}
    assert all(10 <= (d - last).days <= 14 for d in firsts)
    plan = solve(p, SolveParams(max_iterations=10, seed=1)).validate()
    first = visit_dates(plan, "P0")[0]
    bad = _move(plan, "P0", first, last + timedelta(days=4))  # Monday, 4 days after
    assert f"the first visit {last + timedelta(days=4)} is 4 days after the last one before " \
        f"the plan ({last}), not 10 to 14 (every 10-14d)" in [
            v.message for v in violations(bad)]  # type: ignore[arg-type]
    with pytest.raises(InputError, match="last_visit 2026-11-30 is not before"):
        problem("every 10-14d", last_visit=MONDAY)


def test_a_replan_carries_the_last_visit_of_an_interval_rule() -> None:
    from routeopt.replan import LogEntry, replan_problem

    outlets = [Outlet("A", 43.70, 7.40, VisitRule.parse("every 7-10d")),
               Outlet("B", 43.71, 7.41, VisitRule.parse("2/week"))]
    p = Problem(outlets, [Rep("R", 43.70, 7.40)], Horizon(MONDAY, weeks=4))
    first = solve(p, SolveParams(max_iterations=10, seed=1)).validate()
    a = visit_dates(first, "A")
    today = a[1] + timedelta(days=1)
    new, _ = replan_problem(p, first, [], today=today)
    rules = {o.id: o.rule for o in new.outlets}
    assert rules["A"].last_visit == a[1] and rules["B"].last_visit is None
    # a missed visit broke the interval: counting from the visit before it would
    # leave no date in range, so the rest is planned afresh with its make-up
    late = a[0] + timedelta(days=11)  # after a[1], before a[2]
    assert a[1] < late < a[2]
    new, _ = replan_problem(p, first, [LogEntry("A", "R", a[1], "missed")], today=late)
    assert next(o for o in new.outlets if o.id == "A").rule.last_visit is None


def test_the_next_cycle_counts_its_first_interval_from_the_last_one(
        write_csv, outlet_rows, rep_rows, tmp_path: Path) -> None:
    from routeopt.cli import main

    rows = [{**r, "frequency": "every 7-10d"} for r in outlet_rows]
    outlets, reps = write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows)
    common = ["--outlets", str(outlets), "--reps", str(reps), "--iterations", "20", "--seed", "1"]
    assert main(["plan", *common, "--start", "2026-11-30", "--weeks", "4",
                 "--out", str(tmp_path / "c1")]) == 0
    # a 5-week cycle next: its own chains differ, the first gap still counts
    assert main(["plan", *common, "--start", "2026-12-28", "--weeks", "5",
                 "--out", str(tmp_path / "c2"), "--previous", str(tmp_path / "c1")]) == 0
    one = read_csv(tmp_path / "c1" / "visits.csv")
    two = read_csv(tmp_path / "c2" / "visits.csv")
    for oid in ("P1", "P2"):
        last = max(date.fromisoformat(v["date"]) for v in one if v["outlet_id"] == oid)
        dates = sorted(date.fromisoformat(v["date"]) for v in two if v["outlet_id"] == oid)
        assert 7 <= (dates[0] - last).days <= 10
        assert all(7 <= g <= 10 for g in gaps(dates))
    assert read_csv(tmp_path / "c2" / "unscheduled.csv") == []


def test_with_last_visits_counts_the_next_cycle_from_the_previous_one() -> None:
    from routeopt.plan import Plan, Route, Stop
    from routeopt.replan import with_last_visits

    friday = date(2026, 12, 25)  # the last visit of the previous cycle
    old = Plan(None, (Route("R", friday, 30600, 36000,  # type: ignore[arg-type]
                            (Stop("P0", 31000, 31000, 32000, 400, 3000),), 400, 3000),), (), {})
    p = problem("every 7-10d", weeks=4, start=date(2026, 12, 28))
    q = with_last_visits(p, old)
    assert q.outlets[0].rule.last_visit == friday
    plan = solve(q, SolveParams(max_iterations=10, seed=1)).validate()
    dates = visit_dates(plan, "P0")
    assert 7 <= (dates[0] - friday).days <= 10 and len(dates) == 3
    # a previous visit too long ago to continue from: the cycle starts afresh
    far = dataclasses.replace(old, routes=(dataclasses.replace(old.routes[0],
                                                               date=date(2026, 12, 11)),))
    assert with_last_visits(p, far).outlets[0].rule.last_visit is None
