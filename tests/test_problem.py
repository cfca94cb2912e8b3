from __future__ import annotations

import warnings
from datetime import date
from fractions import Fraction

import pytest

from routeopt import (
    Appointment,
    CycleWarning,
    ExtraVisit,
    Horizon,
    InputError,
    OpeningHours,
    Outlet,
    Problem,
    Rep,
    TimeWindow,
    VisitRule,
)
from routeopt.problem import parse_frequency, parse_priority

MONDAY = date(2026, 11, 30)


def outlet(oid: str = "P1", freq: str = "1/week", **kw: object) -> Outlet:
    return Outlet(oid, 43.73, 7.42, VisitRule.parse(freq), **kw)  # type: ignore[arg-type]


def rep(rid: str = "R1", **kw: object) -> Rep:
    return Rep(rid, 43.74, 7.42, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2/week", Fraction(2)), ("1/week", Fraction(1)), ("1/2weeks", Fraction(1, 2)),
     ("1/4weeks", Fraction(1, 4)), ("3/4 weeks", Fraction(3, 4)), ("weekly", Fraction(1)),
     ("0.5", Fraction(1, 2)), (2, Fraction(2))],
)
def test_parse_frequency(text: str, expected: Fraction) -> None:
    assert parse_frequency(text) == expected


@pytest.mark.parametrize("text", ["often", "2/month", "-1", "1/0weeks", ""])
def test_parse_frequency_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"frequency|weeks"):
        parse_frequency(text)


def test_parse_priority() -> None:
    assert [parse_priority(x) for x in ("A", "b", "C", "1", 9, None, "")] == [1, 2, 3, 1, 9, 2, 2]
    with pytest.raises(ValueError, match="A, B, C"):
        parse_priority("Z")
    with pytest.raises(ValueError, match="1-9"):
        parse_priority(12)


def test_required_visits_over_a_cycle() -> None:
    p = Problem([outlet("A", "2/week"), outlet("B", "1/2weeks"), outlet("C", "1/4weeks")],
                [rep()], Horizon(MONDAY, weeks=4))
    assert [p.visits_of(o) for o in p.outlets] == [8, 2, 1]
    assert p.required_visits == 11
    assert len(p.planning_days) == 20


def test_cycle_warning_when_frequency_does_not_divide_horizon() -> None:
    with pytest.warns(CycleWarning, match="does not divide"):
        Problem([outlet("B", "1/2weeks")], [rep()], Horizon(MONDAY, weeks=1))


def test_no_warning_for_whole_cycles() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Problem([outlet("B", "1/2weeks")], [rep()], Horizon(MONDAY, weeks=2))


def test_problem_is_frozen_and_replace_validates() -> None:
    p = Problem([outlet()], [rep()], Horizon(MONDAY))
    with pytest.raises(AttributeError):
        p.outlets = ()  # type: ignore[misc]
    q = p.replace(horizon=Horizon(MONDAY, weeks=2))
    assert q.required_visits == 2 and p.required_visits == 1
    with pytest.raises(InputError, match="no outlets"):
        p.replace(outlets=())


def test_all_problems_reported_at_once() -> None:
    with pytest.raises(InputError) as e:
        Problem([outlet("P1"), outlet("P1"), outlet("P2", rep_id="R9")], [rep()],
                Horizon(MONDAY))
    text = str(e.value)
    assert "'P1' appears more than once" in text
    assert "rep 'R9' is not in the reps table" in text
    assert len(e.value.issues) == 2


def test_frequency_that_cannot_fit_allowed_days() -> None:
    o = Outlet("P1", 43.7, 7.4, VisitRule.parse("2/week", "Mo"))
    with pytest.raises(InputError, match=r"outlet 'P1'.*2/week cannot fit the allowed days \(Mo\)"):
        Problem([o], [rep()], Horizon(MONDAY))


def test_frequency_that_cannot_fit_open_days() -> None:
    o = outlet("P1", "2/week", hours=OpeningHours.parse("Mo,Tu 09:00-18:00"))
    with pytest.raises(InputError, match="cannot fit"):
        Problem([o], [rep()], Horizon(MONDAY))


def test_window_shorter_than_service() -> None:
    o = outlet("P1", service=1800, hours=OpeningHours.parse("Mo-Fr 09:00-09:10"))
    with pytest.raises(InputError, match=r"no opening window .* as long as the 30-minute visit"):
        Problem([o], [rep()], Horizon(MONDAY))


def test_appointment_on_closed_day() -> None:
    o = outlet("P1", hours=OpeningHours.parse("Mo-Fr 09:00-18:00"),
               appointments=(Appointment.parse("2026-12-05 10:00"),))
    with pytest.raises(InputError, match=r"appointment on 2026-12-05 \(Sa\).*closed"):
        Problem([o], [rep()], Horizon(MONDAY))


def test_appointment_outside_horizon() -> None:
    o = outlet("P1", appointments=(Appointment.parse("2027-01-05 10:00"),))
    with pytest.raises(InputError, match="outside the horizon"):
        Problem([o], [rep()], Horizon(MONDAY))


def test_rep_checks() -> None:
    with pytest.raises(InputError, match="no working days"):
        rep(working_days=frozenset())
    with pytest.raises(InputError, match="travel mode"):
        rep(mode="rocket")
    with pytest.raises(InputError, match="out of range"):
        Rep("R", 123.0, 7.0)


def test_outlet_coordinate_checks() -> None:
    with pytest.raises(InputError, match=r"lat.*not a number"):
        Outlet("P", float("nan"), 7.0)
    with pytest.raises(InputError, match=r"lon.*out of range"):
        Outlet("P", 43.0, 700.0)


def test_windows_on_a_date_shrink_by_service() -> None:
    o = outlet(service=1200, hours=OpeningHours.parse("Mo-Fr 08:30-12:30,14:00-19:00"))
    p = Problem([o], [rep()], Horizon(MONDAY))
    assert p.windows(o, MONDAY) == (TimeWindow.parse("08:30-12:10"),
                                    TimeWindow.parse("14:00-18:40"))
    assert p.windows(o, date(2026, 12, 5)) == ()


def test_appointment_replaces_hours_on_its_date() -> None:
    o = outlet(appointments=(Appointment.parse("2026-12-01 10:00-10:30"),))
    p = Problem([o], [rep()], Horizon(MONDAY))
    assert p.windows(o, date(2026, 12, 1)) == (TimeWindow.parse("10:00-10:30"),)


def test_points_order_outlets_then_rep_start_and_end() -> None:
    r = Rep("R1", 43.0, 7.0, end_lat=44.0, end_lon=8.0)
    p = Problem([outlet()], [r], Horizon(MONDAY))
    assert [(pt.lat, pt.lon) for pt in p.points()] == [(43.73, 7.42), (43.0, 7.0), (44.0, 8.0)]


def test_holidays_and_days_off_remove_planning_days() -> None:
    hol = frozenset({date(2026, 12, 8)})
    p = Problem([outlet()], [rep(days_off=frozenset({date(2026, 12, 9)}))],
                Horizon(MONDAY, weeks=2, holidays=hol))
    assert date(2026, 12, 8) not in p.planning_days
    assert date(2026, 12, 9) not in p.planning_days  # the only rep is off
    assert len(p.planning_days) == 8


# -- re-planning features: pinned appointments, extra visits, plan_from ------------------
TEN = TimeWindow(36000, 36000)


@pytest.mark.parametrize(("outlets", "reps", "kw", "match"), [
    ([outlet(appointments=(Appointment(date(2026, 12, 1), TEN, "R9"),))], [rep()], {},
     "pinned to rep 'R9', who is not in the reps table"),
    ([outlet(appointments=(Appointment(date(2026, 12, 1), TEN, "R2"),))],
     [rep(), rep("R2", working_days=frozenset({0}))], {}, "who does not work that day"),
    ([outlet(freq="2/week", appointments=(Appointment(date(2026, 12, 1), TEN, "R1"),
                                          Appointment(date(2026, 12, 3), TEN, "R2")))],
     [rep(), rep("R2")], {}, "one rep makes every visit"),
    ([outlet(extra_visits=(ExtraVisit(date(2026, 12, 5), date(2026, 12, 6)),))], [rep()], {},
     "has no planning day in its window"),
    ([outlet(extra_visits=(ExtraVisit(date(2026, 12, 1), date(2026, 12, 2), rep_id="R7"),))],
     [rep()], {}, "names rep 'R7'"),
    ([outlet(appointments=(Appointment(date(2026, 11, 30), TEN),))], [rep()],
     {"plan_from": date(2026, 12, 1)}, "before the planned part of the horizon"),
    ([outlet()], [rep()], {"plan_from": date(2027, 1, 1)}, "plan_from 2027-01-01 is outside"),
])
def test_replanning_features_are_validated(outlets: list[Outlet], reps: list[Rep],
                                           kw: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        Problem(outlets, reps, Horizon(MONDAY), **kw)  # type: ignore[arg-type]


def test_extra_visit_checks_itself() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        ExtraVisit(date(2026, 12, 2), date(2026, 12, 1))
    with pytest.raises(ValueError, match="priority 0 is out of range"):
        ExtraVisit(date(2026, 12, 1), date(2026, 12, 2), priority=0)


def test_sub_horizon_counts_and_locked_days() -> None:
    o = Outlet("P1", 43.73, 7.42, VisitRule(per_week=Fraction(1), visits=2))
    p = Problem([o], [rep()], Horizon(MONDAY, weeks=4), plan_from=date(2026, 12, 9),
                locked=frozenset({date(2026, 12, 9)}))
    assert p.planning_days[0] == date(2026, 12, 9)
    assert p.visits_of(o) == 2
    assert p.windows(o, date(2026, 12, 9)) == ()  # locked: only appointments
    assert p.windows(o, date(2026, 12, 10)) != ()
    from routeopt.patterns import day_patterns

    days = p.planning_days
    pats = {tuple(days[i] for i in pat) for pat in day_patterns(p, o, p.reps[0])}
    # the Monday line has 2 dates left (weeks 3 and 4); Thursday's 3, the latest 2 kept
    assert (date(2026, 12, 14), date(2026, 12, 21)) in pats
    assert (date(2026, 12, 17), date(2026, 12, 24)) in pats
    assert all(d != date(2026, 12, 9) for pat in pats for d in pat)


# -- Outlet.attributes ---------------------------------------------------------------------
def test_outlet_attributes_are_a_read_only_ordered_mapping_and_keep_outlets_hashable() -> None:
    import pickle

    from routeopt import Outlet

    a = Outlet("A", 43.73, 7.42, attributes={"phone": "1", "contact": "x"})
    b = Outlet("A", 43.73, 7.42, attributes={"contact": "x", "phone": "1"})
    assert list(a.attributes) == ["phone", "contact"]
    assert a == b and hash(a) == hash(b)  # order aside, as for dict
    assert a != Outlet("A", 43.73, 7.42, attributes={"phone": "2", "contact": "x"})
    assert Outlet("A", 43.73, 7.42) == Outlet("A", 43.73, 7.42, attributes={})
    assert pickle.loads(pickle.dumps(a)) == a  # parallel searches send outlets to processes
    with pytest.raises(TypeError):
        a.attributes["phone"] = "3"  # type: ignore[index]
    source = {"phone": "1"}
    c = Outlet("A", 43.73, 7.42, attributes=source)
    source["phone"] = "changed"
    assert c.attributes["phone"] == "1"  # a copy, not the caller's dict


@pytest.mark.parametrize(("attributes", "match"), [
    ({"phone": 377}, r"Outlet\.attributes\['phone'\] must be text \(a str\), not 377 \(int\)"),
    ({1: "x"}, r"but it holds the key 1 \(int\)"),
    ("phone", r"Outlet\.attributes must be a mapping of column name to text"),
])
def test_outlet_attributes_of_the_wrong_type(attributes: object, match: str) -> None:
    from routeopt import InputTypeError, Outlet

    with pytest.raises(InputTypeError, match=match):
        Outlet("A", 43.73, 7.42, attributes=attributes)  # type: ignore[arg-type]


def test_outlet_attributes_may_not_take_routeopt_column_names() -> None:
    from routeopt import InputError, Outlet
    from routeopt.plan import (
        OUTLETS_FILE_COLUMNS,
        UNSCHEDULED_COLUMNS,
        VISIT_COLUMNS,
    )
    from routeopt.problem import RESERVED_COLUMNS
    from routeopt.read import OUTLET_COLUMNS

    own = {*OUTLET_COLUMNS["required"], *OUTLET_COLUMNS["optional"], *VISIT_COLUMNS,
           *UNSCHEDULED_COLUMNS, *OUTLETS_FILE_COLUMNS, "label"}
    assert own <= RESERVED_COLUMNS
    with pytest.raises(InputError, match=r"outlet 'A', column 'Start': the extra column 'Start'"
                                         r" has the name of one of routeopt's own columns"):
        Outlet("A", 43.73, 7.42, attributes={"Start": "x"})
    with pytest.raises(InputError, match="an extra column has no name"):
        Outlet("A", 43.73, 7.42, attributes={" ": "x"})
