"""Visit rules to day patterns.

A *pattern* is the set of planning days on which one outlet is visited, as
sorted indices into :attr:`Problem.planning_days`. The solver chooses one
pattern per outlet (and a rep); this module lists the candidates.

How a frequency becomes patterns
--------------------------------
A frequency ``n / k`` (n visits every k weeks, in lowest terms) defines a
*block* of ``k`` weeks that repeats through the horizon. A *line* chooses
``n`` working days of the block (a weekday and a week of the block each), at
least ``g`` working days apart, counted around the block since it repeats;
``g`` is the rule's ``min_gap`` or ``ceil(D / f) - 1`` for ``D`` working days
and ``f`` visits. Repeating the block keeps every visit on the same weekday
each cycle: the fixed route line of the domain. Examples for a rep working
Monday to Friday:

* ``2/week``: pairs such as (Mo, We), (Mo, Th), (Tu, Fr): 5 lines.
* ``1/week``: one weekday: 5 lines.
* ``1/2weeks``: a weekday in week 1 or week 2 of each fortnight: 10 lines.

An interval of whole weeks (``every 14d``) is the per-week frequency of the
same lines (``1/2weeks``). Any other interval (``every 10-14d``) gives dates
of the rep's planning days whose gaps lie in the range
(:func:`interval_dates`), and ``N/month`` each calendar month's share spread
about ``month_days / N`` apart (:func:`monthly_dates`).

A line becomes a pattern on real dates. A visit of a line that falls on a
date it cannot use (a holiday, a rep's day off, a date the outlet is closed or
locked) moves to the nearest usable day of the same planning week: the
neighbours of its weekday first, on a weekday the rule allows, at least the
line's gap ``g`` (in days the rep works) from the outlet's visits before and
after it. When a week has no such day, the line skips that week's visit; such
short lines are offered only when no line keeps every visit, and the visits
they leave out are reported with :func:`short_pattern_message`. Interval rules
other than whole weeks keep their own gaps and are not moved. Appointments replace the
line's visit closest to them. Rules with ``same_weekday=False`` use evenly
spaced rotations instead; explicit ``patterns`` are used as given.

Under a sub-horizon (:attr:`Problem.plan_from <routeopt.problem.Problem.plan_from>`,
when re-planning the rest of a cycle) a line offers its usable dates from
``plan_from`` on, skipping the dates it cannot use (closed, locked, a day
off) instead of being dropped, and keeps the latest ``rule.visits`` of them:
the earlier ones belong to the part of the cycle already served. A line with
fewer usable dates than that is dropped. Appointments pinned to a rep
(``Appointment.rep_id``) allow that rep's patterns only.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from routeopt.problem import Appointment, Outlet, Problem, Rep

__all__ = ["day_patterns", "interval_dates", "monthly_dates", "no_pattern_message",
           "pattern_visits", "same_day_appointments", "short_pattern_message", "weekday_lines"]

MAX_PATTERNS = 400
#: The most steps of the depth-first search for interval patterns, per outlet and rep.
MAX_CHAIN_STEPS = 20_000


def _block(outlet: Outlet, rep: Rep) -> tuple[int, int, list[int], int]:
    """Return (n visits per block, k weeks per block, working weekdays, gap)."""
    f = outlet.rule.per_week
    n, k = f.numerator, f.denominator
    wd = sorted(rep.working_days)
    positions = k * len(wd)
    gap = outlet.rule.min_gap if outlet.rule.min_gap is not None else math.ceil(positions / n) - 1
    return n, k, wd, gap


def weekday_lines(outlet: Outlet, rep: Rep, weeks: int) -> list[tuple[tuple[int, int], ...]]:
    """The route lines of ``outlet`` for ``rep``, ignoring real dates.

    Each line is a tuple of ``(week_in_block, weekday)`` pairs.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from routeopt.problem import Outlet, Rep, VisitRule
    >>> o = Outlet("P", 0.0, 0.0, VisitRule(per_week=Fraction(2)))
    >>> weekday_lines(o, Rep("R", 0.0, 0.0), weeks=1)
    [((0, 0), (0, 2)), ((0, 0), (0, 3)), ((0, 1), (0, 3)), ((0, 1), (0, 4)), ((0, 2), (0, 4))]
    """
    if outlet.rule.per_week <= 0:
        return []
    n, k, wd, gap = _block(outlet, rep)
    rule_days = outlet.rule.allowed_weekdays
    allowed = set(range(7)) if rule_days is None else rule_days
    open_days = outlet.hours.open_weekdays
    usable = [
        p for p in range(k * len(wd))
        if wd[p % len(wd)] in allowed and wd[p % len(wd)] in open_days
    ]
    size = k * len(wd)
    lines: list[tuple[tuple[int, int], ...]] = []
    if n > len(usable):
        return []
    step = max(gap, 1)

    def extend(combo: list[int], rest: int) -> None:
        # depth-first over increasing positions, pruned by the spacing rule
        if len(lines) >= MAX_PATTERNS:
            return
        if len(combo) == n:
            if n == 1 or combo[0] + size - combo[-1] >= step:  # the block repeats
                lines.append(tuple((p // len(wd), wd[p % len(wd)]) for p in combo))
            return
        for j in range(rest, len(usable)):
            p = usable[j]
            if combo and p - combo[-1] < step:
                continue
            if combo and p + (n - len(combo) - 1) * step > combo[0] + size - step:
                break  # the remaining visits cannot fit before the block repeats
            extend([*combo, p], j + 1)

    extend([], 0)
    return lines


def _line_dates(line: tuple[tuple[int, int], ...], k: int, start: date, weeks: int) -> list[date]:
    out = []
    for w in range(weeks):
        for week_in_block, weekday in line:
            if w % k == week_in_block:
                out.append(start + timedelta(days=7 * w + (weekday - start.weekday()) % 7))
    return sorted(out)


def same_day_appointments(outlet: Outlet) -> list[Appointment]:
    """The appointments of ``outlet`` after the first of their date, in the order given.

    A pattern visits a date once; the first appointment of a date is that
    visit, and each further one on the same date is a visit of its own (the
    solver places it apart, and it replaces the line visit nearest to it).

    Examples
    --------
    >>> from routeopt.problem import Appointment, Outlet, VisitRule
    >>> o = Outlet("P", 43.7, 7.4, VisitRule.parse("1/week"), appointments=(
    ...     Appointment.parse("2026-12-02 10:00"), Appointment.parse("2026-12-02 14:00")))
    >>> [str(a.window) for a in same_day_appointments(o)]
    ['14:00-14:00']
    """
    seen: set[date] = set()
    out = []
    for a in outlet.appointments:
        if a.date in seen:
            out.append(a)
        seen.add(a.date)
    return out


def pattern_visits(problem: Problem, outlet: Outlet) -> int:
    """How many dates a pattern of ``outlet`` holds: its visits (the rule's, or
    its appointments if more), less the appointments made apart
    (:func:`same_day_appointments`)."""
    apart = len(same_day_appointments(outlet))
    return max(problem.regular_visits_of(outlet), len(outlet.appointments)) - apart


def day_patterns(problem: Problem, outlet: Outlet, rep: Rep) -> list[tuple[int, ...]]:
    """Candidate patterns of ``outlet`` when visited by ``rep``.

    Returns
    -------
    list of tuple of int
        Sorted indices into ``problem.planning_days``; each tuple has as many
        days as the rule's visits (or appointments, if more) less the further
        appointments of a date (:func:`pattern_visits`), on which the outlet
        is open and the rep works; extra visits are not included. Fewer for
        a route line that skips a week with no usable day, or a form no full
        pattern meets (:func:`short_pattern_message`). Empty when no pattern
        fits the calendar.

    Examples
    --------
    >>> from datetime import date
    >>> from fractions import Fraction
    >>> from routeopt.problem import Horizon, Outlet, Problem, Rep, VisitRule
    >>> o = Outlet("P", 43.7, 7.4, VisitRule(per_week=Fraction(1, 2)))
    >>> p = Problem([o], [Rep("R", 43.7, 7.4)], Horizon(date(2026, 11, 30), weeks=2))
    >>> day_patterns(p, o, p.reps[0])[:3]
    [(0,), (1,), (2,)]
    """
    days = problem.planning_days
    index = {d: i for i, d in enumerate(days)}
    first = problem.plan_from or problem.horizon.start
    need = pattern_visits(problem, outlet)
    if need == 0:
        return []
    if any(a.rep_id not in (None, rep.id) for a in outlet.appointments):
        return []  # a visit pinned to another rep

    def usable(d: date) -> bool:
        return d in index and problem.works(rep, d) and bool(problem.windows(outlet, d))

    rule = outlet.rule
    candidates: list[list[date]] = []
    short: list[list[date]] = []  # route lines skipping a week that has no usable day
    free: list[date] = []
    short_ok = False
    sub_horizon = problem.plan_from is not None
    if rule.patterns is not None:
        candidates = [[days[i] for i in pat] for pat in rule.patterns if all(
            0 <= i < len(days) for i in pat)]
    elif rule.per_week <= 0:
        candidates = [sorted({a.date for a in outlet.appointments})]
    elif rule.lines:
        k = rule.per_week.denominator
        gap = _block(outlet, rep)[3]
        appt = {a.date for a in outlet.appointments}
        for line in weekday_lines(outlet, rep, problem.horizon.weeks):
            dates, skipped = _moved_line(
                problem, outlet, rep,
                _line_dates(line, k, problem.horizon.start, problem.horizon.weeks),
                gap, lambda d: usable(d) or d in appt, need)
            (short if skipped and not sub_horizon else candidates).append(dates)
    elif rule.interval is not None or rule.per_month is not None:
        allowed = rule.allowed_weekdays
        free = [d for d in days if usable(d) and (allowed is None or d.weekday() in allowed)]
        regular = problem.regular_visits_of(outlet)
        # a form no full pattern meets places what it can (the whole horizon, no appointment)
        short_ok = regular > 0 and not sub_horizon and not outlet.appointments
        if regular == 0:
            candidates = [[]]
        elif rule.interval is not None:
            candidates = interval_dates(problem, outlet, free, regular)
        else:  # on the whole horizon; under a sub-horizon the latest dates are kept, below
            past = [d for d in problem.horizon.dates if d < first and problem.works(rep, d)
                    and (allowed is None or d.weekday() in allowed)]
            candidates = monthly_dates(problem, outlet, past + free)
    else:
        work = [d for d in days if problem.works(rep, d)]
        allowed = rule.allowed_weekdays
        work = [d for d in work if allowed is None or d.weekday() in allowed]
        if need <= len(work):
            step = len(work) / need
            for s in range(min(len(work), MAX_PATTERNS)):
                idx = sorted({(s + round(i * step)) % len(work) for i in range(need)})
                candidates.append([work[i] for i in idx])
    sub = problem.plan_from is not None
    out: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    # the lines that skip a week, only when no line keeps every visit, on the whole horizon
    lines_short = bool(short) and not sub and not any(
        _line_pattern_ok(problem, outlet, dates, need, usable) for dates in candidates)
    for n_dates, dates in enumerate(candidates + (short if lines_short else [])):
        if n_dates >= len(candidates):  # a line skipping a week
            dates = _with_appointments(dates, outlet)
            if 0 < len(dates) < need and len(set(dates)) == len(dates) and all(
                    usable(d) for d in dates):
                pat = tuple(sorted(index[d] for d in dates))
                if pat not in seen:
                    seen.add(pat)
                    out.append(pat)
            continue
        if sub and rule.patterns is None and rule.per_week > 0:
            # a sub-horizon: the line's usable dates from plan_from on, the latest ones
            appt = {a.date for a in outlet.appointments}
            if rule.interval is not None and any(
                    d >= first and not usable(d) and d not in appt for d in dates):
                continue  # skipping a date would break the interval

            dates = [d for d in dates if usable(d) or d in appt]
            regular = problem.regular_visits_of(outlet)
            dates = dates[len(dates) - regular:] if len(dates) > regular else dates
        if rule.interval is not None and rule.last_visit is not None and dates:
            # the first visit planned, the interval after the last one made
            ahead = [d for d in dates if d >= first]
            if ahead and not rule.interval[0] <= (ahead[0] - rule.last_visit).days <= (
                    rule.interval[1]):
                continue
        dates = _with_appointments(dates, outlet)
        if len(dates) != need or len(set(dates)) != need:
            continue
        if not all(usable(d) for d in dates):
            continue
        pat = tuple(sorted(index[d] for d in dates))
        if pat not in seen:
            seen.add(pat)
            out.append(pat)
    if not out and short_ok:
        out = _short_patterns(problem, outlet, free, need, index)
    return out


def _line_pattern_ok(problem: Problem, outlet: Outlet, dates: list[date], need: int,
                     usable: Callable[[date], bool]) -> bool:
    """Whether a line's dates make a full pattern on the whole horizon (the test
    :func:`day_patterns` applies last)."""
    dates = _with_appointments(dates, outlet)
    return len(dates) == need and len(set(dates)) == need and all(usable(d) for d in dates)


def _working_days(problem: Problem, rep: Rep, a: date, b: date) -> int:
    """The days from ``a`` (excluded) to ``b`` (included) that ``rep`` works."""
    return sum(1 for k in range(1, (b - a).days + 1)
               if problem.works(rep, a + timedelta(days=k)))


def _moved_line(problem: Problem, outlet: Outlet, rep: Rep, dates: list[date], gap: int,
                usable: Callable[[date], bool], need: int | None = None
                ) -> tuple[list[date], int]:
    """A route line's dates with each unusable one moved to the nearest usable day
    of its planning week, and how many visits had none (left out).

    A visit on a holiday, a rep's day off, a closed or locked date moves to the
    day of the same week (:meth:`Horizon.week_of <routeopt.problem.Horizon.week_of>`)
    nearest its weekday (the earlier on a tie) that is usable, on a weekday the
    rule allows, not already a visit, and at least ``gap`` days the rep works
    (and at least one) from the visits before and after it. A visit with no such
    day is left out: the pattern then has fewer visits, each missed one reported
    with :func:`short_pattern_message`. Dates before the planned part of the
    horizon are kept as they are (the sub-horizon rule drops them).

    A date the outlet itself is closed on (:attr:`Hours.closed_dates
    <routeopt.hours.Hours.closed_dates>`, where a re-plan puts a visit the log
    cancelled) moves only while the line holds fewer than ``need`` planned
    visits: a cancelled visit is not owed any more, so it is dropped, not moved
    (the rule's count already leaves it out). The other unusable dates move
    first.
    """
    allowed = outlet.rule.allowed_weekdays
    step = max(gap, 1)
    h = problem.horizon
    first = problem.plan_from or h.start
    out = list(dates)
    skipped = 0
    closed = outlet.hours.closed_dates
    # the outlet's own closed dates last: by then the count tells whether they are owed
    for d in sorted(dates, key=lambda d: (d in closed, d)):
        if d < first or usable(d):
            continue
        out.remove(d)
        if need is not None and d in closed and sum(1 for x in out if x >= first) >= need:
            continue  # not owed (a cancelled visit): dropped, not moved
        week0 = h.start + timedelta(days=7 * h.week_of(d))
        week = [week0 + timedelta(days=j) for j in range(7)]
        got = None
        for c in sorted(week, key=lambda c: (abs((c - d).days), c)):
            if c == d or c in out or not usable(c) or (
                    allowed is not None and c.weekday() not in allowed):
                continue
            before = [x for x in out if x < c]
            after = [x for x in out if x > c]
            if before and _working_days(problem, rep, before[-1], c) < step:
                continue
            if after and _working_days(problem, rep, c, after[0]) < step:
                continue
            got = c
            break
        if got is None:
            skipped += 1
        else:
            out.append(got)
            out.sort()
    return out, skipped


def _short_patterns(problem: Problem, outlet: Outlet, free: list[date], need: int,
                    index: dict[date, int]) -> list[tuple[int, ...]]:
    """Patterns with fewer visits than ``need``, for an interval or monthly rule
    that no full pattern meets: as many visits as still fit the rule (an interval
    range between them, each month at most its share), the rest left unscheduled
    with their reason (:func:`short_pattern_message`)."""
    rule = outlet.rule
    chosen: list[list[date]] = []
    if rule.interval is not None:
        for v in range(need - 1, 0, -1):
            chosen = interval_dates(problem, outlet, free, v, repeat=False)
            if chosen:
                break
    else:
        chosen = monthly_dates(problem, outlet, free, short=True)
    out: list[tuple[int, ...]] = []
    for dates in chosen:
        pat = tuple(sorted(index[d] for d in dates))
        if pat and len(pat) < need and pat not in out:
            out.append(pat)
    return out


def _with_appointments(dates: list[date], outlet: Outlet) -> list[date]:
    """Replace the line's visit closest to each appointment by the appointment.

    A further appointment on a date already fixed is a visit of its own
    (:func:`same_day_appointments`): it takes the line's nearest free visit
    out instead.
    """
    if not outlet.appointments:
        return dates
    dates = list(dates)
    fixed: set[date] = set()
    for a in sorted(outlet.appointments, key=lambda a: a.date):
        free = [d for d in dates if d not in fixed]
        nearest = min(free, key=lambda d: (abs((d - a.date).days), d)) if free else None
        if a.date in fixed:  # made apart: it replaces the nearest visit left
            if nearest is not None:
                dates.remove(nearest)
            continue
        if a.date in dates:
            fixed.add(a.date)
            continue
        if nearest is None:
            dates.append(a.date)
        else:
            dates[dates.index(nearest)] = a.date
        fixed.add(a.date)
    return sorted(dates)


def interval_dates(problem: Problem, outlet: Outlet, free: list[date], visits: int, *,
                   repeat: bool = True) -> list[list[date]]:
    """Candidate dates of an interval rule (``every 10-14d``): ``visits`` of the
    ``free`` dates with ``least`` to ``most`` calendar days between consecutive ones.

    Over a whole horizon whose length allows it
    (:meth:`~routeopt.problem.VisitRule.cyclic_visits`), the gap from the last
    visit around to the first one of the next horizon counts too, so that the
    plan repeats; under a sub-horizon (:attr:`Problem.plan_from
    <routeopt.problem.Problem.plan_from>`) or with an explicit
    ``VisitRule.visits`` it does not. The first visit falls within ``most``
    days of the first date planned, or ``least`` to ``most`` days after
    ``VisitRule.last_visit`` when that is known. The next date is tried nearest the even
    schedule first (the horizon over the visits when it repeats, else the middle
    of the range), whole weeks first on a tie (the same weekday: a route line
    where the pace allows one); each first date gets an equal share of
    :data:`MAX_PATTERNS`, and the search stops after :data:`MAX_CHAIN_STEPS`
    steps.

    Examples
    --------
    >>> from routeopt.problem import Horizon, Outlet, Problem, Rep, VisitRule
    >>> o = Outlet("P", 43.7, 7.4, VisitRule(interval=(10, 14)))
    >>> p = Problem([o], [Rep("R", 43.7, 7.4)], Horizon(date(2026, 11, 30), weeks=4))
    >>> [[d.isoformat() for d in c] for c in interval_dates(p, o, list(p.planning_days), 2)][:2]
    [['2026-11-30', '2026-12-14'], ['2026-12-01', '2026-12-15']]
    """
    rule = outlet.rule
    assert rule.interval is not None
    least, most = rule.interval
    origin = problem.plan_from or problem.horizon.start
    span = (problem.horizon.end - origin).days + 1
    cyclic = (repeat and problem.plan_from is None and rule.visits is None
              and rule.cyclic_visits(span) is not None)
    pos = [(d - origin).days for d in free]
    at = set(pos)
    if rule.last_visit is not None:  # the first visit, the interval after the last one
        after = (rule.last_visit - origin).days
        pos0 = [x for x in pos if least <= x - after <= most]
    else:
        pos0 = [x for x in pos if x < most]
    gaps = range(least, most + 1)
    # the even pace: the horizon over the visits when it repeats, else the middle of the range
    pace = Fraction(span, visits) if cyclic else Fraction(least + most, 2)
    pace = min(max(pace, Fraction(least)), Fraction(most))
    num, den = pace.numerator, pace.denominator
    order: dict[int, list[int]] = {}
    starts = pos0
    cap = max(1, MAX_PATTERNS // max(1, len(starts)))
    out: list[list[date]] = []
    steps = MAX_CHAIN_STEPS
    for s0 in starts:
        last_hi = min(span - 1, s0 + span - least) if cyclic else span - 1
        last_lo = s0 + span - most if cyclic else 0
        chain, tried, found = [s0], [0], 0
        while chain and found < cap and steps > 0:
            steps -= 1
            if len(chain) == visits:
                if not cyclic or least <= chain[0] + span - chain[-1] <= most:
                    out.append([origin + timedelta(days=x) for x in chain])
                    found += 1
                chain.pop()
                tried.pop()
                continue
            rest = visits - len(chain) - 1  # visits after the next one
            if tried[-1] == 0:  # the gaps in order of the even schedule's next date
                target = s0 * den + len(chain) * num  # in 1/den days: integers, fast
                here = chain[-1] * den
                order[len(chain)] = sorted(gaps, key=lambda g: (
                    abs(here + g * den - target), g % 7 != 0, g))
            k = tried[-1]
            steps_here = order[len(chain)]
            while k < len(steps_here):
                nxt = chain[-1] + steps_here[k]
                k += 1
                if (nxt in at and nxt + rest * least <= last_hi
                        and nxt + rest * most >= last_lo):
                    break
            else:
                nxt = -1
            tried[-1] = k
            if nxt < 0:
                chain.pop()
                tried.pop()
            else:
                chain.append(nxt)
                tried.append(0)
    return out


def monthly_dates(problem: Problem, outlet: Outlet, free: list[date], *,
                  short: bool = False) -> list[list[date]]:
    """Candidate dates of ``N/month``: each calendar month's share of visits
    (:func:`~routeopt.problem.month_shares`), spread ``month_days / N`` apart.

    A pattern lays a grid of ``month_days / N`` days on each month's part of
    the horizon from an offset (one pattern per offset, from 0 to the step,
    the same in every month), and moves each point of the grid to the nearest
    ``free`` date of its month within half a step (the earlier on a tie).
    Consecutive visits, across months too, stay at least half a step apart.
    So ``4/month`` has about 8 patterns and ``1/month`` about 31. With
    ``short``, a month whose share does not fit gives as many visits as do
    (none, if none), spread over the month.

    Examples
    --------
    >>> from routeopt.problem import Horizon, Outlet, Problem, Rep, VisitRule
    >>> o = Outlet("P", 43.7, 7.4, VisitRule(per_month=2))
    >>> p = Problem([o], [Rep("R", 43.7, 7.4)], Horizon(date(2026, 12, 7), weeks=4))
    >>> [[d.isoformat() for d in c] for c in monthly_dates(p, o, list(p.planning_days))][:2]
    [['2026-12-07', '2026-12-23'], ['2026-12-08', '2026-12-24']]
    """
    from routeopt.problem import month_shares

    rule = outlet.rule
    assert rule.per_month is not None
    n = rule.per_month
    h = problem.horizon
    ok = set(free)
    months = []
    widest = Fraction(1)
    for a, b, k in month_shares(h.start, h.end, n):
        nxt = date(a.year + a.month // 12, a.month % 12 + 1, 1)
        step = Fraction((nxt - date(a.year, a.month, 1)).days, n)
        widest = max(widest, step)
        months.append((a, b, k, step))
    out: list[list[date]] = []
    seen: set[tuple[date, ...]] = set()
    for o in range(math.ceil(widest)):
        dates: list[date] = []
        for a, b, k, step in months:
            chunk = _grid(a, b, k, step, o, ok)
            if chunk is None and short:  # the visits of this month that still fit
                chunk = next((c for j in range(k - 1, 0, -1)
                              if (c := _grid(a, b, j, step * k / j, o, ok)) is not None), [])
            if chunk is None:
                break
            dates += chunk
        else:
            least = max(1, math.floor(min(m[3] for m in months) / 2))
            key = tuple(dates)
            if key not in seen and all((y - x).days >= least
                                       for x, y in itertools.pairwise(dates)):
                seen.add(key)
                out.append(dates)
    return out


def _grid(a: date, b: date, k: int, step: Fraction, offset: int, ok: set[date]
          ) -> list[date] | None:
    """``k`` dates of ``ok`` in ``a..b``, near ``a + offset + i * step``; ``None``
    when a point has no date of ``ok`` within half a step."""
    reach = max(1, math.floor(step / 2))
    out: list[date] = []
    for i in range(k):
        t = a + timedelta(days=offset + math.floor(i * step + Fraction(1, 2)))
        got = None
        for delta in sorted(range(-reach, reach + 1), key=lambda x: (abs(x), x)):
            d = t + timedelta(days=delta)
            if a <= d <= b and d in ok and d not in out and (not out or d > out[-1]):
                got = d
                break
        if got is None:
            return None
        out.append(got)
    return out


def no_pattern_message(problem: Problem, outlet: Outlet) -> str | None:
    """Why an interval or monthly rule found no pattern, for ``unscheduled.csv``;
    ``None`` for the other rules (the generic ``no_pattern`` message).

    >>> from routeopt.problem import Horizon, Outlet, Problem, Rep, VisitRule
    >>> o = Outlet("P", 43.7, 7.4, VisitRule(interval=(10, 14)))
    >>> p = Problem([o], [Rep("R", 43.7, 7.4)], Horizon(date(2026, 11, 30), weeks=4))
    >>> print(no_pattern_message(p, o).split(" fit ")[0])
    every 10-14d: no 2 planning days with 10 to 14 days between consecutive visits (and from the \
last visit around to the first, as the 28-day horizon repeats)
    """
    rule = outlet.rule
    if rule.patterns is not None or rule.lines:
        return None
    visits = problem.regular_visits_of(outlet)
    if rule.interval is not None:
        least, most = rule.interval
        span = (problem.horizon.end - (problem.plan_from or problem.horizon.start)).days + 1
        around = (f" (and from the last visit around to the first, as the {span}-day horizon "
                  "repeats)" if problem.plan_from is None and rule.visits is None
                  and rule.cyclic_visits(span) is not None else "")
        return (f"{rule.describe()}: no {visits} planning days with {least} to {most} days "
                f"between consecutive visits{around} fit the calendar (holidays, closed days, "
                "allowed days, the rep's days off); widen the range or plan another horizon")
    if rule.per_month is not None:
        return (f"{rule.describe()}: no spread of its {visits} visit(s), each calendar month's "
                "share about month_days / N apart, fits the calendar (holidays, closed days, "
                "allowed days, the rep's days off); allow more days or lower the frequency")
    return None


def short_pattern_message(problem: Problem, outlet: Outlet, placed: int) -> str:
    """Why the visits a short pattern leaves out are unscheduled: the form fits only
    ``placed`` of the outlet's visits in the calendar.

    >>> from routeopt.problem import Horizon, Outlet, Problem, Rep, VisitRule
    >>> o = Outlet("P", 43.7, 7.4, VisitRule(interval=(10, 14)))
    >>> p = Problem([o], [Rep("R", 43.7, 7.4)], Horizon(date(2026, 11, 30), weeks=4))
    >>> print(short_pattern_message(p, o, 1).split(" (")[0])
    every 10-14d: only 1 of its 2 visits fit the calendar with 10 to 14 days between them
    """
    rule = outlet.rule
    need = pattern_visits(problem, outlet)
    if rule.lines:
        return (f"{rule.describe()} on a route line: a week gives a visit no usable day "
                "(holidays, closed days, allowed days, the rep's days off, the spacing to the "
                f"next visits), so only {placed} of its {need} visits fit the calendar; the "
                "visit of each such week is skipped")
    if rule.interval is not None:
        least, most = rule.interval
        how = f"with {least} to {most} days between them"
    else:
        how = "with each calendar month's share spread over its days"
    return (f"{rule.describe()}: only {placed} of its {need} visits fit the calendar {how} "
            "(holidays, closed days, allowed days, the rep's days off); the others cannot be "
            "placed in this horizon")
