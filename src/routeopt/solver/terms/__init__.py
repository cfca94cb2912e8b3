"""Route terms: the rules of a route the search prices, one module each.

See :mod:`routeopt.solver.terms._base` for the seam. :data:`TERMS` lists the
route terms in the order their reasons are tried for an unscheduled visit;
:data:`TIME_TERMS` the rules of when visits may happen. Objective terms
(:mod:`routeopt.solver.terms._objective`: soft costs of a route's totals against
targets, such as balanced days) are built by :func:`objective_terms`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routeopt.solver.terms._base import Dimension, RouteTerm, TimeTerm, cut_windows
from routeopt.solver.terms._objective import ObjectiveTerm
from routeopt.solver.terms.balance import DayBalance
from routeopt.solver.terms.blocks import Blocks
from routeopt.solver.terms.capacity import Capacity
from routeopt.solver.terms.max_drive import MaxDrive
from routeopt.solver.terms.max_visits import MaxVisits

if TYPE_CHECKING:
    from routeopt.solver._model import Instance as Compiled
    from routeopt.solver._tuning import Tuning
    from routeopt.solver.terms._base import Instance

__all__ = ["TERMS", "TIME_TERMS", "Blocks", "Capacity", "DayBalance", "Dimension", "MaxDrive",
           "MaxVisits", "ObjectiveTerm", "RouteTerm", "TimeTerm", "cut_windows",
           "objective_terms", "route_terms"]

TERMS: tuple[type[RouteTerm], ...] = (MaxVisits, Capacity, MaxDrive)

TIME_TERMS: tuple[type[TimeTerm], ...] = (Blocks,)
"""The rules of when visits may happen (intervals with no visit inside)."""


def route_terms(inst: Instance) -> list[RouteTerm]:
    """The terms of :data:`TERMS` that limit some slot of ``inst``."""
    terms = [cls(inst) for cls in TERMS]
    return [t for t in terms if t.active]


def objective_terms(inst: Compiled, tuning: Tuning) -> list[ObjectiveTerm]:
    """The objective terms that are on for ``inst`` (balanced days: a
    ``balance_weight`` above 0 or some rep's ``min_visits``).

    None against a reference plan (re-planning, ``solve(..., previous=)``):
    there the stability terms keep the previous plan, which was balanced when
    it was made, and a balance over the rest of the cycle alone would pull
    visits into its first days (measured: a re-plan of a re-plan then added
    visits to the first day instead of reproducing the plan).
    """
    if inst.start_routes is not None:
        return []
    terms: list[ObjectiveTerm] = [DayBalance(inst, tuning.min_visits_price)]
    return [t for t in terms if t.active]
