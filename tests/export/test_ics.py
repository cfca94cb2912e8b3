"""Calendars: one ICS file per rep, read back by two parsers that share no code.

``icalendar`` writes the files and reads them back; ``vobject`` reads them
too, on its own: it builds each event's time zone from the file's VTIMEZONE
(dateutil's ``tzical``), where icalendar looks the TZID up in the system's
zone database. (The ``ics`` package, the other candidate, ignores VTIMEZONE:
an event with a TZID it does not know by name comes out in UTC.) The plans are
real: the Monaco example's outlets over four weeks of March and April 2027,
across the switch to summer time, solved and re-planned with a fixed number of
iterations.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from routeopt import (
    CycleWarning,
    Horizon,
    InputError,
    Outlet,
    Plan,
    Problem,
    Rep,
    Route,
    SolveParams,
    Stop,
    VisitRule,
    solve,
)
from routeopt.export._cli import OUTPUTS, ExportOptions, write_exports
from routeopt.export.ics import TimeZoneWarning, calendar, write_calendars
from routeopt.read import read_problem
from routeopt.replan import Replan, read_plan, replan

ROOT = Path(__file__).resolve().parents[2]
MONACO = ROOT / "examples" / "data" / "monaco"
ZONE = "Europe/Monaco"
START = date(2027, 3, 15)  # a Monday; summer time starts on Sunday 2027-03-28
TODAY = date(2027, 3, 17)  # the Wednesday of the first week
STAMP = datetime(2027, 3, 14, 20, 0, tzinfo=UTC)
LATER = datetime(2027, 3, 16, 20, 0, tzinfo=UTC)
PARAMS = SolveParams(max_iterations=40, seed=0)


# -- reading the files back ----------------------------------------------------------
def by_icalendar(path: Path) -> dict[str, dict[str, Any]]:
    """Each event of the file by UID, as icalendar reads it."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    out = {}
    for e in cal.walk("VEVENT"):
        start = e.decoded("DTSTART")
        geo = e.get("GEO")
        out[str(e["UID"])] = {
            "outlet": str(e["X-ROUTEOPT-OUTLET"]), "label": str(e.get("X-ROUTEOPT-LABEL", "")),
            "start": start, "end": e.decoded("DTEND"), "tzid": e["DTSTART"].params.get("TZID"),
            "sequence": int(e["SEQUENCE"]), "status": str(e["STATUS"]),
            "summary": str(e["SUMMARY"]), "location": str(e.get("LOCATION", "")),
            "description": str(e["DESCRIPTION"]), "stamp": e.decoded("DTSTAMP"),
            "geo": (geo.latitude, geo.longitude) if geo is not None else None,
        }
    return out


def by_vobject(path: Path) -> dict[str, dict[str, Any]]:
    """Each event of the file by UID, as vobject reads it (time zones from VTIMEZONE)."""
    cal = vobject.readOne(path.read_text(encoding="utf-8"))
    out = {}
    for e in cal.contents.get("vevent", []):
        lat, lon = e.geo.value.split(";")
        out[e.uid.value] = {
            "outlet": e.contents["x-routeopt-outlet"][0].value, "start": e.dtstart.value,
            "end": e.dtend.value,
            "tzid": e.dtstart.params.get("X-VOBJ-ORIGINAL-TZID", [None])[0],
            "sequence": int(e.sequence.value), "status": e.status.value,
            "summary": e.summary.value, "location": e.location.value,
            "description": e.description.value, "geo": (float(lat), float(lon)),
        }
    return out


def wall(t: datetime) -> datetime:
    return t.replace(tzinfo=None)


def planned(plan: Plan, rep_id: str, since: date = date.min) -> Counter[tuple[str, datetime,
                                                                            datetime]]:
    """The rep's visits from ``since`` on: (outlet, local start, local end)."""
    return Counter((s.outlet_id, datetime.combine(r.date, time()) + timedelta(seconds=s.start),
                    datetime.combine(r.date, time()) + timedelta(seconds=s.end))
                   for r, s in plan.visits() if r.rep_id == rep_id and r.date >= since)


def shown(events: Mapping[str, Mapping[str, Any]], since: date = date.min,
          status: str = "CONFIRMED") -> Counter[tuple[str, datetime, datetime]]:
    return Counter((e["outlet"], wall(e["start"]), wall(e["end"])) for e in events.values()
                   if e["status"] == status and e["start"].date() >= since)


# -- the plans -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def problem() -> Problem:
    """14 outlets of the Monaco example (weekly, twice weekly, fortnightly, monthly)
    and its rep R1, over four weeks."""
    outlets = pd.read_csv(MONACO / "outlets.csv", dtype=str, keep_default_na=False)
    outlets["rep_id"] = ""  # one rep here
    picked = ["MC-0002", "MC-0003", *(f"MC-00{k}" for k in range(39, 51)), "MC-0060"]
    reps = pd.read_csv(MONACO / "reps.csv", dtype=str, keep_default_na=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CycleWarning)
        return read_problem(outlets[outlets.outlet_id.isin(picked)],
                            reps[reps.rep_id == "R1"], start=START, weeks=4)


@pytest.fixture(scope="module")
def first(problem: Problem) -> Plan:
    plan = solve(problem, PARAMS)
    assert plan.scheduled_visits >= 40 and {r.date for r in plan.routes} >= {START, TODAY}
    return plan


@pytest.fixture(scope="module")
def first_calendars(first: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("first") / "calendars"
    assert write_calendars(first, folder, tz=ZONE, stamp=STAMP) == [folder / "R1.ics"]
    return folder


@pytest.fixture(scope="module")
def quiet(problem: Problem, first: Plan) -> Replan:
    """A re-plan on TODAY without news."""
    return replan(problem, first, None, today=TODAY, params=PARAMS)


@pytest.fixture(scope="module")
def disturbed(problem: Problem, first: Plan) -> tuple[Replan, Stop, tuple[str, date], str]:
    """A re-plan on TODAY whose log says: today's first visit missed, a weekly outlet's
    visit of the third week cancelled, and a follow-up asked for."""
    today = next(r for r in first.routes if r.date == TODAY)
    weekly = {o.id for o in problem.outlets if o.rule.per_week == 1}
    missed = next(s for s in today.stops if s.outlet_id in weekly)
    gone_day, gone = next((r.date, s.outlet_id) for r in first.routes
                          if r.date >= START + timedelta(days=14) for s in r.stops
                          if s.outlet_id in weekly and s.outlet_id != missed.outlet_id)
    follow = next(o.id for o in problem.outlets
                  if o.id not in {missed.outlet_id, gone} and o.rule.per_week >= 1)
    log = pd.DataFrame([
        {"outlet_id": missed.outlet_id, "rep_id": "R1", "date": TODAY.isoformat(),
         "status": "missed", "kind": "", "reason": ""},
        {"outlet_id": gone, "rep_id": "R1", "date": gone_day.isoformat(),
         "status": "cancelled", "kind": "", "reason": ""},
        {"outlet_id": follow, "rep_id": "R1", "date": TODAY.isoformat(), "status": "",
         "kind": "follow_up", "reason": "order"},
    ])
    result = replan(problem, first, log, today=TODAY, params=PARAMS)
    return result, missed, (gone, gone_day), follow


# -- every visit at its time, in both parsers --------------------------------------------
def test_every_visit_has_its_event_at_its_local_time_in_both_parsers(
        first: Plan, first_calendars: Path) -> None:
    path = first_calendars / "R1.ics"
    zone = ZoneInfo(ZONE)
    want = planned(first, "R1")
    for read in (by_icalendar, by_vobject):
        events = read(path)
        assert shown(events) == want, read.__name__
        for e in events.values():
            assert e["tzid"] == ZONE
            # the offset the file's own VTIMEZONE gives (vobject) is the zone's
            assert e["start"].utcoffset() == wall(e["start"]).replace(tzinfo=zone).utcoffset()
            assert e["sequence"] == 0 and e["status"] == "CONFIRMED"
    a, b = by_icalendar(path), by_vobject(path)
    assert set(a) == set(b) and len(a) == first.scheduled_visits
    for uid in a:
        for key in ("outlet", "summary", "location", "description", "geo", "start", "end"):
            assert a[uid][key] == b[uid][key], (uid, key)
    offsets = {e["start"].utcoffset() for e in b.values()}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}  # winter and summer time
    outlets = {o.id: o for o in first.problem.outlets}
    for e in a.values():
        o = outlets[e["outlet"]]
        assert e["summary"] == o.name and e["geo"] == (o.lat, o.lon)
        assert e["location"] == (o.address or f"{o.lat:.6f}, {o.lon:.6f}")
        assert e["stamp"] == STAMP


def test_the_time_zone_is_given_or_this_machines(first: Plan, tmp_path: Path) -> None:
    write_calendars(first, tmp_path / "sh", tz="Asia/Shanghai", stamp=STAMP)
    events = by_vobject(tmp_path / "sh" / "R1.ics")
    assert shown(events) == planned(first, "R1")
    assert {e["start"].utcoffset() for e in events.values()} == {timedelta(hours=8)}
    # the machine's zone, as a separate process sees it with TZ set
    code = ("import sys; from routeopt.export.ics import time_zone; print(time_zone().key)")
    env = {**os.environ, "TZ": "America/New_York"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "America/New_York"


def test_a_machine_without_a_zone_name_falls_back_to_utc_with_a_warning(
        first: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tzlocal

    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: None)
    with pytest.warns(TimeZoneWarning, match="no IANA time zone name.*--tz"):
        write_calendars(first, tmp_path, stamp=STAMP)
    events = by_vobject(tmp_path / "R1.ics")
    assert {e["start"].utcoffset() for e in events.values()} == {timedelta(0)}
    assert shown(events) == planned(first, "R1")


@pytest.mark.parametrize("tz, hint", [("Mars/Olympus_Mons", ""),
                                      ("Europe/Monoco", "did you mean Europe/Monaco"),
                                      ("+08:00", ""), ("", "")])
def test_an_unknown_time_zone_is_an_input_error(first: Plan, tmp_path: Path, tz: str,
                                                hint: str) -> None:
    with pytest.raises(InputError, match="unknown time zone") as e:
        write_calendars(first, tmp_path / "c", tz=tz)
    issue = e.value.issues[0]
    assert issue.column == "tz" and repr(tz) in issue.message
    assert "give an IANA zone name" in issue.message and hint in issue.message
    assert not (tmp_path / "c").exists()


# -- identity across re-plans ------------------------------------------------------------
def test_an_undisturbed_replan_writes_the_same_calendar(quiet: Replan, first_calendars: Path,
                                                        tmp_path: Path) -> None:
    assert quiet.changes.as_dict()["unchanged"] > 0 and not quiet.changes.items
    assert min(r.date for r in quiet.plan.routes) >= TODAY  # the days before are history
    write_calendars(quiet.plan, tmp_path, tz=ZONE, previous=first_calendars, stamp=LATER)
    assert (tmp_path / "R1.ics").read_bytes() == (first_calendars / "R1.ics").read_bytes()
    # without the previous calendars: the same UIDs for the same visits (rule 5)
    write_calendars(quiet.plan, tmp_path / "alone", tz=ZONE, stamp=LATER)
    alone, before = by_icalendar(tmp_path / "alone" / "R1.ics"), by_icalendar(
        first_calendars / "R1.ics")
    assert set(alone) == {u for u, e in before.items() if e["start"].date() >= TODAY}


def test_a_disturbed_replan_moves_cancels_and_adds_events(
        disturbed: tuple[Replan, Stop, tuple[str, date], str], first_calendars: Path,
        tmp_path: Path) -> None:
    result, missed, (gone, gone_day), follow = disturbed
    assert result.changes.dropped >= 1 and result.changes.added >= 1
    write_calendars(result.plan, tmp_path, tz=ZONE, previous=first_calendars, stamp=LATER)
    before = by_icalendar(first_calendars / "R1.ics")
    path = tmp_path / "R1.ics"
    for read in (by_icalendar, by_vobject):
        after = read(path)
        assert set(after) >= set(before), "an event of the previous calendar vanished"
        # from today on, the confirmed events are the new plan's visits
        assert shown(after, TODAY) == planned(result.plan, "R1", TODAY)
        # the days before today are history: kept as they were
        for uid, e in before.items():
            if e["start"].date() < TODAY:
                assert (after[uid]["start"], after[uid]["status"], after[uid]["sequence"]) == (
                    e["start"], "CONFIRMED", 0)
        for uid, e in after.items():
            if uid not in before:
                assert e["sequence"] == 0 and e["status"] == "CONFIRMED"
                continue
            old = before[uid]
            same = (e["start"], e["end"], e["status"]) == (old["start"], old["end"],
                                                           old["status"])
            assert e["sequence"] == (0 if same and e["description"] == old["description"]
                                     else 1), uid
        # the missed visit: the same event, made up later the same week
        was = next(u for u, e in before.items() if e["outlet"] == missed.outlet_id
                   and e["start"].date() == TODAY)
        now = after[was]
        assert now["status"] == "CONFIRMED" and now["sequence"] == 1
        assert TODAY < now["start"].date() <= TODAY + timedelta(days=4)
        assert (missed.outlet_id, wall(now["start"]), wall(now["end"])) in planned(
            result.plan, "R1", TODAY)
        # the cancelled visit: the same event, cancelled, at its old time
        was = next(u for u, e in before.items() if e["outlet"] == gone
                   and e["start"].date() == gone_day)
        assert (after[was]["status"], after[was]["sequence"], after[was]["start"]) == (
            "CANCELLED", 1, before[was]["start"])
        # the follow-up: a new event
        new = [e for u, e in after.items() if u not in before]
        assert follow in {e["outlet"] for e in new}
    # against the re-plan's own change report, which pairs moves across the whole cycle:
    # a move out of its frequency block is here a cancellation and a new event instead
    after = by_icalendar(path)
    cancelled = sum(1 for e in after.values() if e["status"] == "CANCELLED")
    new_events = sum(1 for u in after if u not in before)
    assert cancelled - result.changes.dropped == new_events - result.changes.added >= 0
    assert "Follow-up visit" in next(e["description"] for e in by_icalendar(path).values()
                                     if e["label"] == "follow_up")


def test_exporting_again_or_the_next_quiet_night_changes_nothing(
        problem: Problem, quiet: Replan, disturbed: tuple[Replan, Stop, tuple[str, date], str],
        first_calendars: Path, tmp_path: Path) -> None:
    result = disturbed[0]
    write_calendars(result.plan, tmp_path / "a", tz=ZONE, previous=first_calendars,
                    stamp=LATER)
    write_calendars(result.plan, tmp_path / "b", tz=ZONE, previous=tmp_path / "a",
                    stamp=LATER + timedelta(days=1))  # no second cancellation, no new stamp
    assert (tmp_path / "b" / "R1.ics").read_bytes() == (tmp_path / "a" / "R1.ics").read_bytes()
    # two quiet nights in a row: the calendar of the first plan, still
    night = replan(problem, quiet.plan, None, today=TODAY + timedelta(days=1), params=PARAMS)
    assert not night.changes.items
    write_calendars(quiet.plan, tmp_path / "n1", tz=ZONE, previous=first_calendars,
                    stamp=LATER)
    write_calendars(night.plan, tmp_path / "n2", tz=ZONE, previous=tmp_path / "n1",
                    stamp=LATER + timedelta(days=1))
    assert (tmp_path / "n2" / "R1.ics").read_bytes() == (first_calendars / "R1.ics").read_bytes()


def test_a_replan_read_back_from_its_folder_keeps_the_history(
        problem: Problem, disturbed: tuple[Replan, Stop, tuple[str, date], str],
        first_calendars: Path, tmp_path: Path) -> None:
    result = disturbed[0]
    result.write(tmp_path / "plan")
    back = read_plan(tmp_path / "plan", problem)
    assert back.stats["plan_from"] == TODAY.isoformat()
    assert disturbed[0].plan.summary_dict()["plan_from"] == TODAY.isoformat()
    assert solve(problem.replace(outlets=problem.outlets[:2]), PARAMS).summary_dict()[
        "plan_from"] is None
    write_calendars(back, tmp_path / "a", tz=ZONE, previous=first_calendars, stamp=LATER)
    write_calendars(result.plan, tmp_path / "b", tz=ZONE, previous=first_calendars,
                    stamp=LATER)
    assert (tmp_path / "a" / "R1.ics").read_bytes() == (tmp_path / "b" / "R1.ics").read_bytes()


def test_the_previous_plan_or_its_folder_give_the_same_uids(first: Plan, problem: Problem,
                                                            first_calendars: Path,
                                                            tmp_path: Path) -> None:
    first.write(tmp_path / "plan")
    for previous in (first, tmp_path / "plan"):
        folder = tmp_path / ("from-" + type(previous).__name__)
        write_calendars(first, folder, tz=ZONE, previous=previous, stamp=STAMP)
        assert by_icalendar(folder / "R1.ics") == by_icalendar(first_calendars / "R1.ics")


# -- hand-made plans: one visit moved, retimed, dropped ----------------------------------
MONDAY = date(2026, 11, 30)


@pytest.fixture
def small() -> Plan:
    """Two weekly outlets, visited by R1 on Monday and Wednesday of a two-week cycle."""
    problem = Problem([Outlet("A", 43.735, 7.420, VisitRule.parse("1/week"), name="Alpha"),
                       Outlet("B", 43.740, 7.425, VisitRule.parse("1/week"), name="Beta",
                              address="1 Rue Grimaldi")],
                      [Rep("R1", 43.731, 7.418, name="Rep West"), Rep("R2", 43.74, 7.42)],
                      Horizon(MONDAY, weeks=2))

    def day(d: date, oid: str, start: int) -> Route:
        return Route("R1", d, start - 600, start + 1500,
                     (Stop(oid, start, start, start + 900, 600, 500),), 600, 500)

    return Plan(problem, tuple(day(MONDAY + timedelta(days=k), oid, 32400)
                               for k, oid in ((0, "A"), (2, "B"), (7, "A"), (9, "B"))), ())


def moved(plan: Plan, k: int, *, days: int = 0, seconds: int = 0) -> Plan:
    """``plan`` with its ``k``-th route moved by ``days`` and ``seconds``."""
    routes = list(plan.routes)
    r = routes[k]
    stops = tuple(dataclasses.replace(s, arrival=s.arrival + seconds, start=s.start + seconds,
                                      end=s.end + seconds) for s in r.stops)
    routes[k] = dataclasses.replace(r, date=r.date + timedelta(days=days), stops=stops,
                                    depart=r.depart + seconds, back=r.back + seconds)
    return dataclasses.replace(plan, routes=tuple(sorted(routes, key=lambda r: r.date)))


def test_a_moved_visit_keeps_its_uid_with_a_new_time_and_a_higher_sequence(
        small: Plan, tmp_path: Path) -> None:
    write_calendars(small, tmp_path, tz=ZONE, stamp=STAMP)
    before = by_icalendar(tmp_path / "R1.ics")
    uid = "A/R1/2026-12-07/1@routeopt"
    assert before[uid]["start"] == datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo(ZONE))
    steps = [(moved(small, 2, days=1), datetime(2026, 12, 8, 9, 0), 1),  # Tuesday instead
             (moved(small, 2, days=1, seconds=3600), datetime(2026, 12, 8, 10, 0), 2),
             (moved(small, 2, days=1, seconds=3600), datetime(2026, 12, 8, 10, 0), 2)]
    for plan, start, sequence in steps:
        write_calendars(plan, tmp_path, tz=ZONE, previous=tmp_path, stamp=LATER)
        for read in (by_icalendar, by_vobject):
            after = read(tmp_path / "R1.ics")
            assert set(after) == set(before)
            assert (wall(after[uid]["start"]), after[uid]["sequence"]) == (start, sequence)
            assert all(after[u]["sequence"] == 0 for u in after if u != uid)
    assert by_icalendar(tmp_path / "R1.ics")[uid]["stamp"] == LATER


def test_a_visit_moved_to_another_week_is_a_cancellation_and_a_new_event(
        small: Plan, tmp_path: Path) -> None:
    write_calendars(small, tmp_path, tz=ZONE, stamp=STAMP)
    later = moved(small, 1, days=7)  # B of week 1 to week 2: week 1 goes without B
    write_calendars(later, tmp_path, tz=ZONE, previous=tmp_path, stamp=LATER)
    after = by_icalendar(tmp_path / "R1.ics")
    assert after["B/R1/2026-12-02/1@routeopt"]["status"] == "CANCELLED"
    assert after["B/R1/2026-12-09/2@routeopt"]["status"] == "CONFIRMED"  # /1 is taken
    assert after["B/R1/2026-12-09/1@routeopt"]["sequence"] == 0


def test_a_dropped_visit_is_cancelled_once_and_stays_cancelled(small: Plan,
                                                               tmp_path: Path) -> None:
    write_calendars(small, tmp_path, tz=ZONE, stamp=STAMP)
    dropped = dataclasses.replace(small, routes=small.routes[:3])
    for _ in range(2):
        write_calendars(dropped, tmp_path, tz=ZONE, previous=tmp_path, stamp=LATER)
        for read in (by_icalendar, by_vobject):
            e = read(tmp_path / "R1.ics")["B/R1/2026-12-09/1@routeopt"]
            assert (e["status"], e["sequence"]) == ("CANCELLED", 1)
            assert wall(e["start"]) == datetime(2026, 12, 9, 9, 0)
    cal = icalendar.Calendar.from_ical((tmp_path / "R1.ics").read_bytes())
    transp = {str(e["UID"]): str(e["TRANSP"]) for e in cal.walk("VEVENT")}
    assert transp["B/R1/2026-12-09/1@routeopt"] == "TRANSPARENT"
    assert transp["A/R1/2026-12-07/1@routeopt"] == "OPAQUE"


def test_history_is_kept_for_keep_days(small: Plan, tmp_path: Path) -> None:
    write_calendars(small, tmp_path, tz=ZONE, stamp=STAMP)
    rest = dataclasses.replace(small, routes=small.routes[2:],
                               problem=small.problem.replace(plan_from=MONDAY + timedelta(7)))
    write_calendars(rest, tmp_path / "kept", tz=ZONE, previous=tmp_path, stamp=LATER)
    assert by_icalendar(tmp_path / "kept" / "R1.ics") == by_icalendar(tmp_path / "R1.ics")
    # Wednesday 2 Dec is 5 days before Monday 7 Dec, the plan's first day; 30 Nov is 7
    write_calendars(rest, tmp_path / "short", tz=ZONE, previous=tmp_path, stamp=LATER,
                    keep_days=5)
    assert sorted(by_icalendar(tmp_path / "short" / "R1.ics")) == [
        "A/R1/2026-12-07/1@routeopt", "B/R1/2026-12-02/1@routeopt", "B/R1/2026-12-09/1@routeopt"]


def test_a_rep_moved_visits_cancel_in_one_calendar_and_start_in_the_other(
        small: Plan, tmp_path: Path) -> None:
    write_calendars(small, tmp_path, tz=ZONE, stamp=STAMP)
    routes = list(small.routes)
    routes[3] = dataclasses.replace(routes[3], rep_id="R2")
    write_calendars(dataclasses.replace(small, routes=tuple(routes)), tmp_path, tz=ZONE,
                    previous=tmp_path, stamp=LATER)
    r1, r2 = by_icalendar(tmp_path / "R1.ics"), by_icalendar(tmp_path / "R2.ics")
    assert r1["B/R1/2026-12-09/1@routeopt"]["status"] == "CANCELLED"
    assert list(r2) == ["B/R2/2026-12-09/1@routeopt"]
    # a rep no longer in the plan keeps a calendar, its visits ahead cancelled
    gone = dataclasses.replace(small, routes=tuple(routes[:3]),
                               problem=small.problem.replace(reps=small.problem.reps[:1]))
    write_calendars(gone, tmp_path, tz=ZONE, previous=tmp_path, stamp=LATER)
    assert [e["status"] for e in by_icalendar(tmp_path / "R2.ics").values()] == ["CANCELLED"]


def test_the_first_day_of_a_plan_read_from_an_older_folder_is_its_first_route(
        small: Plan, tmp_path: Path) -> None:
    write_calendars(small, tmp_path, tz=ZONE, stamp=STAMP)
    rest = dataclasses.replace(small, routes=small.routes[2:], stats={"start": "2026-11-30"})
    write_calendars(rest, tmp_path / "new", tz=ZONE, previous=tmp_path, stamp=LATER)
    events = by_icalendar(tmp_path / "new" / "R1.ics")
    assert {e["status"] for e in events.values()} == {"CONFIRMED"}  # week 1 is history
    whole = dataclasses.replace(rest, stats={"start": "2026-11-30", "plan_from": None})
    write_calendars(whole, tmp_path / "whole", tz=ZONE, previous=tmp_path, stamp=LATER)
    cancelled = [u for u, e in by_icalendar(tmp_path / "whole" / "R1.ics").items()
                 if e["status"] == "CANCELLED"]
    assert sorted(cancelled) == ["A/R1/2026-11-30/1@routeopt", "B/R1/2026-12-02/1@routeopt"]


def test_another_time_zone_moves_every_event_and_keeps_the_uids(small: Plan,
                                                                 tmp_path: Path) -> None:
    write_calendars(small, tmp_path, tz=ZONE, stamp=STAMP)
    before = by_icalendar(tmp_path / "R1.ics")
    write_calendars(small, tmp_path, tz="Asia/Shanghai", previous=tmp_path, stamp=LATER)
    for read in (by_icalendar, by_vobject):
        after = read(tmp_path / "R1.ics")
        assert set(after) == set(before)
        assert {(e["tzid"], e["sequence"], e["start"].utcoffset()) for e in after.values()} == {
            ("Asia/Shanghai", 1, timedelta(hours=8))}
        assert shown(after) == planned(small, "R1")


def test_bad_options_are_input_errors(small: Plan, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="keep_days must be a whole number of days"):
        write_calendars(small, tmp_path, tz=ZONE, keep_days=-1)
    with pytest.raises(InputError, match="unknown language 'fr'"):
        write_calendars(small, tmp_path, tz=ZONE, lang="fr")
    assert list(tmp_path.iterdir()) == []


def test_without_the_reports_extra_the_error_says_what_to_install(
        small: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "icalendar", None)  # as if not installed
    with pytest.raises(ImportError, match=r'pip install "routeopt\[reports\]"'):
        write_calendars(small, tmp_path, tz=ZONE)


# -- what the events say -------------------------------------------------------------------
def _with_attributes(outlet: Outlet, attributes: dict[str, str]) -> Outlet:
    """``outlet`` with extra columns (``Outlet.attributes``, or a subclass adding it)."""
    if "attributes" in {f.name for f in dataclasses.fields(Outlet)}:
        return dataclasses.replace(outlet, attributes=attributes)  # type: ignore[call-arg]

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithAttributes(Outlet):
        attributes: Mapping[str, str] = dataclasses.field(default_factory=dict)

    fields = {f.name: getattr(outlet, f.name) for f in dataclasses.fields(Outlet)}
    return WithAttributes(**fields, attributes=attributes)


def test_the_description_holds_times_priority_and_the_outlets_contacts(small: Plan,
                                                                       tmp_path: Path) -> None:
    a, b = small.problem.outlets
    b = _with_attributes(b, {"Phone": "+377 93 15 00 00", "CONTACT": "Mme Rossi",
                             "purpose": "", "Notes": "ring twice"})
    plan = dataclasses.replace(small, problem=small.problem.replace(outlets=(a, b)))
    routes = list(plan.routes)
    routes[1] = dataclasses.replace(routes[1], stops=(dataclasses.replace(
        routes[1].stops[0], label="follow_up"),))
    plan = dataclasses.replace(plan, routes=tuple(routes))
    write_calendars(plan, tmp_path / "en", tz=ZONE, stamp=STAMP)
    write_calendars(plan, tmp_path / "zh", tz=ZONE, stamp=STAMP, lang="zh")
    en = by_vobject(tmp_path / "en" / "R1.ics")["B/R1/2026-12-02/1@routeopt"]
    assert en["description"].splitlines() == [
        "Follow-up visit", "Arrival 09:00 · Start 09:00 · End 09:15", "Stop 1 · Outlet B",
        f"Priority: {b.priority}", "Phone: +377 93 15 00 00", "Contact: Mme Rossi",
        "Notes: ring twice"]
    assert en["location"] == "1 Rue Grimaldi" and en["summary"] == "Beta"
    zh = by_vobject(tmp_path / "zh" / "R1.ics")["B/R1/2026-12-02/1@routeopt"]
    assert zh["description"].splitlines()[0] == "跟进拜访"
    assert "电话: +377 93 15 00 00" in zh["description"]
    cal = icalendar.Calendar.from_ical((tmp_path / "en" / "R1.ics").read_bytes())
    assert str(cal["X-WR-CALNAME"]) == "Visits: Rep West"
    assert str(cal["X-WR-TIMEZONE"]) == ZONE and str(cal["METHOD"]) == "PUBLISH"
    text = (tmp_path / "en" / "R1.ics").read_bytes()
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in text
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == [ZONE]


def test_one_calendar_in_python(small: Plan) -> None:
    cal = calendar(small, "R2", tz=ZONE, stamp=STAMP)
    assert cal.walk("VEVENT") == [] and str(cal["X-ROUTEOPT-REP"]) == "R2"
    with pytest.raises(InputError, match="rep 'R9' has no calendar"):
        calendar(small, "R9", tz=ZONE)


def test_rep_ids_that_are_not_file_names_get_files_of_their_own(small: Plan,
                                                                tmp_path: Path) -> None:
    reps = (Rep("R/1", 43.731, 7.418), Rep("R_1", 43.731, 7.418))
    routes = tuple(dataclasses.replace(r, rep_id="R/1") for r in small.routes)
    plan = dataclasses.replace(small, routes=routes, problem=small.problem.replace(reps=reps))
    paths = write_calendars(plan, tmp_path, tz=ZONE, stamp=STAMP)
    assert len({p.name for p in paths}) == 2 and paths[1].name == "R_1.ics"
    assert paths[0].name.startswith("R_1-") and "A%2F" not in paths[0].name
    assert "A/R%2F1/2026-11-30/1@routeopt" in by_icalendar(paths[0])


# -- files ---------------------------------------------------------------------------------
def test_a_calendar_file_is_replaced_whole_or_not_at_all(small: Plan, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    write_calendars(small, tmp_path, tz=ZONE, stamp=STAMP)
    old = (tmp_path / "R1.ics").read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("routeopt._files.os.fsync", full)
    with pytest.raises(OSError, match="No space"):
        write_calendars(moved(small, 2, days=1), tmp_path, tz=ZONE, previous=tmp_path)
    assert (tmp_path / "R1.ics").read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["R1.ics", "R2.ics"]


def test_a_damaged_or_foreign_previous_calendar_is_an_input_error(small: Plan,
                                                                  tmp_path: Path) -> None:
    write_calendars(small, tmp_path, tz=ZONE, stamp=STAMP)
    text = (tmp_path / "R1.ics").read_bytes()
    assert b"X-ROUTEOPT-REP:R1\r\n" in text
    (tmp_path / "R1.ics").write_bytes(text.replace(b"X-ROUTEOPT-REP:R1\r\n", b""))
    with pytest.raises(InputError, match=r"R1\.ics: this is not a calendar routeopt wrote"):
        write_calendars(small, tmp_path / "new", tz=ZONE, previous=tmp_path)
    (tmp_path / "R1.ics").write_bytes(text.replace(b"DTSTART;TZID=Europe/Monaco:20261130T",
                                                   b"DTSTART;TZID=Europe/Monaco:2026113"))
    with pytest.raises(InputError, match=r"R1\.ics: .*give the calendars folder"):
        write_calendars(small, tmp_path / "new", tz=ZONE, previous=tmp_path)
    with pytest.raises(InputError, match="is not a folder"):
        write_calendars(small, tmp_path / "new", tz=ZONE, previous=tmp_path / "nothing")
    assert not (tmp_path / "new").exists()


def test_the_ics_output_of_an_export_continues_the_export_it_replaces(small: Plan,
                                                                      tmp_path: Path) -> None:
    ics = next(o for o in OUTPUTS if o.flag == "ics")
    out = tmp_path / "share"
    got = write_exports(small, out, [ics], ExportOptions(tz=ZONE))
    assert sorted(got) == ["calendars/R1.ics", "calendars/R2.ics", "manifest.json"]
    write_exports(moved(small, 2, days=1), out, [ics], ExportOptions(tz=ZONE))
    e = by_vobject(out / "calendars" / "R1.ics")["A/R1/2026-12-07/1@routeopt"]
    assert (wall(e["start"]), e["sequence"]) == (datetime(2026, 12, 8, 9, 0), 1)
    # an unknown zone leaves the export as it was
    before = (out / "calendars" / "R1.ics").read_bytes()
    with pytest.raises(InputError, match="did you mean Europe/Monaco"):
        write_exports(small, out, [ics], ExportOptions(tz="Europe/Monoco"))
    assert (out / "calendars" / "R1.ics").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["share"]


# -- any chain of plans ----------------------------------------------------------------------
_OUTLETS = (Outlet("W", 43.735, 7.420, VisitRule.parse("1/week")),
            Outlet("T", 43.740, 7.425, VisitRule.parse("2/week")),
            Outlet("F", 43.738, 7.421, VisitRule.parse("1/2weeks")))
_PROBLEM = Problem(_OUTLETS, [Rep("R1", 43.731, 7.418), Rep("R2", 43.74, 7.42)],
                   Horizon(MONDAY, weeks=2))
_VISIT = st.tuples(st.sampled_from(["W", "T", "F"]), st.sampled_from(["R1", "R2"]),
                   st.sampled_from([0, 1, 2, 3, 4, 7, 8, 9, 10, 11]),
                   st.integers(32, 64).map(lambda q: q * 900),
                   st.sampled_from(["", "", "", "makeup", "follow_up"]))


def _plan(visits: list[tuple[str, str, int, int, str]]) -> Plan:
    days: dict[tuple[str, date], list[Stop]] = {}
    for oid, rep, k, start, label in visits:
        days.setdefault((rep, MONDAY + timedelta(days=k)), []).append(
            Stop(oid, start, start, start + 900, 300, 1000, label))
    routes = tuple(Route(rep, d, 28800, 61200, tuple(sorted(s, key=lambda s: s.start)), 300,
                         1000) for (rep, d), s in sorted(days.items()))
    return Plan(_PROBLEM, routes, ())


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(_VISIT, max_size=8), min_size=2, max_size=4))
def test_any_chain_of_plans_keeps_every_event_and_shows_each_plan(
        nights: list[list[tuple[str, str, int, int, str]]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seen: dict[str, dict[str, Any]] = {}
        for night, visits in enumerate(nights):
            plan = _plan(visits)
            stamp = STAMP + timedelta(days=night)
            write_calendars(plan, folder, tz=ZONE, previous=folder if night else None,
                            stamp=stamp)
            now: dict[str, dict[str, Any]] = {}
            for rep in ("R1", "R2"):
                events = by_icalendar(folder / f"{rep}.ics")
                assert not set(events) & set(now), "a UID in two calendars"
                now.update(events)
                assert shown(events) == planned(plan, rep)  # the plan, every visit once
                assert by_vobject(folder / f"{rep}.ics").keys() == events.keys()
            assert set(now) >= set(seen), "an event vanished"
            for uid, e in now.items():
                old = seen.get(uid)
                if old is None:
                    assert (e["sequence"], e["stamp"]) == (0, stamp)
                elif all(e[k] == old[k] for k in ("start", "end", "status", "description")):
                    assert (e["sequence"], e["stamp"]) == (old["sequence"], old["stamp"])
                else:
                    assert (e["sequence"], e["stamp"]) == (old["sequence"] + 1, stamp)
                    assert old["status"] != "CANCELLED", "a cancelled event changed again"
            seen = now
