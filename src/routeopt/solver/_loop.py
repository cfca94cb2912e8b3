"""The parts of the search loop that are not moves: the operator registry and
its adaptive weights, the stop rules, and acceptance with its temperature.

Each part has one job, so that :meth:`Search.run` only wires them together.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routeopt.solver._state import Router as Search
    from routeopt.solver._state import State
    from routeopt.solver._tuning import Tuning

Removal = Callable[["Search", "State", int], list[int]]
"""A removal operator: (the search, a plan, how many) -> the outlets to remove."""

NO_ITERATION_BUDGET = 10**8
"""``max_iterations`` at or above this is no iteration budget: the clock stops
the search, and the cooling follows the share of the time limit used."""


# -- removal operators ----------------------------------------------------------------
def _assigned(st: State) -> list[int]:
    return [i for i, c in enumerate(st.choice) if c is not None]


def remove_random(search: Search, st: State, q: int) -> list[int]:
    """Any ``q`` placed outlets."""
    pool = _assigned(st)
    return search.rng.sample(pool, min(q, len(pool)))


def remove_related(search: Search, st: State, q: int) -> list[int]:
    """A random outlet and its nearest neighbours (each with probability 0.85)."""
    pool = _assigned(st)
    if not pool:
        return []
    rng = search.rng
    seed = rng.choice(pool)
    out = []
    for j in search.inst.near[seed]:
        j = int(j)
        if st.choice[j] is not None and rng.random() < 0.85:
            out.append(j)
            if len(out) >= q:
                break
    return out


def remove_worst(search: Search, st: State, q: int) -> list[int]:
    """The outlets whose removal saves the most travel, biased at random."""
    inst = search.inst
    c = search.timer.cost
    gain: dict[int, int] = {}
    for s, seq in enumerate(st.routes):
        slot = inst.slots[s]
        cm = c[slot.mode]
        nodes = [slot.start_node, *seq, slot.end_node]
        for p in range(1, len(nodes) - 1):
            a, b, d = nodes[p - 1], nodes[p], nodes[p + 1]
            gain[b] = gain.get(b, 0) + cm[a][b] + cm[b][d] - cm[a][d]
    ranked = sorted(gain, key=lambda i: (-gain[i], i))
    out: list[int] = []
    while ranked and len(out) < q:
        k = int(len(ranked) * search.rng.random() ** 4)
        out.append(ranked.pop(k))
    return out


def remove_day(search: Search, st: State, q: int) -> list[int]:
    """The outlets of one route (up to ``2q``), to re-plan their days."""
    busy = [s for s, r in enumerate(st.routes) if r]
    if not busy:
        return []
    s = search.rng.choice(busy)
    return list(st.routes[s])[: max(q, 1) * 2]


def remove_flip(search: Search, st: State, q: int) -> list[int]:
    """As :func:`remove_related`, but each removed outlet that has other days to
    choose from is put back on other days than its present ones, with the same
    rep (``Search.banned``): a group of neighbours changes its days together,
    which one greedy repair at a time rarely does (it puts the first back where
    the others left their holes)."""
    out = remove_related(search, st, q)
    options = search.inst.options
    for i in out:
        ch = st.choice[i]
        if ch is None:
            continue
        was = options[i][ch[0]]
        if any(opt.days != was.days and opt.rep == was.rep for opt in options[i]):
            search.banned[i] = ch[0]
    return out


FLIP_REMOVALS: dict[str, Removal] = {"flip": remove_flip}
"""The arm of ``Tuning.flip_arm``."""


REMOVALS: dict[str, Removal] = {
    "random": remove_random,
    "related": remove_related,
    "worst": remove_worst,
    "day": remove_day,
}
"""The removal operators by name, in the order their arms are built."""

DAY_ARM = "day_search"
"""The name of the arm that makes ruin-and-recreate moves inside days."""


@dataclass(slots=True)
class Arm:
    """One operator with one range of removal sizes (``lo``, ``hi``)."""

    name: str
    op: Removal | None  # None: the day arm
    lo: int
    hi: int


@dataclass(slots=True)
class Arms:
    """The arms of the adaptive search (Ropke and Pisinger 2006) and their weights.

    Every ``reweigh_every`` iterations each weight moves towards its arm's mean
    score since the last reweigh; the day arm's weight is capped at
    ``day_cap`` times the others' sum. ``draws`` counts each operator's draws
    over the run (the ``operators`` of ``Plan.stats``).
    """

    arms: list[Arm]
    tuning: Tuning
    day_arm: int = -1
    weights: list[float] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    uses: list[int] = field(default_factory=list)
    draws: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, n: int, tuning: Tuning, day_arm: bool,
              extra: dict[str, Removal] | None = None) -> Arms:
        """The arms for ``n`` outlets: every removal (then the ``extra`` ones) with
        every size range, and the day arm when ``day_arm``."""
        qmax = max(2, min(tuning.q_cap, int(tuning.q_share * n)))
        sizes = sorted({(min(3, qmax), min(10, qmax)), (min(10, qmax), min(25, qmax)),
                        (min(25, qmax), qmax)}) if tuning.adaptive else [(min(3, qmax), qmax)]
        removals = {**REMOVALS, **(extra or {})}
        arms = [Arm(name, op, lo, hi) for name, op in removals.items() for lo, hi in sizes]
        day = -1
        if day_arm:
            day = len(arms)
            arms.append(Arm(DAY_ARM, None, 0, 0))
        k = len(arms)
        draws = dict.fromkeys([*removals, *([DAY_ARM] if day_arm else [])], 0)
        return cls(arms, tuning, day, [1.0] * k, [0.0] * k, [0] * k, draws)

    def draw(self, rng: random.Random) -> int:
        a = rng.choices(range(len(self.arms)), self.weights)[0]
        self.draws[self.arms[a].name] += 1
        return a

    def score(self, a: int, points: float) -> None:
        self.scores[a] += points
        self.uses[a] += 1

    def reweigh(self) -> None:
        for a in range(len(self.arms)):
            if self.uses[a]:
                self.weights[a] = max(0.05, 0.8 * self.weights[a]
                                      + 0.2 * self.scores[a] / self.uses[a])
            self.scores[a], self.uses[a] = 0.0, 0
        if self.day_arm >= 0:  # the outlet moves keep most draws: they change days
            others = sum(self.weights) - self.weights[self.day_arm]
            self.weights[self.day_arm] = min(self.weights[self.day_arm],
                                             self.tuning.day_cap * others)


# -- stop rules -------------------------------------------------------------------------
@dataclass(slots=True)
class StopRules:
    """When the search loop stops, and how far through its budget it is.

    With an iteration budget (``max_iterations`` below
    :data:`NO_ITERATION_BUDGET`) the loop makes ``max_it`` iterations and the
    progress is the share of them made; without one, it is the share of
    ``budget`` seconds from ``t_zero``. The clock always stops it at
    ``deadline``, and so does ``max_no_improvement`` iterations without a
    new best.
    """

    by_iterations: bool
    max_it: int
    max_no_improvement: int
    t_zero: float
    budget: float
    deadline: float
    reason: str = "max_iterations"

    def stop(self, it: int, now: float, no_improvement: int) -> bool:
        """Whether the loop stops before iteration ``it + 1`` (sets :attr:`reason`)."""
        if it >= self.max_it:
            self.reason = "max_iterations"
            return True
        if now >= self.deadline:
            self.reason = "time_limit"
            return True
        if no_improvement >= self.max_no_improvement:
            self.reason = "no_improvement"
            return True
        return False

    def progress(self, it: int, now: float) -> float:
        """How far through its budget the search is at iteration ``it`` (0 to 1+)."""
        return it / self.max_it if self.by_iterations else (now - self.t_zero) / self.budget


# -- acceptance -------------------------------------------------------------------------
@dataclass(slots=True)
class Annealing:
    """Simulated annealing: the temperature falls from ``temp0`` to
    ``temp0 * ratio`` as the progress goes from 0 to 1."""

    temp0: float
    ratio: float

    @classmethod
    def start(cls, tuning: Tuning, travel: float, size: int) -> Annealing:
        """The schedule of a search whose first plan travels ``travel`` over
        ``size`` outlets: ``temp_start`` of that travel, times
        ``(temp_outlets / size) ** temp_power`` beyond ``temp_outlets`` outlets
        (see :class:`~routeopt.solver._tuning.Tuning`), falling by ``temp_end``.

        Examples
        --------
        >>> from routeopt.solver._tuning import Tuning
        >>> tn = Tuning(temp_start=0.01, temp_outlets=100, temp_power=2.0)
        >>> round(Annealing.start(tn, 1e6, 50).temp0, 6)  # small: the share alone
        10000.0
        >>> round(Annealing.start(tn, 1e6, 200).temp0, 6)  # twice the outlets: a quarter
        2500.0
        """
        shrink = min(1.0, tuning.temp_outlets / max(1, size)) ** tuning.temp_power
        return cls(tuning.temp_start * travel * shrink, tuning.temp_end)

    def temperature(self, progress: float) -> float:
        return float(self.temp0 * self.ratio ** min(progress, 1.0))

    @property
    def final(self) -> float:
        return self.temp0 * self.ratio

    @staticmethod
    def accept(obj: float, cur_obj: float, temp: float, rng: random.Random) -> bool:
        """Whether a candidate of objective ``obj`` replaces the current plan: always
        when better, else with probability ``exp(-(obj - cur_obj) / temp)``."""
        if obj < cur_obj - 1e-9:
            return True
        return rng.random() < math.exp(-(obj - cur_obj) / temp)
