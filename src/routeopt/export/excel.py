"""The plan as an Excel workbook: a sheet per rep, the figures, the unscheduled visits.

:func:`write_workbook` writes, with openpyxl (the ``reports`` extra):

- ``Summary``: the plan's figures (:meth:`routeopt.Plan.kpis` and the solver
  facts of ``summary.json``, one per row; nested figures such as
  ``coverage_by_priority`` as ``coverage_by_priority.1``), then one row per rep
  with the rep's figures (``per_rep``);
- ``Unscheduled``: the columns of ``unscheduled.csv``;
- one sheet per rep, in the order of the reps (named after the rep's id and
  name, made to fit Excel's rules): the rep's visits by date and order, with
  dates, times and durations as real Excel values, and the outlet's extra
  columns (:attr:`routeopt.Outlet.attributes`) after routeopt's own.

Text goes in as text: a value such as ``=1+1`` or ``+377 93 15 00 00`` is kept
as written, never read as a formula or a number.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routeopt._files import atomic_open

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from routeopt.plan import Plan

__all__ = ["DEFAULT_NAME", "SHEET_SUMMARY", "SHEET_UNSCHEDULED", "sheet_names", "write",
           "write_workbook"]

#: The workbook's file name when :func:`write_workbook` is given a folder.
DEFAULT_NAME = "plan.xlsx"
SHEET_SUMMARY = "Summary"
SHEET_UNSCHEDULED = "Unscheduled"
#: Columns of a rep's sheet before the extra columns.
REP_SHEET_COLUMNS = ("date", "weekday", "seq", "outlet_id", "name", "address", "priority",
                     "arrival", "start", "end", "wait", "travel", "distance_km", "label")
_UNSCHEDULED_COLUMNS = ("outlet_id", "name", "address", "priority", "date", "reason", "message")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_MAX_TITLE = 31
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # as in visits.csv
_DATE_FORMAT = "yyyy-mm-dd"
_TIME_FORMAT = "hh:mm:ss"
_DURATION_FORMAT = "[h]:mm:ss"


def sheet_names(wanted: list[str], taken: list[str] | None = None) -> list[str]:
    """Excel sheet names for ``wanted``, each unique (also against ``taken``).

    Excel's rules: at most 31 characters, none of ``[ ] : * ? / \\``, not
    empty, not starting or ending with an apostrophe, not ``History``, and
    unique without regard to case. A bad character becomes ``_``; a name
    met before gets `` (2)``, `` (3)``... within the 31 characters.

    Examples
    --------
    >>> sheet_names(["R1 North/South [A]", "r1 north/south [a]", "History", ""])
    ['R1 North_South _A_', 'r1 north_south _a_ (2)', 'History_', 'Sheet']
    >>> [len(n) for n in sheet_names(["x" * 40, "x" * 40])]
    [31, 31]
    """
    seen = {t.casefold() for t in taken or ()}
    out = []
    for name in wanted:
        base = _BAD_TITLE.sub("_", name).strip().strip("'").strip() or "Sheet"
        if base.casefold() == "history":
            base += "_"
        base = base[:_MAX_TITLE].rstrip("'")
        title, k = base, 1
        while title.casefold() in seen:
            k += 1
            tail = f" ({k})"
            title = base[:_MAX_TITLE - len(tail)].rstrip("'") + tail
        seen.add(title.casefold())
        out.append(title)
    return out


def write_workbook(plan: Plan, path: str | Path) -> Path:
    """Write the plan as an Excel workbook (``.xlsx``), atomically.

    Parameters
    ----------
    plan
        A plan, solved or opened from its folder (:func:`routeopt.open_plan`).
    path
        The file to write, or an existing folder to write ``plan.xlsx`` into.

    Returns
    -------
    Path
        The workbook written (whole: a reader never sees half a file).

    Raises
    ------
    ImportError
        openpyxl is not installed (``pip install "routeopt[reports]"``).

    Notes
    -----
    In a rep's sheet, ``date`` is an Excel date, ``arrival``, ``start`` and
    ``end`` Excel times of day, ``wait`` and ``travel`` Excel durations
    (``[h]:mm:ss``), ``distance_km`` a number; the outlet's extra columns
    follow as text. A character Excel cannot hold (a control character
    other than tab and line breaks) is left out of the text.

    Examples
    --------
    >>> import tempfile
    >>> from datetime import date
    >>> from openpyxl import load_workbook
    >>> from routeopt import Horizon, Outlet, Problem, Rep, SolveParams, VisitRule, solve
    >>> problem = Problem([Outlet("A", 43.73, 7.42, VisitRule.parse("1/week"),
    ...                           attributes={"phone": "+377 93 00 00 00"})],
    ...                   [Rep("R1", 43.74, 7.42, name="North")], Horizon(date(2026, 11, 30)))
    >>> plan = solve(problem, SolveParams(max_iterations=10))
    >>> book = load_workbook(write_workbook(plan, tempfile.mkdtemp()))
    >>> book.sheetnames
    ['Summary', 'Unscheduled', 'R1 North']
    >>> [c.value for c in book["R1 North"][1]][-1], book["R1 North"]["O2"].value
    ('phone', '+377 93 00 00 00')
    """
    try:
        from openpyxl import Workbook
    except ImportError as e:  # pragma: no cover - the reports extra is in the test extra
        raise ImportError('the Excel workbook needs openpyxl: pip install "routeopt[reports]"'
                          ) from e

    out = Path(path)
    if out.is_dir():
        out = out / DEFAULT_NAME
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SHEET_SUMMARY
    _summary_sheet(summary, plan)
    _unscheduled_sheet(book.create_sheet(SHEET_UNSCHEDULED), plan)
    reps = list(plan.problem.reps)
    known = {r.id for r in reps}
    rep_ids = [r.id for r in reps] + sorted({r.rep_id for r in plan.routes} - known)
    names = {r.id: r.name for r in reps}
    titles = sheet_names([f"{rid} {names[rid]}" if names.get(rid) else rid for rid in rep_ids],
                         [SHEET_SUMMARY, SHEET_UNSCHEDULED])
    for rid, title in zip(rep_ids, titles, strict=True):
        _rep_sheet(book.create_sheet(title), plan, rid)
    with atomic_open(out, "wb") as f:
        book.save(f)
    return out


def write(plan: Plan, folder: Path, options: Any = None) -> list[Path]:
    """The ``--xlsx`` output of ``routeopt export``: ``plan.xlsx`` under ``folder``.

    The signature of an export's writer (``plan, folder, options``); the
    options (language, time zone) are not used yet: the workbook's labels are
    routeopt's column names.
    """
    return [write_workbook(plan, Path(folder) / DEFAULT_NAME)]


# -- sheets ------------------------------------------------------------------------------------
def _rep_sheet(ws: Worksheet, plan: Plan, rep_id: str) -> None:
    outlets = {o.id: o for o in plan.problem.outlets}
    extra = plan.extra_columns()
    rows: list[list[Any]] = []
    for r in plan.routes:
        if r.rep_id != rep_id:
            continue
        for seq, s in enumerate(r.stops, start=1):
            o = outlets.get(s.outlet_id)
            rows.append([
                r.date, _WEEKDAYS[r.date.weekday()], seq,
                s.outlet_id, o.name if o else "", o.address if o else "",
                o.priority if o else None, _clock(s.arrival), _clock(s.start), _clock(s.end),
                timedelta(seconds=s.wait_s), timedelta(seconds=s.travel_s),
                round(s.distance_m / 1000, 3), s.label,
                *[(o.attributes.get(k, "") if o else "") for k in extra]])
    _table(ws, [*REP_SHEET_COLUMNS, *extra], rows)


def _unscheduled_sheet(ws: Worksheet, plan: Plan) -> None:
    extra = plan.extra_columns()
    rows = []
    for row in plan.unscheduled_rows():
        day = date.fromisoformat(row["date"]) if row["date"] else None
        rows.append([row["outlet_id"], row["name"], row["address"], row["priority"], day,
                     row["reason"], row["message"], *[row[k] for k in extra]])
    _table(ws, [*_UNSCHEDULED_COLUMNS, *extra], rows)


def _summary_sheet(ws: Worksheet, plan: Plan) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    figures = plan.summary_dict()
    per_rep = figures.pop("per_rep", {}) or {}
    rows: list[list[Any]] = []
    for key, value in figures.items():
        if isinstance(value, dict):
            rows += [[f"{key}.{k}", _scalar(v)] for k, v in value.items()]
        else:
            rows.append([key, _scalar(value)])
    _table(ws, ["figure", "value"], rows)
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)  # wide: many pages
    if not per_rep:
        return
    names = {r.id: r.name for r in plan.problem.reps}
    keys = list(dict.fromkeys(k for f in per_rep.values() for k in f))
    top = len(rows) + 3
    header = ["rep_id", "name", *keys]
    for col, text in enumerate(header, start=1):
        ws.cell(top, col, text).font = Font(bold=True)
    for i, (rid, f) in enumerate(per_rep.items(), start=1):
        values = [rid, names.get(rid, ""), *[_scalar(f.get(k)) for k in keys]]
        for col, v in enumerate(values, start=1):
            _put(ws, top + i, col, v)
    ws.column_dimensions["A"].width = 34
    for col, text in enumerate(header[1:], start=2):
        letter = get_column_letter(col)
        longest = max([len(text), *(len(str(names.get(r, ""))) for r in per_rep)]
                      if col == 2 else [len(text)])
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0,
                                                 min(40, longest + 2))



def _table(ws: Worksheet, header: list[str], rows: list[list[Any]]) -> None:
    """A header (bold, frozen, with filters) and the rows, columns sized to their text."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    for col, text in enumerate(header, start=1):
        ws.cell(1, col, text).font = Font(bold=True)
    for i, row in enumerate(rows, start=2):
        for col, v in enumerate(row, start=1):
            _put(ws, i, col, v)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"  # printed: the header on every page, the width on one page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    for col, text in enumerate(header, start=1):
        longest = max([len(text), *(_width(r[col - 1]) for r in rows[:500])])
        ws.column_dimensions[get_column_letter(col)].width = min(60, longest + 2)


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """One cell: text stays text, dates, times and durations get Excel's formats."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell = ws.cell(row, col)
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # never a formula, whatever it starts with
        return
    cell = ws.cell(row, col, value)
    if isinstance(value, timedelta):
        cell.number_format = _DURATION_FORMAT
    elif isinstance(value, time):
        cell.number_format = _TIME_FORMAT
    elif isinstance(value, date) and not isinstance(value, datetime):
        cell.number_format = _DATE_FORMAT


def _clock(seconds: int) -> time | timedelta:
    """Seconds since midnight as a time of day (a duration from midnight past 24:00)."""
    if 0 <= seconds < 86400:
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    return timedelta(seconds=seconds)


def _scalar(value: Any) -> Any:
    """A figure for a cell: numbers and text as they are, ``None`` empty, others as text."""
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def _width(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, time | timedelta):
        return 8
    if isinstance(value, date):
        return 10
    return len(str(value)) if value is not None else 0
