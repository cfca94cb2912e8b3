"""The plan's day and time figures: per rep, per outlet, and their team-wide summaries.

:meth:`routeopt.Plan.kpis` adds what this module computes to its coverage
and travel figures. The functions read only a plan's routes and the problem's
calendar (which dates each rep works), so they work as well on a plan read
back from disk (:func:`routeopt.replan.read_plan`) as on one just solved.

Every figure is defined in :func:`day_kpis` and :func:`start_spreads`, and in
``docs/csv-schema.md`` (``summary.json``).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from routeopt.plan import Plan, Route

__all__ = ["day_kpis", "quantile", "spread_stats", "start_spreads"]


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile of ``values`` by linear interpolation between order statistics.

    The value at position ``q * (n - 1)`` of the sorted values, interpolated
    between its two neighbours: the definition of ``numpy.percentile``'s
    default (``method="linear"``) and of ``statistics.quantiles(...,
    method="inclusive")``.

    Parameters
    ----------
    values
        At least one number, in any order.
    q
        Between 0 and 1 (0.9 is the 90th percentile).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``values`` is empty or ``q`` is outside [0, 1].

    Examples
    --------
    >>> quantile([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)
    90.0
    >>> quantile([0, 60], 0.9)
    54.0
    >>> quantile([7], 0.9)
    7.0
    """
    if not values:
        raise ValueError("quantile of no values")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be between 0 and 1, not {q}")
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


def spread_stats(spreads: Iterable[int]) -> dict[str, Any]:
    """``{"outlets", "median_s", "p90_s", "max_s"}`` of per-outlet spreads in seconds.

    ``outlets`` counts the spreads; the median and 90th percentile are by
    :func:`quantile`, rounded to 0.1 s; all three are ``None`` when there is
    no spread.

    Examples
    --------
    >>> spread_stats([0, 0, 600, 3600])
    {'outlets': 4, 'median_s': 300.0, 'p90_s': 2700.0, 'max_s': 3600}
    >>> spread_stats([])
    {'outlets': 0, 'median_s': None, 'p90_s': None, 'max_s': None}
    """
    xs = sorted(spreads)
    if not xs:
        return {"outlets": 0, "median_s": None, "p90_s": None, "max_s": None}
    return {"outlets": len(xs), "median_s": round(quantile(xs, 0.5), 1),
            "p90_s": round(quantile(xs, 0.9), 1), "max_s": xs[-1]}


def start_spreads(routes: Iterable[Route]) -> dict[str, dict[str, Any]]:
    """How far apart in the day each outlet's visits start.

    A visit's start is its time of day (seconds since midnight of its date).
    Three figures, each a :func:`spread_stats` over outlets:

    ``start_spread_same_weekday``
        Per outlet with at least two visits on one weekday: for each such
        weekday, its latest start minus its earliest start on that weekday;
        the outlet's spread is the largest over its weekdays. An outlet seen
        every Tuesday at 09:00, 09:00, 10:00 and 09:30 has 3600 s. This is the
        "same time on its route line" figure.
    ``start_spread_one_weekday``
        The same, over the outlets whose visits all fall on one weekday
        (weekly and fortnightly outlets on a fixed route line; an outlet
        visited twice a week is left out).
    ``start_spread_all_visits``
        Per outlet with at least two visits: its latest start minus its
        earliest start over all its visits, whatever the weekday.

    Extra visits (a non-empty ``Stop.label``) count like the others.

    Parameters
    ----------
    routes
        The plan's routes.

    Returns
    -------
    dict
        The three figures, by name.

    Examples
    --------
    >>> from datetime import date
    >>> from routeopt.plan import Route, Stop
    >>> def route(day, *starts):
    ...     stops = tuple(Stop(o, s, s, s + 600, 0, 0) for o, s in starts)
    ...     return Route("R1", day, 30600, 61200, stops, 0, 0)
    >>> h = 3600
    >>> routes = [route(date(2026, 12, 1), ("A", 9 * h), ("B", 11 * h)),   # Tuesdays
    ...           route(date(2026, 12, 8), ("A", 10 * h), ("B", 11 * h)),
    ...           route(date(2026, 12, 10), ("B", 15 * h))]                # a Thursday
    >>> s = start_spreads(routes)
    >>> s["start_spread_same_weekday"]
    {'outlets': 2, 'median_s': 1800.0, 'p90_s': 3240.0, 'max_s': 3600}
    >>> s["start_spread_one_weekday"]
    {'outlets': 1, 'median_s': 3600.0, 'p90_s': 3600.0, 'max_s': 3600}
    >>> s["start_spread_all_visits"]["max_s"]  # B at 11:00, 11:00 and 15:00
    14400
    """
    by_day: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for r in routes:
        wd = r.date.weekday()
        for s in r.stops:
            by_day[s.outlet_id][wd].append(s.start)
    same, one, every = [], [], []
    for days in by_day.values():
        lines = [max(v) - min(v) for v in days.values() if len(v) > 1]
        if lines:
            same.append(max(lines))
            if len(days) == 1:
                one.append(lines[0])
        starts = [t for v in days.values() for t in v]
        if len(starts) > 1:
            every.append(max(starts) - min(starts))
    return {"start_spread_same_weekday": spread_stats(same),
            "start_spread_one_weekday": spread_stats(one),
            "start_spread_all_visits": spread_stats(every)}


def _rep_figures(days: Sequence[date], routes: Sequence[Route]) -> dict[str, Any]:
    """One rep's day figures; ``days`` are the planning days the rep works."""
    dated = {r.date for r in routes}
    visits = [len(r.stops) for r in routes]
    lengths = [r.duration_s for r in routes]
    service = sum(s.end - s.start for r in routes for s in r.stops)
    travel = sum(r.travel_s for r in routes)
    return {
        "working_days": len(days),
        "days_worked": len(routes),
        "days_without_route": sum(1 for d in days if d not in dated),
        "visits": sum(visits),
        "visits_per_day_min": min(visits, default=None),
        "visits_per_day_median": float(statistics.median(visits)) if visits else None,
        "visits_per_day_max": max(visits, default=None),
        "busiest_quietest_ratio": round(max(visits) / min(visits), 3) if visits else None,
        "day_length_min_s": min(lengths, default=None),
        "day_length_max_s": max(lengths, default=None),
        "day_length_spread_s": max(lengths) - min(lengths) if lengths else None,
        "drive_s_per_day_max": max((r.travel_s for r in routes), default=None),
        "service_s": service,
        "travel_s": travel,
        "workload_s": service + travel,
    }


def day_kpis(plan: Plan) -> dict[str, Any]:
    """Per rep: the days worked and how full and long they are; the team's spread.

    A rep's *working days* are the planning days the rep works
    (:meth:`Problem.rep_days <routeopt.problem.Problem.rep_days>`: the rep's
    working weekdays within the horizon, from ``plan_from`` on, less holidays
    and the rep's days off). A *day worked* is a date with a route (at least
    one visit). Per rep, under ``per_rep[rep_id]``:

    ``working_days``, ``days_worked``, ``days_without_route``
        The working days, the routes, and the working days without a route.
    ``visits``
        Visits in the rep's routes.
    ``visits_per_day_min``, ``visits_per_day_median``, ``visits_per_day_max``
        Over the days worked (a working day without a route is counted in
        ``days_without_route``, not here).
    ``busiest_quietest_ratio``
        ``visits_per_day_max / visits_per_day_min``, rounded to 0.001.
    ``day_length_min_s``, ``day_length_max_s``, ``day_length_spread_s``
        A day's length is from leaving the start to coming back
        (``Route.duration_s``, breaks and waits included); the spread is the
        longest day minus the shortest.
    ``drive_s_per_day_max``
        The most travel time of one day, the way back included.
    ``service_s``, ``travel_s``, ``workload_s``
        Time at the outlets (each visit's end minus its start), travel time,
        and their sum over the horizon (waits and breaks are not work).
    ``workload_deviation``
        ``workload_s / team mean - 1``, rounded to 0.0001: +0.1 is 10 % above
        the mean of all the problem's reps (a rep without routes counts 0).

    The per-rep figures over days worked are ``None`` for a rep without a
    route. Team-wide, at the top level:

    ``working_days``, ``days_without_route``
        Sums over reps.
    ``visits_per_route_day_min``, ``visits_per_route_day_median``, ``visits_per_route_day_max``
        Over all routes.
    ``busiest_quietest_ratio_max``, ``day_length_spread_max_s``
        The largest of the reps' figures.
    ``drive_s_per_day_max``
        The most travel time of any one route.
    ``workload_deviation_max``
        The largest ``abs(workload_deviation)`` over reps: every rep's
        workload is within this share of the team mean.

    Parameters
    ----------
    plan
        A plan.

    Returns
    -------
    dict
        The team-wide keys above and ``per_rep``, a dict by rep id in the
        problem's order.

    Examples
    --------
    >>> from datetime import date
    >>> from routeopt import Horizon, Outlet, Plan, Problem, Rep, VisitRule
    >>> from routeopt.plan import Route, Stop
    >>> problem = Problem([Outlet("A", 43.73, 7.42, VisitRule.parse("1/week"))],
    ...                   [Rep("R1", 43.74, 7.42), Rep("R2", 43.74, 7.42)],
    ...                   Horizon(date(2026, 11, 30), weeks=1))
    >>> a = Stop("A", 32400, 32400, 33300, 600, 500)               # 09:00-09:15
    >>> plan = Plan(problem, (Route("R1", date(2026, 12, 1), 31800, 33900, (a,), 600, 500),),
    ...             ())
    >>> k = day_kpis(plan)
    >>> r1 = k["per_rep"]["R1"]
    >>> r1["working_days"], r1["days_worked"], r1["days_without_route"], r1["workload_s"]
    (5, 1, 4, 2100)
    >>> r1["workload_deviation"], k["per_rep"]["R2"]["workload_deviation"]
    (1.0, -1.0)
    >>> k["days_without_route"], k["workload_deviation_max"]
    (9, 1.0)
    """
    problem = plan.problem
    by_rep: dict[str, list[Route]] = defaultdict(list)
    for r in plan.routes:
        by_rep[r.rep_id].append(r)
    per_rep: dict[str, dict[str, Any]] = {}
    for rep in problem.reps:
        routes = sorted(by_rep.get(rep.id, ()), key=lambda r: r.date)
        per_rep[rep.id] = _rep_figures(problem.rep_days(rep), routes)
    loads = [f["workload_s"] for f in per_rep.values()]
    mean = sum(loads) / len(loads) if loads else 0.0
    for f in per_rep.values():
        f["workload_deviation"] = round(f["workload_s"] / mean - 1, 4) if mean else None
    visits = [len(r.stops) for r in plan.routes]
    ratios = [f["busiest_quietest_ratio"] for f in per_rep.values()
              if f["busiest_quietest_ratio"] is not None]
    spreads = [f["day_length_spread_s"] for f in per_rep.values()
               if f["day_length_spread_s"] is not None]
    devs = [abs(f["workload_deviation"]) for f in per_rep.values()
            if f["workload_deviation"] is not None]
    return {
        "working_days": sum(f["working_days"] for f in per_rep.values()),
        "days_without_route": sum(f["days_without_route"] for f in per_rep.values()),
        "visits_per_route_day_min": min(visits, default=None),
        "visits_per_route_day_median": float(statistics.median(visits)) if visits else None,
        "visits_per_route_day_max": max(visits, default=None),
        "busiest_quietest_ratio_max": max(ratios, default=None),
        "day_length_spread_max_s": max(spreads, default=None),
        "drive_s_per_day_max": max((r.travel_s for r in plan.routes), default=None),
        "workload_deviation_max": max(devs, default=None),
        "per_rep": per_rep,
    }
