"""Route timing: the one place that decides when a route's visits happen.

A route is a sequence of outlets for one :class:`Slot` (a rep on a day). Its
schedule starts every visit as early as possible: the rep leaves at the start
of the shift, travels, waits for the next start window if early, serves, and
so on, and must be back by the end of the shift.

The lunch break is taken between two visits, at the place just left, by a
fixed rule: take it before a trip when it costs nothing there (the next visit
would start at the same time anyway) or when putting it off would end the
next visit after the break's latest start. A day that ends before the break
window needs no break.

Insertion checks are incremental: simulation restarts from the state before
the insertion point and stops as soon as the schedule meets the old one again,
so most checks touch one or two visits.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routeopt.solver import _native
from routeopt.solver._model import Instance, Slot

Windows = tuple[tuple[int, int], ...]


@dataclass(slots=True, frozen=True)
class Schedule:
    """The timed route: per visit arrival, start and departure, and the break."""

    arrival: tuple[int, ...]
    start: tuple[int, ...]
    dep_before: tuple[int, ...]  # departure time before gap g (g = 0..L)
    taken_before: tuple[bool, ...]  # break already taken before gap g
    break_gap: int  # -1: no break; g: taken before the trip into gap g (L: before going home)
    break_start: int
    back: int  # arrival at the end location
    # Forward slack (Savelsbergh): slack[g] is how much later visit g (g = L:
    # the end location) may be reached without breaking anything after it,
    # known for the gaps g >= fast_from, where the lunch break is behind (or
    # there is none) so that timing is plain. Within the window each visit
    # starts in now; ``exact`` when every later visit has one window only, so
    # that a delay past the slack is surely infeasible.
    slack: tuple[int, ...] = ()
    fast_from: int = 1  # > L: no gap is plain (the empty route's default: L = 0)
    exact: bool = False
    # Waiting after gap g (plain schedules only): the sum of the waits at visits
    # g..L-1. A delay d on arriving at visit g reaches the end as max(0, d - wait).
    wait_after: tuple[int, ...] = ()


def first_start(wins: Windows, t: int) -> int:
    """The earliest start >= t inside one of ``wins`` (-1 if none)."""
    for lo, hi in wins:
        if t <= hi:
            return lo if t < lo else t
    return -1


class Timer:
    """Schedules and insertion checks for one instance (lists for speed)."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        # the instance's shared rows (the cost is often the travel time itself:
        # then one list serves both)
        self.dur = {m: inst.rows(a) for m, a in inst.dur.items()}
        self.cost = {m: inst.rows(a) for m, a in inst.cost.items()}
        self.service = inst.service
        self.windows = inst.windows
        # Overtime (soft end of shift): while the search runs, a day without a
        # lunch break may end up to ``overtime_pct`` % of its shift late, each
        # second priced at ``time_penalty`` in insertion costs. 0: the end of
        # the shift is hard (the default, and always for the final plan).
        self.overtime_pct = 0
        self.time_penalty = 0.0
        # per day, per node: its one start window that day as (lo, hi), or None
        # when it has several or is closed (the general path answers those)
        self.win1: dict[int, list[tuple[int, int] | None]] = {}
        for day in sorted({s.wkey for s in inst.slots} | {s.day for s in inst.slots}):
            row: list[tuple[int, int] | None] = []
            for w in inst.windows:
                ws = w.get(day)
                row.append(ws[0] if ws is not None and len(ws) == 1 else None)
            self.win1[day] = row
        self._native_setup()

    def _native_setup(self) -> None:
        """Hand the instance to the native kernel (see :mod:`routeopt.solver._native`)
        when it is built and every time is an integer; else keep the reference path."""
        self.kernel = kernel = _native.kernel
        self._pre: dict[int, tuple[Slot, int, tuple[object, ...]]] = {}
        self._day_ix: dict[int, int] = {}
        self._mode_ix: dict[str, int] = {}
        self._kcost: dict[str, npt.NDArray[np.int64]] = {}
        if kernel is None:
            return
        inst = self.inst
        if not all(a.dtype.kind == "i" for a in inst.dur.values()) or not all(
                type(x) is int for x in inst.service):
            self.kernel = None
            return
        days = sorted(self.win1)
        n = len(inst.windows)
        wstart = np.zeros(len(days) * n, dtype=np.int64)
        wcount = np.zeros(len(days) * n, dtype=np.int64)
        flat: list[int] = []
        for k, day in enumerate(days):
            for i, w in enumerate(inst.windows):
                ws = w.get(day, ())
                wstart[k * n + i] = len(flat) // 2
                wcount[k * n + i] = len(ws)
                for lo, hi in ws:
                    if type(lo) is not int or type(hi) is not int:
                        self.kernel = None
                        return
                    flat += (lo, hi)
        modes = sorted(inst.dur)
        self._durs = [np.ascontiguousarray(inst.dur[m], dtype=np.int64) for m in modes]
        size = self._durs[0].shape[0] if self._durs else n
        if any(a.shape != (size, size) for a in self._durs) or size < n:
            self.kernel = None
            return
        self._handle = kernel.make(self._durs, size, np.asarray(inst.service, dtype=np.int64),
                                   wstart, wcount, np.asarray(flat, dtype=np.int64),
                                   len(days))
        self._day_ix = {day: k for k, day in enumerate(days)}
        self._mode_ix = {m: k for k, m in enumerate(modes)}
        self._kcost = {m: np.ascontiguousarray(a, dtype=np.int64)
                       for m, a in inst.cost.items()
                       if a.dtype.kind == "i" and a.shape == (size, size)}

    def _prefix(self, slot: Slot) -> tuple[Slot, int, tuple[object, ...]]:
        """The arguments of the native cheapest insertion fixed by ``slot`` (and the
        overtime allowed now), cached per slot: () when its mode has no integer cost."""
        args: tuple[object, ...] = ()
        if slot.mode in self._kcost:
            args = (self._kcost[slot.mode], self._handle, self._mode_ix[slot.mode],
                    self._day_ix[slot.wkey], slot.shift_start, self.end_of(slot),
                    slot.break_open, slot.break_late, slot.break_dur, slot.start_node,
                    slot.end_node)
        pre = (slot, self.overtime_pct, args)
        self._pre[slot.index] = pre
        return pre

    def _prefix_now(self, slot: Slot) -> tuple[Slot, int, tuple[object, ...]]:
        """:meth:`_prefix` from its cache where it is for this slot and overtime."""
        pre = self._pre.get(slot.index)
        if pre is None or pre[0] is not slot or pre[1] != self.overtime_pct:
            pre = self._prefix(slot)
        return pre

    def _kargs(self, slot: Slot, seq: list[int], sched: Schedule, node: int) -> tuple[object, ...]:
        """The arguments the native kernel's checks share."""
        return (self._handle, self._mode_ix[slot.mode], self._day_ix[slot.wkey],
                slot.shift_start, self.end_of(slot), slot.break_open, slot.break_late,
                slot.break_dur, slot.start_node, slot.end_node, seq, sched.dep_before,
                sched.taken_before, sched.arrival, sched.back, sched.slack, sched.fast_from,
                sched.exact, node)

    def end_of(self, slot: Slot) -> int:
        """The latest return to the end location the timing accepts now."""
        if self.overtime_pct and slot.break_open < 0:
            return slot.shift_end + (slot.shift_end - slot.shift_start) * self.overtime_pct // 100
        return slot.shift_end

    def overtime(self, slot: Slot, sched: Schedule) -> int:
        """Seconds the schedule ends after the end of the shift (0 when on time)."""
        late = sched.back - slot.shift_end
        return late if late > 0 else 0

    def _step(self, slot: Slot, t: int, taken: bool, prev: int, node: int,
              tt: int) -> tuple[int, int, int, bool, int] | None:
        """Go from ``prev`` (left at ``t``) to ``node``.

        Returns (arrival, start, departure, taken, break_start or -1) or None.
        """
        wins = self.windows[node][slot.wkey]
        svc = self.service[node]
        if taken or slot.break_open < 0:
            arr = t + tt
            s = first_start(wins, arr)
            if s < 0:
                return None
            return arr, s, s + svc, True, -1
        bs = t if t > slot.break_open else slot.break_open
        s_defer = first_start(wins, t + tt)
        must_now = s_defer < 0 or s_defer + svc > slot.break_late
        if bs <= slot.break_late:
            arr_now = bs + slot.break_dur + tt
            s_now = first_start(wins, arr_now)
            if s_now >= 0 and (must_now or s_now == s_defer):
                return arr_now, s_now, s_now + svc, True, bs
        if must_now:
            return None
        return t + tt, s_defer, s_defer + svc, False, -1

    def _home(self, slot: Slot, t: int, taken: bool, tt: int) -> tuple[int, int] | None:
        """Return (arrival at the end location, break start or -1) or None."""
        if taken or slot.break_open < 0 or t + tt <= slot.break_open:
            back, bs = t + tt, -1
        else:
            bs = t if t > slot.break_open else slot.break_open
            if bs > slot.break_late:
                return None
            back = bs + slot.break_dur + tt
        return (back, bs) if back <= self.end_of(slot) else None

    def schedule(self, slot: Slot, seq: list[int]) -> Schedule | None:
        """Time ``seq`` on ``slot``; None if it breaks a constraint of time."""
        if self.kernel is not None:
            got = self.kernel.schedule(
                self._handle, self._mode_ix[slot.mode], self._day_ix[slot.wkey],
                slot.shift_start, self.end_of(slot), slot.break_open, slot.break_late,
                slot.break_dur, slot.start_node, slot.end_node,
                seq if type(seq) is list else list(seq))
            if got is not NotImplemented:
                return None if got is None else Schedule(*got)
        return self.schedule_reference(slot, seq)

    def schedule_reference(self, slot: Slot, seq: list[int]) -> Schedule | None:
        """:meth:`schedule` in Python: the reference the native kernel answers like."""
        if slot.break_open < 0 and seq:
            return self._schedule_plain(slot, seq)
        return self._schedule_general(slot, seq)

    def _schedule_plain(self, slot: Slot, seq: list[int]) -> Schedule | None:
        """:meth:`schedule` for a day without a break: the same answer, fewer calls.

        The forward pass and the backward slack pass are written out for
        nodes with one window that day (the hot path of the search).
        """
        d = self.dur[slot.mode]
        day = slot.wkey
        w1 = self.win1[day]
        windows = self.windows
        service = self.service
        t = slot.shift_start
        prev = slot.start_node
        n = len(seq)
        arrival = [0] * n
        start = [0] * n
        dep_before = [t] * (n + 1)
        his = [0] * n
        exact = True
        for k in range(n):
            node = seq[k]
            arr = t + d[prev][node]
            w = w1[node]
            if w is not None:
                lo, hi = w
                if arr > hi:
                    return None
                s = lo if arr < lo else arr
            else:
                wins = windows[node].get(day)
                if wins is None:
                    return None
                s = first_start(wins, arr)
                if s < 0:
                    return None
                exact = False
                hi = next(h for lo, h in wins if lo <= s <= h)
            t = s + service[node]
            arrival[k] = arr
            start[k] = s
            his[k] = hi
            dep_before[k + 1] = t
            prev = node
        back = t + d[prev][slot.end_node]
        end = self.end_of(slot)
        if back > end:
            return None
        # forward slack (see _slack) and waiting, backwards from the end location
        sl = end - back
        slack = [0] * (n + 1)
        slack[n] = sl
        wait = [0] * (n + 1)
        idle_sum = 0
        for j in range(n - 1, -1, -1):
            room = his[j] - start[j]
            idle = start[j] - arrival[j]
            sl = idle + (room if room < sl else sl)
            slack[j] = sl
            idle_sum += idle
            wait[j] = idle_sum
        return Schedule(tuple(arrival), tuple(start), tuple(dep_before),
                        (False,) + (True,) * n, -1, -1, back, tuple(slack), 0, exact,
                        tuple(wait))

    def _slack(self, slot: Slot, seq: list[int], arrival: list[int], start: list[int],
               back: int, fast_from: int) -> tuple[tuple[int, ...], bool]:
        """Forward slack of the gaps ``fast_from..L`` (zeros before), and whether it is
        exact (every later visit has one window that day)."""
        # a later arrival at visit j first eats its waiting, then pushes on
        s = self.end_of(slot) - back
        slack = [s]
        exact = True
        day = slot.wkey
        for j in range(len(seq) - 1, fast_from - 1, -1):
            wins = self.windows[seq[j]][day]
            if len(wins) == 1:
                hi = wins[0][1]
            else:
                exact = False
                hi = next(h for lo, h in wins if lo <= start[j] <= h)
            s = start[j] - arrival[j] + min(hi - start[j], s)
            slack.append(s)
        slack.reverse()
        return tuple([0] * fast_from + slack), exact

    def _schedule_general(self, slot: Slot, seq: list[int]) -> Schedule | None:
        """:meth:`schedule`, simulating the lunch-break rule."""
        d = self.dur[slot.mode]
        t = slot.shift_start
        taken = False
        prev = slot.start_node
        arrival: list[int] = []
        start: list[int] = []
        dep_before = [t]
        taken_before = [taken]
        break_gap, break_start = -1, -1
        for g, node in enumerate(seq):
            r = self._step(slot, t, taken, prev, node, d[prev][node])
            if r is None:
                return None
            arr, s, t, now_taken, bs = r
            if bs >= 0:
                break_gap, break_start = g, bs
            taken = now_taken
            arrival.append(arr)
            start.append(s)
            dep_before.append(t)
            taken_before.append(taken)
            prev = node
        if not seq:
            return Schedule((), (), (slot.shift_start,), (False,), -1, -1, slot.shift_start)
        h = self._home(slot, t, taken, d[prev][slot.end_node])
        if h is None:
            return None
        back, bs = h
        if bs >= 0:
            break_gap, break_start = len(seq), bs
        if slot.break_open < 0:
            fast_from = 0
        elif 0 <= break_gap < len(seq):
            fast_from = break_gap + 1
        else:
            fast_from = len(seq) + 1  # the break is still ahead at the end: no plain gap
        slack: tuple[int, ...] = ()
        exact = True
        if fast_from <= len(seq):
            slack, exact = self._slack(slot, seq, arrival, start, back, fast_from)
        return Schedule(tuple(arrival), tuple(start), tuple(dep_before), tuple(taken_before),
                        break_gap, break_start, back, slack, fast_from, exact)

    def can_insert(self, slot: Slot, seq: list[int], sched: Schedule, node: int, g: int) -> bool:
        """Whether inserting ``node`` before position ``g`` keeps ``seq`` on time."""
        if self.kernel is not None:
            return bool(self.kernel.can_insert(*self._kargs(slot, seq, sched, node), g))
        return self.can_insert_reference(slot, seq, sched, node, g)

    def can_insert_reference(self, slot: Slot, seq: list[int], sched: Schedule, node: int,
                             g: int) -> bool:
        """:meth:`can_insert` in Python: the reference the native kernel answers like."""
        d = self.dur[slot.mode]
        prev = seq[g - 1] if g > 0 else slot.start_node
        t = sched.dep_before[g]
        if g >= sched.fast_from:
            s = first_start(self.windows[node][slot.wkey], t + d[prev][node])
            if s < 0:
                return False
            dep = s + self.service[node]
            if g < len(seq):
                late = dep + d[node][seq[g]] - sched.arrival[g]
            else:
                late = dep + d[node][slot.end_node] - sched.back
            if late <= sched.slack[g]:
                return True
            if sched.exact:
                return False
        taken = sched.taken_before[g]
        r = self._step(slot, t, taken, prev, node, d[prev][node])
        if r is None:
            return False
        t, taken = r[2], r[3]
        prev = node
        for j in range(g, len(seq)):
            nxt = seq[j]
            r = self._step(slot, t, taken, prev, nxt, d[prev][nxt])
            if r is None:
                return False
            t, taken = r[2], r[3]
            if t == sched.dep_before[j + 1] and taken == sched.taken_before[j + 1]:
                return True
            prev = nxt
        return self._home(slot, t, taken, d[prev][slot.end_node]) is not None

    def route_cost(self, slot: Slot, seq: list[int]) -> int:
        """Travel cost of ``seq`` from the slot's start to its end."""
        if not seq:
            return 0
        c = self.cost[slot.mode]
        total = c[slot.start_node][seq[0]] + c[seq[-1]][slot.end_node]
        for a, b in itertools.pairwise(seq):
            total += c[a][b]
        return int(total)

    def best_insertion(self, slot: Slot, seq: list[int], sched: Schedule,
                       node: int, rooms: Sequence[tuple[Sequence[Sequence[int]], int]] = (),
                       objective: Callable[[int, int], float] | None = None, *,
                       max_tries: int | None = None) -> tuple[float, int] | None:
        """The cheapest (cost increase, position) for ``node`` that keeps the route
        on time, or None.

        The cost is the travel added, plus :attr:`time_penalty` per second of
        overtime added while the end of the shift is soft. ``rooms``: the route
        terms whose use depends on the position (see
        :mod:`routeopt.solver.terms`), each as (its arc matrix, how much the
        arcs changed may add; an empty route replaces no arc: its use is 0);
        a position that adds more is infeasible. The
        other route terms are the caller's business. ``objective(p, q)``: what the
        objective route terms add for the position between nodes ``p`` and
        ``q`` (it may be negative, so every position is priced). ``max_tries``:
        check only that many positions, the cheapest, where a check is a
        simulation (bounded work when time is short; an answer found is still
        on time).
        """
        if (self.kernel is not None and not rooms and objective is None
                and (max_tries is None or max_tries >= 0)
                and not (self.time_penalty and slot.break_open < 0)):
            pre = self._prefix_now(slot)
            if pre[2]:
                # the one-pass answer below and the sorted checks agree: the cheapest
                # position, the first of equal ones, that is on time (None: the node
                # is closed that day)
                got: tuple[int, int] | None = self.kernel.cheapest(
                    *pre[2], seq, sched.dep_before, sched.taken_before, sched.arrival,
                    sched.back, sched.slack, sched.fast_from, sched.exact, node,
                    -1 if max_tries is None else max_tries)
                return got
        wins = self.windows[node].get(slot.wkey)
        if wins is None:
            return None
        if (self.kernel is not None and not rooms and objective is None and max_tries is None
                and self.time_penalty and slot.break_open < 0 and sched.fast_from == 0
                and sched.exact and len(wins) == 1):
            pre = self._prefix_now(slot)
            if pre[2]:  # the one pass below, in the kernel
                got_ot: tuple[float, int] | None = self.kernel.cheapest_overtime(
                    *pre[2], seq, sched.dep_before, sched.taken_before, sched.arrival,
                    sched.back, sched.slack, sched.fast_from, sched.exact, node,
                    float(self.time_penalty), slot.shift_end, sched.wait_after)
                return got_ot
        c = self.cost[slot.mode]
        cn = c[node]
        prevs = [slot.start_node, *seq]
        nexts = [*seq, slot.end_node]
        slack = sched.slack
        pen = self.time_penalty if slot.break_open < 0 else 0.0
        if sched.fast_from == 0 and sched.exact and len(wins) == 1 and objective is None:
            # one pass: the cheapest position whose delay the route can absorb
            d = self.dur[slot.mode]
            dn = d[node]
            lo, hi = wins[0]
            svc = self.service[node]
            dep_before = sched.dep_before
            reach = [*sched.arrival, sched.back]
            best_g = -1
            best_delta: float = 0
            if pen:
                # a delay beyond the waiting after g and the time left before the
                # end of the shift is overtime
                wait = sched.wait_after
                left = slot.shift_end - sched.back
                if left < 0:
                    left = 0
            for g in range(len(prevs)):
                p = prevs[g]
                q = nexts[g]
                delta: float = c[p][node] + cn[q] - c[p][q]
                if best_g >= 0 and delta >= best_delta:
                    continue
                if rooms and any(a[p][node] + a[node][q] - (a[p][q] if seq else 0) > room
                                 for a, room in rooms):
                    continue
                arr = dep_before[g] + d[p][node]
                if arr > hi:
                    continue
                late = (lo if arr < lo else arr) + svc + dn[q] - reach[g]
                if late <= slack[g]:
                    if pen:
                        extra = late - wait[g] - left
                        if extra > 0:
                            delta += pen * extra
                            if best_g >= 0 and delta >= best_delta:
                                continue
                    best_delta, best_g = delta, g
            return (best_delta, best_g) if best_g >= 0 else None
        kernel = self.kernel
        deltas: list[tuple[float, int]]
        if not rooms and objective is None:
            deltas = sorted((c[p][node] + cn[q] - c[p][q], g)
                            for g, (p, q) in enumerate(zip(prevs, nexts, strict=True)))
        else:
            deltas = sorted(
                (c[p][node] + cn[q] - c[p][q] + (objective(p, q) if objective else 0), g)
                for g, (p, q) in enumerate(zip(prevs, nexts, strict=True))
                if not rooms or all(a[p][node] + a[node][q] - (a[p][q] if seq else 0) <= room
                                    for a, room in rooms))
        if max_tries is not None:
            del deltas[max_tries:]
        if not pen:
            if kernel is not None:
                j = kernel.first_fit(*self._kargs(slot, seq, sched, node),
                                     [g for _, g in deltas])
                return deltas[j] if j >= 0 else None
            for delta, g in deltas:
                if self.can_insert(slot, seq, sched, node, g):
                    return delta, g
            return None
        # soft end of shift: price each feasible position's overtime by timing it
        base = self.overtime(slot, sched) if seq else 0
        best: tuple[float, int] | None = None
        for delta, g in deltas:
            if best is not None and delta >= best[0]:
                break
            if not self.can_insert(slot, seq, sched, node, g):
                continue
            new = self.schedule(slot, [*seq[:g], node, *seq[g:]])
            if new is None:
                continue
            total = delta + pen * (self.overtime(slot, new) - base)
            if best is None or total < best[0]:
                best = (total, g)
        return best
