"""Territory design and realignment: the model and its solution.

:func:`design` gives every outlet a rep (its territory) so that the reps'
weekly workloads are balanced and each territory is compact around a centre
of its own near its rep's home; :func:`realign` improves the balance of existing territories while
moving at most a given number of outlets.

The model
---------
It is the classical location-allocation model of political and sales
districting (Hess et al., 1965; Hess and Samuels, 1971; the survey of
Kalcsics and Ríos-Mercado, 2019), solved by its alternating heuristic: an
assignment of outlets to reps that minimises the visits' travel from the
rep's home plus ``compactness`` times their travel from the territory's
centre, subject to balanced workloads, then each centre moved to its
territory's visit-weighted median, and again (at most ``ROUNDS`` times). Its
linear relaxation has few fractional outlets (a basic solution of the
transportation structure splits at most about one outlet per balance
constraint), so it is solved as a linear program (OR-Tools' GLOP, over the
``candidates`` nearest reps of each outlet), then rounded and repaired.

- **Workload** of outlet ``i`` for rep ``j``, in hours per week:
  ``f_i * (s_i + a_i + 2 * t_ij / V)``. ``f_i`` is its visits per week,
  ``s_i`` its visit time, ``a_i`` the approach: the travel between the stops
  of a day at the local density of visits (:func:`_approach_km`), ``t_ij`` the
  drive from the rep's home, shared by the ``V`` visits of a day (the
  company's mean visits per rep-day): the commute to the territory and back.
  Drive times are great-circle estimates (:class:`~routeopt.GreatCircle`:
  the distance times a detour factor, at an average speed), and the travel
  times ``TRAVEL_FACTOR``, the planned over the estimated travel, measured.
- **Balanced**: each rep's workload lies within ``band`` (default 5 %) of
  ``u * C_j``, where ``C_j`` is the rep's weekly capacity (working days
  times the shift less the break) and ``u`` the company's utilisation, a
  variable of the program: reps with the same capacity get the same
  workload, a part-timer proportionally less.
- **Compact**: the objective is ``sum f_i * (t_ij + k * d_ij)`` over the
  assignment, ``d_ij`` the drive from the territory's centre; a far outlet
  costs its rep commute hours too, which the balance counts.
- **Constrained**: a fixed pair (an outlet's ``rep_id``) is kept, an
  excluded pair never made, ``max_outlets`` caps a rep's outlets, and a
  rep's weekly visits stay within its ``max_visits`` a day times its
  working days (:func:`_visit_cap`; the plans cannot make more, whatever the
  hours).
  Where geography does not allow the band (one rep alone on an island of
  outlets), the band is relaxed at a high price per hour outside it, and
  :attr:`TerritoryPlan.stats` says by how much.

Rounding is followed by a repair (:func:`_repair`): single moves, and swaps
where no single move helps (:func:`_swap_once`), that bring the reps back
into the band and under their visit limits at the least added commute. The
same repair brings any given assignment within the constraints
(:func:`_rebalance`): the benchmark holds the nearest-rep and k-means
territories to the design's capacity with it before comparing their
travel.

Of the districting heuristics, this takes the location-allocation
alternation with an exact (LP) balanced allocation, not seed-and-grow or
pure local search: the commute of its territories is within 1 % of the
lower bound that the LP relaxation gives any balanced assignment,
and that commute, not the spread of the territories, is where balanced
territories lose travel to nearest-rep ones (benchmarks/README.md); a
greedy rebalancing of nearest rep, the obvious alternative start, gave
more commute in the model and more planned travel.

Two optional steps follow the assignment: ``contiguity`` moves enclaves to
the territory around them, and ``improve`` moves and swaps border outlets
while their estimated routed travel (the commute and the detour between
their nearest outlets of the territory) falls, within the band and the
constraints (:func:`_improve`). Neither lowered the planned travel beyond
the spread of the routing, so both are off by default.

Realignment adds the current assignment and a cap on moves:
``sum_i (1 - x_{i, current(i)}) <= max_moves``, which is linear, with the
band violation priced far above travel: it balances as well as the cap
allows, and moves nothing it need not.

Examples
--------
>>> from routeopt.datasets import make_company
>>> from routeopt.territories import design
>>> outlets, reps = make_company(1_500, 5, seed=2, radius_km=40.0)
>>> plan = design(outlets, reps)
>>> len(plan.assignment), plan.spread()["max_over_min"] < 1.11
(1500, True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from routeopt.exceptions import InputError, Issue

if TYPE_CHECKING:
    import pandas as pd

    from routeopt.problem import Problem, Rep

__all__ = ["Move", "RepLoad", "TerritoryPlan", "design", "outlet_workloads", "realign"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The outlets around each one whose weekly visits give the local density of visits.
APPROACH_NEIGHBOURS: Final = 12
#: The tour constant: a tour through ``n`` random points of an area ``A`` is about
#: ``BHH * sqrt(n * A)`` long (Beardwood, Halton and Hammersley, 1959).
BHH: Final = 0.7124
#: The weight of an outlet's distance to its territory's centre against that to its
#: rep's home, in the assignment's cost (:func:`design`'s ``compactness``).
COMPACTNESS: Final = 1.0
#: Rounds of the alternating location-allocation (assign, then move the centres).
ROUNDS: Final = 6
#: Planned travel over the geometric estimate (approach and commute), measured: the
#: least-squares fit over the 20 reps of the design and home territories of
#: ``make_company(3000, 10, radius_km=54)`` planned by the batch gave 1.446 for the
#: approach and 1.548 for the commute, 1.480 for the total (benchmarks/README.md).
TRAVEL_FACTOR: Final = 1.48
#: The outlets around each one whose territories the contiguity step reads.
CONTIGUITY_NEIGHBOURS: Final = 8
#: The share of the band the program leaves free for the contiguity step (it balances
#: within ``(1 - CONTIGUITY_SLACK) * band``, the step moves enclaves within ``band``).
CONTIGUITY_SLACK: Final = 0.2
#: Passes of the contiguity step over the outlets.
CONTIGUITY_PASSES: Final = 3
#: The outlets around each one that the improvement step reads (:func:`_improve`).
IMPROVE_NEIGHBOURS: Final = 10
#: The most passes of the improvement step.
IMPROVE_PASSES: Final = 4
#: Per pair of territories and pass, the best offers of each side the swaps pair.
IMPROVE_SWAP_TOP: Final = 30
#: The price of an hour outside the band, against one visit-hour of travel from home.
BAND_PRICE: Final = 1000.0
_EARTH_KM: Final = 6371.0088


@dataclass(frozen=True, slots=True)
class RepLoad:
    """One rep's territory in figures (hours per week)."""

    rep_id: str
    outlets: int
    visits_per_week: float
    service_h: float
    travel_h: float
    workload_h: float
    capacity_h: float
    target_h: float
    #: Of ``travel_h``, the drive between the day's stops (the rest is the commute).
    approach_h: float = 0.0

    @property
    def deviation(self) -> float:
        """Workload against the target: ``0.03`` is 3 % above it."""
        return self.workload_h / self.target_h - 1 if self.target_h else 0.0


@dataclass(frozen=True, slots=True)
class Move:
    """An outlet that changes hands in a realignment."""

    outlet_id: str
    from_rep: str
    to_rep: str


@dataclass(frozen=True)
class TerritoryPlan:
    """Outlets to reps, each rep's load, and the moves from the current assignment.

    Attributes
    ----------
    assignment
        Each outlet id to its rep id, in the outlets' order.
    loads
        Per rep, in the reps' order.
    moves
        The outlets whose rep changed (empty without a current assignment).
    stats
        ``lp_s``, ``total_s``, ``band``, ``utilisation``, ``outside_band_h``
        (the hours outside the band the geography forced),
        ``over_visit_limit`` (visits a week above the reps' ``max_visits`` a day
        times their working days, summed over the reps), ``fractional``
        (outlets the program split, before rounding), ``objective``.
    """

    assignment: Mapping[str, str]
    loads: tuple[RepLoad, ...]
    moves: tuple[Move, ...] = ()
    stats: Mapping[str, Any] = field(default_factory=dict)

    def spread(self) -> dict[str, float]:
        """The workload spread: ``max_over_min``, ``std_pct`` (of the mean), ``max_dev_pct``
        (the largest deviation from the target, in %)."""
        w = np.array([r.workload_h / r.capacity_h for r in self.loads if r.capacity_h])
        dev = [abs(r.deviation) for r in self.loads]
        return {"max_over_min": float(w.max() / w.min()) if w.min() > 0 else math.inf,
                "std_pct": float(100 * w.std() / w.mean()),
                "max_dev_pct": 100 * max(dev)}

    def to_frame(self) -> pd.DataFrame:
        """``territories.csv``: ``outlet_id``, ``territory`` (the rep), and, after a
        realignment, ``previous`` and ``moved``."""
        import pandas as pd

        df = pd.DataFrame({"outlet_id": list(self.assignment),
                           "territory": list(self.assignment.values())})
        if self.moves or "previous" in self.stats:
            before = {m.outlet_id: m.from_rep for m in self.moves}
            df["previous"] = [before.get(o, t) for o, t in self.assignment.items()]
            df["moved"] = df["previous"] != df["territory"]
        return df

    def summary_frame(self) -> pd.DataFrame:
        """One row per rep: outlets, visits per week, hours of visits, travel and
        workload, capacity, target, and the deviation in %."""
        import pandas as pd

        return pd.DataFrame([{
            "rep_id": r.rep_id, "outlets": r.outlets,
            "visits_per_week": round(r.visits_per_week, 2),
            "service_h": round(r.service_h, 2), "travel_h": round(r.travel_h, 2),
            "workload_h": round(r.workload_h, 2), "capacity_h": round(r.capacity_h, 2),
            "target_h": round(r.target_h, 2), "deviation_pct": round(100 * r.deviation, 2),
        } for r in self.loads])


# -- the workload model ------------------------------------------------------------------------
def _xy_km(lat: FloatArray, lon: FloatArray, lat0: float) -> FloatArray:
    """Equirectangular km around ``lat0``: enough for nearest neighbours in a region."""
    k = math.pi / 180 * _EARTH_KM
    return np.column_stack([lon * k * math.cos(math.radians(lat0)), lat * k])


def _gc_km(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Great-circle km between every point 1 (rows) and point 2 (columns)."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dl = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: FloatArray = 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return out


def _knn(xy: FloatArray, k: int, block: int = 2048) -> tuple[FloatArray, IntArray]:
    """Distances (km) and indices of each point's ``k`` nearest others: a k-d tree
    (SciPy) where installed, else exact blocks of all pairs (the same figures)."""
    n = len(xy)
    k = min(k, n - 1)
    if k < 1:
        return np.zeros((n, 0)), np.zeros((n, 0), dtype=np.int64)
    try:
        from scipy.spatial import cKDTree
    except ImportError:  # pragma: no cover - SciPy comes with the test and road extras
        pass
    else:
        d, idx = cKDTree(xy).query(xy, k=k + 1)
        return np.asarray(d, dtype=np.float64)[:, 1:], np.asarray(idx, dtype=np.int64)[:, 1:]
    dist, index = np.zeros((n, k)), np.zeros((n, k), dtype=np.int64)
    for lo in range(0, n, block):
        d = np.hypot(xy[lo:lo + block, None, 0] - xy[None, :, 0],
                     xy[lo:lo + block, None, 1] - xy[None, :, 1])
        d[np.arange(len(d)), np.arange(lo, lo + len(d))] = np.inf
        part = np.argsort(d, axis=1, kind="stable")[:, :k]
        index[lo:lo + block] = part
        dist[lo:lo + block] = np.take_along_axis(d, part, axis=1)
    return dist, index


def _approach_km(xy: FloatArray, visits: FloatArray) -> FloatArray:
    """The drive between the stops of a day, per visit, at the local density of visits.

    A rep's week covers its territory's weekly visits ``W`` over its area
    ``A``; each day a part of it, at the same density ``rho = W / A``. A tour
    through ``V`` points scattered over an area ``a`` is about
    ``0.7124 * sqrt(V * a)`` long (Beardwood, Halton and Hammersley, 1959),
    ``0.7124 / sqrt(rho)`` per stop. ``rho`` is read around each outlet: the
    weekly visits of it and its ``APPROACH_NEIGHBOURS`` nearest outlets over
    the disc that holds them.
    """
    n = len(xy)
    if n < 2:
        return np.zeros(n)
    d, idx = _knn(xy, APPROACH_NEIGHBOURS)
    r = np.maximum(d[:, -1], 1e-3)
    w = visits + visits[idx].sum(axis=1)
    rho = np.maximum(w, 1e-9) / (math.pi * r * r)
    out: FloatArray = BHH * np.sqrt(1 / rho)
    return out


@dataclass(frozen=True)
class _Model:
    outlet_ids: tuple[str, ...]
    rep_ids: tuple[str, ...]
    visits: FloatArray        # per outlet, per week
    service_h: FloatArray     # per outlet, per week (f * s)
    approach_h: FloatArray    # per outlet, per week (f * a)
    home_h: FloatArray        # outlets x reps, one way, hours
    capacity_h: FloatArray    # per rep, per week
    per_day: float            # visits per rep-day, company-wide
    fixed: dict[int, int]     # outlet -> rep
    excluded: set[tuple[int, int]]
    max_outlets: IntArray | None
    xy: FloatArray            # per outlet, km on the plane of the region
    home_xy: FloatArray       # per rep, km on the same plane
    h_per_km: float           # drive hours per straight-line km
    visit_cap: FloatArray     # per rep, visits per week at most (max_visits x days; inf)

    def workload(self, j: int | IntArray, i: IntArray | slice = slice(None)) -> FloatArray:
        """Hours per week of outlets ``i`` for rep(s) ``j``: visits, approach, commute."""
        commute = self.visits[i] * 2 * TRAVEL_FACTOR * self.home_h[i, j] / self.per_day
        out: FloatArray = self.service_h[i] + self.approach_h[i] + commute
        return out


def _speed(rep: Rep) -> tuple[float, float, float]:
    from routeopt.matrix import GreatCircle

    gc = GreatCircle()
    mode = rep.mode if rep.mode in gc.speed_kmh else "drive"
    return gc.speed_kmh[mode], gc.detour[mode], gc.overhead_s[mode]


def _capacity_h(rep: Rep) -> float:
    day = rep.shift.end - rep.shift.start - (rep.lunch.duration if rep.lunch else 0)
    return len(rep.working_days) * max(day, 0) / 3600


def _model(problem: Problem, excluded: Iterable[tuple[str, str]] = (),
           max_outlets: int | Mapping[str, int] | None = None) -> _Model:
    outlets, reps = problem.outlets, problem.reps
    n, m = len(outlets), len(reps)
    rep_index = {r.id: j for j, r in enumerate(reps)}
    lat = np.array([o.lat for o in outlets])
    lon = np.array([o.lon for o in outlets])
    speed, detour, overhead = _speed(reps[0])
    f = np.array([float(o.rule.per_week) for o in outlets])
    s = np.array([o.service for o in outlets], dtype=np.float64) / 3600
    xy = _xy_km(lat, lon, float(lat.mean()))
    a = TRAVEL_FACTOR * (_approach_km(xy, f) * detour / speed + overhead / 3600)
    home = _gc_km(lat, lon, np.array([r.lat for r in reps]), np.array([r.lon for r in reps]))
    home_h = home * detour / speed + overhead / 3600
    cap = np.array([_capacity_h(r) for r in reps])
    days = sum(len(r.working_days) for r in reps)
    per_day = max(float(f.sum()) / max(days, 1), 1.0)
    issues: list[Issue] = []
    fixed: dict[int, int] = {}
    for i, o in enumerate(outlets):
        if o.rep_id is not None:
            if o.rep_id not in rep_index:  # Problem checks this; a clear word if not
                issues.append(Issue(f"fixed to rep {o.rep_id!r}, who is not in the reps table",
                                    column="rep_id", outlet_id=o.id))
            else:
                fixed[i] = rep_index[o.rep_id]
    out_index = {o.id: i for i, o in enumerate(outlets)}
    bad: set[tuple[int, int]] = set()
    for oid, rid in excluded:
        if oid not in out_index:
            issues.append(Issue(f"an excluded pair names outlet {oid!r}, which is not in the "
                                "outlets table", column="outlet_id", outlet_id=oid))
        elif rid not in rep_index:
            issues.append(Issue(f"an excluded pair names rep {rid!r}, who is not in the reps "
                                "table", column="rep_id", outlet_id=oid))
        elif fixed.get(out_index[oid]) == rep_index[rid]:
            issues.append(Issue(f"is both fixed to and excluded from rep {rid!r}",
                                column="rep_id", outlet_id=oid))
        else:
            bad.add((out_index[oid], rep_index[rid]))
    caps: IntArray | None = None
    if max_outlets is not None:
        if isinstance(max_outlets, Mapping):
            unknown = sorted(set(max_outlets) - set(rep_index))
            if unknown:
                issues.append(Issue(f"max_outlets names unknown rep(s) {', '.join(unknown)}",
                                    column="max_outlets"))
            caps = np.array([int(max_outlets.get(r.id, n)) for r in reps], dtype=np.int64)
        else:
            caps = np.full(m, int(max_outlets), dtype=np.int64)
        if int(caps.sum()) < n:
            issues.append(Issue(f"max_outlets allows {int(caps.sum())} outlets in all, fewer "
                                f"than the {n} to share out; raise it", column="max_outlets"))
    if float(cap.sum()) <= 0:
        issues.append(Issue("the reps have no working hours; give shifts and working days",
                            column="shift"))
    else:  # the least the outlets need: each with its nearest rep
        least = float((f * (s + a + 2 * TRAVEL_FACTOR * home_h.min(axis=1) / per_day)).sum())
        if least > float(cap.sum()):
            issues.append(Issue(
                f"the reps' weekly capacity, {cap.sum():.0f} h (working days times the shift "
                f"less the break), cannot hold the outlets' workload of at least {least:.0f} h "
                "(visits, and travel estimated); add reps, lengthen their shifts, or visit "
                "less often", column="shift"))
    if issues:
        raise InputError(issues)
    return _Model(tuple(o.id for o in outlets), tuple(r.id for r in reps), f, f * s, f * a,
                  home_h, cap, per_day, fixed, bad, caps, xy,
                  _xy_km(np.array([r.lat for r in reps]), np.array([r.lon for r in reps]),
                         float(lat.mean())), detour / speed, _visit_cap(reps))


def _visit_cap(reps: Iterable[Rep]) -> FloatArray:
    """Per rep, the visits a week can hold: ``max_visits`` times the working days
    (infinite without a daily limit)."""
    return np.array([math.inf if r.max_visits is None
                     else float(r.max_visits * len(r.working_days)) for r in reps])


def _cap_excess(md: _Model, rep_of: IntArray) -> float:
    """Visits per week above the reps' daily limits, summed over the reps."""
    v = np.bincount(rep_of, weights=md.visits, minlength=len(md.rep_ids))
    return float(np.maximum(v - md.visit_cap, 0).sum())


def outlet_workloads(problem: Problem) -> pd.DataFrame:
    """The workload model per outlet: visits, visit hours, approach hours per week,
    and the commute hours for its nearest rep.

    Examples
    --------
    >>> from routeopt.datasets import make_company
    >>> from routeopt.read import read_problem
    >>> from routeopt.territories import outlet_workloads
    >>> o, r = make_company(400, 2, seed=1, radius_km=20.0)
    >>> w = outlet_workloads(read_problem(o, r, start="2026-11-30", weeks=4))
    >>> list(w.columns)
    ['outlet_id', 'visits_per_week', 'service_h', 'approach_h', 'commute_h', 'nearest_rep']
    """
    import pandas as pd

    md = _model(problem)
    j = md.home_h.argmin(axis=1)
    rows = np.arange(len(md.outlet_ids))
    return pd.DataFrame({
        "outlet_id": md.outlet_ids, "visits_per_week": md.visits, "service_h": md.service_h,
        "approach_h": md.approach_h,
        "commute_h": md.visits * 2 * TRAVEL_FACTOR * md.home_h[rows, j] / md.per_day,
        "nearest_rep": [md.rep_ids[k] for k in j],
    })


# -- solving -----------------------------------------------------------------------------------
def _centres(md: _Model, rep_of: IntArray) -> FloatArray:
    """Each territory's centre: the visit-weighted median of its outlets (each
    coordinate on its own), the rep's home for a rep without outlets."""
    out = md.home_xy.copy()
    for j in range(len(md.rep_ids)):
        mine = np.flatnonzero(rep_of == j)
        if not len(mine):
            continue
        w = md.visits[mine]
        for c in range(2):
            v = md.xy[mine, c]
            order = np.argsort(v, kind="stable")
            cum = np.cumsum(w[order])
            out[j, c] = v[order[int(np.searchsorted(cum, cum[-1] / 2))]]
    return out


def _cost(md: _Model, centres: FloatArray, compactness: float) -> FloatArray:
    """Outlets x reps: the visits' hours from the rep's home plus ``compactness``
    times their hours from the territory's centre (the cost the program minimises)."""
    d = np.hypot(md.xy[:, None, 0] - centres[None, :, 0], md.xy[:, None, 1] - centres[None, :, 1])
    out: FloatArray = md.visits[:, None] * (md.home_h + compactness * md.h_per_km * d)
    return out


def _candidates(md: _Model, k: int, current: IntArray | None, cost: FloatArray
                ) -> list[list[int]]:
    n, m = md.home_h.shape
    k = min(k, m)
    order = np.argsort(cost, axis=1, kind="stable")
    out: list[list[int]] = []
    for i in range(n):
        if i in md.fixed:
            out.append([md.fixed[i]])
            continue
        row = [int(j) for j in order[i] if (i, int(j)) not in md.excluded]
        cand = row[:k]
        if current is not None and int(current[i]) not in cand and int(current[i]) in row:
            cand.append(int(current[i]))
        if not cand:
            raise InputError([Issue("every rep is excluded for this outlet", column="rep_id",
                                    outlet_id=md.outlet_ids[i])])
        out.append(cand)
    return out


def _loads(md: _Model, rep_of: IntArray) -> FloatArray:
    w = md.workload(rep_of, np.arange(len(rep_of)))
    out = np.bincount(rep_of, weights=w, minlength=len(md.rep_ids)).astype(np.float64)
    return out


def _outside(md: _Model, loads: FloatArray, band: float) -> tuple[float, float]:
    """(hours outside the band at the best utilisation, that utilisation).

    Of the utilisations with the fewest hours outside, the one nearest the
    company's mean (total workload over total capacity): the targets sit in
    the middle of what the band allows.
    """
    ratios = loads / md.capacity_h
    mean = float(loads.sum() / md.capacity_h.sum())
    best, best_u = math.inf, mean
    points = np.unique(np.concatenate([ratios / (1 + band), ratios / (1 - band)]))
    for u in [mean, *points]:
        lo, hi = (1 - band) * u * md.capacity_h, (1 + band) * u * md.capacity_h
        v = float(np.maximum(loads - hi, 0).sum() + np.maximum(lo - loads, 0).sum())
        if v < best - 1e-9 or (v <= best + 1e-9 and abs(u - mean) < abs(best_u - mean)):
            best, best_u = v, float(u)
    return best, best_u


def _viol(load: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Hours outside ``[lo, hi]``."""
    out: FloatArray = np.maximum(load - hi, 0) + np.maximum(lo - load, 0)
    return out


def _repair(md: _Model, cur_arc: IntArray, arcs_i: IntArray, arcs_j: IntArray,
            arc_w: FloatArray, band: float, movable: npt.NDArray[np.bool_], budget: int,
            travel: FloatArray) -> IntArray:
    """Greedy single moves that cut the hours outside the band and the visits above the
    reps' daily limits (:func:`_visit_cap`; a visit above counted as an hour outside),
    least travel per hour of gain first; a move never puts a rep further above its
    visits' limit. ``cur_arc[i]`` is the arc outlet ``i`` is on; returns the new ones."""
    cur_arc = cur_arc.copy()
    m = len(md.rep_ids)
    # each arc's own index within its outlet's arcs is not needed: an arc is (i, j)
    arc_of = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(arcs_i, arcs_j, strict=True))}
    vcap = md.visit_cap
    f = md.visits[arcs_i]
    for _ in range(max(budget, 0)):
        rep_of = arcs_j[cur_arc]
        loads = np.bincount(rep_of, weights=arc_w[cur_arc], minlength=m).astype(np.float64)
        vis = np.bincount(rep_of, weights=md.visits, minlength=m).astype(np.float64)
        v0, u = _outside(md, loads, band)
        capped = vis > vcap + 1e-9
        if v0 <= 1e-9 and not capped.any():
            break
        lo, hi = (1 - band) * u * md.capacity_h, (1 + band) * u * md.capacity_h
        over, under = loads > hi, loads < lo
        a, b = rep_of[arcs_i], arcs_j
        ok = (b != a) & movable[arcs_i] & (over[a] | under[b] | capped[a])
        if md.max_outlets is not None:
            ok &= np.bincount(rep_of, minlength=m)[b] < md.max_outlets[b]
        # never further above a limit of visits
        ok &= vis[b] + f <= np.maximum(vcap[b], vis[b]) + 1e-9
        if not ok.any():
            if not _swap_once(md, cur_arc, arcs_i, arcs_j, arc_w, movable, loads, vis, lo, hi,
                              arc_of, travel):
                break
            continue
        ka = cur_arc[arcs_i]
        la, lb = loads[a], loads[b]
        wa, wb = arc_w[ka], arc_w

        gain = (_viol(la, lo[a], hi[a]) + _viol(lb, lo[b], hi[b])
                - _viol(la - wa, lo[a], hi[a]) - _viol(lb + wb, lo[b], hi[b])
                + np.maximum(vis[a] - vcap[a], 0) - np.maximum(vis[a] - f - vcap[a], 0)
                + np.maximum(vis[b] - vcap[b], 0) - np.maximum(vis[b] + f - vcap[b], 0))
        ok &= gain > 1e-9
        if not ok.any():
            if not _swap_once(md, cur_arc, arcs_i, arcs_j, arc_w, movable, loads, vis, lo, hi,
                              arc_of, travel):
                break
            continue
        price = np.where(ok, (travel - travel[ka]) / np.where(ok, gain, 1.0), np.inf)
        k = int(np.argmin(price))
        cur_arc[arcs_i[k]] = arc_of[(int(arcs_i[k]), int(arcs_j[k]))]
    return cur_arc


def _swap_once(md: _Model, cur_arc: IntArray, arcs_i: IntArray, arcs_j: IntArray,
               arc_w: FloatArray, movable: npt.NDArray[np.bool_], loads: FloatArray,
               vis: FloatArray, lo: FloatArray, hi: FloatArray,
               arc_of: Mapping[tuple[int, int], int], travel: FloatArray) -> bool:
    """One swap of two outlets between a rep outside its band (or above its visits'
    limit) and a neighbour, where no single move helps: the pair that cuts the hours
    outside plus the visits above the most, least travel per hour first. Changes
    ``cur_arc`` in place; ``False`` when no swap helps."""
    vcap = md.visit_cap
    rep_of = arcs_j[cur_arc]
    bad = np.flatnonzero((loads > hi + 1e-9) | (loads < lo - 1e-9) | (vis > vcap + 1e-9))

    def viol(j: IntArray, load: FloatArray, v: FloatArray) -> FloatArray:
        out: FloatArray = (_viol(load, lo[j], hi[j]) + np.maximum(v - vcap[j], 0))
        return out

    best: tuple[float, int, int] | None = None
    for r in bad:
        # arcs out of r (i: r -> b) and into r (k: b -> r), movable outlets only
        out_k = np.flatnonzero((rep_of[arcs_i] == r) & (arcs_j != r) & movable[arcs_i])
        in_k = np.flatnonzero((arcs_j == r) & (rep_of[arcs_i] != r) & movable[arcs_i])
        if not len(out_k) or not len(in_k):
            continue
        for b in np.unique(arcs_j[out_k]):
            o_k = out_k[arcs_j[out_k] == b]
            i_k = in_k[rep_of[arcs_i[in_k]] == b]
            if not len(i_k):
                continue
            oi, ki = arcs_i[o_k], arcs_i[i_k]
            w_i_r, w_i_b = arc_w[cur_arc[oi]], arc_w[o_k]        # outlet i at r, at b
            w_k_b, w_k_r = arc_w[cur_arc[ki]], arc_w[i_k]        # outlet k at b, at r
            f_i, f_k = md.visits[oi], md.visits[ki]
            lr = loads[r] - w_i_r[:, None] + w_k_r[None, :]
            lb = loads[b] - w_k_b[None, :] + w_i_b[:, None]
            vr = vis[r] - f_i[:, None] + f_k[None, :]
            vb = vis[b] - f_k[None, :] + f_i[:, None]
            rr, bb = np.array([r]), np.array([b])
            before = float(viol(rr, loads[rr], vis[rr])[0] + viol(bb, loads[bb], vis[bb])[0])
            after = viol(rr, lr, vr) + viol(bb, lb, vb)
            gain = before - after
            cost = (travel[o_k][:, None] - travel[cur_arc[oi]][:, None]
                    + travel[i_k][None, :] - travel[cur_arc[ki]][None, :])
            price = np.where(gain > 1e-9, cost / np.maximum(gain, 1e-12), np.inf)
            flat = int(np.argmin(price))
            p = float(price.flat[flat])
            if math.isfinite(p) and (best is None or p < best[0]):
                a, c = divmod(flat, len(i_k))
                best = (p, int(o_k[a]), int(i_k[c]))
    if best is None:
        return False
    _, ka, kb = best
    cur_arc[arcs_i[ka]] = arc_of[(int(arcs_i[ka]), int(arcs_j[ka]))]
    cur_arc[arcs_i[kb]] = arc_of[(int(arcs_i[kb]), int(arcs_j[kb]))]
    return True


def _rebalance(md: _Model, rep_of: IntArray, band: float, candidates: int = 8
               ) -> IntArray:
    """Bring a given assignment within the band by the design's own repair.

    The capacity repair that follows the program's rounding (:func:`_repair`:
    single moves that cut the hours outside the band, the least added commute
    per hour of gain first), run from any assignment until every rep is inside
    the band or no move helps: how a nearest-rep or k-means assignment is made
    to respect the same capacity as the design before their travel is
    compared (benchmarks/territories.py). Each outlet may move to its current
    rep or one of its ``candidates`` nearest by drive from home; fixed outlets
    stay.
    """
    n = len(md.outlet_ids)
    cost = md.visits[:, None] * md.home_h
    cand = _candidates(md, candidates, rep_of, cost)
    arcs_i = np.repeat(np.arange(n), [len(c) for c in cand])
    arcs_j = np.fromiter((j for c in cand for j in c), dtype=np.int64, count=len(arcs_i))
    weight = md.workload(arcs_j, arcs_i)
    arc_of = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(arcs_i, arcs_j, strict=True))}
    cur_arc = np.array([arc_of[(i, int(rep_of[i]))] for i in range(n)], dtype=np.int64)
    movable = np.array([i not in md.fixed for i in range(n)])
    out = _repair(md, cur_arc, arcs_i, arcs_j, weight, band, movable, n,
                  cost[arcs_i, arcs_j])
    repaired: IntArray = arcs_j[out].astype(np.int64)
    return repaired


def _contiguous(md: _Model, rep_of: IntArray, band: float,
                passes: int = CONTIGUITY_PASSES) -> tuple[IntArray, int]:
    """Move enclaves to the territory around them, within the band.

    The rounded and repaired program leaves a few outlets inside another
    rep's area (a split outlet rounded one way, a repair move): cheap for the
    program's cost, dear once routed, as the rep drives there for one stop.
    An outlet whose ``CONTIGUITY_NEIGHBOURS`` nearest outlets mostly belong to
    one other territory moves to it when both reps stay within the band and
    neither is capped; enclaves first. Returns the assignment and the moves.
    """
    n, m = md.home_h.shape
    if n <= CONTIGUITY_NEIGHBOURS:
        return rep_of, 0
    rep_of = rep_of.copy()
    _, idx = _knn(md.xy, CONTIGUITY_NEIGHBOURS)
    loads = _loads(md, rep_of)
    _, u = _outside(md, loads, band)
    lo, hi = (1 - band) * u * md.capacity_h, (1 + band) * u * md.capacity_h
    count = np.bincount(rep_of, minlength=m)
    vis = np.bincount(rep_of, weights=md.visits, minlength=m).astype(np.float64)
    moved = 0
    for _ in range(passes):
        nb = rep_of[idx]
        own = (nb == rep_of[:, None]).sum(axis=1)
        done = 0
        for i in np.argsort(own, kind="stable"):
            i = int(i)
            if i in md.fixed:
                continue
            a = int(rep_of[i])
            votes = np.bincount(rep_of[idx[i]], minlength=m)
            b = int(np.argmax(votes))
            if b == a or votes[b] <= votes[a] or (i, b) in md.excluded:
                continue
            if md.max_outlets is not None and count[b] >= md.max_outlets[b]:
                continue
            wa = float(md.workload(a, np.array([i]))[0])
            wb = float(md.workload(b, np.array([i]))[0])
            if loads[a] - wa < lo[a] or loads[b] + wb > hi[b]:
                continue
            if vis[b] + md.visits[i] > md.visit_cap[b] + 1e-9:
                continue
            rep_of[i] = b
            loads[a] -= wa
            loads[b] += wb
            vis[a] -= md.visits[i]
            vis[b] += md.visits[i]
            count[a] -= 1
            count[b] += 1
            done += 1
        moved += done
        if not done:
            break
    return rep_of, moved


def _route_cost(md: _Model, rep_of: list[int], i: int, j: int, dist: FloatArray,
                idx: IntArray) -> float:
    """Estimated routed hours per week of outlet ``i`` with rep ``j``.

    The commute share of its visits from the rep's home (as the workload
    model) plus, per visit, the detour of inserting it between its two
    nearest outlets of territory ``j`` among its ``IMPROVE_NEIGHBOURS``
    nearest (twice the distance to the one where only one is ``j``'s, twice
    that to the farthest of them where none is: ``j``'s nearest outlet is
    further still). Unlike the workload model's approach, which is
    the same for every rep, this cost is lower in the territory around the
    outlet.
    """
    p = q = -1
    dp = dq = 0.0
    row = idx[i]
    for k in range(len(row)):
        if rep_of[int(row[k])] == j:
            if p < 0:
                p, dp = int(row[k]), float(dist[i, k])
            else:
                q, dq = int(row[k]), float(dist[i, k])
                break
    if p < 0:
        ins = 2 * float(dist[i, -1])
    elif q < 0:
        ins = 2 * dp
    else:
        ins = dp + dq - math.hypot(*(md.xy[p] - md.xy[q]))
    f = float(md.visits[i])
    return f * TRAVEL_FACTOR * (md.h_per_km * ins
                                + 2 * float(md.home_h[i, j]) / md.per_day)


def _improve(md: _Model, rep_of: IntArray, band: float, passes: int = IMPROVE_PASSES
             ) -> tuple[IntArray, dict[str, Any]]:
    """Move and swap border outlets while the estimated routed travel falls, within the band.

    A local search after the balanced assignment (the improvement phase of
    districting heuristics, e.g. Ríos-Mercado and Fernández, 2009): an outlet
    with neighbours of another territory moves to it when
    :func:`_route_cost` falls by the move and both reps' hours outside the
    band (at the assignment's utilisation) do not grow; where a single move
    would break the band, two border outlets of the same pair of territories
    swap when their costs fall together and both loads stay inside. Fixed
    outlets never move, excluded pairs are never made, and a move never takes
    a rep above its ``max_outlets`` (a swap keeps the counts). First-improvement
    passes over the outlets in their order, at most ``passes`` of them;
    deterministic.
    """
    n, m = md.home_h.shape
    stats: dict[str, Any] = {"improve_moves": 0, "improve_swaps": 0}
    if n <= IMPROVE_NEIGHBOURS or m < 2:
        return rep_of, stats
    dist, idx = _knn(md.xy, IMPROVE_NEIGHBOURS)
    cur = [int(j) for j in rep_of]
    loads = _loads(md, rep_of)
    _, u = _outside(md, loads, band)
    lo, hi = (1 - band) * u * md.capacity_h, (1 + band) * u * md.capacity_h
    count = np.bincount(rep_of, minlength=m)
    vis = np.bincount(rep_of, weights=md.visits, minlength=m).astype(np.float64)
    w_all = md.service_h + md.approach_h

    def work(i: int, j: int) -> float:
        return float(w_all[i] + md.visits[i] * 2 * TRAVEL_FACTOR * md.home_h[i, j]
                     / md.per_day)

    def viol(j: int, load: float) -> float:
        return max(load - float(hi[j]), 0.0) + max(float(lo[j]) - load, 0.0)

    def total() -> float:
        return sum(_route_cost(md, cur, i, cur[i], dist, idx) for i in range(n))

    stats["improve_before_h"] = round(total(), 3)
    for _ in range(passes):
        changed = 0
        # each pass: the gains of moving border outlets, then moves, then swaps
        offers: dict[tuple[int, int], list[tuple[float, int]]] = {}
        for i in range(n):
            if i in md.fixed:
                continue
            a = cur[i]
            others = {cur[int(k)] for k in idx[i]} - {a}
            if not others:
                continue
            here = _route_cost(md, cur, i, a, dist, idx)
            for b in sorted(others):
                if (i, b) in md.excluded:
                    continue
                gain = here - _route_cost(md, cur, i, b, dist, idx)
                # a swap may pair a small loss with a larger gain: losses are offers too
                offers.setdefault((a, b), []).append((gain, i))
        moved: set[int] = set()
        for (a, b), lst in sorted(offers.items()):
            lst.sort(key=lambda t: (-t[0], t[1]))
            for gain, i in lst:
                if gain <= 1e-9 or i in moved or cur[i] != a:
                    continue
                if md.max_outlets is not None and count[b] >= md.max_outlets[b]:
                    continue
                # the gain against the assignment as it is now
                g = (_route_cost(md, cur, i, a, dist, idx)
                     - _route_cost(md, cur, i, b, dist, idx))
                if g <= 1e-9:
                    continue
                wa, wb = work(i, a), work(i, b)
                if (viol(a, loads[a] - wa) > viol(a, loads[a]) + 1e-9
                        or viol(b, loads[b] + wb) > viol(b, loads[b]) + 1e-9):
                    continue
                if vis[b] + md.visits[i] > md.visit_cap[b] + 1e-9:
                    continue
                cur[i] = b
                loads[a] -= wa
                loads[b] += wb
                vis[a] -= md.visits[i]
                vis[b] += md.visits[i]
                count[a] -= 1
                count[b] += 1
                moved.add(i)
                stats["improve_moves"] += 1
                changed += 1
        for (a, b), lst in sorted(offers.items()):
            if a > b or (b, a) not in offers:
                continue
            ab = [t for t in lst if t[1] not in moved and cur[t[1]] == a][:IMPROVE_SWAP_TOP]
            ba = [t for t in sorted(offers[(b, a)], key=lambda t: (-t[0], t[1]))
                  if t[1] not in moved and cur[t[1]] == b][:IMPROVE_SWAP_TOP]
            for _gi, i in ab:
                if i in moved:
                    continue
                near_i = {int(k) for k in idx[i]}
                for _gk, k in ba:
                    if k in moved or k in near_i or i in {int(x) for x in idx[k]}:
                        continue
                    g = (_route_cost(md, cur, i, a, dist, idx)
                         - _route_cost(md, cur, i, b, dist, idx)
                         + _route_cost(md, cur, k, b, dist, idx)
                         - _route_cost(md, cur, k, a, dist, idx))
                    if g <= 1e-9:
                        continue
                    la = loads[a] - work(i, a) + work(k, a)
                    lb = loads[b] - work(k, b) + work(i, b)
                    if viol(a, la) > viol(a, loads[a]) + 1e-9 or \
                            viol(b, lb) > viol(b, loads[b]) + 1e-9:
                        continue
                    shift = float(md.visits[i] - md.visits[k])  # visits a gives b
                    if (vis[b] + shift > md.visit_cap[b] + 1e-9
                            or vis[a] - shift > md.visit_cap[a] + 1e-9):
                        continue
                    cur[i], cur[k] = b, a
                    loads[a], loads[b] = la, lb
                    vis[a] -= shift
                    vis[b] += shift
                    moved |= {i, k}
                    stats["improve_swaps"] += 1
                    changed += 1
                    break
        if not changed:
            break
    stats["improve_after_h"] = round(total(), 3)
    return np.array(cur, dtype=np.int64), stats


def _solve(md: _Model, cost_nm: FloatArray, *, band: float, candidates: int,
           current: IntArray | None = None, max_moves: int | None = None
           ) -> tuple[IntArray, dict[str, Any]]:
    from routeopt.solver._ortools import assignment_lp

    n, m = md.home_h.shape
    cand = _candidates(md, candidates, current, cost_nm)
    arcs_i = np.repeat(np.arange(n), [len(c) for c in cand])
    arcs_j = np.fromiter((j for c in cand for j in c), dtype=np.int64, count=len(arcs_i))
    weight = md.workload(arcs_j, arcs_i)
    cost = cost_nm[arcs_i, arcs_j]
    keep = None
    if current is not None:
        keep = arcs_j == current[arcs_i]
    t0 = time.perf_counter()
    x, u, status = assignment_lp(n, m, arcs_i, arcs_j, weight, cost, md.capacity_h, band,
                                 band_price=BAND_PRICE, max_outlets=md.max_outlets,
                                 keep=keep, max_moves=max_moves, visits=md.visits[arcs_i],
                                 visit_cap=md.visit_cap)
    lp_s = time.perf_counter() - t0
    # rounding: each outlet to its largest share (its current rep on a tie)
    share = x + (1e-7 * keep if keep is not None else 0.0)
    order = np.lexsort((-share, arcs_i))  # by outlet, largest share first
    first = np.ones(len(order), dtype=bool)
    first[1:] = arcs_i[order[1:]] != arcs_i[order[:-1]]
    cur_arc = order[first]  # one arc per outlet, in outlet order
    fractional = int(np.count_nonzero((x > 1e-6) & (x < 1 - 1e-6)))
    movable = np.array([i not in md.fixed for i in range(n)])
    budget = n if max_moves is None else max_moves
    if current is not None and keep is not None:
        # rounding split shares may move more outlets than the program did: the moved
        # outlets whose current rep had the largest share go back first
        home_arc = np.full(n, -1, dtype=np.int64)
        home_arc[arcs_i[keep]] = np.flatnonzero(keep)
        moved = np.flatnonzero((arcs_j[cur_arc] != current) & (home_arc >= 0))
        excess = len(moved) - budget
        if excess > 0:
            back = moved[np.argsort(-x[home_arc[moved]], kind="stable")[:excess]]
            cur_arc[back] = home_arc[back]
        budget -= int(np.count_nonzero(arcs_j[cur_arc] != current))
    cur_arc = _repair(md, cur_arc, arcs_i, arcs_j, weight, band, movable,
                      min(budget, 4 * m + 50), cost)
    repaired = arcs_j[cur_arc].astype(np.int64)
    return repaired, {"lp_s": round(lp_s, 3), "lp_status": status, "utilisation": u,
                      "fractional": fractional}


def _problem(outlets: Problem | pd.DataFrame | str | Path,
             reps: pd.DataFrame | str | Path | None) -> Problem:
    from routeopt.problem import Problem

    if isinstance(outlets, Problem):
        return outlets
    if reps is None:
        raise TypeError("give the reps table with the outlets table")
    from routeopt.read import read_problem

    return read_problem(outlets, reps, start="2026-11-30", weeks=4)


def _result(md: _Model, rep_of: IntArray, band: float, stats: dict[str, Any],
            current: IntArray | None, t0: float) -> TerritoryPlan:
    loads = _loads(md, rep_of)
    outside, u = _outside(md, loads, band)
    loads_out = []
    for j, rid in enumerate(md.rep_ids):
        mine = np.flatnonzero(rep_of == j)
        service = float(md.service_h[mine].sum())
        loads_out.append(RepLoad(rid, len(mine), float(md.visits[mine].sum()), service,
                                 float(loads[j]) - service, float(loads[j]),
                                 float(md.capacity_h[j]), float(u * md.capacity_h[j]),
                                 float(md.approach_h[mine].sum())))
    moves: tuple[Move, ...] = ()
    if current is not None:
        moves = tuple(Move(md.outlet_ids[i], md.rep_ids[current[i]], md.rep_ids[rep_of[i]])
                      for i in np.flatnonzero(rep_of != current))
    objective = float((md.visits * md.home_h[np.arange(len(rep_of)), rep_of]).sum())
    stats = {**stats, "band": band, "utilisation": round(u, 4),
             "outside_band_h": round(outside, 3),
             "over_visit_limit": round(_cap_excess(md, rep_of), 3),
             "objective": round(objective, 3),
             "total_s": round(time.perf_counter() - t0, 3)}
    if current is not None:
        stats["previous"] = True
    return TerritoryPlan(dict(zip(md.outlet_ids, (md.rep_ids[j] for j in rep_of), strict=True)),
                         tuple(loads_out), moves, stats)


def design(outlets: Problem | pd.DataFrame | str | Path,
           reps: pd.DataFrame | str | Path | None = None, *, band: float = 0.05,
           candidates: int = 8, excluded: Iterable[tuple[str, str]] = (),
           max_outlets: int | Mapping[str, int] | None = None,
           compactness: float = COMPACTNESS, rounds: int = ROUNDS,
           contiguity: bool = False, improve: bool = False) -> TerritoryPlan:
    """Design balanced, compact territories: a rep for every outlet.

    Parameters
    ----------
    outlets, reps
        A :class:`~routeopt.Problem`, or the outlets and reps tables (paths or
        DataFrames, as :func:`routeopt.read.read_problem` reads them). An
        outlet's ``rep_id`` is a fixed pair.
    band
        Each rep's workload within this share of the target (0.05 = ±5 %).
    candidates
        The reps considered for an outlet: its nearest ones by drive from home.
    excluded
        ``(outlet_id, rep_id)`` pairs never made.
    max_outlets
        The most outlets a rep may have: one number, or per rep id.
    compactness
        The weight of a visit's distance to its territory's centre against
        its distance to the rep's home. ``0`` assigns by the home alone (one
        round); above it, the centres move to their territories' weighted
        medians and the outlets are assigned again, up to ``rounds`` times.
    rounds
        The most rounds of assigning and moving the centres.
    contiguity
        Balance within 80 % of the band, then move enclaves (outlets whose
        nearest outlets mostly belong to another territory) to the territory
        around them, within the full band. Off by default: it halves the
        enclaves, but the planned travel did not fall (benchmarks/README.md).
    improve
        After the assignment, move and swap border outlets while their
        estimated routed travel (the commute from the rep's home and the
        detour between their nearest outlets of the territory) falls, keeping
        every rep's hours outside the band from growing and the constraints
        (:func:`_improve`). Off by default: it lowers that estimate by about
        2 %, but the planned travel fell on the whole generated company
        (-1.3 %) and rose on the 3,000-outlet one (+2.1 %)
        (benchmarks/README.md).

    Returns
    -------
    TerritoryPlan

    Raises
    ------
    InputError
        A pair or a cap that names an unknown outlet or rep, an outlet both
        fixed to and excluded from a rep, caps that cannot hold every outlet.
    """
    t0 = time.perf_counter()
    if not 0 < band < 1:
        raise InputError([Issue(f"band is {band!r}; give a share between 0 and 1, e.g. 0.05",
                                column="band")])
    if not compactness >= 0 or rounds < 1:
        raise InputError([Issue(f"compactness is {compactness!r} and rounds {rounds!r}; give "
                                "compactness 0 or more and at least one round",
                                column="compactness")])
    md = _model(_problem(outlets, reps), excluded, max_outlets)
    centres = md.home_xy
    rep_of: IntArray | None = None
    lp_s, done = 0.0, 0
    stats: dict[str, Any] = {}
    for _ in range(rounds if compactness > 0 else 1):
        new, stats = _solve(md, _cost(md, centres, compactness),
                            band=band * (1 - CONTIGUITY_SLACK) if contiguity else band,
                            candidates=candidates)
        lp_s += stats["lp_s"]
        done += 1
        if rep_of is not None and np.array_equal(new, rep_of):
            break
        rep_of = new
        centres = _centres(md, rep_of)
    assert rep_of is not None
    if contiguity:
        rep_of, stats["contiguity_moves"] = _contiguous(md, rep_of, band)
    if improve:
        t1 = time.perf_counter()
        rep_of, more = _improve(md, rep_of, band)
        stats = {**stats, **more, "improve_s": round(time.perf_counter() - t1, 3)}
    stats = {**stats, "lp_s": round(lp_s, 3), "rounds": done, "compactness": compactness}
    return _result(md, rep_of, band, stats, None, t0)


def realign(outlets: Problem | pd.DataFrame | str | Path,
            reps: pd.DataFrame | str | Path | None = None, *,
            current: Mapping[str, str], max_moves: int | float, band: float = 0.05,
            candidates: int = 8, excluded: Iterable[tuple[str, str]] = (),
            max_outlets: int | Mapping[str, int] | None = None,
            compactness: float = COMPACTNESS) -> TerritoryPlan:
    """Improve the balance of the ``current`` territories, moving at most ``max_moves`` outlets.

    Parameters
    ----------
    current
        Each outlet id to its rep today (every outlet must have one).
    max_moves
        The most outlets that may change hands: a count, or a share below 1
        (``0.05`` = 5 % of the outlets).
    outlets, reps, band, candidates, excluded, max_outlets, compactness
        As for :func:`design`; the centres are those of the current territories.

    Returns
    -------
    TerritoryPlan
        With :attr:`~TerritoryPlan.moves`: who gains and loses which outlets.
        The workload spread is never worse than the current one: when the
        rounded answer would be, or when every rep is within the band
        already, the current territories are returned.
    """
    t0 = time.perf_counter()
    md = _model(_problem(outlets, reps), excluded, max_outlets)
    rep_index = {r: j for j, r in enumerate(md.rep_ids)}
    issues = [Issue("has no current rep; give every outlet one", column="territory",
                    outlet_id=o) for o in md.outlet_ids if o not in current]
    issues += [Issue(f"current rep {current[o]!r} is not in the reps table", column="territory",
                     outlet_id=o) for o in md.outlet_ids if o in current
               and current[o] not in rep_index]
    if issues:
        raise InputError(issues)
    cur = np.array([rep_index[current[o]] for o in md.outlet_ids], dtype=np.int64)
    n = len(cur)
    cap = math.floor(max_moves * n) if isinstance(max_moves, float) and max_moves < 1 \
        else int(max_moves)
    if cap < 0:
        raise InputError([Issue(f"max_moves is {max_moves!r}; give 0 or more",
                                column="max_moves")])
    before, _ = _outside(md, _loads(md, cur), band)
    if before <= 1e-9:  # balanced already: nothing need move
        return _result(md, cur, band, {"kept_current": True, "max_moves": cap}, cur, t0)
    rep_of, stats = _solve(md, _cost(md, _centres(md, cur), compactness), band=band,
                           candidates=candidates, current=cur, max_moves=cap)
    after, _ = _outside(md, _loads(md, rep_of), band)
    moved = int(np.count_nonzero(rep_of != cur))
    if moved > cap or after > before + 1e-9:
        stats["kept_current"] = True
        rep_of = cur
    stats["max_moves"] = cap
    return _result(md, rep_of, band, stats, cur, t0)

