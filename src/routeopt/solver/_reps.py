"""Choosing the rep of an outlet that keeps one rep (``VisitRule.same_rep``).

Where several reps share a home (an office: the same start, end and travel
mode), the trip from home prices every one of them alike, so neither the
nearest-rep cut of the candidates nor the first plan can tell them apart. This
module gives each such outlet a *sector*: the outlets around a shared home are
swept by angle and cut into one sector per rep, each with about an equal share
of the workload (the share of a rep-day its visits use: demand against the
reps' capacity, service against their shift, see :func:`workload`). An
outlet's own sector's rep comes first among its candidates, then the reps of
the neighbouring sectors; the first plan places it with that rep when the rep
can make every visit.

The search's rep moves are removal operators with a target (``Search.forced``:
outlet -> rep, inserted with that rep first when it can make every visit, the
rest repaired as usual):

* ``rep_move``: an outlet on the border of its rep's territory, with all its
  visits, to the rep of a neighbour (with its nearest outlets re-planned);
* ``rep_swap``: that outlet and the nearest outlet of the other rep change reps;
* ``rep_chain``: an ejection chain, outlet A to rep 2, whose outlet nearest to
  A goes to a third rep;
* ``rep_border``: the outlets along the border between reps' territories.

The first plan may also come from the sectors planned apart
(:func:`split_routes`, ``Tuning.rep_split``): each sector's outlets with its
rep alone, a small search of their own with a share of the budget, the
routes then joined as the whole search's start. Small problems converge much
faster than the whole one (on p13, 417 customers and 9 vehicles, the whole
search was still 2 % behind the sectors planned apart after 30 s); the rep
moves then work from there.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from routeopt.problem import Problem
    from routeopt.solver._loop import Removal
    from routeopt.solver._model import Instance
    from routeopt.solver._state import Router as Search
    from routeopt.solver._state import State
    from routeopt.solver._tuning import Tuning

__all__ = ["REP_REMOVALS", "home_sectors", "sector_gap", "shares_home", "split_routes",
           "workload"]

log = logging.getLogger(__name__)


def _home(problem: Problem, k: int) -> tuple[float, float, float, float, str]:
    r = problem.reps[k]
    return (r.lat, r.lon, r.lat if r.end_lat is None else r.end_lat,
            r.lon if r.end_lon is None else r.end_lon, r.mode)


def shares_home(problem: Problem) -> bool:
    """Whether two reps of ``problem`` share a home (start, end and travel mode)."""
    homes = [_home(problem, k) for k in range(len(problem.reps))]
    return len(set(homes)) < len(homes)


def home_sectors(problem: Problem, far: npt.NDArray[np.int64],
                 weight: list[float]) -> tuple[list[int], dict[int, list[int]]]:
    """Per outlet, the rep of its sector around a shared home, or -1; and per rep
    that shares its home, the reps of that home in sector order (a ring).

    ``far[k, i]``: the trip from rep ``k``'s start to outlet ``i`` and on to its
    end; ``weight[i]``: the outlet's workload. Only outlets that keep one rep,
    are free to take any rep, and whose nearest rep (ties by position) shares
    its home with another rep get a sector. The sweep around each home starts
    after the widest empty angle; ties in angle go by position.
    """
    n_out = len(problem.outlets)
    out = [-1] * n_out
    groups: dict[tuple[float, float, float, float, str], list[int]] = {}
    for k in range(len(problem.reps)):
        groups.setdefault(_home(problem, k), []).append(k)
    shared = {k: g for g in groups.values() if len(g) > 1 for k in g}
    if not shared or n_out == 0:
        return out, {}
    nearest = np.argmin(far, axis=0)  # the first of any tie
    members: dict[int, list[int]] = {}
    for i, o in enumerate(problem.outlets):
        if not o.rule.same_rep or o.rep_id is not None:
            continue
        g = shared.get(int(nearest[i]))
        if g is not None:
            members.setdefault(g[0], []).append(i)
    for first, outs in members.items():
        reps = shared[first]
        lat0, lon0 = problem.reps[first].lat, problem.reps[first].lon
        scale = math.cos(math.radians(lat0))
        ang = {i: math.atan2(problem.outlets[i].lat - lat0,
                             (problem.outlets[i].lon - lon0) * scale) for i in outs}
        order = sorted(outs, key=lambda i: (ang[i], i))
        if len(order) > 1:
            gaps = [(ang[order[(p + 1) % len(order)]] - ang[order[p]]) % (2 * math.pi)
                    for p in range(len(order))]
            start = (max(range(len(gaps)), key=lambda p: (gaps[p], -p)) + 1) % len(order)
            order = order[start:] + order[:start]
        total = sum(weight[i] for i in order) or 1.0
        acc = 0.0
        for i in order:
            part = min(len(reps) - 1, int((acc + weight[i] / 2) / total * len(reps)))
            out[i] = reps[part]
            acc += weight[i]
    return out, shared


def workload(problem: Problem, need: list[int]) -> list[float]:
    """Per outlet, the share of a rep-day that its visits use: each visit's
    demand over the reps' mean capacity, plus its service time over their mean
    shift, plus one over their mean ``max_visits`` (each term where the reps
    have that limit).

    The sectors so balance what binds a rep's day: the load where a capacity
    binds (the Cordeau instances, whose baseline balances demand x
    frequency), the hours where the shift binds. Where no term applies (no
    capacity, no service, no visit cap) every visit weighs one.
    """
    outs, reps = problem.outlets, problem.reps
    caps = [r.capacity for r in reps if r.capacity]
    cap = sum(caps) / len(caps) if caps else 0.0
    shift = sum(r.shift.end - r.shift.start for r in reps) / max(1, len(reps))
    maxv = [r.max_visits for r in reps if r.max_visits]
    per_visit = len(maxv) / sum(maxv) if maxv else 0.0
    out = []
    for i, o in enumerate(outs):
        w = per_visit + (o.demand / cap if cap else 0.0) + (o.service / shift if shift > 0 else 0.0)
        out.append(need[i] * (w if w > 0 else 1.0))
    return out


def sector_gap(reps: list[int], a: int, b: int) -> int:
    """How many sectors apart reps ``a`` and ``b`` are around their home (the
    sectors of ``reps`` in sweep order, a ring)."""
    pa, pb = reps.index(a), reps.index(b)
    d = abs(pa - pb)
    return min(d, len(reps) - d)


# -- the sectors planned apart ---------------------------------------------------------
def can_split(inst: Instance) -> bool:
    """Whether :func:`split_routes` applies: at least two reps with outlets in
    their sector, one node per outlet (no appointment made apart), no locked
    date and no reference plan."""
    p = inst.problem
    return (inst.start_routes is None and not p.locked and inst.n == len(p.outlets)
            and len({h for h in inst.home_rep if h >= 0}) > 1)


def split_routes(inst: Instance, share: float, started: float,
                 tuning: Tuning | None = None) -> list[list[int]]:
    """Per slot of ``inst``, the route found for it by planning each sector's
    outlets with its rep alone (see :func:`can_split`).

    Each sector gets ``share`` of the iteration budget, split among the
    sectors by their outlets, or without an iteration budget that share of
    the time limit from ``started``; its search runs with the same seed and
    ``tuning`` (default: the tuned one) and one worker, so that the routes are
    the same for the same input, seed and iteration stop. With an iteration
    budget the clock only stops the sectors at the time limit (each sector's
    search then has the time left).
    """
    from routeopt.exceptions import InputError
    from routeopt.problem import Problem
    from routeopt.solver._loop import NO_ITERATION_BUDGET
    from routeopt.solver._model import compile_problem
    from routeopt.solver._search import Search

    p, params = inst.problem, inst.params
    n_out = len(p.outlets)
    groups: dict[int, list[int]] = {}
    for i in range(n_out):
        if inst.home_rep[i] >= 0:
            groups.setdefault(inst.home_rep[i], []).append(i)
    total = sum(len(g) for g in groups.values())
    slot_at = {(sl.rep, sl.date): sl.index for sl in inst.slots}
    routes: list[list[int]] = [[] for _ in inst.slots]
    by_iterations = params.max_iterations < NO_ITERATION_BUDGET
    end = started + (1.0 if by_iterations else share) * params.time_limit
    for k in sorted(groups):
        outs = groups[k]
        left = end - time.perf_counter()
        if left <= 0:
            if by_iterations:
                log.warning("time limit: the sectors planned apart stopped before the "
                            "iteration budget did; the plan depends on this machine's speed")
            break
        part = len(outs) / total
        keep = [*outs, n_out + 2 * k, n_out + 2 * k + 1]
        mats = {m: type(tm)(tm.durations[np.ix_(keep, keep)], tm.distances[np.ix_(keep, keep)])
                for m, tm in inst.matrices.items()}
        try:
            sub = Problem(outlets=tuple(p.outlets[i] for i in outs), reps=(p.reps[k],),
                          horizon=p.horizon, plan_from=p.plan_from)
        except InputError:  # a rule this rep alone cannot meet: left to the whole search
            continue
        its = (max(1, round(share * part * params.max_iterations)) if by_iterations
               else params.max_iterations)
        sub_params = dataclasses.replace(
            params, time_limit=left if by_iterations
            else max(left * len(outs) / sum(len(groups[j]) for j in groups if j >= k), 1e-3),
            max_iterations=its, max_no_improvement=min(its, params.max_no_improvement),
            workers=1)
        sub_inst = compile_problem(sub, sub_params, matrices=mats)
        search = Search(sub_inst, tuning=tuning)
        st = search.run(started=time.perf_counter())
        for s, seq in enumerate(st.routes):
            sl = sub_inst.slots[s]
            full = slot_at.get((k, sl.date))
            if full is not None:
                routes[full] = [outs[j] for j in seq]
    return routes


# -- the search's rep moves ---------------------------------------------------------
def rep_of(inst: Instance, st: State, i: int) -> int:
    """The rep of placed outlet ``i`` when its option fixes one, else -1."""
    ch = st.choice[i]
    if ch is None or not ch[1]:
        return -1
    return inst.options[i][ch[0]].rep


def _movable(inst: Instance, st: State, i: int) -> bool:
    return len(inst.near_reps[i]) > 1 and rep_of(inst, st, i) >= 0


def _border(search: Search, st: State) -> list[int]:
    """Placed outlets that could change rep and have one of their ``rep_near``
    nearest outlets on another rep."""
    inst = search.inst
    k = search.tuning.rep_near
    out = []
    for i in range(inst.n):
        if not _movable(inst, st, i):
            continue
        r = rep_of(inst, st, i)
        for j in inst.near[i][1:k + 1]:
            rj = rep_of(inst, st, int(j))
            if rj >= 0 and rj != r:
                out.append(i)
                break
    return out


def _neighbour_rep(search: Search, st: State, i: int, avoid: tuple[int, ...]) -> int:
    """The rep of the nearest outlet to ``i`` whose rep is not in ``avoid`` and may
    take ``i``; failing that, one of ``i``'s candidate reps at random; -1 if none."""
    inst = search.inst
    allowed = inst.near_reps[i]
    for j in inst.near[i][1:search.tuning.rep_near + 1]:
        rj = rep_of(inst, st, int(j))
        if rj >= 0 and rj not in avoid and rj in allowed:
            return rj
    rest = [r for r in allowed if r not in avoid]
    return search.rng.choice(rest) if rest else -1


def _nearest_on(search: Search, st: State, i: int, rep: int, to: int) -> int:
    """The outlet nearest to ``i`` on ``rep`` that may go to rep ``to`` (-1: none)."""
    inst = search.inst
    for j in inst.near[i][1:]:
        j = int(j)
        if rep_of(inst, st, j) == rep and (to < 0 or to in inst.near_reps[j]):
            return j
    return -1


def _with_related(search: Search, st: State, core: list[int], q: int) -> list[int]:
    """``core`` and up to ``q - len(core)`` placed outlets near its first (each
    with probability 0.85)."""
    out = list(core)
    rng = search.rng
    for j in search.inst.near[core[0]][1:]:
        if len(out) >= q:
            break
        j = int(j)
        if j not in out and st.choice[j] is not None and rng.random() < 0.85:
            out.append(j)
    return out


def _pick_border(search: Search, st: State) -> int:
    pool = _border(search, st)
    return search.rng.choice(pool) if pool else -1


def remove_rep_move(search: Search, st: State, q: int) -> list[int]:
    """A border outlet to a neighbouring rep, with its nearest outlets re-planned."""
    a = _pick_border(search, st)
    if a < 0:
        return []
    to = _neighbour_rep(search, st, a, (rep_of(search.inst, st, a),))
    if to < 0:
        return []
    search.forced[a] = to
    return _with_related(search, st, [a], q)


def remove_rep_swap(search: Search, st: State, q: int) -> list[int]:
    """A border outlet and the nearest outlet of a neighbouring rep change reps."""
    inst = search.inst
    a = _pick_border(search, st)
    if a < 0:
        return []
    ra = rep_of(inst, st, a)
    rb = _neighbour_rep(search, st, a, (ra,))
    if rb < 0:
        return []
    b = _nearest_on(search, st, a, rb, ra)
    search.forced[a] = rb
    if b < 0:
        return _with_related(search, st, [a], q)
    search.forced[b] = ra
    return _with_related(search, st, [a, b], q)


def remove_rep_chain(search: Search, st: State, q: int) -> list[int]:
    """An ejection chain: a border outlet A to rep 2, whose outlet nearest to A
    goes to a third rep (or back to A's where there is none)."""
    inst = search.inst
    a = _pick_border(search, st)
    if a < 0:
        return []
    r1 = rep_of(inst, st, a)
    r2 = _neighbour_rep(search, st, a, (r1,))
    if r2 < 0:
        return []
    search.forced[a] = r2
    b = _nearest_on(search, st, a, r2, -1)
    if b < 0:
        return _with_related(search, st, [a], q)
    r3 = _neighbour_rep(search, st, b, (r1, r2))
    if r3 < 0:
        r3 = r1 if r1 in inst.near_reps[b] else -1
    if r3 >= 0:
        search.forced[b] = r3
    return _with_related(search, st, [a, b], q)


def remove_rep_border(search: Search, st: State, q: int) -> list[int]:
    """Border outlets around a random one, nearest first (each with probability 0.85)."""
    pool = _border(search, st)
    if not pool:
        return []
    rng = search.rng
    on = set(pool)
    seed = rng.choice(pool)
    out = [seed]
    for j in search.inst.near[seed][1:]:
        if len(out) >= q:
            break
        j = int(j)
        if j in on and rng.random() < 0.85:
            out.append(j)
    return out


REP_REMOVALS: dict[str, Removal] = {
    "rep_move": remove_rep_move,
    "rep_swap": remove_rep_swap,
    "rep_chain": remove_rep_chain,
    "rep_border": remove_rep_border,
}
"""The rep moves by name, in the order their arms are built (after the others)."""
