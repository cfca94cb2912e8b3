"""Baselines that routeopt is measured against (benchmark code, not the library).

``naive_pvrp``: the model a user writes from the OR-Tools documentation and
forum answers for a periodic problem: "days as vehicles", one node per visit,
the copies of a customer tied to one allowed pattern by ``AllowedAssignments``
on day variables derived from ``VehicleVar``. Its local search cannot move a
customer from one pattern to another (every single-copy move breaks the
pattern), which is why routeopt's search works on patterns instead.
"""

from __future__ import annotations

import itertools
import math

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from pvrp_format import PVRPInstance, PVRPRoute

SCALE = 1000


def naive_pvrp(inst: PVRPInstance, time_limit: float, seed: int = 0) -> list[PVRPRoute] | None:
    """Solve with the plain OR-Tools model; None when it finds no solution."""
    del seed  # OR-Tools routing has no seed; its search is deterministic for a given model
    t, m = inst.t, inst.m
    owner = [0]  # node -> customer (0 = depot)
    for c in range(1, inst.n + 1):
        owner += [c] * inst.frequency[c]
    n_nodes = len(owner)
    vehicles = t * m
    manager = pywrapcp.RoutingIndexManager(n_nodes, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = [[round(inst.dist(owner[a], owner[b]) * SCALE) for b in range(n_nodes)]
            for a in range(n_nodes)]
    cost_cb = routing.RegisterTransitMatrix(dist)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    demand = [0] + [round(inst.demand[owner[v]]) for v in range(1, n_nodes)]
    dem_cb = routing.RegisterUnaryTransitVector(demand)
    routing.AddDimensionWithVehicleCapacity(
        dem_cb, 0, [round(inst.capacity[v // m]) for v in range(vehicles)], True, "load")
    if max(inst.duration) > 0:
        time_m = [[math.ceil(inst.dist(owner[a], owner[b]) * SCALE) +
                   round(inst.service[owner[a]] * SCALE) for b in range(n_nodes)]
                  for a in range(n_nodes)]
        time_cb = routing.RegisterTransitMatrix(time_m)
        routing.AddDimensionWithVehicleCapacity(
            time_cb, 0, [round(inst.duration[v // m] * SCALE) for v in range(vehicles)], True,
            "duration")
    solver = routing.solver()
    day_of_vehicle = [v // m for v in range(vehicles)]
    node = 1
    for c in range(1, inst.n + 1):
        f = inst.frequency[c]
        days = []
        for _ in range(f):
            idx = manager.NodeToIndex(node)
            day = solver.IntVar(0, t - 1, f"day_{node}")
            solver.Add(day == solver.Element(day_of_vehicle, routing.VehicleVar(idx)))
            days.append(day)
            node += 1
        for a, b in itertools.pairwise(days):
            solver.Add(a < b)
        solver.Add(solver.AllowedAssignments(days, [list(p) for p in inst.patterns[c]]))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(int(time_limit * 1000))
    sol = routing.SolveWithParameters(params)
    if sol is None:
        return None
    routes = []
    for v in range(vehicles):
        idx = routing.Start(v)
        seq = []
        idx = sol.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            seq.append(owner[manager.IndexToNode(idx)])
            idx = sol.Value(routing.NextVar(idx))
        if seq:
            routes.append(PVRPRoute(v // m, v % m, tuple(seq)))
    return routes
