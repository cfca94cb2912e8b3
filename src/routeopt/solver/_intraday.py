"""Ruin and recreate inside each day: the routing half of the search.

The large-neighbourhood search in :mod:`_search` moves whole outlets (every
visit at once), which is what changes their days. Once the days are good, what
is left is the routing of each day among its reps: which rep makes which visit
and in what order. This module searches that alone, in the manner of the slack
induction by string removals (SISR) of Christiaens and Vanden Berghe (2020):

* **ruin**: a random visit and the visits nearest to it *on the same day*; from
  up to a few of that day's routes, a string (consecutive visits) around one
  of them is taken out;
* **recreate**: each removed visit goes back, on the same day, into the route
  where it adds least travel and still fits (on time and within the visit
  limit), in one of four orders (random, largest demand first, farthest from
  the start first, nearest first); only the routes of its nearest visits that
  day, its own and the empty ones are priced;
* **accept** by simulated annealing on the travel cost, plus load over
  capacity and time after the end of shift at the search's penalties where it
  has made them soft.

A visit keeps its day, and its rep unless its outlet may change rep on that
day: an outlet with ``same_rep=False`` may take any rep its option allows on
that day; an outlet visited once in the cycle may take the slot of any of its
nearest reps (``candidate_reps``) that has its day in a pattern.

The search draws these moves as one of its arms, on its current plan
(:meth:`DaySearch.step`), and ends with them on its best plan, with capacity
and the end of shift hard (:meth:`DaySearch.run`). Only the routes a move
touches are copied, and a rejected move is undone.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routeopt.solver._routes import Schedule
    from routeopt.solver._state import Router, State

    # slot -> its route before: sequence, schedule, version, travel cost, each term's use
    Saved = dict[int, tuple[list[int], Schedule, int, int, tuple[int, ...]]]
    Choices = dict[int, tuple[int, tuple[int, ...]] | None]  # node -> its choice before


class DaySearch:
    """String removal and best reinsertion within the days of one plan."""

    def __init__(self, search: Router) -> None:
        self.s = search
        self.inst = search.inst
        self.rng = search.rng
        inst = self.inst
        self.day_of = [sl.day for sl in inst.slots]
        self.day_slots: dict[int, list[int]] = {}
        for t, d in enumerate(self.day_of):
            self.day_slots.setdefault(d, []).append(t)
        self._allowed: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
        self.near: dict[int, Sequence[int]] = {}
        # SISR's parameters: mean number of visits removed, longest string
        self.c_bar = 10.0
        self.l_max = 10.0
        # a removed visit is priced on the routes of its nearest visits that day
        # (up to ``granular`` routes found among its ``granular_scan`` nearest)
        self.granular = 4
        self.granular_scan = 60
        self.iterations = 0
        self.accepted = 0
        self.improved = 0

    # -- where a visit may go ---------------------------------------------------
    def allowed(self, st: State, i: int, s: int) -> list[tuple[int, int]]:
        """(slot, option) pairs on the day of slot ``s`` that may make outlet ``i``'s
        visit now made on ``s``."""
        inst = self.inst
        ch = st.choice[i]
        assert ch is not None
        k = ch[0]
        got = self._allowed.get((i, s, k))
        if got is not None:
            return got
        got = sorted(inst.move_slots(i, k, s, len(ch[1]), day=self.day_of[s]).items())
        self._allowed[(i, s, k)] = got
        return got

    def _near(self, i: int) -> Sequence[int]:
        got = self.near.get(i)
        if got is None:
            got = memoryview(self.inst.near[i][:300])  # a view: no list per node
            self.near[i] = got
        return got

    # -- one move ---------------------------------------------------------------
    def _save(self, st: State, t: int) -> tuple[list[int], Schedule, int, int, tuple[int, ...]]:
        return (st.routes[t][:], st.scheds[t], st.version[t], st.rcost[t],
                tuple(u[t] for u in st.use))

    def slot_cost(self, st: State, t: int) -> float:
        """Route ``t``'s travel cost, plus its objective route terms' cost, its use
        over the soft route terms' limits and its time after the end of the
        shift at the search's current penalties (the last two zero in a plan
        that fits)."""
        srch = self.s
        sl = self.inst.slots[t]
        cost = float(st.rcost[t])
        pen = srch.penalties
        for k in pen.soft:
            over = srch.terms[k].excess(t, st.use[k][t])
            if over > 0:
                cost += pen.term[k] * over
        for k, term in enumerate(srch.terms):
            if term.objective:
                cost += term.cost(t, st.use[k][t])
        late = st.scheds[t].back - sl.shift_end
        if late > 0:
            cost += srch.timer.time_penalty * late
        for goal in srch.objectives:
            cost += goal.route_cost(st, t)
        return cost

    def step(self, st: State, temp: float) -> float:
        """One ruin-and-recreate move on ``st``; returns the change in cost (see
        :meth:`slot_cost`) it kept: 0 when rejected or impossible."""
        rng, srch = self.rng, self.s
        self.iterations += 1
        lengths = [len(r) for r in st.routes]
        total = sum(lengths)
        if total < 2:
            return 0.0
        s0 = rng.choices(range(len(lengths)), lengths)[0]
        seed = st.routes[s0][rng.randrange(lengths[s0])]
        day = self.day_of[s0]
        on_day: dict[int, int] = {}  # node -> slot, for the routes of that day
        busy = 0
        for t in self.day_slots[day]:
            seq = st.routes[t]
            if seq:
                busy += 1
                for j in seq:
                    on_day[j] = t
        mean_len = len(on_day) / max(1, busy)
        ls_max = min(self.l_max, mean_len)
        ks_max = 4.0 * self.c_bar / (1.0 + ls_max) - 1.0
        ks = int(rng.random() * ks_max) + 1
        saved: Saved = {}
        old_cost = 0.0
        removed: list[tuple[int, int]] = []  # (node, slot it was on)
        for j in [seed, *self._near(seed)]:
            if len(saved) >= ks:
                break
            got = on_day.get(j)
            if got is None or got in saved:
                continue
            t = got
            seq = st.routes[t]
            saved[t] = self._save(st, t)
            old_cost += self.slot_cost(st, t)
            n_t = len(seq)
            size = int(rng.random() * min(ls_max, n_t)) + 1
            pos = seq.index(j)
            first = max(0, min(pos - int(rng.random() * size), n_t - size))
            for x in seq[first:first + size]:
                removed.append((x, t))
            del seq[first:first + size]
        old_choice: Choices = {x: st.choice[x] for x, _ in removed}
        ok = True
        for t in saved:
            if not srch._touch(st, t):
                ok = False
                break
        for x, _ in removed:
            del on_day[x]
        if ok:
            back = self._recreate(st, removed, saved, old_cost, on_day)
            ok = back is not None
            if back is not None:
                old_cost = back
        if not ok:
            self._undo(st, saved, old_choice)
            return 0.0
        delta = sum(self.slot_cost(st, t) for t in saved) - old_cost
        if delta < -1e-9 or (temp > 0 and rng.random() < math.exp(-delta / temp)):
            self.accepted += 1
            if delta < -1e-9:
                self.improved += 1
            return delta
        self._undo(st, saved, old_choice)
        return 0.0

    def _recreate(self, st: State, removed: list[tuple[int, int]],
                  saved: Saved,
                  old_cost: float, on_day: dict[int, int]) -> float | None:
        """Put the removed visits back; returns ``old_cost`` plus the cost of the
        routes it touched first, or None when a visit fits nowhere."""
        inst, rng, srch = self.inst, self.rng, self.s
        how = rng.random()
        start = inst.slots[removed[0][1]].start_node
        dist = inst.dist[inst.slots[removed[0][1]].mode]
        if how < 0.4:
            rng.shuffle(removed)
        elif how < 0.6:
            removed.sort(key=lambda v: -inst.demand[v[0]])
        elif how < 0.8:
            removed.sort(key=lambda v: -int(dist[start][v[0]]))
        else:
            removed.sort(key=lambda v: int(dist[start][v[0]]))
        soft = bool(srch.penalties.soft) or bool(srch.objectives)
        for x, was in removed:
            pick: tuple[float, int, int] | None = None
            # granular: only the routes that hold one of its nearest visits that
            # day, its own route, and the empty ones
            near_slots = {was}
            for j in self._near(x)[:self.granular_scan]:
                u = on_day.get(j)
                if u is not None:
                    near_slots.add(u)
                    if len(near_slots) > self.granular:
                        break
            routes = st.routes
            option_at = {t: k for t, k in self.allowed(st, x, was)
                         if t in near_slots or not routes[t]}
            cands = list(option_at)
            native = srch.native_slots(st, x, cands, soft)
            if native is not None:  # the search's pick, each slot priced in the kernel
                for t, r in zip(cands, native, strict=True):
                    if r is not None and (pick is None or r[0] < pick[0]):
                        pick = (r[0], t, r[1])
            else:
                pick = srch._pick(st, x, x, cands, 0.0, None, soft)
            if pick is None:
                return None
            _, t, pos = pick
            k = option_at[t]
            if t not in saved:
                saved[t] = self._save(st, t)
                old_cost += self.slot_cost(st, t)
            seq = st.routes[t]
            seq.insert(pos, x)
            on_day[x] = t
            ok = srch._touch(st, t, st.rcost[t] + srch._arc_delta(t, seq, pos))
            assert ok, "insertion checked feasible must stay feasible"
            ch = st.choice[x]
            assert ch is not None
            st.choice[x] = (k, tuple(t if u == was else u for u in ch[1]))
        return old_cost

    def _undo(self, st: State, saved: Saved, old_choice: Choices) -> None:
        for t, (seq, sched, version, rcost, use) in saved.items():
            st.routes[t] = seq
            st.scheds[t] = sched
            st.version[t] = version
            st.rcost[t] = rcost
            for k, u in enumerate(use):
                st.use[k][t] = u
        for x, ch in old_choice.items():
            st.choice[x] = ch

    # -- the loop ----------------------------------------------------------------
    def run(self, st: State, iterations: int | None, deadline: float,
            clock: Callable[[], float], temp_start: float, temp_end: float, *,
            by_time: bool = False) -> int:
        """Improve ``st`` in place for ``iterations`` moves (None: no limit) or until
        ``deadline`` (by ``clock``); keep the best plan seen. Returns the moves
        made. The soft route terms are hard here.

        The temperature falls from ``temp_start`` to ``temp_end`` over the
        moves, or with ``by_time`` (or no move limit) over the time left before
        ``deadline``.
        """
        with self.s.penalties.hard():
            return self._run(st, iterations, deadline, clock, temp_start, temp_end,
                             by_time=by_time or iterations is None)

    def _run(self, st: State, iterations: int | None, deadline: float,
             clock: Callable[[], float], temp_start: float, temp_end: float, *,
             by_time: bool) -> int:
        best_cost = cur = float(sum(st.rcost))
        best = st.copy()
        ratio = temp_end / temp_start if temp_start > 0 else 1.0
        done = 0
        t0 = clock()
        span = max(1e-9, deadline - t0)
        frac = 0.0
        for it in (range(iterations) if iterations is not None else itertools.count()):
            now = clock()  # every move: one can be long (long routes with a break)
            if now >= deadline:
                break
            if by_time:
                frac = (now - t0) / span
            if not by_time and iterations:
                frac = it / iterations
            temp = temp_start * ratio ** frac
            cur += self.step(st, temp)
            done += 1
            if cur < best_cost - 1e-9:
                best_cost = cur
                best = st.copy()
        if best_cost < sum(st.rcost):
            st.routes, st.scheds, st.version = best.routes, best.scheds, best.version
            st.rcost, st.use, st.choice = best.rcost, best.use, best.choice
        return done
