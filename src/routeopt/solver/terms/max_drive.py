"""At most ``Rep.max_drive`` seconds of driving a day: a hard rule.

A route's driving time is the travel time of every trip it makes, from the
rep's start to the first visit, between visits, and back to the end. An
insertion between ``p`` and ``q`` adds ``t(p, i) + t(i, q) - t(p, q)``, so
the rule depends on the position: the pricers check it at every position
(:attr:`RouteTerm.travel`), and OR-Tools gets it as a dimension over travel
times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routeopt.solver.terms._base import RouteTerm

if TYPE_CHECKING:
    from routeopt.solver.terms._base import Instance, Slot


class MaxDrive(RouteTerm):
    """Travel time per route, at most the rep's ``max_drive``."""

    code = "max_drive"
    message = "the rep's max_drive (driving time per day) was reached on every allowed day"
    travel = True

    def slot_limit(self, inst: Instance, slot: Slot) -> int | None:
        return inst.problem.reps[slot.rep].max_drive

    def node_use(self, inst: Instance, node: int) -> int:
        return 0
