"""Steady visit times: the end phases that give an outlet the same time of day
on its weekday through the cycle.

A soft term inside the search (each visit priced against a median of its
outlet's current starts) was measured first, and it fought the balance of
days (one-visit days came back). The two end phases below are cheap,
deterministic and keep the search's plan:

1. :func:`align` (*line alignment*): per rep and weekday, a *master order* is
   built (the longest of that weekday's routes, the others' outlets inserted
   where they add least travel), and each week's route is re-ordered as the
   master's subsequence when that stays feasible (timing and every route
   term) and adds at most ``Tuning.align_travel`` to its travel cost. Routes
   in one order put a weekly outlet at about the same place in each day.
2. :func:`steady_times` (*re-timing*): with every order fixed, a linear
   program (:func:`routeopt.solver._ortools.steady_starts`) chooses the start
   times, waiting allowed, that minimise ``steady_weight`` per minute of each
   outlet's spread on a weekday (latest minus earliest start) and per minute
   away from its ``preferred_time``, against a minute of working time at
   ``time_weight`` x 60. Each visit keeps the opening window it is in, the
   lunch break keeps its place between visits and its window, the shift is
   kept, and a day without a break still ends before the break window. Every
   answer is checked here again (:func:`_check_times`); a route whose times do
   not check keeps its earliest-start schedule.

Against a reference plan (re-planning) the alignment is skipped, a route
holding exactly its reference route's visits takes the reference order back
(:func:`keep_reference_orders`: the search would trade an aligned order for a
little travel), and each visit kept on its day and rep is anchored to its
previous start at a weight above any gain in spread, so that an undisturbed
re-plan gives the previous times back.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routeopt.solver._model import Instance, Slot
    from routeopt.solver._routes import Schedule, Timer
    from routeopt.solver._search import Search
    from routeopt.solver._state import State


@dataclass(frozen=True, slots=True)
class DaySpec:
    """One route as the re-timing sees it: its order is fixed.

    ``travel[g]`` is the trip into visit ``g`` (``travel[L]`` the trip home),
    ``window[g]`` the start window visit ``g`` keeps, ``brk`` the lunch break
    as (gap it is taken before, earliest start, latest start, duration) or
    None, and ``back_hi`` the latest return (the end of the shift, or the
    opening of the break window on a day that takes no break).
    """

    depart_lo: int
    back_hi: int
    travel: tuple[int, ...]
    service: tuple[int, ...]
    window: tuple[tuple[int, int], ...]
    brk: tuple[int, int, int, int] | None


@dataclass(frozen=True, slots=True)
class RouteTimes:
    """A route's times chosen by the re-timing."""

    depart: int
    arrival: tuple[int, ...]
    start: tuple[int, ...]
    break_start: int  # -1: no break
    back: int


def _spread(inst: Instance, routes: list[list[int]], starts: list[tuple[int, ...]]) -> int:
    """The sum over outlets of the spread of their starts in ``routes`` (seconds)."""
    seen: dict[int, list[int]] = {}
    for seq, start in zip(routes, starts, strict=True):
        for i, t in zip(seq, start, strict=True):
            if not inst.label[i]:
                seen.setdefault(i, []).append(t)
    return sum(max(v) - min(v) for v in seen.values() if len(v) > 1)


def _master(timer: Timer, slot: Slot, base: list[int], routes: list[list[int]]) -> list[int]:
    """``base`` with the other routes' outlets inserted where they add least travel."""
    c = timer.cost[slot.mode]
    master = list(base)
    have = set(master)
    for seq in routes:
        for i in seq:
            if i in have:
                continue
            nodes = [slot.start_node, *master, slot.end_node]
            g = min(range(len(nodes) - 1),
                    key=lambda k: (c[nodes[k]][i] + c[i][nodes[k + 1]]
                                   - c[nodes[k]][nodes[k + 1]], k))
            master.insert(g, i)
            have.add(i)
    return master


def align(search: Search, st: State) -> int:
    """Put the routes of each rep and weekday in one order where it stays
    feasible and cheap and lowers the spread of their starts (see the module
    docstring); the routes changed.

    Each route of the weekday is tried as the base of the master order; a
    route takes the master's order when that fits, adds at most
    ``Tuning.align_travel`` to its travel cost and lowers the sum of the
    outlets' start spreads (earliest-start times); the master that lowers
    that sum most wins.
    """
    inst, timer = search.inst, search.timer
    share = search.tuning.align_travel
    groups: dict[tuple[int, int], list[int]] = {}
    for s, sl in enumerate(inst.slots):
        groups.setdefault((sl.rep, sl.date.weekday()), []).append(s)
    changed = 0
    for ss in groups.values():
        busy = [s for s in ss if st.routes[s]]
        if len(busy) < 2:
            continue
        slot0 = inst.slots[busy[0]]
        routes0 = [st.routes[s] for s in busy]
        best_spread = _spread(inst, routes0, [st.scheds[s].start for s in busy])
        best: list[list[int]] | None = None
        for base in sorted(busy, key=lambda s: (-len(st.routes[s]), s)):
            pos = {i: k for k, i in enumerate(_master(timer, slot0, st.routes[base], routes0))}
            routes = [list(r) for r in routes0]
            starts = [st.scheds[s].start for s in busy]
            spread = _spread(inst, routes, starts)
            for k, s in enumerate(busy):
                new = sorted(routes[k], key=pos.__getitem__)
                if new == routes[k]:
                    continue
                slot = inst.slots[s]
                if timer.route_cost(slot, new) > st.rcost[s] * (1.0 + share):
                    continue
                sch = timer.schedule(slot, new)
                if sch is None or not search.fits(s, new):
                    continue
                trial = [*routes[:k], new, *routes[k + 1:]]
                trial_starts = [*starts[:k], sch.start, *starts[k + 1:]]
                got = _spread(inst, trial, trial_starts)
                if got < spread:
                    routes, starts, spread = trial, trial_starts, got
            if spread < best_spread:
                best, best_spread = routes, spread
        if best is None:
            continue
        for s, seq in zip(busy, best, strict=True):
            if seq != st.routes[s]:
                st.routes[s] = seq
                ok = search._touch(st, s)
                assert ok, "an order checked feasible stays feasible"
                changed += 1
    return changed


def keep_reference_orders(search: Search, st: State) -> int:
    """Against a reference plan: each route holding exactly the visits of the
    reference route of its slot takes the reference order back, where that
    fits; the routes changed.

    The reference orders were aligned (they may travel up to
    ``Tuning.align_travel`` more than the cheapest order), and the re-plan's
    own moves would otherwise undo that for a little travel: an undisturbed
    day keeps its order, and through the anchors of :func:`steady_times` its
    times.
    """
    ref = search.inst.start_routes
    if ref is None:
        return 0
    changed = 0
    for s, seq in enumerate(st.routes):
        want = ref[s]
        if not seq or seq == want or sorted(seq) != sorted(want):
            continue
        if search.timer.schedule(search.inst.slots[s], want) is None or not search.fits(s, want):
            continue
        st.routes[s] = list(want)
        ok = search._touch(st, s)
        assert ok, "an order checked feasible stays feasible"
        changed += 1
    return changed


def _spec(inst: Instance, timer: Timer, s: int, seq: list[int], sch: Schedule) -> DaySpec:
    slot = inst.slots[s]
    d = timer.dur[slot.mode]
    nodes = [slot.start_node, *seq, slot.end_node]
    travel = tuple(d[p][q] for p, q in itertools.pairwise(nodes))
    window = []
    for g, i in enumerate(seq):
        t = sch.start[g]
        window.append(next((lo, hi) for lo, hi in inst.windows[i][slot.wkey] if lo <= t <= hi))
    brk = None
    back_hi = slot.shift_end
    if slot.break_open >= 0:
        if sch.break_gap >= 0:
            brk = (sch.break_gap, slot.break_open, slot.break_late, slot.break_dur)
        else:
            back_hi = min(back_hi, slot.break_open)
    return DaySpec(slot.shift_start, back_hi, travel, tuple(inst.service[i] for i in seq),
                   tuple(window), brk)


def _check_times(spec: DaySpec, depart: int, start: list[int], bstart: int
                 ) -> RouteTimes | None:
    """The route's times from its departure and starts (the break as early as its
    place allows; ``bstart``, the program's, is only a bound), or None when
    they break a rule of :class:`DaySpec`."""
    if depart < spec.depart_lo:
        return None
    t = depart
    arrival = []
    n = len(start)
    for g in range(n + 1):
        if spec.brk is not None and spec.brk[0] == g:
            # the break as early as its place allows: the program leaves it free
            # between the visits around it, and one answer keeps a plan's times
            # the same however the program is built (re-planning)
            _, lo, hi, dur = spec.brk
            bstart = max(t, lo)
            if bstart > hi:
                return None
            t = bstart + dur
        if g == n:
            break
        arr = t + spec.travel[g]
        lo, hi = spec.window[g]
        if start[g] < arr or not lo <= start[g] <= hi:
            return None
        arrival.append(arr)
        t = start[g] + spec.service[g]
    back = t + spec.travel[n]
    if back > spec.back_hi:
        return None
    return RouteTimes(depart, tuple(arrival), tuple(start), bstart, back)


def steady_times(search: Search, st: State) -> list[RouteTimes | None]:
    """Per slot, the re-timed route (None: empty, or keeps its earliest-start
    schedule); all None when the program has no answer."""
    from routeopt.solver._ortools import steady_starts

    inst, timer = search.inst, search.timer
    p = inst.params
    order = [s for s, seq in enumerate(st.routes) if seq]
    specs = [_spec(inst, timer, s, st.routes[s], st.scheds[s]) for s in order]
    outlets = inst.problem.outlets
    spread_w = p.steady_weight / 60.0
    day_w = p.time_weight
    keyed: dict[tuple[int, int], list[tuple[int, int]]] = {}
    anchors: list[tuple[int, int, int, float]] = []
    for r, s in enumerate(order):
        wd = inst.slots[s].date.weekday()
        for g, i in enumerate(st.routes[s]):
            if inst.label[i]:
                continue  # one-off visits have no regular time
            keyed.setdefault((inst.outlet_of[i], wd), []).append((r, g))
            pref = outlets[inst.outlet_of[i]].preferred_time
            if pref is not None:
                anchors.append((r, g, pref, spread_w))
    ref_w = 2.0 * (2.0 * spread_w + day_w)  # above any gain from moving a kept visit
    for r, s in enumerate(order):
        for g, i in enumerate(st.routes[s]):
            ref = inst.ref_start.get((i, s))
            if ref is not None:
                anchors.append((r, g, ref, ref_w))
    groups = [v for v in keyed.values() if len(v) > 1]
    out: list[RouteTimes | None] = [None] * len(st.routes)
    got = steady_starts(specs, groups, spread_w, anchors, day_w)
    if got is None:
        return out
    for r, s in enumerate(order):
        depart, start, bstart = got[r]
        out[s] = _check_times(specs[r], depart, start, bstart)
    return out
