"""At most ``Rep.max_visits`` visits a day: a hard rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from routeopt.solver.terms._base import RouteTerm

if TYPE_CHECKING:
    from routeopt.solver.terms._base import Instance, Slot


class MaxVisits(RouteTerm):
    """Visits per route, at most the rep's ``max_visits``."""

    code = "max_visits"
    message = "the rep's max_visits per day was reached on every allowed day"

    def slot_limit(self, inst: Instance, slot: Slot) -> int | None:
        return inst.problem.reps[slot.rep].max_visits

    def node_use(self, inst: Instance, node: int) -> int:
        return 1
