"""Baselines for the field-territory benchmark (benchmark code, not the library).

Both take a :class:`routeopt.problem.Problem` and return a
:class:`routeopt.plan.Plan`, so that the same independent checker,
:meth:`Plan.violations`, judges them and routeopt alike. They use the matrices
routeopt uses (:func:`routeopt.solver._model.build_matrices`) and, like
routeopt's default, minimise travel time.

``naive_plan``
    The plain OR-Tools model a user writes from the documentation: days as
    vehicles (one vehicle per rep and planning day, from and to the rep's
    home), one node per required visit (copies of an outlet), the copies of an
    outlet tied to one allowed day pattern of one rep by ``AllowedAssignments``
    on their ``VehicleVar`` (a vehicle *is* a rep-day here, so this is the
    day variable and the fixed-rep rule at once), opening hours as one time
    window per node (a node that may go to several dates can only carry the
    windows valid on all of them: their intersection), service time, shift,
    lunch break (``SetBreakIntervalsOfVehicle``), max visits per day (a count
    dimension), and a disjunction per node with a priority-weighted penalty,
    so that visits can be dropped one by one (a dropped copy takes the value
    -1 in the allowed tuples, so the visits kept always fit one pattern).
    PARALLEL_CHEAPEST_INSERTION, then GUIDED_LOCAL_SEARCH until the time limit.

``cluster_plan``
    Cluster-first, route-second: free outlets go to the nearest rep with room
    (at most 5 % over its share of the visits; the outlets with the most to
    lose by a farther rep are placed first); each rep's outlets are split by a
    balanced k-means into one cluster per working weekday; each outlet takes
    the allowed day pattern closest to its cluster's weekday (weekly and
    twice-weekly outlets: the weekdays of the nearest clusters; fortnightly
    and four-weekly ones: the week with the lowest load); then every rep-day
    is routed by OR-Tools (that date's windows, service, shift, break, max
    visits, disjunctions with priority penalties), the time budget split over
    the rep-days by their visits.

OR-Tools decides which visits each route holds and in what order. The times of
the plan are then derived from that order by :func:`time_route` (earliest
starts, the break in the first gap where it fits), with the real windows of
the date: an order that OR-Tools found feasible always gets a feasible
schedule, and one that is not is written as it is, for the checker to flag.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routeopt.patterns import day_patterns
from routeopt.plan import Plan, Route, Stop, Unscheduled
from routeopt.problem import Problem, Rep
from routeopt.solver._model import build_matrices
from routeopt.solver.params import SolveParams

# Penalties of a dropped visit: routeopt's defaults (SolveParams), so that the
# three methods weigh coverage against travel alike.
_DEFAULTS = SolveParams()
DAY_S = 86_400
REP_SLACK = 0.05  # a rep of the cluster baseline takes at most 5 % over its share

Windows = list[tuple[int, int]]

__all__ = ["cluster_plan", "naive_plan", "penalty", "time_route"]


def penalty(priority: int) -> int:
    """Cost of one dropped visit of ``priority`` (routeopt's default weights)."""
    return int(_DEFAULTS.miss_penalty * _DEFAULTS.priority_factor ** (9 - priority))


# -- timing an order -----------------------------------------------------------------
def _first_start(wins: Windows, t: int) -> int:
    for lo, hi in wins:
        if t <= hi:
            return max(lo, t)
    return -1


def time_route(problem: Problem, dur: np.ndarray, dist: np.ndarray, k: int, day: date,
               seq: Sequence[int], windows: Sequence[Windows] | None = None,
               hint_gap: int | None = None) -> tuple[Route, bool]:
    """Time the visits ``seq`` (outlet indices) of rep ``k`` on ``day``.

    Every visit starts as early as its window allows, after leaving home at the
    start of the shift. The lunch break goes into one gap (at home before the
    first trip, between two visits, or before the trip home); every gap is
    tried and the plan coming home earliest is kept (no break at all if the
    day ends before the break window). Returns the route and whether it is
    feasible; an infeasible order is timed anyway (break in ``hint_gap``),
    so the checker reports what is wrong with it.
    """
    rep = problem.reps[k]
    n = len(problem.outlets)
    outlets = problem.outlets
    if windows is None:
        windows = [sorted((w.start, w.end) for w in problem.windows(outlets[i], day))
                   for i in seq]
    pts = [n + 2 * k, *seq, n + 2 * k + 1]
    tt = [int(dur[a, b]) for a, b in itertools.pairwise(pts)]
    m = len(seq)
    lunch = rep.lunch
    shift = rep.shift

    def simulate(gap: int | None, force: bool) -> tuple[Any, ...] | None:
        t = shift.start
        arrivals: list[int] = []
        starts: list[int] = []
        brk = None
        for g in range(m + 1):
            frm = t
            if lunch is not None and gap == g:
                bs = max(frm, lunch.window.start)
                if bs > lunch.latest_start and not force:
                    return None
                brk = (bs, bs + lunch.duration)
                arr = max(frm + tt[g] + lunch.duration, bs + lunch.duration)
            else:
                arr = frm + tt[g]
            if g == m:
                back = arr
                break
            st = _first_start(windows[g], arr)
            if st < 0:
                if not force:
                    return None
                st = arr
            arrivals.append(arr)
            starts.append(st)
            t = st + outlets[seq[g]].service
        if not force:
            if back > shift.end:
                return None
            if lunch is not None and brk is None and back > lunch.window.start:
                return None
        return arrivals, starts, back, brk

    best = None
    if m:
        options: list[int | None] = [None] if lunch is None else [None, *range(m + 1)]
        for g in options:
            res = simulate(g, False)
            if res is not None and (best is None or res[2] < best[2]):
                best = res
                if g is None:
                    break  # no break needed: nothing comes home earlier
    ok = best is not None
    if best is None:
        g = None if lunch is None else min(max(hint_gap or 0, 0), m)
        best = simulate(g, True)
    arrivals, starts, back, brk = best
    stops = []
    prev = pts[0]
    for g, i in enumerate(seq):
        stops.append(Stop(outlets[i].id, arrivals[g], starts[g], starts[g] + outlets[i].service,
                          int(dur[prev, i]), int(dist[prev, i])))
        prev = i
    route = Route(rep_id=rep.id, date=day, depart=shift.start, back=back, stops=tuple(stops),
                  return_travel_s=int(dur[prev, pts[-1]]),
                  return_distance_m=int(dist[prev, pts[-1]]),
                  break_start=brk[0] if brk else None, break_end=brk[1] if brk else None)
    return route, ok


# -- shared OR-Tools pieces --------------------------------------------------------------
def _set_windows(var: Any, wins: Windows) -> None:
    var.SetRange(wins[0][0], wins[-1][1])
    for (_, hi), (lo, _) in itertools.pairwise(wins):
        if lo - hi > 1:
            var.RemoveInterval(hi + 1, lo - 1)


def _intersect(a: Windows, b: Windows) -> Windows:
    out = []
    for lo1, hi1 in a:
        for lo2, hi2 in b:
            lo, hi = max(lo1, lo2), min(hi1, hi2)
            if lo <= hi:
                out.append((lo, hi))
    return sorted(out)


def _search_params(time_limit: float) -> Any:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    return params


def _add_break(routing: Any, time_dim: Any, rep: Rep, vehicle: int, node_visit: list[int]
               ) -> Any:
    if rep.lunch is None:
        return None
    brk = routing.solver().FixedDurationIntervalVar(
        rep.lunch.window.start, rep.lunch.latest_start, rep.lunch.duration, False,
        f"lunch_{vehicle}")
    time_dim.SetBreakIntervalsOfVehicle([brk], vehicle, node_visit)
    return brk


def _break_gap(sol: Any, name: str, starts: list[int]) -> int | None:
    """The gap OR-Tools put the break in (a hint for timing an infeasible order)."""
    container = sol.IntervalVarContainer()
    for j in range(container.Size()):
        el = container.Element(j)
        if el.Var().Name() == name:
            b = el.StartValue()
            return sum(1 for s in starts if s <= b)
    return None


def _status_name(routing: Any) -> str:
    """OR-Tools' search status, e.g. ``PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED``."""
    status = int(routing.status())
    try:
        name: str = routing_enums_pb2.RoutingSearchStatus.Value.Name(status)
    except ValueError:
        return str(status)
    return name.removeprefix("ROUTING_")


# -- naive: days as vehicles ---------------------------------------------------------
def naive_plan(problem: Problem, time_limit: float, *, matrices: dict[str, Any] | None = None
               ) -> tuple[Plan | None, dict[str, Any]]:
    """The plain "days as vehicles" OR-Tools model; (None, stats) without a solution."""
    t0 = time.perf_counter()
    matrices = matrices if matrices is not None else build_matrices(problem)
    outlets, reps = problem.outlets, problem.reps
    n, n_reps = len(outlets), len(reps)
    days = problem.planning_days
    vehicles: list[tuple[int, int]] = []  # (rep, day index)
    vehicle_of: dict[tuple[int, int], int] = {}
    for k, rep in enumerate(reps):
        for d, day in enumerate(days):
            if rep.works_on(day):
                vehicle_of[(k, d)] = len(vehicles)
                vehicles.append((k, d))
    unscheduled: list[Unscheduled] = []
    # nodes: 2 per rep (start, end), then one per modelled visit copy
    point = [n + j for j in range(2 * n_reps)]  # matrix point of each node
    copy_outlet: list[int] = []
    copy_windows: list[Windows] = []
    groups: list[tuple[list[int], list[tuple[int, ...]]]] = []  # (nodes, allowed tuples)
    n_tuples = 0
    for i, o in enumerate(outlets):
        need = problem.visits_of(o)
        if need == 0:
            continue
        pats = [(problem.rep_index(rep.id), pat) for rep in problem.reps_for(o)
                for pat in day_patterns(problem, o, rep)]
        if not pats:
            unscheduled += [Unscheduled(o.id, "no_pattern", "no day pattern fits",
                                        o.priority)] * need
            continue
        kept: list[int] = []  # copy positions with a non-empty window
        nodes: list[int] = []
        for j in range(need):
            cand = sorted({days[pat[j]] for _, pat in pats})
            wins: Windows | None = None
            for day in cand:
                w = sorted((x.start, x.end) for x in problem.windows(o, day))
                wins = w if wins is None else _intersect(wins, w)
            if not wins:
                unscheduled.append(Unscheduled(
                    o.id, "window", "no window is open on every date this visit may take",
                    o.priority))
                continue
            kept.append(j)
            nodes.append(len(point))
            point.append(i)
            copy_outlet.append(i)
            copy_windows.append(wins)
        if not nodes:
            continue
        tuples: set[tuple[int, ...]] = set()
        for k, pat in pats:
            full = [vehicle_of[(k, pat[j])] for j in kept]
            for mask in itertools.product((False, True), repeat=len(full)):
                tuples.add(tuple(v if keep else -1 for v, keep in zip(full, mask, strict=True)))
        n_tuples += len(tuples)
        groups.append((nodes, sorted(tuples)))
    n_nodes = len(point)
    starts = [2 * k for k, _ in vehicles]
    ends = [2 * k + 1 for k, _ in vehicles]
    manager = pywrapcp.RoutingIndexManager(n_nodes, len(vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    pts = np.array(point)
    service = np.array([0] * (2 * n_reps) + [outlets[i].service for i in copy_outlet],
                       dtype=np.int64)
    cost_cb: dict[str, int] = {}
    time_cb: dict[str, int] = {}
    for mode in sorted({r.mode for r in reps}):
        d = np.asarray(matrices[mode].durations)[np.ix_(pts, pts)]
        cost_cb[mode] = routing.RegisterTransitMatrix(d.tolist())
        time_cb[mode] = routing.RegisterTransitMatrix((d + service[:, None]).tolist())
        del d
    for v, (k, _) in enumerate(vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[reps[k].mode], v)
    routing.AddDimensionWithVehicleTransitAndCapacity(
        [time_cb[reps[k].mode] for k, _ in vehicles], DAY_S,
        [reps[k].shift.end for k, _ in vehicles], False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    count_cb = routing.RegisterUnaryTransitVector([0] * (2 * n_reps) + [1] * len(copy_outlet))
    routing.AddDimensionWithVehicleCapacity(
        count_cb, 0, [reps[k].max_visits or 1 << 30 for k, _ in vehicles], True, "visits")
    node_visit = [int(service[manager.IndexToNode(x)]) if x < routing.Size() else 0
                  for x in range(routing.Size() + routing.vehicles())]
    for v, (k, _) in enumerate(vehicles):
        rep = reps[k]
        time_dim.CumulVar(routing.Start(v)).SetRange(rep.shift.start, rep.shift.end)
        time_dim.CumulVar(routing.End(v)).SetRange(rep.shift.start, rep.shift.end)
        _add_break(routing, time_dim, rep, v, node_visit)
    for c, (i, wins) in enumerate(zip(copy_outlet, copy_windows, strict=True)):
        idx = manager.NodeToIndex(2 * n_reps + c)
        _set_windows(time_dim.CumulVar(idx), wins)
        routing.AddDisjunction([idx], penalty(outlets[i].priority))
    solver = routing.solver()
    for nodes, tuples in groups:
        vars_ = [routing.VehicleVar(manager.NodeToIndex(x)) for x in nodes]
        for j, var in enumerate(vars_):  # the allowed vehicles, as the docs advise
            var.SetValues(sorted({t[j] for t in tuples} | {-1}))
        solver.Add(solver.AllowedAssignments(vars_, [list(t) for t in tuples]))
    build_s = time.perf_counter() - t0
    sol = routing.SolveWithParameters(_search_params(time_limit))
    stats: dict[str, Any] = {
        "model_nodes": n_nodes, "model_vehicles": len(vehicles), "allowed_tuples": n_tuples,
        "build_s": round(build_s, 3), "status": _status_name(routing),
        "objective": sol.ObjectiveValue() if sol is not None else None,
    }
    if sol is None:
        stats["solve_s"] = time.perf_counter() - t0
        return None, stats
    routes: list[Route] = []
    failures = 0
    for v, (k, d) in enumerate(vehicles):
        seq: list[int] = []
        copies: list[int] = []
        cum: list[int] = []
        idx = sol.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(idx):
            c = manager.IndexToNode(idx) - 2 * n_reps
            copies.append(c)
            seq.append(copy_outlet[c])
            cum.append(sol.Min(time_dim.CumulVar(idx)))
            idx = sol.Value(routing.NextVar(idx))
        if not seq:
            continue
        route, ok = time_route(problem, matrices[reps[k].mode].durations,
                               matrices[reps[k].mode].distances, k, days[d], seq,
                               hint_gap=_break_gap(sol, f"lunch_{v}", cum))
        failures += not ok
        routes.append(route)
    for c, i in enumerate(copy_outlet):
        if not sol.Value(routing.ActiveVar(manager.NodeToIndex(2 * n_reps + c))):
            o = outlets[i]
            unscheduled.append(Unscheduled(o.id, "dropped", "dropped by the OR-Tools model",
                                           o.priority))
    routes.sort(key=lambda r: (r.rep_id, r.date))
    stats["retime_failures"] = failures
    stats["solve_s"] = time.perf_counter() - t0
    plan = Plan(problem, tuple(routes), tuple(unscheduled), stats, dict(matrices))
    return plan, stats


# -- cluster first, route second --------------------------------------------------------
def _xy(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    return np.column_stack([lon * 111.32 * math.cos(math.radians(lat0)), lat * 111.32])


def _balanced_kmeans(rng: np.random.Generator, xy: np.ndarray, w: np.ndarray, k: int,
                     slack: float = 0.05, iters: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Labels and centres of ``k`` clusters whose weights stay within ``slack`` of equal.

    Lloyd's algorithm with a capacitated assignment step: (point, centre)
    pairs are taken nearest first, a point goes to the first centre that still
    has room for it (a point too heavy for any room goes where most is left).
    """
    m = len(xy)
    if m == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((k, 2))
    # k-means++ start
    centres = [xy[int(rng.integers(m))]]
    while len(centres) < k:
        d2 = np.min(((xy[:, None, :] - np.array(centres)[None]) ** 2).sum(axis=2), axis=1)
        if d2.sum() <= 0:
            centres.append(xy[int(rng.integers(m))])
        else:
            centres.append(xy[int(rng.choice(m, p=d2 / d2.sum()))])
    c = np.array(centres, dtype=np.float64)
    cap = w.sum() / k * (1 + slack)
    label = np.full(m, -1, dtype=np.int64)
    for _ in range(iters):
        d = np.sqrt(((xy[:, None, :] - c[None]) ** 2).sum(axis=2))
        room = np.full(k, cap)
        new = np.full(m, -1, dtype=np.int64)
        for flat in np.argsort(d, axis=None, kind="stable"):
            i, j = divmod(int(flat), k)
            if new[i] >= 0 or room[j] < w[i]:
                continue
            new[i] = j
            room[j] -= w[i]
        for i in np.flatnonzero(new < 0):
            j = int(np.argmax(room))
            new[i] = j
            room[j] -= w[i]
        if np.array_equal(new, label):
            break
        label = new
        for j in range(k):
            sel = label == j
            if sel.any():
                c[j] = np.average(xy[sel], axis=0, weights=w[sel])
    return label, c


def cluster_plan(problem: Problem, time_limit: float, *, seed: int = 0,
                 matrices: dict[str, Any] | None = None) -> tuple[Plan, dict[str, Any]]:
    """Cluster-first, route-second within ``time_limit`` seconds in all."""
    t0 = time.perf_counter()
    matrices = matrices if matrices is not None else build_matrices(problem)
    rng = np.random.default_rng(seed)
    outlets, reps = problem.outlets, problem.reps
    n = len(outlets)
    days = problem.planning_days
    lat0 = float(np.mean([o.lat for o in outlets]))
    xy = _xy(np.array([o.lat for o in outlets]), np.array([o.lon for o in outlets]), lat0)
    unscheduled: list[Unscheduled] = []

    # 1. outlets to reps: fixed ones to their rep; free ones to the nearest rep
    #    (by the trip from its start and back) that has a pattern for them and
    #    room left: each rep takes at most its share of all visits (by working
    #    days) plus REP_SLACK, outlets with the most to lose by a farther rep first
    pats: dict[int, list[tuple[int, ...]]] = {}
    rep_of: dict[int, int] = {}
    options: dict[int, list[tuple[int, int, list[tuple[int, ...]]]]] = {}
    for i, o in enumerate(outlets):
        if problem.visits_of(o) == 0:
            continue
        opts = []
        for r in problem.reps_for(o):
            k = problem.rep_index(r.id)
            p = day_patterns(problem, o, r)
            if p:
                d = matrices[r.mode].durations
                opts.append((int(d[n + 2 * k, i] + d[i, n + 2 * k + 1]), k, p))
        if opts:
            options[i] = sorted(opts, key=lambda x: (x[0], x[1]))
        else:
            unscheduled += [Unscheduled(o.id, "no_pattern", "no day pattern fits",
                                        o.priority)] * problem.visits_of(o)
    work = [sum(1 for d in days if r.works_on(d)) for r in reps]
    total = sum(problem.visits_of(outlets[i]) for i in options)
    room = [min(work[k] * (r.max_visits or 1 << 30),
                total * work[k] / max(1, sum(work)) * (1 + REP_SLACK))
            for k, r in enumerate(reps)]

    def regret(i: int) -> tuple[Any, ...]:
        opts = options[i]
        gap = opts[1][0] - opts[0][0] if len(opts) > 1 else 1 << 40
        return (-gap, outlets[i].id)

    for i in sorted(options, key=regret):
        need = problem.visits_of(outlets[i])
        fits = [x for x in options[i] if room[x[1]] >= need]
        _, k, p = fits[0] if fits else max(options[i], key=lambda x: (room[x[1]], -x[1]))
        rep_of[i], pats[i] = k, p
        room[k] -= need

    # 2. per rep: balanced clusters, one per working weekday; a pattern per outlet
    day_visits: dict[tuple[int, int], list[int]] = {}
    for k in range(len(reps)):
        mine = sorted(i for i, kk in rep_of.items() if kk == k)
        if mine:
            for d, visits in _rep_days(problem, matrices, rng, xy, k, mine, pats).items():
                day_visits[(k, d)] = visits
    cluster_s = time.perf_counter() - t0

    # 3. route every rep-day, the remaining budget shared by visits
    routes: list[Route] = []
    failures = 0
    todo = sorted(day_visits)
    left_visits = sum(len(v) for v in day_visits.values())
    for k, d in todo:
        visits = day_visits[(k, d)]
        remaining = max(0.0, time_limit - (time.perf_counter() - t0))
        share = remaining * len(visits) / left_visits
        left_visits -= len(visits)
        seq, dropped, hint = _route_day(problem, matrices, k, days[d], visits, share)
        for i in dropped:
            o = outlets[i]
            unscheduled.append(Unscheduled(o.id, "dropped", "dropped by the day's OR-Tools "
                                           "route", o.priority, days[d]))
        if seq:
            mat = matrices[reps[k].mode]
            route, ok = time_route(problem, mat.durations, mat.distances, k, days[d], seq,
                                   hint_gap=hint)
            failures += not ok
            routes.append(route)
    routes.sort(key=lambda r: (r.rep_id, r.date))
    stats = {"cluster_s": round(cluster_s, 3), "rep_days": len(todo),
             "retime_failures": failures, "solve_s": time.perf_counter() - t0}
    return Plan(problem, tuple(routes), tuple(unscheduled), stats, dict(matrices)), stats


def _rep_days(problem: Problem, matrices: dict[str, Any], rng: np.random.Generator,
              xy: np.ndarray, k: int, mine: list[int], pats: dict[int, list[tuple[int, ...]]]
              ) -> dict[int, list[int]]:
    """The outlets ``mine`` of rep ``k`` spread over its days: day index -> outlets.

    A balanced k-means makes one cluster per working weekday (balanced by
    weekly workload: visits per week times service plus estimated travel);
    clusters are matched to weekdays so that most workload can be visited on
    its own weekday. Then, the most constrained outlets first, each outlet
    takes the allowed pattern that (1) overloads no day (max visits first,
    then estimated shift time, in steps of 10 minutes), (2) lies on its own
    cluster's weekday, its other visits on the weekdays of the nearest
    clusters, (3) meets the lowest load (for fortnightly and four-weekly
    outlets: the emptiest week).
    """
    outlets, rep = problem.outlets, problem.reps[k]
    days = problem.planning_days
    n = len(outlets)
    weekdays = sorted({d.weekday() for d in days if rep.works_on(d)})
    n_clusters = len(weekdays)
    dur = matrices[rep.mode].durations
    per_week = np.array([problem.visits_of(outlets[i]) / problem.horizon.weeks for i in mine])
    service = np.array([outlets[i].service for i in mine], dtype=np.float64)
    # travel per visit, estimated: to the 3 nearest outlets of the rep, plus a
    # share of the trips from and to home
    hop = 0.0
    if len(mine) > 1:
        sub = np.asarray(dur)[np.ix_(mine, mine)].astype(np.float64)
        np.fill_diagonal(sub, np.inf)
        hop = float(np.mean(np.sort(sub, axis=1)[:, : min(3, len(mine) - 1)]))
    home = float(np.mean([dur[n + 2 * k, i] + dur[i, n + 2 * k + 1] for i in mine]))
    work_days = sum(1 for d in days if rep.works_on(d))
    visits_per_day = max(1.0, sum(problem.visits_of(outlets[i]) for i in mine) / work_days)
    tau = hop + home / visits_per_day
    weight = per_week * (service + tau)
    label, centres = _balanced_kmeans(rng, xy[mine], weight, n_clusters)
    # clusters to weekdays: the matching that lets most weight visit its own weekday
    usable = np.array([[wd in {days[d].weekday() for p in pats[i] for d in p}
                        for wd in weekdays] for i in mine])
    best_perm, best_score = tuple(range(n_clusters)), -1.0
    for perm in itertools.permutations(range(n_clusters)):
        score = sum(float(weight[label == c][usable[label == c, perm[c]]].sum())
                    for c in range(n_clusters))
        if score > best_score:
            best_perm, best_score = perm, score
    wd_of_cluster = {c: weekdays[best_perm[c]] for c in range(n_clusters)}
    centre_of_wd = {wd_of_cluster[c]: centres[c] for c in range(n_clusters)}
    own_wd = {i: wd_of_cluster[int(label[j])] for j, i in enumerate(mine)}
    # the time a day of each weekday has for visits: the shift less the break,
    # the trip to the cluster and back, and the hops between its visits (the
    # nearest-neighbour hop of the cluster, stretched as only some of its
    # outlets are visited on one date: the random-tour rule, hop ~ 1/sqrt(density))
    cap_n = rep.max_visits or 1 << 30
    shift_t = rep.shift.end - rep.shift.start - (rep.lunch.duration if rep.lunch else 0)
    cap_t: dict[int, float] = {}
    hop_of: dict[int, float] = {}
    for c in range(n_clusters):
        members = [i for j, i in enumerate(mine) if label[j] == c]
        wd = wd_of_cluster[c]
        if not members:
            cap_t[wd], hop_of[wd] = float(shift_t), tau
            continue
        trip = float(np.mean([dur[n + 2 * k, i] + dur[i, n + 2 * k + 1] for i in members]))
        per_day = max(1.0, float(per_week[label == c].sum()))
        nn = tau
        if len(members) > 1:
            sub = np.asarray(dur)[np.ix_(members, members)].astype(np.float64)
            np.fill_diagonal(sub, np.inf)
            nn = float(np.mean(sub.min(axis=1)))
        hop_of[wd] = 1.4 * nn * math.sqrt(max(1.0, len(members) / per_day))
        cap_t[wd] = shift_t - trip
    load_n: dict[int, int] = {}
    load_t: dict[int, float] = {}
    svc = {i: float(service[j]) for j, i in enumerate(mine)}

    def w_of(i: int, d: int) -> float:
        return svc[i] + hop_of.get(days[d].weekday(), tau)

    def order_key(i: int) -> tuple[Any, ...]:
        o = outlets[i]
        return (not o.appointments, len(pats[i]), -problem.visits_of(o), o.priority, o.id)

    def cost(i: int, p: tuple[int, ...]) -> tuple[Any, ...]:
        full = sum(1 for d in p if load_n.get(d, 0) + 1 > cap_n)
        late = sum(max(0.0, load_t.get(d, 0.0) + w_of(i, d) - cap_t.get(days[d].weekday(),
                                                                          shift_t)) for d in p)
        far = 0.0
        for d in p:
            wd = days[d].weekday()
            if wd != own_wd[i]:
                far += float(np.hypot(*(xy[i] - centre_of_wd[wd]))) if wd in centre_of_wd else 1e6
        load = max(load_t.get(d, 0.0) / cap_t.get(days[d].weekday(), shift_t) for d in p)
        return (full, round(late / 600), round(far, 6), load, p)

    out: dict[int, list[int]] = {}
    for i in sorted(mine, key=order_key):
        best = min(pats[i], key=lambda p, i=i: cost(i, p))
        for d in best:
            load_n[d] = load_n.get(d, 0) + 1
            load_t[d] = load_t.get(d, 0.0) + w_of(i, d)
            out.setdefault(d, []).append(i)
    return out


def _route_day(problem: Problem, matrices: dict[str, Any], k: int, day: date,
               visits: list[int], time_limit: float) -> tuple[list[int], list[int], int | None]:
    """Route one rep-day with OR-Tools: (order, dropped outlets, gap of the break)."""
    rep = problem.reps[k]
    outlets = problem.outlets
    n = len(outlets)
    pts = np.array([n + 2 * k, n + 2 * k + 1, *visits])
    service = np.array([0, 0] + [outlets[i].service for i in visits], dtype=np.int64)
    d = np.asarray(matrices[rep.mode].durations)[np.ix_(pts, pts)]
    manager = pywrapcp.RoutingIndexManager(len(pts), 1, [0], [1])
    routing = pywrapcp.RoutingModel(manager)
    cost_cb = routing.RegisterTransitMatrix(d.tolist())
    time_cb = routing.RegisterTransitMatrix((d + service[:, None]).tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    routing.AddDimension(time_cb, DAY_S, rep.shift.end, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    count_cb = routing.RegisterUnaryTransitVector([0, 0] + [1] * len(visits))
    routing.AddDimensionWithVehicleCapacity(count_cb, 0, [rep.max_visits or 1 << 30], True,
                                            "visits")
    time_dim.CumulVar(routing.Start(0)).SetRange(rep.shift.start, rep.shift.end)
    time_dim.CumulVar(routing.End(0)).SetRange(rep.shift.start, rep.shift.end)
    node_visit = [int(service[manager.IndexToNode(x)]) if x < routing.Size() else 0
                  for x in range(routing.Size() + routing.vehicles())]
    _add_break(routing, time_dim, rep, 0, node_visit)
    for j, i in enumerate(visits):
        idx = manager.NodeToIndex(2 + j)
        wins = sorted((w.start, w.end) for w in problem.windows(outlets[i], day))
        _set_windows(time_dim.CumulVar(idx), wins)
        routing.AddDisjunction([idx], penalty(outlets[i].priority))
    sol = routing.SolveWithParameters(_search_params(time_limit))
    if sol is None:
        return [], list(visits), None
    seq: list[int] = []
    cum: list[int] = []
    idx = sol.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(idx):
        seq.append(visits[manager.IndexToNode(idx) - 2])
        cum.append(sol.Min(time_dim.CumulVar(idx)))
        idx = sol.Value(routing.NextVar(idx))
    kept = set(seq)
    dropped = [i for i in visits if i not in kept]
    return seq, dropped, _break_gap(sol, "lunch_0", cum)

