"""An independent check of a plan against its problem.

Written apart from the solver on purpose: it re-derives every rule from the
problem's fields (opening hours, appointments, shifts, breaks, frequencies,
driving time, fixed blocks) and recomputes times from the matrices, without
calling the solver's code, nor the problem's own helpers that the solver uses
(``Problem.windows``, ``routeopt.patterns``).

Each rule is one ``check_*`` function that yields :class:`Violation`\\ s;
:func:`violations` runs them all and :func:`check_plan` gives their texts
(``Plan.violations()``).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from routeopt.calendars import normal_subdiv, official_calendar

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from routeopt._types import TravelMatrix
    from routeopt.problem import Appointment, Outlet, Problem, Rep

    Matrix = npt.NDArray[np.int64]


# What the checker reads of a plan, so that it needs nothing of routeopt.plan (which
# calls it): routeopt.plan.Plan, Route, Stop and Unscheduled are these.
class Stop(Protocol):
    @property
    def outlet_id(self) -> str: ...
    @property
    def arrival(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def travel_s(self) -> int: ...
    @property
    def distance_m(self) -> int: ...
    @property
    def label(self) -> str: ...


class Route(Protocol):
    @property
    def rep_id(self) -> str: ...
    @property
    def date(self) -> date: ...
    @property
    def depart(self) -> int: ...
    @property
    def back(self) -> int: ...
    @property
    def stops(self) -> Sequence[Stop]: ...
    @property
    def return_travel_s(self) -> int: ...
    @property
    def return_distance_m(self) -> int: ...
    @property
    def break_start(self) -> int | None: ...
    @property
    def break_end(self) -> int | None: ...


class Unscheduled(Protocol):
    @property
    def outlet_id(self) -> str: ...


class Plan(Protocol):
    @property
    def problem(self) -> Problem: ...
    @property
    def routes(self) -> Sequence[Route]: ...
    @property
    def unscheduled(self) -> Sequence[Unscheduled]: ...
    @property
    def matrices(self) -> Mapping[str, TravelMatrix]: ...


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which rule, where (a route or an outlet), and what."""

    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(slots=True)
class _Plan:
    """The plan with the look-ups every check shares, and what the route checks
    collect for the outlet checks."""

    plan: Plan
    outlets: dict[str, Outlet] = field(default_factory=dict)
    reps: dict[str, Rep] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)
    rep_pos: dict[str, int] = field(default_factory=dict)
    # outlet -> its visits (date, rep, start); its extra visits (date, rep, start, end, label)
    visits: dict[str, list[tuple[date, str, int]]] = field(
        default_factory=lambda: defaultdict(list))
    extra: dict[str, list[tuple[date, str, int, int, str]]] = field(
        default_factory=lambda: defaultdict(list))
    # region -> (public holidays and their names, dates worked whatever the weekday)
    calendars: dict[tuple[str, str | None] | None, tuple[dict[date, str], frozenset[date]]] = (
        field(default_factory=dict))

    def calendar(self, rep: Rep | None) -> tuple[dict[date, str], frozenset[date]]:
        """The public holidays and the dates worked whatever the weekday (the horizon's
        workdays and the official make-up days) of ``rep``'s calendar: its own
        country/subdiv, else the horizon's (``None``: the outlets', the horizon's)."""
        h = self.problem.horizon
        country, subdiv = h.country, h.subdiv
        if rep is not None and rep.country is not None:
            country, subdiv = rep.country, rep.subdiv
        elif rep is not None and rep.subdiv is not None and country is not None:
            subdiv = normal_subdiv(country, rep.subdiv)
        region = None if country is None else (country, subdiv)
        got = self.calendars.get(region)
        if got is None:
            if region is None:
                got = ({}, h.workdays)
            else:
                cal = official_calendar(region[0], region[1],
                                        tuple(range(h.start.year, h.end.year + 1)))
                got = (dict(cal.holidays), h.workdays | cal.workdays)
            self.calendars[region] = got
        return got

    @property
    def problem(self) -> Problem:
        return self.plan.problem

    def start_node(self, rep: Rep) -> int:
        return len(self.problem.outlets) + 2 * self.rep_pos[rep.id]


def _open_windows(ctx: _Plan, o: Outlet, day: date) -> list[tuple[int, int, bool]]:
    """(from, to, is_appointment): the visit must start and end inside [from, to]
    (on a date with appointments, each of them)."""
    problem = ctx.problem
    appts = [(a.window.start, a.window.end + o.service, True) for a in o.appointments
             if a.date == day]
    if appts:
        return appts
    if day in o.hours.closed_dates:
        return []
    public, worked = ctx.calendar(None)
    if o.hours.closed_on_holidays and (
            day in problem.horizon.holidays or (day in public and day not in worked)):
        return []
    return [(w.start, w.end, False) for w in o.hours.weekly[day.weekday()]]


def _working_gap(rep: Rep, a: date, b: date, worked: frozenset[date]) -> int:
    """Working days of ``rep`` from ``a`` to ``b`` (b later), by weekday, and the dates
    ``worked`` whatever their weekday (make-up days)."""
    days = (date.fromordinal(a.toordinal() + k) for k in range(1, (b - a).days + 1))
    return sum(1 for d in days if d.weekday() in rep.working_days or d in worked)


def _where(r: Route) -> str:
    return f"route {r.rep_id} {r.date}"


# -- per route ----------------------------------------------------------------------------
def check_route_day(ctx: _Plan, r: Route, rep: Rep) -> Iterator[Violation]:
    """The route is on a date of the horizon, planned, not a holiday, worked by the rep."""
    p, w = ctx.problem, _where(r)
    if r.date not in set(p.horizon.dates):
        yield Violation("day", w, "date outside the horizon")
    public, worked = ctx.calendar(rep)
    if r.date in p.horizon.holidays:
        yield Violation("day", w, "on a holiday")
    elif r.date in public and r.date not in worked:
        yield Violation("day", w, f"on a public holiday ({public[r.date]})")
    if p.plan_from is not None and r.date < p.plan_from:
        yield Violation("day", w, f"before the planned part of the horizon ({p.plan_from})")
    if (r.date.weekday() not in rep.working_days and r.date not in worked) \
            or r.date in rep.days_off:
        yield Violation("day", w, "the rep does not work that day")


def check_shift(r: Route, rep: Rep) -> Iterator[Violation]:
    """The rep leaves no earlier than the shift starts and is back by its end."""
    if r.depart < rep.shift.start:
        yield Violation("shift", _where(r),
                        f"leaves at {r.depart} before the shift starts ({rep.shift})")
    if r.back > rep.shift.end:
        yield Violation("shift", _where(r), f"back at {r.back} after the shift ends ({rep.shift})")


def check_max_visits(r: Route, rep: Rep) -> Iterator[Violation]:
    """At most ``max_visits`` visits."""
    if rep.max_visits is not None and len(r.stops) > rep.max_visits:
        yield Violation("max_visits", _where(r),
                        f"{len(r.stops)} visits > max_visits {rep.max_visits}")


def check_capacity(ctx: _Plan, r: Route, rep: Rep) -> Iterator[Violation]:
    """The outlets' demands within ``capacity``."""
    if rep.capacity is None:
        return
    load = sum(ctx.outlets[s.outlet_id].demand for s in r.stops if s.outlet_id in ctx.outlets)
    if load > rep.capacity:
        yield Violation("capacity", _where(r), f"load {load} > capacity {rep.capacity}")


def check_stops(ctx: _Plan, r: Route, rep: Rep, dur: Matrix, dist: Matrix,
                gaps: list[tuple[int, int, int]],
                intervals: list[tuple[int, int]]) -> Iterator[Violation]:
    """Each stop: a known outlet, its fixed rep, travel and distance from the
    matrix, arrival, start and service times, its opening hours or appointment,
    locked dates; and the way back. Fills ``gaps`` (free from, free to, travel
    needed) and ``intervals`` (the services) for the break and overlap checks,
    and the plan's visits for the outlet checks."""
    p, w = ctx.problem, _where(r)
    prev_node, prev_time = ctx.start_node(rep), r.depart
    for s in r.stops:
        o = ctx.outlets.get(s.outlet_id)
        if o is None:
            yield Violation("outlet", w, f"unknown outlet {s.outlet_id!r}")
            continue
        node = ctx.index[o.id]
        if o.rep_id is not None and o.rep_id != rep.id:
            yield Violation("fixed_rep", w, f"outlet {o.id} is fixed to rep {o.rep_id}")
        tt = int(dur[prev_node, node])
        if s.travel_s != tt:
            yield Violation("travel", w, f"outlet {o.id} travel {s.travel_s} s, matrix says {tt} s")
        if s.distance_m != int(dist[prev_node, node]):
            yield Violation("travel", w, f"outlet {o.id} distance {s.distance_m} m, matrix says "
                                         f"{int(dist[prev_node, node])} m")
        if s.arrival < prev_time + tt:
            yield Violation("timing", w, f"arrives at {o.id} before it could get there")
        if s.start < s.arrival:
            yield Violation("timing", w, f"starts {o.id} before arriving")
        if s.end != s.start + o.service:
            yield Violation("timing", w, f"visit of {o.id} lasts {s.end - s.start} s, "
                                         f"not {o.service} s")
        if s.label:  # an extra visit: its window is checked when matched (check_extra)
            ctx.extra[o.id].append((r.date, rep.id, s.start, s.end, s.label))
        else:
            wins = _open_windows(ctx, o, r.date)
            if not any(lo <= s.start and s.end <= hi for lo, hi, _ in wins):
                yield Violation("opening_hours", w,
                                f"visit of {o.id} {s.start}-{s.end} is outside its "
                                f"opening hours / appointment on {r.date}")
            if r.date in p.locked and all(a.date != r.date for a in o.appointments):
                yield Violation("locked", w, f"visit of {o.id} on a locked date that is not one "
                                             "of its appointments")
            ctx.visits[o.id].append((r.date, rep.id, s.start))
        gaps.append((prev_time, s.start, tt))
        intervals.append((s.start, s.end))
        prev_node, prev_time = node, s.end
    end_node = ctx.start_node(rep) + 1
    tt = int(dur[prev_node, end_node])
    if r.return_travel_s != tt:
        yield Violation("travel", w, f"way back {r.return_travel_s} s, matrix says {tt} s")
    if r.return_distance_m != int(dist[prev_node, end_node]):
        yield Violation("travel", w, "way back distance differs from the matrix")
    if r.back < prev_time + tt:
        yield Violation("timing", w, "back before it could get there")
    gaps.append((prev_time, r.back, tt))


def check_break(r: Route, rep: Rep, gaps: list[tuple[int, int, int]]) -> Iterator[Violation]:
    """The lunch break: there whenever the day runs into its window, of the right
    length, inside its window, between visits, with time for the trip around it."""
    lunch, w = rep.lunch, _where(r)
    if lunch is None or r.back <= lunch.window.start:
        return
    if r.break_start is None or r.break_end is None:
        yield Violation("break", w, f"no break although the day runs into {lunch.window}")
        return
    if r.break_end - r.break_start != lunch.duration:
        yield Violation("break", w, f"break lasts {r.break_end - r.break_start} s, "
                                    f"not {lunch.duration} s")
    if r.break_start < lunch.window.start or r.break_end > lunch.window.end:
        yield Violation("break", w, f"break outside its window {lunch.window}")
    inside = [g for g in gaps if g[0] <= r.break_start and r.break_end <= g[1]]
    if not inside:
        yield Violation("break", w, "break overlaps a visit")
    elif all(g[1] - g[0] < g[2] + lunch.duration for g in inside):
        yield Violation("break", w, "no time for both the break and the trip around it")


def check_overlap(r: Route, intervals: list[tuple[int, int]]) -> Iterator[Violation]:
    """No two visits overlap."""
    for a, b in itertools.pairwise(intervals):
        if b[0] < a[1]:
            yield Violation("overlap", _where(r), "visits overlap")


def check_max_drive(ctx: _Plan, r: Route, rep: Rep, dur: Matrix) -> Iterator[Violation]:
    """The route's driving time (every trip, from the matrix) within ``rep.max_drive``."""
    if rep.max_drive is None:
        return
    start = ctx.start_node(rep)
    nodes = [start, *(ctx.index[s.outlet_id] for s in r.stops if s.outlet_id in ctx.index),
             start + 1]
    drive = sum(int(dur[a, b]) for a, b in itertools.pairwise(nodes))
    if drive > rep.max_drive:
        yield Violation("max_drive", _where(r),
                        f"drives {drive} s, more than max_drive {rep.max_drive} s")


def check_blocks(r: Route, rep: Rep) -> Iterator[Violation]:
    """No visit of the route overlaps one of the rep's fixed blocks that weekday."""
    wd = r.date.weekday()
    for b in rep.blocks:
        if b.weekdays is not None and wd not in b.weekdays:
            continue
        for s in r.stops:
            if s.start < b.window.end and s.end > b.window.start:
                yield Violation("blocks", _where(r),
                                f"visit of {s.outlet_id} {s.start}-{s.end} overlaps the fixed "
                                f"block {b.window}")


def check_routes(ctx: _Plan) -> Iterator[Violation]:
    """Every route, rule by rule."""
    seen: set[tuple[str, date]] = set()
    for r in ctx.plan.routes:
        w = _where(r)
        rep = ctx.reps.get(r.rep_id)
        if rep is None:
            yield Violation("rep", w, "unknown rep")
            continue
        if (r.rep_id, r.date) in seen:
            yield Violation("rep", w, "two routes for one rep on one date")
        seen.add((r.rep_id, r.date))
        yield from check_route_day(ctx, r, rep)
        if not r.stops:
            yield Violation("empty", w, "empty route")
            continue
        matrix = ctx.plan.matrices.get(rep.mode)
        if matrix is None:
            yield Violation("matrix", w, f"no matrix for mode {rep.mode}")
            continue
        dur, dist = matrix.durations, matrix.distances
        yield from check_shift(r, rep)
        yield from check_max_visits(r, rep)
        yield from check_capacity(ctx, r, rep)
        gaps: list[tuple[int, int, int]] = []
        intervals: list[tuple[int, int]] = []
        yield from check_stops(ctx, r, rep, dur, dist, gaps, intervals)
        yield from check_max_drive(ctx, r, rep, dur)
        yield from check_blocks(r, rep)
        yield from check_break(r, rep, gaps)
        yield from check_overlap(r, intervals)


# -- per outlet ---------------------------------------------------------------------------
def check_visit_count(ctx: _Plan, o: Outlet, missing: int) -> Iterator[Violation]:
    """Scheduled plus unscheduled visits equal the required count."""
    made = len(ctx.visits.get(o.id, [])) + len(ctx.extra.get(o.id, []))
    need = ctx.problem.visits_of(o)
    if made + missing != need:
        yield Violation("visits", f"outlet {o.id}",
                        f"{made} scheduled + {missing} unscheduled != {need} required")


def check_extra(ctx: _Plan, o: Outlet) -> Iterator[Violation]:
    """Match the extra visits made to the outlet's extra visits (earliest due first)."""
    p = ctx.problem
    left = sorted(ctx.extra.get(o.id, []))
    for x in sorted(o.extra_visits, key=lambda x: (x.latest, x.earliest)):
        for k, (day, rep_id, start, end, label) in enumerate(left):
            if label != x.label or not x.earliest <= day <= x.latest:
                continue
            if x.rep_id is not None and rep_id != x.rep_id:
                continue
            if x.window is not None:
                if not x.window.start <= start <= x.window.end:
                    continue
            elif not any(lo <= start and end <= hi for lo, hi, _ in _open_windows(ctx, o, day)):
                continue
            if day in p.locked and not (x.window is not None and x.earliest == x.latest):
                continue
            del left[k]
            break
    for day, rep_id, start, _, label in left:
        yield Violation("extra_visit", f"outlet {o.id}",
                        f"extra visit {label!r} on {day} (rep {rep_id}, start {start}) fits none "
                        "of its extra visits (due window, rep, time, opening hours, locked date)")


def check_dates_and_rep(ctx: _Plan, o: Outlet) -> Iterator[Violation]:
    """No two visits on one date (but one per appointment on a date with several);
    one rep for all (unless ``same_rep`` is off)."""
    vs = ctx.visits.get(o.id, [])
    per_date = _appointments_by_date(o)
    counts: dict[date, int] = defaultdict(int)
    for v in vs:
        counts[v[0]] += 1
    for d, k in counts.items():
        if k > max(1, len(per_date.get(d, ()))):
            yield Violation("dates", f"outlet {o.id}",
                            f"{k} visits on {d}, more than its appointments that day"
                            if per_date.get(d) else "two visits on one date")
    if o.rule.same_rep and len({v[1] for v in vs}) > 1:
        yield Violation("same_rep", f"outlet {o.id}", "visited by more than one rep")


def check_appointments(ctx: _Plan, o: Outlet, missing: int) -> Iterator[Violation]:
    """Each appointment kept by a visit of its own inside its window (unless visits
    are reported missing), and by its pinned rep."""
    vs = ctx.visits.get(o.id, [])
    if not missing:
        for d, day_appts in _appointments_by_date(o).items():
            starts = [v[2] for v in vs if v[0] == d]
            for a in _unmatched(day_appts, starts):
                yield Violation("appointment", f"outlet {o.id}",
                                f"appointment on {d} at {a.window} not kept")
    for a in o.appointments:
        pinned, d, win = a.rep_id, a.date, a.window
        if pinned is not None and any(v[0] == d for v in vs) and not any(
                v[0] == d and v[1] == pinned and win.start <= v[2] <= win.end for v in vs):
            yield Violation("appointment", f"outlet {o.id}",
                            f"appointment on {a.date} is pinned to rep {pinned}, made by another")


def _appointments_by_date(o: Outlet) -> dict[date, list[Appointment]]:
    per_date: dict[date, list[Appointment]] = defaultdict(list)
    for a in o.appointments:
        per_date[a.date].append(a)
    return per_date


def _unmatched(appts: list[Appointment], starts: list[int]) -> list[Appointment]:
    """The appointments of one date that no visit (by start) keeps, each visit
    keeping one: earliest-ending window first, with the earliest start inside it."""
    left = sorted(starts)
    out = []
    for a in sorted(appts, key=lambda a: (a.window.end, a.window.start)):
        k = next((k for k, t in enumerate(left) if a.window.start <= t <= a.window.end), None)
        if k is None:
            out.append(a)
        else:
            del left[k]
    return out


def check_pattern(ctx: _Plan, o: Outlet) -> Iterator[Violation]:
    """The visit dates against the rule: explicit patterns, allowed weekdays, no
    more weekdays per cycle than route lines, the minimum spacing."""
    p, w = ctx.problem, f"outlet {o.id}"
    vs = sorted(ctx.visits.get(o.id, []))
    dates = [v[0] for v in vs]
    appt = {a.date for a in o.appointments}
    free = [d for d in dates if d not in appt]
    rule = o.rule
    if rule.patterns is not None:
        days = p.planning_days
        pats = [{days[i] for i in pat if 0 <= i < len(days)} for pat in rule.patterns]
        if vs and not any(set(dates) <= pat for pat in pats):
            yield Violation("pattern", w, "visit dates fit none of its allowed patterns")
        return
    if rule.allowed_weekdays is not None:
        for d in free:
            if d.weekday() not in rule.allowed_weekdays:
                yield Violation("weekday", w, f"visited on {d:%a} {d}, not an allowed weekday")
    if not vs or rule.per_week <= 0:
        return
    if rule.per_month is not None or (rule.interval is not None and not _line_interval(o)):
        return  # check_interval and check_per_month
    rep = ctx.reps[vs[0][1]]
    f = rule.per_week
    if rule.same_weekday:
        lines = {(p.horizon.week_of(d) % f.denominator, d.weekday()) for d in free}
        if len(lines) > f.numerator and not _moved_off_lines(ctx, o, rep, free):
            yield Violation("route_line", w,
                            f"visits on {len(lines)} different weekdays of its "
                            f"{f.denominator}-week cycle, more than its {f.numerator} "
                            "route line(s), and no holiday or day off on a line in their "
                            "week moved them")
        block = f.denominator * len(rep.working_days)
        gap = rule.min_gap if rule.min_gap is not None else math.ceil(block / f.numerator) - 1
    else:
        gap = rule.min_gap if rule.min_gap is not None else 0
    for d1, d2 in itertools.pairwise(free):
        g = _working_gap(rep, d1, d2, ctx.calendar(rep)[1])
        if g < max(gap, 1):
            yield Violation("spacing", w, f"visits {d1} and {d2} are {g} working day(s) apart, "
                                          f"less than {max(gap, 1)}")


def _usable(ctx: _Plan, o: Outlet, rep: Rep, day: date) -> bool:
    """Whether ``rep`` may visit ``o`` on ``day``: a planned date the rep works, not a
    holiday, not locked, with opening hours."""
    p = ctx.problem
    public, worked = ctx.calendar(rep)
    if day not in set(p.horizon.dates) or day in p.horizon.holidays or day in rep.days_off:
        return False
    if (day in public and day not in worked) or day in p.locked:
        return False
    if p.plan_from is not None and day < p.plan_from:
        return False
    if day.weekday() not in rep.working_days and day not in worked:
        return False
    return bool(_open_windows(ctx, o, day))


def _moved_off_lines(ctx: _Plan, o: Outlet, rep: Rep, free: list[date]) -> bool:
    """Whether the visits ``free`` keep to at most ``n`` route lines of an ``n / k``
    rule once the visits moved by a holiday are counted on their line.

    Some choice of ``n`` lines (a week of the cycle and a weekday each, on a
    weekday the rep works, the rule allows and the outlet opens, among the
    visits' and the unusable dates' of their weeks) must hold every visit, or
    each visit off them must have, in its own week, a date of one of those lines
    that the rep cannot use there (a holiday, a day off, closed, locked) and no
    visit on it; each such date excuses one visit.
    """
    p, f = ctx.problem, o.rule.per_week
    n, k = f.numerator, f.denominator
    h = p.horizon

    def key(d: date) -> tuple[int, int]:
        return (h.week_of(d) % k, d.weekday())

    # a line's weekday: one the rep works, the rule allows and the outlet opens
    allowed = o.rule.allowed_weekdays
    line_days = {wd for wd in rep.working_days if o.hours.weekly[wd]
                 and (allowed is None or wd in allowed)}
    weeks = sorted({h.week_of(d) for d in free})
    visited = set(free)
    blocked = [h.start + timedelta(days=7 * wk + j) for wk in weeks for j in range(7)]
    blocked = [d for d in blocked if d.weekday() in line_days and d not in visited
               and not _usable(ctx, o, rep, d)]
    keys = sorted({key(d) for d in free + blocked if d.weekday() in line_days})
    for chosen in itertools.islice(itertools.combinations(keys, min(n, len(keys))), 5000):
        on = set(chosen)
        spare = [d for d in blocked if key(d) in on]
        for d in free:
            if key(d) in on:
                continue
            excuse = next((b for b in spare if h.week_of(b) == h.week_of(d)), None)
            if excuse is None:
                break
            spare.remove(excuse)
        else:
            return True
    return False


def _line_interval(o: Outlet) -> bool:
    """An interval of whole weeks on the same weekday: a route line as well."""
    iv = o.rule.interval
    return iv is not None and o.rule.same_weekday and iv[0] == iv[1] and iv[0] % 7 == 0


def check_interval(ctx: _Plan, o: Outlet, missing: int) -> Iterator[Violation]:
    """An interval rule (``every 10-14d``): consecutive visits ``least`` to ``most``
    calendar days apart (a pair with an appointment aside); the first one as far
    from ``rule.last_visit`` (the last visit before the plan, when known and every
    visit is made); with the whole horizon planned, every visit made and a range
    that can repeat over it, also the gap from the last visit around to the first."""
    rule, p, w = o.rule, ctx.problem, f"outlet {o.id}"
    if rule.interval is None or rule.patterns is not None:
        return
    least, most = rule.interval
    appt = {a.date for a in o.appointments}
    dates = sorted({v[0] for v in ctx.visits.get(o.id, [])})
    for d1, d2 in itertools.pairwise(dates):
        gap = (d2 - d1).days
        if d1 not in appt and d2 not in appt and not least <= gap <= most:
            yield Violation("interval", w, f"visits {d1} and {d2} are {gap} days apart, not "
                                           f"{least} to {most} ({rule.describe()})")
    last = rule.last_visit
    if last is not None and dates and not missing and dates[0] not in appt:
        gap = (dates[0] - last).days
        if not least <= gap <= most:
            yield Violation("interval", w, f"the first visit {dates[0]} is {gap} days after the "
                                           f"last one before the plan ({last}), not {least} to "
                                           f"{most} ({rule.describe()})")
    span = 7 * p.horizon.weeks
    repeats = -(-span // most) <= span // least
    if (dates and repeats and p.plan_from is None and rule.visits is None and not missing
            and not appt):
        gap = (dates[0] - p.horizon.start).days + span - (dates[-1] - p.horizon.start).days
        if not least <= gap <= most:
            yield Violation("interval", w, f"the last visit {dates[-1]} and the first {dates[0]} "
                                           f"are {gap} days apart around the {span}-day horizon, "
                                           f"not {least} to {most} ({rule.describe()})")


def check_per_month(ctx: _Plan, o: Outlet, missing: int) -> Iterator[Violation]:
    """``N/month``: each calendar month holds its share of visits, ``N`` for a
    whole month and ``N`` times the share of its days in the horizon (rounded,
    a half up) for a part. Exact with the whole horizon planned, every visit made
    and no appointment; else no more than the share and that month's appointments."""
    rule, p, w = o.rule, ctx.problem, f"outlet {o.id}"
    n = rule.per_month
    if n is None or rule.patterns is not None:
        return
    per_month: dict[tuple[int, int], int] = defaultdict(int)
    for v in ctx.visits.get(o.id, []):
        per_month[v[0].year, v[0].month] += 1
    covered: dict[tuple[int, int], int] = defaultdict(int)
    for d in p.horizon.dates:
        covered[d.year, d.month] += 1
    exact = p.plan_from is None and rule.visits is None and not missing and not o.appointments
    for (y, m), days in covered.items():
        month_len = (date(y + m // 12, m % 12 + 1, 1) - date(y, m, 1)).days
        owed = (2 * n * days + month_len) // (2 * month_len)  # n * days / month_len, rounded
        appts = sum(1 for a in o.appointments if (a.date.year, a.date.month) == (y, m))
        made = per_month.get((y, m), 0)
        if made > owed + appts or (exact and made != owed):
            yield Violation("per_month", w,
                            f"{made} visit(s) in {y}-{m:02d}, where {rule.describe()} owes "
                            f"{owed} ({days} of its {month_len} days in the horizon)")


def check_outlets(ctx: _Plan) -> Iterator[Violation]:
    """Every outlet, rule by rule (after :func:`check_routes` collected its visits)."""
    missing: dict[str, int] = defaultdict(int)
    for u in ctx.plan.unscheduled:
        missing[u.outlet_id] += 1
    for o in ctx.problem.outlets:
        yield from check_visit_count(ctx, o, missing[o.id])
        yield from check_extra(ctx, o)
        yield from check_dates_and_rep(ctx, o)
        yield from check_appointments(ctx, o, missing[o.id])
        yield from check_pattern(ctx, o)
        yield from check_interval(ctx, o, missing[o.id])
        yield from check_per_month(ctx, o, missing[o.id])


def violations(plan: Plan) -> list[Violation]:
    """Every rule the plan breaks (empty: valid)."""
    p = plan.problem
    ctx = _Plan(plan, {o.id: o for o in p.outlets}, {r.id: r for r in p.reps},
                {o.id: i for i, o in enumerate(p.outlets)},
                {r.id: k for k, r in enumerate(p.reps)})
    return [*check_routes(ctx), *check_outlets(ctx)]


def check_plan(plan: Plan) -> list[str]:
    """The texts of :func:`violations` (``Plan.violations()``)."""
    return [str(v) for v in violations(plan)]
