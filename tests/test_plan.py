"""The plan's checker must catch every kind of broken plan."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from routeopt import (
    Break,
    Horizon,
    OpeningHours,
    Outlet,
    Plan,
    PlanValidationError,
    Problem,
    Rep,
    SolveParams,
    VisitRule,
    solve,
)

MONDAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def plan() -> Plan:
    hours = OpeningHours.parse("Mo-Fr 09:00-12:30,14:00-18:00")
    outlets = [
        Outlet(f"P{i}", 43.72 + 0.004 * (i % 5), 7.40 + 0.006 * (i // 5),
               VisitRule.parse("2/week" if i < 4 else "1/week"), service=1200, hours=hours,
               priority=1 + i % 3)
        for i in range(20)
    ]
    reps = [Rep("R1", 43.73, 7.41, lunch=Break.parse("12:00-14:00/45"), max_visits=8),
            Rep("R2", 43.73, 7.43, lunch=Break.parse("12:00-14:00/45"), max_visits=8)]
    # balanced days off: they spread these 56 visits so thin that no day reaches lunch,
    # and the checker's break tests need routes with a break
    return solve(Problem(outlets, reps, Horizon(MONDAY, weeks=2)),
                 SolveParams(max_iterations=100, balance_weight=0.0))


def with_stop(plan: Plan, r: int, s: int, **changes: object) -> Plan:
    routes = list(plan.routes)
    stops = list(routes[r].stops)
    stops[s] = dataclasses.replace(stops[s], **changes)  # type: ignore[arg-type]
    routes[r] = dataclasses.replace(routes[r], stops=tuple(stops))
    return dataclasses.replace(plan, routes=tuple(routes))


def with_route(plan: Plan, r: int, **changes: object) -> Plan:
    routes = list(plan.routes)
    routes[r] = dataclasses.replace(routes[r], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(plan, routes=tuple(routes))


def test_solved_plan_is_valid(plan: Plan) -> None:
    assert plan.validate() is plan
    assert plan.kpis()["coverage"] == 1.0


def test_start_before_opening_is_caught(plan: Plan) -> None:
    s = plan.routes[0].stops[0]
    bad = with_stop(plan, 0, 0, arrival=8 * 3600 - 100, start=8 * 3600, end=8 * 3600 + 1200)
    assert any("outside its opening hours" in v for v in bad.violations()), s


def test_visit_running_into_lunch_closure_is_caught(plan: Plan) -> None:
    bad = with_stop(plan, 0, 0, start=12 * 3600 + 1000, end=12 * 3600 + 2200)
    assert any("outside its opening hours" in v for v in bad.violations())


def test_wrong_travel_time_is_caught(plan: Plan) -> None:
    s = plan.routes[0].stops[1]
    bad = with_stop(plan, 0, 1, travel_s=s.travel_s + 60)
    assert any("matrix says" in v for v in bad.violations())


def test_arriving_too_early_is_caught(plan: Plan) -> None:
    r = plan.routes[0]
    prev_end = r.stops[0].end
    bad = with_stop(plan, 0, 1, arrival=prev_end)
    assert any("before it could get there" in v for v in bad.violations())


def test_shorter_visit_is_caught(plan: Plan) -> None:
    s = plan.routes[0].stops[0]
    bad = with_stop(plan, 0, 0, end=s.end - 60)
    assert any("lasts" in v for v in bad.violations())


def test_late_return_is_caught(plan: Plan) -> None:
    bad = with_route(plan, 0, back=19 * 3600)
    assert any("after the shift ends" in v for v in bad.violations())


def test_missing_break_is_caught(plan: Plan) -> None:
    r = next(i for i, r in enumerate(plan.routes) if r.break_start is not None)
    bad = with_route(plan, r, break_start=None, break_end=None)
    assert any("no break" in v for v in bad.violations())


def test_break_over_a_visit_is_caught(plan: Plan) -> None:
    i, r = next((i, r) for i, r in enumerate(plan.routes) if r.break_start is not None)
    s = r.stops[0]
    bad = with_route(plan, i, break_start=s.start, break_end=s.start + 2700)
    assert any("break overlaps a visit" in v for v in bad.violations())


def test_dropped_visit_is_caught(plan: Plan) -> None:
    r = plan.routes[0]
    bad = with_route(plan, 0, stops=r.stops[1:])
    assert any("required" in v for v in bad.violations())


def test_visit_moved_to_a_weekend_is_caught(plan: Plan) -> None:
    plan.routes[0]
    bad = with_route(plan, 0, date=MONDAY + timedelta(days=5))
    v = bad.violations()
    assert any("does not work that day" in x for x in v)


def test_visit_moved_to_another_weekday_breaks_the_route_line(plan: Plan) -> None:
    # move one route to the next day: its weekly outlets now have two weekdays
    i = next(i for i, r in enumerate(plan.routes)
             if r.date.weekday() < 4 and not any(
                 x.rep_id == r.rep_id and x.date == r.date + timedelta(days=1)
                 for x in plan.routes))
    r = plan.routes[i]
    bad = with_route(plan, i, date=r.date + timedelta(days=1))
    assert any("route line" in v or "apart" in v or "outside" in v for v in bad.violations())


def test_too_many_visits_is_caught(plan: Plan) -> None:
    r = plan.routes[0]
    p2 = dataclasses.replace(plan, problem=plan.problem.replace(
        reps=tuple(dataclasses.replace(x, max_visits=1) for x in plan.problem.reps)))
    assert len(r.stops) > 1
    assert any("max_visits" in v for v in p2.violations())


def test_validate_raises_with_every_violation(plan: Plan) -> None:
    bad = with_route(plan, 0, back=19 * 3600, depart=6 * 3600)
    with pytest.raises(PlanValidationError) as e:
        bad.validate()
    assert len(e.value.violations) >= 2
    assert isinstance(e.value, AssertionError)


def test_exports(plan: Plan, tmp_path: Path) -> None:
    files = plan.write(tmp_path / "out")
    assert set(files) == {"visits.csv", "routes.csv", "unscheduled.csv", "summary.json",
                          "plan.json", "outlets.csv", "reps.csv", "manifest.json"}
    visits = pd.read_csv(files["visits.csv"])
    for col in ("rep_id", "date", "seq", "outlet_id", "arrival", "start", "end", "travel_s",
                "distance_m"):
        assert col in visits.columns
    assert len(visits) == plan.scheduled_visits
    assert pd.to_datetime(visits["start"]).dt.date.astype(str).tolist() == visits["date"].tolist()
    summary = json.loads(files["summary.json"].read_text())
    for key in ("required_visits", "scheduled_visits", "coverage", "travel_s", "distance_m",
                "solve_s"):
        assert key in summary
    assert summary["travel_s"] == sum(r.travel_s for r in plan.routes)
    unscheduled = pd.read_csv(files["unscheduled.csv"])
    assert list(unscheduled.columns[:2]) == ["outlet_id", "name"]
    assert "reason" in unscheduled.columns
    full = json.loads(files["plan.json"].read_text())
    assert sum(len(r["stops"]) for r in full["routes"]) == plan.scheduled_visits
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_to_frame_and_summary(plan: Plan) -> None:
    df = plan.to_frame()
    assert len(df) == plan.scheduled_visits
    assert df.groupby(["rep_id", "date"])["seq"].apply(
        lambda s: list(s) == list(range(1, len(s) + 1))).all()
    text = plan.summary()
    assert "20 outlets" in text and "scheduled (100.0%)" in text


# -- the outlets' address and extra columns in the plan's files ----------------------------
def test_visits_and_unscheduled_carry_the_address_and_extra_columns(attr_plan: Plan,
                                                                    tmp_path: Path) -> None:
    import csv

    from routeopt.plan import UNSCHEDULED_COLUMNS, VISIT_COLUMNS

    files = attr_plan.write(tmp_path / "out")
    outlets = {o.id: o for o in attr_plan.problem.outlets}
    with files["visits.csv"].open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == [*VISIT_COLUMNS, "phone", "Contact"]
        visits = list(reader)
    assert len(visits) == attr_plan.scheduled_visits
    for v in visits:
        o = outlets[v["outlet_id"]]
        assert (v["address"], v["phone"], v["Contact"]) == (
            o.address, o.attributes["phone"], o.attributes["Contact"])
    with files["unscheduled.csv"].open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == [*UNSCHEDULED_COLUMNS, "phone", "Contact"]
        assert [(u["outlet_id"], u["phone"], u["Contact"]) for u in reader] == [
            ("FAR", "+377 93 00 00 04", "Contact 4")] * 2
    doc = json.loads(files["plan.json"].read_text())
    stop = doc["routes"][0]["stops"][0]
    o = outlets[stop["outlet_id"]]
    assert (stop["name"], stop["address"], stop["attributes"]) == (
        o.name, o.address, dict(o.attributes))
    assert list(stop["attributes"]) == ["phone", "Contact"]
    assert doc["unscheduled"][0]["attributes"] == {"phone": "+377 93 00 00 04",
                                                   "Contact": "Contact 4"}
    df = attr_plan.to_frame()
    assert list(df.columns) == [*VISIT_COLUMNS, "phone", "Contact"]


def test_outlets_with_different_extra_columns_share_one_header(attr_plan: Plan) -> None:
    import dataclasses

    outlets = list(attr_plan.problem.outlets)
    outlets[0] = dataclasses.replace(outlets[0], attributes={"class": "A", "phone": "1"})
    problem = dataclasses.replace(attr_plan.problem, outlets=tuple(outlets))
    plan = dataclasses.replace(attr_plan, problem=problem)
    assert plan.extra_columns() == ["class", "phone", "Contact"]
    rows = {r["outlet_id"]: r for r in plan.visit_rows()}
    assert (rows["P0"]["class"], rows["P0"]["Contact"]) == ("A", "")
    assert rows["P1"]["class"] == ""


def test_text_with_carriage_returns_reads_back_whole(attr_plan: Plan, tmp_path: Path) -> None:
    """A CRM note with Windows line breaks inside a cell: quoted, so the row stays one row."""
    from routeopt.replan import read_plan

    outlets = [dataclasses.replace(o, name=f"{o.name}\r\nfloor 2",
                                   attributes={**o.attributes, "Contact": "a\rb"})
               for o in attr_plan.problem.outlets]
    problem = dataclasses.replace(attr_plan.problem, outlets=tuple(outlets))
    plan = dataclasses.replace(attr_plan, problem=problem)
    files = plan.write(tmp_path / "out")
    visits = pd.read_csv(files["visits.csv"], keep_default_na=False, dtype=str)
    assert len(visits) == plan.scheduled_visits
    assert set(visits["Contact"]) == {"a\rb"}
    assert visits["name"].str.endswith("\r\nfloor 2").all()
    assert read_plan(tmp_path / "out", problem).routes == plan.routes  # the folder checks pass
