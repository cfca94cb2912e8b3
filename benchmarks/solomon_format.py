"""Solomon's VRPTW format: a pure parser, a route-file reader and an independent checker.

Text in, values out; no file reading and no routeopt imports, so that the
checker shares no code with the solvers it checks.

Format (Solomon 1987, the 100-customer files): line 1 the instance name; a
``VEHICLE`` block with ``NUMBER CAPACITY``; a ``CUSTOMER`` block with one row
``id x y demand ready due service`` per node, node 0 the depot (its due date is
the horizon). Route files (``Route #k: c1 c2 ...`` lines, then ``Cost x``) give
one route per line, the depot left out.

Two cost conventions (``CONVENTIONS``):

* ``hierarchical`` (SINTEF): Euclidean distances and travel times in double
  precision (travel time = distance); minimise the vehicles, then the distance.
* ``distance`` (DIMACS 2021): every arc is ``floor(10 * euclid)`` as distance
  and as travel time, the times of the file are multiplied by 10; minimise the
  sum of the arcs, vehicles free. The cost is reported divided by 10.

In both, a vehicle arriving before the ready time waits, service starts by the
due date, and the vehicle is back at the depot by the depot's due date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CONVENTIONS = ("hierarchical", "distance")


@dataclass(frozen=True)
class SolomonInstance:
    name: str
    vehicles: int
    capacity: int
    xy: tuple[tuple[float, float], ...]  # node 0 = depot
    demand: tuple[int, ...]
    ready: tuple[int, ...]
    due: tuple[int, ...]
    service: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.xy) - 1

    def dist(self, a: int, b: int) -> float:
        (x1, y1), (x2, y2) = self.xy[a], self.xy[b]
        return math.hypot(x1 - x2, y1 - y2)

    def arc(self, a: int, b: int, convention: str) -> float:
        """Length (= travel time) of arc ``a -> b`` under ``convention``, in the
        convention's own units (tenths for ``distance``)."""
        if convention == "hierarchical":
            return self.dist(a, b)
        if convention == "distance":
            return float(math.floor(10 * self.dist(a, b)))
        raise ValueError(f"unknown convention {convention!r}; use one of {CONVENTIONS}")


def parse_solomon(text: str, name: str = "") -> SolomonInstance:
    """Parse an instance file (CRLF line ends and trailing blanks allowed).

    Raises
    ------
    ValueError
        Naming the line, when the ``VEHICLE`` or ``CUSTOMER`` block is missing
        or a customer row does not hold seven numbers.
    """
    lines = text.splitlines()
    words = [ln.split() for ln in lines]
    upper = [ln.strip().upper() for ln in lines]
    try:
        v = upper.index("VEHICLE")
        c = upper.index("CUSTOMER")
    except ValueError:
        raise ValueError(f"{name or 'instance'}: no VEHICLE or CUSTOMER block; is this a "
                         "Solomon file?") from None
    head = next(k for k in range(v + 1, c) if words[k] and words[k][0].isdigit())
    vehicles, capacity = int(words[head][0]), int(words[head][1])
    rows: list[list[float]] = []
    for k in range(c + 1, len(lines)):
        w = words[k]
        if not w or not w[0].lstrip("-").isdigit():
            continue
        if len(w) != 7:
            raise ValueError(f"{name or 'instance'}, line {k + 1}: a customer row needs 7 "
                             f"numbers (id x y demand ready due service), got {len(w)}")
        rows.append([float(x) for x in w])
    for i, r in enumerate(rows):
        if int(r[0]) != i:
            raise ValueError(f"{name or 'instance'}: customer rows must be numbered 0, 1, ...; "
                             f"row {i} has id {int(r[0])}")
    return SolomonInstance(
        name=name or lines[0].strip(), vehicles=vehicles, capacity=capacity,
        xy=tuple((r[1], r[2]) for r in rows),
        demand=tuple(int(r[3]) for r in rows), ready=tuple(int(r[4]) for r in rows),
        due=tuple(int(r[5]) for r in rows), service=tuple(int(r[6]) for r in rows))


def parse_sol(text: str) -> tuple[float | None, list[tuple[int, ...]]]:
    """A route file: its stated cost (None if absent) and its routes."""
    cost: float | None = None
    routes: list[tuple[int, ...]] = []
    for line in text.splitlines():
        s = line.strip()
        if s.lower().startswith("route"):
            routes.append(tuple(int(x) for x in s.split(":", 1)[1].split()))
        elif s.lower().startswith("cost"):
            cost = float(s.split()[1])
    return cost, routes


def check_routes(inst: SolomonInstance, routes: list[tuple[int, ...]], convention: str
                 ) -> tuple[int, float, list[str]]:
    """The vehicles used, the total length and the violations of ``routes``.

    The length is in the instance's units (the ``distance`` convention's
    tenths are divided by 10). Empty routes count as no vehicle.
    """
    scale = 10 if convention == "distance" else 1
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown convention {convention!r}; use one of {CONVENTIONS}")
    errors: list[str] = []
    used = [r for r in routes if r]
    if len(used) > inst.vehicles:
        errors.append(f"{len(used)} routes, only {inst.vehicles} vehicles")
    seen: dict[int, int] = {}
    total = 0.0
    eps = 1e-6
    for k, route in enumerate(used):
        load = 0
        t = float(inst.ready[0] * scale)
        prev = 0
        for c in route:
            if not 1 <= c <= inst.n:
                errors.append(f"route {k + 1}: no customer {c}")
                continue
            seen[c] = seen.get(c, 0) + 1
            a = inst.arc(prev, c, convention)
            total += a
            t = max(t + a, inst.ready[c] * scale)
            if t > inst.due[c] * scale + eps:
                errors.append(f"route {k + 1}: customer {c} starts at {t / scale:.3f}, "
                              f"after its due date {inst.due[c]}")
            t += inst.service[c] * scale
            load += inst.demand[c]
            prev = c
        a = inst.arc(prev, 0, convention)
        total += a
        if t + a > inst.due[0] * scale + eps:
            errors.append(f"route {k + 1}: back at {(t + a) / scale:.3f}, after the depot's "
                          f"due date {inst.due[0]}")
        if load > inst.capacity:
            errors.append(f"route {k + 1}: load {load} > capacity {inst.capacity}")
    missing = [c for c in range(1, inst.n + 1) if c not in seen]
    twice = [c for c, k in seen.items() if k > 1]
    if missing:
        errors.append(f"{len(missing)} customers not visited, e.g. {missing[:5]}")
    if twice:
        errors.append(f"customers visited more than once: {twice[:5]}")
    return len(used), total / scale, errors
