"""The plan: timed routes per rep and date, unscheduled visits, KPIs, exports.

A :class:`Plan` is what :func:`routeopt.solve` returns. It can check itself
(:meth:`Plan.validate` re-derives every rule from the problem, without the
solver's code), summarise itself and export itself to pandas, CSV and JSON.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routeopt.exceptions import InputError, Issue, PlanValidationError

if TYPE_CHECKING:
    import folium
    import pandas as pd

    from routeopt.matrix import TravelMatrix
    from routeopt.problem import Problem

__all__ = ["OUTLETS_FILE_COLUMNS", "REPS_FILE_COLUMNS", "UNSCHEDULED_COLUMNS", "VISIT_COLUMNS",
           "Plan", "Route", "Stop", "Unscheduled"]

#: routeopt's own columns of ``visits.csv``; each outlet's extra columns
#: (:attr:`~routeopt.Outlet.attributes`) follow them.
VISIT_COLUMNS = ("rep_id", "date", "weekday", "seq", "outlet_id", "name", "address", "priority",
                 "arrival", "start", "end", "wait_s", "travel_s", "distance_m", "lat", "lon")
#: routeopt's own columns of ``unscheduled.csv``, before the extra columns.
UNSCHEDULED_COLUMNS = ("outlet_id", "name", "address", "priority", "date", "reason", "message")
ROUTE_COLUMNS = ("rep_id", "date", "visits", "depart", "back", "break_start", "break_end",
                 "travel_s", "distance_m")
#: The plan folder's ``outlets.csv``: the outlets as planned, in the input's column names,
#: then their extra columns. (Their visit rules are not in it: see :func:`routeopt.open_plan`.)
OUTLETS_FILE_COLUMNS = ("outlet_id", "name", "address", "lat", "lon", "priority", "service_min",
                  "opening_hours", "rep_id", "demand", "preferred_time")
#: The plan folder's ``reps.csv``: the reps as planned, in the input's column names.
REPS_FILE_COLUMNS = ("rep_id", "name", "lat", "lon", "end_lat", "end_lon", "shift", "working_days",
               "break", "max_visits", "mode", "capacity", "days_off", "max_drive", "blocks",
               "min_visits", "target_day")
_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not locale-dependent

REASONS = {
    "no_pattern": "no day pattern of its frequency fits the calendar "
                  "(holidays, closed days, the rep's days off)",
    "unreachable": "cannot be reached, visited and left within the rep's shift on any allowed day",
    "no_time": "no allowed day had time left for it (the routes were full)",
    "max_visits": "the rep's max_visits per day was reached on every allowed day",
    "capacity": "the rep's capacity was reached on every allowed day",
    "time_limit": "the time limit ran out before the solver could try it; "
                  "give more time (time_limit) or plan fewer outlets at once",
}


@dataclass(frozen=True, slots=True)
class Stop:
    """One visit: times are seconds since midnight of the route's date.

    ``label`` is empty for a visit of the outlet's rule (or appointment), and
    the :class:`~routeopt.problem.ExtraVisit`'s label for an extra visit.
    """

    outlet_id: str
    arrival: int
    start: int
    end: int
    travel_s: int
    distance_m: int
    label: str = ""

    @property
    def wait_s(self) -> int:
        """Seconds waiting for the outlet to open (or the appointment)."""
        return self.start - self.arrival


@dataclass(frozen=True, slots=True)
class Route:
    """A rep's day: leave, visit the stops in order, take the break, come back."""

    rep_id: str
    date: date
    depart: int
    back: int
    stops: tuple[Stop, ...]
    return_travel_s: int
    return_distance_m: int
    break_start: int | None = None
    break_end: int | None = None

    @property
    def travel_s(self) -> int:
        """Total travel time of the day, including the way back."""
        return sum(s.travel_s for s in self.stops) + self.return_travel_s

    @property
    def distance_m(self) -> int:
        """Total distance of the day, including the way back."""
        return sum(s.distance_m for s in self.stops) + self.return_distance_m

    @property
    def duration_s(self) -> int:
        """From leaving to coming back."""
        return self.back - self.depart


@dataclass(frozen=True, slots=True)
class Unscheduled:
    """A required visit that is not in the plan, and why."""

    outlet_id: str
    reason: str
    message: str
    priority: int
    date: date | None = None


@dataclass(frozen=True)
class Plan:
    """Routes per rep and date, the visits left out, and how the search went.

    Attributes
    ----------
    problem
        The problem planned.
    routes
        One :class:`Route` per rep and date with at least one visit, by rep then date.
    unscheduled
        Every required visit left out, with a reason code and message.
    stats
        Solver facts: ``solve_s``, ``iterations``, ``seed``, ``objective``...
    matrices
        The travel matrices the plan was timed with, per travel mode.
    outlet_ids
        The ids of the outlets the plan was made for, when that is not
        ``problem`` (a plan read back from its folder for today's tables);
        ``None``: the outlets of ``problem``. See :attr:`planned_for`.
    opened_from
        The plan folder this plan was rebuilt from by :func:`routeopt.open_plan`,
        whose ``problem`` holds the outlets and reps as planned but not their
        visit rules, calendar or travel matrices: :meth:`kpis` gives the
        figures of its ``summary.json``, and :meth:`violations` and
        :meth:`validate` refuse to check it. ``None``: a plan with its problem.
    """

    problem: Problem
    routes: tuple[Route, ...]
    unscheduled: tuple[Unscheduled, ...]
    stats: Mapping[str, Any] = field(default_factory=dict)
    matrices: Mapping[str, TravelMatrix] = field(default_factory=dict, repr=False)
    outlet_ids: tuple[str, ...] | None = field(default=None, repr=False)
    opened_from: Path | None = field(default=None, repr=False)

    @property
    def planned_for(self) -> frozenset[str]:
        """The ids of the outlets this plan was made for (written to ``plan.json``):
        an outlet outside them is new to it, one inside with no visit left owes
        nothing more in its cycle (re-planning)."""
        if self.outlet_ids is not None:
            return frozenset(self.outlet_ids)
        return frozenset(o.id for o in self.problem.outlets)

    # -- views ------------------------------------------------------------------
    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)

    def visits(self) -> Iterator[tuple[Route, Stop]]:
        """Every (route, stop) in order."""
        for r in self.routes:
            for s in r.stops:
                yield r, s

    @property
    def scheduled_visits(self) -> int:
        """Visits in the plan."""
        return sum(len(r.stops) for r in self.routes)

    def is_complete(self) -> bool:
        """Whether every required visit is scheduled."""
        return not self.unscheduled

    def kpis(self) -> dict[str, Any]:
        """Key figures of the plan.

        ``coverage`` is scheduled over required visits, counting those of the
        outlet rows left out for bad input (``skip_invalid``: the command line
        records them in :attr:`stats` as ``skipped_outlets`` and
        ``skipped_visits``; they count as outlets without their visits); ``frequency_compliance``
        the share of outlets with all their visits; ``drive_share`` travel time
        over the time from leaving to coming back; ``coverage_by_priority``
        maps each priority to its coverage.

        The day figures, per rep (``per_rep``) and team-wide: working days
        and days worked, visits per day (min / median / max), the busiest
        over the quietest day, day lengths and their spread, the most drive
        time in a day, the workload (service plus travel) and its deviation
        from the team mean. They are defined in
        :func:`routeopt._kpis.day_kpis`.

        The time figures, per outlet: the spread between the earliest and the
        latest start of its visits on one weekday
        (``start_spread_same_weekday``; ``start_spread_one_weekday`` for the
        outlets on a single weekday) and over all its visits
        (``start_spread_all_visits``), each as the number of outlets and the
        median, 90th percentile and maximum in seconds. They are defined in
        :func:`routeopt._kpis.start_spreads`.

        Every key is described in ``docs/csv-schema.md`` (``summary.json``).

        Returns
        -------
        dict
            JSON-ready: numbers, strings, ``None`` and nested dicts.

        Examples
        --------
        >>> from datetime import date
        >>> from routeopt import Horizon, Outlet, Problem, Rep, VisitRule
        >>> problem = Problem([Outlet("A", 43.73, 7.42, VisitRule.parse("1/week"))],
        ...                   [Rep("R1", 43.74, 7.42)], Horizon(date(2026, 11, 30), weeks=2))
        >>> def day(d, start):
        ...     a = Stop("A", start, start, start + 900, 600, 500)
        ...     return Route("R1", d, start - 600, start + 1500, (a,), 600, 500)
        >>> plan = Plan(problem, (day(date(2026, 12, 1), 32400), day(date(2026, 12, 8), 36000)), ())
        >>> k = plan.kpis()
        >>> k["coverage"], k["working_days"], k["days_without_route"]
        (1.0, 10, 8)
        >>> k["start_spread_same_weekday"]
        {'outlets': 1, 'median_s': 3600.0, 'p90_s': 3600.0, 'max_s': 3600}
        """
        from routeopt._kpis import day_kpis, start_spreads

        if self.opened_from is not None:  # figured when planned, with the rules and calendar
            return {k: v for k, v in self.stats.items() if k not in _SUMMARY_ONLY}
        required = self.problem.required_visits
        scheduled = self.scheduled_visits
        travel = sum(r.travel_s for r in self.routes)
        distance = sum(r.distance_m for r in self.routes)
        worked = sum(r.duration_s for r in self.routes)
        missing_by_outlet: dict[str, int] = defaultdict(int)
        for u in self.unscheduled:
            missing_by_outlet[u.outlet_id] += 1
        need = {o.id: self.problem.visits_of(o) for o in self.problem.outlets}
        with_visits = [oid for oid, v in need.items() if v > 0]
        compliant = sum(1 for oid in with_visits if not missing_by_outlet.get(oid))
        by_pri_req: dict[int, int] = defaultdict(int)
        by_pri_miss: dict[int, int] = defaultdict(int)
        for o in self.problem.outlets:
            by_pri_req[o.priority] += need[o.id]
            by_pri_miss[o.priority] += missing_by_outlet.get(o.id, 0)
        days = len(self.routes)
        skipped_outlets = int(self.stats.get("skipped_outlets", 0) or 0)
        skipped = int(self.stats.get("skipped_visits", 0) or 0)
        owed = required + skipped
        outlets_owed = len(with_visits) + skipped_outlets
        return {
            "required_visits": required,
            "scheduled_visits": scheduled,
            "unscheduled_visits": len(self.unscheduled),
            "skipped_outlets": skipped_outlets,
            "skipped_visits": skipped,
            "coverage": round(scheduled / owed, 6) if owed else 1.0,
            "frequency_compliance": round(compliant / outlets_owed, 6) if outlets_owed else 1.0,
            "coverage_by_priority": {
                str(p): round(1 - by_pri_miss[p] / by_pri_req[p], 6)
                for p in sorted(by_pri_req) if by_pri_req[p]
            },
            "travel_s": travel,
            "distance_m": distance,
            "drive_share": round(travel / worked, 6) if worked else 0.0,
            "route_days": days,
            "visits_per_day": round(scheduled / days, 3) if days else 0.0,
            "solve_s": round(float(self.stats.get("solve_s", 0.0)), 3),
            **day_kpis(self),
            **start_spreads(self.routes),
        }

    def summary(self) -> str:
        """A short, readable account of the plan.

        After coverage, travel and routes: the working days with a route and
        the visits per day over all reps, one line per rep (days worked of
        working days, visits per day min / median / max, shortest and longest
        day, the most drive time in a day, workload and its deviation from the
        team mean; the first ten reps), and the spread of each outlet's start
        times on its weekday (:meth:`kpis`).
        """
        k = self.kpis()
        lines = [
            f"Plan for {len(self.problem.outlets)} outlets, {len(self.problem.reps)} rep(s), "
            f"{self.problem.horizon.start} .. {self.problem.horizon.end} "
            f"({self.problem.horizon.weeks} week(s))",
            f"  visits      {k['scheduled_visits']} of "
            f"{k['required_visits'] + k['skipped_visits']} scheduled "
            f"({100 * k['coverage']:.1f}%), "
            f"{100 * k['frequency_compliance']:.1f}% of outlets at full frequency",
            f"  travel      {k['travel_s'] / 3600:.1f} h, {k['distance_m'] / 1000:.1f} km, "
            f"{100 * k['drive_share']:.1f}% of the working time",
            f"  routes      {k['route_days']} rep-days, {k['visits_per_day']:.1f} visits per day",
            *_day_lines(k),
            f"  solver      {k['solve_s']:.1f} s, {self.stats.get('iterations', 0)} iterations, "
            f"seed {self.stats.get('seed', 0)}",
        ]
        if k["skipped_outlets"]:
            lines.append(f"  left out    {k['skipped_outlets']} outlet(s) with bad input, "
                         f"{k['skipped_visits']} visit(s) not planned (see rejected.csv)")
        if self.unscheduled:
            reasons: dict[str, int] = defaultdict(int)
            for u in self.unscheduled:
                reasons[u.reason] += 1
            counts = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items()))
            lines.append(f"  unscheduled {counts}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def map(self, rep_id: str | None = None, day: date | str | None = None, *,
            tiles: Any = None, lang: str = "en") -> folium.Map:
        """An interactive map of the plan (folium), offline-ready.

        Without arguments, the whole cycle (every outlet coloured by the
        weekday of its visits, the reps' start points, the unscheduled
        outlets); with ``rep_id`` alone, that rep's part of it; with
        ``rep_id`` and ``day``, that rep's route on that day, its stops
        numbered. See :mod:`routeopt.export.maps`. Needs the ``reports``
        extra: ``pip install "routeopt[reports]"``.

        Parameters
        ----------
        rep_id
            A rep (default: every rep).
        day
            A date (``date`` or ``YYYY-MM-DD``) of one of the rep's routes.
        tiles
            ``osm`` (default), ``carto``, ``amap`` / ``gaode`` (China, GCJ-02),
            ``none``, or a :class:`routeopt.export.maps.TileProvider`.
        lang
            The language of the labels: ``en`` or ``zh``.

        Raises
        ------
        InputError
            ``day`` without ``rep_id``, a rep without a route that day, unknown tiles.
        """
        from routeopt.exceptions import InputError, Issue
        from routeopt.export.maps import overview_map, route_map

        if day is not None:
            if rep_id is None:
                raise InputError([Issue("a day's map is a rep's route: give rep_id with day",
                                        column="rep_id")])
            return route_map(self, rep_id, day, tiles=tiles, lang=lang)
        return overview_map(self, rep_id=rep_id, tiles=tiles, lang=lang)

    def _repr_html_(self) -> str:
        """The notebook view: the key figures, a table of the rep-days and the overview
        map (the map only when folium is installed; otherwise a hint to install it)."""
        return _html_view(self)

    # -- exports ----------------------------------------------------------------
    def _stamp(self, day: date, seconds: int) -> str:
        return (datetime.combine(day, time()) + timedelta(seconds=int(seconds))).isoformat()

    def extra_columns(self) -> list[str]:
        """The outlets' extra columns (:attr:`~routeopt.Outlet.attributes`), in order.

        Each outlet's, in the order of the outlets (for a problem read from a
        table, the table's extra columns in file order).
        """
        return list(dict.fromkeys(k for o in self.problem.outlets for k in o.attributes))

    def visit_rows(self) -> list[dict[str, Any]]:
        """One dict per visit: the columns of ``visits.csv``.

        routeopt's own columns (:data:`VISIT_COLUMNS`), then the outlet's extra
        columns (:meth:`extra_columns`; empty where an outlet lacks one).
        """
        outlets = {o.id: o for o in self.problem.outlets}
        extra = self.extra_columns()
        rows = []
        for r in self.routes:
            for seq, s in enumerate(r.stops, start=1):
                o = outlets[s.outlet_id]
                rows.append({
                    "rep_id": r.rep_id,
                    "date": r.date.isoformat(),
                    "weekday": _WEEKDAY_NAMES[r.date.weekday()],
                    "seq": seq,
                    "outlet_id": s.outlet_id,
                    "name": o.name,
                    "address": o.address,
                    "priority": o.priority,
                    "arrival": self._stamp(r.date, s.arrival),
                    "start": self._stamp(r.date, s.start),
                    "end": self._stamp(r.date, s.end),
                    "wait_s": s.wait_s,
                    "travel_s": s.travel_s,
                    "distance_m": s.distance_m,
                    "lat": o.lat,
                    "lon": o.lon,
                    **{k: o.attributes.get(k, "") for k in extra},
                })
        return rows

    def route_rows(self) -> list[dict[str, Any]]:
        """One dict per route (rep and date)."""
        return [{
            "rep_id": r.rep_id,
            "date": r.date.isoformat(),
            "visits": len(r.stops),
            "depart": self._stamp(r.date, r.depart),
            "back": self._stamp(r.date, r.back),
            "break_start": self._stamp(r.date, r.break_start) if r.break_start is not None else "",
            "break_end": self._stamp(r.date, r.break_end) if r.break_end is not None else "",
            "travel_s": r.travel_s,
            "distance_m": r.distance_m,
        } for r in self.routes]

    def unscheduled_rows(self) -> list[dict[str, Any]]:
        """One dict per unscheduled visit: the columns of ``unscheduled.csv``.

        routeopt's own columns (:data:`UNSCHEDULED_COLUMNS`), then the outlet's
        extra columns (:meth:`extra_columns`).
        """
        outlets = {o.id: o for o in self.problem.outlets}
        extra = self.extra_columns()
        rows = []
        for u in self.unscheduled:
            o = outlets.get(u.outlet_id)
            rows.append({
                "outlet_id": u.outlet_id,
                "name": o.name if o else "",
                "address": o.address if o else "",
                "priority": u.priority,
                "date": u.date.isoformat() if u.date else "",
                "reason": u.reason,
                "message": u.message,
                **{k: o.attributes.get(k, "") if o else "" for k in extra},
            })
        return rows

    def outlet_rows(self) -> list[dict[str, Any]]:
        """One dict per outlet planned: the columns of the plan folder's ``outlets.csv``.

        :data:`OUTLETS_FILE_COLUMNS` in the input's names and forms (``service_min``
        in minutes, ``opening_hours`` as text), then the extra columns. The
        visit rules, appointments and closed dates are not written.
        """
        from routeopt.hours import format_time

        extra = self.extra_columns()
        return [{
            "outlet_id": o.id,
            "name": o.name,
            "address": o.address,
            "lat": o.lat,
            "lon": o.lon,
            "priority": o.priority,
            "service_min": _minutes(o.service),
            "opening_hours": str(o.hours),
            "rep_id": o.rep_id or "",
            "demand": o.demand,
            "preferred_time": "" if o.preferred_time is None else format_time(o.preferred_time),
            **{k: o.attributes.get(k, "") for k in extra},
        } for o in self.problem.outlets]

    def rep_rows(self) -> list[dict[str, Any]]:
        """One dict per rep: the columns of the plan folder's ``reps.csv``
        (:data:`REPS_FILE_COLUMNS`), in the forms of the input's reps table."""
        from routeopt.hours import WEEKDAYS

        def opt(v: int | None) -> str | int:
            return "" if v is None else v

        def duration(v: int | None) -> str:
            return "" if v is None else _minutes(v)

        return [{
            "rep_id": r.id,
            "name": r.name,
            "lat": r.lat,
            "lon": r.lon,
            "end_lat": "" if r.end_lat is None else r.end_lat,
            "end_lon": "" if r.end_lon is None else r.end_lon,
            "shift": str(r.shift),
            "working_days": ",".join(WEEKDAYS[d] for d in sorted(r.working_days)) or "none",
            "break": "" if r.lunch is None else f"{r.lunch.window}/{_minutes(r.lunch.duration)}",
            "max_visits": opt(r.max_visits),
            "mode": r.mode,
            "capacity": opt(r.capacity),
            "days_off": ";".join(d.isoformat() for d in sorted(r.days_off)),
            "max_drive": duration(r.max_drive),
            "blocks": "; ".join(str(b) for b in r.blocks),
            "min_visits": opt(r.min_visits),
            "target_day": duration(r.target_day),
        } for r in self.problem.reps]

    def to_frame(self) -> pd.DataFrame:
        """The visits as a DataFrame, one row per visit (the columns of ``visits.csv``)."""
        import pandas as pd

        return pd.DataFrame(self.visit_rows(), columns=[*VISIT_COLUMNS, *self.extra_columns()])

    def summary_dict(self) -> dict[str, Any]:
        """KPIs and solver facts, JSON-ready (the content of ``summary.json``)."""
        if self.opened_from is not None:
            return dict(self.stats)
        out = self.kpis()
        out.update({
            "start": self.problem.horizon.start.isoformat(),
            "weeks": self.problem.horizon.weeks,
            "plan_from": (self.problem.plan_from.isoformat()
                          if self.problem.plan_from is not None else None),
            "calendar": {
                "country": self.problem.horizon.country,
                "subdiv": self.problem.horizon.subdiv,
                "holidays": sorted(d.isoformat() for d in self.problem.horizon.holidays),
                "workdays": sorted(d.isoformat() for d in self.problem.horizon.workdays),
            },
            "outlets": len(self.problem.outlets),
            "reps": len(self.problem.reps),
            "seed": self.stats.get("seed"),
            "iterations": self.stats.get("iterations"),
            "stop_reason": self.stats.get("stop_reason"),
            "objective": self.stats.get("objective"),
        })
        return out

    def to_json(self) -> str:
        """The whole plan as JSON: summary, routes with stops, unscheduled visits.

        Each stop and each unscheduled visit carries its outlet's ``name``,
        ``address`` and extra columns (``attributes``, an object).
        """
        outlets = {o.id: o for o in self.problem.outlets}

        def about(oid: str) -> dict[str, Any]:
            o = outlets.get(oid)
            return {"name": o.name if o else "", "address": o.address if o else "",
                    "attributes": dict(o.attributes) if o else {}}

        routes = []
        for r, row in zip(self.routes, self.route_rows(), strict=True):
            d = dict(row)
            d["stops"] = [
                {**asdict(s), "arrival": self._stamp(r.date, s.arrival),
                 "start": self._stamp(r.date, s.start), "end": self._stamp(r.date, s.end),
                 **about(s.outlet_id)}
                for s in r.stops
            ]
            routes.append(d)
        unscheduled = [{**{k: row[k] for k in UNSCHEDULED_COLUMNS}, **about(row["outlet_id"])}
                       for row in self.unscheduled_rows()]
        return json.dumps({"summary": self.summary_dict(), "routes": routes,
                           "unscheduled": unscheduled,
                           "outlets": sorted(self.planned_for)}, indent=2, ensure_ascii=False)

    def files(self) -> dict[str, str]:
        """The plan's files, name to text: what :meth:`write` writes, before the manifest."""
        from routeopt._files import csv_text

        def table(rows: list[dict[str, Any]], cols: list[str]) -> str:
            return csv_text([cols, *([r.get(c, "") for c in cols] for r in rows)])

        extra = self.extra_columns()
        return {
            "visits.csv": table(self.visit_rows(), [*VISIT_COLUMNS, *extra]),
            "routes.csv": table(self.route_rows(), list(ROUTE_COLUMNS)),
            "unscheduled.csv": table(self.unscheduled_rows(), [*UNSCHEDULED_COLUMNS, *extra]),
            "summary.json": json.dumps(self.summary_dict(), indent=2) + "\n",
            "plan.json": self.to_json() + "\n",
            "outlets.csv": table(self.outlet_rows(), [*OUTLETS_FILE_COLUMNS, *extra]),
            "reps.csv": table(self.rep_rows(), list(REPS_FILE_COLUMNS)),
        }

    def write(self, out_dir: str | Path, *,
              extra_files: Mapping[str, str] | None = None) -> dict[str, Path]:
        """Write the plan's files into the folder ``out_dir``, all at once.

        ``visits.csv``, ``routes.csv``, ``unscheduled.csv``, ``summary.json``,
        ``plan.json``, ``outlets.csv`` and ``reps.csv`` (the outlets and reps as
        planned, for :func:`routeopt.open_plan`), the ``extra_files`` (name to
        text, e.g. a report that belongs with the plan), and ``manifest.json``
        (each file's size, hash and rows, the format and routeopt versions),
        which readers check.

        The folder is written beside ``out_dir`` and swapped in whole: a reader
        finds the complete old folder or the complete new one, never a mix,
        and an error (a full disk) leaves the old folder as it was. An existing
        ``out_dir`` is replaced only if it holds routeopt's files alone.

        Returns
        -------
        dict
            Each file name to its path.

        Raises
        ------
        InputError
            ``out_dir`` is a file or a folder holding files routeopt did not write.
        OSError
            The folder could not be written (the old one is kept).
        """
        from routeopt._planfolder import write_folder

        files = self.files()
        for name in extra_files or {}:
            if name in files:
                raise ValueError(f"extra_files cannot replace the plan's own {name}")
        return write_folder(out_dir, {**files, **(extra_files or {})})

    # -- checking ---------------------------------------------------------------
    def violations(self) -> list[str]:
        """Every broken constraint, re-derived from the problem (empty = valid).

        Raises
        ------
        InputError
            The plan was rebuilt from its folder alone (:attr:`opened_from`):
            without the visit rules, calendar and travel matrices it was
            planned with, a check would report rules it never had. Read it
            with its problem instead: ``routeopt.replan.read_plan(path, problem)``.
        """
        from routeopt._check import check_plan

        if self.opened_from is not None:
            raise InputError([Issue(
                "this plan was opened from its folder alone, without the visit rules, calendar "
                "and travel matrices it was planned with, so it cannot be checked; read it "
                "with its problem to check it: routeopt.replan.read_plan(path, problem)"
                ".validate()", file=str(self.opened_from))])
        return check_plan(self)

    def validate(self) -> Plan:
        """Raise :class:`PlanValidationError` if any constraint is broken; return self.

        Raises :class:`InputError` for a plan opened from its folder alone (see
        :meth:`violations`).
        """
        v = self.violations()
        if v:
            raise PlanValidationError(v)
        return self


#: Keys of ``summary.json`` that are solver facts and the horizon, not :meth:`Plan.kpis`.
_SUMMARY_ONLY = frozenset({"start", "weeks", "plan_from", "calendar", "outlets", "reps", "seed",
                           "iterations", "stop_reason", "objective"})


def _minutes(seconds: int) -> str:
    """Seconds as minutes for a table: ``15``, or ``16.6667`` (which reads back to the second)."""
    return f"{seconds // 60}" if seconds % 60 == 0 else f"{seconds / 60:.4f}".rstrip("0")


def _hours(seconds: float) -> str:
    """``"42 min"`` below an hour, else ``"7.4 h"``."""
    return f"{seconds / 60:.0f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def _day_lines(k: Mapping[str, Any], most: int = 10) -> list[str]:
    """The summary's lines on days, reps and start times, from :meth:`Plan.kpis`."""
    lines = []
    if k["working_days"]:
        line = (f"  days        {k['working_days'] - k['days_without_route']} of "
                f"{k['working_days']} working days with a route")
        if k["visits_per_route_day_min"] is not None:
            line += (f", {k['visits_per_route_day_min']} / {k['visits_per_route_day_median']:g} / "
                     f"{k['visits_per_route_day_max']} visits per day (min / median / max)")
        lines.append(line)
    reps = list(k["per_rep"].items())
    for rep_id, f in reps[:most]:
        line = f"  {'rep ' + rep_id:<11} {f['days_worked']} of {f['working_days']} days"
        if f["days_worked"]:
            dev = f["workload_deviation"]
            line += (f", {f['visits_per_day_min']} / {f['visits_per_day_median']:g} / "
                     f"{f['visits_per_day_max']} visits, day "
                     f"{f['day_length_min_s'] / 3600:.1f}-{f['day_length_max_s'] / 3600:.1f} h, "
                     f"drive max {f['drive_s_per_day_max'] / 3600:.1f} h, workload "
                     f"{f['workload_s'] / 3600:.1f} h"
                     + (f" ({100 * dev:+.1f}%)" if dev is not None else ""))
        lines.append(line)
    if len(reps) > most:
        lines.append(f"  ... and {len(reps) - most} more reps (per_rep in summary.json)")
    s = k["start_spread_same_weekday"]
    if s["outlets"]:
        lines.append(f"  times       start spread per outlet on its weekday: median "
                     f"{_hours(s['median_s'])}, p90 {_hours(s['p90_s'])}, max "
                     f"{_hours(s['max_s'])} ({s['outlets']} outlets)")
    return lines



#: Rep-days shown in the notebook view's table; the rest are counted.
_HTML_ROWS = 60


def _html_view(plan: Plan) -> str:
    """``Plan._repr_html_``: key figures, the rep-days and the overview map."""
    import importlib.util
    from html import escape

    k = plan.kpis()
    h = plan.problem.horizon
    figures = [
        ("Visits scheduled", f"{k['scheduled_visits']} of "
                             f"{k['required_visits'] + k['skipped_visits']} "
                             f"({100 * k['coverage']:.1f}%)"),
        ("Outlets at full frequency", f"{100 * k['frequency_compliance']:.1f}%"),
        ("Unscheduled visits", str(k["unscheduled_visits"])),
        ("Travel", f"{k['travel_s'] / 3600:.1f} h, {k['distance_m'] / 1000:.1f} km "
                   f"({100 * k['drive_share']:.1f}% of the working time)"),
        ("Rep-days", f"{k['route_days']}, {k['visits_per_day']:.1f} visits per day"),
        ("Solver", f"{k['solve_s']:.1f} s, {plan.stats.get('iterations', 0)} iterations, "
                   f"seed {plan.stats.get('seed', 0)}"),
    ]
    if plan.unscheduled:
        reasons: dict[str, int] = defaultdict(int)
        for u in plan.unscheduled:
            reasons[u.reason] += 1
        figures.append(("Unscheduled, by reason",
                        ", ".join(f"{n} {r}" for r, n in sorted(reasons.items()))))
    kpi_rows = "".join(f"<tr><th style='text-align:left'>{escape(a)}</th>"
                       f"<td style='text-align:left'>{escape(b)}</td></tr>" for a, b in figures)
    day_rows = "".join(
        f"<tr><td>{escape(r.rep_id)}</td><td>{r.date.isoformat()}</td>"
        f"<td>{_WEEKDAY_NAMES[r.date.weekday()]}</td><td>{len(r.stops)}</td>"
        f"<td>{r.duration_s / 3600:.1f}</td><td>{r.travel_s / 3600:.2f}</td>"
        f"<td>{r.distance_m / 1000:.1f}</td></tr>" for r in plan.routes[:_HTML_ROWS])
    more = len(plan.routes) - _HTML_ROWS
    if more > 0:
        day_rows += (f"<tr><td colspan='7'>... {more} more rep-days "
                     "(<code>plan.route_rows()</code> has them all)</td></tr>")
    head = "".join(f"<th>{c}</th>" for c in ("rep", "date", "day", "visits", "hours",
                                            "travel h", "km"))
    if importlib.util.find_spec("folium") is not None:
        view = plan.map()._repr_html_()
    else:
        view = ('<p><i>Install the reports extra for the map: '
                '<code>pip install "routeopt[reports]"</code></i></p>')
    title = (f"Plan for {len(plan.problem.outlets)} outlets, {len(plan.problem.reps)} rep(s), "
             f"{h.start} .. {h.end} ({h.weeks} week(s))")
    return (f"<div class='routeopt-plan'><h4>{escape(title)}</h4>"
            f"<table>{kpi_rows}</table>"
            f"<details open><summary>{len(plan.routes)} rep-days</summary>"
            f"<table><tr>{head}</tr>{day_rows}</table></details>"
            f"{view}</div>")
