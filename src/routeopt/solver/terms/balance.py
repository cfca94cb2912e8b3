"""Balanced days: each rep's work spread evenly over the rep's working days.

A route's *work* is its service plus its travel time (seconds). Per slot (a
rep on a working day) the term costs::

    w * |work - T_rep|  +  w * m_rep * |visits - N_rep|  +  P * max(0, min_visits - visits)

with ``w = balance_weight / 60`` (travel-cost units per second), ``T_rep`` the
rep's ``target_day`` or, without one, the mean work of the rep's slots in the
current plan, ``N_rep`` the mean visits of those slots, ``m_rep`` the rep's
mean work per visit (so a visit off the mean costs as much as its minutes)
and ``P`` the price of a visit short of ``Rep.min_visits``
(``Tuning.min_visits_price``). Minutes alone leave days of many short visits
beside days of few long ones (on the Monaco example, busiest over quietest
day 2.0 with minutes alone); the visit part closes that. An empty working
day lies a whole ``T_rep`` off, so a route that the rep's workload can fill
is never left empty. The means follow the plan (:meth:`DayBalance.refresh`):
a fixed target would ask for work the territory does not have.

**Balanced reps** (``SolveParams.workload_band`` above 0). Where outlets may
go to several reps (an outlet with options of two reps or more), a rep's day
target also carries the team: the rep's
total work is held to ``SolveParams.workload_band`` of the team mean (the mean
of the reps' totals), so a rep above the band gets the band's edge as target,
spread over its working days, and its days pay for the work above it; a rep
below it, for the work missing. Which outlets move between reps stays the
search's choice, at the balance weight against travel: where geography does
not allow it (a rep's outlets far from the others), travel wins.

Unlike GlobalSpan-style costs (the longest route), a cost per route on its
deviation tells [6, 6, 0, 0] from [6, 2, 2, 2]: every day away from the mean
pays.

OR-Tools is not told: it re-orders one route at a time, whose visits (and so
its visit count and service) are fixed; only travel changes, and OR-Tools
lowers it. The whole-plan re-optimisation keeps its answer only when the
search's objective, this term included, is lower.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routeopt.solver.terms._objective import ObjectiveTerm

if TYPE_CHECKING:
    from routeopt.solver._model import Instance
    from routeopt.solver._state import State


class DayBalance(ObjectiveTerm):
    """Work and visits per day near the rep's targets; ``min_visits`` a day."""

    def __init__(self, inst: Instance, min_visits_price: float) -> None:
        reps = inst.problem.reps
        self.w = inst.params.balance_weight / 60.0
        self.service = inst.service
        self.dur = {m: inst.rows(a) for m, a in inst.dur.items()}  # shared with the timing
        self.slots = inst.slots
        self.min_visits = [reps[sl.rep].min_visits or 0 for sl in inst.slots]
        self.min_price = min_visits_price
        self.fixed = [reps[sl.rep].target_day for sl in inst.slots]
        self.active = bool(inst.slots) and (self.w > 0 or any(self.min_visits))
        self.by_rep: dict[int, list[int]] = {}
        for s, sl in enumerate(inst.slots):
            self.by_rep.setdefault(sl.rep, []).append(s)
        # balanced reps: only where some outlet may go to two reps or more
        self.band = inst.params.workload_band
        self.shared = self.band > 0 and len(self.by_rep) > 1 and any(
            any(o.rep < 0 for o in opts) or len({o.rep for o in opts}) > 1
            for opts in inst.options)
        # before the first plan: the whole workload spread over every slot
        ns = max(1, len(inst.slots))
        visits = sum(inst.need)
        work = 1.2 * sum(inst.service[i] * inst.need[i] for i in range(inst.n))
        self.target = [float(f) if f is not None else work / ns for f in self.fixed]
        self.target_n = [visits / ns] * len(inst.slots)
        self.per_visit = [self.w * work / max(1, visits)] * len(inst.slots)
        self._work: dict[int, tuple[int, int]] = {}  # slot -> (route version, work)

    def work(self, st: State, s: int) -> int:
        """Service plus travel seconds of route ``s``."""
        ver = st.version[s]
        hit = self._work.get(s)
        if hit is not None and hit[0] == ver:
            return hit[1]
        seq = st.routes[s]
        total = 0
        if seq:
            sl = self.slots[s]
            d = self.dur[sl.mode]
            prev = sl.start_node
            for i in seq:
                total += d[prev][i] + self.service[i]
                prev = i
            total += d[prev][sl.end_node]
        self._work[s] = (ver, total)
        return total

    def cost(self, s: int, work: float, visits: int) -> float:
        """What a route of slot ``s`` with ``work`` seconds and ``visits`` costs."""
        c = self.w * abs(work - self.target[s]) + self.per_visit[s] * abs(visits - self.target_n[s])
        short = self.min_visits[s] - visits
        if short > 0:
            c += self.min_price * short
        return c

    def route_cost(self, st: State, s: int) -> float:
        return self.cost(s, self.work(st, s), len(st.routes[s]))

    def insert_cost(self, st: State, i: int, s: int, pos: int) -> float:
        seq = st.routes[s]
        sl = self.slots[s]
        d = self.dur[sl.mode]
        p = seq[pos - 1] if pos > 0 else sl.start_node
        if seq:
            q = seq[pos] if pos < len(seq) else sl.end_node
            added = d[p][i] + d[i][q] - d[p][q]
        else:
            added = d[sl.start_node][i] + d[i][sl.end_node]
        work = self.work(st, s)
        n = len(seq)
        # self.cost(s, work + added + service, n + 1) - self.cost(s, work, n), inline
        # (the same arithmetic in the same order: the hot path of the repair)
        w, target, per_visit, target_n = self.w, self.target[s], self.per_visit[s], self.target_n[s]
        after = w * abs(work + added + self.service[i] - target) + per_visit * abs(n + 1 - target_n)
        short = self.min_visits[s] - n - 1
        if short > 0:
            after += self.min_price * short
        before = w * abs(work - target) + per_visit * abs(n - target_n)
        if short + 1 > 0:
            before += self.min_price * (short + 1)
        return after - before

    def refresh(self, st: State) -> bool:
        changed = False
        totals = {r: sum(self.work(st, s) for s in ss) for r, ss in self.by_rep.items()}
        team = sum(totals.values()) / len(totals)
        for r, ss in self.by_rep.items():
            works = [self.work(st, s) for s in ss]
            visits = sum(len(st.routes[s]) for s in ss)
            total = float(totals[r])
            if self.shared:  # the rep's total held within the band of the team mean
                total = min(max(total, team * (1.0 - self.band)), team * (1.0 + self.band))
            mean = total / len(ss)
            mean_n = visits / len(ss)
            per_visit = self.w * sum(works) / max(1, visits)
            for s in ss:
                fixed = self.fixed[s]
                t = float(fixed) if fixed is not None else mean
                if (t, mean_n, per_visit) != (self.target[s], self.target_n[s],
                                              self.per_visit[s]):
                    changed = True
                    self.target[s], self.target_n[s], self.per_visit[s] = t, mean_n, per_visit
        return changed
