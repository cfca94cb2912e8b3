"""Route terms: the rules of a route the search prices, one module each.

See :mod:`routeopt.solver.terms._base` for the seam. :data:`TERMS` lists the
route terms in the order their reasons are tried for an unscheduled visit;
:data:`TIME_TERMS` the rules of when visits may happen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routeopt.solver.terms._base import Dimension, RouteTerm, TimeTerm, cut_windows
from routeopt.solver.terms.blocks import Blocks
from routeopt.solver.terms.capacity import Capacity
from routeopt.solver.terms.max_drive import MaxDrive
from routeopt.solver.terms.max_visits import MaxVisits

if TYPE_CHECKING:
    from routeopt.solver.terms._base import Instance

__all__ = ["TERMS", "TIME_TERMS", "Blocks", "Capacity", "Dimension", "MaxDrive", "MaxVisits",
           "RouteTerm", "TimeTerm", "cut_windows", "route_terms"]

TERMS: tuple[type[RouteTerm], ...] = (MaxVisits, Capacity, MaxDrive)

TIME_TERMS: tuple[type[TimeTerm], ...] = (Blocks,)
"""The rules of when visits may happen (intervals with no visit inside)."""


def route_terms(inst: Instance) -> list[RouteTerm]:
    """The terms of :data:`TERMS` that limit some slot of ``inst``."""
    terms = [cls(inst) for cls in TERMS]
    return [t for t in terms if t.active]
