"""The seam between the search and the rules of a route.

A *route term* is a quantity summed along a route, with a limit per slot (a
rep on a day): load against capacity, visits against ``max_visits``, driving
time against ``max_drive``. A term is one object with four jobs:

* **pricing**: how much of the quantity inserting a visit adds
  (:meth:`RouteTerm.node_use`, plus the travel of the arcs changed when
  :attr:`RouteTerm.travel` is set), and so whether the insertion keeps the
  route within the limit (a hard term) or what it costs (a soft term, priced
  per unit over the limit at a penalty the search's
  :class:`~routeopt.solver._penalty.PenaltyManager` adapts). The per-route
  pricer (:meth:`Timer.best_insertion`), the vectorised pricer
  (:mod:`routeopt.solver._vector`) and the day search read the same numbers
  from here;
* **measuring**: a route's use (:meth:`RouteTerm.route_use`) and its excess
  over the limit (:meth:`RouteTerm.excess`);
* **OR-Tools**: :meth:`RouteTerm.dimension` describes the term as a
  :class:`Dimension` (per-node transits, the travel time of arcs or not, a
  limit per vehicle); :mod:`routeopt.solver._ortools` turns that into an
  OR-Tools dimension. No term imports OR-Tools;
* **reasons**: :attr:`RouteTerm.code` and :attr:`RouteTerm.message` name the
  rule when it is what keeps a visit out (see ``Unscheduled``).

The independent checker (:mod:`routeopt._check`) does not use these classes:
it re-derives each rule from the problem's own fields.

A term with no limit on any slot is left out of the instance
(:func:`~routeopt.solver.terms.route_terms`), so a rule nobody uses costs
nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from routeopt.problem import Problem


# What a term reads of the compiled instance (routeopt.solver._model's Instance
# and Slot are these), so that the terms need nothing of the module that builds
# them.
class Slot(Protocol):
    """One rep on one planning day."""

    @property
    def rep(self) -> int: ...
    @property
    def date(self) -> date: ...
    @property
    def mode(self) -> str: ...
    @property
    def start_node(self) -> int: ...
    @property
    def end_node(self) -> int: ...
    @property
    def index(self) -> int: ...


class Instance(Protocol):
    """The compiled problem, by integers."""

    @property
    def problem(self) -> Problem: ...
    @property
    def slots(self) -> Sequence[Slot]: ...
    @property
    def n(self) -> int: ...
    @property
    def dur(self) -> Mapping[str, npt.NDArray[np.int64]]: ...
    @property
    def demand(self) -> Sequence[int]: ...
    @property
    def service(self) -> Sequence[int]: ...
    def rows(self, a: npt.NDArray[np.int64]) -> list[Sequence[int]]: ...


@dataclass(frozen=True, slots=True)
class Dimension:
    """What a term asks of a routing model: a quantity summed along each route.

    Attributes
    ----------
    name
        The dimension's name.
    node
        Per search node, the quantity a visit adds.
    travel
        Whether the travel time of each arc counts too.
    limit
        Per slot, the most a route may hold (None: no limit).
    """

    name: str
    node: tuple[int, ...]
    travel: bool
    limit: tuple[int | None, ...]


class RouteTerm:
    """A quantity summed along a route, within a limit per slot.

    Subclasses set :attr:`code`, :attr:`message`, :attr:`soft` and
    :attr:`travel` and define :meth:`slot_limit` and :meth:`node_use`.
    """

    code: ClassVar[str]
    """The reason code when this rule keeps a visit out of a plan."""
    message: ClassVar[str]
    """The reason's text."""
    soft: ClassVar[bool] = False
    """Whether the search may exceed the limit at a price (it is hard while the
    first plan is built, in the day search's end phase and in the plan returned)."""
    travel: ClassVar[bool] = False
    """Whether the travel time of a route's arcs counts (then an insertion's use
    depends on its position)."""
    objective: ClassVar[bool] = False
    """Whether the term is priced in the objective (:meth:`cost` of each route's
    use, e.g. a workload balance: ``w * |work - target|``) rather than, or as
    well as, limited. An insertion then costs ``cost(use + added) - cost(use)``
    at its position, in both pricers and the day search."""

    def __init__(self, inst: Instance) -> None:
        self.limit: list[int | None] = [self.slot_limit(inst, sl) for sl in inst.slots]
        self.node: list[int] = [self.node_use(inst, v) for v in range(inst.n)]
        # per travel mode, the travel times as nested lists (hot loops index them):
        # the instance's shared rows, and only for a term that binds somewhere
        self.arc: dict[str, list[Sequence[int]]] = (
            {m: inst.rows(a) for m, a in inst.dur.items()} if self.travel and self.active
            else {})
        self.slots = inst.slots

    # -- what a subclass defines ------------------------------------------------
    def slot_limit(self, inst: Instance, slot: Slot) -> int | None:
        """The most a route of ``slot`` may hold (None: no limit)."""
        raise NotImplementedError

    def node_use(self, inst: Instance, node: int) -> int:
        """What one visit of ``node`` adds."""
        raise NotImplementedError

    def cost(self, s: int, use: int) -> float:
        """An objective term's cost of a route of slot ``s`` holding ``use`` (0.0 for
        the others)."""
        return 0.0

    def cost_rows(self, use: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """:meth:`cost` for every slot at once: ``use`` has one row per slot (any
        number of columns: positions); the same shape comes back. It must give
        exactly what :meth:`cost` gives (the vectorised pricer is tested equal
        to the per-route one)."""
        return np.zeros(use.shape, dtype=np.float64)

    # -- measuring ----------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether the term bears on some slot: a limit, or being in the objective."""
        return self.objective or any(lim is not None for lim in self.limit)

    def route_use(self, s: int, seq: Sequence[int]) -> int:
        """The quantity route ``seq`` holds on slot ``s``."""
        total = sum(map(self.node.__getitem__, seq))
        if self.travel and seq:
            slot = self.slots[s]
            a = self.arc[slot.mode]
            total += a[slot.start_node][seq[0]] + a[seq[-1]][slot.end_node]
            total += sum(a[p][q] for p, q in itertools.pairwise(seq))
        return total

    def excess(self, s: int, use: int) -> int:
        """How far ``use`` is over slot ``s``'s limit (0 within it)."""
        lim = self.limit[s]
        return use - lim if lim is not None and use > lim else 0

    def arc_use(self, s: int, prev: int, node: int, nxt: int, *, empty: bool = False) -> int:
        """What putting ``node`` between ``prev`` and ``nxt`` on slot ``s`` adds
        through travel (0 for a term without :attr:`travel`). Into an ``empty``
        route no arc is replaced: an empty route uses nothing, the rep does
        not go out."""
        if not self.travel:
            return 0
        a = self.arc[self.slots[s].mode]
        return a[prev][node] + a[node][nxt] - (0 if empty else a[prev][nxt])

    # -- pricing ------------------------------------------------------------------
    def room(self, s: int, use: int, node: int) -> int | None:
        """How much travel an insertion of ``node`` may add to a route of slot ``s``
        holding ``use`` and stay within the limit (None: no limit). Negative
        when the visit alone is already too much (unless its arcs save)."""
        lim = self.limit[s]
        return None if lim is None else lim - use - self.node[node]

    def blocks(self, s: int, seq: Sequence[int], use: int, node: int) -> bool:
        """Whether route ``seq`` of slot ``s`` (holding ``use``) has no position
        where ``node`` keeps it within the limit."""
        room = self.room(s, use, node)
        if room is None:
            return False
        if not self.travel:
            return room < 0
        slot = self.slots[s]
        nodes = [slot.start_node, *seq, slot.end_node]
        return all(self.arc_use(s, p, node, q, empty=not seq) > room
                   for p, q in itertools.pairwise(nodes))

    def added_excess(self, s: int, use: int, added: int) -> int:
        """How much an insertion adding ``added`` raises the excess of slot ``s``."""
        return self.excess(s, use + added) - self.excess(s, use)

    # -- OR-Tools -----------------------------------------------------------------
    def dimension(self) -> Dimension:
        """This term as a routing dimension (see :class:`Dimension`)."""
        return Dimension(self.code, tuple(self.node), self.travel, tuple(self.limit))


class TimeTerm:
    """A rule of when visits may happen on a slot: intervals of the day with no
    visit inside (a visit may end at an interval's start and start at its end).

    The compilation (:mod:`routeopt.solver._model`) cuts each visit's start
    windows on the slot by the intervals, so every part of the solver that
    times a route (the :class:`Timer`, the vectorised pricer, OR-Tools) honours
    them without knowing the rule. Subclasses set :attr:`code` and
    :attr:`message` and define :meth:`forbidden`.
    """

    code: ClassVar[str]
    """The reason code when this rule keeps a visit out of a plan."""
    message: ClassVar[str]
    """The reason's text."""

    @classmethod
    def forbidden(cls, inst: Instance, slot: Slot) -> tuple[tuple[int, int], ...]:
        """The intervals (from, to) of ``slot``'s day with no visit inside."""
        raise NotImplementedError


def cut_windows(windows: Sequence[tuple[int, int]], service: int,
                forbidden: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Start windows ``windows`` of a visit lasting ``service``, without the starts
    whose visit would overlap one of ``forbidden`` (sorted or not).

    >>> cut_windows([(0, 100)], 10, [(50, 60)])
    ((0, 40), (60, 100))
    """
    out = list(windows)
    for b0, b1 in sorted(forbidden):
        nxt: list[tuple[int, int]] = []
        for lo, hi in out:
            if lo <= b0 - service:
                nxt.append((lo, min(hi, b0 - service)))
            if hi >= b1:
                nxt.append((max(lo, b1), hi))
        out = nxt
    return tuple(sorted(set(out)))
