"""The only module that talks to OR-Tools.

OR-Tools routing re-orders the visits of one route (a rep on a day) with the
time windows, service times, shift and lunch break of that day. The search
decides which outlets a route holds; OR-Tools finds a better order for them.
Every order it returns is re-timed by :mod:`routeopt.solver._routes` before it
is used, so OR-Tools never has the last word on feasibility. Its linear
solver (GLOP) chooses steady start times for routes of fixed order
(:func:`steady_starts`, used by :mod:`routeopt.solver._steady`), whose answer
is checked again before it is used.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routeopt.solver._model import Slot
from routeopt.solver._routes import Timer
from routeopt.solver.terms import Dimension

if TYPE_CHECKING:
    from routeopt.solver._steady import DaySpec

log = logging.getLogger(__name__)

_UNBOUNDED = 1 << 59  # a dimension's capacity on a vehicle without a limit
# A far bound on the improving moves of one greedy descent: counted, so the
# same on every machine (a descent on a route or plan of normal size ends at
# its local optimum long before it).
MAX_DESCENT_MOVES = 100_000
# The status OR-Tools gives a search that its time limit stopped.
_CLOCK_STOPPED = frozenset({
    routing_enums_pb2.RoutingSearchStatus.ROUTING_FAIL_TIMEOUT,
    routing_enums_pb2.RoutingSearchStatus.ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED,
})


def _descent_params(time_limit_s: float | None,
                    counted: bool) -> pywrapcp.RoutingSearchParameters:
    """A greedy descent bounded by :data:`MAX_DESCENT_MOVES` improving moves and,
    with ``time_limit_s``, by that many seconds.

    OR-Tools completes each neighbour it tries (the times of the visits, the
    lunch break) in a sub-search of at most ``lns_time_limit`` (100 ms by
    default): a neighbour that takes longer is dropped, so a slower or busier
    machine walks another path. With ``counted`` that sub-search gets the
    whole time limit instead (one hour without one), so that only the time
    limit, and no clock inside the descent, can change its answer.
    """
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    params.solution_limit = MAX_DESCENT_MOVES
    if time_limit_s is not None:
        params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if counted:
        params.lns_time_limit.FromMilliseconds(
            max(1, int(1000 * (3600.0 if time_limit_s is None else time_limit_s))))
    return params


def clock_stopped(routing: pywrapcp.RoutingModel) -> bool:
    """Whether the last search of ``routing`` was stopped by its time limit
    (before its local optimum)."""
    return bool(routing.status() in _CLOCK_STOPPED)


def _within(var: pywrapcp.IntVar, spans: Sequence[tuple[int, int]]) -> None:
    """Restrict a cumul variable to the union of ``spans`` (sorted by start)."""
    var.SetRange(spans[0][0], max(hi for _, hi in spans))
    reach = spans[0][1]
    for lo, hi in spans[1:]:
        if lo > reach + 1:
            var.RemoveInterval(reach + 1, lo - 1)
        reach = max(reach, hi)


def _add_dimensions(routing: pywrapcp.RoutingModel, dims: Sequence[Dimension],
                    node_of: Sequence[int],
                    vehicles: Sequence[tuple[int, npt.NDArray[np.int64] | None]],
                    unused: Sequence[tuple[int, int]] = ()) -> None:
    """Add the route terms' dimensions to ``routing``.

    ``node_of``: the search node of each OR-Tools node (a rep's start or end
    adds nothing); ``vehicles``: per vehicle, its slot and, for dimensions
    that count travel, its travel-time matrix over the OR-Tools nodes;
    ``unused``: each vehicle's (start, end) nodes, whose direct arc (a vehicle
    left unused) travels nothing.
    A dimension that cannot bind (no limit below its whole use) is left out.
    """
    for dim in dims:
        n = len(dim.node)
        node = [dim.node[v] if v < n else 0 for v in node_of]
        limits = [dim.limit[s] for s, _ in vehicles]
        if all(lim is None for lim in limits):
            continue
        caps = [_UNBOUNDED if lim is None else min(lim, _UNBOUNDED) for lim in limits]
        if not dim.travel:
            if sum(node) <= min(caps):
                continue
            cb = routing.RegisterUnaryTransitVector(node)
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, dim.name)
            continue
        cbs = []
        for _, tm in vehicles:
            assert tm is not None
            transit = np.minimum(tm + np.asarray(node, dtype=np.int64)[:, None], _UNBOUNDED)
            np.fill_diagonal(transit, 0)
            for a, b in unused:
                transit[a, b] = 0
            cbs.append(routing.RegisterTransitMatrix(transit.tolist()))
        routing.AddDimensionWithVehicleTransitAndCapacity(cbs, 0, caps, True, dim.name)


def reorder_route(timer: Timer, slot: Slot, seq: list[int],
                  dims: Sequence[Dimension] = (), *,
                  time_limit_s: float | None = None, counted: bool = False,
                  cut: list[bool] | None = None) -> list[int] | None:
    """A cheaper order of ``seq`` on ``slot`` found by OR-Tools, or None.

    The search starts from ``seq`` and runs a greedy descent to a local
    optimum, at most :data:`MAX_DESCENT_MOVES` improving moves: the same order
    on every machine unless ``time_limit_s`` (None: no limit) stops it first,
    when ``counted`` (else OR-Tools' own clock bounds each neighbour, see
    :func:`_descent_params`).
    ``cut``, when given, gets True appended when the time limit stopped it.
    ``dims``: the route terms; those that count travel become dimensions (the
    others do not change with the order).
    """
    if len(seq) < 3:
        return None
    inst = timer.inst
    nodes = [slot.start_node, *seq, slot.end_node]
    n = len(nodes)
    dur = timer.dur[slot.mode]
    cst = timer.cost[slot.mode]
    service = [0] + [inst.service[v] for v in seq] + [0]
    manager = pywrapcp.RoutingIndexManager(n, 1, [0], [n - 1])
    routing = pywrapcp.RoutingModel(manager)
    time_m = [[dur[a][b] + service[i] if i != j else 0 for j, b in enumerate(nodes)]
              for i, a in enumerate(nodes)]
    cost_m = [[cst[a][b] if i != j else 0 for j, b in enumerate(nodes)]
              for i, a in enumerate(nodes)]
    t_cb = routing.RegisterTransitMatrix(time_m)
    c_cb = routing.RegisterTransitMatrix(cost_m)
    routing.SetArcCostEvaluatorOfAllVehicles(c_cb)
    routing.AddDimension(t_cb, slot.shift_end, slot.shift_end, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    travel_dims = [d for d in dims if d.travel and d.limit[slot.index] is not None]
    if travel_dims:
        tm = np.array([[dur[a][b] if i != j else 0 for j, b in enumerate(nodes)]
                       for i, a in enumerate(nodes)], dtype=np.int64)
        _add_dimensions(routing, travel_dims, nodes, [(slot.index, tm)])
    for i, v in enumerate(seq, start=1):
        _within(time_dim.CumulVar(manager.NodeToIndex(i)), inst.windows[v][slot.wkey])
    start_var = time_dim.CumulVar(routing.Start(0))
    start_var.SetRange(slot.shift_start, slot.shift_start)
    time_dim.CumulVar(routing.End(0)).SetRange(slot.shift_start, slot.shift_end)
    if slot.break_open >= 0:
        solver = routing.solver()
        brk = solver.FixedDurationIntervalVar(
            slot.break_open, slot.break_late, slot.break_dur, False, "lunch")
        node_visit = [service[manager.IndexToNode(i)] if i < routing.Size() else 0
                      for i in range(routing.Size() + routing.vehicles())]
        time_dim.SetBreakIntervalsOfVehicle([brk], 0, node_visit)
    params = _descent_params(time_limit_s, counted)
    routing.CloseModelWithParameters(params)
    initial = routing.ReadAssignmentFromRoutes([list(range(1, n - 1))], True)
    if initial is None:
        log.debug("OR-Tools rejected the current order of a route on %s", slot.date)
        return None
    sol = routing.SolveFromAssignmentWithParameters(initial, params)
    if cut is not None and clock_stopped(routing):
        cut.append(True)
    if sol is None:
        return None
    order: list[int] = []
    idx = routing.Start(0)
    idx = sol.Value(routing.NextVar(idx))
    while not routing.IsEnd(idx):
        order.append(nodes[manager.IndexToNode(idx)])
        idx = sol.Value(routing.NextVar(idx))
    return order


def reoptimise(timer: Timer, routes: list[list[int]], allowed: list[list[list[int]]],
               dims: Sequence[Dimension] = (), *,
               time_limit_s: float, counted: bool = False,
               cut: list[bool] | None = None) -> list[list[int]] | None:
    """Improve a whole plan with OR-Tools local search; the new routes, or None.

    ``routes[s]`` is the sequence of slot ``s``; ``allowed[s][g]`` lists the
    slots that the visit at position ``g`` of route ``s`` may move to (its own
    slot among them). All slots share one model: each vehicle is a slot, and
    each day is placed on one time line (day ``d`` starts at ``d * span``), so
    that a visit moved to another day meets that day's opening hours, the
    rep's shift and lunch break. OR-Tools' moves (relocate, exchange, cross,
    2-opt, or-opt...) then move visits between reps and days at once, which
    the large-neighbourhood search does one outlet at a time.

    The search is a greedy descent from the given routes to a local optimum
    (at most :data:`MAX_DESCENT_MOVES` improving moves): with ``counted``,
    deterministic unless ``time_limit_s`` cuts it short (see
    :func:`_descent_params`). ``time_limit_s`` counts from the call:
    building the model takes its share (None when nothing is left for the
    search). ``cut``, when given, gets True appended when the time limit
    stopped the search or left it no time. The caller re-times every route
    with the :class:`Timer` before using the answer. ``dims``: the route
    terms, each a dimension of the model.
    """
    t0 = time.perf_counter()
    inst = timer.inst
    slots = inst.slots
    visits = [(s, i) for s, seq in enumerate(routes) for i in seq]
    if len(visits) < 2:
        return None
    nv = len(slots)
    nvis = len(visits)
    # OR-Tools nodes: the visits, then each vehicle's start and end
    node_of = [i for _, i in visits] + [x for sl in slots for x in (sl.start_node, sl.end_node)]
    starts = [nvis + 2 * v for v in range(nv)]
    ends = [nvis + 2 * v + 1 for v in range(nv)]
    manager = pywrapcp.RoutingIndexManager(len(node_of), nv, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    idx = np.asarray(node_of, dtype=np.int64)
    service = np.zeros(len(node_of), dtype=np.int64)
    service[:nvis] = [inst.service[i] for _, i in visits]
    span = max(sl.shift_end for sl in slots) + 1
    horizon = span * (max(sl.day for sl in slots) + 1)
    time_cb: dict[str, int] = {}
    travel_m: dict[str, npt.NDArray[np.int64]] = {}
    for mode in sorted({sl.mode for sl in slots}):
        sub = np.asarray(inst.cost[mode])[np.ix_(idx, idx)]
        cost_cb = routing.RegisterTransitMatrix(sub.tolist())
        for v, sl in enumerate(slots):
            if sl.mode == mode:
                routing.SetArcCostEvaluatorOfVehicle(cost_cb, v)
        tm = np.asarray(inst.dur[mode])[np.ix_(idx, idx)] + service[:, None]
        np.fill_diagonal(tm, 0)
        if any(d.travel for d in dims):
            travel_m[mode] = np.asarray(inst.dur[mode])[np.ix_(idx, idx)]
            np.fill_diagonal(travel_m[mode], 0)
        time_cb[mode] = routing.RegisterTransitMatrix(np.minimum(tm, horizon).tolist())
    routing.AddDimensionWithVehicleTransits([time_cb[sl.mode] for sl in slots], span, horizon,
                                            False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    _add_dimensions(routing, dims, node_of,
                    [(v, travel_m.get(sl.mode)) for v, sl in enumerate(slots)],
                    list(zip(starts, ends, strict=True)))
    solver = routing.solver()
    pos = 0
    for s, seq in enumerate(routes):
        for g, i in enumerate(seq):
            index = manager.NodeToIndex(pos)
            pos += 1
            ok = allowed[s][g]
            routing.VehicleVar(index).SetValues(ok)
            # the start windows of every day it may be visited on, on the time line
            _within(time_dim.CumulVar(index),
                    sorted({(slots[t].day * span + lo, slots[t].day * span + hi)
                            for t in ok for lo, hi in inst.windows[i][slots[t].wkey]}))
    transit_at = [int(service[manager.IndexToNode(k)]) for k in range(routing.Size() + nv)]
    for v, sl in enumerate(slots):
        off = sl.day * span
        time_dim.CumulVar(routing.Start(v)).SetRange(off + sl.shift_start, off + sl.shift_start)
        time_dim.CumulVar(routing.End(v)).SetRange(off + sl.shift_start, off + sl.shift_end)
        if sl.break_open >= 0:
            brk = solver.FixedDurationIntervalVar(off + sl.break_open, off + sl.break_late,
                                                  sl.break_dur, False, f"lunch{v}")
            time_dim.SetBreakIntervalsOfVehicle([brk], v, transit_at)
    params = _descent_params(time_limit_s, counted)
    routing.CloseModelWithParameters(params)
    first: list[list[int]] = []
    pos = 0
    for seq in routes:
        first.append(list(range(pos, pos + len(seq))))
        pos += len(seq)
    initial = routing.ReadAssignmentFromRoutes(first, True)
    if initial is None:
        log.debug("OR-Tools rejected the current plan as a starting point")
        return None
    left = time_limit_s - (time.perf_counter() - t0)
    if left < 0.001:
        log.debug("building OR-Tools' model took the whole %.2f s", time_limit_s)
        if cut is not None:
            cut.append(True)
        return None
    params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
    if counted:
        params.lns_time_limit.FromMilliseconds(max(1, int(left * 1000)))
    sol = routing.SolveFromAssignmentWithParameters(initial, params)
    if cut is not None and clock_stopped(routing):
        cut.append(True)
    if sol is None:
        return None
    out: list[list[int]] = []
    for v in range(nv):
        seq = []
        k = sol.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(k):
            seq.append(node_of[manager.IndexToNode(k)])
            k = sol.Value(routing.NextVar(k))
        out.append(seq)
    return out


def steady_starts(days: Sequence[DaySpec], groups: Sequence[Sequence[tuple[int, int]]],
                  spread_weight: float, anchors: Sequence[tuple[int, int, int, float]],
                  day_weight: float) -> list[tuple[int, list[int], int]] | None:
    """Start times for routes of fixed order (steady visit times), or None.

    A linear program (GLOP): per route a departure, a start per visit and the
    lunch break's start, each visit after the trip from the previous one (or
    from the break), waiting allowed, inside the window it keeps, the break in
    its window and place, back by ``back_hi``. It minimises ``spread_weight``
    times the spread of each group of visits (latest minus earliest start;
    ``groups`` as (route, visit) pairs), plus each anchor's weight times the
    distance of a visit's start from its anchor (``anchors``: route, visit,
    time, weight per second), plus ``day_weight`` per second of each day
    (back minus departure). Every constraint is a difference of two times
    with a constant, so the optimal vertex is integral; the caller checks
    the rounded answer anyway.

    Returns per route (departure, starts, break start or -1).
    """
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
        return None
    inf = solver.infinity()
    obj = solver.Objective()

    def after(later: pywraplp.Variable, earlier: pywraplp.Variable, gap: int) -> None:
        c = solver.Constraint(gap, inf)
        c.SetCoefficient(later, 1)
        c.SetCoefficient(earlier, -1)

    starts: list[list[pywraplp.Variable]] = []
    others: list[tuple[pywraplp.Variable, pywraplp.Variable | None]] = []
    for day in days:
        d = solver.NumVar(day.depart_lo, day.back_hi, "")
        back = solver.NumVar(day.depart_lo, day.back_hi, "")
        obj.SetCoefficient(back, day_weight)
        obj.SetCoefficient(d, -day_weight)
        prev, gap = d, 0
        bvar = None
        row = []
        n = len(day.service)
        for g in range(n + 1):
            if day.brk is not None and day.brk[0] == g:
                _, lo, hi, dur = day.brk
                bvar = solver.NumVar(lo, hi, "")
                after(bvar, prev, gap)
                prev, gap = bvar, dur
            if g == n:
                break
            lo, hi = day.window[g]
            s = solver.NumVar(lo, hi, "")
            after(s, prev, gap + day.travel[g])
            prev, gap = s, day.service[g]
            row.append(s)
        after(back, prev, gap + day.travel[n])
        starts.append(row)
        others.append((d, bvar))
    for group in groups:
        lo_v = solver.NumVar(0, 86400 * 2, "")
        hi_v = solver.NumVar(0, 86400 * 2, "")
        for r, g in group:
            after(hi_v, starts[r][g], 0)
            after(starts[r][g], lo_v, 0)
        obj.SetCoefficient(hi_v, spread_weight)
        obj.SetCoefficient(lo_v, -spread_weight)
    for r, g, at, w in anchors:
        dev = solver.NumVar(0, inf, "")
        c = solver.Constraint(-at, inf)  # dev >= s - at
        c.SetCoefficient(dev, 1)
        c.SetCoefficient(starts[r][g], -1)
        c = solver.Constraint(at, inf)  # dev >= at - s
        c.SetCoefficient(dev, 1)
        c.SetCoefficient(starts[r][g], 1)
        obj.SetCoefficient(dev, obj.GetCoefficient(dev) + w)
    obj.SetMinimization()
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        log.debug("the re-timing program ended with status %d; earliest starts kept", status)
        return None
    out = []
    for row, (d, bvar) in zip(starts, others, strict=True):
        out.append((round(d.solution_value()), [round(v.solution_value()) for v in row],
                    -1 if bvar is None else round(bvar.solution_value())))
    return out


def assignment_lp(n: int, m: int, arcs_i: npt.NDArray[np.int64], arcs_j: npt.NDArray[np.int64],
                  weight: npt.NDArray[np.float64], cost: npt.NDArray[np.float64],
                  capacity: npt.NDArray[np.float64], band: float, *, band_price: float,
                  max_outlets: npt.NDArray[np.int64] | None = None,
                  keep: npt.NDArray[np.bool_] | None = None, max_moves: int | None = None,
                  visits: npt.NDArray[np.float64] | None = None,
                  visit_cap: npt.NDArray[np.float64] | None = None,
                  ) -> tuple[npt.NDArray[np.float64], float, str]:
    """The balanced assignment of ``n`` items to ``m`` centres, relaxed (GLOP).

    Arc ``k`` puts item ``arcs_i[k]`` with centre ``arcs_j[k]`` at ``cost[k]``
    and adds ``weight[k]`` to the centre's load. Each item's arcs sum to 1;
    each centre's load lies within ``band`` of ``u * capacity[j]`` (``u`` a
    variable), the hours outside priced at ``band_price`` each; at most
    ``max_outlets[j]`` items per centre; with ``keep`` (the arcs of the
    current assignment), at most ``max_moves`` items leave theirs, and every
    other arc costs a little more so that nothing moves for nothing. With
    ``visits`` (per arc) and ``visit_cap`` (per centre, ``inf`` for none), a
    centre's visits above its cap are priced at ``band_price`` each.

    Returns the arcs' values, ``u`` and the solver's status name.
    """
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
        raise RuntimeError("OR-Tools has no GLOP")
    inf = solver.infinity()
    obj = solver.Objective()
    nudge = 1e-3 * float(cost.mean()) if len(cost) else 0.0
    xs = [solver.NumVar(0.0, 1.0, "") for _ in range(len(arcs_i))]
    u = solver.NumVar(0.0, inf, "u")
    one = [solver.Constraint(1.0, 1.0) for _ in range(n)]
    hi = [solver.Constraint(-inf, 0.0) for _ in range(m)]
    lo = [solver.Constraint(0.0, inf) for _ in range(m)]
    count = ([solver.Constraint(-inf, float(c)) for c in max_outlets]
             if max_outlets is not None else None)
    stay = (solver.Constraint(float(n - max_moves), inf)
            if keep is not None and max_moves is not None else None)
    vcap: dict[int, Any] = {}
    if visits is not None and visit_cap is not None:
        for j in range(m):
            if math.isfinite(float(visit_cap[j])):
                vcap[j] = solver.Constraint(-inf, float(visit_cap[j]))
                extra = solver.NumVar(0.0, inf, "")
                vcap[j].SetCoefficient(extra, -1.0)
                obj.SetCoefficient(extra, band_price)
    for k, x in enumerate(xs):
        i, j, w = int(arcs_i[k]), int(arcs_j[k]), float(weight[k])
        c = float(cost[k])
        if keep is not None and not keep[k]:
            c += nudge
        obj.SetCoefficient(x, c)
        one[i].SetCoefficient(x, 1.0)
        hi[j].SetCoefficient(x, w)
        lo[j].SetCoefficient(x, w)
        if count is not None:
            count[j].SetCoefficient(x, 1.0)
        if stay is not None and keep is not None and keep[k]:
            stay.SetCoefficient(x, 1.0)
        if j in vcap and visits is not None:
            vcap[j].SetCoefficient(x, float(visits[k]))
    for j in range(m):
        over = solver.NumVar(0.0, inf, "")
        under = solver.NumVar(0.0, inf, "")
        hi[j].SetCoefficient(u, -(1 + band) * float(capacity[j]))
        hi[j].SetCoefficient(over, -1.0)
        lo[j].SetCoefficient(u, -(1 - band) * float(capacity[j]))
        lo[j].SetCoefficient(under, 1.0)
        obj.SetCoefficient(over, band_price)
        obj.SetCoefficient(under, band_price)
    obj.SetMinimization()
    status = solver.Solve()
    names = {pywraplp.Solver.OPTIMAL: "optimal", pywraplp.Solver.FEASIBLE: "feasible",
             pywraplp.Solver.INFEASIBLE: "infeasible"}
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError(f"the territory program ended {names.get(status, status)}")
    return (np.array([x.solution_value() for x in xs]), float(u.solution_value()),
            names[status])
