"""The only module that talks to OR-Tools.

OR-Tools routing re-orders the visits of one route (a rep on a day) with the
time windows, service times, shift and lunch break of that day. The search
decides which outlets a route holds; OR-Tools finds a better order for them.
Every order it returns is re-timed by :mod:`routeopt.solver._routes` before it
is used, so OR-Tools never has the last word on feasibility.
"""

from __future__ import annotations

import itertools
import logging

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routeopt.solver._model import Slot
from routeopt.solver._routes import Timer

log = logging.getLogger(__name__)

_BIG = 1 << 40


def reorder_route(timer: Timer, slot: Slot, seq: list[int], *,
                  time_limit_s: float = 2.0) -> list[int] | None:
    """A cheaper order of ``seq`` on ``slot`` found by OR-Tools, or None.

    The search starts from ``seq`` and runs a greedy descent to a local
    optimum (deterministic: no time limit is reached on routes of normal
    size; ``time_limit_s`` is only a safety net).
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
    for i, v in enumerate(seq, start=1):
        wins = inst.windows[v][slot.day]
        var = time_dim.CumulVar(manager.NodeToIndex(i))
        var.SetRange(wins[0][0], wins[-1][1])
        for (_, hi), (lo, _) in itertools.pairwise(wins):
            if lo - hi > 1:
                var.RemoveInterval(hi + 1, lo - 1)
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
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    routing.CloseModelWithParameters(params)
    initial = routing.ReadAssignmentFromRoutes([list(range(1, n - 1))], True)
    if initial is None:
        log.debug("OR-Tools rejected the current order of a route on %s", slot.date)
        return None
    sol = routing.SolveFromAssignmentWithParameters(initial, params)
    if sol is None:
        return None
    order: list[int] = []
    idx = routing.Start(0)
    idx = sol.Value(routing.NextVar(idx))
    while not routing.IsEnd(idx):
        order.append(nodes[manager.IndexToNode(idx)])
        idx = sol.Value(routing.NextVar(idx))
    return order
