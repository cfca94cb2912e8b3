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
what order. At the end the day search polishes the best plan, and OR-Tools
re-orders every route.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from routeopt.solver._intraday import DaySearch
from routeopt.solver._model import Instance
from routeopt.solver._ortools import reoptimise, reorder_route
from routeopt.solver._routes import Schedule, Timer
from routeopt.solver._vector import VectorPricer

log = logging.getLogger(__name__)

_versions = itertools.count(1)
RETIME_TOLERANCE = 60  # seconds a kept visit may shift for free (clock noise)


@dataclass(slots=True)
class State:
    """A plan under construction."""

    routes: list[list[int]]
    scheds: list[Schedule]
    version: list[int]
    rcost: list[int]
    load: list[int]
    choice: list[tuple[int, tuple[int, ...]] | None]  # option index, slots visited
    missed: list[int] = field(default_factory=list)

    def copy(self) -> State:
        return State([r[:] for r in self.routes], self.scheds[:], self.version[:],
                     self.rcost[:], self.load[:], self.choice[:], self.missed[:])


@dataclass(slots=True)
class SearchStats:
    iterations: int = 0
    improvements: int = 0
    construction_s: float = 0.0
    search_s: float = 0.0
    polish_s: float = 0.0
    reoptimise_s: float = 0.0
    day_moves: int = 0
    day_s: float = 0.0
    stop_reason: str = ""
    travel_before_polish: int = 0
    # the construction against the clock: outlets priced the quick way, and
    # outlets it had no time left to try (unscheduled with reason time_limit)
    construction_quick: int = 0
    construction_untried: int = 0
    history: list[tuple[int, float, float]] = field(default_factory=list)


class Search:
    """Construction and improvement for one instance."""

    def __init__(self, inst: Instance,
                 progress: Callable[[int, float], None] | None = None) -> None:
        self.inst = inst
        self.timer = Timer(inst)
        self.rng = random.Random(inst.params.seed)
        # best insertion of an outlet in a slot, valid while the slot's version holds
        self.cache: dict[tuple[int, int], tuple[int, tuple[float, int] | None]] = {}
        self.vector = VectorPricer(inst, self.timer)
        self.progress = progress
        self.stats = SearchStats()
        # search knobs (tuned on the PVRP and field benchmarks)
        self.regret_share = 0.0
        self.regret_max = 30
        # Share of repairs that insert the removed outlets in random order within
        # each priority class, instead of the hardest first (more varied plans:
        # over 18 paired 60 s runs of the Cordeau set, the mean gap was 0.3
        # points lower, p30 and p32 1-3 points lower in all four pairs).
        self.order_random = 0.5
        self.temp_start = 0.01  # initial temperature, share of the first plan's travel
        self.temp_end = 0.003  # final temperature over initial
        # Beyond this many outlets the starting temperature shrinks in proportion:
        # a move re-plans a few outlets, so its cost change scales with the
        # cost per outlet, not with the plan's total (measured on p13, pr05,
        # pr10: a 2-4 point lower gap at 60 s, same on p30 with 153 outlets).
        self.temp_outlets = 150
        self.q_share = 0.25  # at most this share of outlets removed per iteration
        self.q_cap = 40
        self.adaptive = True
        # Capacity is a hard limit while constructing, then a penalty per unit of
        # overload that adapts so that about a third of the candidates are
        # feasible (as in Vidal et al.'s hybrid genetic search); only feasible
        # plans can become the best.
        self.cap_penalty = math.inf
        self.target_feasible = (0.2, 0.5)
        # The end of the shift (of days without a lunch break) is soft in the
        # same way: a route may end up to this share of its shift late, each
        # second priced by a penalty that adapts like the capacity one (the
        # Timer applies it to insertions). 0: the end of the shift stays hard.
        self.overtime_pct = 25
        # The last share of the time goes to OR-Tools' local search over the
        # whole plan (relocate, exchange, cross between reps and days), up to
        # this many visits (its model holds a visits x visits matrix).
        self.reopt_share = 0.1
        self.reopt_max_visits = 1500
        self.reopt_min_flexible = 0.5
        # Its model (a visits x visits matrix per mode) takes about this long to
        # build per pair of visits (measured 5.5-8.6 us on the 2-core benchmark
        # machine under load, 426 and 1,283 visits: 1.6 s and 9.1 s); with less
        # time than the build, it is skipped, so that the build cannot overrun.
        self.reopt_build_s = 5e-6
        # Ruin and recreate inside each day (:mod:`_intraday`): the routing of
        # each day among its reps, which the whole-outlet moves do poorly. It is
        # one more arm of the adaptive search (``day_batch`` moves on the
        # current plan per draw, weighted by how it pays like the removal
        # operators), and it has the last ``day_share`` of the budget on the
        # best plan, cold. With an iteration budget the search makes
        # ``1 - day_share`` of ``max_iterations``, and the end phase
        # ``day_moves`` day moves for each iteration left (a day move is cheap).
        self.day_share = 0.05
        self.day_batch = 4  # day moves per draw of the day arm (0: no day arm)
        self.day_cap = 0.5  # the day arm's weight at most this times the others' (a third)
        self.day_moves = 10
        self.day_temp_end = 0.1  # the end phase's final temperature over its first
        # The clock (see :meth:`construct`): the first plan prices every option
        # until ``construct_full`` of the time limit has gone, then only the
        # nearest reps' options and at most ``quick_positions`` positions per
        # route (the cheapest), and from ``construct_quick`` on it leaves the
        # outlets it has not reached unscheduled (reason ``time_limit``), so that
        # the search, the polish and the reasons keep the rest of the time.
        self.construct_full = 0.5
        self.construct_quick = 0.8
        self.quick_positions = 8
        self.quick = False  # pricing the quick way now
        self.deadline = math.inf  # repairs stop inserting beyond it (set by run)
        self.untried: set[int] = set()  # nodes no pricing has tried since construction

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
                     [0] * ns, [0] * ns, [None] * inst.n, list(inst.need))

    def excess(self, st: State) -> int:
        """Load above capacity, summed over routes (0 in a feasible plan)."""
        slots = self.inst.slots
        return sum(max(0, ld - slots[s].capacity) for s, ld in enumerate(st.load) if ld)

    def overtime(self, st: State) -> int:
        """Seconds routes end after the end of their shift (0 in a feasible plan)."""
        slots = self.inst.slots
        total = 0
        for s, sch in enumerate(st.scheds):
            late = sch.back - slots[s].shift_end
            if late > 0:
                total += late
        return total

    def objective(self, st: State, *, overload: int = 0, overtime: int = 0) -> float:
        """Travel cost plus missed-visit penalties, plus the moves away from the
        reference plan, plus ``overload`` units over capacity and ``overtime``
        seconds after the end of shifts at their current penalties."""
        pen = self.inst.penalty
        obj = float(sum(st.rcost)) + sum(m * pen[i] for i, m in enumerate(st.missed) if m)
        if self.inst.start_routes is not None:
            obj += self.move_cost(st) + sum(self.retime_cost(st, s) for s in range(len(st.routes)))
        if overload:
            obj += self.cap_penalty * overload
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
        more than the tolerance away from their reference start, priced per second."""
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
        for g, i in enumerate(seq):
            r = ref.get((i, s))
            if r is not None:
                dev = abs(start[g] - r)
                if dev > tol:
                    total += dev - tol
        return w * total

    def _touch(self, st: State, s: int, rcost: int | None = None) -> bool:
        """Re-time route ``s`` after a change; ``rcost``: its new travel cost if known."""
        slot = self.inst.slots[s]
        sch = self.timer.schedule(slot, st.routes[s])
        if sch is None:
            return False
        st.scheds[s] = sch
        st.rcost[s] = self.timer.route_cost(slot, st.routes[s]) if rcost is None else rcost
        st.version[s] = next(_versions)
        return True

    def _arc_delta(self, s: int, seq: list[int], pos: int) -> int:
        """Travel cost that the visit at ``pos`` of ``seq`` (route ``s``) adds."""
        slot = self.inst.slots[s]
        c = self.timer.cost[slot.mode]
        p = seq[pos - 1] if pos > 0 else slot.start_node
        q = seq[pos + 1] if pos + 1 < len(seq) else slot.end_node
        i = seq[pos]
        return int(c[p][i] + c[i][q] - c[p][q])

    def remove(self, st: State, i: int) -> list[int]:
        """Take outlet ``i`` out of every route; return the slots touched."""
        ch = st.choice[i]
        if ch is None:
            return []
        for s in ch[1]:
            seq = st.routes[s]
            pos = seq.index(i)
            st.rcost[s] -= self._arc_delta(s, seq, pos)
            del seq[pos]
            st.load[s] -= self.inst.demand[i]
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

    def _slot_insert(self, st: State, i: int, s: int) -> tuple[float, int] | None:
        version = st.version[s]
        hit = self.cache.get((i, s))
        if hit is not None and hit[0] == version:
            return hit[1]
        r = self.timer.best_insertion(self.inst.slots[s], st.routes[s], st.scheds[s], i,
                                      max_tries=self.quick_positions if self.quick else None)
        self.cache[(i, s)] = (version, r)
        return r

    def price(self, st: State, i: int, noise: float = 0.0
              ) -> tuple[float, int, list[tuple[int, int]]] | None:
        """Best option of outlet ``i``: (cost with penalties, option, [(slot, pos)])."""
        return self.price2(st, i, noise)[0]

    def price2(self, st: State, i: int, noise: float = 0.0, *, second: bool = False
               ) -> tuple[tuple[float, int, list[tuple[int, int]]] | None, float]:
        """The best option of outlet ``i`` and, if asked, the cost of the second best."""
        inst = self.inst
        pen = inst.penalty[i]
        slots = inst.slots
        dem = inst.demand[i]
        lam = self.cap_penalty
        soft = lam < math.inf
        best: tuple[float, int, list[tuple[int, int]]] | None = None
        runner_up = math.inf
        options = inst.options[i]
        n_near = inst.near_count[i]
        pref = inst.preferred[i]
        move = inst.params.move_penalty if pref is not None else 0.0
        r_i = inst.twin[i] if inst.twin else i  # its twins' insertions are its own
        if self.vector.enabled:
            vec = self.vector
            fresh = None
            if not second and not move:  # the vector pricer knows no reference plan
                got = vec.price(st.routes, list(st.scheds), st.version, st.load, r_i, pen,
                                self.cap_penalty, noise, self.rng.random)
                if vec.all_plain:
                    return got, math.inf
                fresh = vec.last_positions  # the per-slot answers it has just computed
            vec.fill(st.routes, list(st.scheds), st.version, r_i, self.cache, fresh=fresh)
        self.untried.discard(i)
        for k, opt in enumerate(options):
            if k == n_near and best is not None and len(best[2]) == inst.need[i]:
                break  # the nearest reps take every visit: the others are not priced
            if k == n_near and self.quick and k:
                break  # short of time: the nearest reps' options only
            bound = runner_up if second else (best[0] if best is not None else math.inf)
            total = 0.0
            where: list[tuple[int, int]] = []
            for group in opt.groups:
                pick: tuple[float, int, int] | None = None
                for s in group:
                    r = self._slot_insert(st, r_i, s)
                    if r is None:
                        continue
                    cost: float = r[0]
                    if move and s not in pref:  # type: ignore[operator]
                        cost += move
                    over = st.load[s] + dem - slots[s].capacity
                    if over > 0:
                        if not soft:
                            continue
                        cost += lam * min(over, dem)
                    if pick is None or cost < pick[0]:
                        pick = (cost, s, r[1])
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

    def insert(self, st: State, i: int, noise: float = 0.0,
               best: tuple[float, int, list[tuple[int, int]]] | None = None) -> bool:
        """Insert outlet ``i`` with its best option (some visits may be missed)."""
        if best is None:
            best = self.price(st, i, noise)
        if best is None:
            return False
        _, k, where = best
        inst = self.inst
        for s, pos in where:
            seq = st.routes[s]
            seq.insert(pos, i)
            st.load[s] += inst.demand[i]
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
        if shuffle and self.order_random and self.rng.random() < self.order_random:
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
            pick: tuple[float, int, tuple[float, int, list[tuple[int, int]]] | None] | None = None
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
        limit = inst.params.time_limit
        now = time.perf_counter()
        t0 = now if started is None else started
        # shares of the limit from ``started``, and at least a fifth of it (full)
        # and two fifths (in all) from now when compiling took most of the limit:
        # a plan of a few outlets would be no plan
        full_until = max(t0 + self.construct_full * limit, now + 0.2 * limit)
        quick_until = max(t0 + self.construct_quick * limit, now + 0.4 * limit)
        todo = [i for i in self.order(list(range(inst.n)))
                if st.choice[i] is None and inst.options[i]]
        for k, i in enumerate(todo):
            now = time.perf_counter()
            if now >= quick_until:
                self.untried.update(todo[k:])
                self.stats.construction_untried = len(todo) - k
                log.warning("time limit: the first plan left %d of %d outlet(s) untried "
                            "(unscheduled with reason time_limit); give more time",
                            len(todo) - k, inst.n)
                break
            if not self.quick and now >= full_until:
                self.quick = True
                log.info("time limit: the first plan prices the last %d outlet(s) the "
                         "quick way", len(todo) - k)
            self.stats.construction_quick += self.quick
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
                    r = self.timer.best_insertion(slots[s], st.routes[s], st.scheds[s], j)
                    if r is not None and st.load[s] + inst.demand[j] <= slots[s].capacity:
                        self.insert(st, j, best=(r[0], k, [(s, r[1])]))
                self.repair(st, dropped)
        return changed

    def warm_start(self, st: State, routes: list[list[int]]) -> None:
        """Place the reference plan's visits, in its order, where they still fit.

        Each node takes the option that holds most of its reference slots; a
        visit is kept when that option has its slot and the route stays on
        time, within max_visits and capacity. The rest is left to the repair.
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
                if (len(st.routes[s]) >= slot.max_visits
                        or st.load[s] + inst.demand[i] > slot.capacity):
                    continue
                st.routes[s].append(i)
                if self.timer.schedule(slot, st.routes[s]) is None:
                    st.routes[s].pop()
                    continue
                st.load[s] += inst.demand[i]
                placed.setdefault(i, []).append(s)
            self._touch(st, s)
        for i, ss in placed.items():
            st.choice[i] = (keep[i][0], tuple(ss))
            st.missed[i] = inst.need[i] - len(ss)

    # -- destroy operators ----------------------------------------------------
    def _assigned(self, st: State) -> list[int]:
        return [i for i, c in enumerate(st.choice) if c is not None]

    def d_random(self, st: State, q: int) -> list[int]:
        pool = self._assigned(st)
        return self.rng.sample(pool, min(q, len(pool)))

    def d_related(self, st: State, q: int) -> list[int]:
        pool = self._assigned(st)
        if not pool:
            return []
        seed = self.rng.choice(pool)
        out = []
        for j in self.inst.near[seed]:
            j = int(j)
            if st.choice[j] is not None and self.rng.random() < 0.85:
                out.append(j)
                if len(out) >= q:
                    break
        return out

    def d_worst(self, st: State, q: int) -> list[int]:
        inst = self.inst
        c = self.timer.cost
        gain: dict[int, int] = {}
        for s, seq in enumerate(st.routes):
            slot = inst.slots[s]
            cm = c[slot.mode]
            nodes = [slot.start_node, *seq, slot.end_node]
            for p in range(1, len(nodes) - 1):
                a, b, d = nodes[p - 1], nodes[p], nodes[p + 1]
                gain[b] = gain.get(b, 0) + cm[a][b] + cm[b][d] - cm[a][d]
        ranked = sorted(gain, key=lambda i: (-gain[i], i))
        out: list[int] = []
        while ranked and len(out) < q:
            k = int(len(ranked) * self.rng.random() ** 4)
            out.append(ranked.pop(k))
        return out

    def d_day(self, st: State, q: int) -> list[int]:
        busy = [s for s, r in enumerate(st.routes) if r]
        if not busy:
            return []
        s = self.rng.choice(busy)
        return list(st.routes[s])[: max(q, 1) * 2]  # a whole day's route, to re-plan its days

    # -- the search -------------------------------------------------------------
    def polish(self, st: State, slots: list[int], deadline: float = math.inf) -> None:
        """Re-order each route of ``slots`` with OR-Tools (:func:`reorder_route`),
        up to 2 seconds a route and none after ``deadline``."""
        t0 = time.perf_counter()
        for s in slots:
            seq = st.routes[s]
            left = deadline - time.perf_counter()
            if left < 0.01:
                log.info("time limit: %d route(s) left in their order", len(slots) - slots.index(s))
                break
            new = reorder_route(self.timer, self.inst.slots[s], seq, time_limit_s=min(2.0, left))
            if new is None or sorted(new) != sorted(seq):
                continue
            slot = self.inst.slots[s]
            cost: float = self.timer.route_cost(slot, new)
            if self.inst.ref_start:  # keep the reference times unless it pays
                cost += self.retime_cost(st, s, new) - self.retime_cost(st, s)
            if cost < st.rcost[s] and self.timer.schedule(slot, new) is not None:
                st.routes[s] = new
                self._touch(st, s)
        self.stats.polish_s += time.perf_counter() - t0

    def _flexible(self, st: State) -> bool:
        """Whether OR-Tools' local search is worth its share of the time: a
        plan of at most ``reopt_max_visits`` visits, at least ``reopt_min_flexible``
        of them of outlets visited once with a choice of days (where moving a
        visit between days and exchanging visits is the search; measured on
        the Cordeau set, it does not pay where most outlets keep their days)."""
        inst = self.inst
        n_visits = sum(len(r) for r in st.routes)
        if not 2 <= n_visits <= self.reopt_max_visits:
            return False
        flexible = sum(1 for i in range(inst.n)
                       if inst.need[i] == 1 and len({o.days for o in inst.options[i]}) > 1)
        return flexible >= self.reopt_min_flexible * n_visits

    def reoptimise(self, st: State, time_limit_s: float) -> bool:
        """Hand the plan to OR-Tools' local search (:func:`reoptimise`); keep its
        answer when every route re-times, fits and the travel is lower.

        A visit may move to any rep and day that its outlet's options allow
        while its other visits stay: an outlet visited once may take any of
        its days; the visits of an outlet visited more often keep their days
        and may change rep where the rule allows.
        """
        inst = self.inst
        t0 = time.perf_counter()
        n_visits = sum(len(r) for r in st.routes)
        if time_limit_s < self.reopt_build_s * n_visits * n_visits:
            log.debug("no time for OR-Tools' model of %d visits (%.2f s left)", n_visits,
                      time_limit_s)
            return False
        allowed: list[list[list[int]]] = []
        near: dict[int, tuple[set[int], list[int]]] = {}  # outlet -> its nearest reps' slots
        for s, seq in enumerate(st.routes):
            row = []
            for i in seq:
                ch = st.choice[i]
                assert ch is not None
                if inst.need[i] == 1 and len(ch[1]) == 1:
                    # any day of the nearest reps' options (candidate_reps), or its own
                    if i not in near:
                        got = {t for opt in inst.options[i][:inst.near_count[i]]
                               for g in opt.groups for t in g}
                        near[i] = (got, sorted(got))
                    them, ok = near[i]
                    if s not in them:
                        ok = sorted({*them, s})
                else:
                    ok = next(list(g) for g in inst.options[i][ch[0]].groups if s in g)
                row.append(ok)
            allowed.append(row)
        new = reoptimise(self.timer, st.routes, allowed, time_limit_s=time_limit_s)
        self.stats.reoptimise_s += time.perf_counter() - t0
        if new is None:
            return False
        slots = inst.slots
        scheds, rcost, load = [], [], []
        for s, seq in enumerate(new):
            sch = self.timer.schedule(slots[s], seq)
            ld = sum(inst.demand[i] for i in seq)
            if (sch is None or sch.back > slots[s].shift_end or ld > slots[s].capacity
                    or len(seq) > slots[s].max_visits):
                log.debug("OR-Tools' plan does not re-time or fit on slot %d; kept ours", s)
                return False
            scheds.append(sch)
            rcost.append(self.timer.route_cost(slots[s], seq))
            load.append(ld)
        if sum(rcost) >= sum(st.rcost):
            return False
        where: dict[int, list[int]] = {}
        for s, seq in enumerate(new):
            for i in seq:
                where.setdefault(i, []).append(s)
        choice = list(st.choice)
        for i, ss in where.items():
            ch = st.choice[i]
            assert ch is not None
            if inst.need[i] == 1 and len(ch[1]) == 1:
                k = next(k for k, opt in enumerate(inst.options[i])
                         if any(ss[0] in g for g in opt.groups))
            else:
                k = ch[0]
            choice[i] = (k, tuple(ss))
        log.debug("OR-Tools lowered the travel from %d to %d in %.2f s",
                  sum(st.rcost), sum(rcost), time.perf_counter() - t0)
        st.routes = [list(seq) for seq in new]
        st.scheds, st.rcost, st.load, st.choice = scheds, rcost, load, choice
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
                for o in opts[:max(inst.near_count[i], 1)]:
                    for g in o.groups:
                        for t in g:
                            reps_by_day.setdefault(inst.slots[t].day, set()).add(inst.slots[t].rep)
                if any(len(r) > 1 for r in reps_by_day.values()):
                    return True
        return False

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
        t0 = time.perf_counter()
        visits = sum(len(r) for r in st.routes)
        if visits < 2:
            return
        if p.max_iterations < 10**8:
            moves = max(0, p.max_iterations - iterations_done) * self.day_moves
        else:
            moves = 1 << 40
        before = sum(st.rcost)
        moves_before, accepted_before, improved_before = ds.iterations, ds.accepted, ds.improved
        ds.run(st, moves, deadline, time.perf_counter, temp0, temp0 * self.day_temp_end,
               by_time=p.max_iterations >= 10**8)
        self.stats.day_moves = ds.iterations
        self.stats.day_s += time.perf_counter() - t0
        log.debug("day search: %d moves, %d accepted, %d better, travel %d -> %d in %.2f s",
                  ds.iterations - moves_before, ds.accepted - accepted_before,
                  ds.improved - improved_before, before, sum(st.rcost),
                  time.perf_counter() - t0)

    def _adapt(self, penalty: float, share: float, floor: float) -> float:
        """A penalty for infeasibility, moved towards ``target_feasible``: up when
        too few of the last candidates were feasible, down when too many."""
        share_lo, share_hi = self.target_feasible
        if share < share_lo:
            return penalty * 1.5
        if share > share_hi:
            return max(floor, penalty * 0.85)
        return penalty

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
        timer = self.timer
        slots = self.inst.slots
        busy = sum(sch.back - slots[s].shift_start for s, sch in enumerate(st.scheds)
                   if st.routes[s])
        timer.overtime_pct = self.overtime_pct
        timer.time_penalty = max(1e-6, float(sum(st.rcost)) / max(1, busy))
        self.cache.clear()
        for s in range(len(st.routes)):
            ok = self._touch(st, s, st.rcost[s])
            assert ok, "a softer end of shift keeps every route on time"

    def _harden(self, st: State) -> None:
        """Make the end of the shift hard again and re-time ``st`` (an on-time plan)."""
        self.timer.overtime_pct = 0
        self.timer.time_penalty = 0.0
        self.cache.clear()
        for s in range(len(st.routes)):
            ok = self._touch(st, s, st.rcost[s])
            assert ok, "the best plan ends every shift on time"

    def run(self, started: float | None = None) -> State:
        """Construct, then improve until a stop rule fires; return the best plan.

        ``started`` is when the caller's clock started (the time limit counts
        from there); a small share of the limit is kept for the final polish.
        """
        p = self.inst.params
        t_start = time.perf_counter()
        t_zero = t_start if started is None else started
        # repairs stop inserting at the polish's reserve (kept as below)
        self.deadline = t_zero + p.time_limit - (min(2.0, 0.05 * p.time_limit) if p.polish
                                                 else 0.0)
        cur = self.construct(t_zero)
        self.stats.construction_s = time.perf_counter() - t_start
        best, best_obj = cur.copy(), self.objective(cur)
        soft_capacity = any(s.capacity < 1 << 59 for s in self.inst.slots)
        if soft_capacity:
            demand = sum(self.inst.demand[i] * self.inst.need[i] for i in range(self.inst.n))
            self.cap_penalty = max(1.0, float(sum(cur.rcost)) / max(1, demand))
        timer = self.timer
        # The end of the shift turns soft once the best plan misses no visit:
        # before that, cheap overtime would buy the missed visits back and keep
        # the current plan late (the penalty needs a few hundred iterations to
        # price it right), so short runs would end on the first plan.
        want_soft_time = self.overtime_pct > 0 and self._time_binds(cur)
        soft_time = False
        if want_soft_time and not any(cur.missed):
            self._soften(cur)
            soft_time = True
        cur_obj = self.objective(cur, overload=self.excess(cur))
        feasible_seen = on_time_seen = seen = 0  # over the candidates since the last adapt
        self.stats.history.append((0, 0.0, best_obj))
        travel0 = max(1.0, float(sum(cur.rcost)))
        temp0 = self.temp_start * travel0 * min(1.0, self.temp_outlets / max(1, self.inst.n))
        temp_ratio = self.temp_end
        ops = [self.d_random, self.d_related, self.d_worst, self.d_day]
        n = self.inst.n
        qmax = max(2, min(self.q_cap, int(self.q_share * n)))
        # Adaptive large-neighbourhood search (Ropke & Pisinger 2006): each arm is
        # a removal operator with a range of sizes; arms that find better plans
        # are drawn more often. Small moves polish, large ones re-plan days.
        sizes = sorted({(min(3, qmax), min(10, qmax)), (min(10, qmax), min(25, qmax)),
                        (min(25, qmax), qmax)}) if self.adaptive else [(min(3, qmax), qmax)]
        arms = [(op, lo, hi) for op in ops for lo, hi in sizes]
        recut = self.inst.start_routes is None and self._days_can_recut()
        day_arm = len(arms) if self.day_batch and recut else -1
        if day_arm >= 0:
            arms.append((self.d_random, 0, 0))  # a placeholder: drawn, it runs day moves
        weights = [1.0] * len(arms)
        scores = [0.0] * len(arms)
        uses = [0] * len(arms)
        by_iterations = p.max_iterations < 10**8
        day_share = self.day_share if recut else 0.0
        max_it = p.max_iterations
        if by_iterations and day_share:
            max_it = max(1, round((1.0 - day_share) * p.max_iterations))
        no_imp = 0
        it = 0
        days = DaySearch(self)
        t_search = time.perf_counter()
        reserve = min(2.0, 0.05 * p.time_limit) if p.polish else 0.0
        reopt = self.reopt_share > 0 and self.inst.start_routes is None and self._flexible(cur)
        final_deadline = t_zero + p.time_limit - reserve
        budget = (1.0 - day_share) * p.time_limit  # the clock's share of the search
        deadline = final_deadline if by_iterations else t_zero + budget - reserve
        self.stats.stop_reason = "max_iterations"
        while it < max_it:
            now = time.perf_counter()
            if now >= deadline:
                self.stats.stop_reason = "time_limit"
                break
            if no_imp >= p.max_no_improvement:
                self.stats.stop_reason = "no_improvement"
                break
            it += 1
            # Cooling follows the iteration budget when there is one, so that the
            # same seed and iterations give the same plan whatever the clock says.
            frac = it / max_it if by_iterations else (now - t_zero) / budget
            if reopt and frac >= 1.0 - self.reopt_share:
                # once, near the end: OR-Tools improves the best plan, and the
                # cold search goes on from there for the time left
                reopt = False
                if self.reoptimise(best, 0.6 * (deadline - now)):
                    best_obj = self.objective(best)
                    cur, cur_obj = best.copy(), best_obj
                    self.stats.history.append((it, time.perf_counter() - t_start, best_obj))
                now = time.perf_counter()
                if now >= deadline:
                    self.stats.stop_reason = "time_limit"
                    break
                if not by_iterations:
                    frac = (now - t_zero) / budget
            temp = temp0 * temp_ratio ** min(frac, 1.0)
            arm = self.rng.choices(range(len(arms)), weights)[0]
            if arm == day_arm:
                # the day arm: a few ruin-and-recreate moves inside days on the
                # current plan, scored like a removal operator
                gain = 0.0
                for _ in range(self.day_batch):
                    gain += days.step(cur, temp)
                uses[arm] += 1
                cur_obj += gain
                if self._better_best(cur, cur_obj, best_obj, soft_time):
                    best, best_obj = cur.copy(), self.objective(cur)
                    self.stats.improvements += 1
                    self.stats.history.append((it, time.perf_counter() - t_start, best_obj))
                    scores[arm] += 33.0
                    no_imp = 0
                else:
                    scores[arm] += 9.0 if gain < 0 else (13.0 if gain > 0 else 0.0)
                    no_imp += 1
            else:
                cand = cur.copy()
                op, lo, hi = arms[arm]
                q = self.rng.randint(lo, hi)
                removed = op(cand, q)
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
                if len(removed) <= self.regret_max and self.rng.random() < self.regret_share:
                    self.repair_regret(cand, removed, noise)
                else:
                    self.repair(cand, removed, noise, shuffle=True)
                over = self.excess(cand) if soft_capacity else 0
                late = self.overtime(cand) if soft_time else 0
                obj = self.objective(cand, overload=over, overtime=late)
                feasible = over == 0 and late == 0
                feasible_seen += over == 0
                on_time_seen += late == 0
                seen += 1
                uses[arm] += 1
                if obj < cur_obj - 1e-9:
                    scores[arm] += 33.0 if feasible and obj < best_obj - 1e-9 else 9.0
                    cur, cur_obj = cand, obj
                elif self.rng.random() < math.exp(-(obj - cur_obj) / temp):
                    scores[arm] += 13.0 if obj > cur_obj + 1e-9 else 0.0
                    cur, cur_obj = cand, obj
                if feasible and obj < best_obj - 1e-9:
                    best, best_obj = cand.copy(), obj
                    self.stats.improvements += 1
                    self.stats.history.append((it, time.perf_counter() - t_start, best_obj))
                    no_imp = 0
                else:
                    no_imp += 1
            if it % 100 == 0 and self.adaptive:
                for a in range(len(arms)):
                    if uses[a]:
                        weights[a] = max(0.05, 0.8 * weights[a] + 0.2 * scores[a] / uses[a])
                    scores[a], uses[a] = 0.0, 0
                if day_arm >= 0:  # the outlet moves keep most draws: they change days
                    others = sum(weights) - weights[day_arm]
                    weights[day_arm] = min(weights[day_arm], self.day_cap * others)
            if want_soft_time and not soft_time and it % 50 == 0 and not any(best.missed):
                self._soften(cur)
                soft_time = True
                cur_obj = self.objective(cur, overload=self.excess(cur),
                                         overtime=self.overtime(cur))
            if (soft_capacity or soft_time) and it % 50 == 0 and seen:
                if soft_capacity:
                    self.cap_penalty = self._adapt(self.cap_penalty, feasible_seen / seen, 1e-3)
                if soft_time:
                    was = timer.time_penalty
                    timer.time_penalty = self._adapt(was, on_time_seen / seen, 1e-6)
                    if timer.time_penalty != was:
                        self.cache.clear()  # its answers priced the overtime
                feasible_seen = on_time_seen = seen = 0
                cur_obj = self.objective(cur, overload=self.excess(cur),
                                         overtime=self.overtime(cur) if soft_time else 0)
            if it % 1000 == 0 and log.isEnabledFor(logging.DEBUG):
                log.debug("it %d t %.1fs temp %.4g current %.0f (travel %d, over %d, late %d s) "
                          "best %.0f cap_penalty %.3g time_penalty %.3g day arm %.3g of %.3g",
                          it, now - t_zero, temp,
                          cur_obj, sum(cur.rcost), self.excess(cur), self.overtime(cur),
                          best_obj, self.cap_penalty, timer.time_penalty,
                          weights[day_arm] if day_arm >= 0 else 0.0, sum(weights))
            if self.progress is not None and it % 50 == 0:
                self.progress(it, best_obj)
        self.stats.iterations = it
        self.stats.search_s = time.perf_counter() - t_search
        if soft_time:
            self._harden(best)
        if reopt and time.perf_counter() < deadline:  # stopped before the share began
            self.reoptimise(best, deadline - time.perf_counter())
        self.stats.day_moves = days.iterations
        if day_share:
            # cold: from where the search's cooling ended (a hot restart costs more
            # than the end phase has time to win back)
            arm_moves = days.iterations
            self.day_search(best, it, final_deadline, days, temp0 * temp_ratio)
            # the end phase's day_moves moves count as one iteration
            self.stats.iterations += (days.iterations - arm_moves) // max(1, self.day_moves)
        self.stats.travel_before_polish = int(sum(best.rcost))
        if p.polish:
            self.polish(best, [s for s, r in enumerate(best.routes) if r], t_zero + p.time_limit)
        return best
