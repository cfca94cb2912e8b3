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
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from routeopt.problem import Problem
    from routeopt.solver._loop import Removal
    from routeopt.solver._model import Instance
    from routeopt.solver._state import Router as Search
    from routeopt.solver._state import State

__all__ = ["REP_REMOVALS", "home_sectors", "sector_gap", "shares_home", "workload"]


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
