"""Official calendars: public holidays and make-up working days by country and region."""

from __future__ import annotations

import csv
import dataclasses
import json
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from routeopt import (
    CalendarWarning,
    Horizon,
    InputError,
    Outlet,
    Problem,
    Rep,
    SolveParams,
    VisitRule,
    solve,
)
from routeopt.calendars import official_calendar, region_problem
from routeopt.cli import main
from routeopt.read import read_problem
from routeopt.replan import read_cycle

MONACO = Path(__file__).resolve().parents[1] / "examples" / "data" / "monaco"
FEW = SolveParams(max_iterations=40, seed=0)


def visit_dates(folder: Path) -> set[date]:
    with (folder / "visits.csv").open(newline="", encoding="utf-8") as f:
        return {date.fromisoformat(r["date"]) for r in csv.DictReader(f)}


def rotating(n: int, lat: float, lon: float, per_week: str = "1/week") -> list[Outlet]:
    """Outlets free to take any working day (no fixed route line), spread a little."""
    rule = dataclasses.replace(VisitRule.parse(per_week), same_weekday=False)
    return [Outlet(f"P{i}", lat + 0.002 * (i % 5), lon + 0.002 * (i // 5), rule, service=900)
            for i in range(n)]


# -- the data ----------------------------------------------------------------------------------


def test_the_calendar_data_knows_monaco_and_chinas_make_up_days():
    mc = official_calendar("MC", None, (2026,))
    assert {date(2026, 12, 8), date(2026, 12, 25)} <= mc.days_off
    assert not mc.workdays and not mc.gaps
    cn = official_calendar("CN", None, (2026,))
    # the State Council's 2026 notice: Spring Festival Feb 15-23, Saturdays Feb 14 and
    # Feb 28 worked; Labour Day May 1-5, Saturday May 9 worked
    assert {date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9)} <= cn.workdays
    assert all(d.weekday() >= 5 for d in cn.workdays)
    assert {date(2026, 2, 20), date(2026, 5, 5)} <= cn.days_off


def test_bad_codes_say_what_to_do():
    assert "ISO 3166-1" in str(region_problem("XX", None))
    assert "use one of" in str(region_problem("DE", "ZZ"))
    assert "national" in str(region_problem("CN", "GD"))
    with pytest.raises(InputError, match=r"country.*unknown country code 'XX'"):
        Horizon(date(2026, 11, 30), country="xx")
    with pytest.raises(InputError, match=r"subdiv.*no subdivision 'ZZ'"):
        Horizon(date(2026, 11, 30), country="DE", subdiv="ZZ")
    with pytest.raises(InputError, match="needs a country"):
        Horizon(date(2026, 11, 30), subdiv="BY")
    with pytest.raises(InputError, match="both a holiday and a workday"):
        Horizon(date(2026, 11, 30), holidays=frozenset({date(2026, 12, 1)}),
                workdays=frozenset({date(2026, 12, 1)}))
    assert Horizon(date(2026, 11, 30), country=" de", subdiv="ES-BY".replace("ES", "DE")
                   ).subdiv == "BY"


def test_a_year_the_data_does_not_cover_warns_with_country_and_year():
    o = rotating(1, 39.9, 116.4)
    r = [Rep("R", 39.9, 116.4)]
    with pytest.warns(CalendarWarning, match=r"CN 2027: .*not in the calendar data yet"):
        Problem(o, r, Horizon(date(2027, 2, 1), weeks=1, country="CN"))
    with pytest.warns(CalendarWarning, match=r"MC 1900: the calendar data covers"):
        Problem(o, r, Horizon(date(1900, 1, 1), weeks=1, country="MC"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarWarning)
        Problem(o, r, Horizon(date(2026, 2, 2), weeks=1, country="CN"))  # covered: silent


# -- Monaco through the command line -------------------------------------------------------


def test_monaco_with_its_calendar_plans_nothing_on_8_or_25_december(tmp_path, capsys):
    args = ["plan", "--outlets", str(MONACO / "outlets.csv"), "--reps", str(MONACO / "reps.csv"),
            "--start", "2026-11-30", "--weeks", "4", "--iterations", "30", "--seed", "0"]
    assert main([*args, "--out", str(tmp_path / "mc"), "--country", "MC"]) == 0
    days = visit_dates(tmp_path / "mc")
    assert date(2026, 12, 8) not in days and date(2026, 12, 25) not in days
    assert date(2026, 12, 7) in days and date(2026, 12, 24) in days
    summary = json.loads((tmp_path / "mc" / "summary.json").read_text())
    assert summary["calendar"] == {"country": "MC", "subdiv": None, "holidays": [],
                                   "workdays": []}
    # without the calendar both are ordinary Tuesday and Friday planning days
    plain = read_problem(MONACO / "outlets.csv", MONACO / "reps.csv", start="2026-11-30",
                         weeks=4)
    assert {date(2026, 12, 8), date(2026, 12, 25)} <= set(plain.planning_days)


@pytest.mark.parametrize(("extra", "message"), [
    (["--country", "XX"], "--country XX: unknown country code 'XX'"),
    (["--country", "DE", "--subdiv", "ZZ"], "--subdiv ZZ: DE has no subdivision 'ZZ'"),
    (["--subdiv", "BY"], "--subdiv BY needs --country"),
    (["--workdays", "2026-12-5"], "workday '2026-12-5' is not a date"),
])
def test_bad_calendar_options_exit_2_naming_the_option(valid_tables, run_cli, extra, message):
    result = run_cli(valid_tables.outlets, valid_tables.reps, *extra)
    assert result.code == 2, result.err
    assert message in result.err
    assert "Traceback" not in result.err


# -- China: make-up working days -------------------------------------------------------------


def test_china_plans_the_make_up_saturday_and_not_the_day_off_it_bridges():
    # Labour Day 2026: May 1-5 off (Tue May 5 in exchange for Sat May 9, worked)
    problem = Problem(rotating(8, 39.90, 116.40),
                      [Rep("R", 39.905, 116.405, max_visits=2)],
                      Horizon(date(2026, 5, 4), weeks=1, country="CN"))
    sat, bridged = date(2026, 5, 9), date(2026, 5, 5)
    assert problem.planning_days == (date(2026, 5, 6), date(2026, 5, 7), date(2026, 5, 8), sat)
    plan = solve(problem, FEW)
    plan.validate()
    days = [r.date for r in plan.routes if r.stops]
    assert sat in days and bridged not in days and date(2026, 5, 4) not in days
    assert not plan.unscheduled  # 8 visits, 2 a day: the Saturday is needed
    # the checker: the Saturday is a working day by the calendar, the Sunday after is not,
    # and neither is the Saturday without the calendar
    sunday = [dataclasses.replace(r, date=date(2026, 5, 10)) if r.date == sat else r
              for r in plan.routes]
    assert any("the rep does not work that day" in v
               for v in dataclasses.replace(plan, routes=tuple(sunday)).violations())
    plain_rep = problem.replace(horizon=Horizon(date(2026, 5, 4), weeks=1))
    assert any("route R 2026-05-09: the rep does not work that day" in v
               for v in dataclasses.replace(plan, problem=plain_rep).violations())
    # the same week without the calendar: Monday and Tuesday worked, Saturday not
    plain = problem.replace(horizon=Horizon(date(2026, 5, 4), weeks=1))
    assert sat not in plain.planning_days and bridged in plain.planning_days


def test_a_rep_of_another_country_works_by_its_own_calendar():
    # a rep based in China in a plan on Monaco's calendar: Saturday 9 May 2026 is worked,
    # Monaco's Ascension Thursday (14 May) is not a day off for that rep
    h = Horizon(date(2026, 5, 4), weeks=2, country="MC")
    mc, cn = Rep("MC1", 43.73, 7.42), Rep("CN1", 43.73, 7.42, country="cn")
    p = Problem(rotating(2, 43.73, 7.42), [mc, cn], h)
    assert p.reps[1].country == "CN"
    assert p.works(p.reps[1], date(2026, 5, 9)) and not p.works(mc, date(2026, 5, 9))
    assert p.works(p.reps[1], date(2026, 5, 14)) and not p.works(mc, date(2026, 5, 14))
    assert not p.works(p.reps[1], date(2026, 5, 5)) and p.works(mc, date(2026, 5, 5))


def test_route_lines_keep_their_weekdays_around_make_up_days():
    # a fixed route line (the default) stays on the rep's working weekdays: a make-up
    # Saturday is a day of its own, not a line's weekday
    lines = [Outlet(f"L{i}", 39.9 + 0.001 * i, 116.4, VisitRule.parse("1/week"))
             for i in range(6)]
    problem = Problem(lines, [Rep("R", 39.9, 116.4)],
                      Horizon(date(2026, 5, 4), weeks=2, country="CN"))
    plan = solve(problem, FEW)
    plan.validate()
    assert {r.date.weekday() for r in plan.routes if r.stops} <= set(range(5))
    assert not plan.unscheduled


def test_holidays_and_workdays_override_the_calendar():
    rep = Rep("R", 39.9, 116.4)
    h = Horizon(date(2026, 5, 4), weeks=1, country="CN",
                holidays=frozenset({date(2026, 5, 9), date(2026, 5, 7)}),
                workdays=frozenset({date(2026, 5, 5), date(2026, 5, 10)}))
    p = Problem(rotating(2, 39.9, 116.4), [rep], h)
    # May 5 (a day off by the calendar) and Sunday May 10 forced; the make-up May 9 and
    # the ordinary Thursday May 7 closed
    assert p.planning_days == (date(2026, 5, 5), date(2026, 5, 6), date(2026, 5, 8),
                               date(2026, 5, 10))
    off = dataclasses.replace(rep, days_off=frozenset({date(2026, 5, 10)}))
    assert not p.replace(reps=(off,)).works(off, date(2026, 5, 10))  # days off win
    # outlets closed on public holidays follow the horizon's calendar, less its workdays
    assert p.is_holiday(date(2026, 5, 4)) and not p.is_holiday(date(2026, 5, 5))
    assert p.is_holiday(date(2026, 5, 7)) and p.is_holiday(date(2026, 5, 9))  # given
    assert not p.is_holiday(date(2026, 5, 6))


# -- regions per rep ----------------------------------------------------------------------------


def test_each_rep_works_by_the_calendar_of_its_region():
    # Corpus Christi (Thu 2026-06-04) is a holiday in Bavaria, not in Berlin
    corpus = date(2026, 6, 4)
    reps = pd.DataFrame({"rep_id": ["BAV", "BER"], "lat": [48.137, 48.140],
                         "lon": [11.575, 11.580], "max_visits": [3, 3],
                         "subdiv": ["", "BE"]})
    # P0, P1 only on Thursdays with BER; P2 only on Thursdays with BAV; the rest free
    outlets = pd.DataFrame({"outlet_id": [f"P{i}" for i in range(10)],
                            "lat": [48.13 + 0.002 * i for i in range(10)],
                            "lon": [11.57] * 10, "frequency": ["1/week"] * 10,
                            "allowed_days": ["Th", "Th", "Th"] + [""] * 7,
                            "rep_id": ["BER", "BER", "BAV"] + [""] * 7})
    problem = read_problem(outlets, reps, start="2026-06-01", weeks=1, country="DE",
                           subdiv="BY")
    bav, ber = problem.reps
    assert not problem.works(bav, corpus) and problem.works(ber, corpus)
    assert corpus in problem.planning_days
    plan = solve(problem, FEW)
    plan.validate()
    assert not any(r.rep_id == "BAV" and r.date == corpus for r in plan.routes)
    on_corpus = [r for r in plan.routes if r.rep_id == "BER" and r.date == corpus]
    assert {"P0", "P1"} <= {s.outlet_id for r in on_corpus for s in r.stops}
    assert [(u.outlet_id, u.reason) for u in plan.unscheduled] == [("P2", "no_pattern")]
    # the checker knows the calendar too: BER's Thursday given to BAV breaks it
    moved = [dataclasses.replace(r, rep_id="BAV") if r in on_corpus else r
             for r in plan.routes]
    bad = dataclasses.replace(plan, routes=tuple(moved))
    assert any("on a public holiday (Corpus Christi)" in v for v in bad.violations())


def test_a_rep_region_the_data_does_not_know_names_file_line_and_column(tmp_path):
    (tmp_path / "outlets.csv").write_text("outlet_id,lat,lon,frequency\nP1,48.1,11.5,1/week\n")
    (tmp_path / "reps.csv").write_text(
        "rep_id,lat,lon,country,subdiv\nR1,48.1,11.5,DE,BY\nR2,48.1,11.5,XX,\n"
        "R3,48.1,11.5,DE,ZZ\n")
    with pytest.raises(InputError) as e:
        read_problem(tmp_path / "outlets.csv", tmp_path / "reps.csv", start="2026-06-01")
    text = [str(i) for i in e.value.issues]
    assert any("reps.csv, line 3" in t and "column 'country'" in t and "ISO 3166-1" in t
               for t in text), text
    assert any("reps.csv, line 4" in t and "column 'subdiv'" in t and "use one of" in t
               for t in text), text
    # a subdiv of the horizon's country: checked against it once the rows are read
    (tmp_path / "reps.csv").write_text("rep_id,lat,lon,subdiv\nR1,48.1,11.5,\nR2,48.1,11.5,BY\n")
    with pytest.raises(InputError, match=r"reps.csv, line 3, rep 'R2', column 'subdiv': subdiv "
                                         r"'BY' needs a country"):
        read_problem(tmp_path / "outlets.csv", tmp_path / "reps.csv", start="2026-06-01")
    with pytest.raises(InputError, match=r"reps.csv, line 3, rep 'R2', column 'subdiv': FR has "
                                         r"no subdivision 'BY'"):
        read_problem(tmp_path / "outlets.csv", tmp_path / "reps.csv", start="2026-06-01",
                     country="FR")
    assert read_problem(tmp_path / "outlets.csv", tmp_path / "reps.csv", start="2026-06-01",
                        country="DE").works(Rep("R2", 48.1, 11.5, subdiv="BY"),
                                            date(2026, 6, 4)) is False


# -- a batch of two regions -----------------------------------------------------------------


def test_a_two_region_batch_uses_each_territory_calendar(tmp_path):
    from routeopt.batch import run_batch
    from routeopt.datasets import make_territory

    src = tmp_path / "territories"
    (src).mkdir()
    (src / "batch.toml").write_text('start = "2026-11-30"\nweeks = 4\ncountry = "DE"\n'
                                    'subdiv = "BY"\n\n[solve]\nmax_iterations = 30\n')
    for name, toml in (("monaco", 'country = "MC"\n'), ("munich", "")):
        (src / name).mkdir()
        outlets, reps = make_territory(20, 1, seed=3)
        outlets.to_csv(src / name / "outlets.csv", index=False)
        reps.to_csv(src / name / "reps.csv", index=False)
        (src / name / "territory.toml").write_text(toml)
    with ThreadPoolExecutor(2) as ex:
        summary = run_batch(src, tmp_path / "out", executor=ex)
    assert summary.ok
    mc, by = visit_dates(tmp_path / "out" / "monaco"), visit_dates(tmp_path / "out" / "munich")
    assert date(2026, 12, 8) not in mc and date(2026, 12, 25) not in mc
    # Bavaria works on 8 December, not on Christmas Day nor on St Stephen's Day
    assert date(2026, 12, 8) in by and date(2026, 12, 25) not in by
    status = json.loads((tmp_path / "out" / "monaco" / "status.json").read_text())
    assert status["options"]["country"] == "MC" and status["options"]["subdiv"] is None


def test_territory_toml_calendar_errors_name_the_file(tmp_path):
    from routeopt.batch import TerritoryOptions

    (tmp_path / "territory.toml").write_text('country = "XX"\n')
    with pytest.raises(InputError, match=r"territory.toml.*country.*unknown country code"):
        TerritoryOptions.from_toml(tmp_path / "territory.toml")
    (tmp_path / "territory.toml").write_text("subdiv = 7\n")
    with pytest.raises(InputError, match=r"territory.toml.*subdiv = 7 should be a code"):
        TerritoryOptions.from_toml(tmp_path / "territory.toml")
    (tmp_path / "territory.toml").write_text('workdays = ["2026-12-19"]\ncountry = "cn"\n')
    opts = TerritoryOptions.from_toml(tmp_path / "territory.toml")
    assert opts.country == "CN" and opts.workdays == (date(2026, 12, 19),)


def test_the_calendar_survives_a_replan(tmp_path, capsys):
    out = tmp_path / "plan"
    args = ["--outlets", str(MONACO / "outlets.csv"), "--reps", str(MONACO / "reps.csv"),
            "--iterations", "20", "--seed", "0", "--country", "MC"]
    assert main(["plan", *args, "--start", "2026-11-30", "--weeks", "2", "--out", str(out)]) == 0
    assert main(["replan", *args, "--previous", str(out), "--today", "2026-12-07",
                 "--out", str(tmp_path / "re")]) == 0
    days = visit_dates(tmp_path / "re")
    assert date(2026, 12, 8) not in days and date(2026, 12, 9) in days
    assert min(days) >= date(2026, 12, 7)
    # the calendar left out of the re-plan: said, not silent
    with pytest.warns(CalendarWarning, match=r"was made with country MC \(now none\)"):
        read_cycle(out, MONACO / "outlets.csv", MONACO / "reps.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarWarning)
        read_cycle(out, MONACO / "outlets.csv", MONACO / "reps.csv", country="MC")


def test_spring_festival_plans_are_deterministic():
    h = Horizon(date(2026, 2, 9), weeks=2, country="CN")
    p = Problem(rotating(4, 39.9, 116.4, "2/week"), [Rep("R", 39.9, 116.4, max_visits=4)], h)
    a, b = solve(p, FEW), solve(p, FEW)
    assert [(r.date, [s.outlet_id for s in r.stops]) for r in a.routes] == \
           [(r.date, [s.outlet_id for s in r.stops]) for r in b.routes]
    # Spring Festival 2026: Sat Feb 14 worked, Feb 15-23 off
    assert date(2026, 2, 14) in p.planning_days
    assert not any(date(2026, 2, 15) <= d <= date(2026, 2, 22) for d in p.planning_days)
    assert len(p.planning_days) == 6 and not a.unscheduled
    a.validate()

