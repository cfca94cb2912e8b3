"""The seam's second kind of term: a soft cost of a route's totals.

A :class:`~routeopt.solver.terms.RouteTerm` is a quantity with a limit per
slot: a route is within it or over it. Some rules of a plan a manager signs
off are not limits but targets, where being far off in either direction
costs, and where the target itself follows the plan (a rep's mean working
time per day). An *objective term* is one object with these jobs:

* **measuring**: :meth:`ObjectiveTerm.route_cost`, what route ``s`` of a
  state costs (its share of the objective);
* **pricing**: :meth:`ObjectiveTerm.insert_cost`, what putting a visit at a
  position of a route adds. The per-route pricer (``Search.soft_cost``, after
  the cheapest feasible position is found), the vectorised pricer (which
  gives that position, the term adding its price per slot) and the day search
  (``DaySearch.slot_cost`` and its recreate) read the same numbers;
* **targets**: :meth:`ObjectiveTerm.refresh` moves the targets to the current
  plan (after the first plan and every ``Tuning.reweigh_every`` iterations);
  the search then prices its current and best plans again;
* **OR-Tools**: none of these terms is passed to OR-Tools, for the reason
  each gives (a term says so in its docstring).

The independent checker does not price objective terms: they are soft.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routeopt.solver._state import State


class ObjectiveTerm:
    """A soft cost of each route's totals, against targets that follow the plan."""

    active: bool = False

    def route_cost(self, st: State, s: int) -> float:
        """What route ``s`` of ``st`` costs through this term."""
        raise NotImplementedError

    def insert_cost(self, st: State, i: int, s: int, pos: int) -> float:
        """What inserting node ``i`` before position ``pos`` of route ``s`` adds."""
        raise NotImplementedError

    def refresh(self, st: State) -> bool:
        """Move the targets to ``st``; whether any changed."""
        raise NotImplementedError
