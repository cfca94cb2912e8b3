"""Best insertions of one outlet into every route at once, with numpy.

Pricing an outlet asks, for every slot (a rep on a day) it may be visited in,
for the cheapest position that keeps the route on time. On routes whose
timing is plain (no lunch break ahead, every later visit with one window) the
answer is a formula per position: the cost change, and whether the delay fits
in the forward slack (Savelsbergh 1992). :class:`VectorPricer` keeps every
route's positions in padded 2-d arrays, one row per slot, refreshed only for
the routes that changed, and evaluates the formula for all slots in a few
numpy operations instead of one Python loop per slot.

It answers exactly what :meth:`Timer.best_insertion` answers on those routes
(same cost, same position, the first of equal ones) and leaves every other
route to it, so plans do not change, they come faster. It fills the cache that
:meth:`Search.price2`'s Python loop over an outlet's options reads; where the
native kernel is built, that loop runs in the kernel and this is not used.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from routeopt.solver._model import Instance

if TYPE_CHECKING:
    from routeopt.solver._routes import Timer

I64 = npt.NDArray[np.int64]
_BIG = np.int64(1 << 62)  # the masked answer: no feasible position (far above any cost)


class VectorPricer:
    """Padded per-slot arrays of route positions for vectorised insertion.

    Used only when every slot shares one travel mode and has no lunch break:
    then every non-empty route's timing is plain from its first position.
    """

    P: I64
    Q: I64
    CPQ: I64
    DEP: I64
    REACH: I64
    SLACK: I64
    ROOM: I64
    DPQ: I64
    block: npt.NDArray[np.int64]
    cols: I64

    def __init__(self, inst: Instance, timer: Timer | None = None) -> None:
        self.inst = inst
        self.timer = timer  # its soft end of shift, when it has one
        slots = inst.slots
        modes = {s.mode for s in slots}
        self.enabled = bool(slots) and len(modes) == 1 and all(
            s.break_open < 0 for s in slots)
        if not self.enabled:
            return
        mode = next(iter(modes))
        self.C = np.ascontiguousarray(inst.cost[mode], dtype=np.int64)
        # the instance's shared rows (the Timer's), fast to index from Python
        self.cl: Sequence[Sequence[int]] = (
            timer.cost[mode] if timer is not None else inst.rows(inst.cost[mode]))
        # travel times as rows, where a route term counts travel (else unused)
        self.dl: Sequence[Sequence[int]] = (
            (timer.dur[mode] if timer is not None else inst.rows(inst.dur[mode]))
            if any(t.travel for t in inst.terms) else self.cl)
        self.D = np.ascontiguousarray(inst.dur[mode], dtype=np.int64)
        self.DT = np.ascontiguousarray(self.D.T)
        # the cost is often the travel time itself: one transposed copy then
        self.CT = self.DT if self.C is self.D else np.ascontiguousarray(self.C.T)
        ns = len(slots)
        self.ns = ns
        self.width = 0
        self._alloc(16)
        self.simple = np.zeros(ns, dtype=bool)
        self.length = np.zeros(ns, dtype=np.int64)
        self.rows = np.arange(ns)
        # the route terms (see routeopt.solver.terms): per term, its limit per slot
        # (no limit: never reached) and its use per node; which are hard and
        # checked per route, hard and checked per position (travel), or soft
        self.terms = inst.terms
        self.t_limit = [np.array([_BIG if x is None else x for x in t.limit], dtype=np.int64)
                        for t in self.terms]
        self.t_node = [np.asarray(t.node, dtype=np.int64) for t in self.terms]
        self.hard_node = [k for k, t in enumerate(self.terms) if not t.soft and not t.travel]
        self.hard_arc = [k for k, t in enumerate(self.terms) if not t.soft and t.travel]
        self.soft = [k for k, t in enumerate(self.terms) if t.soft]
        self.objective = [k for k, t in enumerate(self.terms) if t.objective]
        self.any_travel = any(t.travel for t in self.terms)
        # per outlet: start window on each slot's day (lo, hi), and whether it
        # is a single window (multi-window days are left to the Timer)
        self._wins: dict[int, tuple[I64, I64, npt.NDArray[np.bool_]]] = {}
        self.row_ver = np.full(ns, -1, dtype=np.int64)
        self.all_plain = False

    def _alloc(self, width: int) -> None:
        """(Re)allocate the per-slot position arrays, ``width`` positions wide.

        The eight arrays are planes of one block, so a route's refresh is one
        assignment: P (previous node of each position), Q (next node), CPQ
        (cost of the arc replaced), DEP (departure from the previous node),
        REACH (arrival at the next node), SLACK (its forward slack), ROOM
        (how much later the next node may be reached before the route ends
        after its shift: the waiting from there on, plus the time left before
        the end of the shift) and DPQ (travel time of the arc replaced, for the
        route terms that count travel).
        """
        old = self.width
        block = np.zeros((8, self.ns, width), dtype=np.int64)
        if old:
            block[:, :, :old] = self.block
        self.block = block
        (self.P, self.Q, self.CPQ, self.DEP, self.REACH, self.SLACK, self.ROOM,
         self.DPQ) = block
        self.cols = np.arange(width)
        self.width = width

    def _windows(self, i: int) -> tuple[I64, I64, npt.NDArray[np.bool_]]:
        got = self._wins.get(i)
        if got is None:
            w = self.inst.windows[i]
            lo = np.zeros(self.ns, dtype=np.int64)
            hi = np.full(self.ns, -1, dtype=np.int64)
            single = np.zeros(self.ns, dtype=bool)
            for s, slot in enumerate(self.inst.slots):
                ws = w.get(slot.wkey)
                if ws is None:  # closed: hi < 0 never fits
                    single[s] = True
                elif len(ws) == 1:
                    lo[s], hi[s] = ws[0]
                    single[s] = True
            got = (lo, hi, single)
            self._wins[i] = got
        return got

    def _refresh(self, s: int, seq: list[int], sched: object) -> None:
        from routeopt.solver._routes import Schedule

        assert isinstance(sched, Schedule)
        n = len(seq)
        slot = self.inst.slots[s]
        self.length[s] = n
        if n == 0:  # timing is plain: out, serve, back by the end of the shift
            self.simple[s] = True
            a, b = slot.start_node, slot.end_node
            end = slot.shift_end if self.timer is None else self.timer.end_of(slot)
            self.block[:, s, 0] = (a, b, self.cl[a][b], slot.shift_start, slot.shift_start,
                                   end - slot.shift_start, slot.shift_end - slot.shift_start,
                                   0)  # an empty route drives nothing: no arc replaced
            return
        ok = sched.fast_from == 0 and sched.exact
        self.simple[s] = ok
        if not ok:
            return
        if n + 1 > self.width:
            self._alloc(max(2 * self.width, n + 1))
        cl, dl = self.cl, self.dl
        nodes = [slot.start_node, *seq, slot.end_node]
        cpq = [cl[p][q] for p, q in itertools.pairwise(nodes)]
        dpq = [dl[p][q] for p, q in itertools.pairwise(nodes)] if self.any_travel else cpq
        left = slot.shift_end - sched.back
        room = [w + left for w in sched.wait_after] if left > 0 else sched.wait_after
        self.block[:, s, :n + 1] = (nodes[:-1], nodes[1:], cpq,
                                    sched.dep_before, [*sched.arrival, sched.back],
                                    sched.slack, room, dpq)

    def best_positions(self, routes: list[list[int]], scheds: list[object],
                       version: list[int], term_use: list[list[int]], i: int
                       ) -> tuple[I64, I64]:
        """Per slot, the cheapest on-time insertion of outlet ``i`` within the hard
        route terms (``term_use[k][s]``: term ``k``'s use of route ``s``): its cost
        change (``1 << 62`` where none) and position. Sets :attr:`all_plain` to
        whether every slot could be answered here (else the Timer must answer
        the others)."""
        ver = np.asarray(version, dtype=np.int64)
        stale = np.flatnonzero(ver != self.row_ver)
        if stale.size:
            for s in stale.tolist():
                self._refresh(s, routes[s], scheds[s])
            self.row_ver[stale] = ver[stale]
        lo, hi, single = self._windows(i)
        self.last_use = use = self.simple & single
        self.all_plain = bool(use.all())
        prev, nxt = self.P, self.Q
        delta = self.CT[i][prev] + self.C[i][nxt] - self.CPQ
        arr = self.DEP + self.DT[i][prev]
        start = np.maximum(arr, lo[:, None])
        late = start + self.inst.service[i] + self.D[i][nxt] - self.REACH
        valid = self.cols < (self.length + 1)[:, None]
        feas = valid & (arr <= hi[:, None]) & (late <= self.SLACK)
        for k in self.hard_arc:  # the travel the insertion adds, within the term's room
            room = self.t_limit[k] - np.asarray(term_use[k], dtype=np.int64) - self.t_node[k][i]
            feas &= self.DT[i][prev] + self.D[i][nxt] - self.DPQ <= room[:, None]
        pen = 0.0 if self.timer is None else self.timer.time_penalty
        if pen:  # soft end of shift: price the overtime the delay adds
            delta = delta + pen * np.maximum(late - self.ROOM, 0)
        for k in self.objective:  # cost(use + added) - cost(use), at every position
            term = self.terms[k]
            u = np.asarray(term_use[k], dtype=np.int64)[:, None]
            added = self.t_node[k][i] + (self.DT[i][prev] + self.D[i][nxt] - self.DPQ
                                         if term.travel else 0)
            delta = delta + (term.cost_rows(u + added) - term.cost_rows(u))
        masked = np.where(feas, delta, _BIG)
        g = masked.argmin(axis=1)
        best = masked[self.rows, g]
        for k in self.hard_node:
            over = np.asarray(term_use[k], dtype=np.int64) + self.t_node[k][i] > self.t_limit[k]
            best[over] = _BIG
        return best, g

    def fill(self, routes: list[list[int]], scheds: list[object], version: list[int],
             use: list[list[int]], i: int,
             cache: dict[tuple[int, int], tuple[int, int, tuple[float, int] | None]],
             penalty_version: int) -> None:
        """Store outlet ``i``'s answers on the plain routes in ``cache``, keyed like
        :meth:`Search.slot_insert`: ``(i, slot) -> (version, penalty version, answer)``."""
        best, g = self.best_positions(routes, scheds, version, use, i)
        for s in np.flatnonzero(self.last_use).tolist():
            b = best[s].item()  # an int, or a float with overtime priced in
            cache[(i, s)] = (version[s], penalty_version,
                             (b, int(g[s])) if b < _BIG else None)
