"""The penalties of the search's soft rules, and when they change.

The soft route terms (:attr:`RouteTerm.soft`: capacity) and the end of the
shift may be exceeded while the search runs, each unit over at a penalty
that adapts so that a fifth to a half of the candidates fit (the penalised
infeasibility of Vidal et al.'s hybrid genetic search). Every change goes
through this object and bumps :attr:`PenaltyManager.version`, so that a cache
of insertion prices keyed on the version is never stale, and
:meth:`PenaltyManager.hard` makes the soft terms hard for a block of code and
restores them however it ends.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routeopt.solver._routes import Timer
    from routeopt.solver._tuning import Tuning
    from routeopt.solver.terms import RouteTerm


class PenaltyManager:
    """Penalties per unit over a soft term's limit, and per second of overtime.

    ``term[k]`` prices term ``k`` of the instance (``math.inf``: hard, the
    start for every term). The overtime price lives on the :class:`Timer`,
    which applies it to insertions; this object sets it.
    """

    def __init__(self, terms: list[RouteTerm], timer: Timer, tuning: Tuning) -> None:
        self.terms = terms
        self.timer = timer
        self.tuning = tuning
        self.term = [math.inf] * len(terms)
        self.soft = [k for k, t in enumerate(terms) if t.soft]
        self.version = 0
        self._fits = [0] * len(terms)
        self._on_time = 0
        self._seen = 0

    @property
    def any_soft(self) -> bool:
        """Whether some term may be made soft."""
        return bool(self.soft)

    def soften_terms(self, travel: float, use: list[float]) -> None:
        """Make the soft terms soft, each at the plan's ``travel`` cost per unit of
        the term's total ``use`` (at least 1)."""
        for k in self.soft:
            self.term[k] = max(1.0, travel / max(1.0, use[k]))
        self.version += 1

    @contextmanager
    def hard(self) -> Iterator[None]:
        """Every term hard inside the block, the penalties as they were after it."""
        saved = self.term[:]
        self.term = [math.inf] * len(self.terms)
        self.version += 1
        try:
            yield
        finally:
            self.term = saved
            self.version += 1

    def set_overtime(self, pct: int, penalty: float) -> None:
        """Let a day without a lunch break end up to ``pct`` % of its shift late,
        each second at ``penalty`` (0, 0.0: the end of the shift is hard)."""
        self.timer.overtime_pct = pct
        self.timer.time_penalty = penalty
        self.version += 1

    # -- adapting ---------------------------------------------------------------
    def record(self, excess: list[int], late: int) -> None:
        """Count one candidate: its excess per term and its seconds late."""
        for k in self.soft:
            self._fits[k] += excess[k] == 0
        self._on_time += late == 0
        self._seen += 1

    def _adapt(self, penalty: float, share: float, floor: float) -> float:
        share_lo, share_hi = self.tuning.target_feasible
        if share < share_lo:
            return penalty * 1.5
        if share > share_hi:
            return max(floor, penalty * 0.85)
        return penalty

    def adapt(self, soft_terms: bool, soft_time: bool) -> bool:
        """Move the penalties of the soft rules towards the target share of fitting
        candidates counted since the last call; whether anything was counted."""
        seen = self._seen
        if not seen:
            return False
        if soft_terms:
            for k in self.soft:
                self.term[k] = self._adapt(self.term[k], self._fits[k] / seen, 1e-3)
        if soft_time:
            was = self.timer.time_penalty
            new = self._adapt(was, self._on_time / seen, 1e-6)
            if new != was:
                self.timer.time_penalty = new
        self.version += 1
        self._fits = [0] * len(self.terms)
        self._on_time = self._seen = 0
        return True
