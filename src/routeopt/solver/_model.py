"""The problem compiled to flat arrays for the search (no OR-Tools here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from routeopt.matrix import GreatCircle, TravelMatrix
from routeopt.patterns import day_patterns
from routeopt.problem import Problem
from routeopt.solver.params import SolveParams
from routeopt.solver.terms import TIME_TERMS, RouteTerm, cut_windows, route_terms

if TYPE_CHECKING:
    from routeopt.plan import Plan

IntArray = npt.NDArray[np.int64]


@dataclass(slots=True)
class Slot:
    """One rep on one planning day: the unit a route belongs to."""

    rep: int
    day: int
    date: date
    start_node: int
    end_node: int
    shift_start: int
    shift_end: int
    break_open: int  # earliest break start (-1: no break)
    break_late: int  # latest break start
    break_dur: int
    mode: str
    index: int  # its position in Instance.slots
    wkey: int  # the key of its visits' start windows: its day, unless a time term cuts them


@dataclass(slots=True)
class Option:
    """A way to visit one outlet: a day pattern, and for each of its days the
    slots (reps on that day) that may make the visit.

    With a fixed person (``VisitRule.same_rep``) there is one option per rep
    and pattern, each day offering that rep's slot only.
    """

    rep: int  # -1: any rep per visit
    days: tuple[int, ...]
    groups: tuple[tuple[int, ...], ...]


@dataclass(slots=True)
class Instance:
    """Everything the search needs, indexed by integers.

    A *node* is what the search places: one per outlet (its rule's visits,
    appointments included), then one per extra visit of an outlet. The
    matrices ``dur``, ``cost`` and ``dist`` are indexed by node, then each
    rep's start and end.
    """

    problem: Problem
    params: SolveParams
    matrices: dict[str, TravelMatrix]
    dur: dict[str, IntArray]
    cost: dict[str, IntArray]
    dist: dict[str, IntArray]
    slots: list[Slot]
    slot_of: dict[tuple[int, int], int]
    service: list[int]
    demand: list[int]
    need: list[int]
    penalty: list[float]
    options: list[list[Option]]
    near_count: list[int]  # per outlet: how many options (the first) belong to its nearest reps
    # node -> day (or a slot's window key, see Slot.wkey) -> start windows
    windows: list[dict[int, tuple[tuple[int, int], ...]]]
    near: IntArray  # outlets sorted by distance, per outlet
    outlet_of: list[int]  # node -> outlet
    priority: list[int]
    label: list[str]  # "" for an outlet's rule, the extra visit's label otherwise
    preferred: list[frozenset[int] | None]  # slots of the reference plan (None: no reference)
    start_routes: list[list[int]] | None  # the reference plan's routes, per slot
    ref_start: dict[tuple[int, int], int]  # (node, slot) -> start in the reference plan
    terms: list[RouteTerm] = field(default_factory=list)  # the route rules that bind somewhere

    @property
    def n(self) -> int:
        return len(self.service)

    # -- where a visit may move (one rule for the day search, OR-Tools' whole-plan
    # search and the choice of whether the day search pays) ------------------------
    def near_options(self, i: int) -> list[Option]:
        """The options of node ``i`` that its nearest reps offer (at least one)."""
        return self.options[i][:max(self.near_count[i], 1)]

    def moves_alone(self, i: int, visits_made: int) -> bool:
        """Whether the visit of node ``i`` may change its day and rep on its own: a
        node visited once in the cycle (its other days are not tied to it)."""
        return self.need[i] == 1 and visits_made == 1

    def move_slots(self, i: int, k: int, s: int, visits_made: int,
                   day: int | None = None) -> dict[int, int]:
        """The slots that may make node ``i``'s visit now made on slot ``s`` with
        option ``k``, each with the option it takes there.

        A visit that moves alone (:meth:`moves_alone`) may go to any slot of its
        nearest reps' options, or stay; any other visit keeps its day and may
        go to the slots of its option for that day (several where the rule lets
        each visit take any rep). ``day``: only the slots of that day.
        """
        if self.moves_alone(i, visits_made):
            out: dict[int, int] = {}
            for kk, opt in enumerate(self.near_options(i)):
                for g in opt.groups:
                    for t in g:
                        if t not in out and (day is None or self.slots[t].day == day):
                            out[t] = kk
            out.setdefault(s, k)
            return out
        group = next(g for g in self.options[i][k].groups if s in g)
        return dict.fromkeys(group, k)


def build_matrices(problem: Problem) -> dict[str, TravelMatrix]:
    """The matrices for every travel mode the reps use."""
    if problem.matrix is not None:
        return dict(problem.matrix)
    provider = GreatCircle()
    pts = problem.points()
    return {mode: provider.matrix(pts, mode) for mode in sorted({r.mode for r in problem.reps})}


def compile_problem(problem: Problem, params: SolveParams,
                    matrices: dict[str, TravelMatrix] | None = None,
                    previous: Plan | None = None) -> Instance:
    """Flatten ``problem`` into an :class:`Instance`.

    ``previous``: a reference plan, the search's starting point and the plan
    a visit is moved away from at ``params.move_penalty`` per visit.
    """
    matrices = matrices if matrices is not None else build_matrices(problem)
    n_out = len(problem.outlets)
    outlet_of = list(range(n_out))
    extras = []
    for i, o in enumerate(problem.outlets):
        for x in o.extra_visits:
            outlet_of.append(i)
            extras.append(x)
    n = len(outlet_of)
    point = np.array(outlet_of + list(range(n_out, n_out + 2 * len(problem.reps))))

    def by_node(a: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return a if not extras else np.ascontiguousarray(a[np.ix_(point, point)])

    dur = {m: by_node(tm.durations) for m, tm in matrices.items()}
    dist = {m: by_node(tm.distances) for m, tm in matrices.items()}
    cost = {
        m: np.rint(params.time_weight * dur[m] + params.distance_weight * dist[m]
                   ).astype(np.int64)
        for m in matrices
    }
    days = problem.planning_days
    slots: list[Slot] = []
    slot_of: dict[tuple[int, int], int] = {}
    for k, rep in enumerate(problem.reps):
        for d, day in enumerate(days):
            if not rep.works_on(day):
                continue
            lunch = rep.lunch
            slot_of[(k, d)] = len(slots)
            slots.append(Slot(
                rep=k, day=d, date=day, start_node=n + 2 * k, end_node=n + 2 * k + 1,
                shift_start=rep.shift.start, shift_end=rep.shift.end,
                break_open=lunch.window.start if lunch else -1,
                break_late=lunch.latest_start if lunch else -1,
                break_dur=lunch.duration if lunch else 0,
                mode=rep.mode, index=len(slots), wkey=d,
            ))
    some = next(iter(dur.values()))
    outlet_d = np.asarray(dist[next(iter(matrices))][:n, :n])
    near = np.argsort(outlet_d + outlet_d.T, axis=1, kind="stable").astype(np.int64)
    windows: list[dict[int, tuple[tuple[int, int], ...]]] = []
    options: list[list[Option]] = []
    near_count: list[int] = []  # options of the nearest reps come first
    need: list[int] = []
    penalty: list[float] = []
    for i, o in enumerate(problem.outlets):
        w: dict[int, tuple[tuple[int, int], ...]] = {}
        for d, day in enumerate(days):
            ws = problem.windows(o, day)
            if ws:
                w[d] = tuple((x.start, x.end) for x in ws)
        windows.append(w)
        need.append(max(problem.regular_visits_of(o), len(o.appointments)))
        penalty.append(params.miss_penalty * params.priority_factor ** (9 - o.priority))
        reps = problem.reps_for(o)
        n_reps_near = len(reps)
        if (o.rule.same_rep and o.rep_id is None and params.candidate_reps
                and len(reps) > params.candidate_reps):
            # nearest reps first (by the trip from their start to the outlet and
            # on to their end); the others come after, priced only when the
            # nearest cannot take every visit
            k_all = np.array([problem.rep_index(r.id) for r in reps])
            far = np.array([some[n + 2 * k, i] + some[i, n + 2 * k + 1] for k in k_all])
            order = k_all[np.argsort(far, kind="stable")]
            n_reps_near = params.candidate_reps
            reps = (tuple(problem.reps[int(k)] for k in sorted(order[:n_reps_near]))
                    + tuple(problem.reps[int(k)] for k in sorted(order[n_reps_near:])))
        opts: list[Option] = []
        if o.rule.same_rep:
            for j, rep in enumerate(reps):
                if j == n_reps_near:
                    near_count.append(len(opts))
                k = problem.rep_index(rep.id)
                for pat in day_patterns(problem, o, rep):
                    opts.append(Option(k, pat, tuple((slot_of[(k, d)],) for d in pat)))
        else:
            ks = [problem.rep_index(rep.id) for rep in reps]
            pats: dict[tuple[int, ...], None] = {}
            for rep in reps:
                pats.update(dict.fromkeys(day_patterns(problem, o, rep)))
            for pat in pats:
                groups = tuple(tuple(slot_of[(k, d)] for k in ks if (k, d) in slot_of)
                               for d in pat)
                opts.append(Option(-1, pat, groups))
        if len(near_count) == i:
            near_count.append(len(opts))
        options.append(opts)
    priority = [o.priority for o in problem.outlets]
    label = [""] * n_out
    for x, i in zip(extras, outlet_of[n_out:], strict=True):
        o = problem.outlets[i]
        w = {}
        opts = []
        ks = [problem.rep_index(r.id) for r in problem.reps_for(o)
              if x.rep_id is None or r.id == x.rep_id]
        for d, day in enumerate(days):
            if not x.earliest <= day <= x.latest:
                continue
            pinned = x.window is not None and x.earliest == x.latest
            if day in problem.locked and not pinned:
                continue  # a frozen day takes only what is pinned to it
            ws = problem.windows(o, day) if x.window is None else (x.window,)
            if not ws:
                continue
            w[d] = tuple((v.start, v.end) for v in ws)
            opts += [Option(k, (d,), ((slot_of[(k, d)],),)) for k in ks if (k, d) in slot_of]
        windows.append(w)
        options.append(opts)
        near_count.append(len(opts))
        need.append(1)
        p = o.priority if x.priority is None else x.priority
        priority.append(p)
        penalty.append(params.miss_penalty * params.priority_factor ** (9 - p))
        label.append(x.label)
    preferred: list[frozenset[int] | None] = [None] * n
    start_routes = None
    ref_start: dict[tuple[int, int], int] = {}
    if previous is not None:
        preferred, start_routes, ref_start = _reference(problem, previous, slot_of, outlet_of,
                                                        label)
    inst = Instance(
        problem=problem, params=params, matrices=matrices, dur=dur, cost=cost, dist=dist,
        slots=slots, slot_of=slot_of,
        service=[problem.outlets[i].service for i in outlet_of],
        demand=[problem.outlets[i].demand for i in outlet_of],
        need=need, penalty=penalty, options=options, near_count=near_count, windows=windows,
        near=near, outlet_of=outlet_of, priority=priority, label=label,
        preferred=preferred, start_routes=start_routes, ref_start=ref_start,
    )
    _cut_windows(inst)
    inst.terms = route_terms(inst)
    return inst


def _cut_windows(inst: Instance) -> None:
    """Give each slot its window key: its day, or, where a time term forbids
    intervals on it, a key of its own under which every node's start windows
    that day are cut by them (an empty tuple when nothing is left)."""
    n_days = len(inst.problem.planning_days)
    keys: dict[tuple[int, tuple[tuple[int, int], ...]], int] = {}
    for slot in inst.slots:
        forb = tuple(sorted(iv for term in TIME_TERMS for iv in term.forbidden(inst, slot)))
        if not forb:
            continue
        key = keys.get((slot.day, forb))
        if key is None:
            key = keys[(slot.day, forb)] = n_days + len(keys)
            for v, w in enumerate(inst.windows):
                ws = w.get(slot.day)
                if ws is not None:
                    w[key] = cut_windows(ws, inst.service[v], forb)
        slot.wkey = key


def _reference(problem: Problem, previous: Plan, slot_of: dict[tuple[int, int], int],
               outlet_of: list[int], label: list[str],
               ) -> tuple[list[frozenset[int] | None], list[list[int]],
                          dict[tuple[int, int], int]]:
    """The slots each node had in ``previous``, its routes as node lists, and the
    start of each (node, slot) visit.

    A stop without a label goes to its outlet's own node; a labelled stop to
    an extra node of that outlet with the same label (each node once per
    route). Stops of unknown outlets, reps or dates are left out.
    """
    day_index = {d: i for i, d in enumerate(problem.planning_days)}
    rep_pos = {r.id: k for k, r in enumerate(problem.reps)}
    nodes_of: dict[tuple[str, str], list[int]] = {}
    for node, i in enumerate(outlet_of):
        nodes_of.setdefault((problem.outlets[i].id, label[node]), []).append(node)
    pref: list[set[int] | None] = [None] * len(outlet_of)
    routes: list[list[int]] = [[] for _ in slot_of]
    starts: dict[tuple[int, int], int] = {}
    for r in previous.routes:
        k, d = rep_pos.get(r.rep_id), day_index.get(r.date)
        s = slot_of.get((k, d)) if k is not None and d is not None else None
        for stop in r.stops:
            cands = nodes_of.get((stop.outlet_id, stop.label), [])
            for node in cands:
                ps = pref[node]
                if ps is None:
                    ps = pref[node] = set()
                if s is not None:
                    ps.add(s)
            if s is not None:
                free = [c for c in cands if c not in routes[s]]
                if free:
                    routes[s].append(free[0])
                    starts[(free[0], s)] = stop.start
    return [None if ps is None else frozenset(ps) for ps in pref], routes, starts
