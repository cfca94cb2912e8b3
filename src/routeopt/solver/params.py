"""Solver parameters: one object with defaults, loadable from TOML."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routeopt._values import MAX_TIME_LIMIT, Fields
from routeopt.exceptions import InputError, Issue

__all__ = ["MAX_TIME_LIMIT", "SolveParams"]


@dataclass(frozen=True, slots=True)
class SolveParams:
    """How hard and how the solver searches.

    Parameters
    ----------
    time_limit
        Wall-clock seconds for the whole solve, from the call to the plan: a
        finite number above 0 and at most :data:`MAX_TIME_LIMIT`. Every phase
        watches the clock, the first plan too: outlets it has no time to try
        are unscheduled with reason ``time_limit``. A plan is
        reproducible only when ``max_iterations`` stops the search first.
    max_iterations
        Search iterations (the deterministic stop rule). The last 5 % are
        spent on routing moves inside each day, ten moves to an iteration.
    max_no_improvement
        Stop after this many iterations without a better plan.
    seed
        Random seed; the same input, seed and iteration stop give the same plan.
    time_weight, distance_weight
        Travel cost of an arc: ``time_weight * seconds + distance_weight * metres``.
    miss_penalty
        Cost of leaving one visit of priority 9 unscheduled, in travel-cost
        units. Priority ``p`` costs ``miss_penalty * priority_factor ** (9 - p)``,
        so lower priorities drop first and key accounts last.
    priority_factor
        Ratio of penalties between consecutive priorities.
    candidate_reps
        A free outlet considers only this many reps nearest to it.
    polish
        Re-order every route of the best plan with OR-Tools routing at the end.
    move_penalty
        Stability, when solving with a ``previous`` plan: the cost of each
        visit placed on a day or with a rep that the previous plan did not
        have for it, in travel-cost units (default one hour of travel). Far
        below any missed-visit penalty, so stability never costs a visit.
    retime_penalty
        Stability of times, with a ``previous`` plan: the cost per second
        that a visit kept on its day and rep starts away from its previous
        start, beyond one minute (default 0.1: an hour later costs six minutes
        of travel). It keeps an undisturbed day's order and times.
    workers
        Independent searches run at once, in this process and ``workers - 1``
        child processes; search ``k`` uses seed ``seed + k``, all share the
        time limit, and the best plan wins (the lowest ``k`` on a tie). On a
        machine with idle cores this trades CPU for plans that are better and
        vary less from seed to seed. The same input, seed, ``workers`` and
        iteration stop give the same plan. In a batch of many territories,
        run the territories in parallel instead.
    balance_weight
        Balanced days: the cost of each minute that a route's working time
        (service plus travel) lies away from the rep's target for a day, in
        travel-cost units per minute (the default 6 prices a minute off the
        target like six minutes of travel). The target is the rep's
        ``target_day`` or, without one, the mean over the rep's working days
        of the current plan. Each visit a day lies away from the rep's mean
        count is priced too, as that rep's mean minutes per visit at the same
        weight, so that short and long visits cannot hide an unequal number
        of calls. An empty working day lies a whole day off the target, so a
        day without a route remains only when the rep's workload cannot fill
        it. 0 switches balanced days off. The default was chosen on the
        bundled Monaco example (``benchmarks/README.md``, balance section).
    steady_weight
        Steady visit times: the cost, in travel-cost units per minute, of an
        outlet's start spread (its latest minus its earliest start over its
        visits on one weekday) and of each minute a visit starts away from
        its outlet's ``preferred_time``. After the search the routes of a
        rep on one weekday are put in one order where that stays feasible
        and costs little travel, and the start times are chosen (waiting
        allowed) to minimise the spread at this weight against the working
        time it adds (a minute of waiting costs ``time_weight`` times 60).
        0 switches steady times off: every visit then starts as early as
        possible.
    workload_band
        Balanced reps, with balanced days on, where outlets may go to several
        reps: each rep's total workload (service plus travel) is aimed within
        this share of the team mean (0.05: within 5 %); beyond it the rep's
        days are priced at ``balance_weight`` for the work above or below the
        band. Travel still wins where geography does not allow it. 0 (the
        default) switches it off: each rep's days are balanced against the
        rep's own mean. Measured on two reps side by side with 24 free outlets
        (150 iterations): 0.05 brings the largest deviation from the team mean
        from 13.8 % to 6.9 %; on Monaco (300 iterations) from 8.0 % to 4.1 %
        for 6.8 % more travel.
    """

    time_limit: float = 60.0
    max_iterations: int = 3000
    max_no_improvement: int = 1000
    seed: int = 0
    time_weight: float = 1.0
    distance_weight: float = 0.0
    miss_penalty: float = 100_000.0
    priority_factor: float = 10.0
    candidate_reps: int = 3
    polish: bool = True
    move_penalty: float = 3600.0
    retime_penalty: float = 0.1
    workers: int = 1
    balance_weight: float = 6.0
    steady_weight: float = 600.0
    workload_band: float = 0.0

    def __post_init__(self) -> None:
        f = Fields(self)
        for fld in dataclasses.fields(self):
            if fld.type == "float":
                f.real(fld.name, "a number")
            elif fld.type == "int":
                f.integer(fld.name, "an integer")
            else:
                f.flag(fld.name)
        f.done()
        issues = []
        for fld in dataclasses.fields(self):
            v = getattr(self, fld.name)
            if fld.type == "float" and fld.name != "time_limit" and not math.isfinite(v):
                issues.append(Issue(f"SolveParams.{fld.name} is {v!r}: give a finite number",
                                    column=fld.name))
        if issues:
            raise InputError(issues)
        if not 0 < self.time_limit <= MAX_TIME_LIMIT:
            issues.append(Issue(
                f"SolveParams.time_limit is {self.time_limit:g}: give the seconds the solve may "
                f"take, above 0 and at most {MAX_TIME_LIMIT:g} (to stop on iterations, set "
                "max_iterations and a time_limit well above the time they need)",
                column="time_limit"))
        for name in ("miss_penalty", "priority_factor"):
            if getattr(self, name) <= 0:
                issues.append(Issue(f"{name} must be > 0", column=name))
        for name in ("max_iterations", "max_no_improvement", "candidate_reps", "move_penalty",
                     "retime_penalty", "balance_weight", "steady_weight"):
            if getattr(self, name) < 0:
                issues.append(Issue(f"{name} must be >= 0", column=name))
        for name in ("balance_weight", "steady_weight"):
            if not math.isfinite(getattr(self, name)):
                issues.append(Issue(f"{name} must be a finite number >= 0 (0: off)", column=name))
        if not 0 <= self.workload_band < 1:
            issues.append(Issue("workload_band must be >= 0 and < 1 (a share of the team "
                                "mean, 0.05 for 5 %; 0: off)", column="workload_band"))
        if self.workers < 1:
            issues.append(Issue("workers must be >= 1", column="workers"))
        if self.time_weight < 0 or self.distance_weight < 0 or (
            self.time_weight == 0 and self.distance_weight == 0
        ):
            issues.append(Issue("time_weight and distance_weight must be >= 0, not both 0"))
        if issues:
            raise InputError(issues)

    def replace(self, **changes: Any) -> SolveParams:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_toml(cls, path: str | Path) -> SolveParams:
        """Read parameters from the ``[solve]`` table (or the top level) of a TOML file."""
        if not Path(path).is_file():
            raise InputError([Issue("solver parameters file not found; check the path",
                                    file=str(path))])
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            raise InputError([Issue(f"cannot read the solver parameters file: {e}",
                                    file=str(path))]) from None
        except tomllib.TOMLDecodeError as e:
            raise InputError([Issue(f"cannot read it as TOML: {e}", file=str(path))]) from None
        data = data.get("solve", data)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError([Issue(
                f"unknown solver parameter(s) {unknown}; known: {sorted(known)}", file=str(path))])
        for f in dataclasses.fields(cls):
            if f.name in data:
                want = {"float": (int, float), "int": (int,), "bool": (bool,)}[str(f.type)]
                v = data[f.name]
                if not isinstance(v, want) or (isinstance(v, bool) and str(f.type) != "bool"):
                    raise InputError([Issue(f"bad solver parameters: {f.name} = {v!r} should "
                                            f"be of type {f.type}",
                                            file=str(path), column=f.name)])
        return cls(**data)
