"""Fuzzing the input layer: random and adversarial tables and option files.

The property, for every reader (outlets and reps tables as files or
DataFrames, the visit log, ``territory.toml`` / ``batch.toml`` and territory
folders): it returns a valid result or raises :class:`InputError` whose every
issue says where (a file, line, column, outlet or rep), and never raises
anything else. The tables mix valid cells with Python-only numbers, huge
values, stray quotes and separators, missing, extra, duplicate and alias
columns, other encodings (GBK and GB18030 among them), byte-order marks,
cut-off files, mixed line endings, and Excel workbooks with typed cells.

Each test runs a bounded number of examples (the whole module takes a few
seconds); raise ``FUZZ_EXAMPLES`` locally to search longer.
"""

from __future__ import annotations

import math
import os
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routeopt import Horizon, InputError, Issue, Outlet, Problem, Rep
from routeopt.batch.territory import TerritoryOptions, read_territories
from routeopt.orders import STOCK_COLUMNS, read_stock
from routeopt.read import OUTLET_COLUMNS, REP_COLUMNS, read_problem
from routeopt.replan import LOG_COLUMNS, read_visit_log

START = date(2026, 11, 30)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def located(issue: Issue) -> bool:
    return bool(issue.file or issue.line is not None or issue.column or issue.outlet_id
                or issue.rep_id)


def assert_located(error: InputError) -> None:
    assert error.issues
    for i in error.issues:
        assert located(i), f"an issue without a place: {i}"
        assert i.message.strip()
        assert "Traceback" not in i.message


# -- cells -------------------------------------------------------------------------------------
ADVERSARIAL = st.sampled_from([
    "", " ", "4_3.73", "inf", "-inf", "nan", "NaN", "1e400", "-1e400", "1e-400", "0x1F", "1_000",
    "\uff14\uff13.7", "\u0664\u0663", "\u00a043.7", "43,7", "43,7,1", "1.2.3", "+", "-", ".", "e5",
    "9" * 400, "-0", "0", "1", "2", "9", "10", "-1", "1e308", "2e-308", "True", "None", "null",
    "\"", "\"\"", "a\"b", ";", ",", "\n", "\r", "\x00", "\ufeff", "\u202e", "💊", "Ω" * 50,
    "24:00", "25:00", "08:30-08:30", "18:00-02:00", "00:00-00:00", "12:00-14:00/0",
    "12:00-14:00/inf", "08:30-17:30", "08:30-17:30/540", "Mo-Fr", "Fr-Mo", "Su", "none", "xx",
    "Mo-Fr 08:00-18:00", "24/7", "PH off", "Mo-Fr 8h", "Mo[1] 10:00-12:00", "2026-11-30",
    "2026-12-01 10:00", "2026-12-01 10:00-09:00", "20261201", "2026-02-30", "9999-12-31",
    "0001-01-01", "2026-12-01;2026-12-02", "A", "B", "Z", "2/week", "1/2weeks", "0.0001",
    "1/0weeks", "99999999999999999999/week", "weekly", "drive", "walk", "rocket", "gcj02",
    "wgs84", "mars", "R1", "R9", "P1", "P2",
])
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-200, 200).map(lambda x: f"{x:.4f}"),
    st.integers(-10**30, 10**30).map(str),
)
CELL = st.one_of(ADVERSARIAL, NUMBERS, st.text(max_size=12))
GOOD = {  # a plausible value per column, so that some tables get past the first checks
    "outlet_id": st.sampled_from(["P1", "P2", "P1", "P9"]),  # a reference (visit log)
    "rep_id": st.sampled_from(["R1", "", "", "R2"]),  # a reference (outlets, visit log)
    "name": st.text(max_size=8),
    "address": st.sampled_from(["", "1 Rue Grimaldi, Monaco"]),
    "priority": st.sampled_from(["A", "B", "c", "3", "9", ""]),
    "allowed_days": st.sampled_from(["", "Mo-Fr", "Mo,We,Fr", "Tu"]),
    "appointment": st.sampled_from(["", "", "2026-12-01 10:00", "2026-12-02 10:00-11:00"]),
    "demand": st.sampled_from(["", "0", "2", "1.5"]),
    "crs": st.sampled_from(["", "wgs84"]),
    "max_visits": st.sampled_from(["", "8", "20"]),
    "mode": st.sampled_from(["", "drive", "walk", "bike"]),
    "capacity": st.sampled_from(["", "10", "0"]),
    "days_off": st.sampled_from(["", "2026-12-01", "2026-12-01;2026-12-03"]),
    "note": st.text(max_size=8),
    "lat": st.floats(43.70, 43.76).map(lambda x: f"{x:.5f}"),
    "lon": st.floats(7.39, 7.44).map(lambda x: f"{x:.5f}"),
    "end_lat": st.floats(43.70, 43.76).map(lambda x: f"{x:.5f}"),
    "end_lon": st.floats(7.39, 7.44).map(lambda x: f"{x:.5f}"),
    "frequency": st.sampled_from(["1/week", "2/week", "1/2weeks", "0.5", "0", "3/4weeks"]),
    "service_min": st.sampled_from(["15", "0", "30.5", "1440"]),
    "opening_hours": st.sampled_from(["Mo-Fr 08:00-18:00", "24/7", "Mo-Sa 09:00-12:00"]),
    "shift": st.sampled_from(["08:30-17:30", "07:00-19:00"]),
    "break": st.sampled_from(["12:00-14:00/45", "12:30-13:15", ""]),
    "working_days": st.sampled_from(["Mo-Fr", "Mo,We,Fr", "Mon-Sat"]),
    "date": st.sampled_from(["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-10"]),
    "status": st.sampled_from(["done", "missed", "cancelled", "dne"]),
    "kind": st.sampled_from(["visit", "follow_up", "appointment", ""]),
    "time": st.sampled_from(["10:00", "10:00-11:00", ""]),
    "due": st.sampled_from(["2026-12-04", ""]),
    "reason": st.sampled_from(["objection", "order", ""]),
    "sku": st.sampled_from(["cola", "water", "", "cola"]),
    "stock": st.sampled_from(["0", "12", "40", "7"]),
    "delivered": st.sampled_from(["", "0", "30"]),
    "ordered": st.sampled_from(["", "6"]),
}


TRICKY = {  # near misses for one column: what a typo or Python's own parsers would make of it
    "lat": ["4_3.73", "43,73", "143.73", "7.42", "-90.0001", "90", "1e400", "\uff14\uff13.73"],
    "lon": ["7_42", "43.73", "180.5", "-180", "inf", "0x07"],
    "frequency": ["0.0001", "0.01", "0.3", "1e-9", "1/53weeks", "0/week", "\uff12/week", "1_0"],
    "service_min": ["1_5", "1441", "-1", "1e400", "nan", "0.001"],
    "priority": ["1_0", "0", "10", "1.5", "inf", "\uff11"],
    "break": ["12:00-14:00/inf", "12:00-14:00/1e400", "12:00-14:00/nan", "08:30-17:30",
              "12:00-14:00/4_5", "12:00-14:00/0.001", "12:00-14:00/999999999999"],
    "shift": ["08:30-17:30", "\uff10\uff18:30-17:30", "17:30-08:30", "00:00-24:00"],
    "max_visits": ["1_0", "8.5", "1e3", "0"],
    "capacity": ["inf", "1e400", "-0", "1_000"],
    "date": ["20261201", "2026-W49-2", "2026-12-01T10:00", "2026-12-01 junk"],
    "days_off": ["20261201", "2026-12-01,2026-W49-2"],
    "appointment": ["20261201 10:00", "2026-12-01 \uff11\uff10:00", "2026-12-01 25:00"],
    "time": ["\uff11\uff10:00", "10:00-09:00", "1000"],
    "stock": ["-1", "2.5", "1_0", "inf", "1e400", "-0", "\uff11\uff12"],
    "delivered": ["-3", "0.5", "nan"],
}


#: Ids of the rows' own table: unique-ish ids there, references elsewhere.
OWN_ID = {"outlet_id": st.integers(1, 40).map(lambda k: f"P{k}"),
          "rep_id": st.integers(1, 40).map(lambda k: f"R{k}")}


@st.composite
def cell(draw: st.DrawFn, column: str, tricky: bool, own_id: str) -> str:
    """A plausible value for ``column``, or (``tricky``) a near miss or an adversarial one."""
    if not tricky:
        good = OWN_ID[column] if column == own_id else GOOD.get(column)
        return draw(good) if good is not None else draw(CELL)
    if column in TRICKY and draw(st.integers(0, 3)) > 0:
        return draw(st.sampled_from(TRICKY[column]))
    return draw(CELL)


@st.composite
def tables(draw: st.DrawFn, spec: dict[str, tuple[str, ...]]) -> tuple[list[str], list[list[str]]]:
    """A header (columns kept, dropped, added, repeated or re-cased) and rows of cells.

    A table is clean, clean but for one near-miss cell (the common real case),
    noisy (a cell in five is tricky) or chaos (every cell, and the header too),
    so that many tables get past the first checks and exercise the later ones.
    """
    mode = draw(st.sampled_from(["clean", "one", "one", "one", "noisy", "chaos"]))
    own_id = spec["required"][0] if "lat" in spec["required"] else ""  # outlets, reps
    known = list(spec["required"] + spec["optional"])
    required = set(spec["required"])
    cols = [c for c in known if (c in required and (mode != "chaos" or draw(st.integers(0, 5))))
            or (c not in required and draw(st.booleans()))]
    if mode == "chaos":
        cols += draw(st.lists(st.sampled_from(["notes", "Outlet_ID ", "LAT", "", "category",
                                               "lat", " Frequency", "门店编号", "纬度",
                                               "Latitude", "Account ID", "业务员编号"]),
                              max_size=2))
    cols = draw(st.permutations(cols))
    n_rows = draw(st.integers(1 if mode == "one" else 0, 5))
    pick = (draw(st.integers(0, max(0, n_rows - 1))), draw(st.integers(0, max(0, len(cols) - 1))))
    rows = []
    for r in range(n_rows):
        row = []
        for k, c in enumerate(cols):
            tricky = (mode == "chaos" or (mode == "one" and (r, k) == pick)
                      or (mode == "noisy" and draw(st.integers(0, 4)) == 0))
            row.append(draw(cell(c.strip().lower(), tricky, own_id)))
        if mode == "chaos" and draw(st.integers(0, 4)) == 0:  # a ragged row
            row = row[:draw(st.integers(0, len(row)))] + draw(st.lists(CELL, max_size=2))
        rows.append(row)
    return list(cols), rows


def _quote(value: str, sep: str) -> str:
    if any(c in value for c in (sep, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_bytes(draw: st.DrawFn, spec: dict[str, tuple[str, ...]]) -> bytes:
    """A table written as a file: separator, quoting, line ends, encoding, damage."""
    cols, rows = draw(tables(spec))
    sep = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
    lines = [sep.join(_quote(c, sep) for c in line) for line in [cols, *rows]]
    if draw(st.integers(0, 5)) == 0:  # blank lines anywhere
        lines.insert(draw(st.integers(0, len(lines))), "")
    ends = [draw(st.sampled_from(["\n", "\n", "\r\n", "\r"])) for _ in lines]
    text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    if draw(st.integers(0, 9)) == 0:  # a stray quote opening a field that never closes
        at = draw(st.integers(0, len(text)))
        text = text[:at] + '"' + text[at:]
    encoding = draw(st.sampled_from(["utf-8"] * 12 + ["utf-8-sig", "latin-1", "utf-16",
                                                       "cp1252", "gbk", "gb18030"]))
    data = text.encode(encoding, errors="replace")
    damage = draw(st.integers(0, 15))
    if damage == 0 and data:  # cut off
        data = data[:draw(st.integers(0, len(data)))]
    elif damage == 1:  # random bytes inserted
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


def frame_value() -> st.SearchStrategy[Any]:
    return st.one_of(CELL, st.none(), st.booleans(), st.integers(-10**20, 10**20),
                     st.floats(allow_nan=True, allow_infinity=True), st.just(float("nan")))


@st.composite
def frames(draw: st.DrawFn, spec: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """A DataFrame with cells of any type (text, numbers, None, NaN, bools)."""
    cols, rows = draw(tables(spec))
    cols = list(dict.fromkeys(cols))  # pandas allows duplicates, but keep it readable
    own_id = spec["required"][0] if "lat" in spec["required"] else ""  # outlets, reps
    noisy = draw(st.booleans())
    data = {c: [draw(st.one_of(cell(c.strip().lower(), True, own_id), frame_value())
                     if noisy and draw(st.integers(0, 4)) == 0
                     else cell(c.strip().lower(), False, own_id)) for _ in rows] for c in cols}
    return pd.DataFrame(data, columns=cols)


# -- the property --------------------------------------------------------------------------
def check_problem(problem: Problem) -> None:
    """A problem the reader returns is a valid one."""
    assert isinstance(problem, Problem) and problem.outlets and problem.reps
    for p in (*problem.outlets, *problem.reps):
        assert isinstance(p, Outlet | Rep)
        assert -90 <= p.lat <= 90 and -180 <= p.lon <= 180
        assert math.isfinite(p.lat) and math.isfinite(p.lon)
    for o in problem.outlets:
        assert 1 <= o.priority <= 9 and o.service >= 0 and o.rule.per_week >= 0
    assert problem.required_visits >= 0
    problem.replace()  # it validates again


def read_either(outlets: Any, reps: Any, **kw: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            problem = read_problem(outlets, reps, start=START, **kw)
        except InputError as e:
            assert_located(e)
            return
        check_problem(problem)


@FUZZ
@given(outlets=csv_bytes(OUTLET_COLUMNS), skip=st.booleans())
def test_outlets_file_fuzz(tmp_path_factory: pytest.TempPathFactory, outlets: bytes,
                           skip: bool) -> None:
    d = tmp_path_factory.mktemp("fuzz")
    (d / "outlets.csv").write_bytes(outlets)
    (d / "reps.csv").write_text("rep_id,lat,lon\nR1,43.73,7.42\nR2,43.74,7.43\n",
                                encoding="utf-8")
    read_either(d / "outlets.csv", d / "reps.csv", skip_invalid=skip)


@FUZZ
@given(reps=csv_bytes(REP_COLUMNS))
def test_reps_file_fuzz(tmp_path_factory: pytest.TempPathFactory, reps: bytes) -> None:
    d = tmp_path_factory.mktemp("fuzz")
    (d / "outlets.csv").write_text("outlet_id,lat,lon,frequency\nP1,43.73,7.42,1/week\n"
                                   "P2,43.735,7.425,2/week\n", encoding="utf-8")
    (d / "reps.csv").write_bytes(reps)
    read_either(d / "outlets.csv", d / "reps.csv")


@st.composite
def workbook(draw: st.DrawFn, spec: dict[str, tuple[str, ...]]) -> tuple[list[str],
                                                                        list[list[Any]]]:
    """A table as a spreadsheet holds it: numbers typed, text as text, some cells empty."""
    cols, rows = draw(tables(spec))
    typed: list[list[Any]] = []
    for row in rows:
        out: list[Any] = []
        for v in row:
            try:
                number = float(v)
            except ValueError:
                number = None
            if number is not None and math.isfinite(number) and draw(st.booleans()):
                out.append(int(number) if number.is_integer() and abs(number) < 1e15
                           else number)
            else:
                out.append(v or None)
        typed.append(out)
    return cols, typed


@settings(FUZZ, max_examples=max(10, EXAMPLES // 4))  # a workbook costs ~20 ms to write and read
@given(table=workbook(OUTLET_COLUMNS), sheet=st.sampled_from([None, None, 0, "1", "Outlets",
                                                              "missing"]))
def test_outlets_workbook_fuzz(tmp_path_factory: pytest.TempPathFactory,
                               table: tuple[list[str], list[list[Any]]], sheet: Any) -> None:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def clean(v: Any) -> Any:
        return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v

    d = tmp_path_factory.mktemp("fuzz")
    wb = openpyxl.Workbook()
    wb.active.title = "Outlets"
    wb.active.append([clean(c) for c in table[0]])
    for row in table[1]:
        wb.active.append([clean(v) for v in row])
    wb.save(d / "outlets.xlsx")
    (d / "reps.csv").write_text("rep_id,lat,lon\nR1,43.73,7.42\n", encoding="utf-8")
    read_either(d / "outlets.xlsx", d / "reps.csv", sheet=sheet)


@FUZZ
@given(outlets=frames(OUTLET_COLUMNS), reps=frames(REP_COLUMNS))
def test_dataframe_fuzz(outlets: pd.DataFrame, reps: pd.DataFrame) -> None:
    read_either(outlets, reps)


def _problem() -> Problem:
    return Problem([Outlet("P1", 43.73, 7.42), Outlet("P2", 43.735, 7.425)],
                   [Rep("R1", 43.74, 7.42), Rep("R2", 43.72, 7.41)], Horizon(START, weeks=2))


@FUZZ
@given(log=csv_bytes(LOG_COLUMNS), today=st.sampled_from([START, date(2026, 12, 3)]))
def test_visit_log_fuzz(tmp_path_factory: pytest.TempPathFactory, log: bytes,
                        today: date) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "log.csv"
    path.write_bytes(log)
    problem = _problem()
    try:
        entries, issues = read_visit_log(path, problem, today=today)
    except InputError as e:
        assert_located(e)
        return
    for i in issues:
        assert located(i) and i.file == "log.csv"
    ids = {o.id for o in problem.outlets}
    for e in entries:
        assert e.outlet_id in ids and e.date in problem.horizon


@FUZZ
@given(stock=csv_bytes(STOCK_COLUMNS))
def test_stock_file_fuzz(tmp_path_factory: pytest.TempPathFactory, stock: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "stock.csv"
    path.write_bytes(stock)
    problem = _problem()
    try:
        table = read_stock(path, outlets=problem)
    except InputError as e:
        assert_located(e)
        return
    ids = {o.id for o in problem.outlets}
    for c in table.counts:
        assert c.outlet_id in ids and c.sku and min(c.stock, c.delivered, c.ordered) >= 0


# -- option files ----------------------------------------------------------------------------
TOML_VALUE = st.one_of(
    st.integers(-10**20, 10**20).map(str), st.floats().map(lambda x: repr(x).replace("nan", "nan")
                                                           .replace("inf", "inf")),
    st.sampled_from(["true", "false", "inf", "-inf", "nan", "1e400", "1_000", "0x10", "2026-11-30",
                     "2026-11-30T10:00:00", '"2026-11-30"', '"20261130"', '"soon"', "[]",
                     '["2026-12-08", "xmas"]', '["2026-12-08"]', "{}", '{ a = 1 }', '""',
                     '"osrm"', '"road"', '"haversine"', "[1, 2]", "0", "-1", "1", "4",
                     '"MC"', '"cn"', '"DE"', '"BY"', '"XX"', '"DE-BY"']),
)
SOLVE_KEYS = ["time_limit", "max_iterations", "max_no_improvement", "seed", "time_weight",
              "polish", "workers", "miss_penalty", "no_such_knob"]


@st.composite
def toml_text(draw: st.DrawFn) -> str:
    top = draw(st.lists(st.sampled_from(["start", "weeks", "holidays", "skip_invalid", "speed",
                                         "start", "country", "subdiv", "workdays"]),
                        max_size=4, unique=True))
    lines = [f"{k} = {draw(TOML_VALUE)}" for k in top]
    for table, keys in (("solve", SOLVE_KEYS), ("task", ["frozen_days", "today"]),
                        ("matrix", ["provider", "osm_file", "osrm_url", "cache_dir", "x"])):
        if draw(st.booleans()):
            lines.append(f"[{table}]")
            for k in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
                lines.append(f"{k} = {draw(TOML_VALUE)}")
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 6)) == 0:
        text += draw(st.text(max_size=20))
    return text


@FUZZ
@given(text=toml_text(), defaults=st.booleans())
def test_territory_options_fuzz(tmp_path_factory: pytest.TempPathFactory, text: str,
                                defaults: bool) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "north").mkdir()
    (root / "north" / "outlets.csv").write_text("outlet_id\n", encoding="utf-8")
    (root / ("batch.toml" if defaults else "north/territory.toml")).write_text(
        text, encoding="utf-8")
    try:
        found, _ = read_territories(root)
    except InputError as e:  # a bad batch.toml stops the batch
        assert defaults
        assert_located(e)
        assert all(i.file for i in e.issues)
        return
    (t,) = found
    if t.error is not None:  # a bad territory.toml fails that territory only
        assert not defaults
        assert_located(t.error)
        assert all(i.file for i in t.error.issues)
    else:
        opts = t.options
        assert isinstance(opts, TerritoryOptions) and opts.weeks >= 1
        assert 0 < opts.solve.time_limit <= 1e9 and math.isfinite(opts.solve.time_limit)
        opts.to_dict()


@FUZZ
@given(data=st.binary(max_size=64))
def test_options_file_bytes_fuzz(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path: Path = tmp_path_factory.mktemp("fuzz") / "territory.toml"
    path.write_bytes(data)
    try:
        TerritoryOptions.from_toml(path)
    except InputError as e:
        assert_located(e)


# -- every near miss alone, in an otherwise valid table --------------------------------------
_CLEAN_OUTLETS = {"outlet_id": "P1", "lat": "43.735", "lon": "7.425", "frequency": "1/week",
                  "service_min": "15", "priority": "B", "appointment": "",
                  "opening_hours": "Mo-Fr 08:00-18:00"}
_CLEAN_REPS = {"rep_id": "R1", "lat": "43.73", "lon": "7.42", "shift": "08:30-17:30",
               "break": "12:00-14:00/45", "max_visits": "", "capacity": "", "days_off": ""}
NEAR_MISSES = [(table, column, value)
               for table, clean in (("outlets", _CLEAN_OUTLETS), ("reps", _CLEAN_REPS))
               for column in clean if column in TRICKY
               for value in TRICKY[column] + ["inf", "nan", "1e400", "4_2", "\uff12"]]


@pytest.mark.parametrize(("table", "column", "value"), NEAR_MISSES)
def test_each_near_miss_alone(tmp_path: Path, table: str, column: str, value: str) -> None:
    """One bad cell in a valid table: a valid problem, or an error naming its line and column."""
    rows = {"outlets": dict(_CLEAN_OUTLETS), "reps": dict(_CLEAN_REPS)}
    rows[table][column] = value
    for name, row in rows.items():
        (tmp_path / f"{name}.csv").write_text(
            ",".join(row) + "\n" + ",".join(_quote(v, ",") for v in row.values()) + "\n",
            encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            problem = read_problem(tmp_path / "outlets.csv", tmp_path / "reps.csv", start=START)
        except InputError as e:
            assert_located(e)
            assert any(i.file == f"{table}.csv" and i.line == 2 and i.column == column
                       for i in e.issues), [str(i) for i in e.issues]
            return
        check_problem(problem)
