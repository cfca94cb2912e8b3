"""The problem compiled to flat arrays for the search (no OR-Tools here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from routeopt.matrix import GreatCircle, TravelMatrix
from routeopt.patterns import day_patterns, pattern_visits, same_day_appointments
from routeopt.problem import ExtraVisit, Outlet, Problem, Rep
from routeopt.solver._reps import home_sectors, sector_gap, shares_home, workload
from routeopt.solver.params import SolveParams
from routeopt.solver.terms import TIME_TERMS, RouteTerm, cut_windows, route_terms

if TYPE_CHECKING:
    from routeopt.plan import Plan

IntArray = npt.NDArray[np.int64]

# Nearest nodes kept per node (the related removal and the day search read the
# first few; all of them, an n x n int64 array, was 200 MB at 5,000 outlets).
NEAR_KEEP = 1000


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
    near: IntArray  # per node: the NEAR_KEEP nearest nodes, nearest first (itself included)
    outlet_of: list[int]  # node -> outlet
    priority: list[int]
    label: list[str]  # "" for an outlet's rule, the extra visit's label otherwise
    preferred: list[frozenset[int] | None]  # slots of the reference plan (None: no reference)
    start_routes: list[list[int]] | None  # the reference plan's routes, per slot
    ref_start: dict[tuple[int, int], int]  # (node, slot) -> start in the reference plan
    terms: list[RouteTerm] = field(default_factory=list)  # the route rules that bind somewhere
    # per node: the first node of its class of twins, nodes that no rule tells
    # apart (same place in every matrix, visit, windows, options, priority): an
    # insertion priced for one holds for every twin (itself when it has none)
    twin: list[int] = field(default_factory=list)
    # per node: for a further appointment of a date, made apart, the node of its
    # outlet's pattern (with ``same_rep`` both go to one rep); -1 otherwise
    sibling: list[int] = field(default_factory=list)
    # per node: the rep of its sector around a home that reps share (see
    # :mod:`_reps`), -1 for none; and the reps of its nearest reps' options
    home_rep: list[int] = field(default_factory=list)
    near_reps: list[tuple[int, ...]] = field(default_factory=list)
    # the matrices' rows, made once and shared (see :meth:`rows`); not pickled
    row_cache: dict[int, tuple[IntArray, list[Sequence[int]]]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.service)

    def rows(self, a: IntArray) -> list[Sequence[int]]:
        """Matrix ``a`` (one of :attr:`dur`, :attr:`cost`) as a list of rows, fast to
        index from Python (``rows[i][j] == a[i, j]``, a Python int); made once per
        array and shared by every user (the timing, the route terms that count
        travel, the balance of days). The rows are views of ``a``
        (:func:`shared_rows`): no entry is copied.
        """
        hit = self.row_cache.get(id(a))
        if hit is not None and hit[0] is a:
            return hit[1]
        out = shared_rows(a, self.twin)
        self.row_cache[id(a)] = (a, out)
        return out

    # -- where a visit may move (one rule for the day search, OR-Tools' whole-plan
    # search and the choice of whether the day search pays) ------------------------
    def __getstate__(self) -> dict[str, object]:
        # memoryviews do not pickle (the parallel search sends instances): the
        # rows are made again where they are used
        return {f.name: ({} if f.name == "row_cache" else getattr(self, f.name))
                for f in fields(self)}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

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
    # matrices estimated here from the coordinates give one place one row and column
    derived = matrices is None and problem.matrix is None
    matrices = matrices if matrices is not None else build_matrices(problem)
    n_out = len(problem.outlets)
    outlet_of = list(range(n_out))
    extras: list[ExtraVisit] = []
    apart: set[int] = set()  # nodes of the further appointments of a date
    for i, o in enumerate(problem.outlets):
        for x in o.extra_visits:
            outlet_of.append(i)
            extras.append(x)
        for a in same_day_appointments(o):
            # a visit of its own, pinned to its date and window (and rep, if any)
            apart.add(len(outlet_of))
            outlet_of.append(i)
            extras.append(ExtraVisit(a.date, a.date, rep_id=a.rep_id, window=a.window,
                                     label="appointment"))
    n = len(outlet_of)
    point = np.array(outlet_of + list(range(n_out, n_out + 2 * len(problem.reps))))

    def by_node(a: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return a if not extras else np.ascontiguousarray(a[point][:, point])

    dur = {m: by_node(tm.durations) for m, tm in matrices.items()}
    dist = {m: by_node(tm.distances) for m, tm in matrices.items()}
    cost = {
        # the default weights make the cost the travel time: one array, not two
        m: dur[m] if params.time_weight == 1 and params.distance_weight == 0 else
        np.rint(params.time_weight * dur[m] + params.distance_weight * dist[m]).astype(np.int64)
        for m in matrices
    }
    days = problem.planning_days
    slots: list[Slot] = []
    slot_of: dict[tuple[int, int], int] = {}
    for k, rep in enumerate(problem.reps):
        for d, day in enumerate(days):
            if not problem.works(rep, day):
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
    windows: list[dict[int, tuple[tuple[int, int], ...]]] = []
    options: list[list[Option]] = []
    near_count: list[int] = []  # options of the nearest reps come first
    need: list[int] = []
    penalty: list[float] = []
    # outlets that share their rule, hours, appointments and visit length share
    # their windows and day patterns: each is computed once per such kind
    windows_of: dict[tuple[object, ...], dict[int, tuple[tuple[int, int], ...]]] = {}
    patterns_of: dict[tuple[object, ...], list[tuple[int, ...]]] = {}
    options_of: dict[tuple[object, ...], tuple[list[Option], int]] = {}
    made: dict[tuple[object, ...], Option] = {}  # one object per (rep, pattern)

    def patterns(o: Outlet, rep: Rep) -> list[tuple[int, ...]]:
        key = (o.rule, o.hours, o.appointments, o.service, rep.id)
        got = patterns_of.get(key)
        if got is None:
            got = patterns_of[key] = day_patterns(problem, o, rep)
        return got

    home: list[int] = [-1] * n_out
    ring: dict[int, list[int]] = {}
    if shares_home(problem) and n_out:
        ends = np.arange(len(problem.reps))
        far_all = some[n + 2 * ends][:, :n_out] + some[:n_out, n + 2 * ends + 1].T
        home, ring = home_sectors(
            problem, far_all, workload(problem, [pattern_visits(problem, o)
                                                 for o in problem.outlets]))
    for i, o in enumerate(problem.outlets):
        kind = (o.hours, o.appointments, o.service)
        w = windows_of.get(kind)
        if w is None:
            w = {}
            for d, day in enumerate(days):
                ws = problem.windows(o, day)
                if ws:
                    w[d] = tuple((x.start, x.end) for x in ws)
            windows_of[kind] = w
        windows.append(w)
        need.append(pattern_visits(problem, o))
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
            h = home[i]
            if h >= 0:
                # reps that share a home tie on the trip: the nearer sectors first
                gap = np.array([sector_gap(ring[h], h, int(k)) if int(k) in ring.get(h, ())
                                else len(k_all) for k in k_all])
                order = k_all[np.lexsort((gap, far))]
            else:
                order = k_all[np.argsort(far, kind="stable")]
            n_reps_near = params.candidate_reps
            reps = (tuple(problem.reps[int(k)] for k in sorted(order[:n_reps_near]))
                    + tuple(problem.reps[int(k)] for k in sorted(order[n_reps_near:])))
        okey = (o.rule, o.hours, o.appointments, o.service, tuple(r.id for r in reps),
                n_reps_near)
        got = options_of.get(okey)
        if got is None:  # else shared with the outlets of its kind (read only)
            got = options_of[okey] = _options(problem, o, reps, n_reps_near, slot_of, patterns,
                                              made)
        options.append(got[0])
        near_count.append(got[1])
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
        label.append("" if len(label) in apart else x.label)  # an appointment is no extra
    sibling = [outlet_of[i] if i in apart else -1 for i in range(n)]
    preferred: list[frozenset[int] | None] = [None] * n
    start_routes = None
    ref_start: dict[tuple[int, int], int] = {}
    if previous is not None:
        preferred, start_routes, ref_start = _reference(problem, previous, slot_of, outlet_of,
                                                        label)
    twin = list(range(n)) if previous is not None else _twins(
        problem, n_out, n, dur, dist, windows, options, need, priority, check=not derived)
    near = _nearest(np.asarray(dist[next(iter(matrices))][:n, :n]), twin)
    inst = Instance(
        problem=problem, params=params, matrices=matrices, dur=dur, cost=cost, dist=dist,
        slots=slots, slot_of=slot_of,
        service=[problem.outlets[i].service for i in outlet_of],
        demand=[problem.outlets[i].demand for i in outlet_of],
        need=need, penalty=penalty, options=options, near_count=near_count, windows=windows,
        near=near, outlet_of=outlet_of, priority=priority, label=label,
        preferred=preferred, start_routes=start_routes, ref_start=ref_start, twin=twin,
        sibling=sibling, home_rep=home + [-1] * (n - n_out),
        near_reps=[tuple(sorted({o.rep for o in opts[:max(c, 1)] if o.rep >= 0}))
                   for opts, c in zip(options, near_count, strict=True)],
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


def _options(problem: Problem, o: Outlet, reps: tuple[Rep, ...], n_reps_near: int,
             slot_of: dict[tuple[int, int], int],
             patterns: Callable[[Outlet, Rep], list[tuple[int, ...]]],
             made: dict[tuple[object, ...], Option] | None = None
             ) -> tuple[list[Option], int]:
    """The options of outlet ``o`` with ``reps`` (the nearest ``n_reps_near`` first),
    and how many of them belong to those nearest reps.

    ``made``: the options made so far, by rep(s) and pattern; an equal option is
    taken from there (options are read only), so that outlets whose reps come
    in different orders still share one object per (rep, pattern).
    """
    made = {} if made is None else made
    opts: list[Option] = []
    n_near = -1
    if o.rule.same_rep:
        for j, rep in enumerate(reps):
            if j == n_reps_near:
                n_near = len(opts)
            k = problem.rep_index(rep.id)
            for pat in patterns(o, rep):
                opt = made.get((k, pat))
                if opt is None:
                    opt = made[(k, pat)] = Option(k, pat, tuple((slot_of[(k, d)],) for d in pat))
                opts.append(opt)
    else:
        ks = [problem.rep_index(rep.id) for rep in reps]
        pats: dict[tuple[int, ...], None] = {}
        for rep in reps:
            pats.update(dict.fromkeys(patterns(o, rep)))
        for pat in pats:
            key = (tuple(ks), pat)
            opt = made.get(key)
            if opt is None:
                groups = tuple(tuple(slot_of[(k, d)] for k in ks if (k, d) in slot_of)
                               for d in pat)
                opt = made[key] = Option(-1, pat, groups)
            opts.append(opt)
    return opts, len(opts) if n_near < 0 else n_near


def _twins(problem: Problem, n_out: int, n: int, dur: dict[str, IntArray],
           dist: dict[str, IntArray], windows: list[dict[int, tuple[tuple[int, int], ...]]],
           options: list[list[Option]], need: list[int], priority: list[int], *,
           check: bool = True) -> list[int]:
    """Per node, the first node it cannot be told apart from (see ``Instance.twin``).

    Outlets at one place with the same visit, windows, options, need and
    priority are twins when their rows and columns are equal in every matrix:
    checked with ``check`` (a matrix of the user's own counts as it is),
    given without (matrices computed from the coordinates). Extra visits
    have no twins.
    """
    twin = list(range(n))
    groups: dict[tuple[object, ...], list[int]] = {}
    for i in range(n_out):
        o = problem.outlets[i]
        key = (o.lat, o.lon, o.service, o.demand, need[i], priority[i], o.rep_id,
               o.rule, o.hours, o.appointments)
        groups.setdefault(key, []).append(i)
    mats = [m for ms in (dur, dist) for m in ms.values()]
    for members in groups.values():
        r = members[0]
        cand = [i for i in members[1:] if windows[i] == windows[r] and options[i] == options[r]]
        if not check:
            for i in cand:
                twin[i] = r
            continue
        for b in range(0, len(cand), 512):  # blocks of rows: no n x n temporary
            block = np.asarray(cand[b:b + 512])
            same = np.ones(len(block), dtype=bool)
            for m in mats:
                same &= (m[block] == m[r]).all(axis=1)
                same &= (m[:, block] == m[:, [r]]).all(axis=0)
            for i in block[same].tolist():
                twin[i] = r
    return twin


def shared_rows(a: IntArray, twin: Sequence[int] = ()) -> list[Sequence[int]]:
    """``a`` as a list of rows, each a :class:`memoryview` of the array's own row.

    Indexing a row gives a Python int, as a nested list would, but no entry is
    copied: the rows cost a few hundred bytes each instead of 8 to 40 bytes an
    entry. Rows of twins (``twin[i] != i``) are the row of their first twin.
    """
    a = np.ascontiguousarray(a)  # no copy for C-ordered matrices (GreatCircle's)
    rows: list[Sequence[int]] = []
    for i in range(a.shape[0]):
        r = twin[i] if i < len(twin) else i
        rows.append(rows[r] if r != i else memoryview(a[i]))
    return rows


def _nearest(d: npt.NDArray[np.int64], twin: list[int], keep: int = NEAR_KEEP) -> IntArray:
    """Per node, the ``keep`` nearest nodes by the round trip ``d[i, j] + d[j, i]``,
    ties by index (the first ``keep`` of a stable sort of the whole row).

    Twins share their row, computed once; each row is found by a partial sort,
    in blocks, so that no n x n temporary is made.
    """
    n = d.shape[0]
    keep = min(keep, n)
    out = np.empty((n, keep), dtype=np.int64)
    rows = sorted({twin[i] for i in range(n)})
    block = max(1, 1_000_000 // max(1, n))  # temporaries of 8 MB
    for b in range(0, len(rows), block):
        chunk = rows[b:b + block]
        vals = d[chunk] + d[:, chunk].T
        kth = (np.partition(vals, keep - 1, axis=1)[:, keep - 1] if keep < n
               else vals.max(axis=1))
        near = vals <= kth[:, None]  # the keep nearest, and any tied with the last
        count = near.sum(axis=1)
        plain = np.flatnonzero(count == keep)  # no tie across the cut: all rows at once
        if plain.size:
            cols = np.nonzero(near[plain])[1].reshape(plain.size, keep)  # ascending per row
            order = np.argsort(np.take_along_axis(vals[plain], cols, axis=1), axis=1,
                               kind="stable")
            out[np.asarray(chunk)[plain]] = np.take_along_axis(cols, order, axis=1)
        for k in np.flatnonzero(count != keep).tolist():
            v = vals[k]
            idx = np.flatnonzero(near[k])
            out[chunk[k]] = idx[np.argsort(v[idx], kind="stable")][:keep]
    for i in range(n):
        if twin[i] != i:
            out[i] = out[twin[i]]
    return out


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
