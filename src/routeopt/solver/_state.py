"""A plan under construction: the state the search and the day search share."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from routeopt.solver._model import Instance
    from routeopt.solver._penalty import PenaltyManager
    from routeopt.solver._routes import Schedule, Timer
    from routeopt.solver._tuning import Tuning
    from routeopt.solver.terms import ObjectiveTerm, RouteTerm


@dataclass(slots=True)
class State:
    """One route per slot, with its schedule, version, travel cost and the use
    of each route term (``use[k][s]``: term ``k`` of ``Instance.terms`` on slot
    ``s``), and per node its choice (option index, slots visited) and the
    visits it misses."""

    routes: list[list[int]]
    scheds: list[Schedule]
    version: list[int]
    rcost: list[int]
    use: list[list[int]]
    choice: list[tuple[int, tuple[int, ...]] | None]
    missed: list[int] = field(default_factory=list)

    def copy(self) -> State:
        return State([r[:] for r in self.routes], self.scheds[:], self.version[:],
                     self.rcost[:], [u[:] for u in self.use], self.choice[:], self.missed[:])


class Router(Protocol):
    """What the day search (:mod:`_intraday`) needs of the search: its instance,
    random generator, penalties, route terms and objective terms, and its pricing and re-timing
    of one route. :class:`~routeopt.solver._search.Search` is one."""

    inst: Instance
    timer: Timer
    rng: random.Random
    penalties: PenaltyManager
    terms: list[RouteTerm]
    objectives: list[ObjectiveTerm]
    tuning: Tuning
    forced: dict[int, int]  # outlet -> the rep its next repair tries first (rep moves)
    banned: dict[int, int]  # outlet -> the option whose days its next repair keeps from it

    def slot_insert(self, st: State, i: int, s: int) -> tuple[float, int] | None: ...

    def soft_cost(self, st: State, i: int, s: int) -> float | None: ...

    def _pick(self, st: State, i: int, r_i: int, group: Sequence[int], move: float,
              pref: object, soft: bool) -> tuple[float, int, int] | None: ...

    def native_slots(self, st: State, i: int, slots: list[int], soft: bool
                     ) -> list[tuple[float, int] | None] | None: ...

    def _touch(self, st: State, s: int, rcost: int | None = None) -> bool: ...

    def _arc_delta(self, s: int, seq: list[int], pos: int) -> int: ...
