"""The problem compiled to flat arrays for the search (no OR-Tools here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from routeopt.matrix import GreatCircle, TravelMatrix
from routeopt.patterns import day_patterns
from routeopt.problem import Problem
from routeopt.solver.params import SolveParams

IntArray = npt.NDArray[np.int64]


@dataclass(slots=True)
class Slot:
    """One rep on one planning day: the unit a route belongs to."""

    rep: int
    day: int
    date: date
    start_node: int
    end_node: int
    shift_start: int
    shift_end: int
    break_open: int  # earliest break start (-1: no break)
    break_late: int  # latest break start
    break_dur: int
    max_visits: int
    capacity: int
    mode: str


@dataclass(slots=True)
class Option:
    """A way to visit one outlet: a day pattern, and for each of its days the
    slots (reps on that day) that may make the visit.

    With a fixed person (``VisitRule.same_rep``) there is one option per rep
    and pattern, each day offering that rep's slot only.
    """

    rep: int  # -1: any rep per visit
    days: tuple[int, ...]
    groups: tuple[tuple[int, ...], ...]


@dataclass(slots=True)
class Instance:
    """Everything the search needs, indexed by integers."""

    problem: Problem
    params: SolveParams
    matrices: dict[str, TravelMatrix]
    dur: dict[str, IntArray]
    cost: dict[str, IntArray]
    slots: list[Slot]
    slot_of: dict[tuple[int, int], int]
    service: list[int]
    demand: list[int]
    need: list[int]
    penalty: list[float]
    options: list[list[Option]]
    near_count: list[int]  # per outlet: how many options (the first) belong to its nearest reps
    windows: list[dict[int, tuple[tuple[int, int], ...]]]  # outlet -> day -> start windows
    near: IntArray  # outlets sorted by distance, per outlet

    @property
    def n(self) -> int:
        return len(self.service)


def build_matrices(problem: Problem) -> dict[str, TravelMatrix]:
    """The matrices for every travel mode the reps use."""
    if problem.matrix is not None:
        return dict(problem.matrix)
    provider = GreatCircle()
    pts = problem.points()
    return {mode: provider.matrix(pts, mode) for mode in sorted({r.mode for r in problem.reps})}


def compile_problem(problem: Problem, params: SolveParams,
                    matrices: dict[str, TravelMatrix] | None = None) -> Instance:
    """Flatten ``problem`` into an :class:`Instance`."""
    matrices = matrices if matrices is not None else build_matrices(problem)
    dur = {m: tm.durations for m, tm in matrices.items()}
    cost = {
        m: np.rint(params.time_weight * tm.durations + params.distance_weight * tm.distances
                   ).astype(np.int64)
        for m, tm in matrices.items()
    }
    n = len(problem.outlets)
    days = problem.planning_days
    slots: list[Slot] = []
    slot_of: dict[tuple[int, int], int] = {}
    for k, rep in enumerate(problem.reps):
        for d, day in enumerate(days):
            if not rep.works_on(day):
                continue
            lunch = rep.lunch
            slot_of[(k, d)] = len(slots)
            slots.append(Slot(
                rep=k, day=d, date=day, start_node=n + 2 * k, end_node=n + 2 * k + 1,
                shift_start=rep.shift.start, shift_end=rep.shift.end,
                break_open=lunch.window.start if lunch else -1,
                break_late=lunch.latest_start if lunch else -1,
                break_dur=lunch.duration if lunch else 0,
                max_visits=rep.max_visits if rep.max_visits is not None else 1 << 30,
                capacity=rep.capacity if rep.capacity is not None else 1 << 60,
                mode=rep.mode,
            ))
    some = next(iter(dur.values()))
    outlet_d = np.asarray(matrices[next(iter(matrices))].distances[:n, :n])
    near = np.argsort(outlet_d + outlet_d.T, axis=1, kind="stable").astype(np.int64)
    windows: list[dict[int, tuple[tuple[int, int], ...]]] = []
    options: list[list[Option]] = []
    near_count: list[int] = []  # options of the nearest reps come first
    need: list[int] = []
    penalty: list[float] = []
    for i, o in enumerate(problem.outlets):
        w: dict[int, tuple[tuple[int, int], ...]] = {}
        for d, day in enumerate(days):
            ws = problem.windows(o, day)
            if ws:
                w[d] = tuple((x.start, x.end) for x in ws)
        windows.append(w)
        need.append(problem.visits_of(o))
        penalty.append(params.miss_penalty * params.priority_factor ** (9 - o.priority))
        reps = problem.reps_for(o)
        n_reps_near = len(reps)
        if (o.rule.same_rep and o.rep_id is None and params.candidate_reps
                and len(reps) > params.candidate_reps):
            # nearest reps first (by the trip from their start to the outlet and
            # on to their end); the others come after, priced only when the
            # nearest cannot take every visit
            k_all = np.array([problem.rep_index(r.id) for r in reps])
            far = np.array([some[n + 2 * k, i] + some[i, n + 2 * k + 1] for k in k_all])
            order = k_all[np.argsort(far, kind="stable")]
            n_reps_near = params.candidate_reps
            reps = (tuple(problem.reps[int(k)] for k in sorted(order[:n_reps_near]))
                    + tuple(problem.reps[int(k)] for k in sorted(order[n_reps_near:])))
        opts: list[Option] = []
        if o.rule.same_rep:
            for j, rep in enumerate(reps):
                if j == n_reps_near:
                    near_count.append(len(opts))
                k = problem.rep_index(rep.id)
                for pat in day_patterns(problem, o, rep):
                    opts.append(Option(k, pat, tuple((slot_of[(k, d)],) for d in pat)))
        else:
            ks = [problem.rep_index(rep.id) for rep in reps]
            pats: dict[tuple[int, ...], None] = {}
            for rep in reps:
                pats.update(dict.fromkeys(day_patterns(problem, o, rep)))
            for pat in pats:
                groups = tuple(tuple(slot_of[(k, d)] for k in ks if (k, d) in slot_of)
                               for d in pat)
                opts.append(Option(-1, pat, groups))
        if len(near_count) == i:
            near_count.append(len(opts))
        options.append(opts)
    return Instance(
        problem=problem, params=params, matrices=matrices, dur=dur, cost=cost,
        slots=slots, slot_of=slot_of,
        service=[o.service for o in problem.outlets],
        demand=[o.demand for o in problem.outlets],
        need=need, penalty=penalty, options=options, near_count=near_count, windows=windows,
        near=near,
    )
