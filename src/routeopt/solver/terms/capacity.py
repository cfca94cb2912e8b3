"""Load per route within ``Rep.capacity``: soft while the search runs.

Capacity is hard while the first plan is built; during the search a route
may carry more than its capacity at a penalty per unit over that the
:class:`~routeopt.solver._penalty.PenaltyManager` adapts (the penalised
infeasibility of Vidal et al.'s hybrid genetic search). Only a plan within
every capacity can become the best.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routeopt.solver.terms._base import RouteTerm

if TYPE_CHECKING:
    from routeopt.solver.terms._base import Instance, Slot


class Capacity(RouteTerm):
    """The sum of the outlets' demands on a route, at most the rep's ``capacity``."""

    code = "capacity"
    message = "the rep's capacity was reached on every allowed day"
    soft = True

    def slot_limit(self, inst: Instance, slot: Slot) -> int | None:
        return inst.problem.reps[slot.rep].capacity

    def node_use(self, inst: Instance, node: int) -> int:
        return inst.demand[node]
