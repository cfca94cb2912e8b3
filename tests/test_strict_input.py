"""Strict input: numbers, tiny frequencies, breaks that fill the shift, the swap hint,
time limits, and API errors of the right class at construction."""

from __future__ import annotations

import math
from datetime import date, datetime
from fractions import Fraction

import numpy as np
import pytest

from routeopt import (
    Appointment,
    Break,
    ExtraVisit,
    Horizon,
    InputError,
    InputTypeError,
    OpeningHours,
    Outlet,
    Problem,
    Rep,
    RouteOptError,
    SolveParams,
    TimeWindow,
    VisitRule,
)
from routeopt._values import parse_date, parse_number
from routeopt.hours import parse_break, parse_time
from routeopt.problem import parse_frequency, parse_priority, swap_would_fit
from routeopt.read import read_outlets, read_problem, read_reps

START = "2026-11-30"
MONDAY = date(2026, 11, 30)


# -- numbers --------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "why"), [
    ("4_3.73", r"no '_' between digits"),
    ("inf", r"infinity and NaN"),
    ("-Infinity", r"infinity and NaN"),
    ("nan", r"infinity and NaN"),
    ("0x1F", r"hexadecimal"),
    ("\uff14\uff13.73", r"only the digits 0-9"),  # full-width 43.73
    ("\u0664\u0663", r"only the digits 0-9"),  # Arabic-Indic 43
    ("1e400", r"too large to be a number"),
    ("4 3", r"is not a number"),
    ("43.7.1", r"is not a number"),
    ("", r"is not a number"),
])
def test_parse_number_rejects_python_only_syntax(text: str, why: str) -> None:
    with pytest.raises(InputError, match=why):
        parse_number(text)


@pytest.mark.parametrize(("text", "value"), [
    ("43.7312", 43.7312), ("-7", -7.0), ("+.5", 0.5), ("5.", 5.0), ("1e3", 1000.0),
    (" 12 ", 12.0), ("1E-2", 0.01),
])
def test_parse_number_reads_plain_decimals(text: str, value: float) -> None:
    assert parse_number(text) == value


def test_decimal_comma_only_when_asked() -> None:
    assert parse_number("43,7312", decimal_comma=True) == 43.7312
    with pytest.raises(InputError, match="is not a number"):
        parse_number("43,7312")
    with pytest.raises(InputError, match="is not a number"):
        parse_number("1,234.5", decimal_comma=True)


@pytest.mark.parametrize("text", ["20261130", "2026-W49-1", "2026-11-30x", "30.11.2026",
                                  "\uff12\uff10\uff12\uff16-11-30"])
def test_dates_are_yyyy_mm_dd_only(text: str) -> None:
    with pytest.raises(InputError, match="is not a date"):
        parse_date(text)
    assert parse_date(" 2026-11-30 ") == MONDAY
    with pytest.raises(InputError, match="not a date of the calendar"):
        parse_date("2026-02-30")


def test_times_take_ascii_digits_only() -> None:
    with pytest.raises(InputError, match="is not a time of day"):
        parse_time("\uff10\uff18:30")
    assert parse_time("08:30") == 30600


@pytest.mark.parametrize("minutes", ["inf", "nan", "1e400", "4_5", "0", "-5"])
def test_break_minutes_are_strict(minutes: str) -> None:
    with pytest.raises(InputError, match=r"12:00-14:00/"):
        parse_break(f"12:00-14:00/{minutes}")
    assert parse_break("12:00-14:00/45.5").duration == 2730


def test_priority_and_frequency_numbers_are_strict() -> None:
    for text in ("1_0", "\uff11", "inf"):
        with pytest.raises(InputError, match="is not a priority"):
            parse_priority(text)
        with pytest.raises(InputError, match="is not a frequency"):
            parse_frequency(text)
    with pytest.raises(InputError, match="is not a frequency"):
        parse_frequency("\uff12/week")
    assert parse_frequency("2/week") == 2 and parse_priority("3") == 3


# -- tiny frequencies -----------------------------------------------------------------------
def test_tiny_frequency_is_an_error_not_zero_visits() -> None:
    with pytest.raises(InputError, match=r"'0\.0001' visits per week is less than one visit in "
                                         r"8 weeks, which would give no visit at all"):
        parse_frequency("0.0001")
    with pytest.raises(InputError, match="less than one visit in 8 weeks"):
        VisitRule(per_week=0.0001)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"'0\.01' visits per week is less than one visit"):
        parse_frequency("0.01")  # as 0.0001: no longer read two ways
    with pytest.raises(InputError, match=r"'0\.3' visits per week is not n visits every k weeks"):
        parse_frequency("0.3")
    assert parse_frequency("0") == 0 and parse_frequency("0.125") == Fraction(1, 8)
    assert VisitRule(per_week=0.5).per_week == Fraction(1, 2)  # type: ignore[arg-type]


def test_tiny_frequency_in_a_table_names_the_outlet(write_csv, outlet_rows) -> None:
    outlet_rows[1]["frequency"] = "0.0001"
    _, issues, _ = read_outlets(write_csv("outlets.csv", outlet_rows))
    assert [(i.file, i.line, i.outlet_id, i.column) for i in issues] == [
        ("outlets.csv", 3, "P2", "frequency")]
    assert "less than one visit in 8 weeks" in issues[0].message


def test_frequency_cycle_longer_than_52_weeks_is_an_error() -> None:
    with pytest.raises(InputError, match="k at most 52, not 100"):
        VisitRule(per_week=Fraction(1, 100))


# -- breaks that fill the shift ----------------------------------------------------------
def test_break_filling_the_shift_is_an_error_naming_the_rep() -> None:
    shift = TimeWindow.parse("08:30-17:30")
    with pytest.raises(InputError, match=r"the break 08:30-17:30/540 fills the whole shift "
                                         r"08:30-17:30, which leaves no time for a visit") as e:
        Rep("R1", 43.7, 7.4, shift=shift, lunch=Break(shift, shift.duration))
    assert (e.value.issues[0].rep_id, e.value.issues[0].column) == ("R1", "break")
    Rep("R1", 43.7, 7.4, shift=shift, lunch=Break(shift, shift.duration - 60))  # a minute left


def test_break_filling_the_shift_in_reps_csv(write_csv, rep_rows) -> None:
    rep_rows[0]["break"] = "08:30-17:30"
    _, issues, _ = read_reps(write_csv("reps.csv", rep_rows))
    assert [(i.file, i.line, i.rep_id, i.column) for i in issues] == [
        ("reps.csv", 2, "R1", "break")]
    assert "fills the whole shift" in issues[0].message


# -- the lat/lon swap hint --------------------------------------------------------------
def test_swap_hint_only_where_a_swap_gives_a_valid_point() -> None:
    assert swap_would_fit(120.2, 30.3) and swap_would_fit(-95.0, 45.0)
    assert not swap_would_fit(43.7, 200.0)  # a swap would put 200 in lat
    assert not swap_would_fit(95.0, 120.0)  # a swap would put 120 in lat
    assert not swap_would_fit(43.7, 7.4)  # nothing wrong
    with pytest.raises(InputError, match=r"lat and lon swapped"):
        Outlet("P1", 120.2, 30.3)
    with pytest.raises(InputError) as info:
        Outlet("P1", 43.7, 200.0)
    assert "swapped" not in str(info.value) and "give WGS-84 longitude" in str(info.value)


def test_swap_hint_in_a_table_needs_the_swap_to_land_near_the_others(write_csv) -> None:
    # Outlets near Hangzhou (30.2 N, 120.2 E); P2 has its columns swapped, P3 a typo.
    rows = [{"outlet_id": "P1", "lat": "30.25", "lon": "120.17", "frequency": "1/week"},
            {"outlet_id": "P2", "lat": "120.16", "lon": "30.27", "frequency": "1/week"},
            {"outlet_id": "P3", "lat": "130.25", "lon": "20.17", "frequency": "1/week"},
            {"outlet_id": "P4", "lat": "30.26", "lon": "190.2", "frequency": "1/week"}]
    _, issues, _ = read_outlets(write_csv("outlets.csv", rows))
    by_id = {i.outlet_id: i for i in issues}
    assert sorted(by_id) == ["P2", "P3", "P4"]
    assert by_id["P2"].message == ("120.16 is out of range (-90 to 90); are lat and lon swapped? "
                                   "(lat 30.27, lon 120.16 would be a valid point)")
    assert "swapped" not in by_id["P3"].message  # the swap lands far from the others
    assert "swapped" not in by_id["P4"].message  # a swap cannot fix a longitude of 190.2
    assert "give WGS-84 latitude" in by_id["P3"].message


# -- numbers in tables ----------------------------------------------------------------------
@pytest.mark.parametrize(("column", "text", "why"), [
    ("lat", "4_3.735", r"'4_3.735' is not a number \(no '_' between digits\)"),
    ("lon", "\uff17.42", r"only the digits 0-9"),
    ("lat", "1e400", r"too large to be a number"),
    ("service_min", "nan", r"infinity and NaN"),
    ("demand", "0x10", r"hexadecimal"),
])
def test_python_only_numbers_in_outlets_csv_are_rejected(write_csv, outlet_rows, rep_rows,
                                                         column, text, why) -> None:
    outlet_rows[0][column] = text
    with pytest.raises(InputError, match=why) as info:
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START)
    (issue,) = info.value.issues
    assert (issue.file, issue.line, issue.column) == ("outlets.csv", 2, column)


@pytest.mark.parametrize(("column", "text"), [("max_visits", "1_0"), ("capacity", "inf"),
                                              ("end_lat", "\u0664\u0663")])
def test_python_only_numbers_in_reps_csv_are_rejected(write_csv, rep_rows, column, text) -> None:
    rep_rows[0].update({column: text, "end_lon": "7.42"})
    _, issues, _ = read_reps(write_csv("reps.csv", rep_rows))
    assert [(i.line, i.column) for i in issues] == [(2, column)]
    assert "is not a number" in issues[0].message


def test_dates_in_tables_are_strict(write_csv, rep_rows) -> None:
    rep_rows[0]["days_off"] = "20261201"
    _, issues, _ = read_reps(write_csv("reps.csv", rep_rows))
    assert [(i.line, i.column) for i in issues] == [(2, "days_off")]
    with pytest.raises(InputError, match="start '2026-W49-1' is not a date"):
        read_problem(write_csv("o.csv", [{"outlet_id": "P", "lat": "43.7", "lon": "7.4",
                                          "frequency": "1"}]),
                     write_csv("r.csv", rep_rows), start="2026-W49-1")


# -- time limits ----------------------------------------------------------------------------
@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e300, 0, -5, 1e9 + 1])
def test_time_limit_must_be_finite_positive(value: float) -> None:
    with pytest.raises(InputError, match=r"SolveParams.time_limit is .*: give the seconds the "
                                         r"solve may take, above 0 and at most 1e\+09"):
        SolveParams(time_limit=value)


@pytest.mark.parametrize("value", ["inf", "nan", "1e300", "4_5", "0", "-1", "\uff15"])
def test_cli_time_limit_is_checked_before_reading(valid_tables, run_cli, value) -> None:
    r = run_cli(valid_tables.outlets, valid_tables.reps, "--time-limit", value)
    assert r.code == 2, r.err
    assert "argument --time-limit:" in r.err
    assert "Traceback" not in r.err
    assert not (r.out_dir / "visits.csv").exists()


@pytest.mark.parametrize(("text", "message"), [
    ("time_limit = inf\n", r"time_limit is inf"),
    ("time_limit = nan\n", r"time_limit is nan"),
    ("time_limit = 1e300\n", r"time_limit is 1e\+300"),
    ("miss_penalty = inf\n", r"miss_penalty is inf: give a finite number"),
])
def test_params_file_with_infinite_values_exits_2(valid_tables, run_cli, tmp_path, text,
                                                  message) -> None:
    params = tmp_path / "params.toml"
    params.write_text(text, encoding="utf-8")
    r = run_cli(valid_tables.outlets, valid_tables.reps, "--params", str(params))
    assert r.code == 2
    assert __import__("re").search(message, r.err), r.err
    assert "Traceback" not in r.err


@pytest.mark.parametrize(("option", "value"), [("--weeks", "1_0"), ("--iterations", "1e3"),
                                               ("--seed", "\uff11"), ("--weeks", "0x2")])
def test_cli_whole_numbers_are_strict(valid_tables, run_cli, option, value) -> None:
    r = run_cli(valid_tables.outlets, valid_tables.reps, option, value)
    assert r.code == 2
    assert f"argument {option}:" in r.err and "is not a whole number" in r.err


@pytest.mark.parametrize(("column", "rows", "message"), [
    ("lat", {"lat": "4_3.735"}, "no '_' between digits"),
    ("frequency", {"frequency": "0.0001"}, "less than one visit in 8 weeks"),
])
def test_cli_bad_numbers_exit_2(write_csv, outlet_rows, rep_rows, run_cli, column, rows,
                                message) -> None:
    outlet_rows[0].update(rows)
    r = run_cli(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows))
    assert r.code == 2
    assert f"outlets.csv, line 2, outlet 'P1', column '{column}'" in r.err
    assert message in r.err and "Traceback" not in r.err


def test_cli_break_filling_the_shift_exits_2(write_csv, outlet_rows, rep_rows, run_cli) -> None:
    rep_rows[0]["break"] = "08:30-17:30"
    r = run_cli(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows))
    assert r.code == 2
    assert "reps.csv, line 2, rep 'R1', column 'break': the break 08:30-17:30/540 fills" in r.err


# -- API errors: the right class, at construction -----------------------------------------
def _type_error(make, match: str) -> InputTypeError:
    with pytest.raises(InputTypeError, match=match) as info:
        make()
    e = info.value
    assert isinstance(e, TypeError) and isinstance(e, ValueError)
    assert isinstance(e, RouteOptError) and isinstance(e, InputError)
    return e


def test_outlet_fields_of_the_wrong_type() -> None:
    e = _type_error(lambda: Outlet("P1", 43.7, 7.4, service="15"),  # type: ignore[arg-type]
                    r"Outlet.service must be seconds on site \(an int\), not '15' \(str\)")
    assert (e.issues[0].outlet_id, e.issues[0].column) == ("P1", "service_min")
    _type_error(lambda: Outlet("P1", 43.7, 7.4, priority="A"),  # type: ignore[arg-type]
                r"Outlet.priority must be 1 \(highest\) to 9, an int \(parse_priority\('A'\) "
                r"reads letters\), not 'A' \(str\)")
    _type_error(lambda: Outlet("P1", 43.7, 7.4, rule=None),  # type: ignore[arg-type]
                r"Outlet.rule must be a VisitRule, not None")
    e = _type_error(lambda: Outlet(5, 43.7, 7.4),  # type: ignore[arg-type]
                    r"Outlet.id must be the outlet's id \(a str\), not 5 \(int\)")
    assert "empty" not in str(e)
    _type_error(lambda: Outlet("P1", "43.7", 7.4),  # type: ignore[arg-type]
                r"Outlet.lat must be WGS-84 degrees \(a number\), not '43.7'")
    _type_error(lambda: Outlet("P1", 43.7, 7.4, hours="Mo-Fr 08:00-18:00"),  # type: ignore
                r"OpeningHours.parse")
    _type_error(lambda: Outlet("P1", 43.7, 7.4, appointments=("2026-12-01 10:00",)),  # type: ignore
                r"a tuple of Appointments, but it holds '2026-12-01 10:00' \(str\)")
    # every field of the wrong type at once
    e = _type_error(lambda: Outlet("P1", 43.7, 7.4, service=1.5, demand="2"),  # type: ignore
                    r"2 problems")
    assert [i.column for i in e.issues] == ["service_min", "demand"]


def test_rep_fields_of_the_wrong_type() -> None:
    e = _type_error(lambda: Rep("R1", 43.7, 7.4, shift="08:00-17:00"),  # type: ignore[arg-type]
                    r"Rep.shift must be a TimeWindow \(TimeWindow.parse\('08:30-17:30'\) reads "
                    r"text\), not '08:00-17:00' \(str\)")
    assert e.issues[0].rep_id == "R1"
    _type_error(lambda: Rep("R1", 43.7, 7.4, working_days="Mo-Fr"),  # type: ignore[arg-type]
                r"parse_weekdays")
    _type_error(lambda: Rep("R1", 43.7, 7.4, lunch="12:00-14:00/45"),  # type: ignore[arg-type]
                r"Rep.lunch must be a Break")
    _type_error(lambda: Rep("R1", 43.7, 7.4, max_visits="8"),  # type: ignore[arg-type]
                r"Rep.max_visits must be visits per day \(an int\) or None")
    _type_error(lambda: Rep("R1", 43.7, 7.4, days_off={datetime(2026, 12, 1)}),  # type: ignore
                r"Rep.days_off must be a set of datetime.date, but it holds datetime")
    with pytest.raises(InputError, match=r"working_days \[7\] must be within 0"):
        Rep("R1", 43.7, 7.4, working_days=frozenset({7}))


def test_value_types_raise_input_errors() -> None:
    with pytest.raises(InputError, match=r"TimeWindow\(start=36000, end=18000\)") as info:
        TimeWindow(10 * 3600, 5 * 3600)
    assert isinstance(info.value, ValueError) and not isinstance(info.value, TypeError)
    _type_error(lambda: TimeWindow("08:00", 5), r"TimeWindow.start must be seconds since "
                                                r"midnight \(an int\), not '08:00'")
    _type_error(lambda: TimeWindow(True, 5), r"not True \(bool\)")
    with pytest.raises(InputError, match=r"a break of 150 min does not fit"):
        Break(TimeWindow.parse("12:00-14:00"), 150 * 60)
    _type_error(lambda: Break("12:00-14:00", 60), r"Break.window must be a TimeWindow")
    with pytest.raises(InputError, match=r"OpeningHours.weekly has 5 days"):
        OpeningHours(weekly=((),) * 5)
    _type_error(lambda: OpeningHours(weekly="Mo-Fr 08:00-18:00"), r"OpeningHours.weekly")
    _type_error(lambda: VisitRule(per_week="2/week"), r"parse_frequency\('2/week'\)")
    _type_error(lambda: VisitRule(same_rep="no"), r"VisitRule.same_rep must be True or False")
    with pytest.raises(InputError, match=r"VisitRule.min_gap is -1"):
        VisitRule(min_gap=-1)
    _type_error(lambda: Appointment("2026-12-01", TimeWindow(0, 0)), r"Appointment.date must be "
                                                                     r"a datetime.date")
    _type_error(lambda: ExtraVisit(MONDAY, MONDAY, priority="A"), r"ExtraVisit.priority")
    _type_error(lambda: Horizon("2026-11-30"), r"Horizon.start must be a datetime.date")
    _type_error(lambda: Horizon(MONDAY, weeks=1.0), r"Horizon.weeks must be a number of weeks")


def test_problem_fields_of_the_wrong_type() -> None:
    o, r = Outlet("P1", 43.7, 7.4), Rep("R1", 43.7, 7.4)
    _type_error(lambda: Problem([o], [r], "2026-11-30"), r"Problem.horizon must be a Horizon")
    _type_error(lambda: Problem([o, "P2"], [r], Horizon(MONDAY)),
                r"Problem.outlets must be a sequence of Outlets, but it holds 'P2' \(str\)")
    _type_error(lambda: Problem([o], r, Horizon(MONDAY)), r"Problem.reps must be a sequence")


def test_solve_params_of_the_wrong_type() -> None:
    _type_error(lambda: SolveParams(time_limit="5"),  # type: ignore[arg-type]
                r"SolveParams.time_limit must be a number, not '5' \(str\)")
    _type_error(lambda: SolveParams(max_iterations=10.0), r"SolveParams.max_iterations must be "
                                                          r"an integer")
    _type_error(lambda: SolveParams(polish="yes"), r"SolveParams.polish must be True or False")


def test_numpy_numbers_are_accepted_and_normalised() -> None:
    o = Outlet("P1", np.float64(43.7), np.float32(7.5), service=np.int64(600),
               priority=np.int8(3))
    assert type(o.service) is int and type(o.priority) is int and type(o.lon) is float
    w = TimeWindow(np.int64(0), np.int32(60))
    assert (type(w.start), type(w.end)) == (int, int)
    r = Rep("R1", 43.7, 7.4, working_days={0, 1}, days_off=[MONDAY])
    assert r.working_days == frozenset({0, 1}) and r.days_off == frozenset({MONDAY})
    assert SolveParams(max_iterations=np.int64(5)).max_iterations == 5


def test_territory_options_of_the_wrong_type() -> None:
    from routeopt.batch.territory import TerritoryOptions

    _type_error(lambda: TerritoryOptions(start="2026-11-30"),  # type: ignore[arg-type]
                r"TerritoryOptions.start must be a datetime.date or None, not '2026-11-30'")
    _type_error(lambda: TerritoryOptions(solve=None),  # type: ignore[arg-type]
                r"TerritoryOptions.solve must be a SolveParams")
    with pytest.raises(InputError, match=r"start: '20261130' is not a date; write YYYY-MM-DD"):
        TerritoryOptions().updated({"start": "20261130"}, file="territory.toml")


def test_replan_today_is_strict() -> None:
    from routeopt.replan import replan

    p = Problem([Outlet("P1", 43.73, 7.42)], [Rep("R1", 43.74, 7.42)], Horizon(MONDAY))
    with pytest.raises(InputError, match=r"today '20261201' is not a date"):
        replan(p, "no-such-plan", None, today="20261201")


def test_horizon_of_absurd_length_is_an_error() -> None:
    with pytest.raises(InputError, match=r"a horizon of 1000000000 weeks is longer than 520"):
        Horizon(MONDAY, weeks=10**9)
    assert len(Horizon(MONDAY, weeks=520).dates) == 3640


@pytest.mark.parametrize("argv", [
    ["batch", "--territories", "t", "--out", "o", "--time-limit", "inf"],
    ["batch", "--territories", "t", "--out", "o", "--workers", "1_0"],
    ["replan", "--outlets", "o.csv", "--reps", "r.csv", "--previous", "p", "--today",
     "2026-12-01", "--out", "o", "--time-limit", "nan"],
    ["replan", "--outlets", "o.csv", "--reps", "r.csv", "--previous", "p", "--today",
     "2026-12-01", "--out", "o", "--frozen-days", "\uff11"],
    ["geocode", "--in", "o.csv", "--out", "g.csv", "--geocoder", "nominatim", "--timeout",
     "inf"],
])
def test_other_commands_check_their_numbers(argv: list[str], capsys) -> None:
    from routeopt.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"argument {argv[-2]}:" in err and "Traceback" not in err


def test_visit_log_dates_are_strict(tmp_path) -> None:
    from routeopt.replan import read_visit_log

    p = Problem([Outlet("P1", 43.73, 7.42)], [Rep("R1", 43.74, 7.42)], Horizon(MONDAY))
    log = tmp_path / "log.csv"
    log.write_text("outlet_id,rep_id,date,status\nP1,R1,2026-11-30T10:05:00,done\n"
                   "P1,R1,20261201,done\nP1,R1,2026-12-01 late,done\n", encoding="utf-8")
    entries, issues = read_visit_log(log, p, today=date(2026, 12, 2))
    assert [e.date for e in entries] == [MONDAY]
    assert [(i.line, i.column) for i in issues] == [(3, "date"), (4, "date")]
    assert "'20261201' is not a date; write YYYY-MM-DD" in issues[0].message


@pytest.mark.parametrize("column", ["max_drive", "target_day"])
@pytest.mark.parametrize("text", ["2.9961552247705265e+306", "1441", "25:00"])
def test_a_duration_of_more_than_a_day_is_rejected_with_its_place(column: str, text: str) -> None:
    import pandas as pd

    from routeopt.read import read_reps

    reps = pd.DataFrame({"rep_id": ["R1"], "lat": ["43.7"], "lon": ["7.4"], column: [text]})
    got, issues, _ = read_reps(reps)
    assert got == []
    assert [(i.rep_id, i.column) for i in issues] == [("R1", column)]
    assert "0 to 24 hours" in issues[0].message
