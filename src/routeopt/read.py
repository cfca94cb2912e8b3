"""Build a problem from tables: pandas DataFrames or CSV files.

The column contract is documented in ``docs/csv-schema.md``. Every problem
found is reported with its file, line and column, all at once; with
``skip_invalid=True`` bad rows are left out instead (and reported through a
:class:`RowsSkippedWarning`), so that one bad outlet never stops a thousand.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from routeopt._columns import load_column_map as _load_column_map
from routeopt._columns import mapping_for as _mapping_for
from routeopt._tables import Row as _Row
from routeopt._tables import by_line as _by_line
from routeopt._tables import cell_text as _text
from routeopt._tables import median_point as _median_point
from routeopt._tables import read_table as _table
from routeopt._tables import table_name as _table_name
from routeopt._values import parse_date, parse_number
from routeopt.exceptions import InputError, Issue, RouteOptWarning
from routeopt.hours import Break, OpeningHours, TimeWindow, parse_time, parse_weekdays
from routeopt.problem import (
    MODES,
    Appointment,
    FixedBlock,
    Horizon,
    Outlet,
    Problem,
    Rep,
    VisitRule,
    attribute_issues,
    parse_priority,
    parse_rule_frequency,
)

if TYPE_CHECKING:
    import pandas as pd

    from routeopt.matrix import TravelMatrix

__all__ = [
    "OUTLET_COLUMNS",
    "REP_COLUMNS",
    "RowsSkippedWarning",
    "read_outlets",
    "read_problem",
    "read_reps",
]

OUTLET_COLUMNS = {
    "required": ("outlet_id", "lat", "lon", "frequency"),
    "optional": ("name", "address", "priority", "service_min", "opening_hours", "rep_id",
                 "allowed_days", "appointment", "demand", "crs", "preferred_time"),
}
REP_COLUMNS = {
    "required": ("rep_id", "lat", "lon"),
    "optional": ("name", "end_lat", "end_lon", "shift", "working_days", "break", "max_visits",
                 "mode", "capacity", "days_off", "crs", "max_drive", "blocks",
                 "min_visits", "target_day", "country", "subdiv"),
}
DEFAULT_SERVICE_MIN = 15
_NO_APPOINTMENTS: tuple[Appointment, ...] = ()
_NO_DATES: frozenset[date] = frozenset()
_NO_BLOCKS: tuple[FixedBlock, ...] = ()

class RowsSkippedWarning(RouteOptWarning):
    """Rows left out by ``skip_invalid=True``; :attr:`issues` says why."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__(f"{len(self.issues)} problem(s): rows left out of the plan")


#: Geocodes addresses for :func:`read_outlets`: each address to WGS-84 ``(lat, lon)``, or to the
#: reason it was not found (see ``routeopt.geocode.locate``).
Locate = Callable[[list[str]], Mapping[str, tuple[float, float] | str]]


def _crs_name(crs: str) -> str:
    """The canonical name of a coordinate system given as an argument (InputError if unknown)."""
    from routeopt.geocode._crs import parse_crs

    try:
        return parse_crs(crs)
    except ValueError as e:
        raise InputError([Issue(f"crs: {e}", column="crs")]) from None


def read_outlets(source: pd.DataFrame | str | Path, *, crs: str = "wgs84",
                 geocode: Locate | None = None, encoding: str | None = None,
                 sheet: str | int | None = None, columns: Mapping[str, str] | None = None,
                 ) -> tuple[list[Outlet], list[Issue], dict[str, int | None]]:
    """Parse the outlets table.

    Parameters
    ----------
    source
        A DataFrame, or the path of a CSV file or of an Excel workbook
        (``.xlsx``, ``.xls``).
    crs
        The coordinate system of ``lat``/``lon`` (``wgs84``, ``gcj02``, ``bd09``)
        where a row's ``crs`` cell is empty; converted to WGS-84.
    geocode
        Called once with the addresses of the rows that have an ``address`` and
        no ``lat``/``lon``; returns WGS-84 ``(lat, lon)`` or the reason it was
        not found, for each. Rows not found become issues on ``address``.
        Without it such rows are an error (``lat`` is empty).
    encoding, sheet, columns
        How the file is read: see :func:`read_problem`; ``columns`` is the map
        of this table alone (your header -> routeopt column).

    Returns
    -------
    outlets, issues, lines
        The outlets that parsed, the problems of the rows that did not, and
        the line of each outlet id (for later messages).
    """
    crs = _crs_name(crs)
    spec = OUTLET_COLUMNS
    if geocode is not None:  # lat/lon may come from the addresses
        spec = {"required": ("outlet_id", "frequency"),
                "optional": ("lat", "lon", *OUTLET_COLUMNS["optional"])}
    header: dict[str, str] = {}
    records, file, issues = _table(source, "outlets", spec, encoding=encoding, sheet=sheet,
                                   columns=columns, header_names=header)
    extra = extra_columns(header, file)
    located: Mapping[str, tuple[float, float] | str] = {}
    if geocode is not None:
        wanted = [a for _, row in records if not _text(row, "lat") and not _text(row, "lon")
                  and (a := _text(row, "address"))]
        located = geocode(wanted) if wanted else {}
    outlets: list[Outlet] = []
    lines: dict[str, int | None] = {}
    seen: dict[str, int | None] = {}  # every id met, valid row or not
    near = _median_point(records)
    for line, row in records:
        oid = _text(row, "outlet_id")
        r = _Row(row, file, line, outlet_id=oid or None)
        r.unique_id("outlet_id", "outlet", oid, seen)
        address = _text(row, "address")
        found = (located.get(address) if address and not _text(row, "lat")
                 and not _text(row, "lon") else None)
        lat: float | None
        lon: float | None
        if isinstance(found, tuple):
            lat, lon = found
        elif isinstance(found, str):
            lat = lon = None
            r.issue("address", f"{address!r} could not be geocoded: {found}; correct the "
                               "address, or give lat and lon")
        else:
            lat, lon = r.to_wgs84(*r.point(
                "lat", "lon", "give WGS-84 latitude in degrees, or geocode the address first",
                "give WGS-84 longitude in degrees, or geocode the address first", near=near),
                crs)
        appts = r.get("appointment", parse_appointments, _NO_APPOINTMENTS)
        no_rule: tuple[Fraction, tuple[int, int] | None, int | None] = (
            Fraction(0) if appts else Fraction(1), None, None)
        per_week, interval, per_month = r.get(
            "frequency", parse_rule_frequency, no_rule, required=not appts,
            hint="write e.g. 2/week, 1/week, 1/2weeks, 1/4weeks, every 14d, every 10-14d, "
                 "4/month")
        allowed = r.get("allowed_days", parse_weekdays, None)
        priority = r.get("priority", parse_priority, 2)
        service = r.number("service_min", lo=0, hi=24 * 60, hint="visit minutes")
        hours = r.get("opening_hours", OpeningHours.parse, OpeningHours())
        demand = r.number("demand", lo=0, hint="units per visit, >= 0")
        rep_id = _text(row, "rep_id") or None
        preferred = r.get("preferred_time", parse_time, None)
        if r.issues:
            issues += r.issues
            continue
        assert lat is not None and lon is not None
        try:
            outlets.append(Outlet(
                id=oid, lat=lat, lon=lon,
                rule=VisitRule(per_week=per_week, allowed_weekdays=allowed, interval=interval,
                               per_month=per_month),
                name=_text(row, "name"), address=_text(row, "address"),
                service=round(60 * (service if service is not None else DEFAULT_SERVICE_MIN)),
                priority=priority, hours=hours, appointments=appts, rep_id=rep_id,
                demand=round(demand or 0), preferred_time=preferred,
                attributes={name: _text(row, key) for key, name in extra.items()},
            ))
            lines[oid] = line
        except InputError as e:
            issues += [_place(i, file, line) for i in e.issues]
    return outlets, _by_line(issues), lines


def extra_columns(header: Mapping[str, str], file: str | None = None) -> dict[str, str]:
    """The outlets table's extra columns: each key of its rows to its name as written.

    ``header`` maps the rows' keys (the names in lower case) to the names as the
    header writes them, in order; the extra columns are those left when
    routeopt's own (:data:`OUTLET_COLUMNS`) are recognised, and become each
    outlet's :attr:`~routeopt.Outlet.attributes`, named as written. Columns
    without a name (a trailing separator) are left out.

    Raises
    ------
    InputError
        An extra column is named like a column routeopt writes
        (:data:`~routeopt.problem.RESERVED_COLUMNS`), naming the column.
    """
    own = set(OUTLET_COLUMNS["required"] + OUTLET_COLUMNS["optional"])
    extra = {key: name for key, name in header.items() if key and key not in own}
    issues = attribute_issues(dict.fromkeys(extra.values(), ""), file=file,
                              line=1 if file is not None else None)
    if issues:
        raise InputError(issues)
    return extra


def parse_appointments(text: str) -> tuple[Appointment, ...]:
    return tuple(Appointment.parse(t) for t in text.split(";") if t.strip())


def _dates(text: str) -> frozenset[date]:
    try:
        return frozenset(parse_date(t) for t in text.replace(",", ";").split(";") if t.strip())
    except InputError:
        raise ValueError(f"{text!r}: write dates as YYYY-MM-DD separated by ';'") from None


def _working_days(text: str) -> frozenset[int]:
    if text.lower() in ("none", "off", "-", "0"):
        return frozenset()
    return parse_weekdays(text)


def _mode(text: str) -> str:
    t = text.lower()
    aliases = {"car": "drive", "driving": "drive", "foot": "walk", "walking": "walk",
               "bike": "bicycle", "cycling": "bicycle"}
    t = aliases.get(t, t)
    if t not in MODES:
        raise ValueError(f"{text!r} is not a travel mode; use one of {', '.join(MODES)}")
    return t


def _duration(text: str) -> int:
    """Seconds from minutes (``90``) or hours and minutes (``1:30``); >= 0."""
    t = text.strip()
    m = re.fullmatch(r"(\d+):([0-5]\d)", t)
    if m:
        minutes: float = int(m[1]) * 60 + int(m[2])
    else:
        try:
            minutes = parse_number(t, decimal_comma=True)
        except InputError:
            raise ValueError(f"{text!r} is not a duration; write minutes (90) or H:MM (1:30)"
                             ) from None
    if not 0 <= minutes <= 24 * 60:
        raise ValueError(f"{text!r} is not a duration of a day (0 to 24 hours); write "
                         "minutes (90) or H:MM (1:30)")
    return round(minutes * 60)


def read_reps(source: pd.DataFrame | str | Path, *, crs: str = "wgs84",
              encoding: str | None = None, sheet: str | int | None = None,
              columns: Mapping[str, str] | None = None,
              ) -> tuple[list[Rep], list[Issue], dict[str, int | None]]:
    """Parse the reps table; returns (reps, issues, line of each rep id).

    ``crs`` is the coordinate system of the points where a row's ``crs`` cell
    is empty, and ``encoding``, ``sheet`` and ``columns`` say how the file is
    read, as in :func:`read_outlets`.
    """
    crs = _crs_name(crs)
    records, file, issues = _table(source, "reps", REP_COLUMNS, encoding=encoding, sheet=sheet,
                                   columns=columns)
    reps: list[Rep] = []
    lines: dict[str, int | None] = {}
    seen: dict[str, int | None] = {}
    near = _median_point(records)
    for line, row in records:
        rid = _text(row, "rep_id")
        r = _Row(row, file, line, rep_id=rid or None)
        r.unique_id("rep_id", "rep", rid, seen)
        lat, lon = r.to_wgs84(*r.point("lat", "lon", "WGS-84 latitude of the start",
                                       "WGS-84 longitude of the start", near=near), crs)
        end_lat, end_lon = r.to_wgs84(*r.point("end_lat", "end_lon", "WGS-84 latitude of the "
                                               "end", "WGS-84 longitude of the end",
                                               required=False, near=near), crs)
        shift = r.get("shift", TimeWindow.parse, TimeWindow(8 * 3600 + 1800, 17 * 3600 + 1800))
        working = r.get("working_days", _working_days, frozenset(range(5)))
        brk = r.get("break", Break.parse, None)
        maxv = r.number("max_visits", lo=1, hi=10_000, hint="visits per day, >= 1", integer=True)
        mode = r.get("mode", _mode, "drive")
        cap = r.number("capacity", lo=0, hint="units per route, >= 0", integer=True)
        off = r.get("days_off", _dates, _NO_DATES)
        max_drive = r.get("max_drive", _duration, None)
        blocks = r.get("blocks", FixedBlock.parse_list, _NO_BLOCKS)
        minv = r.number("min_visits", lo=0, hi=10_000, hint="visits per day, >= 0", integer=True)
        target = r.get("target_day", _duration, None)
        if r.issues:
            issues += r.issues
            continue
        assert lat is not None and lon is not None
        try:
            reps.append(Rep(
                id=rid, lat=lat, lon=lon, end_lat=end_lat, end_lon=end_lon,
                name=_text(row, "name"), shift=shift, working_days=working, lunch=brk,
                max_visits=None if maxv is None else int(maxv), mode=mode,
                capacity=None if cap is None else int(cap), days_off=off,
                max_drive=max_drive, blocks=blocks,
                min_visits=None if minv is None else int(minv), target_day=target,
                country=_text(row, "country") or None, subdiv=_text(row, "subdiv") or None,
            ))
            lines[rid] = line
        except InputError as e:
            issues += [_place(i, file, line) for i in e.issues]
    return reps, _by_line(issues), lines


def _date_list(values: Iterable[date | str], what: str, column: str) -> frozenset[date]:
    out: set[date] = set()
    for h in values:
        try:
            out.add(h if isinstance(h, date) else parse_date(str(h)))
        except ValueError:
            raise InputError([Issue(f"{what} {h!r} is not a date; write YYYY-MM-DD",
                                    column=column)]) from None
    return frozenset(out)


def _place(issue: Issue, file: str | None, line: int | None) -> Issue:
    return Issue(issue.message, file=issue.file or file, line=issue.line or line,
                 column=issue.column, outlet_id=issue.outlet_id, rep_id=issue.rep_id)


def read_problem(outlets: pd.DataFrame | str | Path, reps: pd.DataFrame | str | Path, *,
                 start: date | str, weeks: int = 1, holidays: Iterable[date | str] = (),
                 matrix: Mapping[str, TravelMatrix] | None = None,
                 skip_invalid: bool = False, crs: str = "wgs84",
                 geocode: Locate | None = None, country: str | None = None,
                 subdiv: str | None = None, workdays: Iterable[date | str] = (),
                 encoding: str | None = None, sheet: str | int | None = None,
                 reps_sheet: str | int | None = None,
                 columns: str | Path | Mapping[str, Mapping[str, str]] | None = None,
                 ) -> Problem:
    """Build a :class:`Problem` from an outlets table and a reps table.

    Parameters
    ----------
    outlets, reps
        DataFrames, or paths of CSV files (header row) or Excel workbooks
        (``.xlsx``, ``.xlsm``, ``.xls``).
    start
        The first date planned (``YYYY-MM-DD``).
    weeks
        Weeks in the horizon (the visit cycle).
    holidays
        Dates nobody works, on top of the calendar's.
    matrix
        Your own travel matrices per mode, in the order of :meth:`Problem.points`.
    skip_invalid
        Leave bad outlet rows out (with a :class:`RowsSkippedWarning`) instead
        of raising. Errors in the reps table always raise.
    crs
        The coordinate system of the points in both tables where a row has no
        ``crs`` cell: ``wgs84`` (default), ``gcj02`` or ``bd09``.
    geocode
        Geocodes the outlets that have an address and no coordinates, e.g.
        ``functools.partial(routeopt.geocode.locate, geocoder=g, cache=c)``;
        see :func:`read_outlets`.
    country, subdiv
        The official calendar of public holidays and make-up working days
        (:class:`Horizon`, :mod:`routeopt.calendars`), e.g. ``"CN"``, or
        ``"DE"`` and ``"BY"``; a rep's ``country``/``subdiv`` cells override it.
    workdays
        Dates every rep works, whatever the calendar and working days say.
    encoding
        The encoding of the CSV files; by default UTF-8 (with or without a
        byte-order mark) or GBK/GB18030, detected by the rule in
        ``docs/csv-schema.md``.
    sheet, reps_sheet
        The sheet of an Excel outlets (``sheet``) or reps (``reps_sheet``)
        workbook: a name, or a 0-based index; the first sheet by default.
    columns
        A column map: the path of its TOML file, or its tables as a mapping
        (``{"outlets": {"Account ID": "outlet_id"}, "reps": {...}}``), each
        *your header -> routeopt column*. Without one (and for the columns it
        does not name), the built-in aliases of ``docs/csv-schema.md`` apply.

    Raises
    ------
    InputError
        With every problem found, each naming its file, line and column.
    TableError
        An :class:`InputError` for a file that cannot be read as a whole (an
        encoding, a missing sheet or column, a bad column map).

    Examples
    --------
    >>> import pandas as pd
    >>> outlets = pd.DataFrame({"outlet_id": ["P1", "P2"], "lat": [43.73, 43.74],
    ...                         "lon": [7.42, 7.43], "frequency": ["1/week", "2/week"]})
    >>> reps = pd.DataFrame({"rep_id": ["R1"], "lat": [43.735], "lon": [7.425]})
    >>> problem = read_problem(outlets, reps, start="2026-11-30")
    >>> problem.required_visits
    3
    """
    try:
        start_d = start if isinstance(start, date) else parse_date(str(start))
    except ValueError:
        raise InputError([Issue(f"start {start!r} is not a date; write YYYY-MM-DD",
                                column="start")]) from None
    horizon = Horizon(start_d, weeks, _date_list(holidays, "holiday", "holidays"),
                      country=country, subdiv=subdiv,
                      workdays=_date_list(workdays, "workday", "workdays"))
    cmap = None if columns is None else _load_column_map(columns)
    o_map, r_map = _mapping_for(cmap, "outlets"), _mapping_for(cmap, "reps")
    if geocode is None:
        outs, o_issues, o_lines = read_outlets(outlets, crs=crs, encoding=encoding, sheet=sheet,
                                               columns=o_map)
        rps, r_issues, r_lines = read_reps(reps, crs=crs, encoding=encoding, sheet=reps_sheet,
                                           columns=r_map)
    else:  # the reps first: no geocoding when the run cannot go on
        rps, r_issues, r_lines = read_reps(reps, crs=crs, encoding=encoding, sheet=reps_sheet,
                                           columns=r_map)
        if r_issues:
            raise InputError(r_issues)
        outs, o_issues, o_lines = read_outlets(outlets, crs=crs, geocode=geocode,
                                               encoding=encoding, sheet=sheet, columns=o_map)
    o_file = _table_name(outlets, sheet)
    r_file = _table_name(reps, reps_sheet)
    if r_issues or not rps:
        raise InputError(r_issues + o_issues if r_issues else [Issue("no valid reps", file=r_file)])

    def place(issues: Iterable[Issue]) -> list[Issue]:
        return [
            _place(i, o_file, o_lines.get(i.outlet_id)) if i.outlet_id is not None
            else _place(i, r_file, r_lines.get(i.rep_id)) if i.rep_id is not None else i
            for i in issues
        ]

    if o_issues and not skip_invalid:
        # Check the rows that did parse too, so that one run reports every problem.
        extra: list[Issue] = []
        if outs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    Problem(tuple(outs), tuple(rps), horizon, None)
                except InputError as e:
                    extra = place(e.issues)
        raise InputError(_by_line(o_issues + extra))
    skipped: list[Issue] = list(o_issues)
    no_outlets_left = Issue("no valid outlets left: every outlet row has a problem",
                            file=o_file)
    if not outs:
        raise InputError([*skipped, no_outlets_left])
    while True:
        try:
            problem = Problem(tuple(outs), tuple(rps), horizon, matrix)
            break
        except InputError as e:
            placed = place(e.issues)
            bad = {i.outlet_id for i in placed if i.outlet_id is not None and i.rep_id is None}
            other = [i for i in placed if i.outlet_id is None or i.rep_id is not None]
            if not skip_invalid or other or not bad or matrix is not None:
                raise InputError(_by_line(skipped + placed)) from None
            skipped += placed
            outs = [o for o in outs if o.id not in bad]
            if not outs:
                raise InputError([*_by_line(skipped), no_outlets_left]) from None
    if skipped:
        warnings.warn(RowsSkippedWarning(_by_line(skipped)), stacklevel=2)
    return problem
