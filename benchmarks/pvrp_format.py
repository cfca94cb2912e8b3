"""Cordeau's periodic VRP format: a pure parser, an independent checker and a writer.

Text in, values out; no file reading and no routeopt imports, so that the
checker shares no code with the solver it checks.

Format (Cordeau, Gendreau & Laporte 1997): a header ``type m n t``; ``t`` lines
``D Q`` (maximum route duration, 0 = none, and vehicle capacity, per day);
``n + 1`` node lines ``i x y d q f a c1 .. ca`` (node 0 the depot; service
time, demand per visit, visit frequency, number of allowed patterns, pattern
codes). A code is a t-bit number read left to right as day 1..t.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class PVRPInstance:
    name: str
    m: int  # vehicles per day
    t: int  # days
    duration: tuple[float, ...]  # per day, 0 = no limit
    capacity: tuple[float, ...]  # per day
    xy: tuple[tuple[float, float], ...]  # node 0 = depot
    service: tuple[float, ...]
    demand: tuple[float, ...]
    frequency: tuple[int, ...]
    patterns: tuple[tuple[tuple[int, ...], ...], ...]  # per node: allowed day sets (0-based)

    @property
    def n(self) -> int:
        return len(self.xy) - 1

    def dist(self, a: int, b: int) -> float:
        (x1, y1), (x2, y2) = self.xy[a], self.xy[b]
        return math.hypot(x1 - x2, y1 - y2)


def decode_pattern(code: int, t: int) -> tuple[int, ...]:
    """Days (0-based) of a pattern code: bit for day k is ``(code >> (t - k)) & 1``.

    >>> decode_pattern(10, 5)
    (1, 3)
    """
    return tuple(k - 1 for k in range(1, t + 1) if (code >> (t - k)) & 1)


def parse_pvrp(text: str, name: str = "") -> PVRPInstance:
    """Parse an instance.

    p11's customer 131 has f = 0 with one-day patterns; like Cordeau's own
    solution we take the frequency from the patterns (popcount) whenever f
    disagrees with them.
    """
    lines = [ln.split() for ln in text.strip().splitlines() if ln.strip()]
    typ, m, n, t = (int(v) for v in lines[0][:4])
    if typ != 1:
        raise ValueError(f"{name}: type {typ} is not a PVRP instance (1)")
    dq = [(float(a), float(b)) for a, b, *_ in lines[1:1 + t]]
    xy, service, demand, freq, pats = [], [], [], [], []
    for row in lines[1 + t: 1 + t + n + 1]:
        vals = [float(v) for v in row]
        f, a = int(vals[5]), int(vals[6])
        codes = [int(c) for c in vals[7:7 + a]]
        days = tuple(decode_pattern(c, t) for c in codes)
        if days and any(len(d) != f for d in days):
            sizes = {len(d) for d in days}
            if len(sizes) != 1:
                raise ValueError(f"{name}: node {int(vals[0])} has patterns of sizes {sizes}")
            f = sizes.pop()
        xy.append((vals[1], vals[2]))
        service.append(vals[3])
        demand.append(vals[4])
        freq.append(f)
        pats.append(days)
    if len(xy) != n + 1:
        raise ValueError(f"{name}: expected {n + 1} node lines, found {len(xy)}")
    return PVRPInstance(name, m, t, tuple(d for d, _ in dq), tuple(q for _, q in dq),
                        tuple(xy), tuple(service), tuple(demand), tuple(freq), tuple(pats))


@dataclass(frozen=True)
class PVRPRoute:
    day: int  # 0-based
    vehicle: int  # 0-based
    customers: tuple[int, ...]


def check_solution(inst: PVRPInstance, routes: list[PVRPRoute],
                   eps: float = 1e-6) -> tuple[float, list[str]]:
    """Recompute the cost in float64 and list every violated constraint.

    Checks: each customer is served on exactly the days of one of its allowed
    patterns, once per day; at most ``m`` routes a day; load <= Q; duration
    (travel + service) <= D when D > 0.
    """
    errors: list[str] = []
    cost = 0.0
    days_of: dict[int, list[int]] = {i: [] for i in range(1, inst.n + 1)}
    per_day: dict[int, int] = {}
    for r in routes:
        if not 0 <= r.day < inst.t:
            errors.append(f"route on day {r.day + 1} outside 1..{inst.t}")
            continue
        per_day[r.day] = per_day.get(r.day, 0) + 1
        nodes = [0, *r.customers, 0]
        length = sum(inst.dist(a, b) for a, b in itertools.pairwise(nodes))
        cost += length
        load = sum(inst.demand[c] for c in r.customers)
        if load > inst.capacity[r.day] + eps:
            errors.append(f"day {r.day + 1} vehicle {r.vehicle + 1}: load {load} > "
                          f"{inst.capacity[r.day]}")
        dur = length + sum(inst.service[c] for c in r.customers)
        if inst.duration[r.day] > 0 and dur > inst.duration[r.day] + eps:
            errors.append(f"day {r.day + 1} vehicle {r.vehicle + 1}: duration {dur:.3f} > "
                          f"{inst.duration[r.day]}")
        for c in r.customers:
            if c not in days_of:
                errors.append(f"unknown customer {c}")
            else:
                days_of[c].append(r.day)
    for day, k in per_day.items():
        if k > inst.m:
            errors.append(f"day {day + 1}: {k} routes > {inst.m} vehicles")
    for c, days in days_of.items():
        if len(set(days)) != len(days):
            errors.append(f"customer {c} served twice on one day")
        if inst.frequency[c] == 0 and not inst.patterns[c]:
            continue
        if not days and inst.xy[c] == inst.xy[0] and inst.service[c] == 0:
            continue  # p01's dummy at the depot: Cordeau's file omits its empty route
        if tuple(sorted(days)) not in inst.patterns[c]:
            errors.append(f"customer {c} served on days {[d + 1 for d in sorted(days)]}, "
                          "not an allowed pattern")
    return cost, errors


def format_res(inst: PVRPInstance, routes: list[PVRPRoute]) -> str:
    """Cordeau's ``.res`` layout: the cost, then ``day vehicle duration load 0 ... 0``."""
    cost, _ = check_solution(inst, routes)
    out = [f"{cost:.2f}"]
    for r in sorted(routes, key=lambda r: (r.day, r.vehicle)):
        nodes = [0, *r.customers, 0]
        length = sum(inst.dist(a, b) for a, b in itertools.pairwise(nodes))
        dur = length + sum(inst.service[c] for c in r.customers)
        load = sum(inst.demand[c] for c in r.customers)
        out.append(f"{r.day + 1} {r.vehicle + 1} {dur:.2f} {load:g} " +
                   " ".join(str(v) for v in nodes))
    return "\n".join(out) + "\n"


def parse_res(text: str) -> tuple[float, list[PVRPRoute]]:
    """Read a ``.res`` solution file."""
    lines = [ln.split() for ln in text.strip().splitlines() if ln.strip()]
    cost = float(lines[0][0])
    routes = []
    for row in lines[1:]:
        day, veh = int(row[0]) - 1, int(row[1]) - 1
        nodes = [int(v) for v in row[4:]]
        routes.append(PVRPRoute(day, veh, tuple(v for v in nodes if v != 0)))
    return cost, routes
