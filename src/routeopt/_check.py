"""An independent check of a plan against its problem.

Written apart from the solver on purpose: it re-derives every rule from the
problem's fields (opening hours, appointments, shifts, breaks, frequencies)
and recomputes times from the matrices, without calling the solver's code, nor
the problem's own helpers that the solver uses (``Problem.windows``,
``routeopt.patterns``).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routeopt.plan import Plan
    from routeopt.problem import Appointment, Outlet, Problem, Rep


def _open_windows(problem: Problem, o: Outlet, day: date) -> list[tuple[int, int, bool]]:
    """(from, to, is_appointment): the visit must start and end inside [from, to]
    (on a date with appointments, each of them)."""
    appts = [(a.window.start, a.window.end + o.service, True) for a in o.appointments
             if a.date == day]
    if appts:
        return appts
    if day in o.hours.closed_dates:
        return []
    if day in problem.horizon.holidays and o.hours.closed_on_holidays:
        return []
    return [(w.start, w.end, False) for w in o.hours.weekly[day.weekday()]]


def _working_gap(rep: Rep, a: date, b: date) -> int:
    """Working days of ``rep`` from ``a`` to ``b`` (b later), by weekday only."""
    return sum(
        1 for k in range(1, (b - a).days + 1)
        if date.fromordinal(a.toordinal() + k).weekday() in rep.working_days
    )


def check_plan(plan: Plan) -> list[str]:
    p = plan.problem
    out: list[str] = []
    outlets = {o.id: o for o in p.outlets}
    reps = {r.id: r for r in p.reps}
    index = {o.id: i for i, o in enumerate(p.outlets)}
    rep_pos = {r.id: k for k, r in enumerate(p.reps)}
    n = len(p.outlets)
    horizon_days = set(p.horizon.dates)
    visits: dict[str, list[tuple[date, str, int]]] = defaultdict(list)
    extra: dict[str, list[tuple[date, str, int, int, str]]] = defaultdict(list)
    seen_route: set[tuple[str, date]] = set()

    for r in plan.routes:
        where = f"route {r.rep_id} {r.date}"
        rep = reps.get(r.rep_id)
        if rep is None:
            out.append(f"{where}: unknown rep")
            continue
        if (r.rep_id, r.date) in seen_route:
            out.append(f"{where}: two routes for one rep on one date")
        seen_route.add((r.rep_id, r.date))
        if r.date not in horizon_days:
            out.append(f"{where}: date outside the horizon")
        if r.date in p.horizon.holidays:
            out.append(f"{where}: on a holiday")
        if p.plan_from is not None and r.date < p.plan_from:
            out.append(f"{where}: before the planned part of the horizon ({p.plan_from})")
        if r.date.weekday() not in rep.working_days or r.date in rep.days_off:
            out.append(f"{where}: the rep does not work that day")
        if not r.stops:
            out.append(f"{where}: empty route")
            continue
        matrix = plan.matrices.get(rep.mode)
        if matrix is None:
            out.append(f"{where}: no matrix for mode {rep.mode}")
            continue
        dur, dist = matrix.durations, matrix.distances
        if r.depart < rep.shift.start:
            out.append(f"{where}: leaves at {r.depart} before the shift starts ({rep.shift})")
        if r.back > rep.shift.end:
            out.append(f"{where}: back at {r.back} after the shift ends ({rep.shift})")
        if rep.max_visits is not None and len(r.stops) > rep.max_visits:
            out.append(f"{where}: {len(r.stops)} visits > max_visits {rep.max_visits}")
        if rep.capacity is not None:
            load = sum(outlets[s.outlet_id].demand for s in r.stops if s.outlet_id in outlets)
            if load > rep.capacity:
                out.append(f"{where}: load {load} > capacity {rep.capacity}")
        k = rep_pos[rep.id]
        prev_node, prev_time = n + 2 * k, r.depart
        intervals: list[tuple[int, int]] = []  # busy: service, and the gaps' needs
        gaps: list[tuple[int, int, int]] = []  # (free from, free to, travel needed)
        for s in r.stops:
            o = outlets.get(s.outlet_id)
            if o is None:
                out.append(f"{where}: unknown outlet {s.outlet_id!r}")
                continue
            node = index[o.id]
            if o.rep_id is not None and o.rep_id != rep.id:
                out.append(f"{where}: outlet {o.id} is fixed to rep {o.rep_id}")
            tt = int(dur[prev_node, node])
            if s.travel_s != tt:
                out.append(f"{where}: outlet {o.id} travel {s.travel_s} s, matrix says {tt} s")
            if s.distance_m != int(dist[prev_node, node]):
                out.append(f"{where}: outlet {o.id} distance {s.distance_m} m, matrix says "
                           f"{int(dist[prev_node, node])} m")
            if s.arrival < prev_time + tt:
                out.append(f"{where}: arrives at {o.id} before it could get there")
            if s.start < s.arrival:
                out.append(f"{where}: starts {o.id} before arriving")
            if s.end != s.start + o.service:
                out.append(f"{where}: visit of {o.id} lasts {s.end - s.start} s, not {o.service} s")
            if s.label:  # an extra visit: its window is checked when matched, below
                extra[o.id].append((r.date, rep.id, s.start, s.end, s.label))
            else:
                wins = _open_windows(p, o, r.date)
                if not any(lo <= s.start and s.end <= hi for lo, hi, _ in wins):
                    out.append(f"{where}: visit of {o.id} {s.start}-{s.end} is outside its "
                               f"opening hours / appointment on {r.date}")
                if r.date in p.locked and all(a.date != r.date for a in o.appointments):
                    out.append(f"{where}: visit of {o.id} on a locked date that is not one of "
                               "its appointments")
                visits[o.id].append((r.date, rep.id, s.start))
            gaps.append((prev_time, s.start, tt))
            intervals.append((s.start, s.end))
            prev_node, prev_time = node, s.end
        end_node = n + 2 * k + 1
        tt = int(dur[prev_node, end_node])
        if r.return_travel_s != tt:
            out.append(f"{where}: way back {r.return_travel_s} s, matrix says {tt} s")
        if r.return_distance_m != int(dist[prev_node, end_node]):
            out.append(f"{where}: way back distance differs from the matrix")
        if r.back < prev_time + tt:
            out.append(f"{where}: back before it could get there")
        gaps.append((prev_time, r.back, tt))
        # lunch break
        lunch = rep.lunch
        if lunch is not None and r.back > lunch.window.start:
            if r.break_start is None or r.break_end is None:
                out.append(f"{where}: no break although the day runs into {lunch.window}")
            else:
                if r.break_end - r.break_start != lunch.duration:
                    out.append(f"{where}: break lasts {r.break_end - r.break_start} s, "
                               f"not {lunch.duration} s")
                if r.break_start < lunch.window.start or r.break_end > lunch.window.end:
                    out.append(f"{where}: break outside its window {lunch.window}")
                inside = [g for g in gaps if g[0] <= r.break_start and r.break_end <= g[1]]
                if not inside:
                    out.append(f"{where}: break overlaps a visit")
                elif all(g[1] - g[0] < g[2] + lunch.duration for g in inside):
                    out.append(f"{where}: no time for both the break and the trip around it")
        for a, b in itertools.pairwise(intervals):
            if b[0] < a[1]:
                out.append(f"{where}: visits overlap")

    # per outlet: counts, fixed person, days, spacing, route line, appointments
    missing: dict[str, int] = defaultdict(int)
    for u in plan.unscheduled:
        missing[u.outlet_id] += 1
    for o in p.outlets:
        vs = sorted(visits.get(o.id, []))
        need = p.visits_of(o)
        n_extra = len(extra.get(o.id, []))
        if len(vs) + n_extra + missing[o.id] != need:
            out.append(f"outlet {o.id}: {len(vs) + n_extra} scheduled + {missing[o.id]} "
                       f"unscheduled != {need} required")
        out += _check_extra(p, o, extra.get(o.id, []))
        dates = [v[0] for v in vs]
        per_date: dict[date, list[Appointment]] = defaultdict(list)  # one visit each
        for ap in o.appointments:
            per_date[ap.date].append(ap)
        for d, k in _counts(dates).items():
            if k > max(1, len(per_date.get(d, ()))):
                out.append(f"outlet {o.id}: {k} visits on {d}, more than its appointments "
                           "that day" if per_date.get(d) else f"outlet {o.id}: two visits "
                           "on one date")
        if o.rule.same_rep and len({v[1] for v in vs}) > 1:
            out.append(f"outlet {o.id}: visited by more than one rep")
        appt = {a.date for a in o.appointments}
        if not missing[o.id]:
            for d, day_appts in per_date.items():
                starts = [v[2] for v in vs if v[0] == d]
                for ap in _unmatched(day_appts, starts):
                    out.append(f"outlet {o.id}: appointment on {d} at {ap.window} not kept")
        for appointment in o.appointments:
            pinned, d, w = appointment.rep_id, appointment.date, appointment.window
            if pinned is not None and any(v[0] == d for v in vs) and not any(
                    v[0] == d and v[1] == pinned and w.start <= v[2] <= w.end for v in vs):
                out.append(f"outlet {o.id}: appointment on {appointment.date} is pinned to "
                           f"rep {pinned}, made by another")
        free = [d for d in dates if d not in appt]
        rule = o.rule
        if rule.patterns is not None:
            days = p.planning_days
            pats = [{days[i] for i in pat if 0 <= i < len(days)} for pat in rule.patterns]
            if vs and not any(set(dates) <= pat for pat in pats):
                out.append(f"outlet {o.id}: visit dates fit none of its allowed patterns")
            continue
        if rule.allowed_weekdays is not None:
            for d in free:
                if d.weekday() not in rule.allowed_weekdays:
                    out.append(f"outlet {o.id}: visited on {d:%a} {d}, not an allowed weekday")
        if not vs or rule.per_week <= 0:
            continue
        rep = reps[vs[0][1]]
        f = rule.per_week
        if rule.same_weekday:
            lines = {(p.horizon.week_of(d) % f.denominator, d.weekday()) for d in free}
            if len(lines) > f.numerator:
                out.append(f"outlet {o.id}: visits on {len(lines)} different weekdays of its "
                           f"{f.denominator}-week cycle, more than its {f.numerator} route line(s)")
            block = f.denominator * len(rep.working_days)
            gap = rule.min_gap if rule.min_gap is not None else math.ceil(block / f.numerator) - 1
        else:
            gap = rule.min_gap if rule.min_gap is not None else 0
        for d1, d2 in itertools.pairwise(free):
            g = _working_gap(rep, d1, d2)
            if g < max(gap, 1):
                out.append(f"outlet {o.id}: visits {d1} and {d2} are {g} working day(s) apart, "
                           f"less than {max(gap, 1)}")
    return out


def _counts(dates: list[date]) -> dict[date, int]:
    out: dict[date, int] = defaultdict(int)
    for d in dates:
        out[d] += 1
    return out


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


def _check_extra(p: Problem, o: Outlet, made: list[tuple[date, str, int, int, str]]
                 ) -> list[str]:
    """Match the extra visits made to the outlet's extra visits (earliest due first)."""
    out: list[str] = []
    left = sorted(made)
    for x in sorted(o.extra_visits, key=lambda x: (x.latest, x.earliest)):
        for k, (day, rep_id, start, end, label) in enumerate(left):
            if label != x.label or not x.earliest <= day <= x.latest:
                continue
            if x.rep_id is not None and rep_id != x.rep_id:
                continue
            if x.window is not None:
                if not x.window.start <= start <= x.window.end:
                    continue
            elif not any(lo <= start and end <= hi for lo, hi, _ in _open_windows(p, o, day)):
                continue
            if day in p.locked and not (x.window is not None and x.earliest == x.latest):
                continue
            del left[k]
            break
    for day, rep_id, start, _, label in left:
        out.append(f"outlet {o.id}: extra visit {label!r} on {day} (rep {rep_id}, start "
                   f"{start}) fits none of its extra visits (due window, rep, time, opening "
                   "hours, locked date)")
    return out
