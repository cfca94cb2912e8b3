"""Solve a :class:`~routeopt.problem.Problem` into a :class:`~routeopt.plan.Plan`."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from routeopt.patterns import no_pattern_message, short_pattern_message
from routeopt.plan import REASONS, Plan, Route, Stop, Unscheduled
from routeopt.solver.params import SolveParams
from routeopt.solver.terms import TIME_TERMS

if TYPE_CHECKING:
    from routeopt.problem import Problem
    from routeopt.solver._model import Instance
    from routeopt.solver._routes import Timer
    from routeopt.solver._search import SearchStats, State
    from routeopt.solver._steady import RouteTimes

__all__ = ["SolveParams", "solve"]

log = logging.getLogger(__name__)


def solve(problem: Problem, params: SolveParams | None = None, *,
          progress: Callable[[int, float], None] | None = None,
          previous: Plan | None = None) -> Plan:
    """Plan the visits of ``problem``.

    Parameters
    ----------
    problem
        The validated problem.
    params
        Search settings (time limit, iterations, seed, weights); defaults if omitted.
    progress
        Called now and then with (iteration, best objective).
    previous
        A plan to stay close to (stability): the search starts from its
        routes (the visits that still fit, in their order), and every visit
        placed on a day or with a rep it did not have there costs
        ``params.move_penalty``. Its visits are matched by outlet id, rep id,
        date and :attr:`Stop.label`; its problem may differ from ``problem``.

    Returns
    -------
    Plan
        Timed routes for every rep and date, and every required visit that
        could not be placed, with its reason.

    Examples
    --------
    >>> from datetime import date
    >>> from routeopt import Horizon, Outlet, Problem, Rep, SolveParams, VisitRule, solve
    >>> problem = Problem(
    ...     outlets=[Outlet("P1", 43.735, 7.420, VisitRule.parse("2/week")),
    ...              Outlet("P2", 43.740, 7.425, VisitRule.parse("1/week"))],
    ...     reps=[Rep("R1", 43.731, 7.418)],
    ...     horizon=Horizon(date(2026, 11, 30), weeks=1),
    ... )
    >>> plan = solve(problem, SolveParams(max_iterations=50))
    >>> plan.kpis()["coverage"]
    1.0
    >>> _ = plan.validate()
    """
    from routeopt.solver._model import compile_problem
    from routeopt.solver._search import Search

    params = params or SolveParams()
    t0 = time.perf_counter()
    wall0 = time.time()
    inst = compile_problem(problem, params, previous=previous)
    pool = futures = None
    if params.workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(params.workers - 1)
        futures = [pool.submit(_search_worker, inst, params.replace(seed=params.seed + k), wall0)
                   for k in range(1, params.workers)]
    try:
        search = Search(inst, progress)
        state = search.run(started=t0)
        st = search.stats
        objective = search.objective(state)
        untried = search.untried
        worker = 0
        objectives: list[float | None] = [objective]
        for k, fut in enumerate(futures or [], start=1):
            try:
                obj, other, other_stats, other_untried = fut.result()
            except Exception as e:  # a lost search costs its plan, not the solve
                log.warning("search %d of %d failed, its plan is left out: %r",
                            k + 1, params.workers, e)
                objectives.append(None)
                continue
            objectives.append(obj)
            if obj < objective:
                objective, state, st, worker = obj, other, other_stats, k
                untried = other_untried
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    if search.same_rep_appointments(state):
        objective = search.objective(state)
    times: list[RouteTimes | None] | None = None
    aligned = 0
    steady_s = 0.0
    if params.steady_weight > 0:
        from routeopt.solver._steady import align, keep_reference_orders, steady_times

        t1 = time.perf_counter()
        if inst.start_routes is None:  # "objective" stays the search's
            aligned = align(search, state)
        else:  # a re-plan keeps its reference orders where a day is unchanged
            keep_reference_orders(search, state)
        times = steady_times(search, state)
        steady_s = time.perf_counter() - t1
    solve_s = time.perf_counter() - t0
    stats = {
        "solve_s": solve_s,
        "seed": params.seed + worker,
        "workers": params.workers,
        "worker_objectives": objectives,
        **dataclasses.asdict(st),  # the winning search's own figures (SearchStats)
        "aligned_routes": aligned,
        "steady_s": steady_s,
        "objective": objective,
        "travel_cost": int(sum(state.rcost)),
        "moved_visits": search.moves(state) if previous is not None else 0,
    }
    log.info("solved in %.2f s, %d iterations (%s)", solve_s, st.iterations, st.stop_reason)
    return _to_plan(inst, search.timer, state, stats, untried, times)


def _search_worker(inst: Instance, params: SolveParams, wall0: float
                   ) -> tuple[float, State, SearchStats, set[int]]:
    """One of :func:`solve`'s parallel searches, in a child process: the
    objective, the best plan, its search figures and the nodes it had no time
    to try. ``wall0``: when the solve started (the time limit counts from there)."""
    from routeopt.solver._search import Search

    inst = dataclasses.replace(inst, params=params)
    search = Search(inst)
    state = search.run(started=time.perf_counter() - (time.time() - wall0))
    return search.objective(state), state, search.stats, search.untried


def _to_plan(inst: Instance, timer: Timer, st: State, stats: dict[str, object],
             untried: set[int] | None = None,
             times: list[RouteTimes | None] | None = None) -> Plan:
    """The plan of ``st``: each route timed by ``times`` (steady visit times)
    where given, else by its earliest-start schedule; ``untried``: nodes the
    construction had no time to try (reason ``time_limit``)."""
    problem = inst.problem
    routes: list[Route] = []
    for s, seq in enumerate(st.routes):
        if not seq:
            continue
        slot = inst.slots[s]
        sch = timer.schedule(slot, seq)
        assert sch is not None
        dur, dist = inst.dur[slot.mode], inst.dist[slot.mode]
        tm = times[s] if times is not None else None
        first_tt = int(dur[slot.start_node, seq[0]])
        if tm is not None:
            depart, arrival, start, back = tm.depart, tm.arrival, tm.start, tm.back
            brk_start = tm.break_start
        else:
            depart = slot.shift_start
            if sch.break_gap != 0:
                depart = max(slot.shift_start, sch.start[0] - first_tt)
            arrival = (depart + first_tt, *sch.arrival[1:])
            start, back = sch.start, sch.back
            brk_start = sch.break_start if sch.break_gap >= 0 else -1
        stops = []
        prev = slot.start_node
        for g, node in enumerate(seq):
            stops.append(Stop(problem.outlets[inst.outlet_of[node]].id, arrival[g], start[g],
                              start[g] + inst.service[node],
                              int(dur[prev, node]), int(dist[prev, node]), inst.label[node]))
            prev = node
        brk = (brk_start, brk_start + slot.break_dur) if brk_start >= 0 else None
        routes.append(Route(
            rep_id=problem.reps[slot.rep].id, date=slot.date, depart=depart, back=back,
            stops=tuple(stops),
            return_travel_s=int(dur[prev, slot.end_node]),
            return_distance_m=int(dist[prev, slot.end_node]),
            break_start=brk[0] if brk else None, break_end=brk[1] if brk else None,
        ))
    routes.sort(key=lambda r: (r.rep_id, r.date))
    return Plan(problem, tuple(routes), tuple(_unscheduled(inst, timer, st, untried or set())),
                stats, dict(inst.matrices))


def _why(inst: Instance, timer: Timer, st: State, i: int, slots: list[int],
         memo: dict[tuple[int, int, object], bool]) -> tuple[str, str]:
    """The reason (code, message) visit ``i`` is missing from ``slots``: it fits
    none of them alone on time (because of a time term, or at all); or a route
    term (in the order of ``TERMS``) it would exceed on every one that it fits
    alone; or no time was left."""
    alone = [s for s in slots if _alone(inst, timer, i, s, memo)]
    if not alone:
        # a time term (fixed blocks) binds where the visit fits alone without its cuts
        for time_term in TIME_TERMS:
            for s in slots:
                slot = inst.slots[s]
                if (slot.wkey != slot.day and time_term.forbidden(inst, slot)
                        and timer.schedule(dataclasses.replace(slot, wkey=slot.day), [i])):
                    return time_term.code, time_term.message
        return "unreachable", REASONS["unreachable"]
    for k, term in enumerate(inst.terms):
        if all(term.blocks(s, st.routes[s], st.use[k][s], i) for s in alone):
            return term.code, term.message
    return "no_time", REASONS["no_time"]


def _alone(inst: Instance, timer: Timer, i: int, s: int,
           memo: dict[tuple[int, int, object], bool]) -> bool:
    """Whether node ``i`` fits slot ``s`` as its only visit.

    That depends on the node's place, visit and windows that day and on the
    rep (shift, break, start, end) only, so it is timed once per twin class,
    rep and day windows: thousands of missed outlets at one place, or on a
    weekly timetable, cost a few timings, not one per outlet and day.
    """
    slot = inst.slots[s]
    key = (inst.twin[i] if inst.twin else i, slot.rep, inst.windows[i].get(slot.wkey))
    got = memo.get(key)
    if got is None:
        got = memo[key] = timer.schedule(slot, [i]) is not None
    return got


def _unscheduled(inst: Instance, timer: Timer, st: State, untried: set[int]
                 ) -> list[Unscheduled]:
    """Every missed visit with its reason; ``untried``: nodes the construction had
    no time to price and the search never tried (reason ``time_limit``)."""
    out: list[Unscheduled] = []
    memo: dict[tuple[int, int, object], bool] = {}
    for i in range(inst.n):
        o = inst.problem.outlets[inst.outlet_of[i]]
        miss = st.missed[i]
        if not miss:
            continue
        ch = st.choice[i]
        pri = inst.priority[i]
        if not inst.options[i]:
            message = no_pattern_message(inst.problem, o) or REASONS["no_pattern"]
            out += [Unscheduled(o.id, "no_pattern", message, pri)] * miss
        elif ch is None and i in untried:
            out += [Unscheduled(o.id, "time_limit", REASONS["time_limit"], pri)] * miss
        elif ch is not None:
            opt = inst.options[i][ch[0]]
            done_days = {inst.slots[s].day for s in ch[1]}
            for day, group in zip(opt.days, opt.groups, strict=True):
                if day in done_days:
                    continue
                reason, message = _why(inst, timer, st, i, list(group), memo)
                out.append(Unscheduled(o.id, reason, message, pri, inst.slots[group[0]].date))
            short = inst.need[i] - len(opt.days)  # visits its form cannot fit at all
            if short > 0:
                message = short_pattern_message(inst.problem, o, len(opt.days))
                out += [Unscheduled(o.id, "no_pattern", message, pri)] * short
        else:
            slots = sorted({s for opt in inst.options[i] for g in opt.groups for s in g})
            reason, message = _why(inst, timer, st, i, slots, memo)
            days = {d for opt in inst.options[i] for d in opt.days}
            when = inst.slots[slots[0]].date if len(days) == 1 and miss == 1 else None
            out += [Unscheduled(o.id, reason, message, pri, when)] * miss
    return out
