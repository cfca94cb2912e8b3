from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from routeopt import Appointment, Horizon, OpeningHours, Outlet, Problem, Rep, VisitRule
from routeopt.patterns import day_patterns, short_pattern_message, weekday_lines

MONDAY = date(2026, 11, 30)


def make(freq: str, weeks: int = 1, allowed: str | None = None, **kw: object) -> Problem:
    o = Outlet("P", 43.7, 7.4, VisitRule.parse(freq, allowed), **kw)  # type: ignore[arg-type]
    return Problem([o], [Rep("R", 43.7, 7.4)], Horizon(MONDAY, weeks=weeks))


def weekdays(p: Problem, pat: tuple[int, ...]) -> list[str]:
    return [p.planning_days[i].strftime("%a") for i in pat]


def test_twice_a_week_lines_are_spread() -> None:
    p = make("2/week")
    pats = day_patterns(p, p.outlets[0], p.reps[0])
    assert [weekdays(p, x) for x in pats] == [
        ["Mon", "Wed"], ["Mon", "Thu"], ["Tue", "Thu"], ["Tue", "Fri"], ["Wed", "Fri"]]


def test_weekly_keeps_the_same_weekday_every_week() -> None:
    p = make("1/week", weeks=4)
    pats = day_patterns(p, p.outlets[0], p.reps[0])
    assert len(pats) == 5
    for pat in pats:
        assert len(pat) == 4 and len(set(weekdays(p, pat))) == 1


def test_fortnightly_over_four_weeks() -> None:
    p = make("1/2weeks", weeks=4)
    pats = day_patterns(p, p.outlets[0], p.reps[0])
    assert len(pats) == 10  # 5 weekdays x 2 phases
    for pat in pats:
        d1, d2 = (p.planning_days[i] for i in pat)
        assert (d2 - d1).days == 14


def test_twice_a_week_over_four_weeks_repeats_the_pair() -> None:
    p = make("2/week", weeks=4)
    for pat in day_patterns(p, p.outlets[0], p.reps[0]):
        assert len(pat) == 8
        assert len(set(weekdays(p, pat))) == 2


def test_allowed_days_and_closed_days() -> None:
    p = make("1/week", allowed="Mo,We,Fr", hours=OpeningHours.parse("Mo-Th 09:00-18:00"))
    pats = day_patterns(p, p.outlets[0], p.reps[0])
    assert [weekdays(p, x) for x in pats] == [["Mon"], ["Wed"]]


def test_holiday_moves_the_line_visit_to_a_neighbouring_day() -> None:
    o = Outlet("P", 43.7, 7.4, VisitRule.parse("1/week"))
    p = Problem([o], [Rep("R", 43.7, 7.4)],
                Horizon(MONDAY, weeks=2, holidays=frozenset({date(2026, 12, 8)})))
    pats = day_patterns(p, o, p.reps[0])
    assert ["Tue", "Tue"] not in [weekdays(p, x) for x in pats]
    assert ["Tue", "Mon"] in [weekdays(p, x) for x in pats]  # Tuesday 8th: the Monday before
    assert len(pats) == 5


def test_a_day_the_outlet_is_closed_moves_the_line_visit_too() -> None:
    # closed on Tuesday 8th (stocktaking): the visit is still owed, so it moves
    hours = dataclasses.replace(OpeningHours.parse("Mo-Fr 08:00-18:00"),
                                closed_dates=frozenset({date(2026, 12, 8)}))
    o = Outlet("P", 43.7, 7.4, VisitRule.parse("1/week"), hours=hours)
    p = Problem([o], [Rep("R", 43.7, 7.4)], Horizon(MONDAY, weeks=2))
    pats = [weekdays(p, x) for x in day_patterns(p, o, p.reps[0])]
    assert ["Tue", "Mon"] in pats and ["Tue", "Tue"] not in pats
    assert all(len(x) == 2 for x in pats)


def test_a_closed_day_the_count_leaves_out_drops_the_visit() -> None:
    # a re-plan puts a cancelled visit's date among the closed dates and owes one
    # visit less: the line's visit of that week is dropped, not moved
    hours = dataclasses.replace(OpeningHours.parse("Mo-Fr 08:00-18:00"),
                                closed_dates=frozenset({date(2026, 12, 8)}))
    rule = dataclasses.replace(VisitRule.parse("1/week"), visits=1)
    o = Outlet("P", 43.7, 7.4, rule, hours=hours)
    p = Problem([o], [Rep("R", 43.7, 7.4)], Horizon(MONDAY, weeks=2))
    pats = [weekdays(p, x) for x in day_patterns(p, o, p.reps[0])]
    assert ["Tue"] in pats
    assert ["Mon", "Tue"] not in pats and all(len(x) == 1 for x in pats)


def cn_dates(freq: str, start: date, weeks: int, **kw: object) -> list[list[str]]:
    o = Outlet("P", 39.9, 116.4, VisitRule.parse(freq), **kw)  # type: ignore[arg-type]
    p = Problem([o], [Rep("R", 39.9, 116.4)], Horizon(start, weeks=weeks, country="CN"))
    return [[p.planning_days[i].strftime("%a %m-%d") for i in pat]
            for pat in day_patterns(p, o, p.reps[0])]


def test_spring_festival_monday_moves_to_the_next_usable_day() -> None:
    # 2026: Feb 15-23 off, Sat Feb 14 and Sat Feb 28 worked in exchange
    pats = cn_dates("1/week", date(2026, 2, 23), weeks=2)
    assert ["Tue 02-24", "Mon 03-02"] in pats  # Monday 23rd is off: the Tuesday
    assert all(len(x) == 2 for x in pats)


def test_moved_visit_keeps_the_spacing_to_the_next_one() -> None:
    # (Mo, We) with Monday 23rd off: Tuesday is 1 working day before Wednesday, less
    # than the line's gap of 2, so the visit goes to Friday, 2 working days after it
    pats = cn_dates("2/week", date(2026, 2, 23), weeks=1)
    assert ["Wed 02-25", "Fri 02-27"] in pats
    assert ["Tue 02-24", "Wed 02-25"] not in pats


def test_moved_visit_stays_on_allowed_weekdays() -> None:
    assert ["Tue 02-24"] in cn_dates("1/week", date(2026, 2, 23), weeks=1)
    o = Outlet("P", 39.9, 116.4, VisitRule.parse("1/week", "Mo,We"))
    p = Problem([o], [Rep("R", 39.9, 116.4)], Horizon(date(2026, 2, 23), weeks=1, country="CN"))
    assert [weekdays(p, x) for x in day_patterns(p, o, p.reps[0])] == [["Wed"]]
    # the Monday line cannot move to Tuesday, not an allowed day; Wednesday is a line already


def test_week_without_a_usable_day_skips_the_visit_with_its_reason() -> None:
    # Feb 16-22, 2026: the whole week off
    pats = cn_dates("1/week", date(2026, 2, 9), weeks=3)
    assert pats and all(len(x) == 2 for x in pats)
    assert ["Tue 02-10", "Tue 02-24"] in pats
    assert ["Mon 02-09", "Tue 02-24"] in pats  # the Monday line skips the 16th, moves the 23rd
    o = Outlet("P", 39.9, 116.4, VisitRule.parse("1/week"))
    p = Problem([o], [Rep("R", 39.9, 116.4)], Horizon(date(2026, 2, 9), weeks=3, country="CN"))
    assert short_pattern_message(p, o, 2).startswith(
        "1/week on a route line: a week gives a visit no usable day")


def test_interval_rules_are_not_moved() -> None:
    # every 10-14d has its own gaps: its dates avoid the holidays, nothing is moved
    pats = cn_dates("every 10-14d", date(2026, 2, 9), weeks=4)
    for x in pats:
        assert not any("02-16" <= d[4:] <= "02-23" for d in x)


def test_explicit_patterns_are_used_as_given() -> None:
    rule = VisitRule(patterns=((0, 2), (1, 3), (0, 4)))
    o = Outlet("P", 43.7, 7.4, rule, hours=OpeningHours.parse("Mo-Th 09:00-18:00"))
    p = Problem([o], [Rep("R", 43.7, 7.4)], Horizon(MONDAY))
    assert day_patterns(p, o, p.reps[0]) == [(0, 2), (1, 3)]  # Friday is closed


def test_appointment_replaces_the_nearest_line_visit() -> None:
    p = make("1/week", weeks=2, appointments=(Appointment.parse("2026-12-09 10:00"),))
    for pat in day_patterns(p, p.outlets[0], p.reps[0]):
        dates = [p.planning_days[i] for i in pat]
        assert date(2026, 12, 9) in dates and len(dates) == 2
        assert dates[0] < date(2026, 12, 7)  # the first week keeps its line


def test_rep_working_days_shape_the_lines() -> None:
    o = Outlet("P", 43.7, 7.4, VisitRule.parse("2/week"))
    r = Rep("R", 43.7, 7.4, working_days=frozenset({0, 1, 2}))
    lines = weekday_lines(o, r, weeks=1)
    assert lines == [((0, 0), (0, 1)), ((0, 0), (0, 2)), ((0, 1), (0, 2))]


@pytest.mark.parametrize("freq", ["1/week", "2/week", "1/2weeks", "1/4weeks"])
def test_every_pattern_has_the_required_visits_on_distinct_open_days(freq: str) -> None:
    p = make(freq, weeks=4, hours=OpeningHours.parse("Mo-Fr 09:00-12:00; We off"))
    o = p.outlets[0]
    pats = day_patterns(p, o, p.reps[0])
    assert pats
    for pat in pats:
        assert len(set(pat)) == p.visits_of(o)
        assert all(p.planning_days[i].weekday() != 2 for i in pat)
