"""The search's tuned knobs, in one frozen object.

These are not solver parameters a user sets (those are in
:class:`~routeopt.solver.params.SolveParams`): they were tuned on the PVRP and
field benchmarks (``benchmarks/README.md``) and are kept together so that a
test or a benchmark can try another value with ``Tuning(...)`` or
:meth:`Tuning.replace`, and so that none changes while a search runs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Tuning:
    """The knobs of :class:`~routeopt.solver._search.Search`.

    Attributes
    ----------
    regret_share, regret_max
        Share of repairs done by regret-2 insertion (off), when at most
        ``regret_max`` outlets were removed.
    regret_missed
        Share of the other repairs done by regret-2 insertion when the current
        plan misses visits (its missed outlets are among those re-inserted), of
        at most ``regret_max`` outlets (off: on Cordeau pr10 at 10 s, 0.7 cut
        the iterations from 1,655 to 1,007, regret-2 pricing each outlet again
        after every insertion, and the gap rose; the planted 3,000-outlet FMCG
        case makes the same full plan either way; at 1,000 planted outlets with
        5 minutes of slack 0.7 missed fewer visits, see ``benchmarks/README.md``).
    order_random
        Share of repairs that insert the removed outlets in random order within
        each priority class instead of the hardest first (more varied plans:
        over 18 paired 60 s runs of the Cordeau set the mean gap was 0.3 points
        lower, p30 and p32 1-3 points lower in all four pairs).
    temp_start, temp_end
        Initial temperature as a share of the first plan's travel; final over
        initial.
    temp_outlets, temp_power
        Beyond ``temp_outlets`` outlets the starting temperature shrinks by
        ``(temp_outlets / outlets) ** temp_power``: a move re-plans a few
        outlets, so its cost change scales with the cost per outlet, not the
        plan's total (in proportion, against no shrinking: p13, pr05, pr10 a
        2-4 point lower gap at 60 s, same on p30 with 153 outlets). Squared,
        not in proportion: the first plan of a large instance is further above a good
        one (Cordeau p13, 417 outlets: 2.7 times its best known, against 1.6-2.1
        on most), and at a fixed time it gets fewer iterations per outlet to
        cool in. On the Cordeau instances above 150 outlets at 60 s, seeds 0
        and 1 (p12, p13, p20, p23, pr04, pr05, pr06, pr09, pr10), the sum of the
        18 gaps fell by 7.1 points (p13 2.72/3.18 % to 1.16/1.79 %); the cube
        gave about the same (7.8 over 16, p23 up to 3.63 %). At most
        ``temp_outlets`` outlets nothing changes (the field fingerprints).
    q_share, q_cap
        At most this share of the outlets, and this many, removed per iteration.
    adaptive
        Adaptive operator weights (Ropke and Pisinger); off: one size range,
        uniform draws.
    target_feasible
        The share of candidates within the soft rules that the penalties aim at.
    overtime_pct
        A day without a lunch break may end up to this share of its shift late
        while the search runs (0: the end of the shift stays hard).
    soften_missed, soften_missed_until
        The end of the shift turns soft at once where the first plan misses no
        visit; where it misses some, at the first penalty update from
        ``soften_missed`` of the budget on, and hard again (from the best plan)
        at ``soften_missed_until`` if the best plan still misses visits then.
        A full day without a break makes room for a missed visit only through
        late plans; but a late plan that makes every visit never becomes the
        best plan until it is on time, so a search that stays soft may end on
        its first plan's misses. Cordeau pr07 on its 1997 days, 4,000
        iterations, seeds 0-17 (missed visits left): the rule before (soft only
        once the best plan misses none) completed 12 of 18 plans, one visit
        missed in each other; soft at once and for good, 17 of 18, but seed 6
        kept its first plan's nine misses; soft at once, hard again at 0.5,
        17 of 18 (seed 16: 2); at 0.7, 17 of 18 (seed 6: 1). The field
        fingerprints are unchanged.
    reopt_share, reopt_max_visits, reopt_min_flexible
        The share of the budget after which OR-Tools' local search gets the
        whole best plan once, up to this many visits, and only when at least
        this share of the visits are of outlets visited once with a choice of
        days.
    reopt_build_s
        Seconds OR-Tools' whole-plan model takes to build per pair of visits
        (measured 5.5-8.6 us on the 2-core benchmark machine under load, 426 and
        1,283 visits: 1.6 s and 9.1 s); with less time left than the build, the
        search is skipped, so that the build cannot overrun the limit.
    construct_full, construct_quick, quick_positions
        The first plan against the clock: every option is priced until
        ``construct_full`` of the time limit has gone, then only the nearest
        reps' options and at most ``quick_positions`` positions per route (the
        cheapest); from ``construct_quick`` on, the outlets not reached are left
        unscheduled (reason ``time_limit``), so that the search, the polish and
        the reasons keep the rest of the time.
    flip_arm
        Flip moves as an arm of the search (``_loop.remove_flip``): a random
        outlet and its nearest are removed, and each comes back on other days
        than before, with the same rep, where it has such a choice. Drawn only
        where some outlet whose visits any rep may make (no fixed person) has a
        choice of days: the gain was measured on the Cordeau set, where any
        vehicle makes a visit. At 60 s, seeds 0 and 1, the mean gap was 0.87 /
        0.99 % against 0.85 / 0.99 % before, and the worst instance, p23, came
        down from 3.77 / 3.45 % to 3.11 / 3.11 %; at 10 s 1.59 / 1.55 %
        against 1.63 / 1.72 %. On p23 by itself, 60 s, seeds 0-5, 2.29-2.91 %
        (mean 2.54) against 2.74-3.27 % (mean 2.92). On the field cases, with a
        fixed person per outlet, the 300-iteration plans and Monaco's balance
        figures came out better on some counts and worse on others
        (``benchmarks/README.md``, 2026-12-04), so it is not drawn there.
    day_share, day_batch, day_cap, day_moves, day_temp_end
        The day search (:mod:`_intraday`): the last ``day_share`` of the budget
        on the best plan (``day_moves`` day moves per iteration left, cooling
        to ``day_temp_end`` of its first temperature); as an arm of the
        search, ``day_batch`` moves per draw (0: no arm), its weight at most
        ``day_cap`` times the others'.
    reweigh_every, penalty_every, progress_every
        Iterations between operator reweighing (and the refresh of the
        objective terms' targets: balanced days), penalty updates and
        progress reports.
    min_visits_price
        The cost of each visit a working day is short of ``Rep.min_visits``,
        in travel-cost units (an hour of travel: far below a missed visit, so
        the floor never costs a visit).
    align_travel
        Steady times: a route is put in its weekday's common order when that
        adds at most this share to its travel cost (Monaco, 3,000 iterations,
        balanced days on: the one-weekday start spread's 90th percentile is
        73.7 min at 0.01, 23.2 min at 0.02 for 0.12 % more travel, 23.2 min at
        0.03 to 0.1 for 0.29 %).
    ls_granular, ls_education_evals, ls_final_evals, ls_best_evals, ls_best_focus
        The local search over a day's routes (:mod:`_localsearch`): each visit
        is tried with its ``ls_granular`` nearest visits that day; after each
        repair it improves the days the repair changed, trying at most
        ``ls_education_evals`` moves (0: off); on each repair that makes a new
        best plan missing no visit, the routes it changed, at most
        ``ls_best_evals`` moves (0: off; with ``ls_best_focus`` every pass on
        those routes' visits, else the first, then the whole days; the improved plan is the
        new best and, when it was accepted, the current plan). Off: on the
        Cordeau days of pr05, pr09 and pr10 held fixed, 5,000 iterations,
        2,000 moves gave 0.4, 0.3 and 0.5 % less travel, and at 30 s side by
        side (seeds 0-2) pr05's mean 0.7 % and pr10's 0.15 % less, but on
        Monaco with balanced days (3,000 iterations) the travel rose from
        28.9 to 29.4 h, 8.6 % above the run with the terms off, over the 8 %
        the acceptance allows (``benchmarks/README.md``, 2026-12-02). At the
        end every day of the
        best plan, at most ``ls_final_evals`` moves. Counted moves, not
        seconds: the plan does not depend on the machine's speed. Education
        is off: on the Cordeau days of pr02, pr05 and pr10 held fixed, 20 s,
        300 and 1,000 moves per repair cost 20-40 % of the iterations and
        gave higher gaps than the final pass alone (pr05: 31.1 % at 300
        against 16.4 %; ``benchmarks/README.md``).
    rep_sectors, rep_arms, rep_near
        Rep choice where reps share a home (:mod:`_reps`): the first plan puts
        each outlet with its sector's rep when that rep can make every visit;
        the search gets the rep moves as arms (move, swap, ejection chain,
        border removal); an outlet is on a border when one of its
        ``rep_near`` nearest outlets has another rep.
    rep_split, rep_split_temp
        The share of the budget (time and iterations) in which each sector's
        outlets are first planned with its rep alone (``_reps.split_routes``);
        the whole search starts from those routes when they make a better
        first plan than the ordinary construction (0: off), its annealing
        from ``rep_split_temp`` of the temperature a sector's search starts at.
        0.7, not 0.4: on Cordeau p13 read with one vehicle per customer, 30 s,
        seeds 0-2, 0.7 made 3,612.70 / 3,620.18 / 3,613.29 against the
        partition baseline's 3,626.16 / 3,629.36 / 3,622.08 and 0.4's
        3,637.74 / 3,640.11 / 3,566.07; on all 39 instances with m > 1 at 30 s
        it was below or level with the baseline on each (``benchmarks/README.md``,
        2026-12-04).
    stall_restart, stall_kick
        Restarts: after ``stall_restart`` iterations without a new best plan
        (0: never), the current plan becomes a copy of the best with
        ``stall_kick`` related outlets (a random one and its nearest) removed
        and re-inserted (0: the best plan itself); the temperature goes on
        with the cooling. Off: on Cordeau p12, p13, pr05, pr06 and pr10,
        seeds 0 and 1, at fixed iterations near 40 s on the loaded benchmark
        machine (17,700-80,000), 2,000 moved the mean gap from 3.60 to 3.50 %,
        five pairs of ten lower, four higher (p13 seed 0 5.68 to 4.21 %, p12
        seed 0 1.93 to 2.59 %); at about a quarter of those iterations on
        eight hard instances, 500 raised it from 4.93 to 5.24 % and 500 with
        a kick of 20 to 5.26 %, and on eight easier ones near 20 s 2,000
        raised it from 0.35 to 0.43 %: within the noise between seeds
        (``benchmarks/README.md``, 2026-12-03).
    """

    regret_share: float = 0.0
    regret_max: int = 30
    regret_missed: float = 0.0
    order_random: float = 0.5
    temp_start: float = 0.01
    temp_end: float = 0.003
    temp_outlets: int = 150
    temp_power: float = 2.0
    q_share: float = 0.25
    q_cap: int = 40
    adaptive: bool = True
    target_feasible: tuple[float, float] = (0.2, 0.5)
    overtime_pct: int = 25
    soften_missed: float = 0.0
    soften_missed_until: float = 0.7
    reopt_share: float = 0.1
    reopt_max_visits: int = 1500
    reopt_min_flexible: float = 0.5
    reopt_build_s: float = 5e-6
    construct_full: float = 0.5
    construct_quick: float = 0.8
    quick_positions: int = 8
    day_share: float = 0.05
    day_batch: int = 4
    flip_arm: bool = True
    day_cap: float = 0.5
    day_moves: int = 10
    day_temp_end: float = 0.1
    reweigh_every: int = 100
    penalty_every: int = 50
    progress_every: int = 50
    min_visits_price: float = 3600.0
    align_travel: float = 0.03
    # -- local search (solver/_localsearch.py) --
    ls_granular: int = 10
    ls_education_evals: int = 0
    ls_final_evals: int = 200_000
    ls_best_evals: int = 0
    ls_best_focus: bool = True
    # rep choice
    rep_sectors: bool = True
    rep_arms: bool = True
    rep_near: int = 8
    rep_split: float = 0.7
    rep_split_temp: float = 0.3
    # restarts from the best plan
    stall_restart: int = 0
    stall_kick: int = 0

    def replace(self, **changes: Any) -> Tuning:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)
