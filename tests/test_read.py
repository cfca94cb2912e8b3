"""Reading outlets and reps tables: every bad input is an InputError that says where."""

from __future__ import annotations

import re
import warnings
from datetime import date
from fractions import Fraction

import pandas as pd
import pytest

from routeopt.exceptions import InputError, OpeningHoursError
from routeopt.hours import TimeWindow
from routeopt.read import RowsSkippedWarning, read_outlets, read_problem, read_reps

START = "2026-11-30"


def read(tables, **kw):
    return read_problem(tables.outlets, tables.reps, start=START, **kw)


# -- the contract's bad inputs ------------------------------------------------------------


def test_bad_input_raises_input_error_naming_file_line_column(bad_input):
    case = bad_input.case
    with pytest.raises(InputError, match=case.match) as info:
        read(bad_input.tables)
    issues = info.value.issues
    assert len(issues) == 1, [str(i) for i in issues]
    issue = issues[0]
    assert issue.file is not None and issue.file.endswith(case.file)
    assert issue.line == case.line
    assert issue.column == case.column
    assert case.todo in issue.message


def test_valid_tables_read(valid_tables):
    problem = read(valid_tables)
    assert [o.id for o in problem.outlets] == ["P1", "P2"]
    p1 = problem.outlets[0]
    assert (p1.lat, p1.lon, p1.service) == (43.735, 7.425, 15 * 60)
    assert p1.rule.per_week == Fraction(1)
    assert p1.hours.weekly[0] == (TimeWindow(8 * 3600, 18 * 3600),)
    assert p1.hours.weekly[5] == ()
    assert problem.reps[0].working_days == frozenset(range(5))
    assert problem.required_visits == 2


def test_all_bad_rows_reported_at_once(write_csv, outlet_rows, rep_rows):
    # Row errors (lines 2, 3) and errors found only when the rows are checked
    # together (lines 4, 5) come back in one InputError, in line order.
    more = [dict(outlet_rows[0], outlet_id=f"P{k}") for k in (3, 4)]
    rows = [*outlet_rows, *more]
    rows[0]["lat"] = ""
    rows[1]["frequency"] = "sometimes"
    rows[2]["rep_id"] = "R9"
    rows[3].update(frequency="2/week", allowed_days="Mo")
    with pytest.raises(InputError) as info:
        read_problem(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows), start=START)
    got = [(i.line, i.column, i.outlet_id) for i in info.value.issues]
    assert got == [(2, "lat", "P1"), (3, "frequency", "P2"), (4, "rep_id", "P3"),
                   (5, "frequency", "P4")]
    assert "4 problems in the input" in str(info.value)


def test_several_problems_in_one_row_are_all_reported(write_csv, outlet_rows, rep_rows):
    outlet_rows[1].update(lat="north", lon="999", frequency="", priority="Z")
    with pytest.raises(InputError) as info:
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START)
    assert {(i.line, i.column) for i in info.value.issues} == {
        (3, "lat"), (3, "lon"), (3, "frequency"), (3, "priority")}


def test_reps_and_outlets_problems_reported_together(write_csv, outlet_rows, rep_rows):
    outlet_rows[0]["lat"] = "x"
    rep_rows[0]["shift"] = "17:30-08:30"
    with pytest.raises(InputError) as info:
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START)
    assert {(i.file, i.line, i.column) for i in info.value.issues} == {
        ("reps.csv", 2, "shift"), ("outlets.csv", 2, "lat")}
    assert "runs past midnight" in str(info.value)


def test_duplicate_after_a_bad_row_is_still_reported(write_csv, outlet_rows, rep_rows):
    outlet_rows[0]["lat"] = "x"
    outlet_rows[1]["outlet_id"] = "P1"
    with pytest.raises(InputError) as info:
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START)
    assert [(i.line, i.column) for i in info.value.issues] == [(2, "lat"), (3, "outlet_id")]


def test_duplicate_rep_ids(write_csv, outlet_rows, rep_rows):
    rep_rows.append(dict(rep_rows[0]))
    with pytest.raises(InputError, match=r"rep id 'R1' appears more than once") as info:
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START)
    assert (info.value.issues[0].file, info.value.issues[0].line) == ("reps.csv", 3)


# -- skip_invalid -------------------------------------------------------------------------


def test_skip_invalid_leaves_bad_rows_out_with_a_warning(write_csv, outlet_rows, rep_rows):
    rows = [*outlet_rows, dict(outlet_rows[0], outlet_id="P3"), dict(outlet_rows[0],
                                                                   outlet_id="P4")]
    rows[1]["lon"] = "east"  # a row error
    rows[3]["rep_id"] = "R9"  # found when the problem is checked
    with pytest.warns(RowsSkippedWarning) as caught:
        problem = read_problem(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows),
                               start=START, skip_invalid=True)
    assert [o.id for o in problem.outlets] == ["P1", "P3"]
    skipped = next(w.message for w in caught if isinstance(w.message, RowsSkippedWarning))
    assert [(i.line, i.outlet_id, i.column) for i in skipped.issues] == [
        (3, "P2", "lon"), (5, "P4", "rep_id")]


def test_skip_invalid_with_nothing_left_is_an_error(write_csv, outlet_rows, rep_rows):
    for r in outlet_rows:
        r["lat"] = ""
    with pytest.raises(InputError, match="no valid outlets left"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START, skip_invalid=True)


def test_skip_invalid_does_not_skip_rep_errors(write_csv, outlet_rows, rep_rows):
    rep_rows[0]["lat"] = ""
    with pytest.raises(InputError, match=r"reps\.csv, line 2, rep 'R1', column 'lat'"):
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START, skip_invalid=True)


# -- more bad inputs: each names its place, none crashes ----------------------------------


@pytest.mark.parametrize(("column", "value", "match"), [
    ("allowed_days", "Mo,Xx", r"'Xx' is not a weekday"),
    ("demand", "-3", r"-3 is out of range \(>= 0\)"),
    ("service_min", "abc", r"'abc' is not a number"),
    ("priority", "Z", r"'Z' is not a priority"),
    ("appointment", "2026-12-01 25:00", r"'25:00' is not a valid time of day"),
    ("appointment", "tomorrow", r"is not an appointment"),
    ("outlet_id", "", r"is empty; give every outlet a unique id"),
    ("lat", "inf", r"'inf' is not a number \(infinity and NaN are not values\)"),
])
def test_bad_outlet_cell(write_csv, outlet_rows, rep_rows, column, value, match):
    outlet_rows[1][column] = value
    with pytest.raises(InputError, match=match) as info:
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START)
    [issue] = info.value.issues
    assert (issue.file, issue.line, issue.column) == ("outlets.csv", 3, column)


@pytest.mark.parametrize(("column", "value", "match"), [
    ("working_days", "Mo-Fx", r"'Fx' is not a weekday"),
    ("shift", "8-17", r"not a time of day"),
    ("break", "12:00-14:00/300", r"does not fit in its window"),
    ("break", "07:00-07:30", r"not inside the shift"),
    ("mode", "rocket", r"'rocket' is not a travel mode"),
    ("max_visits", "0", r"0 is out of range \(1 to 10000\)"),
    ("capacity", "-1", r"-1 is out of range \(>= 0\)"),
    ("days_off", "next week", r"write dates as YYYY-MM-DD"),
])
def test_bad_rep_cell(write_csv, outlet_rows, rep_rows, column, value, match):
    rep_rows[0][column] = value
    with pytest.raises(InputError, match=match) as info:
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START)
    [issue] = info.value.issues
    assert (issue.file, issue.line, issue.column) == ("reps.csv", 2, column)


def test_missing_reps_file(valid_tables, tmp_path):
    with pytest.raises(InputError, match=r"reps file not found; check the path") as info:
        read_problem(valid_tables.outlets, tmp_path / "nope.csv", start=START)
    assert info.value.issues[0].file == str(tmp_path / "nope.csv")


def test_directory_instead_of_file(valid_tables, tmp_path):
    with pytest.raises(InputError, match=r"outlets path is a directory"):
        read_problem(tmp_path, valid_tables.reps, start=START)


def test_not_utf8_names_the_line(tmp_path, valid_tables):
    path = tmp_path / "latin1.csv"
    path.write_bytes("outlet_id,lat,lon,frequency,name\nP1,43.7,7.4,1/week,ok\n"
                     "P2,43.7,7.4,1/week,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"not UTF-8 .*save it as 'CSV UTF-8'") as info:
        read_problem(path, valid_tables.reps, start=START)
    assert info.value.issues[0].line == 3


def test_row_with_more_cells_than_the_header(tmp_path, valid_tables):
    path = tmp_path / "outlets.csv"
    path.write_text("outlet_id,lat,lon,frequency\nP1,43.73,7.42,1/week\n"
                    "P2,43,74,7,42,1/week\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"6 cells but the header has 4 columns") as info:
        read_problem(path, valid_tables.reps, start=START)
    assert info.value.issues[0].line == 3


def test_missing_cells_read_as_empty(tmp_path, valid_tables):
    path = tmp_path / "outlets.csv"
    path.write_text("outlet_id,lat,lon,frequency\nP1,43.73,7.42,1/week\nP2,43.74\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_problem(path, valid_tables.reps, start=START)
    assert [(i.line, i.column) for i in info.value.issues] == [(3, "lon"), (3, "frequency")]


def test_duplicate_header_column(tmp_path, valid_tables):
    path = tmp_path / "outlets.csv"
    path.write_text("outlet_id,lat,lon,frequency,lat\nP1,43.73,7.42,1/week,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column 'lat' appears more than once in the header"):
        read_problem(path, valid_tables.reps, start=START)


def test_misspelt_required_column_gets_a_rename_hint(tmp_path, valid_tables):
    path = tmp_path / "outlets.csv"
    # ("long" is a built-in alias of lon: docs/csv-schema.md)
    path.write_text("outlet_id,lat,lonn,frequency\nP1,43.73,7.42,1/week\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rename column 'lonn' to 'lon'") as info:
        read_problem(path, valid_tables.reps, start=START)
    assert (info.value.issues[0].line, info.value.issues[0].column) == (1, "lon")


def test_each_missing_column_is_reported(tmp_path, valid_tables):
    path = tmp_path / "outlets.csv"
    path.write_text("outlet_id,frequency\nP1,1/week\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_problem(path, valid_tables.reps, start=START)
    assert [i.column for i in info.value.issues] == ["lat", "lon"]


def test_bad_start_and_holidays(valid_tables):
    with pytest.raises(InputError, match=r"start '2026-02-30' is not a date"):
        read_problem(valid_tables.outlets, valid_tables.reps, start="2026-02-30")
    with pytest.raises(InputError, match=r"holiday 'xmas' is not a date"):
        read(valid_tables, holidays=["xmas"])
    with pytest.raises(InputError, match=r"at least 1 week"):
        read(valid_tables, weeks=0)


# -- line numbers follow the file, not the parser -----------------------------------------


def test_line_numbers_count_blank_lines_and_multiline_cells(tmp_path, valid_tables):
    path = tmp_path / "outlets.csv"
    path.write_text(
        "outlet_id,lat,lon,frequency,address\n"
        'P1,43.73,7.42,1/week,"1 Rue A\nMonaco"\n'  # lines 2-3
        "\n"  # line 4
        "P2,x,7.42,1/week,\n",  # line 5
        encoding="utf-8")
    with pytest.raises(InputError, match=r"outlets\.csv, line 5, outlet 'P2', column 'lat'"):
        read_problem(path, valid_tables.reps, start=START)


def test_problem_level_issue_gets_the_row_line(tmp_path, valid_tables):
    path = tmp_path / "outlets.csv"
    path.write_text("\n\noutlet_id,lat,lon,frequency,rep_id\nP1,43.73,7.42,1/week,RX\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_problem(path, valid_tables.reps, start=START)
    assert (info.value.issues[0].line, info.value.issues[0].column) == (4, "rep_id")


# -- formats that should be read ----------------------------------------------------------


def test_bom_mixed_case_headers_semicolons_and_decimal_commas(tmp_path, valid_tables):
    path = tmp_path / "outlets.csv"
    path.write_bytes("\ufeffOutlet_ID; Lat ;Lon;Frequency;opening_hours\n"
                     'P1;43,735;7,425;1/week;"Mo-Fr 08:00-12:00; Sa 09:00-12:00"\n'
                     .encode())
    problem = read_problem(path, valid_tables.reps, start=START)
    [o] = problem.outlets
    assert (o.id, o.lat, o.lon) == ("P1", 43.735, 7.425)
    assert o.hours.weekly[5] == (TimeWindow(9 * 3600, 12 * 3600),)


def test_frequency_may_be_empty_when_appointments_are_given(write_csv, outlet_rows, rep_rows):
    outlet_rows[0].update(frequency="", appointment="2026-12-01 10:00; 2026-12-03 09:00-10:00")
    problem = read_problem(write_csv("outlets.csv", outlet_rows),
                           write_csv("reps.csv", rep_rows), start=START)
    p1 = problem.outlets[0]
    assert [a.date for a in p1.appointments] == [date(2026, 12, 1), date(2026, 12, 3)]
    assert p1.appointments[1].window == TimeWindow(9 * 3600, 10 * 3600)
    assert problem.visits_of(p1) == 2


def test_allowed_days_and_working_days_accept_common_spellings(write_csv, outlet_rows, rep_rows):
    outlet_rows[0]["allowed_days"] = "mon, wed"
    rep_rows[0]["working_days"] = "Mo - Th"
    problem = read_problem(write_csv("outlets.csv", outlet_rows),
                           write_csv("reps.csv", rep_rows), start=START)
    assert problem.outlets[0].rule.allowed_weekdays == frozenset({0, 2})
    assert problem.reps[0].working_days == frozenset({0, 1, 2, 3})


def test_opening_hours_until_midnight(write_csv, outlet_rows, rep_rows):
    outlet_rows[0]["opening_hours"] = "Mo-Su 11:00-00:00"
    problem = read_problem(write_csv("outlets.csv", outlet_rows),
                           write_csv("reps.csv", rep_rows), start=START)
    assert problem.outlets[0].hours.weekly[0] == (TimeWindow(11 * 3600, 24 * 3600),)


def test_opening_hours_error_is_an_opening_hours_message(write_csv, outlet_rows, rep_rows):
    outlet_rows[0]["opening_hours"] = "Mo-Fr 18:00-02:00"
    with pytest.raises(InputError, match=r"runs past midnight") as info:
        read_problem(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                     start=START)
    assert not isinstance(info.value, OpeningHoursError)  # wrapped with its place
    assert info.value.issues[0].column == "opening_hours"


def test_the_monaco_example_reads():
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "examples" / "data" / "monaco"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cycle warning for a 1-week horizon
        problem = read_problem(data / "outlets.csv", data / "reps.csv", start=START)
    assert len(problem.outlets) == 141
    assert {r.id for r in problem.reps} == {"R1", "R2"}


# -- DataFrames ---------------------------------------------------------------------------


def test_dataframe_issues_name_the_column_and_outlet_without_a_line():
    outlets = pd.DataFrame({"outlet_id": ["P1", "P2"], "lat": [43.73, 95.0], "lon": [7.42, 7.43],
                            "frequency": ["1/week", "1/week"], "rep_id": ["R1", "R9"]})
    reps = pd.DataFrame({"rep_id": ["R1"], "lat": [43.735], "lon": [7.425]})
    with pytest.raises(InputError) as info:
        read_problem(outlets, reps, start=START)
    [issue] = info.value.issues
    assert (issue.file, issue.line, issue.outlet_id, issue.column) == (None, None, "P2", "lat")
    outlets.loc[1, "lat"] = 43.74
    with pytest.raises(InputError) as info:
        read_problem(outlets, reps, start=START)
    [issue] = info.value.issues
    assert (issue.line, issue.outlet_id, issue.column) == (None, "P2", "rep_id")
    assert not re.search(r"line \d", str(issue))


def test_dataframe_missing_column_and_no_rows():
    reps = pd.DataFrame({"rep_id": ["R1"], "lat": [43.735], "lon": [7.425]})
    with pytest.raises(InputError, match=r"lacks the required column 'frequency'"):
        read_problem(pd.DataFrame({"outlet_id": ["P1"], "lat": [1.0], "lon": [1.0]}), reps,
                     start=START)
    empty = pd.DataFrame({"outlet_id": [], "lat": [], "lon": [], "frequency": []})
    with pytest.raises(InputError, match=r"the outlets table has no rows"):
        read_problem(empty, reps, start=START)


def test_read_outlets_and_read_reps_return_lines(valid_tables):
    outlets, issues, lines = read_outlets(valid_tables.outlets)
    assert ([o.id for o in outlets], issues, lines) == (["P1", "P2"], [], {"P1": 2, "P2": 3})
    reps, issues, lines = read_reps(valid_tables.reps)
    assert ([r.id for r in reps], issues, lines) == (["R1"], [], {"R1": 2})


# -- extra columns, carried through -------------------------------------------------------


def test_extra_columns_become_attributes_in_file_order_as_text(write_csv, outlet_rows,
                                                                rep_rows):
    rows = [dict(r, **{" Phone ": f" +377 93 0{k} ", "CRM_Class": "A", "visits_2025": "12"})
            for k, r in enumerate(outlet_rows)]
    rows[1]["CRM_Class"] = ""
    problem = read_problem(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows),
                           start=START)
    p1, p2 = problem.outlets
    # the names as the header writes them (trimmed), the cells' text (trimmed), in order
    assert list(p1.attributes.items()) == [("Phone", "+377 93 00"), ("CRM_Class", "A"),
                                           ("visits_2025", "12")]
    assert dict(p2.attributes) == {"Phone": "+377 93 01", "CRM_Class": "", "visits_2025": "12"}
    assert problem.outlets[0].address == ""  # routeopt's own columns are not attributes


def test_without_extra_columns_the_attributes_are_empty(valid_tables):
    assert all(dict(o.attributes) == {} for o in read(valid_tables).outlets)


def test_extra_columns_of_a_dataframe(rep_rows):
    outlets = pd.DataFrame({"outlet_id": ["P1", "P2"], "lat": [43.73, 43.74],
                            "lon": [7.42, 7.43], "frequency": ["1/week", "1/week"],
                            "Phone": ["+377 1", None], "Visits": [3, 4]})
    problem = read_problem(outlets, pd.DataFrame(rep_rows), start=START)
    assert [dict(o.attributes) for o in problem.outlets] == [
        {"Phone": "+377 1", "Visits": "3"}, {"Phone": "", "Visits": "4"}]


@pytest.mark.parametrize("name", ["date", "Start", "REASON", "seq"])
def test_an_extra_column_named_like_an_output_column_is_refused(write_csv, outlet_rows,
                                                               rep_rows, name):
    rows = [dict(r, **{name: "x"}) for r in outlet_rows]
    with pytest.raises(InputError) as e:
        read_problem(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows),
                     start=START)
    [issue] = e.value.issues
    assert (issue.file, issue.line, issue.column) == ("outlets.csv", 1, name)
    assert f"rename it (e.g. 'crm_{name.lower()}')" in issue.message


def test_a_column_without_a_name_is_left_out(write_csv, outlet_rows, rep_rows, tmp_path):
    path = write_csv("outlets.csv", outlet_rows)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",", *(ln + "," for ln in lines[1:])]) + "\n")
    problem = read_problem(path, write_csv("reps.csv", rep_rows), start=START)
    assert all(dict(o.attributes) == {} for o in problem.outlets)
