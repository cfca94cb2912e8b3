"""Nightly re-planning: the previous plan, a visit log and today's date -> a new plan.

Every evening the sales system hands over what happened (visits done, missed,
cancelled) and what was asked for (follow-ups, new appointments); the plan is
refreshed for the rest of the cycle, changing as little as it must. The steps,
each usable on its own:

1. :func:`read_visit_log` checks the log against the problem (unknown outlet,
   bad date or status...) and collects every bad row, with its line.
2. :func:`replan_problem` builds the re-planning :class:`~routeopt.Problem`:
   the same cycle planned from ``today`` on (:attr:`Problem.plan_from`), the
   visits of today and the frozen days pinned (:attr:`Appointment.rep_id`,
   :attr:`Problem.locked`), each outlet owing what its frequency still asks
   (``VisitRule.visits``), missed visits and follow-ups as
   :class:`~routeopt.ExtraVisit` with a due window.
3. :func:`routeopt.solve` with ``previous=`` the old plan: it starts from the
   old routes and pays ``SolveParams.move_penalty`` per visit moved to
   another day or rep.
4. :func:`compare_plans` reports what changed (:class:`Changes`).

:func:`replan` runs them all. What stays fixed, and why, is in
``docs/nightly.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routeopt._files import atomic_write
from routeopt.exceptions import InputError, Issue
from routeopt.hours import TimeWindow, parse_time, parse_window
from routeopt.plan import Plan, Route, Stop, Unscheduled
from routeopt.problem import Appointment, ExtraVisit, Outlet, Problem

if TYPE_CHECKING:
    import pandas as pd

    from routeopt.matrix import TravelMatrix
    from routeopt.solver import SolveParams

__all__ = [
    "FOLLOW_UP_DAYS",
    "LOG_COLUMNS",
    "STATUSES",
    "Change",
    "Changes",
    "LogEntry",
    "Replan",
    "carry_forward",
    "compare_plans",
    "open_plan",
    "read_cycle",
    "read_plan",
    "read_visit_log",
    "replan",
    "replan_problem",
    "with_last_visits",
]

LOG_COLUMNS = {
    "required": ("outlet_id", "rep_id", "date", "status"),
    "optional": ("time", "kind", "due", "reason", "note"),
}
#: Statuses of a visit row: ``done`` counts toward the frequency, ``missed`` is
#: owed again (a make-up visit), ``cancelled`` is not owed any more.
STATUSES = ("done", "missed", "cancelled")
KINDS = ("visit", "follow_up", "appointment")
#: Working days to answer a follow-up, by its ``reason`` (the source domain:
#: respond to an objection within 1 working day, propose a solution and confirm
#: an order within 3).
FOLLOW_UP_DAYS = {"objection": 1, "solution": 3, "order": 3}

_CHANGE_COLUMNS = ("outlet_id", "change", "label", "rep_before", "date_before", "start_before",
                   "rep_after", "date_after", "start_after")


# -- the visit log ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LogEntry:
    """One row of the visit log.

    ``kind`` is ``visit`` (a planned or unplanned visit with its ``status``),
    ``follow_up`` (a one-off visit due by ``due``) or ``appointment`` (a new
    appointment on ``date`` starting within ``window``). ``note`` is the rep's
    free text (what was promised, the objection): re-planning does not read it,
    the route sheets print it.
    """

    outlet_id: str
    rep_id: str
    date: date
    status: str = ""
    kind: str = "visit"
    due: dt.date | None = None
    window: TimeWindow | None = None
    line: int | None = None
    reason: str = ""
    note: str = ""


def _date(text: str) -> date:
    """``YYYY-MM-DD``, or the date of a ``YYYY-MM-DD HH:MM`` / ``YYYY-MM-DDTHH:MM`` stamp."""
    from routeopt._values import parse_day

    return parse_day(text)


def _window(text: str) -> TimeWindow:
    t = text.replace(" ", "")
    if "-" in t:
        return parse_window(t)
    s = parse_time(t)
    return TimeWindow(s, s)


def read_visit_log(source: pd.DataFrame | str | Path, problem: Problem, *,
                   today: date, encoding: str | None = None, sheet: str | int | None = None,
                   columns: Mapping[str, str] | None = None,
                   ) -> tuple[list[LogEntry], list[Issue]]:
    """Read and check a visit log (CSV file, Excel workbook or DataFrame).

    ``encoding``, ``sheet`` and ``columns`` (your header -> routeopt column)
    say how the file is read, as for the outlets table
    (:func:`routeopt.read.read_problem`).

    Columns: ``outlet_id``, ``rep_id``, ``date``, ``status`` (``done``,
    ``missed``, ``cancelled``), and optionally ``time``, ``kind``
    (``visit``, ``follow_up``, ``appointment``), ``due``, ``reason``
    (``objection``, ``solution``, ``order``: see :data:`FOLLOW_UP_DAYS`) and
    ``note`` (free text, kept in :attr:`LogEntry.note`).

    A log with its header and no rows (a quiet night) has no entries: no
    news, as with no log at all. An empty file (not even a header) is an
    error: it is more likely a failed export than a quiet night.

    Returns
    -------
    entries, issues
        The rows that are fine, and one :class:`~routeopt.Issue` per problem
        in the others (file, line, column and what to do).

    Examples
    --------
    >>> import pandas as pd
    >>> from routeopt import Horizon, Outlet, Problem, Rep
    >>> p = Problem([Outlet("P1", 43.73, 7.42)], [Rep("R1", 43.74, 7.42)],
    ...             Horizon(date(2026, 11, 30)))
    >>> log = pd.DataFrame({"outlet_id": ["P1", "P9"], "rep_id": ["R1", "R1"],
    ...                     "date": ["2026-11-30", "2026-11-30"], "status": ["done", "dne"]})
    >>> entries, issues = read_visit_log(log, p, today=date(2026, 12, 1))
    >>> len(entries), [i.column for i in issues]
    (1, ['outlet_id', 'status'])
    """
    from routeopt._tables import Row, by_line, cell_text, read_table

    # A header and no rows is a quiet night (nothing happened): no news, not an error.
    records, file, issues = read_table(source, "visit log", LOG_COLUMNS, noun="visit",
                                       empty_ok=True, encoding=encoding, sheet=sheet,
                                       columns=columns)
    by_id = {o.id: o for o in problem.outlets}
    outlets = set(by_id)
    reps = {r.id for r in problem.reps}
    h = problem.horizon
    entries: list[LogEntry] = []
    seen: dict[tuple[str, date], tuple[str, int | None]] = {}
    for line, row in records:
        oid = cell_text(row, "outlet_id")
        r = Row(row, file, line, outlet_id=oid or None)
        rid = cell_text(row, "rep_id")
        kind = (cell_text(row, "kind") or "visit").lower().replace("-", "_")
        if not oid:
            r.issue("outlet_id", "is empty; name the outlet visited")
        elif oid not in outlets:
            r.issue("outlet_id", f"unknown outlet {oid!r}: it is not in the outlets table")
        if rid and rid not in reps:
            r.issue("rep_id", f"unknown rep {rid!r}: it is not in the reps table")
        elif not rid and kind == "visit":
            r.issue("rep_id", "is empty; name the rep who made (or was to make) the visit")
        day = r.get("date", _date, None, required=True, hint="write YYYY-MM-DD")
        if day is not None and day not in h:
            r.issue("date", f"{day} is outside the plan's horizon {h.start}..{h.end}")
            day = None
        status = cell_text(row, "status").lower()
        due: date | None = None
        window: TimeWindow | None = None
        if kind not in KINDS:
            r.issue("kind", f"{kind!r} is not a kind of row; use {', '.join(KINDS)}")
        elif kind == "visit":
            if status not in STATUSES:
                r.issue("status", f"{status!r} is not a status; use {', '.join(STATUSES)}"
                        if status else f"is empty; use {', '.join(STATUSES)}")
            elif day is not None and day > today and status != "cancelled":
                r.issue("date", f"a visit on {day}, after today ({today}), cannot be {status} "
                                "yet; only a future visit can be cancelled")
            _ = r.get("time", parse_time, 0)  # when it happened: checked, not used
        elif kind == "follow_up":
            due = r.get("due", _date, None)
            reason = cell_text(row, "reason").lower()
            if due is None and not cell_text(row, "due"):
                if reason in FOLLOW_UP_DAYS:
                    if day is not None:
                        due = _add_working_days(problem, day, FOLLOW_UP_DAYS[reason])
                elif reason:
                    r.issue("reason", f"{reason!r} is not a follow-up reason; use "
                                      f"{', '.join(FOLLOW_UP_DAYS)} or give a due date")
                else:
                    r.issue("due", "a follow-up needs a due date (YYYY-MM-DD) or a reason "
                                   f"({', '.join(FOLLOW_UP_DAYS)})")
            if due is not None and day is not None and due < day:
                r.issue("due", f"due {due} is before the follow-up was asked for ({day})")
        else:  # appointment
            window = r.get("time", _window, None, required=True,
                           hint="give the start time or window, e.g. 10:00 or 10:00-11:00")
            if day is not None and day < today:
                r.issue("date", f"a new appointment on {day} is in the past (today is {today})")
            elif day is not None and oid in by_id and not by_id[oid].hours.windows_on(
                    day, holiday=problem.is_holiday(day)):
                r.issue("date", f"a new appointment on {day}, a day the outlet is closed; "
                                "move it or fix opening_hours")
        if kind == "visit" and day is not None and oid and not r.issues:
            prev = seen.get((oid, day))
            if prev is not None and prev[0] != status:
                where = f" (line {prev[1]})" if prev[1] is not None else ""
                r.issue("status", f"another row{where} says the visit of {oid} on {day} was "
                                  f"{prev[0]}; keep one row per visit")
            seen[(oid, day)] = (status, line)
        if r.issues:
            issues += r.issues
            continue
        assert day is not None
        entries.append(LogEntry(oid, rid, day, status, kind, due, window, line,
                                cell_text(row, "reason").lower(), cell_text(row, "note")))
    return entries, by_line(issues)


def _add_working_days(problem: Problem, day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (a day some rep works, its calendar included;
    past the horizon, by weekday less the horizon's holidays)."""
    worked = set().union(*(r.working_days for r in problem.reps))
    h = problem.horizon
    d = day
    while n > 0:
        d += timedelta(days=1)
        if (any(problem.works(r, d) for r in problem.reps) if d in h
                else d.weekday() in worked and d not in h.holidays):
            n -= 1
    return d


# -- reading a plan back ----------------------------------------------------------
def _seconds(stamp: str, day: date) -> int:
    t = datetime.fromisoformat(stamp)
    return int((t - datetime.combine(day, datetime.min.time())).total_seconds())


def read_plan(path: str | Path, problem: Problem | None = None) -> Plan:
    """Read a plan written by :meth:`Plan.write` back, for ``problem``, after checking it.

    ``path`` is the plan's directory (or its ``plan.json`` or ``visits.csv``).
    Without ``problem``, the plan is rebuilt from its folder alone:
    :func:`open_plan`.
    The folder is checked first (``docs/guarantees.md``): its files must match
    its ``manifest.json`` (sizes and hashes) and each other (the visits
    against the counts in ``summary.json``, ``plan.json`` against
    ``visits.csv``), and be whole. ``plan.json`` is then read; without it,
    ``visits.csv`` (its routes then lack the way back and the break, enough
    for a reference plan but not for ``validate()``).

    Raises
    ------
    PlanIntegrityError
        The folder is partial, mixed or damaged, or of an unknown format
        version; each issue names the file and the mismatch.
    InputError
        When there is no plan, or its files cannot be read.
    """
    from routeopt._planfolder import check_folder

    if problem is None:
        return open_plan(path)
    p = Path(path)
    folder = check_folder(p if p.is_dir() or not p.suffix else p.parent)
    use_json = folder.plan is not None and (p.is_dir() or p.name == "plan.json")
    if use_json:
        js = folder.path / "plan.json"
        try:
            return _plan_from_json(dict(folder.plan or {}), problem)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError,
                OverflowError) as e:
            raise InputError([Issue(f"cannot read the previous plan: {e}",
                                    file=str(js))]) from None
    if folder.visits is None:
        raise InputError([Issue("no visits.csv here; give the directory routeopt plan wrote",
                                file=str(folder.path))])
    return _plan_from_visits(folder.path / "visits.csv", folder.visits, problem)


def open_plan(path: str | Path) -> Plan:
    """A plan rebuilt from its folder alone, for sharing: exports, views, reports.

    The folder written by :meth:`Plan.write` (``routeopt plan --out``, a
    re-plan, a batch territory) is checked first, as by :func:`read_plan`;
    its ``plan.json`` gives the routes and unscheduled visits, its
    ``outlets.csv`` and ``reps.csv`` the outlets (name, address, point,
    priority, visit length, opening hours, fixed rep, extra columns) and the
    reps as planned, its ``summary.json`` the horizon and the figures.

    The plan's :attr:`~routeopt.Plan.problem` has the calendar of
    ``summary.json`` (country, region, holidays, workdays) but no visit rules
    (each outlet's rule asks for no visit), appointments, closed dates or
    travel matrices: they are not in the folder. So :meth:`~routeopt.Plan.kpis`
    gives the figures of ``summary.json`` (made with them), and
    :meth:`~routeopt.Plan.validate` and :meth:`~routeopt.Plan.violations`
    refuse to check it (:attr:`~routeopt.Plan.opened_from` is set): read it
    with :func:`read_plan` and its problem for that.

    Parameters
    ----------
    path
        The plan's folder (or a file in it).

    Raises
    ------
    PlanIntegrityError
        The folder fails the checks of :func:`read_plan`, or lacks a file it
        needs (``plan.json``, ``summary.json``, ``outlets.csv``, ``reps.csv``:
        a folder written by a routeopt older than these files), or one of them
        cannot be read back; each issue names the file (and line and column).
    InputError
        When there is no plan at ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from datetime import date
    >>> from routeopt import Horizon, Outlet, Problem, Rep, SolveParams, VisitRule, solve
    >>> problem = Problem([Outlet("A", 43.73, 7.42, VisitRule.parse("1/week"), name="Café",
    ...                           attributes={"phone": "+377 93 00 00 00"})],
    ...                   [Rep("R1", 43.74, 7.42)], Horizon(date(2026, 11, 30)))
    >>> folder = Path(tempfile.mkdtemp()) / "plan"
    >>> _ = solve(problem, SolveParams(max_iterations=10)).write(folder)
    >>> plan = open_plan(folder)
    >>> plan.problem.outlets[0].attributes["phone"], plan.kpis()["coverage"]
    ('+377 93 00 00 00', 1.0)
    """
    from routeopt._planfolder import check_folder
    from routeopt.exceptions import PlanIntegrityError

    p = Path(path)
    folder = check_folder(p if p.is_dir() or not p.suffix else p.parent)
    listed = folder.manifest["files"] if folder.manifest is not None else {}
    old = ("this plan folder lacks it (written by a routeopt older than plan folders with "
           "their outlets and reps, or without a manifest): write the plan again with this "
           "routeopt, or read it with its problem (routeopt.replan.read_plan(path, problem))")
    missing = [name for name, doc in (("plan.json", folder.plan), ("summary.json",
                                                                   folder.summary))
               if doc is None]
    missing += [name for name in ("outlets.csv", "reps.csv") if name not in listed]
    if missing:
        raise PlanIntegrityError([Issue(f"is missing: {old}", file=str(folder.path / name))
                                  for name in missing])
    assert folder.plan is not None and folder.summary is not None
    assert folder.outlets is not None
    problem = _folder_problem(folder.path, folder.summary, folder.outlets)
    try:
        plan = _plan_from_json(dict(folder.plan), problem)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError) as e:
        raise PlanIntegrityError([Issue(f"cannot be read back: {e}",
                                        file=str(folder.path / "plan.json"))]) from None
    return dataclasses.replace(plan, stats=dict(folder.summary), opened_from=folder.path)


def _folder_problem(path: Path, summary: Mapping[str, Any],
                    outlet_rows: list[tuple[int, dict[str, str]]]) -> Problem:
    """The outlets and reps of a plan folder over its horizon, without visit rules.

    ``outlets.csv`` is read from its checked rows (``outlet_rows``), its extra
    columns as written; ``reps.csv``, in the input's form, by the reps table's
    own reader.
    """
    import warnings

    from routeopt._tables import Row
    from routeopt._tables import cell_text as text
    from routeopt.exceptions import PlanIntegrityError
    from routeopt.hours import OpeningHours
    from routeopt.plan import OUTLETS_FILE_COLUMNS
    from routeopt.problem import Horizon, VisitRule, parse_priority
    from routeopt.read import read_reps

    issues: list[Issue] = []
    outlets: list[Outlet] = []
    o_file = str(path / "outlets.csv")
    no_visits = VisitRule(per_week=Fraction(0))
    for line, row in outlet_rows:
        oid = text(row, "outlet_id")
        r = Row(row, o_file, line, outlet_id=oid)
        lat, lon = r.point("lat", "lon", "WGS-84 degrees", "WGS-84 degrees")
        priority = r.get("priority", parse_priority, 2)
        service = r.number("service_min", lo=0, hi=24 * 60, hint="visit minutes")
        hours = r.get("opening_hours", OpeningHours.parse, OpeningHours())
        demand = r.number("demand", lo=0, hint="units per visit")
        preferred = r.get("preferred_time", parse_time, None)
        if r.issues:
            issues += r.issues
            continue
        assert lat is not None and lon is not None
        try:
            outlets.append(Outlet(
                oid, lat, lon, no_visits, name=text(row, "name"), address=text(row, "address"),
                service=round(60 * (service or 0)), priority=priority, hours=hours,
                rep_id=text(row, "rep_id") or None, demand=round(demand or 0),
                preferred_time=preferred,
                attributes={k: v for k, v in row.items() if k not in OUTLETS_FILE_COLUMNS}))
        except InputError as e:
            issues += [Issue(i.message, file=o_file, line=line, column=i.column,
                             outlet_id=oid) for i in e.issues]
    try:
        reps, r_issues, _ = read_reps(path / "reps.csv")
    except InputError as e:
        reps, r_issues = [], list(e.issues)
    issues += [_in_file(i, str(path / "reps.csv")) for i in r_issues]
    try:
        cal = summary.get("calendar") or {}
        horizon = Horizon(date.fromisoformat(str(summary["start"])), int(summary["weeks"]),
                          frozenset(date.fromisoformat(d) for d in cal.get("holidays", [])),
                          country=cal.get("country"), subdiv=cal.get("subdiv"),
                          workdays=frozenset(date.fromisoformat(d)
                                             for d in cal.get("workdays", [])))
        first = summary.get("plan_from")  # a re-plan's first date planned, where recorded
        plan_from = date.fromisoformat(first) if isinstance(first, str) else None
    except (KeyError, TypeError, ValueError) as e:
        issues.append(Issue(f"has no horizon (start and weeks) to read back: {e}",
                            file=str(path / "summary.json")))
    if issues:
        raise PlanIntegrityError(issues)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Problem(tuple(outlets), tuple(reps), horizon, plan_from=plan_from)
    except InputError as e:
        raise PlanIntegrityError([Issue(f"its outlets and reps do not make a problem: "
                                        f"{i.message}", file=o_file, column=i.column,
                                        outlet_id=i.outlet_id, rep_id=i.rep_id)
                                  for i in e.issues]) from None


def _in_file(issue: Issue, file: str) -> Issue:
    """``issue`` placed in ``file`` (its full path)."""
    return Issue(issue.message, file=file, line=issue.line, column=issue.column,
                 outlet_id=issue.outlet_id, rep_id=issue.rep_id)


def with_last_visits(problem: Problem, previous: Plan) -> Problem:
    """``problem`` with each interval rule's ``last_visit`` taken from ``previous``.

    For the next cycle (``routeopt plan --previous``): an outlet of an
    interval rule (``every 10-14d``) whose last regular visit in ``previous``
    falls before the horizon counts its first visit from it, when a planning
    day of the horizon is still in range of it (else the interval is broken
    already and the cycle starts afresh). Other rules, and outlets
    ``previous`` did not visit, are unchanged.

    Examples
    --------
    >>> from datetime import date
    >>> from routeopt.plan import Plan, Route, Stop
    >>> from routeopt.problem import Horizon, Outlet, Problem, Rep, VisitRule
    >>> friday = Route("R1", date(2026, 11, 27), 30600, 36000,
    ...                (Stop("A", 31000, 31000, 32000, 400, 3000),), 400, 3000)
    >>> p = Problem([Outlet("A", 43.7, 7.4, VisitRule.parse("every 10-14d"))],
    ...             [Rep("R1", 43.7, 7.4)], Horizon(date(2026, 11, 30), weeks=4))
    >>> with_last_visits(p, Plan(None, (friday,), (), {})).outlets[0].rule.last_visit
    datetime.date(2026, 11, 27)
    """
    last: dict[str, date] = {}
    for r in previous.routes:
        for st in r.stops:
            if not st.label and r.date < problem.horizon.start:
                last[st.outlet_id] = max(r.date, last.get(st.outlet_id, r.date))
    outlets = []
    for o in problem.outlets:
        rule, d = o.rule, last.get(o.id)
        if rule.interval is not None and rule.last_visit is None and d is not None and any(
                rule.interval[0] <= (day - d).days <= rule.interval[1]
                for day in problem.planning_days):
            o = dataclasses.replace(o, rule=dataclasses.replace(rule, last_visit=d))
        outlets.append(o)
    return problem.replace(outlets=tuple(outlets))


def carry_forward(previous: Plan, start: date, weeks: int) -> Plan:
    """The previous cycle's plan laid over the cycle that starts on ``start``.

    The result is a reference plan for :func:`routeopt.solve`
    (``solve(problem, previous=carry_forward(last, start, weeks))``): each of
    the previous cycle's routes moves by whole weeks, so that every outlet
    keeps its weekdays, its rep and its times (the fixed route lines of the
    field-sales week), repeated as often as the new cycle needs when it is
    longer. The solver then keeps what still fits and re-plans only what
    changed (new or dropped outlets, holidays, other frequencies).

    Parameters
    ----------
    previous
        The last cycle's plan (e.g. :func:`read_plan` of its directory). Its
        cycle is taken from its ``start`` and ``weeks`` statistics, or else
        from its dates.
    start, weeks
        The new cycle.

    Examples
    --------
    A one-week cycle whose rep saw outlet A on Wednesday, carried over a
    two-week cycle that starts a week later: A stays on Wednesdays.

    >>> from datetime import date
    >>> from routeopt.plan import Plan, Route, Stop
    >>> wednesday = Route("R1", date(2026, 12, 2), 30600, 36000,
    ...                   (Stop("A", 31000, 31000, 32000, 400, 3000),), 400, 3000)
    >>> old = Plan(None, (wednesday,), (), {"start": "2026-11-30", "weeks": 1})
    >>> new = carry_forward(old, date(2026, 12, 7), weeks=2)
    >>> [(r.rep_id, r.date.isoformat(), r.stops[0].start) for r in new.routes]
    [('R1', '2026-12-09', 31000), ('R1', '2026-12-16', 31000)]
    """
    if not previous.routes:
        return dataclasses.replace(previous, routes=(), unscheduled=())
    first = min(r.date for r in previous.routes)
    try:
        prev_start = date.fromisoformat(str(previous.stats["start"]))
        prev_weeks = int(previous.stats["weeks"])
    except (KeyError, TypeError, ValueError):
        prev_start = first - timedelta(days=first.weekday())
        last = max(r.date for r in previous.routes)
        prev_weeks = (last - prev_start).days // 7 + 1
    prev_weeks = max(1, prev_weeks)
    end = start + timedelta(days=7 * weeks)
    base = 7 * math.floor((start - prev_start).days / 7)
    routes: list[Route] = []
    for k in range(-1, math.ceil(weeks / prev_weeks) + 1):
        shift = timedelta(days=base + 7 * prev_weeks * k)
        routes += [dataclasses.replace(r, date=r.date + shift) for r in previous.routes
                   if start <= r.date + shift < end]
    routes.sort(key=lambda r: (r.rep_id, r.date))
    return dataclasses.replace(previous, routes=tuple(routes), unscheduled=())


def read_cycle(previous: str | Path, outlets: pd.DataFrame | str | Path,
               reps: pd.DataFrame | str | Path, *, holidays: Iterable[date | str] = (),
               matrix: Mapping[str, TravelMatrix] | None = None,
               **options: Any) -> Problem:
    """Today's outlets and reps tables over the previous plan's cycle.

    The cycle (start date and weeks) comes from the ``summary.json`` in the
    directory ``previous``; the tables are read by
    :func:`routeopt.read.read_problem`, with ``options`` (e.g. ``crs``,
    ``geocode``) passed on (its :class:`~routeopt.CycleWarning` is not
    repeated: the cycle was planned already).

    Raises
    ------
    InputError
        When ``summary.json`` is missing or lacks ``start`` and ``weeks``, or
        for bad rows in the tables.
    """
    import warnings

    from routeopt._planfolder import check_folder
    from routeopt.exceptions import CycleWarning
    from routeopt.read import read_problem

    check_folder(previous)  # a partial or mixed plan folder is refused here, by name
    summary = Path(previous) / "summary.json"
    try:
        data = json.loads(summary.read_text(encoding="utf-8"))
        start, weeks = str(data["start"]), int(data["weeks"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError([Issue(f"cannot read the previous plan's start and weeks ({e}); give "
                                "the directory routeopt plan wrote", file=str(summary))]) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CycleWarning)
        problem = read_problem(outlets, reps, start=start, weeks=weeks, holidays=holidays,
                               matrix=matrix, **options)
    _warn_other_calendar(data.get("calendar"), problem, summary)
    return problem


def _warn_other_calendar(before: Any, problem: Problem, summary: Path) -> None:
    """A ``CalendarWarning`` when the previous plan was made on another country's or
    region's calendar (``summary.json``'s ``calendar``). Other ``holidays`` and
    ``workdays`` are normal news for a re-plan and are not warned about."""
    import warnings

    from routeopt.exceptions import CalendarWarning

    if not isinstance(before, dict):
        return
    h = problem.horizon
    now = {"country": h.country, "subdiv": h.subdiv}
    other = [f"{k} {before.get(k) or 'none'} (now {now[k] or 'none'})" for k in now
             if before.get(k) != now[k]]
    if other:
        warnings.warn(f"the previous plan ({summary}) was made with {', '.join(other)}; give "
                      "the same --country and --subdiv to re-plan its cycle on its calendar",
                      CalendarWarning, stacklevel=3)


def _plan_from_json(data: dict[str, Any], problem: Problem) -> Plan:
    routes = []
    for r in data["routes"]:
        day = date.fromisoformat(r["date"])
        stops = tuple(Stop(s["outlet_id"], _seconds(s["arrival"], day), _seconds(s["start"], day),
                           _seconds(s["end"], day), int(s["travel_s"]), int(s["distance_m"]),
                           s.get("label", "")) for s in r["stops"])
        bs = _seconds(r["break_start"], day) if r.get("break_start") else None
        be = _seconds(r["break_end"], day) if r.get("break_end") else None
        routes.append(Route(
            r["rep_id"], day, _seconds(r["depart"], day), _seconds(r["back"], day), stops,
            int(r["travel_s"]) - sum(s.travel_s for s in stops),
            int(r["distance_m"]) - sum(s.distance_m for s in stops), bs, be))
    uns = tuple(Unscheduled(u["outlet_id"], u["reason"], u["message"], int(u["priority"]),
                            date.fromisoformat(u["date"]) if u.get("date") else None)
                for u in data.get("unscheduled", []))
    seen = {s.outlet_id for r in routes for s in r.stops} | {u.outlet_id for u in uns}
    ids = data.get("outlets")  # written since plan folders list their outlets
    known = (tuple(str(i) for i in ids) if isinstance(ids, list) else tuple(sorted(seen)))
    return Plan(problem, tuple(routes), uns, dict(data.get("summary", {})), outlet_ids=known)


def _plan_from_visits(path: Path, rows: list[tuple[int, dict[str, str]]],
                      problem: Problem) -> Plan:
    by_route: dict[tuple[str, date], list[tuple[int, Stop]]] = defaultdict(list)
    for line, row in rows:
        try:
            day = date.fromisoformat(row["date"])
            by_route[(row["rep_id"], day)].append((int(row["seq"]), Stop(
                row["outlet_id"], _seconds(row["arrival"], day), _seconds(row["start"], day),
                _seconds(row["end"], day), int(row["travel_s"]), int(row["distance_m"]),
                row.get("label") or "")))
        except (ValueError, KeyError, TypeError, OverflowError) as e:
            raise InputError([Issue(f"cannot read the previous plan's visit: {e}",
                                    file=str(path), line=line)]) from None
    routes = []
    for (rid, day), seq in sorted(by_route.items()):
        stops = tuple(s for _, s in sorted(seq, key=lambda x: x[0]))
        routes.append(Route(rid, day, stops[0].arrival - stops[0].travel_s, stops[-1].end,
                            stops, 0, 0))
    # without plan.json, the outlets it was made for are those it visits
    return Plan(problem, tuple(routes), (),
                outlet_ids=tuple(sorted({s.outlet_id for r in routes for s in r.stops})))


# -- the re-planning problem ----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Visit:
    date: date
    rep_id: str
    start: int
    label: str


def replan_problem(problem: Problem, previous: Plan, log: Iterable[LogEntry], *,
                   today: date, frozen_days: int = 0) -> tuple[Problem, list[str]]:
    """The problem that re-plans ``previous`` from ``today`` on, given the visit log.

    Parameters
    ----------
    problem
        The cycle, as planned: outlets, reps, the previous plan's horizon (the
        tables may have changed since: new or removed outlets, days off...).
    previous
        The plan being refreshed.
    log
        Checked log rows (:func:`read_visit_log`).
    today
        The first day of the new plan. Visits before it are history.
    frozen_days
        Planning days after ``today`` that stay as planned too.

    Returns
    -------
    problem, notes
        The re-planning problem, and notes on what could not be kept as asked
        (a frozen visit that became impossible, a follow-up due too soon).
    """
    h = problem.horizon
    if today not in h:
        raise InputError([Issue(f"today ({today}) is outside the previous plan's horizon "
                                f"{h.start}..{h.end}; plan the next cycle with routeopt plan",
                                column="today")])
    if frozen_days < 0:
        raise InputError([Issue("frozen_days must be >= 0", column="frozen_days")])
    if any(o.rule.patterns is not None for o in problem.outlets):
        raise InputError([Issue("re-planning does not support explicit day patterns "
                                "(VisitRule.patterns)")])
    notes: list[str] = []
    after = [d for d in problem.planning_days if d > today]
    frozen = {today, *after[:frozen_days]}
    last_frozen = max(frozen)
    free_days = [d for d in after if d > last_frozen]
    first_free = free_days[0] if free_days else None
    reps = {r.id: r for r in problem.reps}

    known = previous.planned_for
    planned: dict[str, list[_Visit]] = defaultdict(list)
    for r in previous.routes:
        for s in r.stops:
            planned[s.outlet_id].append(_Visit(r.date, r.rep_id, s.start, s.label))
    unplaced: dict[str, list[date | None]] = defaultdict(list)
    for u in previous.unscheduled:
        unplaced[u.outlet_id].append(u.date)
    status: dict[tuple[str, date], str] = {}
    follow_ups: dict[str, list[LogEntry]] = defaultdict(list)
    new_appts: dict[str, list[LogEntry]] = defaultdict(list)
    for e in log:
        if e.kind == "visit":
            status[(e.outlet_id, e.date)] = e.status
        elif e.kind == "follow_up":
            follow_ups[e.outlet_id].append(e)
        else:
            new_appts[e.outlet_id].append(e)
    days_left = Fraction((h.end - today).days + 1, 7)
    done_on: dict[str, list[date]] = defaultdict(list)
    for (oid, d), st in status.items():
        if st == "done":
            done_on[oid].append(d)
    for (oid, d), st in sorted(status.items()):
        if st != "done" and d not in {v.date for v in planned.get(oid, [])}:
            notes.append(f"outlet {oid}: the log says a visit on {d} was {st}, but the "
                         "previous plan had none then; row ignored")

    outlets: list[Outlet] = []
    for o in problem.outlets:
        visits = sorted(planned.get(o.id, []), key=lambda v: (v.date, v.start))
        planned_dates = {v.date for v in visits}
        makeups: list[_Visit] = []
        pins: list[Appointment] = []
        pinned_extra: list[ExtraVisit] = []
        carried: list[ExtraVisit] = []
        closed: set[date] = set()
        regular = 0
        rep_of = o.rep_id or next((v.rep_id for v in visits if v.rep_id in reps), None)
        for v in visits:
            st = status.get((o.id, v.date), "")
            if v.date < today:
                if st == "missed":
                    makeups.append(v)
            elif v.date in frozen:
                if st == "missed":
                    makeups.append(v)
                elif st != "cancelled":
                    why = _impossible(problem, o, v)
                    if why:
                        notes.append(f"outlet {o.id}: the frozen visit on {v.date} ({v.rep_id}) "
                                     f"is no longer possible ({why}); it is planned again")
                        makeups.append(v)
                    elif v.label:
                        win = TimeWindow(v.start, v.start)
                        pinned_extra.append(ExtraVisit(v.date, v.date, None, v.rep_id, win,
                                                       v.label))
                    else:
                        pins.append(Appointment(v.date, TimeWindow(v.start, v.start), v.rep_id))
            elif st == "cancelled":
                closed.add(v.date)
            elif v.label:
                if first_free is not None:
                    carried.append(ExtraVisit(first_free, max(first_free, v.date), None,
                                              v.rep_id if v.rep_id in reps else None, None,
                                              v.label))
            else:
                regular += 1
        # done visits the plan did not have (up to today) make up for a missed one first
        credit = sum(1 for d in done_on.get(o.id, []) if d <= last_frozen
                     and d not in planned_dates)
        while credit and makeups:
            makeups.pop(0)
            credit -= 1
        for u_day in unplaced.get(o.id, []):
            if u_day is not None and first_free is not None and u_day >= first_free:
                regular += 1
        if not visits and o.rule.per_week > 0 and (
                o.id not in known or None in unplaced.get(o.id, ())):
            # new since the plan was made, or never placed in it: owed afresh. An
            # outlet the plan knew, with no visit left, owes nothing more.
            regular = max(1, math.floor(o.rule.per_week * days_left))
        regular = max(0, regular - credit) + len(pins)
        extras = list(o.extra_visits) + pinned_extra + carried
        for v in makeups:
            x = _makeup(problem, o, v, first_free, rep_of if o.rule.same_rep else None)
            if x is None:
                notes.append(f"outlet {o.id}: the missed visit of {v.date} cannot be made up: "
                             "no planning day is left in the horizon")
            else:
                extras.append(x)
        for e in follow_ups.get(o.id, []):
            x = _follow_up(problem, o, e, first_free, rep_of if o.rule.same_rep else None,
                           notes)
            if x is not None:
                extras.append(x)
        pin_dates = {a.date for a in pins}
        # appointments still ahead; those of frozen days are pinned, or gone (missed...)
        appts = [a for a in o.appointments
                 if a.date >= today and a.date not in frozen and a.date not in closed]
        appts += pins
        appts += [Appointment(e.date, e.window) for e in new_appts.get(o.id, [])
                  if e.window is not None and e.date not in pin_dates]
        hours = o.hours
        if closed:
            hours = dataclasses.replace(hours, closed_dates=hours.closed_dates | closed)
        outlets.append(dataclasses.replace(
            o, rule=dataclasses.replace(o.rule, visits=regular,
                                        last_visit=_last_visit(problem, o, visits, status,
                                                               done_on, today)),
            appointments=tuple(appts), extra_visits=tuple(extras), hours=hours))
    new = problem.replace(outlets=tuple(outlets), plan_from=today, locked=frozenset(frozen))
    return new, notes


def _last_visit(problem: Problem, o: Outlet, visits: list[_Visit],
                status: dict[tuple[str, date], str], done_on: dict[str, list[date]],
                today: date) -> date | None:
    """The last visit of an interval rule before ``today`` (planned and not missed or
    cancelled, or logged done), from which its next visit is counted; ``None`` for other
    rules, or when no planning day from ``today`` on is in range of it any more (a
    missed visit broke the interval: its make-up catches up)."""
    rule = o.rule
    if rule.interval is None:
        return rule.last_visit
    made = [v.date for v in visits if v.date < today and not v.label
            and status.get((o.id, v.date)) not in ("missed", "cancelled")]
    made += [d for d in done_on.get(o.id, []) if d < today]
    if not made:
        return rule.last_visit
    last = max(made)
    least, most = rule.interval
    if not any(least <= (d - last).days <= most for d in problem.planning_days if d >= today):
        return None
    return last


def _impossible(problem: Problem, o: Outlet, v: _Visit) -> str:
    rep = next((r for r in problem.reps if r.id == v.rep_id), None)
    if rep is None:
        return f"rep {v.rep_id} is no longer in the reps table"
    if not problem.works(rep, v.date):
        return f"rep {v.rep_id} does not work that day"
    if o.rep_id is not None and o.rep_id != v.rep_id:
        return f"the outlet is now fixed to rep {o.rep_id}"
    holiday = problem.is_holiday(v.date)
    if not any(w.start <= v.start and v.start + o.service <= w.end
               for w in o.hours.windows_on(v.date, holiday=holiday)):
        return "the outlet is closed then"
    return ""


def _block_end(problem: Problem, o: Outlet, day: date) -> date:
    """The last date of the frequency block (``k`` weeks of ``n/k``) holding ``day``:
    its calendar month for ``N/month``, ``most`` days on for an interval range."""
    h = problem.horizon
    rule = o.rule
    if rule.per_month is not None:
        month_end = date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)
        return min(h.end, month_end)
    if rule.interval is not None and not rule.lines:
        return min(h.end, day + timedelta(days=rule.interval[1]))
    k = rule.per_week.denominator if rule.per_week > 0 else h.weeks
    w = (h.week_of(day) // k + 1) * k
    return min(h.end, h.start + timedelta(days=7 * w - 1))


def _makeup(problem: Problem, o: Outlet, v: _Visit, first_free: date | None,
            rep_id: str | None) -> ExtraVisit | None:
    """A missed visit, owed again: due by the end of its frequency block, more urgent
    the later it is (one priority step, and one more per week overdue)."""
    if first_free is None:
        return None
    latest = _block_end(problem, o, v.date)
    if latest < first_free:  # its block is over: the frequency is broken already
        latest = _block_end(problem, o, first_free)
    late_weeks = max(0, (first_free - v.date).days // 7)
    priority = max(1, o.priority - 1 - late_weeks)
    if rep_id is not None and rep_id not in {r.id for r in problem.reps}:
        rep_id = None
    return ExtraVisit(first_free, latest, priority, rep_id, None, "makeup")


def _follow_up(problem: Problem, o: Outlet, e: LogEntry, first_free: date | None,
               rep_id: str | None, notes: list[str]) -> ExtraVisit | None:
    if first_free is None or e.due is None:
        notes.append(f"outlet {o.id}: the follow-up of {e.date} cannot be planned: no planning "
                     "day is left in the horizon")
        return None
    earliest = max(first_free, e.date + timedelta(days=1))
    latest = min(e.due, problem.horizon.end)
    if not any(earliest <= d <= latest for d in problem.planning_days):
        notes.append(f"outlet {o.id}: the follow-up of {e.date} is due {e.due}, before the "
                     f"first day that can still change ({first_free}); planned as soon as "
                     "possible instead")
        latest = min(_add_working_days(problem, earliest, 2), problem.horizon.end)
        if not any(earliest <= d <= latest for d in problem.planning_days):
            return None
    return ExtraVisit(earliest, latest, max(1, o.priority - 1), rep_id, None, "follow_up")


# -- what changed -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Change:
    """One visit that differs between two plans.

    ``change`` is ``moved`` (another date or rep), ``added``, ``dropped`` or
    ``retimed`` (same date and rep, start more than 15 minutes apart).
    """

    outlet_id: str
    change: str
    label: str = ""
    rep_before: str | None = None
    date_before: date | None = None
    start_before: int | None = None
    rep_after: str | None = None
    date_after: date | None = None
    start_after: int | None = None


@dataclass(frozen=True)
class Changes:
    """What a re-plan changed, visit by visit, from a date on.

    Attributes
    ----------
    items
        Every :class:`Change`.
    weekday_changed
        Outlets whose regular visits are on other weekdays than before.
    unchanged
        Visits on the same date with the same rep.
    """

    items: tuple[Change, ...]
    weekday_changed: tuple[str, ...]
    unchanged: int

    def count(self, change: str) -> int:
        """How many visits have ``change``."""
        return sum(1 for c in self.items if c.change == change)

    @property
    def moved(self) -> int:
        """Visits on another date or with another rep."""
        return self.count("moved")

    @property
    def added(self) -> int:
        """Visits the previous plan did not have."""
        return self.count("added")

    @property
    def dropped(self) -> int:
        """Visits of the previous plan that are gone."""
        return self.count("dropped")

    @property
    def retimed(self) -> int:
        """Visits kept on their date and rep, but more than 15 minutes earlier or later."""
        return self.count("retimed")

    def as_dict(self) -> dict[str, int]:
        """The counts, JSON-ready."""
        return {"unchanged": self.unchanged, "moved": self.moved, "added": self.added,
                "dropped": self.dropped, "retimed": self.retimed,
                "outlets_weekday_changed": len(self.weekday_changed)}

    def summary(self) -> str:
        """One line."""
        d = self.as_dict()
        return (f"changes     {d['moved']} moved, {d['added']} added, {d['dropped']} dropped, "
                f"{d['retimed']} retimed, {d['outlets_weekday_changed']} outlet(s) on another "
                f"weekday; {d['unchanged']} unchanged")

    def rows(self) -> list[dict[str, Any]]:
        """One dict per change: the columns of ``changes.csv``."""
        from routeopt.hours import format_time

        def t(x: int | None) -> str:
            return format_time(x) if x is not None else ""

        return [{
            "outlet_id": c.outlet_id, "change": c.change, "label": c.label,
            "rep_before": c.rep_before or "",
            "date_before": c.date_before.isoformat() if c.date_before else "",
            "start_before": t(c.start_before), "rep_after": c.rep_after or "",
            "date_after": c.date_after.isoformat() if c.date_after else "",
            "start_after": t(c.start_after),
        } for c in self.items]

    def to_csv(self) -> str:
        """The text of ``changes.csv``."""
        import csv
        import io

        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(_CHANGE_COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows())
        return buf.getvalue()

    def write(self, path: str | Path) -> Path:
        """Write ``changes.csv`` (atomically)."""
        return atomic_write(Path(path), self.to_csv())


def compare_plans(before: Plan, after: Plan, *, since: date | None = None,
                  retime_s: int = 900) -> Changes:
    """The visits that differ between two plans, from ``since`` on.

    Per outlet, visits on the same date with the same rep are kept (``retimed``
    when their starts differ by more than ``retime_s``); the others are paired
    in date order as ``moved``, and what is left over is ``added`` or
    ``dropped``.

    Examples
    --------
    >>> from routeopt import Horizon, Outlet, Problem, Rep
    >>> p = Problem([Outlet("P1", 43.73, 7.42)], [Rep("R1", 43.74, 7.42)],
    ...             Horizon(date(2026, 11, 30)))
    >>> a = Plan(p, (Route("R1", date(2026, 12, 1), 30000, 40000,
    ...                    (Stop("P1", 31000, 31000, 31900, 1000, 5000),), 900, 5000),), ())
    >>> b = Plan(p, (Route("R1", date(2026, 12, 2), 30000, 40000,
    ...                    (Stop("P1", 31000, 31000, 31900, 1000, 5000),), 900, 5000),), ())
    >>> compare_plans(a, b).as_dict()["moved"]
    1
    """
    def visits(plan: Plan) -> dict[str, list[tuple[date, str, int, str]]]:
        out: dict[str, list[tuple[date, str, int, str]]] = defaultdict(list)
        for r in plan.routes:
            if since is not None and r.date < since:
                continue
            for s in r.stops:
                out[s.outlet_id].append((r.date, r.rep_id, s.start, s.label))
        return out

    va, vb = visits(before), visits(after)
    items: list[Change] = []
    weekday: list[str] = []
    unchanged = 0
    for oid in sorted(set(va) | set(vb)):
        a, b = sorted(va.get(oid, [])), sorted(vb.get(oid, []))
        if ({d.weekday() for d, _, _, lab in a if not lab}
                != {d.weekday() for d, _, _, lab in b if not lab} and a and b):
            weekday.append(oid)
        rest_b = list(b)
        rest_a = []
        for x in a:
            same = next((y for y in rest_b if y[0] == x[0] and y[1] == x[1]), None)
            if same is None:
                rest_a.append(x)
                continue
            rest_b.remove(same)
            if abs(same[2] - x[2]) > retime_s:
                items.append(Change(oid, "retimed", same[3], x[1], x[0], x[2], same[1], same[0],
                                    same[2]))
            else:
                unchanged += 1
        for x, y in zip(rest_a, rest_b, strict=False):
            items.append(Change(oid, "moved", y[3] or x[3], x[1], x[0], x[2], y[1], y[0], y[2]))
        k = min(len(rest_a), len(rest_b))
        items += [Change(oid, "dropped", x[3], x[1], x[0], x[2]) for x in rest_a[k:]]
        items += [Change(oid, "added", y[3], None, None, None, y[1], y[0], y[2])
                  for y in rest_b[k:]]
    return Changes(tuple(items), tuple(weekday), unchanged)


# -- all at once ------------------------------------------------------------------
@dataclass(frozen=True)
class Replan:
    """The result of :func:`replan`: the new plan, what changed, and notes."""

    plan: Plan
    changes: Changes
    notes: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = field(default=())

    def summary(self) -> str:
        """The plan's summary, the changes, and the notes."""
        lines = [self.plan.summary(), "  " + self.changes.summary()]
        lines += [f"  note        {n}" for n in self.notes]
        if self.issues:
            lines.append(f"  log         {len(self.issues)} bad row(s) left out")
        return "\n".join(lines)

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """The plan's files, plus ``changes.csv`` and ``replan.json`` (counts and notes),
        written as one folder at once (:meth:`Plan.write`)."""
        doc = {"changes": self.changes.as_dict(), "notes": list(self.notes),
               "log_issues": [str(i) for i in self.issues]}
        return self.plan.write(out_dir, extra_files={
            "changes.csv": self.changes.to_csv(),
            "replan.json": json.dumps(doc, indent=2) + "\n"})


def replan(problem: Problem, previous: Plan | str | Path,
           log: pd.DataFrame | str | Path | Iterable[LogEntry] | None = None, *,
           today: date | str, frozen_days: int = 0, params: SolveParams | None = None,
           skip_invalid: bool = False,
           progress: Callable[[int, float], None] | None = None,
           encoding: str | None = None, log_sheet: str | int | None = None,
           log_columns: Mapping[str, str] | None = None) -> Replan:
    """Re-plan ``previous`` from ``today`` on, given what the visit log says.

    Parameters
    ----------
    problem
        The cycle being planned (the previous plan's horizon), with today's
        outlets and reps tables.
    previous
        The previous :class:`~routeopt.Plan`, or the directory it was written to.
    log
        The visit log: a CSV path, a DataFrame, checked :class:`LogEntry` rows,
        or ``None`` for no news (every past visit done as planned).
    today
        The first day of the new plan (``YYYY-MM-DD``); it stays as planned,
        as do ``frozen_days`` more planning days, except for visits the log
        cancels or reports missed, or that became impossible.
    params
        Solver settings; ``params.move_penalty`` prices each visit moved.
    skip_invalid
        Leave bad log rows out (listed in :attr:`Replan.issues`) instead of
        raising.
    progress
        Passed to :func:`routeopt.solve`.
    encoding, log_sheet, log_columns
        How a log file is read (:func:`read_visit_log`'s ``encoding``,
        ``sheet`` and ``columns``).

    Raises
    ------
    InputError
        Bad log rows (every one, with its line and column), or a ``today``
        outside the previous plan's horizon.

    Examples
    --------
    >>> from routeopt import Horizon, Outlet, Problem, Rep, SolveParams, VisitRule, solve
    >>> p = Problem([Outlet("P1", 43.735, 7.420, VisitRule.parse("1/week")),
    ...              Outlet("P2", 43.740, 7.425, VisitRule.parse("2/week"))],
    ...             [Rep("R1", 43.731, 7.418)], Horizon(date(2026, 11, 30), weeks=2))
    >>> params = SolveParams(max_iterations=50)
    >>> first = solve(p, params)
    >>> result = replan(p, first, None, today="2026-12-02", params=params)
    >>> result.changes.as_dict()["moved"], result.plan.violations()
    (0, [])
    """
    from routeopt.solver import SolveParams, solve

    try:
        from routeopt._values import parse_date

        day = today if isinstance(today, date) else parse_date(str(today))
    except ValueError:
        raise InputError([Issue(f"today {today!r} is not a date; write YYYY-MM-DD",
                                column="today")]) from None
    prev = previous if isinstance(previous, Plan) else read_plan(previous, problem)
    issues: list[Issue] = []
    if log is None:
        entries: list[LogEntry] = []
    elif isinstance(log, str | Path) or hasattr(log, "columns"):
        entries, issues = read_visit_log(log, problem, today=day,  # type: ignore[arg-type]
                                         encoding=encoding, sheet=log_sheet,
                                         columns=log_columns)
        if issues and not skip_invalid:
            raise InputError(issues)
    else:
        entries = list(log)
    new, notes = replan_problem(problem, prev, entries, today=day, frozen_days=frozen_days)
    plan = solve(new, params or SolveParams(), progress=progress, previous=prev)
    differ, legs = _legs_that_differ(prev, plan, day)
    if differ > legs // 10:
        notes.append(f"the travel times differ from the previous plan's on {differ} of {legs} "
                     "legs: re-plan with the travel times the plan was made with (the same "
                     "--matrix options), or the pinned times of frozen days may not fit")
    return Replan(plan, compare_plans(prev, plan, since=day), tuple(notes), tuple(issues))


def _legs_that_differ(previous: Plan, plan: Plan, since: date) -> tuple[int, int]:
    """Legs of ``previous`` from ``since`` on whose travel time ``plan``'s matrices
    give otherwise, and the legs compared."""
    p = plan.problem
    index = {o.id: i for i, o in enumerate(p.outlets)}
    n = len(p.outlets)
    differ = legs = 0
    for r in previous.routes:
        if r.date < since or r.rep_id not in {x.id for x in p.reps}:
            continue
        k = p.rep_index(r.rep_id)
        m = plan.matrices.get(p.reps[k].mode)
        if m is None:
            continue
        at = n + 2 * k
        for s in r.stops:
            if s.outlet_id not in index:
                break
            node = index[s.outlet_id]
            legs += 1
            differ += int(m.durations[at, node]) != s.travel_s
            at = node
    return differ, legs
