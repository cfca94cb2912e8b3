"""Local search over the routes of one day: the classic routing moves.

The pattern search (:mod:`_search`) re-inserts whole outlets one at a time,
and the day search (:mod:`_intraday`) ruins and recreates strings. Neither
makes the small exchanges a routing local search is made of, which is what
keeps a repaired day close to a local optimum. This module makes them, in the
manner of the "education" of hybrid genetic search (Vidal et al. 2012,
granular neighbourhoods of Toth and Vigo 2003), on the routes of one day:

* **relocate** a string of 1 to 3 consecutive visits (as it is or reversed)
  after or before a neighbouring visit, in the same route or another route of
  the day (or-opt when in the same route);
* **swap** two visits;
* **2-opt** inside a route (a stretch between two visits reversed);
* **2-opt\\*** between two routes of the day (their tails exchanged);
* **SWAP\\*** between two routes of the day (Vidal 2022): a visit of each
  route changes route, and each goes to its best place in the other route,
  not only to the place the other left. For each pair of routes the three
  cheapest insertion places of each visit in the other route are found once,
  so that every exchange of the pair is priced in constant time; the best
  exchanges that save travel are then priced exactly.

Each move is tried for a visit ``u`` and each of its ``granular`` nearest
visits ``v`` on the same day; the first move that lowers the cost is kept
(first improvement), and passes over the day's visits go on until none
improves or the budget of move evaluations is spent. The budget is counted
work, never the clock, so that the same seed and iteration budget give the
same plan on any machine.

A move is priced exactly: its routes are re-timed by the search's own
:meth:`~routeopt.solver._search.Search._touch` (time windows, breaks, the end
of the shift, the hard route terms) and their cost is the day search's
:meth:`~routeopt.solver._intraday.DaySearch.slot_cost` (travel, the soft route
terms over their limits and overtime at the current penalties, the objective
terms): the cost the search itself accepts plans on, read through the terms'
seam. A move is kept only when that cost falls and neither the use over the
soft terms' limits nor the overtime grows, so a feasible day stays feasible.
A move that does not shorten the travel is not priced (the filter that makes a
granular search cheap): the moves kept save travel.

Visits move between routes only where their outlet's rule allows
(:meth:`~routeopt.solver._intraday.DaySearch.allowed`: ``same_rep``, the
option's slots that day), and each keeps its day.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routeopt.solver._intraday import DaySearch, Saved
    from routeopt.solver._state import State

__all__ = ["MOVES", "LocalSearch"]

MOVES = frozenset({"relocate", "swap", "two_opt", "two_opt_star", "swap_star"})
"""The names of the moves (all on by default)."""

Moved = list[tuple[int, int, int]]  # (node, slot it leaves, slot it joins)
Build = Callable[[], tuple[dict[int, list[int]], Moved]]  # a move's new routes, its moved visits


class LocalSearch:
    """First-improvement granular local search on the routes of a day.

    Parameters
    ----------
    days
        The day search of the same search (its cost of a route, where a visit
        may go, the day of each slot).
    granular
        How many nearest visits on the same day each visit is tried with.
    moves
        The moves tried (names of :data:`MOVES`).
    """

    def __init__(self, days: DaySearch, granular: int = 10,
                 moves: Collection[str] = MOVES) -> None:
        unknown = set(moves) - MOVES
        if unknown:
            raise ValueError(f"unknown moves: {sorted(unknown)}")
        self.relocate, self.swap = "relocate" in moves, "swap" in moves
        self.two_opt, self.two_opt_star = "two_opt" in moves, "two_opt_star" in moves
        self.swap_star = "swap_star" in moves
        self.ds = days
        self.s = days.s
        self.inst = days.inst
        self.granular = granular
        self.evaluations = 0  # candidate moves considered, over the run
        self.applied = 0  # moves kept, over the run

    # -- the loop -----------------------------------------------------------------
    def improve_days(self, st: State, days: Iterable[int], max_evals: int,
                     deadline: float | None = None,
                     focus: Collection[int] | None = None, only_focus: bool = False) -> float:
        """Improve the routes of each of ``days`` of ``st`` in place, trying at most
        ``max_evals`` moves over all of them; returns the change in cost (see
        :meth:`DaySearch.slot_cost`), 0 or negative.

        ``deadline`` (by :func:`time.perf_counter`, checked between days) is
        only for searches stopped by the clock alone: with an iteration budget
        the count of moves is the only limit, so that plans do not depend on
        the machine's speed. ``focus``: the first pass over a day tries the
        moves of the visits of these slots only (the routes a repair changed);
        with ``only_focus``, every pass does.
        """
        budget = [max_evals]
        gain = 0.0
        for d in days:
            if budget[0] <= 0 or (deadline is not None and time.perf_counter() >= deadline):
                break
            gain += self._improve_day(st, d, budget, focus, only_focus)
        return gain

    def _improve_day(self, st: State, day: int, budget: list[int],
                     focus: Collection[int] | None, only_focus: bool = False) -> float:
        slots = self.ds.day_slots.get(day, [])
        where: dict[int, int] = {}
        for t in slots:
            for x in st.routes[t]:
                where[x] = t
        if len(where) < 2:
            return 0.0
        gain = 0.0
        improved = True
        first = True
        while improved and budget[0] > 0:
            improved = False
            for t in slots:
                if first and focus is not None and t not in focus:
                    continue
                for u in list(st.routes[t]):
                    if budget[0] <= 0:
                        return gain
                    got = self._moves_of(st, u, where, budget)
                    if got is not None:
                        gain += got
                        improved = True
            if self.swap_star and not improved:
                # the dearer move, once the others find nothing more
                for a, b in itertools.combinations(slots, 2):
                    if budget[0] <= 0:
                        return gain
                    if first and focus is not None and a not in focus and b not in focus:
                        continue
                    got = self._swap_star(st, a, b, where, budget)
                    if got is not None:
                        gain += got
                        improved = True
            first = only_focus
        return gain

    def _moves_of(self, st: State, u: int, where: dict[int, int],
                  budget: list[int]) -> float | None:
        """The first improving move of ``u`` with one of its near visits, made;
        its change in cost, or None."""
        a = where.get(u)
        if a is None:
            return None
        found = 0
        for v in self.ds._near(u):
            if found >= self.granular:
                break
            b = where.get(v)
            if b is None or v == u:
                continue
            found += 1
            for delta, build in self._candidates(st, u, a, v, b):
                budget[0] -= 1
                self.evaluations += 1
                if delta < 0:
                    new, moved = build()
                    got = self._try(st, new, moved, where)
                    if got is not None:
                        return got
                if budget[0] <= 0:
                    return None
        return None

    # -- the moves ----------------------------------------------------------------
    def _candidates(self, st: State, u: int, a: int, v: int,
                    b: int) -> Iterable[tuple[int, Build]]:
        """The moves of ``u`` (on slot ``a``) with ``v`` (on slot ``b``): each as its
        change in travel cost and a function that builds it (the new routes by
        slot, and the visits that change slot). The travel change is found from
        the arcs a move changes wherever that is a constant amount of work."""
        slots, cost = self.inst.slots, self.s.timer.cost
        ra, rb = st.routes[a], st.routes[b]
        sa, sb = slots[a], slots[b]
        c = cost[sa.mode]
        pa = [sa.start_node, *ra, sa.end_node]
        pb = pa if a == b else [sb.start_node, *rb, sb.end_node]
        i, j = ra.index(u), rb.index(v)  # u is pa[i + 1], v is pb[j + 1]
        same_mode = sa.mode == sb.mode
        # relocate 1-3 visits from u on, as they are or reversed, after or before v
        for n in (1, 2, 3) if self.relocate else ():
            if i + n > len(ra) or (a == b and i <= j < i + n):
                break
            seg = ra[i:i + n]
            first, last = seg[0], seg[-1]
            p, q = pa[i], pa[i + n + 1]
            fwd = sum(c[seg[k]][seg[k + 1]] for k in range(n - 1))
            rev = sum(c[seg[k + 1]][seg[k]] for k in range(n - 1))
            out = c[p][first] + fwd + c[last][q] - c[p][q]
            if a != b and n == len(ra):
                out += c[p][q]  # the route empties: it costs nothing
            for flip in (False, True) if n > 1 else (False,):
                f, l_, inner = (last, first, rev) if flip else (first, last, fwd)
                for after in (True, False):
                    if a == b:
                        # v's neighbours once the string is out
                        if after:
                            x, y = v, (q if j + 1 == i else pa[j + 2])
                        else:
                            x, y = (p if j == i + n else pa[j]), v
                        if (x, y) == (p, q) and not flip:
                            continue
                        cb = c
                    else:
                        x, y = (v, pb[j + 2]) if after else (pb[j], v)
                        cb = c
                        if not same_mode:
                            cb = cost[sb.mode]
                            piece = seg[::-1] if flip else seg
                            inner = sum(cb[g][h] for g, h in itertools.pairwise(piece))
                    add = cb[x][f] + inner + cb[l_][y] - cb[x][y]
                    yield add - out, self._relocate(st, a, b, i, n, v, flip, after)
        if a == b:
            if self.swap and abs(i - j) > 1:  # swap two visits of one route, apart
                yield (c[pa[i]][v] + c[v][pa[i + 2]] + c[pa[j]][u] + c[u][pa[j + 2]]
                       - c[pa[i]][u] - c[u][pa[i + 2]] - c[pa[j]][v] - c[v][pa[j + 2]],
                       self._swap(st, a, b, i, j))
            # 2-opt: reverse the stretch that makes v follow u (or u follow v)
            lo, hi = (i + 1, j + 1) if i < j else (j, i)
            if self.two_opt and hi - lo >= 2:
                stretch = ra[lo:hi]
                d = (c[pa[lo]][stretch[-1]] + c[stretch[0]][pa[hi + 1]]
                     - c[pa[lo]][stretch[0]] - c[stretch[-1]][pa[hi + 1]]
                     + sum(c[stretch[k + 1]][stretch[k]] - c[stretch[k]][stretch[k + 1]]
                           for k in range(len(stretch) - 1)))
                yield d, self._two_opt(st, a, lo, hi)
            return
        cb = cost[sb.mode]
        if self.swap:
            yield (c[pa[i]][v] + c[v][pa[i + 2]] + cb[pb[j]][u] + cb[u][pb[j + 2]]
                   - c[pa[i]][u] - c[u][pa[i + 2]] - cb[pb[j]][v] - cb[v][pb[j + 2]],
                   self._swap(st, a, b, i, j))
        # 2-opt*: u followed by v's successor, or by v itself
        if not same_mode or not self.two_opt_star:
            return
        for cut in (j + 1, j):
            if i + 1 == len(ra) and cut == len(rb):
                continue
            if cut == 0 and i + 1 == len(ra):
                continue  # B would end empty: the same as relocating B's visits
            na, nb = pa[i + 2], pb[cut + 1]  # first of each tail (or the end)
            d = (c[u][nb if cut < len(rb) else sa.end_node]
                 + c[pb[cut]][na if i + 1 < len(ra) else sb.end_node]
                 - c[u][na] - c[pb[cut]][nb])
            yield d, self._tails(st, a, b, i, cut)

    # -- SWAP* ---------------------------------------------------------------------
    def _swap_star(self, st: State, a: int, b: int, where: dict[int, int],
                   budget: list[int]) -> float | None:
        """The best exchanges of a visit of route ``a`` with one of route ``b``,
        each put in its best place in the other route, priced on travel; the
        first of the (at most three) cheapest that lowers the cost is made. Its
        change in cost, or None."""
        ra, rb = st.routes[a], st.routes[b]
        slots = self.inst.slots
        sa, sb = slots[a], slots[b]
        if not ra or not rb or sa.mode != sb.mode:
            return None
        c = self.s.timer.cost[sa.mode]
        pa = [sa.start_node, *ra, sa.end_node]
        pb = [sb.start_node, *rb, sb.end_node]
        # the visits that may change route, and what taking each out saves
        us = [(k, u) for k, u in enumerate(ra) if self._may_move(st, u, a, b)]
        vs = [(k, v) for k, v in enumerate(rb) if self._may_move(st, v, b, a)]
        if not us or not vs:
            return None
        budget[0] -= len(us) * len(vs)
        self.evaluations += len(us) * len(vs)
        out_a = {k: c[pa[k]][pa[k + 2]] - c[pa[k]][u] - c[u][pa[k + 2]] for k, u in us}
        out_b = {k: c[pb[k]][pb[k + 2]] - c[pb[k]][v] - c[v][pb[k + 2]] for k, v in vs}
        top_b = {k: _top3(c, u, pb) for k, u in us}  # u's places in b: (cost, after pb[e])
        top_a = {k: _top3(c, v, pa) for k, v in vs}
        found: list[tuple[int, int, int, int, int]] = []  # (delta, ka, kb, ea, eb)
        for ka, u in us:
            tb, oa = top_b[ka], out_a[ka]
            for kb, v in vs:
                # u into b once v is out: in v's place, or a listed place not next to v
                ins_u = c[pb[kb]][u] + c[u][pb[kb + 2]] - c[pb[kb]][pb[kb + 2]]
                eb = kb
                for cost, e in tb:
                    if e != kb and e != kb + 1:
                        if cost < ins_u:
                            ins_u, eb = cost, e
                        break
                ins_v = c[pa[ka]][v] + c[v][pa[ka + 2]] - c[pa[ka]][pa[ka + 2]]
                ea = ka
                for cost, e in top_a[kb]:
                    if e != ka and e != ka + 1:
                        if cost < ins_v:
                            ins_v, ea = cost, e
                        break
                delta = oa + out_b[kb] + ins_u + ins_v
                if delta < 0:
                    found.append((delta, ka, kb, ea, eb))
        found.sort()
        for _, ka, kb, ea, eb in found[:3]:
            u, v = ra[ka], rb[kb]
            # the new routes: v after pa[ea] in a without u, u after pb[eb] in b without v
            new_a = _put(ra, ka, v, ea)
            new_b = _put(rb, kb, u, eb)
            got = self._try(st, {a: new_a, b: new_b}, [(u, a, b), (v, b, a)], where)
            if got is not None:
                return got
        return None

    def _may_move(self, st: State, x: int, was: int, to: int) -> bool:
        return any(t == to for t, _ in self.ds.allowed(st, x, was))

    # the builders: each returns the new routes by slot and the visits that move
    def _relocate(self, st: State, a: int, b: int, i: int, n: int, v: int, flip: bool,
                  after: bool) -> Build:
        def build() -> tuple[dict[int, list[int]], Moved]:
            ra = st.routes[a]
            seg = ra[i:i + n]
            piece = seg[::-1] if flip else seg
            rest = ra[:i] + ra[i + n:]
            if a == b:
                k = rest.index(v) + (1 if after else 0)
                return {a: rest[:k] + piece + rest[k:]}, []
            rb = st.routes[b]
            k = rb.index(v) + (1 if after else 0)
            return {a: rest, b: rb[:k] + piece + rb[k:]}, [(x, a, b) for x in piece]
        return build

    def _swap(self, st: State, a: int, b: int, i: int, j: int) -> Build:
        def build() -> tuple[dict[int, list[int]], Moved]:
            ra, rb = st.routes[a], st.routes[b]
            u, v = ra[i], rb[j]
            if a == b:
                new = ra[:]
                new[i], new[j] = v, u
                return {a: new}, []
            return ({a: [*ra[:i], v, *ra[i + 1:]], b: [*rb[:j], u, *rb[j + 1:]]},
                    [(u, a, b), (v, b, a)])
        return build

    def _two_opt(self, st: State, a: int, lo: int, hi: int) -> Build:
        def build() -> tuple[dict[int, list[int]], Moved]:
            ra = st.routes[a]
            return {a: ra[:lo] + ra[lo:hi][::-1] + ra[hi:]}, []
        return build

    def _tails(self, st: State, a: int, b: int, i: int, cut: int) -> Build:
        def build() -> tuple[dict[int, list[int]], Moved]:
            ra, rb = st.routes[a], st.routes[b]
            tail_a, tail_b = ra[i + 1:], rb[cut:]
            return ({a: ra[:i + 1] + tail_b, b: rb[:cut] + tail_a},
                    [(x, a, b) for x in tail_a] + [(x, b, a) for x in tail_b])
        return build

    # -- pricing a move -----------------------------------------------------------
    def _infeasibility(self, st: State, t: int) -> int:
        """Route ``t``'s use over the soft terms' limits plus its overtime."""
        srch = self.s
        total = sum(srch.terms[k].excess(t, st.use[k][t]) for k in srch.penalties.soft)
        late = st.scheds[t].back - self.inst.slots[t].shift_end
        return total + max(0, late)

    def _try(self, st: State, new: dict[int, list[int]], moved: Moved,
             where: dict[int, int]) -> float | None:
        """Make the move if it lowers the cost (see the module); its change in cost,
        or None (and ``st`` unchanged)."""
        srch, ds, timer, slots = self.s, self.ds, self.s.timer, self.inst.slots
        travel = {t: timer.route_cost(slots[t], seq) for t, seq in new.items()}
        if sum(travel[t] - st.rcost[t] for t in new) >= 0:
            return None
        choices: dict[int, tuple[int, tuple[int, ...]]] = {}
        for x, was, to in moved:
            ch = choices.get(x) or st.choice[x]
            assert ch is not None
            k = next((kk for tt, kk in ds.allowed(st, x, was) if tt == to), None)
            if k is None:
                return None
            choices[x] = (k, tuple(to if w == was else w for w in ch[1]))
        saved: Saved = {t: ds._save(st, t) for t in new}
        old_cost = sum(ds.slot_cost(st, t) for t in new)
        old_bad = sum(self._infeasibility(st, t) for t in new)
        old_choice = {x: st.choice[x] for x in choices}
        ok = True
        for t, seq in new.items():
            st.routes[t] = seq
            if not srch._touch(st, t, travel[t]):
                ok = False
                break
        if ok:
            for x, ch in choices.items():
                st.choice[x] = ch
            delta = sum(ds.slot_cost(st, t) for t in new) - old_cost
            if (delta < -1e-9
                    and sum(self._infeasibility(st, t) for t in new) <= old_bad):
                for x, _, to in moved:
                    where[x] = to
                self.applied += 1
                return delta
        ds._undo(st, saved, dict(old_choice))
        return None


def _top3(c: Sequence[Sequence[int]], x: int, path: list[int]) -> list[tuple[int, int]]:
    """The three cheapest places for ``x`` in ``path`` (start, visits, end): each as
    its added travel and ``e``, the place after ``path[e]``; cheapest first."""
    best: list[tuple[int, int]] = []
    cx = c[x]
    for e in range(len(path) - 1):
        g, h = path[e], path[e + 1]
        cost = c[g][x] + cx[h] - c[g][h]
        if len(best) < 3:
            best.append((cost, e))
            best.sort()
        elif cost < best[2][0]:
            best[2] = (cost, e)
            best.sort()
    return best


def _put(route: list[int], k: int, x: int, e: int) -> list[int]:
    """``route`` with its visit ``k`` out and ``x`` after its path's ``e``-th node
    (the path is start, visits, end: ``e`` = ``k`` is the visit's own place)."""
    rest = route[:k] + route[k + 1:]
    pos = e if e <= k else e - 1  # places after the visit shift left by one
    return [*rest[:pos], x, *rest[pos:]]
