"""Large-neighbourhood search over day patterns, reps and routes.

The state holds one route per slot (a rep on a day) and, per outlet, the
option (rep and day pattern) it is visited on. Each iteration removes a set of
outlets with *all* their visits (random, related by place, most costly, or a
whole day), then re-inserts each outlet with its best option: every pattern of
every candidate rep is priced by the cheapest feasible insertion on each of
its days. That is the move the plain "days as vehicles" model lacks: an outlet
changes its days as a whole. Candidates are accepted by simulated annealing on
the objective (travel cost plus priority-weighted penalties for missed
visits). One more arm of the search makes ruin-and-recreate moves inside a
day instead (:mod:`_intraday`): which rep makes which visit of that day, in
what order. At the end a routing local search (:mod:`_localsearch`:
relocate, swap, 2-opt, 2-opt* within a day) and the day search polish the
best plan, and OR-Tools re-orders every route.

The rules of a route other than its timing (capacity, max visits, max
driving time) are route terms (:mod:`routeopt.solver.terms`): this module
prices them through the terms' own numbers and knows none of them by name.
The loop's other parts live in :mod:`_loop` (operators, stop rules,
acceptance) and :mod:`_penalty` (the soft rules' penalties); its knobs in
:class:`~routeopt.solver._tuning.Tuning`.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from routeopt.solver._intraday import DaySearch
from routeopt.solver._localsearch import LocalSearch
from routeopt.solver._loop import (
    FLIP_REMOVALS,
    NO_ITERATION_BUDGET,
    Annealing,
    Arms,
    StopRules,
    remove_related,
)
from routeopt.solver._model import Instance, Option
from routeopt.solver._ortools import reoptimise, reorder_route
from routeopt.solver._penalty import PenaltyManager
from routeopt.solver._reps import REP_REMOVALS, can_split, split_routes
from routeopt.solver._routes import Timer
from routeopt.solver._state import State
from routeopt.solver._tuning import Tuning
from routeopt.solver._vector import VectorPricer
from routeopt.solver.terms import Dimension, objective_terms
from routeopt.solver.terms.balance import DayBalance

__all__ = ["Search", "SearchStats", "State"]

log = logging.getLogger(__name__)

_versions = itertools.count(1)
RETIME_TOLERANCE = 60  # seconds a kept visit may shift for free (clock noise)

Priced = tuple[float, int, list[tuple[int, int]]]  # (cost with penalties, option, [(slot, pos)])


@dataclass(slots=True)
class SearchStats:
    """What one search did; ``solve`` puts every field into ``Plan.stats``."""

    iterations: int = 0
    improvements: int = 0
    stop_reason: str = ""
    construction_s: float = 0.0
    search_s: float = 0.0
    polish_s: float = 0.0
    reoptimise_s: float = 0.0
    day_moves: int = 0
    day_s: float = 0.0
    travel_before_polish: int = 0
    ls_moves: int = 0  # local search moves kept (education and the end)
    ls_s: float = 0.0  # seconds of the local search (on new best plans and at the end)
    operators: dict[str, int] = field(default_factory=dict)  # draws per operator
    # the construction against the clock: outlets priced the quick way, and
    # outlets it had no time left to try (unscheduled with reason time_limit)
    construction_quick: int = 0
    construction_untried: int = 0
    restarts: int = 0  # returns to the best plan after Tuning.stall_restart iterations
    split_start: bool = False  # the first plan came from the sectors planned apart
    # the steps the time limit stopped short (by name; with an iteration budget,
    # the plan then depends on the machine's speed)
    clock_cut: list[str] = field(default_factory=list)
    history: list[tuple[int, float, float]] = field(default_factory=list)  # (it, s, best)


class Search:
    """Construction and improvement for one instance."""

    def __init__(self, inst: Instance,
                 progress: Callable[[int, float], None] | None = None,
                 tuning: Tuning | None = None) -> None:
        self.inst = inst
        self.tuning = tuning if tuning is not None else Tuning()
        self.timer = Timer(inst)
        self.rng = random.Random(inst.params.seed)
        self.terms = inst.terms
        self.penalties = PenaltyManager(self.terms, self.timer, self.tuning)
        # the soft costs of routes' totals (balanced days), priced with the soft terms
        self.objectives = objective_terms(inst, self.tuning)
        # the terms the per-route pricer checks at each position (hard, with travel),
        # the hard ones it checks once per route, and the soft ones priced per unit over
        self._hard_arc = [k for k, t in enumerate(self.terms) if not t.soft and t.travel]
        self._hard_node = [k for k, t in enumerate(self.terms) if not t.soft and not t.travel]
        self._hard = [k for k, t in enumerate(self.terms) if not t.soft]
        self._objective = [k for k, t in enumerate(self.terms) if t.objective]
        assert all(not t.travel for t in self.terms if t.soft), "soft terms are per visit"
        # best insertion of an outlet in a slot: (route version, penalty version, answer)
        self.cache: dict[tuple[int, int], tuple[int, int, tuple[float, int] | None]] = {}
        self.vector = VectorPricer(inst, self.timer)
        self.progress = progress
        self.stats = SearchStats()
        # the clock (see :meth:`construct` and Tuning.construct_full)
        self.quick = False  # pricing the quick way now
        self.deadline = math.inf  # repairs stop inserting beyond it (set by run)
        self.untried: set[int] = set()  # nodes no pricing has tried since construction
        self._t_zero = 0.0  # when the time limit began (set by run)
        self.local: LocalSearch | None = None  # the routing local search (set by run)
        self.forced: dict[int, int] = {}  # outlet -> rep, set by a rep move (:mod:`_reps`)
        # outlet -> the option whose days (and, with a fixed person, whose rep) its
        # next repair keeps from it: other days, the same rep (flip moves)
        self.banned: dict[int, int] = {}
        # the native pricing of an outlet's slots (:meth:`_native_picker`)
        self._all_breaks = all(sl.break_open >= 0 for sl in inst.slots)
        self._shift_ends = [sl.shift_end for sl in inst.slots]
        self._slot_lists: dict[int, tuple[list[int], list[int]]] = {}
        self._pres: list[tuple[object, ...]] | None = None
        self._pres_at: int | None = None  # the overtime the prefixes are for
        self._unset = object()
        # per outlet, its options' groups (the native pricing's argument)
        self._groups: dict[int, list[tuple[tuple[int, ...], ...]]] = {}

    # -- state helpers ----------------------------------------------------------
    def empty(self) -> State:
        inst = self.inst
        scheds = []
        for s in inst.slots:
            sch = self.timer.schedule(s, [])
            assert sch is not None
            scheds.append(sch)
        ns = len(inst.slots)
        return State([[] for _ in range(ns)], scheds, [next(_versions) for _ in range(ns)],
                     [0] * ns, [[0] * ns for _ in self.terms], [None] * inst.n,
                     list(inst.need))

    def term_excess(self, st: State) -> list[int]:
        """Per route term, the use above its limits summed over routes (0s in a
        plan that fits)."""
        return [sum(t.excess(s, u) for s, u in enumerate(st.use[k]) if u)
                for k, t in enumerate(self.terms)]

    def excess(self, st: State) -> int:
        """The soft terms' use above their limits, summed (0 in a feasible plan)."""
        return sum(self.term_excess(st)[k] for k in self.penalties.soft)

    def overtime(self, st: State) -> int:
        """Seconds routes end after the end of their shift (0 in a feasible plan)."""
        slots = self.inst.slots
        total = 0
        for s, sch in enumerate(st.scheds):
            late = sch.back - slots[s].shift_end
            if late > 0:
                total += late
        return total

    def objective(self, st: State, *, overload: list[int] | None = None,
                  overtime: int = 0) -> float:
        """Travel cost plus missed-visit penalties, plus the moves away from the
        reference plan, plus the soft terms' ``overload`` (per term) and
        ``overtime`` seconds after the end of shifts at their current penalties."""
        pen = self.inst.penalty
        obj = float(sum(st.rcost)) + sum(m * pen[i] for i, m in enumerate(st.missed) if m)
        for term in self.objectives:
            obj += sum(term.route_cost(st, s) for s in range(len(st.routes)))
        if self.inst.start_routes is not None:
            obj += self.move_cost(st) + sum(self.retime_cost(st, s) for s in range(len(st.routes)))
        if self._objective:
            obj += self.objective_terms(st)
        if overload:
            for k, over in enumerate(overload):
                if over:
                    obj += self.penalties.term[k] * over
        if overtime:
            obj += self.timer.time_penalty * overtime
        return obj

    def moves(self, st: State) -> int:
        """Visits placed on a slot (rep and day) their reference plan did not have."""
        n = 0
        for ch, pref in zip(st.choice, self.inst.preferred, strict=True):
            if ch is not None and pref is not None:
                n += sum(1 for s in ch[1] if s not in pref)
        return n

    def move_cost(self, st: State) -> float:
        return self.inst.params.move_penalty * self.moves(st)

    def retime_cost(self, st: State, s: int, seq: list[int] | None = None) -> float:
        """Route ``s`` (or ``seq`` on its slot): the reference visits it holds that start
        more than the tolerance away from their reference start (with steady
        times on, later than it), priced per second."""
        inst = self.inst
        w = inst.params.retime_penalty
        ref = inst.ref_start
        if not w or not ref:
            return 0.0
        if seq is None:
            seq, start = st.routes[s], st.scheds[s].start
        else:
            sch = self.timer.schedule(inst.slots[s], seq)
            if sch is None:
                return math.inf
            start = sch.start
        tol = RETIME_TOLERANCE
        total = 0
        # with steady times the plan's times are chosen at the end, waiting allowed
        # (:mod:`_steady`, anchored to the reference starts): an earliest start
        # before the reference start can wait for it
        wait_ok = inst.params.steady_weight > 0
        for g, i in enumerate(seq):
            r = ref.get((i, s))
            if r is not None:
                dev = start[g] - r if wait_ok else abs(start[g] - r)
                if dev > tol:
                    total += dev - tol
        return w * total

    def refresh_targets(self, st: State) -> bool:
        """Move the objective terms' targets to ``st`` (see
        :meth:`ObjectiveTerm.refresh`); whether any changed (then the caller
        prices its plans again)."""
        changed = False
        for term in self.objectives:
            changed |= term.refresh(st)
        return changed

    def _touch(self, st: State, s: int, rcost: int | None = None) -> bool:
        """Re-time route ``s`` after a change; ``rcost``: its new travel cost if known.
        Every term's use of the route is measured again. False (and ``st``
        unchanged) when the route is late or over a hard term's limit (after a
        removal, only where travel times break the triangle inequality)."""
        slot = self.inst.slots[s]
        seq = st.routes[s]
        use = [t.route_use(s, seq) for t in self.terms]
        for k in self._hard:
            if self.terms[k].excess(s, use[k]):
                return False
        sch = self.timer.schedule(slot, seq)
        if sch is None:
            return False
        st.scheds[s] = sch
        st.rcost[s] = self.timer.route_cost(slot, seq) if rcost is None else rcost
        st.version[s] = next(_versions)
        for k, u in enumerate(use):
            st.use[k][s] = u
        return True

    def fits(self, s: int, seq: list[int]) -> bool:
        """Whether ``seq`` keeps every route term of slot ``s`` within its limit."""
        return all(t.excess(s, t.route_use(s, seq)) == 0 for t in self.terms)

    def _arc_delta(self, s: int, seq: list[int], pos: int) -> int:
        """Travel cost that the visit at ``pos`` of ``seq`` (route ``s``) adds."""
        slot = self.inst.slots[s]
        c = self.timer.cost[slot.mode]
        p = seq[pos - 1] if pos > 0 else slot.start_node
        q = seq[pos + 1] if pos + 1 < len(seq) else slot.end_node
        i = seq[pos]
        return int(c[p][i] + c[i][q] - c[p][q])

    def remove(self, st: State, i: int) -> list[int]:
        """Take outlet ``i`` out of every route; return the slots touched (their
        schedules and term uses are brought up to date by :meth:`settle`)."""
        ch = st.choice[i]
        if ch is None:
            return []
        for s in ch[1]:
            seq = st.routes[s]
            pos = seq.index(i)
            st.rcost[s] -= self._arc_delta(s, seq, pos)
            del seq[pos]
        st.choice[i] = None
        st.missed[i] = self.inst.need[i]
        return list(ch[1])

    def settle(self, st: State, touched: set[int]) -> list[int]:
        """Re-time touched routes; drop outlets from any route that no longer fits."""
        dropped: list[int] = []
        todo = sorted(touched)
        while todo:
            s = todo.pop()
            if self._touch(st, s, st.rcost[s]):
                continue
            victim = st.routes[s][-1]  # rare: the break rule changed its decision
            dropped.append(victim)
            todo.extend(t for t in self.remove(st, victim) if t not in todo)
            todo.sort()
        return dropped

    # -- pricing ------------------------------------------------------------------
    def slot_insert(self, st: State, i: int, s: int) -> tuple[float, int] | None:
        """The cheapest on-time insertion of ``i`` into route ``s`` within the hard
        route terms: (cost change, position), or None. Cached per route version
        and penalty version."""
        version = st.version[s]
        pver = self.penalties.version
        hit = self.cache.get((i, s))
        if hit is not None and hit[0] == version and hit[1] == pver:
            return hit[2]
        r = self._slot_insert_now(st, i, s)
        self.cache[(i, s)] = (version, pver, r)
        return r

    _slot_insert = slot_insert

    def _slot_insert_now(self, st: State, i: int, s: int) -> tuple[float, int] | None:
        terms, use = self.terms, st.use
        for k in self._hard_node:  # inline RouteTerm.room: this is the hot path
            t = terms[k]
            lim = t.limit[s]
            if lim is not None and use[k][s] + t.node[i] > lim:
                return None
        rooms: list[tuple[Sequence[Sequence[int]], int]] = []
        if self._hard_arc:
            slot = self.inst.slots[s]
            for k in self._hard_arc:
                t = terms[k]
                room = t.room(s, st.use[k][s], i)
                if room is not None:
                    rooms.append((t.arc[slot.mode], room))
        extra = self._objective_delta(st, i, s) if self._objective else None
        return self.timer.best_insertion(
            self.inst.slots[s], st.routes[s], st.scheds[s], i, rooms, extra,
            max_tries=self.tuning.quick_positions if self.quick else None)

    def _objective_delta(self, st: State, i: int, s: int) -> Callable[[int, int], float]:
        """What the objective terms add when ``i`` goes between nodes ``p`` and ``q``
        of route ``s``, as a function of (p, q)."""
        mode = self.inst.slots[s].mode
        parts = [(t, st.use[k][s], t.node[i], t.arc.get(mode)) for k, t in
                 ((k, self.terms[k]) for k in self._objective)]
        empty = not st.routes[s]  # no arc replaced: an empty route uses nothing

        def delta(p: int, q: int) -> float:
            total = 0.0
            for t, u, nu, a in parts:
                add = nu + (a[p][i] + a[i][q] - (0 if empty else a[p][q])
                            if a is not None else 0)
                total += t.cost(s, u + add) - t.cost(s, u)
            return total

        return delta

    def objective_terms(self, st: State) -> float:
        """The objective route terms' cost of every route of ``st``."""
        return sum(self.terms[k].cost(s, u) for k in self._objective
                   for s, u in enumerate(st.use[k]))

    def soft_cost(self, st: State, i: int, s: int) -> float | None:
        """What inserting ``i`` into route ``s`` adds through the soft route terms at
        their current penalties (0.0 within every limit), or None where a term
        it would exceed is hard now; plus what the objective terms add for its
        cheapest feasible position (:meth:`slot_insert`, which the caller has
        just found feasible)."""
        extra = 0.0
        if self.objectives:
            r = self.slot_insert(st, i, s)
            if r is not None:
                for term in self.objectives:
                    extra += term.insert_cost(st, i, s, r[1])
        terms, pen = self.terms, self.penalties.term
        for k in self.penalties.soft:
            t = terms[k]
            add = t.added_excess(s, st.use[k][s], t.node[i])
            if add > 0:
                lam = pen[k]
                if lam == math.inf:
                    return None
                extra += lam * add
        return extra

    def _pick(self, st: State, i: int, r_i: int, group: Sequence[int], move: float,
              pref: object, soft: bool) -> tuple[float, int, int] | None:
        """The cheapest slot of ``group`` for a visit of outlet ``i`` (inserted as
        ``r_i``): (cost, slot, position), or None when no slot takes it. ``move`` is
        added off the ``pref`` slots; with ``soft`` the soft terms' price too."""
        pick: tuple[float, int, int] | None = None
        for s in group:
            r = self.slot_insert(st, r_i, s)
            if r is None:
                continue
            cost: float = r[0]
            if move and s not in pref:  # type: ignore[operator]
                cost += move
            if soft:
                extra = self.soft_cost(st, i, s)
                if extra is None:
                    continue
                if extra:
                    cost += extra
            if pick is None or cost < pick[0]:
                pick = (cost, s, r[1])
        return pick

    def _picker(self, st: State, i: int, r_i: int, move: float, pref: object,
                soft: bool) -> Callable[[Sequence[int]], tuple[float, int, int] | None]:
        """:meth:`_pick` for outlet ``i`` on ``st`` as a function of the group.

        Where nothing but the hard node terms, the timing and the objective
        terms price a slot (no reference plan, no twin, no arc term, full
        pricing), the returned function does what :meth:`slot_insert`,
        :meth:`soft_cost` and :meth:`_pick` do, with the same cache and the
        same arithmetic in the same order (so the same answers), in one loop:
        the hot path of the repair. Otherwise it calls :meth:`_pick`.
        """
        if move or r_i != i or self.quick or self._hard_arc or self._objective:
            def slow(group: Sequence[int]) -> tuple[float, int, int] | None:
                return self._pick(st, i, r_i, group, move, pref, soft)
            return slow
        native = self._native_picker(st, i, soft)
        if native is not None:
            return native
        cache = self.cache
        pver = self.penalties.version
        version, routes, scheds = st.version, st.routes, st.scheds
        slots = self.inst.slots
        timer = self.timer
        kernel = timer.kernel
        cheapest = kernel.cheapest if kernel is not None else None
        pres = timer._pre
        otp = timer.overtime_pct
        tpen = timer.time_penalty
        terms, use = self.terms, st.use
        hard = [(terms[k].limit, use[k], terms[k].node[i]) for k in self._hard_node]
        objectives = self.objectives if soft else []
        pen = self.penalties.term
        softs = [(terms[k], use[k], terms[k].node[i], pen[k])
                 for k in self.penalties.soft] if soft else []
        inf = math.inf

        def pick(group: Sequence[int]) -> tuple[float, int, int] | None:
            best: tuple[float, int, int] | None = None
            for s in group:
                v = version[s]
                key = (i, s)
                hit = cache.get(key)
                r: tuple[float, int] | None
                if hit is not None and hit[0] == v and hit[1] == pver:
                    r = hit[2]
                else:
                    r = None
                    for lim, u, nu in hard:  # RouteTerm.room, inline
                        ls = lim[s]
                        if ls is not None and u[s] + nu > ls:
                            break
                    else:
                        slot = slots[s]
                        seq, sch = routes[s], scheds[s]
                        pre = None
                        if cheapest is not None and not (tpen and slot.break_open < 0):
                            pre = pres.get(slot.index)
                            if pre is None or pre[0] is not slot or pre[1] != otp:
                                pre = timer._prefix(slot)
                        if cheapest is not None and pre is not None and pre[2]:
                            r = cheapest(  # Timer.best_insertion's native path
                                *pre[2], seq, sch.dep_before, sch.taken_before, sch.arrival,
                                sch.back, sch.slack, sch.fast_from, sch.exact, i, -1)
                        else:
                            r = timer.best_insertion(slot, seq, sch, i, [], None)
                    cache[key] = (v, pver, r)
                if r is None:
                    continue
                cost: float = r[0]
                if soft:  # soft_cost, inline
                    extra = 0.0
                    for term in objectives:
                        extra += term.insert_cost(st, i, s, r[1])
                    dropped = False
                    for t, u, nu, lam in softs:
                        add = t.added_excess(s, u[s], nu)
                        if add > 0:
                            if lam == inf:
                                dropped = True
                                break
                            extra += lam * add
                    if dropped:
                        continue
                    if extra:
                        cost += extra
                if best is None or cost < best[0]:
                    best = (cost, s, r[1])
            return best

        return pick

    def native_slots(self, st: State, i: int, slots: list[int], soft: bool
                     ) -> list[tuple[float, int] | None] | None:
        """Outlet ``i``'s cheapest insertion into each route of ``slots`` as
        :meth:`slot_insert` plus (with ``soft``) :meth:`soft_cost` give it, from
        the native kernel in one call (None per slot where it fits nowhere or a
        soft term is hard), or None where the kernel does not price it all."""
        got_args = self._native_args(st, i, soft)
        if got_args is None:
            return None
        kernel, handle, pres, hard, softs, bal, ot = got_args
        answers: list[tuple[float, int] | None] = kernel.pick_slots(
            handle, slots, i, pres, st.routes, st.scheds, hard, softs, bal, ot)
        return answers

    def _native_picker(self, st: State, i: int, soft: bool
                       ) -> Callable[[Sequence[int]], tuple[float, int, int] | None] | None:
        """:meth:`_picker`'s function answered by the native kernel (``pick_slots``),
        or None where the kernel does not price it all: no kernel, the quick
        pricing, a travel route term, an objective route term, or an objective
        term other than :class:`DayBalance`. The soft route terms
        (capacity) it prices as :meth:`soft_cost` does, and overtime on a day
        without a lunch break as :meth:`Timer.best_insertion` does.

        The kernel prices the slots of the outlet's nearest reps' options in one
        call, the others in a second call when asked for: every answer as
        :meth:`slot_insert` plus :meth:`soft_cost` give it (without the cache,
        which holds the same answers).
        """
        got_args = self._native_args(st, i, soft)
        if got_args is None:
            return None
        kernel, handle, pres, hard, softs, bal, ot = got_args
        routes, scheds = st.routes, st.scheds
        pick_slots = kernel.pick_slots
        unset = self._unset
        got: list[object] = [unset] * len(routes)
        near, far = self._slots_of(i)

        def fill(which: list[int]) -> None:
            answers = pick_slots(handle, which, i, pres, routes, scheds, hard, softs, bal, ot)
            for s, r in zip(which, answers, strict=True):
                got[s] = r

        if near:
            fill(near)

        def pick(group: Sequence[int]) -> tuple[float, int, int] | None:
            best: tuple[float, int, int] | None = None
            for s in group:
                r = got[s]
                if r is unset:
                    fill(far)
                    r = got[s]
                if r is None:
                    continue
                assert isinstance(r, tuple)
                if best is None or r[0] < best[0]:
                    best = (r[0], s, r[1])
            return best

        return pick

    def _native_args(self, st: State, i: int, soft: bool
                     ) -> tuple[Any, object, list[tuple[object, ...]], list[tuple[object, ...]],
                                list[tuple[object, ...]], tuple[object, ...] | None,
                                tuple[object, ...] | None] | None:
        """The native kernel and what its pricing of outlet ``i`` on ``st`` takes (the
        kernel's handle, the slots' prefixes, the hard node terms, the soft
        ones at their penalties, the day balance, the overtime's price), or
        None where it does not price it all (see :meth:`_native_picker`)."""
        timer = self.timer
        kernel = timer.kernel
        if kernel is None or self.quick or self._hard_arc or self._objective:
            return None  # no kernel, the quick pricing, or a term it does not price
        objectives = self.objectives if soft else []
        if len(objectives) > 1 or any(type(t) is not DayBalance for t in objectives):
            return None
        pres = self._native_prefixes()
        if pres is None:
            return None
        bal: tuple[object, ...] | None = None
        if objectives:
            b = objectives[0]
            assert isinstance(b, DayBalance)
            bal = (b.w, b.min_price, b.target, b.target_n, b.per_visit, b.min_visits)
        terms, use = self.terms, st.use
        hard: list[tuple[object, ...]] = [(terms[k].limit, use[k], terms[k].node[i])
                                          for k in self._hard_node]
        pen = self.penalties.term
        softs: list[tuple[object, ...]] = ([(terms[k].limit, use[k], terms[k].node[i],
                                             float(pen[k])) for k in self.penalties.soft]
                                           if soft else [])
        if any(type(h[0]) is not list or type(h[1]) is not list for h in (*hard, *softs)):
            return None  # the kernel reads lists
        ot: tuple[object, ...] | None = None
        if timer.time_penalty and not self._all_breaks:
            # overtime priced on the days without a break: the kernel's one pass, and
            # the Timer's general path where the route is not plain
            slots, routes, scheds = self.inst.slots, st.routes, st.scheds
            best_insertion = timer.best_insertion

            def insertion(s: int) -> tuple[float, int] | None:
                return best_insertion(slots[s], routes[s], scheds[s], i, [], None)

            ot = (float(timer.time_penalty), self._shift_ends, insertion)
        return kernel, timer._handle, pres, hard, softs, bal, ot

    def _slots_of(self, i: int) -> tuple[list[int], list[int]]:
        """The distinct slots of outlet ``i``'s options of its nearest reps, and of
        the others (made once per outlet)."""
        hit = self._slot_lists.get(i)
        if hit is None:
            inst = self.inst
            n_near = inst.near_count[i]
            near: dict[int, None] = {}
            far: dict[int, None] = {}
            for k, opt in enumerate(inst.options[i]):
                for group in opt.groups:
                    for s in group:
                        (near if k < n_near else far)[s] = None
            hit = (list(near), [s for s in far if s not in near])
            self._slot_lists[i] = hit
        return hit

    def _native_prefixes(self) -> list[tuple[object, ...]] | None:
        """Per slot, :meth:`Timer._prefix`'s arguments of the native cheapest
        insertion at the current overtime (None where a slot has none)."""
        timer = self.timer
        if self._pres_at != timer.overtime_pct:
            pres = [timer._prefix(sl)[2] for sl in self.inst.slots]
            self._pres = pres if all(pres) else None
            self._pres_at = timer.overtime_pct
        return self._pres

    @staticmethod
    def _flips(was: Option, opt: Option) -> bool:
        """Whether a flip move (``Search.banned``) from option ``was`` may take
        ``opt``: other days, and the same rep where ``was`` has one."""
        return opt.days != was.days and opt.rep == was.rep

    def price(self, st: State, i: int, noise: float = 0.0) -> Priced | None:
        """Best option of outlet ``i``: (cost with penalties, option, [(slot, pos)])."""
        return self.price2(st, i, noise)[0]

    def price2(self, st: State, i: int, noise: float = 0.0, *, second: bool = False
               ) -> tuple[Priced | None, float]:
        """The best option of outlet ``i`` and, if asked, the cost of the second best."""
        inst = self.inst
        pen = inst.penalty[i]
        best: Priced | None = None
        runner_up = math.inf
        options = inst.options[i]
        n_near = inst.near_count[i]
        pref = inst.preferred[i]
        move = inst.params.move_penalty if pref is not None else 0.0
        soft = bool(self.penalties.soft) or bool(self.objectives)
        r_i = inst.twin[i] if inst.twin else i  # its twins' insertions are its own
        if not move and r_i == i:
            got_args = self._native_args(st, i, soft)
            if got_args is not None:  # the loop below, in the native kernel
                self.untried.discard(i)
                kernel, handle, pres, hard, softs, bal, ot = got_args
                groups = self._groups.get(i)
                if groups is None:
                    groups = self._groups[i] = [opt.groups for opt in options]
                ban = self.banned.get(i)
                if ban is not None:  # an option with no groups is never picked
                    groups = [g if self._flips(options[ban], opt) else ()
                              for opt, g in zip(options, groups, strict=True)]
                answer: tuple[Priced | None, float] = kernel.price_options(
                    handle, i, pres, st.routes, st.scheds, hard, softs, bal, ot, groups,
                    inst.need[i], pen, n_near, second, noise, self.rng.random)
                return answer
        if self.vector.enabled:
            # the cheapest position per slot, every slot at once, into the cache the
            # loop below reads
            self.vector.fill(st.routes, list(st.scheds), st.version, st.use, r_i,
                             self.cache, self.penalties.version)
        self.untried.discard(i)
        pick_of = self._picker(st, i, r_i, move, pref, soft)
        ban_k = self.banned.get(i)
        was = options[ban_k] if ban_k is not None else None
        for k, opt in enumerate(options):
            if k == n_near and best is not None and len(best[2]) == inst.need[i]:
                break  # the nearest reps take every visit: the others are not priced
            if k == n_near and self.quick and k:
                break  # short of time: the nearest reps' options only
            if was is not None and not self._flips(was, opt):
                continue
            bound = runner_up if second else (best[0] if best is not None else math.inf)
            short = inst.need[i] - len(opt.groups)  # the visits a short pattern leaves out
            total = pen * short if short else 0.0
            where: list[tuple[int, int]] = []
            for group in opt.groups:
                pick = pick_of(group)
                if pick is None:
                    total += pen
                else:
                    total += pick[0]
                    where.append((pick[1], pick[2]))
                if total >= bound:
                    break
            else:
                if not where:
                    continue
                if noise:
                    total *= 1.0 + noise * (2 * self.rng.random() - 1)
                if best is None or total < best[0]:
                    if best is not None:
                        runner_up = best[0]
                    best = (total, k, where)
                elif total < runner_up:
                    runner_up = total
        return best, runner_up

    def price_on_rep(self, st: State, i: int, rep: int, noise: float = 0.0) -> Priced | None:
        """The best option of outlet ``i`` with rep ``rep`` that makes every visit,
        or None."""
        inst = self.inst
        pref = inst.preferred[i]
        move = inst.params.move_penalty if pref is not None else 0.0
        soft = bool(self.penalties.soft) or bool(self.objectives)
        r_i = inst.twin[i] if inst.twin else i
        best: Priced | None = None
        pick_of = self._picker(st, i, r_i, move, pref, soft)
        for k, opt in enumerate(inst.options[i]):
            if opt.rep != rep or len(opt.groups) < inst.need[i]:
                continue
            total = 0.0
            where: list[tuple[int, int]] = []
            for group in opt.groups:
                pick = pick_of(group)
                if pick is None or (best is not None and total + pick[0] >= best[0]):
                    break
                total += pick[0]
                where.append((pick[1], pick[2]))
            else:
                if noise:
                    total *= 1.0 + noise * (2 * self.rng.random() - 1)
                if best is None or total < best[0]:
                    best = (total, k, where)
        return best

    def insert(self, st: State, i: int, noise: float = 0.0,
               best: Priced | None = None) -> bool:
        """Insert outlet ``i`` with its best option (some visits may be missed)."""
        if best is None:
            best = self.price(st, i, noise)
            if best is None and self.banned.pop(i, None) is not None:
                best = self.price(st, i, noise)  # no other option: its own back
        if best is None:
            return False
        _, k, where = best
        inst = self.inst
        for s, pos in where:
            seq = st.routes[s]
            seq.insert(pos, i)
            ok = self._touch(st, s, st.rcost[s] + self._arc_delta(s, seq, pos))
            assert ok, "insertion checked feasible must stay feasible"
        st.choice[i] = (k, tuple(s for s, _ in where))
        st.missed[i] = inst.need[i] - len(where)
        return True

    def order(self, outlets: list[int], *, shuffle: bool = False) -> list[int]:
        """Insertion order: priority first, then the hardest to place (with
        ``shuffle``, in a share ``order_random`` of the calls: priority first,
        then in random order)."""
        inst = self.inst
        share = self.tuning.order_random
        if shuffle and share and self.rng.random() < share:
            keyed = [(inst.priority[i], 0, 0, 0, self.rng.random(), i) for i in outlets]
            return [k[-1] for k in sorted(keyed)]
        keyed = [
            (inst.priority[i], -inst.need[i], -inst.demand[i], -inst.service[i],
             self.rng.random(), i)
            for i in outlets
        ]
        return [k[-1] for k in sorted(keyed)]

    def repair(self, st: State, outlets: list[int], noise: float = 0.0, *,
               shuffle: bool = False) -> None:
        """Greedy: each outlet in turn, hardest first (see :meth:`order`), with its
        best option."""
        for i in self.order(outlets, shuffle=shuffle):
            if time.perf_counter() >= self.deadline:
                return  # out of time: the plan so far stands (a search move is undone)
            if st.choice[i] is None and self.inst.options[i]:
                self.insert(st, i, noise)

    def repair_regret(self, st: State, outlets: list[int], noise: float = 0.0) -> None:
        """Regret-2: next, the outlet that loses most if its best option goes.

        Priorities still come first: a lower priority class waits for the
        higher ones.
        """
        pri = self.inst.priority
        pending = [i for i in self.order(outlets)
                   if st.choice[i] is None and self.inst.options[i]]
        while pending and time.perf_counter() < self.deadline:
            top = pri[pending[0]]
            pick: tuple[float, int, Priced | None] | None = None
            for i in pending:
                if pri[i] != top:
                    break
                best, second = self.price2(st, i, noise, second=True)
                regret = math.inf if best is None else second - best[0]
                if pick is None or regret > pick[0]:
                    pick = (regret, i, best)
            assert pick is not None
            _, i, best = pick
            pending.remove(i)
            if best is not None:
                self.insert(st, i, best=best)

    def construct(self, started: float | None = None) -> State:
        """The first plan: best insertion in :meth:`order`, against the clock.

        With ``started`` (when the time limit began) the pricing is full until
        ``construct_full`` of the limit, then quick (the nearest reps' options,
        ``quick_positions`` positions per route) until ``construct_quick``; the
        outlets not reached by then stay out, in :attr:`untried`. When
        compiling took most of the limit, the construction still gets a fifth
        of it full and two fifths in all. Each step is bounded (one outlet's
        pricing), so the construction ends within one step of those times,
        whatever the input.
        """
        st = self.empty()
        inst = self.inst
        if inst.start_routes is not None:
            self.warm_start(st, inst.start_routes)
        now = time.perf_counter()
        t0 = now if started is None else started
        st = self._fill(st, t0)
        tn = self.tuning
        if tn.rep_split > 0 and tn.rep_sectors and can_split(inst) and not self.untried:
            # the sectors planned apart, then joined: the start when it is better
            other = self.empty()
            self.warm_start(other, split_routes(inst, tn.rep_split, t0, tn))
            other = self._fill(other, time.perf_counter())
            if not self.untried and self.objective(other) < self.objective(st):
                st = other
                self.stats.split_start = True
            self.untried.clear()
            self.stats.construction_untried = 0
        return st

    def _fill(self, st: State, t0: float) -> State:
        """Insert every outlet not in ``st`` (the construction's loop, against
        the clock from ``t0``, see :meth:`construct`)."""
        inst = self.inst
        limit = inst.params.time_limit
        now = time.perf_counter()
        # shares of the limit from ``started``, and at least a fifth of it (full)
        # and two fifths (in all) from now when compiling took most of the limit:
        # a plan of a few outlets would be no plan
        full_until = max(t0 + self.tuning.construct_full * limit, now + 0.2 * limit)
        quick_until = max(t0 + self.tuning.construct_quick * limit, now + 0.4 * limit)
        todo = [i for i in self.order(list(range(inst.n)))
                if st.choice[i] is None and inst.options[i]]
        for k, i in enumerate(todo):
            now = time.perf_counter()
            if now >= quick_until:
                self.untried.update(todo[k:])
                self.stats.construction_untried = len(todo) - k
                if self.by_iterations:
                    self.clock_cut("construction")
                log.warning("time limit: the first plan left %d of %d outlet(s) untried "
                            "(unscheduled with reason time_limit); give more time",
                            len(todo) - k, inst.n)
                break
            if not self.quick and now >= full_until:
                self.quick = True
                if self.by_iterations:
                    self.clock_cut("construction's full pricing")
                log.info("time limit: the first plan prices the last %d outlet(s) the "
                         "quick way", len(todo) - k)
            self.stats.construction_quick += self.quick
            h = inst.home_rep[i] if self.tuning.rep_sectors else -1
            if h >= 0:  # a shared home: its sector's rep first (see :mod:`_reps`)
                best = self.price_on_rep(st, i, h)
                if best is not None:
                    self.insert(st, i, best=best)
                    continue
            self.insert(st, i)
        if self.quick:
            self.quick = False
            self.cache.clear()  # quick answers may have missed a position
        return st

    def same_rep_appointments(self, st: State) -> bool:
        """Give each further appointment of a date (a node of its own, see
        ``Instance.sibling``) its outlet's rep when the rule keeps one rep
        (``same_rep``): the search places it apart, so it may have gone to
        another rep. It moves to that rep's route of its date where it fits,
        else it is left out (and listed with its reason). Returns whether
        ``st`` changed."""
        inst = self.inst
        slots = inst.slots
        groups: dict[int, list[int]] = {}
        for j, m in enumerate(inst.sibling):
            if m >= 0 and inst.problem.outlets[inst.outlet_of[m]].rule.same_rep:
                groups.setdefault(m, []).append(j)
        changed = False
        for m, apart in groups.items():
            placed = [i for i in (m, *apart) if st.choice[i] is not None]
            if not placed:
                continue
            first = st.choice[placed[0]]
            assert first is not None
            rep = slots[first[1][0]].rep
            for j in apart:
                ch = st.choice[j]
                if ch is None or slots[ch[1][0]].rep == rep:
                    continue
                changed = True
                day = slots[ch[1][0]].day
                dropped = self.settle(st, set(self.remove(st, j)))
                s = inst.slot_of.get((rep, day))
                k = next((k for k, o in enumerate(inst.options[j]) if o.rep == rep), None)
                if s is not None and k is not None:
                    r = self._slot_insert_now(st, j, s)  # on time, within the hard terms
                    within = all(self.terms[q].added_excess(s, st.use[q][s],
                                                            self.terms[q].node[j]) <= 0
                                 for q in self.penalties.soft)  # and the soft ones
                    if r is not None and within:
                        self.insert(st, j, best=(r[0], k, [(s, r[1])]))
                self.repair(st, dropped)
        return changed

    def warm_start(self, st: State, routes: list[list[int]]) -> None:
        """Place the reference plan's visits, in its order, where they still fit.

        Each node takes the option that holds most of its reference slots; a
        visit is kept when that option has its slot and the route stays on
        time and within every route term. The rest is left to the repair.
        """
        inst = self.inst
        slots_of: dict[int, list[int]] = {}
        for s, seq in enumerate(routes):
            for i in seq:
                slots_of.setdefault(i, []).append(s)
        keep: dict[int, tuple[int, set[int]]] = {}
        for i, ss in slots_of.items():
            best: tuple[int, int, set[int]] | None = None
            for k, opt in enumerate(inst.options[i]):
                hit = {s for s in ss if any(s in g for g in opt.groups)}
                if hit and (best is None or len(hit) > best[0]):
                    best = (len(hit), k, hit)
            if best is not None:
                keep[i] = (best[1], best[2])
        placed: dict[int, list[int]] = {}
        for s, seq in enumerate(routes):
            slot = inst.slots[s]
            for i in seq:
                if i not in keep or s not in keep[i][1]:
                    continue
                st.routes[s].append(i)
                if (not self.fits(s, st.routes[s])
                        or self.timer.schedule(slot, st.routes[s]) is None):
                    st.routes[s].pop()
                    continue
                placed.setdefault(i, []).append(s)
            self._touch(st, s)
        for i, ss in placed.items():
            st.choice[i] = (keep[i][0], tuple(ss))
            st.missed[i] = inst.need[i] - len(ss)

    # -- the search -------------------------------------------------------------
    @property
    def by_iterations(self) -> bool:
        """Whether an iteration budget stops the search (then the clock only
        stops it at the time limit, and each step is bounded by counts)."""
        return self.inst.params.max_iterations < NO_ITERATION_BUDGET

    def clock_cut(self, step: str) -> None:
        """Record that the time limit stopped ``step`` short; with an iteration
        budget, warn: the plan then depends on the machine's speed."""
        self.stats.clock_cut.append(step)
        if self.by_iterations:
            log.warning("time limit: it stopped the %s before the iteration budget did; "
                        "the plan depends on this machine's speed (give more time)", step)

    def polish(self, st: State, slots: list[int], deadline: float = math.inf) -> None:
        """Re-order each route of ``slots`` with OR-Tools (:func:`reorder_route`),
        none after ``deadline``. Without an iteration budget, up to 2 seconds a
        route; with one, each route's descent runs to its local optimum (the
        time left to ``deadline`` only a safety net)."""
        t0 = time.perf_counter()
        cut: list[bool] = []
        for s in slots:
            seq = st.routes[s]
            left = deadline - time.perf_counter()
            if left < 0.01:
                log.info("time limit: %d route(s) left in their order", len(slots) - slots.index(s))
                cut.append(True)
                break
            new = reorder_route(self.timer, self.inst.slots[s], seq, self.dimensions,
                                time_limit_s=left if self.by_iterations else min(2.0, left),
                                counted=self.by_iterations, cut=cut)
            if new is None or sorted(new) != sorted(seq):
                continue
            slot = self.inst.slots[s]
            cost: float = self.timer.route_cost(slot, new)
            if self.inst.ref_start:  # keep the reference times unless it pays
                cost += self.retime_cost(st, s, new) - self.retime_cost(st, s)
            if (cost < st.rcost[s] and self.timer.schedule(slot, new) is not None
                    and self.fits(s, new)):
                st.routes[s] = new
                self._touch(st, s)
        if cut:
            self.clock_cut("polish")
        self.stats.polish_s += time.perf_counter() - t0

    def _flexible(self, st: State) -> bool:
        """Whether OR-Tools' local search is worth its share of the time: a
        plan of at most ``reopt_max_visits`` visits, at least ``reopt_min_flexible``
        of them of outlets visited once with a choice of days (where moving a
        visit between days and exchanging visits is the search; measured on
        the Cordeau set, it does not pay where most outlets keep their days)."""
        inst = self.inst
        n_visits = sum(len(r) for r in st.routes)
        if not 2 <= n_visits <= self.tuning.reopt_max_visits:
            return False
        flexible = sum(1 for i in range(inst.n)
                       if inst.need[i] == 1 and len({o.days for o in inst.options[i]}) > 1)
        return flexible >= self.tuning.reopt_min_flexible * n_visits

    def reoptimise(self, st: State, time_limit_s: float, *, estimate: bool = True) -> bool:
        """Hand the plan to OR-Tools' local search (:func:`reoptimise`); keep its
        answer when every route re-times, fits and the travel is lower.

        With ``estimate``, it is not tried when building the model would take
        more than ``time_limit_s`` (an estimate by the clock: the searches
        with an iteration budget pass False, and try it whatever the machine).

        A visit may move to any rep and day that its outlet's options allow
        while its other visits stay: an outlet visited once may take any of
        its days; the visits of an outlet visited more often keep their days
        and may change rep where the rule allows.
        """
        inst = self.inst
        t0 = time.perf_counter()
        n_visits = sum(len(r) for r in st.routes)
        if estimate and time_limit_s < self.tuning.reopt_build_s * n_visits * n_visits:
            log.debug("no time for OR-Tools' model of %d visits (%.2f s left)", n_visits,
                      time_limit_s)
            return False
        allowed: list[list[list[int]]] = []
        for s, seq in enumerate(st.routes):
            row = []
            for i in seq:
                ch = st.choice[i]
                assert ch is not None
                row.append(sorted(inst.move_slots(i, ch[0], s, len(ch[1]))))
            allowed.append(row)
        cut: list[bool] = []
        new = reoptimise(self.timer, st.routes, allowed, self.dimensions,
                         time_limit_s=time_limit_s, counted=self.by_iterations, cut=cut)
        self.stats.reoptimise_s += time.perf_counter() - t0
        if cut:
            self.clock_cut("OR-Tools search of the whole plan")
        if new is None:
            return False
        slots = inst.slots
        scheds, rcost = [], []
        use: list[list[int]] = [[] for _ in self.terms]
        for s, seq in enumerate(new):
            sch = self.timer.schedule(slots[s], seq)
            if sch is None or sch.back > slots[s].shift_end or not self.fits(s, seq):
                log.debug("OR-Tools' plan does not re-time or fit on slot %d; kept ours", s)
                return False
            scheds.append(sch)
            rcost.append(self.timer.route_cost(slots[s], seq))
            for k, t in enumerate(self.terms):
                use[k].append(t.route_use(s, seq))
        if sum(rcost) >= sum(st.rcost):
            return False
        if self.objectives:  # lower travel, but maybe a worse balance
            trial = State([list(seq) for seq in new], scheds,
                          [next(_versions) for _ in new], rcost, use, st.choice, st.missed)
            if self.objective(trial) >= self.objective(st):
                return False
        where: dict[int, list[int]] = {}
        for s, seq in enumerate(new):
            for i in seq:
                where.setdefault(i, []).append(s)
        choice = list(st.choice)
        for i, ss in where.items():
            ch = st.choice[i]
            assert ch is not None
            if inst.moves_alone(i, len(ch[1])):
                k = next(k for k, opt in enumerate(inst.options[i])
                         if any(ss[0] in g for g in opt.groups))
            else:
                k = ch[0]
            choice[i] = (k, tuple(ss))
        log.debug("OR-Tools lowered the travel from %d to %d in %.2f s",
                  sum(st.rcost), sum(rcost), time.perf_counter() - t0)
        st.routes = [list(seq) for seq in new]
        st.scheds, st.rcost, st.use, st.choice = scheds, rcost, use, choice
        st.version = [next(_versions) for _ in new]
        return True

    def _days_can_recut(self) -> bool:
        """Whether a visit could change rep within its day: the day search re-cuts a
        day between reps, and where no visit can (one rep, or every outlet tied to
        its rep and visited more than once), the final OR-Tools pass already
        orders each route (measured on a one-rep territory of 100 outlets: the
        day moves only took time from the search)."""
        inst = self.inst
        for i in range(inst.n):
            opts = inst.options[i]
            if any(len(g) > 1 for o in opts for g in o.groups):
                return True
            if inst.need[i] == 1:
                reps_by_day: dict[int, set[int]] = {}
                for o in inst.near_options(i):
                    for g in o.groups:
                        for t in g:
                            reps_by_day.setdefault(inst.slots[t].day, set()).add(inst.slots[t].rep)
                if any(len(r) > 1 for r in reps_by_day.values()):
                    return True
        return False

    @property
    def dimensions(self) -> list[Dimension]:
        """The route terms as OR-Tools dimensions (see :class:`Dimension`)."""
        return [t.dimension() for t in self.terms]

    def _better_best(self, st: State, obj: float, best_obj: float, soft_time: bool) -> bool:
        """Whether ``st`` (objective ``obj``) fits and beats the best plan."""
        return (obj < best_obj - 1e-9 and self.excess(st) == 0
                and (not soft_time or self.overtime(st) == 0))

    def day_search(self, st: State, iterations_done: int, deadline: float,
                   ds: DaySearch, temp0: float) -> None:
        """Ruin and recreate inside each day of ``st`` (:class:`DaySearch`) until
        ``deadline``, or for ``day_moves`` moves per search iteration left in the
        iteration budget; the temperature falls from ``temp0`` by ``day_temp_end``.
        Capacity is hard, and the end of the shift (hard again by now)."""
        p = self.inst.params
        tn = self.tuning
        t0 = time.perf_counter()
        visits = sum(len(r) for r in st.routes)
        if visits < 2:
            return
        by_time = p.max_iterations >= NO_ITERATION_BUDGET
        moves = None if by_time else max(0, p.max_iterations - iterations_done) * tn.day_moves
        before = sum(st.rcost)
        moves_before, accepted_before, improved_before = ds.iterations, ds.accepted, ds.improved
        done = ds.run(st, moves, deadline, time.perf_counter, temp0, temp0 * tn.day_temp_end,
                      by_time=by_time)
        if moves is not None and done < moves:
            self.clock_cut("day search")
        self.stats.day_moves = ds.iterations
        self.stats.day_s += time.perf_counter() - t0
        log.debug("day search: %d moves, %d accepted, %d better, travel %d -> %d in %.2f s",
                  ds.iterations - moves_before, ds.accepted - accepted_before,
                  ds.improved - improved_before, before, sum(st.rcost),
                  time.perf_counter() - t0)

    def _time_binds(self, st: State) -> bool:
        """Whether a route of ``st`` on a day without a lunch break ends in the last
        tenth of its shift: else the end of the shift is not what limits the
        plan, and a soft one would only cost time."""
        for s, sl in enumerate(self.inst.slots):
            if (sl.break_open < 0 and st.routes[s]
                    and 10 * (sl.shift_end - st.scheds[s].back) <= sl.shift_end - sl.shift_start):
                return True
        return False

    def _soften(self, st: State) -> None:
        """Make the end of the shift soft for the search (see ``overtime_pct``) and
        re-time ``st`` under it. The penalty starts at the plan's travel cost
        per second on the road."""
        slots = self.inst.slots
        busy = sum(sch.back - slots[s].shift_start for s, sch in enumerate(st.scheds)
                   if st.routes[s])
        self.penalties.set_overtime(self.tuning.overtime_pct,
                                    max(1e-6, float(sum(st.rcost)) / max(1, busy)))
        for s in range(len(st.routes)):
            ok = self._touch(st, s, st.rcost[s])
            assert ok, "a softer end of shift keeps every route on time"

    def _harden(self, st: State) -> None:
        """Make the end of the shift hard again and re-time ``st`` (an on-time plan)."""
        self.penalties.set_overtime(0, 0.0)
        for s in range(len(st.routes)):
            ok = self._touch(st, s, st.rcost[s])
            assert ok, "the best plan ends every shift on time"

    # -- the loop -----------------------------------------------------------------
    def _remove_and_repair(self, cur: State, arm: int, arms: Arms) -> State:
        """A candidate: ``cur`` with the arm's removal and a repair."""
        cand = cur.copy()
        a = arms.arms[arm]
        assert a.op is not None
        q = self.rng.randint(a.lo, a.hi)
        removed = a.op(self, cand, q)
        touched: set[int] = set()
        for i in removed:
            touched.update(self.remove(cand, i))
        removed += self.settle(cand, touched)
        extra = [i for i, m in enumerate(cand.missed) if m and i not in removed]
        if extra:
            self.rng.shuffle(extra)
            for i in extra[:q]:
                touched.update(self.remove(cand, i))
                removed.append(i)
            removed += self.settle(cand, touched)
        noise = 0.1 if self.rng.random() < 0.3 else 0.0
        tn = self.tuning
        forced, self.forced = self.forced, {}
        for i, rep in forced.items():  # a rep move: its outlets to their new reps first
            if cand.choice[i] is None and self.inst.options[i]:
                best = self.price_on_rep(cand, i, rep)
                if best is not None:
                    self.insert(cand, i, best=best)
        regret = len(removed) <= tn.regret_max and self.rng.random() < tn.regret_share
        if not regret and extra and len(removed) <= tn.regret_max and tn.regret_missed:
            # missed visits back in: the outlet with the fewest good places first
            # (a draw only here, so plans that miss nothing stay as they were)
            regret = self.rng.random() < tn.regret_missed
        if regret:
            self.repair_regret(cand, removed, noise)
        else:
            self.repair(cand, removed, noise, shuffle=True)
        self.banned.clear()
        if self.local is not None and tn.ls_education_evals > 0:
            # education: the routing moves on the days the repair changed
            ls = self.local
            day_of = ls.ds.day_of
            changed = {t for t, v in enumerate(cand.version) if v != cur.version[t]}
            ls.improve_days(cand, sorted({day_of[t] for t in changed}), tn.ls_education_evals,
                            focus=changed)
        return cand

    def _kick(self, best: State, q: int) -> State:
        """A restart point: a copy of ``best`` with ``q`` related outlets (a random
        outlet and its nearest) removed and re-inserted in random order (none:
        ``best`` itself)."""
        st = best.copy()
        if q <= 0:
            return st
        removed = remove_related(self, st, q)
        touched: set[int] = set()
        for i in removed:
            touched.update(self.remove(st, i))
        removed += self.settle(st, touched)
        self.repair(st, removed, 0.0, shuffle=True)
        return st

    def _educate_best(self, cand: State, base: State, obj: float, soft_terms: bool,
                      soft_time: bool) -> float:
        """The routing local search on the days of a new best plan ``cand`` that
        its repair changed from ``base`` (at most ``Tuning.ls_best_evals``
        moves); ``cand``'s objective after it (``obj`` before)."""
        assert self.local is not None
        ls = self.local
        day_of = ls.ds.day_of
        changed = {t for t, v in enumerate(cand.version) if v != base.version[t]}
        if not changed:
            return obj
        t0 = time.perf_counter()
        gain = ls.improve_days(cand, sorted({day_of[t] for t in changed}),
                               self.tuning.ls_best_evals, focus=changed,
                               only_focus=self.tuning.ls_best_focus)
        self.stats.ls_s += time.perf_counter() - t0
        if gain >= 0:
            return obj
        over = self.term_excess(cand) if soft_terms else [0] * len(self.terms)
        return self.objective(cand, overload=over,
                              overtime=self.overtime(cand) if soft_time else 0)

    def _flip_arm(self) -> bool:
        """Whether the search draws flip moves (``Tuning.flip_arm``): where some
        outlet whose visits any rep may make (no fixed person) has a choice of days."""
        return self.tuning.flip_arm and any(
            len({opt.days for opt in opts if opt.rep < 0}) > 1 for opts in self.inst.options)

    def _stop_rules(self, t_zero: float, recut: bool) -> tuple[StopRules, float, float]:
        """The stop rules, the final deadline (the end phases') and the day share."""
        p = self.inst.params
        by_iterations = p.max_iterations < NO_ITERATION_BUDGET
        day_share = self.tuning.day_share if recut else 0.0
        max_it = p.max_iterations
        if by_iterations and day_share:
            max_it = max(1, round((1.0 - day_share) * p.max_iterations))
        reserve = min(2.0, 0.05 * p.time_limit) if p.polish else 0.0
        final_deadline = t_zero + p.time_limit - reserve
        budget = (1.0 - day_share) * p.time_limit  # the clock's share of the search
        deadline = final_deadline if by_iterations else t_zero + budget - reserve
        return (StopRules(by_iterations, max_it, p.max_no_improvement, t_zero, budget, deadline),
                final_deadline, day_share)

    def run(self, started: float | None = None) -> State:
        """Construct, then improve until a stop rule fires; return the best plan.

        ``started`` is when the caller's clock started (the time limit counts
        from there); a small share of the limit is kept for the final polish.
        """
        inst, tn, pen, rng = self.inst, self.tuning, self.penalties, self.rng
        t_start = time.perf_counter()
        t_zero = t_start if started is None else started
        # repairs stop inserting at the polish's reserve (kept as below)
        p = inst.params
        self.deadline = t_zero + p.time_limit - (min(2.0, 0.05 * p.time_limit) if p.polish
                                                 else 0.0)
        self._t_zero = t_zero
        cur = self.construct(t_zero)
        self.refresh_targets(cur)
        self.stats.construction_s = time.perf_counter() - t_start
        best, best_obj = cur.copy(), self.objective(cur)
        soft_terms = pen.any_soft
        if soft_terms:
            total = [float(sum(t.node[i] * inst.need[i] for i in range(inst.n)))
                     for t in self.terms]
            pen.soften_terms(float(sum(cur.rcost)), total)
        # The end of the shift turns soft from ``soften_missed`` of the budget on
        # (at once by default), and hard again at ``soften_missed_until`` while
        # the best plan still misses visits (see Tuning).
        want_soft_time = tn.overtime_pct > 0 and self._time_binds(cur)
        soft_time = soft_missed = missed_hard = False
        if want_soft_time and not any(cur.missed):
            self._soften(cur)
            soft_time = True
        cur_obj = self.objective(cur, overload=self.term_excess(cur))
        self.stats.history.append((0, 0.0, best_obj))
        travel0 = max(1.0, float(sum(cur.rcost)))
        size = inst.n
        if self.stats.split_start:
            # from the sectors planned apart: a share of one sector's first
            # temperature (a whole-plan temperature undoes their work)
            parts = len({h for h in inst.home_rep if h >= 0})
            travel0 = tn.rep_split_temp * travel0 / parts
            size = max(1, inst.n // parts)
        anneal = Annealing.start(tn, travel0, size)
        recut = inst.start_routes is None and self._days_can_recut()
        rep_arms = tn.rep_arms and any(h >= 0 for h in inst.home_rep)
        arms = Arms.build(inst.n, tn, day_arm=bool(tn.day_batch) and recut,
                          extra={**(REP_REMOVALS if rep_arms else {}),
                                 **(FLIP_REMOVALS if self._flip_arm() else {})})
        stop, final_deadline, day_share = self._stop_rules(t_zero, recut)
        no_imp = it = 0
        days = DaySearch(self)
        # the routing local search, where no reference plan prices each move away
        if inst.start_routes is None:
            self.local = LocalSearch(days, tn.ls_granular)
        t_search = time.perf_counter()
        reopt = tn.reopt_share > 0 and inst.start_routes is None and self._flexible(cur)
        now = time.perf_counter()
        stall = 0  # iterations since the last new best or restart
        while not stop.stop(it, now, no_imp):
            it += 1
            # Cooling follows the iteration budget when there is one, so that the
            # same seed and iterations give the same plan whatever the clock says.
            frac = stop.progress(it, now)
            if reopt and frac >= 1.0 - tn.reopt_share:
                # once, near the end: OR-Tools improves the best plan, and the
                # cold search goes on from there for the time left
                reopt = False
                # with an iteration budget, the time limit is only its safety net
                if self.reoptimise(best, (stop.deadline - now) if stop.by_iterations
                                   else 0.6 * (stop.deadline - now),
                                   estimate=not stop.by_iterations):
                    best_obj = self.objective(best)
                    cur, cur_obj = best.copy(), best_obj
                    self.stats.history.append((it, time.perf_counter() - t_start, best_obj))
                now = time.perf_counter()
                if now >= stop.deadline:
                    stop.reason = "time_limit"
                    break
                frac = stop.progress(it, now)
            temp = anneal.temperature(frac)
            arm = arms.draw(rng)
            if arm == arms.day_arm:
                # the day arm: a few ruin-and-recreate moves inside days on the
                # current plan, scored like a removal operator
                gain = 0.0
                for _ in range(tn.day_batch):
                    gain += days.step(cur, temp)
                cur_obj += gain
                if self._better_best(cur, cur_obj, best_obj, soft_time):
                    best, best_obj = cur.copy(), self.objective(cur)
                    self.stats.improvements += 1
                    self.stats.history.append((it, time.perf_counter() - t_start, best_obj))
                    arms.score(arm, 33.0)
                    no_imp = 0
                else:
                    arms.score(arm, 9.0 if gain < 0 else (13.0 if gain > 0 else 0.0))
                    no_imp += 1
            else:
                base = cur
                cand = self._remove_and_repair(cur, arm, arms)
                over = self.term_excess(cand) if soft_terms else [0] * len(self.terms)
                late = self.overtime(cand) if soft_time else 0
                obj = self.objective(cand, overload=over, overtime=late)
                feasible = not any(over[k] for k in pen.soft) and late == 0
                pen.record(over, late)
                if obj < cur_obj - 1e-9:
                    arms.score(arm, 33.0 if feasible and obj < best_obj - 1e-9 else 9.0)
                    cur, cur_obj = cand, obj
                elif anneal.accept(obj, cur_obj, temp, rng):
                    arms.score(arm, 13.0 if obj > cur_obj + 1e-9 else 0.0)
                    cur, cur_obj = cand, obj
                else:
                    arms.score(arm, 0.0)
                if feasible and obj < best_obj - 1e-9:
                    if (self.local is not None and tn.ls_best_evals > 0
                            and not any(cand.missed)):
                        obj = self._educate_best(cand, base, obj, soft_terms, soft_time)
                        if cur is cand:
                            cur_obj = obj
                    best, best_obj = cand.copy(), obj
                    self.stats.improvements += 1
                    self.stats.history.append((it, time.perf_counter() - t_start, best_obj))
                    no_imp = 0
                else:
                    no_imp += 1
            stall = 0 if no_imp == 0 else stall + 1
            if tn.stall_restart and stall >= tn.stall_restart:
                # no new best for a while: go on from the best plan, kicked
                stall = 0
                cur = self._kick(best, tn.stall_kick)
                cur_obj = self.objective(cur, overload=self.term_excess(cur),
                                         overtime=self.overtime(cur) if soft_time else 0)
                self.stats.restarts += 1
            if it % tn.reweigh_every == 0 and tn.adaptive:
                arms.reweigh()
            if it % tn.reweigh_every == 0 and self.refresh_targets(cur):
                cur_obj = self.objective(cur, overload=self.term_excess(cur),
                                         overtime=self.overtime(cur) if soft_time else 0)
                best_obj = self.objective(best)
            if (want_soft_time and not soft_time and it % tn.penalty_every == 0
                    and (not any(best.missed)
                         or (frac >= tn.soften_missed and not missed_hard))):
                self._soften(cur)
                soft_time = True
                soft_missed = any(best.missed)
                cur_obj = self.objective(cur, overload=self.term_excess(cur),
                                         overtime=self.overtime(cur))
            elif (soft_missed and frac >= tn.soften_missed_until and it % tn.penalty_every == 0
                    and any(best.missed)):
                # soft since a visit was missed, and still missed: late plans that
                # make every visit have not come back on time, so the search goes
                # on from the best plan with the end of the shift hard
                self._harden(best)
                cur, cur_obj = best.copy(), self.objective(best)
                best_obj = cur_obj
                soft_time = soft_missed = False
                missed_hard = True
            if ((soft_terms or soft_time) and it % tn.penalty_every == 0
                    and pen.adapt(soft_terms, soft_time)):
                cur_obj = self.objective(cur, overload=self.term_excess(cur),
                                         overtime=self.overtime(cur) if soft_time else 0)
            if it % 1000 == 0 and log.isEnabledFor(logging.DEBUG):
                log.debug("it %d t %.1fs temp %.4g current %.0f (travel %d, over %s, late %d s) "
                          "best %.0f penalties %s time_penalty %.3g",
                          it, now - t_zero, temp, cur_obj, sum(cur.rcost),
                          self.term_excess(cur), self.overtime(cur), best_obj, pen.term,
                          self.timer.time_penalty)
            if self.progress is not None and it % tn.progress_every == 0:
                self.progress(it, best_obj)
            now = time.perf_counter()
        self.stats.stop_reason = stop.reason
        self.stats.operators = dict(arms.draws)
        self.stats.iterations = it
        self.stats.search_s = time.perf_counter() - t_search
        self._end_phases(best, it, reopt, stop.deadline, final_deadline, day_share, days,
                         anneal.final, soft_time)
        return best

    def _end_phases(self, best: State, it: int, reopt: bool, deadline: float,
                    final_deadline: float, day_share: float, days: DaySearch,
                    temp: float, soft_time: bool) -> None:
        """After the loop: the end of the shift hard again, OR-Tools' whole-plan
        search if its share was not reached, the routing local search and the
        day search on the best plan,
        and OR-Tools re-ordering every route."""
        if soft_time:
            self._harden(best)
        if reopt and time.perf_counter() < deadline:  # stopped before the share began
            self.reoptimise(best, deadline - time.perf_counter(), estimate=not self.by_iterations)
        self.stats.day_moves = days.iterations
        if self.local is not None and self.tuning.ls_final_evals > 0:
            # the routing moves on every day of the best plan, before the day
            # search's share (which runs to the deadline)
            t0 = time.perf_counter()
            by_time = self.inst.params.max_iterations >= NO_ITERATION_BUDGET
            with self.penalties.hard():
                self.local.improve_days(best, sorted(set(days.day_of)),
                                        self.tuning.ls_final_evals,
                                        final_deadline if by_time else None)
            self.stats.ls_s += time.perf_counter() - t0
        if day_share:
            # cold: from where the search's cooling ended (a hot restart costs more
            # than the end phase has time to win back)
            arm_moves = days.iterations
            self.day_search(best, it, final_deadline, days, temp)
            # the end phase's day_moves moves count as one iteration
            self.stats.iterations += ((days.iterations - arm_moves)
                                      // max(1, self.tuning.day_moves))
        if self.local is not None:
            self.stats.ls_moves = self.local.applied
        self.stats.travel_before_polish = int(sum(best.rcost))
        p = self.inst.params
        if p.polish:
            self.polish(best, [s for s, r in enumerate(best.routes) if r],
                        self._t_zero + p.time_limit)
