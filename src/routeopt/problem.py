"""The problem: outlets, reps, a horizon of real dates, and visit rules.

Everything here is frozen and checks itself on construction. To change a
problem, make an edited copy with :meth:`Problem.replace`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from routeopt._types import Attributes, Location, TravelMatrix
from routeopt._values import Fields, invalid, is_int, is_real, parse_date, parse_number
from routeopt.calendars import (
    Calendar,
    normal_country,
    normal_subdiv,
    official_calendar,
    region_problem,
)
from routeopt.exceptions import CalendarWarning, CycleWarning, InputError, InputTypeError, Issue
from routeopt.hours import WEEKDAYS, Break, OpeningHours, TimeWindow, parse_weekdays

__all__ = [
    "MODES",
    "PRIORITY_LETTERS",
    "RESERVED_COLUMNS",
    "Appointment",
    "ExtraVisit",
    "FixedBlock",
    "Horizon",
    "Outlet",
    "Problem",
    "Rep",
    "VisitRule",
    "attribute_issues",
    "month_shares",
    "parse_frequency",
    "parse_priority",
    "parse_rule_frequency",
]

MODES: tuple[str, ...] = ("drive", "walk", "bicycle")
PRIORITY_LETTERS = {"A": 1, "B": 2, "C": 3, "D": 4}
DEFAULT_PRIORITY = 2


#: The longest visit cycle: n visits every k weeks, k at most this.
MAX_CYCLE_WEEKS = 52
#: The longest horizon, in weeks (ten years).
MAX_HORIZON_WEEKS = 520
#: The longest interval between visits, in days (``every 364d``, 52 weeks).
MAX_INTERVAL_DAYS = 7 * MAX_CYCLE_WEEKS
#: The most visits per calendar month (one a day of the shortest month).
MAX_PER_MONTH = 28

_FREQUENCY_HINT = ("write e.g. 2/week, 1/week, 1/2weeks, 1/4weeks, every 14d, every 10-14d, "
                   "4/month, or visits per week such as 0.5")
_EVERY = re.compile(r"every([0-9]+)(?:-([0-9]+))?(d|day|days|w|wk|wks|week|weeks)")
_MONTH = re.compile(r"([0-9]+)(?:x)?/(?:month|months|mo|mth)")


def parse_rule_frequency(text: str | float | int
                         ) -> tuple[Fraction, tuple[int, int] | None, int | None]:
    """Read a visit frequency in any of its forms.

    Returns ``(per_week, interval, per_month)``, the fields of a
    :class:`VisitRule`: a per-week form (:func:`parse_frequency`) gives
    ``(f, None, None)``; ``every 14d``, ``every 2w`` or ``every 10-14d`` give the
    days between consecutive visits as ``(least, most)``; ``4/month`` gives
    ``per_month=4``. ``per_week`` is then the nominal rate that
    :class:`VisitRule` derives from the interval or the monthly count.

    Spellings: ``every N`` or ``every N-M`` followed by ``d``, ``day``, ``days``
    (days) or ``w``, ``wk``, ``week``, ``weeks`` (weeks of 7 days), spaces
    anywhere, any case; ``N/month`` (also ``Nx/month``), N from 1 to 28.
    A single interval (``every 14d``) must be a whole number of weeks, which
    keeps the visit on its weekday (a route line); an interval that is not
    (``every 10d``) would move the visit to another weekday each time and meet
    the weekend, so it is written as a range (``every 9-11d``).

    Examples
    --------
    >>> parse_rule_frequency("every 14d"), parse_rule_frequency("every 10-14 days")
    ((Fraction(1, 2), (14, 14), None), (Fraction(1, 2), (10, 14), None))
    >>> parse_rule_frequency("4/month"), parse_rule_frequency("2/week")
    ((Fraction(12, 13), None, 4), (Fraction(2, 1), None, None))

    Raises
    ------
    InputError
        For a text that is none of these forms, naming the column
        ``frequency`` and the forms accepted.
    """
    if isinstance(text, str):
        s = text.strip().lower().replace(" ", "")
        m = _EVERY.fullmatch(s)
        if m:
            return _interval(text.strip(), m)
        m = _MONTH.fullmatch(s)
        if m:
            n = int(m[1])
            if not 1 <= n <= MAX_PER_MONTH:
                raise invalid(f"{text.strip()!r}: visits per month must be 1 to {MAX_PER_MONTH} "
                              "(0 for no regular visit)", column="frequency")
            return _monthly_rate(n), None, n
        if s.startswith("every") or "month" in s:
            raise invalid(f"{text.strip()!r} is not a frequency; {_FREQUENCY_HINT}",
                          column="frequency")
    return parse_frequency(text), None, None


def _interval(shown: str, m: re.Match[str]) -> tuple[Fraction, tuple[int, int], None]:
    unit = 7 if m[3].startswith("w") else 1
    least = int(m[1]) * unit
    most = int(m[2]) * unit if m[2] else least
    if least < 1 or most > MAX_INTERVAL_DAYS or least > most:
        raise invalid(f"{shown!r}: the days between visits must run from 1 to "
                      f"{MAX_INTERVAL_DAYS}, the least first (e.g. every 10-14d)",
                      column="frequency")
    if not m[2] and least % 7:
        raise invalid(f"{shown!r}: a single interval must be whole weeks (every 7d, every 14d, "
                      f"every 28d), which keep the visit on its weekday; for {least} days write "
                      f"a range of days between visits such as every {max(1, least - 1)}-"
                      f"{least + 1}d", column="frequency")
    return _interval_rate(least, most), (least, most), None


def _interval_rate(least: int, most: int) -> Fraction:
    """The nominal visits per week of an interval: one every ``most`` days (exact for
    whole weeks, ``every 14d`` is ``1/2``), at most 52 weeks in the denominator."""
    if least == most and least % 7 == 0:
        return Fraction(1, least // 7)
    return max(Fraction(7, most).limit_denominator(MAX_CYCLE_WEEKS), Fraction(1, MAX_CYCLE_WEEKS))


def _monthly_rate(n: int) -> Fraction:
    """The nominal visits per week of ``n/month``: 12 n visits in 52 weeks."""
    return Fraction(12 * n, 52)


def month_shares(first: date, last: date, per_month: int) -> list[tuple[date, date, int]]:
    """The visits ``N/month`` owes in each calendar month from ``first`` to ``last``.

    Returns one ``(from, to, visits)`` per month touched, ``from`` and ``to``
    its first and last date inside the range. A whole month owes ``N``; a
    month the range covers in part owes its share pro rata to its calendar
    days, rounded to the nearest visit (a half up), so that two horizons that
    share a month owe ``N`` between them, give or take one.

    Examples
    --------
    >>> [(a.isoformat(), b.isoformat(), n)
    ...  for a, b, n in month_shares(date(2026, 11, 30), date(2026, 12, 27), 4)]
    [('2026-11-30', '2026-11-30', 0), ('2026-12-01', '2026-12-27', 3)]
    """
    out: list[tuple[date, date, int]] = []
    d = first
    while d <= last:
        nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        month_len = (nxt - date(d.year, d.month, 1)).days
        to = min(last, nxt - timedelta(days=1))
        covered = (to - d).days + 1
        out.append((d, to, math.floor(Fraction(per_month * covered, month_len) + Fraction(1, 2))))
        d = nxt
    return out


def parse_frequency(text: str | float | int) -> Fraction:
    """Read a visit frequency as visits per week.

    Accepted: ``2/week``, ``1/week``, ``1/2weeks``, ``3/4weeks``, ``weekly``,
    ``every 2w`` and ``every 14d`` (whole weeks: the route lines of ``1/2weeks``),
    or a number of visits per week such as ``2`` or ``0.5`` (a plain decimal
    number: no ``_``, ``inf``, ``nan`` or exponent overflow). A number is read
    as ``n`` visits every ``k`` weeks with ``k`` at most 8; a positive number too
    small for one visit in 8 weeks (``0.0001``) is an error, not 0 visits.

    Examples
    --------
    >>> parse_frequency("2/week"), parse_frequency("1/2weeks"), parse_frequency(0.25)
    (Fraction(2, 1), Fraction(1, 2), Fraction(1, 4))

    Raises
    ------
    InputError
        For a text that is not a frequency, or a number that is not ``n``
        visits every ``k`` weeks.
    """
    hint = _FREQUENCY_HINT
    if isinstance(text, bool) or not (isinstance(text, str) or is_real(text)):
        raise InputTypeError([Issue(f"{text!r} ({type(text).__name__}) is not a frequency; "
                                    f"{hint}", column="frequency")])
    if not isinstance(text, str):
        return _per_week(float(text), repr(text), hint)
    s = text.strip().lower().replace(" ", "")
    every = _EVERY.fullmatch(s)
    if every and not every[2]:
        rate, (least, _), _ = _interval(text.strip(), every)
        if least % 7 == 0:
            return rate
    if every or _MONTH.fullmatch(s):
        raise invalid(f"{text.strip()!r} is not a number of visits per week; read it with "
                      "parse_rule_frequency or VisitRule.parse", column="frequency")
    named = {"weekly": Fraction(1), "biweekly": Fraction(1, 2), "fortnightly": Fraction(1, 2)}
    if s in named:
        return named[s]
    m = re.fullmatch(r"([0-9]+)(?:x)?/([0-9]*)(?:w|wk|wks|week|weeks)", s)
    if m:
        per = int(m[2]) if m[2] else 1
        if not 1 <= per <= MAX_CYCLE_WEEKS:
            raise invalid(f"{text!r}: the number of weeks must be 1 to {MAX_CYCLE_WEEKS}; "
                          f"{hint}", column="frequency")
        return Fraction(int(m[1]), per)
    try:
        value = parse_number(s)
    except InputError:
        raise invalid(f"{text!r} is not a frequency; {hint}", column="frequency") from None
    return _per_week(value, repr(text.strip()), hint)


def _per_week(value: float, shown: str, hint: str) -> Fraction:
    """A number of visits per week as n visits every k <= 8 weeks."""
    if not math.isfinite(value) or value < 0:
        raise invalid(f"{shown} is not a frequency; {hint}", column="frequency")
    if value == 0:
        return Fraction(0)
    f = Fraction(value).limit_denominator(8)
    if f == 0:
        raise invalid(f"{shown} visits per week is less than one visit in 8 weeks, which "
                      "would give no visit at all; write 1/8weeks for the least frequent "
                      "numeric rule, n/kweeks (k up to 52) for rarer ones, or 0 for none",
                      column="frequency")
    if abs(float(f) - value) > 0.02 * value:
        raise invalid(f"{shown} visits per week is not n visits every k weeks (k <= 8); "
                      f"{hint}", column="frequency")
    return f


def parse_priority(value: str | int | None) -> int:
    """Read a priority: ``A``/``B``/``C`` (A highest) or an integer 1-9 (1 highest).

    ``A, B, C, D`` are the priorities 1, 2, 3, 4; a missing value is ``B`` (2).

    >>> parse_priority("A"), parse_priority(7), parse_priority(None)
    (1, 7, 2)
    """
    hint = "use A, B, C (A highest) or 1-9 (1 highest)"
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_PRIORITY
    if isinstance(value, str):
        v = value.strip().upper()
        if v in PRIORITY_LETTERS:
            return PRIORITY_LETTERS[v]
        try:
            num = parse_number(v)
        except InputError:
            raise invalid(f"{value!r} is not a priority; {hint}", column="priority") from None
    elif is_real(value):
        num = float(value)
    else:
        raise InputTypeError([Issue(f"{value!r} ({type(value).__name__}) is not a priority; "
                                    f"{hint}", column="priority")])
    if not math.isfinite(num) or num != int(num) or not 1 <= num <= 9:
        raise invalid(f"{value!r} is not a priority; {hint}", column="priority")
    return int(num)


@dataclass(frozen=True, slots=True)
class Appointment:
    """A visit fixed on ``date``, starting inside ``window``.

    An appointment counts as one of the outlet's visits; on its date the
    appointment window replaces the opening hours. With ``rep_id`` it is a
    *pinned* visit: that rep makes it (re-planning pins the visits of frozen
    days this way, with a window of one instant so that they keep their time).
    """

    date: date
    window: TimeWindow
    rep_id: str | None = None

    def __post_init__(self) -> None:
        f = Fields(self)
        f.day("date")
        f.instance("window", TimeWindow, "a TimeWindow (the start window)")
        f.text("rep_id", "a rep id (a str)", optional=True)
        f.done()

    @classmethod
    def parse(cls, text: str) -> Appointment:
        """Read ``YYYY-MM-DD HH:MM`` or ``YYYY-MM-DD HH:MM-HH:MM``.

        >>> a = Appointment.parse("2026-03-21 10:00")
        >>> a.date, a.window
        (datetime.date(2026, 3, 21), TimeWindow(start=36000, end=36000))
        """
        from routeopt.hours import parse_time, parse_window

        parts = text.strip().split(maxsplit=1)
        if len(parts) == 2:
            parts[1] = parts[1].replace(" ", "")
        if len(parts) != 2:
            raise invalid(
                f"{text!r} is not an appointment; write YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM-HH:MM"
            )
        day = parse_date(parts[0])
        if "-" in parts[1]:
            return cls(day, parse_window(parts[1]))
        t = parse_time(parts[1])
        return cls(day, TimeWindow(t, t))


@dataclass(frozen=True, slots=True)
class VisitRule:
    """How often and on which days an outlet is visited.

    Parameters
    ----------
    per_week
        Visits per week: 2 for twice a week, ``Fraction(1, 2)`` for every two
        weeks. Over a horizon of ``W`` weeks the outlet needs
        ``per_week * W`` visits (rounded up, with a :class:`CycleWarning`, when
        that is not a whole number).
    allowed_weekdays
        Weekdays (0 = Monday) on which a visit may happen; ``None`` = any.
    same_weekday
        Keep a fixed route line: the same weekdays in every week of the cycle.
    min_gap
        Minimum number of working days between consecutive visits. ``None``
        = ``ceil(D / f) - 1`` for ``D`` working days and ``f`` visits.
    patterns
        Explicit allowed day patterns, each a tuple of 0-based indices into
        the horizon's planning days. When given, the frequency only sets the
        number of visits and the other fields are ignored.
    visits
        The number of visits in the horizon, overriding ``per_week``.
    same_rep
        Fixed person: one rep makes every visit of the outlet (the default).
        ``False`` lets each visit go to whichever rep works that day, as in
        the periodic vehicle routing benchmarks.
    interval
        ``(least, most)``: the calendar days between consecutive visits
        (``every 10-14d`` is ``(10, 14)``, ``every 14d`` is ``(14, 14)``). A
        whole number of weeks (``(14, 14)``) keeps the route lines of
        ``1/2weeks``; any other interval chooses dates whose gaps lie in the
        range, counted around the horizon as it repeats. ``per_week`` is then
        derived: one visit every ``most`` days.
    per_month
        Visits in each calendar month (``4/month``); a month the horizon
        covers in part owes its share pro rata (:func:`month_shares`).
        ``per_week`` is then derived: ``12 * per_month / 52``.
    last_visit
        The outlet's last visit before the dates planned (a re-plan sets it
        from the previous plan and the visit log). With an ``interval``, the
        first visit planned comes ``least`` to ``most`` days after it.
    """

    per_week: Fraction = Fraction(1)
    allowed_weekdays: frozenset[int] | None = None
    same_weekday: bool = True
    min_gap: int | None = None
    patterns: tuple[tuple[int, ...], ...] | None = None
    visits: int | None = None
    same_rep: bool = True
    interval: tuple[int, int] | None = None
    per_month: int | None = None
    last_visit: date | None = None

    def __post_init__(self) -> None:
        f = Fields(self)
        given = self.per_week
        if isinstance(self.per_week, Fraction) or is_int(self.per_week):
            object.__setattr__(self, "per_week", Fraction(self.per_week))
        elif is_real(self.per_week):  # a float: read as n visits every k weeks
            try:
                object.__setattr__(self, "per_week", parse_frequency(float(self.per_week)))
            except InputError as e:
                raise invalid(f"VisitRule.per_week: {e.issues[0].message}",
                              column="frequency") from None
        else:
            f.bad("per_week", self.per_week, "visits per week: a Fraction, an int or a float "
                  "(use parse_frequency('2/week') for text)", column="frequency")
        f.items("allowed_weekdays", int, "a set of weekdays 0 (Monday) .. 6 (Sunday)",
                frozen=True, optional=True, column="allowed_days")
        f.flag("same_weekday")
        f.integer("min_gap", "working days (an int)", optional=True)
        if self.patterns is not None:
            pats = self.patterns
            if (isinstance(pats, str) or not isinstance(pats, Iterable)
                    or not all(isinstance(p, Iterable) and not isinstance(p, str)
                               and all(is_int(i) for i in p) for p in pats)):
                f.bad("patterns", pats, "day patterns: tuples of planning-day indices, or None")
            else:
                object.__setattr__(self, "patterns",
                                   tuple(tuple(int(i) for i in p) for p in pats))
        f.integer("visits", "a number of visits (an int)", optional=True)
        f.flag("same_rep")
        if self.interval is not None:
            iv = self.interval
            if (isinstance(iv, str) or not isinstance(iv, Iterable)
                    or not all(is_int(i) for i in iv) or len(tuple(iv)) != 2):
                f.bad("interval", iv, "(least, most) days between visits: two ints, or None",
                      column="frequency")
            else:
                object.__setattr__(self, "interval", tuple(int(i) for i in iv))
        f.integer("per_month", "visits per calendar month (an int)", optional=True,
                  column="frequency")
        f.day("last_visit", optional=True)
        f.done()
        self._derive_rate(given)
        what = f"VisitRule(per_week={self.describe()})"
        if self.per_week < 0:
            raise invalid(f"{what}: per_week must be >= 0", column="frequency")
        if self.per_week.denominator > MAX_CYCLE_WEEKS:
            raise invalid(f"{what}: a frequency is n visits every k weeks with k at most "
                          f"{MAX_CYCLE_WEEKS}, not {self.per_week.denominator}",
                          column="frequency")
        if self.allowed_weekdays is not None and not self.allowed_weekdays <= set(range(7)):
            raise invalid(f"VisitRule.allowed_weekdays {sorted(self.allowed_weekdays)} must be "
                          "within 0 (Monday) .. 6 (Sunday)", column="allowed_days")
        if self.min_gap is not None and self.min_gap < 0:
            raise invalid(f"VisitRule.min_gap is {self.min_gap}: it must be >= 0",
                          column="min_gap")
        if self.visits is not None and self.visits < 0:
            raise invalid(f"VisitRule.visits is {self.visits}: it must be >= 0", column="visits")

    def _derive_rate(self, given: object) -> None:
        """Check ``interval`` and ``per_month``, and set ``per_week`` to their rate."""
        if self.interval is None and self.per_month is None:
            return
        if self.interval is not None and self.per_month is not None:
            raise invalid("VisitRule: give an interval or visits per month, not both",
                          column="frequency")
        if self.interval is not None:
            least, most = self.interval
            if least < 1 or most > MAX_INTERVAL_DAYS or least > most:
                raise invalid(f"VisitRule.interval {self.interval}: the days between visits "
                              f"must run from 1 to {MAX_INTERVAL_DAYS}, the least first",
                              column="frequency")
            rate = _interval_rate(least, most)
        else:
            assert self.per_month is not None
            if not 1 <= self.per_month <= MAX_PER_MONTH:
                raise invalid(f"VisitRule.per_month is {self.per_month}: it must be 1 to "
                              f"{MAX_PER_MONTH} (per_week=0 for no regular visit)",
                              column="frequency")
            rate = _monthly_rate(self.per_month)
        if given != Fraction(1) and given != rate:  # 1 is the default: not given
            raise invalid(f"VisitRule: per_week {given} and {self.describe_form()} disagree; "
                          "leave per_week out, it follows from the interval or the monthly "
                          "count", column="frequency")
        object.__setattr__(self, "per_week", rate)

    @classmethod
    def parse(cls, frequency: str | float, allowed_days: str | None = None) -> VisitRule:
        """Build a rule from the CSV's ``frequency`` and ``allowed_days`` texts.

        Every form of :func:`parse_rule_frequency` is read.

        >>> VisitRule.parse("every 10-14d").interval, VisitRule.parse("4/month").per_month
        ((10, 14), 4)
        """
        from routeopt.hours import parse_weekdays

        allowed = parse_weekdays(allowed_days) if allowed_days and allowed_days.strip() else None
        per_week, interval, per_month = parse_rule_frequency(frequency)
        return cls(per_week=per_week, allowed_weekdays=allowed, interval=interval,
                   per_month=per_month)

    @property
    def lines(self) -> bool:
        """Whether the rule's patterns are route lines (:func:`~routeopt.patterns.weekday_lines`):
        a per-week frequency, or an interval of whole weeks, on the same weekday."""
        if self.patterns is not None or self.per_month is not None or not self.same_weekday:
            return False
        if self.interval is None:
            return True
        least, most = self.interval
        return least == most and least % 7 == 0

    def cyclic_visits(self, days: int) -> int | None:
        """The visits of an interval rule over ``days`` days when the horizon repeats.

        The whole number of visits, each gap (the one around the horizon
        included) in ``[least, most]`` days, whose mean gap is nearest the
        middle of the range (the fewer on a tie); ``None`` when no number of
        visits can repeat, e.g. ``every 10-14d`` over 7 days.

        Examples
        --------
        >>> [VisitRule(interval=(10, 14)).cyclic_visits(7 * w) for w in (1, 4, 5, 6, 8)]
        [None, 2, 3, 3, 5]
        """
        assert self.interval is not None
        least, most = self.interval
        lo, hi = -(-days // most), days // least
        if lo > hi:
            return None
        target = Fraction(2 * days, least + most)
        return min(range(lo, hi + 1), key=lambda v: (abs(v - target), v))

    def required_visits(self, weeks: int, start: date | None = None) -> int:
        """Visits needed over ``weeks`` weeks (explicit ``visits`` first).

        ``N/month`` counts the calendar months of the ``weeks`` weeks from
        ``start`` (:func:`month_shares`), which it needs; an interval rule
        gives :meth:`cyclic_visits`, or one visit every ``most`` days (rounded
        up) when the range cannot repeat over the horizon.
        """
        if self.visits is not None:
            return self.visits
        if self.patterns:
            return len(self.patterns[0])
        if self.per_month is not None:
            if start is None:
                raise ValueError("N/month counts calendar months: give the horizon's start")
            end = start + timedelta(days=7 * weeks - 1)
            return sum(n for _, _, n in month_shares(start, end, self.per_month))
        if self.interval is not None and not self.lines:
            got = self.cyclic_visits(7 * weeks)
            return got if got is not None else -(-7 * weeks // self.interval[1])
        return math.ceil(self.per_week * weeks)

    def describe_form(self) -> str:
        """The interval or monthly form alone (``every 10-14d``, ``4/month``), else ``""``."""
        if self.per_month is not None:
            return f"{self.per_month}/month"
        if self.interval is not None:
            least, most = self.interval
            return f"every {least}d" if least == most else f"every {least}-{most}d"
        return ""

    def describe(self) -> str:
        """The frequency as the CSV writes it, e.g. ``1/2weeks`` or ``every 10-14d``."""
        form = self.describe_form()
        if form:
            return form
        f = self.per_week
        if f.denominator == 1:
            return f"{f.numerator}/week"
        return f"{f.numerator}/{f.denominator}weeks"


@dataclass(frozen=True, slots=True)
class ExtraVisit:
    """A one-off visit of an outlet, due between two dates, on top of its rule.

    Follow-ups (answer an objection, confirm an order), make-ups for missed
    visits and development visits. It does not count toward the frequency and
    is not bound to the outlet's route line; it is scheduled on one planning
    day from ``earliest`` to ``latest`` (both included), or reported
    unscheduled.

    Parameters
    ----------
    earliest, latest
        The due window, dates included.
    priority
        Its own priority (1 highest), e.g. raised for an overdue visit;
        ``None``: the outlet's.
    rep_id
        The rep who must make it; ``None``: any rep allowed for the outlet.
    window
        A start window that replaces the opening hours (a fixed time), or
        ``None`` for the opening hours.
    label
        What it is (``follow_up``, ``makeup``...): carried into the plan's
        stops (:attr:`Stop.label <routeopt.plan.Stop.label>`).

    Examples
    --------
    >>> ExtraVisit(date(2026, 12, 1), date(2026, 12, 3), label="follow_up").label
    'follow_up'
    """

    earliest: date
    latest: date
    priority: int | None = None
    rep_id: str | None = None
    window: TimeWindow | None = None
    label: str = "extra"

    def __post_init__(self) -> None:
        f = Fields(self)
        f.day("earliest")
        f.day("latest")
        f.integer("priority", "a priority 1 (highest) to 9 (an int)", optional=True)
        f.text("rep_id", "a rep id (a str)", optional=True)
        f.instance("window", TimeWindow, "a TimeWindow (a start window)", optional=True)
        f.text("label")
        f.done()
        if self.latest < self.earliest:
            raise invalid(f"an extra visit due {self.earliest}..{self.latest} ends before "
                          "it starts", column="latest")
        if self.priority is not None and not 1 <= self.priority <= 9:
            raise invalid(f"ExtraVisit.priority {self.priority} is out of range; use 1 "
                          "(highest) to 9", column="priority")
        if not self.label:
            raise invalid("give an extra visit a label, e.g. 'follow_up'", column="label")


#: Column names an outlet's :attr:`~Outlet.attributes` may not take (compared without
#: regard to case): the columns routeopt reads from ``outlets.csv`` and those it writes to
#: ``visits.csv``, ``unscheduled.csv`` and the plan folder's ``outlets.csv``, where the
#: attributes follow its own.
RESERVED_COLUMNS: frozenset[str] = frozenset({
    # read from outlets.csv
    "outlet_id", "lat", "lon", "frequency", "name", "address", "priority", "service_min",
    "opening_hours", "rep_id", "allowed_days", "appointment", "demand", "crs", "preferred_time",
    # written to visits.csv, unscheduled.csv and the plan folder's outlets.csv
    "date", "weekday", "seq", "arrival", "start", "end", "wait_s", "travel_s", "distance_m",
    "label", "reason", "message",
})


def attribute_issues(attributes: Mapping[str, str], *, outlet_id: str | None = None,
                     file: str | None = None, line: int | None = None) -> list[Issue]:
    """The problems with the names of an outlet's extra columns (empty: none)."""
    issues = []
    for key in attributes:
        if not key.strip():
            issues.append(Issue("an extra column has no name; name it, or delete the column",
                                file=file, line=line, column=key, outlet_id=outlet_id))
        elif key.strip().lower() in RESERVED_COLUMNS:
            issues.append(Issue(
                f"the extra column {key!r} has the name of one of routeopt's own columns "
                f"({key.strip().lower()!r}), which the plan's files would hold twice; rename "
                f"it (e.g. 'crm_{key.strip().lower()}') or leave it out", file=file, line=line,
                column=key, outlet_id=outlet_id))
    return issues


@dataclass(frozen=True, slots=True)
class Outlet:
    """A place a rep visits.

    Parameters
    ----------
    id
        The user's own id (from their CRM); every output carries it.
    lat, lon
        WGS-84 degrees.
    rule
        The visit frequency and day rules.
    service
        On-site visit time, seconds.
    priority
        1 (key account, last to slip) to 9 (first to drop).
    hours
        Opening hours; a visit starts and ends inside one opening window.
    appointments
        Fixed visits (date and start window); each counts toward the frequency.
    rep_id
        A fixed rep, or ``None`` to let the solver choose one.
    demand
        Units carried per visit, against the rep's ``capacity``.
    extra_visits
        One-off visits on top of the rule, each due in a window of dates.
    preferred_time
        The time of day (seconds since midnight) the outlet likes its visits
        to start, ``None`` = no preference. Soft: with steady visit times on
        (``SolveParams.steady_weight``), each minute a visit starts away from
        it is priced like a minute of start spread.
    attributes
        The outlet's own extra fields (phone, contact, class, CRM fields), as
        text, in order: the columns of ``outlets.csv`` routeopt does not use.
        The solver ignores them; every output carries them unchanged, after
        routeopt's own columns. Stored as a read-only mapping. A name may not
        be one of routeopt's own columns (:data:`RESERVED_COLUMNS`, compared
        without regard to case), which the outputs would then hold twice.

    Examples
    --------
    >>> o = Outlet("MC-0001", 43.73, 7.42, attributes={"phone": "+377 93 15 00 00"})
    >>> o.attributes["phone"], hash(o) == hash(Outlet("MC-0001", 43.73, 7.42,
    ...                                               attributes={"phone": "+377 93 15 00 00"}))
    ('+377 93 15 00 00', True)
    """

    id: str
    lat: float
    lon: float
    rule: VisitRule = field(default_factory=VisitRule)
    name: str = ""
    address: str = ""
    service: int = 900
    priority: int = DEFAULT_PRIORITY
    hours: OpeningHours = field(default_factory=OpeningHours)
    appointments: tuple[Appointment, ...] = ()
    rep_id: str | None = None
    demand: int = 0
    extra_visits: tuple[ExtraVisit, ...] = ()
    preferred_time: int | None = None
    attributes: Mapping[str, str] = field(default_factory=Attributes)

    def __post_init__(self) -> None:
        f = Fields(self, outlet_id=self.id)
        f.text("id", "the outlet's id (a str)", column="outlet_id")
        f.real("lat", "WGS-84 degrees (a number)")
        f.real("lon", "WGS-84 degrees (a number)")
        f.instance("rule", VisitRule, "a VisitRule", column="frequency")
        f.text("name")
        f.text("address")
        f.integer("service", "seconds on site (an int)", column="service_min")
        f.integer("priority", "1 (highest) to 9, an int (parse_priority('A') reads letters)")
        f.instance("hours", OpeningHours, "an OpeningHours (OpeningHours.parse('Mo-Fr "
                   "08:00-18:00') reads text)", column="opening_hours")
        f.items("appointments", Appointment, "a tuple of Appointments", column="appointment")
        f.text("rep_id", "a rep id (a str)", optional=True)
        f.integer("demand", "units per visit (an int)")
        f.items("extra_visits", ExtraVisit, "a tuple of ExtraVisits")
        f.integer("preferred_time", "seconds since midnight (an int; parse_time('10:00') "
                  "reads text)", optional=True)
        f.text_mapping("attributes", Attributes, "a mapping of column name to text (str to str)")
        f.done()
        issues = _check_point(self.lat, self.lon, outlet_id=self.id)
        issues += attribute_issues(self.attributes, outlet_id=self.id)
        if not self.id.strip():
            issues.append(Issue("outlet id is empty; give every outlet a unique id",
                                column="outlet_id"))
        if not 1 <= self.priority <= 9:
            issues.append(Issue(
                f"priority {self.priority} is out of range; use 1 (highest) to 9",
                outlet_id=self.id, column="priority"))
        if self.service < 0:
            issues.append(Issue(
                "service time is negative; give the visit minutes (>= 0)",
                outlet_id=self.id, column="service_min"))
        if self.demand < 0:
            issues.append(Issue("demand is negative", outlet_id=self.id, column="demand"))
        if self.preferred_time is not None and not 0 <= self.preferred_time < 86400:
            issues.append(Issue(
                f"preferred_time {self.preferred_time} s is not a time of day; give e.g. 10:00",
                outlet_id=self.id, column="preferred_time"))
        if issues:
            raise InputError(issues)

    @property
    def location(self) -> Location:
        """The outlet's point."""
        return Location(self.lat, self.lon)


@dataclass(frozen=True, slots=True)
class FixedBlock:
    """Recurring time of a rep with no visits inside (admin, office, training).

    Parameters
    ----------
    window
        The time of day it covers; a visit may end at its start and start at
        its end. Travel and waiting may fall inside it.
    weekdays
        The weekdays it recurs on (0 = Monday); ``None``: every working day.

    Examples
    --------
    >>> [str(b) for b in FixedBlock.parse_list("Fr 14:00-17:30; 16:30-17:30")]
    ['Fr 14:00-17:30', '16:30-17:30']
    """

    window: TimeWindow
    weekdays: frozenset[int] | None = None

    def __post_init__(self) -> None:
        f = Fields(self)
        f.instance("window", TimeWindow, "a TimeWindow (TimeWindow.parse('16:30-17:30') reads "
                   "text)", column="blocks")
        f.items("weekdays", int, "a set of weekdays 0 (Monday) .. 6 (Sunday), or None",
                frozen=True, optional=True, column="blocks")
        f.done()
        if self.weekdays is not None and not all(0 <= d <= 6 for d in self.weekdays):
            raise invalid(f"FixedBlock.weekdays {sorted(self.weekdays)} must be weekdays 0 "
                          "(Monday) .. 6 (Sunday)", column="blocks")

    def on(self, weekday: int) -> bool:
        """Whether the block recurs on ``weekday``."""
        return self.weekdays is None or weekday in self.weekdays

    def __str__(self) -> str:
        if self.weekdays is None:
            return str(self.window)
        days = ",".join(WEEKDAYS[d] for d in sorted(self.weekdays))
        return f"{days} {self.window}"

    @classmethod
    def parse_list(cls, text: str) -> tuple[FixedBlock, ...]:
        """Read blocks separated by ``;``, each an optional weekday list and one or
        more windows: ``Fr 14:00-17:30; 16:30-17:30`` (Friday afternoons, and
        16:30-17:30 every day); ``Mo,We 08:30-09:30,16:00-17:00``."""
        out: list[FixedBlock] = []
        for part in text.split(";"):
            item = part.strip()
            if not item:
                continue
            m = re.fullmatch(r"(?:(?P<days>[A-Za-z][A-Za-z ,\-]*?)\s+)?(?P<wins>\d.*)", item)
            if m is None:
                raise invalid(f"{item!r} is not a block; write it like 'Fr 14:00-17:30' or "
                              "'16:30-17:30', blocks separated by ';'", column="blocks")
            days = parse_weekdays(m["days"]) if m["days"] else None
            for w in m["wins"].split(","):
                out.append(cls(TimeWindow.parse(w.strip()), days))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Rep:
    """A sales rep: where the day starts and ends, when and how they work.

    Parameters
    ----------
    id
        The user's own id.
    lat, lon
        Start of every working day (home or office).
    end_lat, end_lon
        End of the day, when different from the start.
    shift
        Working hours, e.g. ``TimeWindow.parse("08:30-17:30")``.
    working_days
        Weekdays worked (0 = Monday).
    lunch
        A break taken between visits, within its window.
    max_visits
        Visits per day at most.
    mode
        Travel mode: ``drive``, ``walk`` or ``bicycle``.
    capacity
        Units a route can carry (sum of outlet demands), ``None`` = no limit.
    days_off
        Dates this rep does not work (leave, training).
    max_drive
        Seconds of travel per day at most (every trip of the route, the way
        out and back included), ``None`` = no limit.
    blocks
        Recurring times with no visits inside (:class:`FixedBlock`), each
        inside the shift.
    min_visits
        Visits per working day at least, ``None`` = no floor. A soft rule:
        each visit short on a working day (a day without a route included)
        costs about an hour of travel (``Tuning.min_visits_price``), so the
        search fills every day up to it when the rep's outlets allow, and
        never leaves a visit out for it.
    target_day
        Working time per day (service plus travel, seconds) that balanced days
        aim at (``SolveParams.balance_weight``), ``None`` = the mean over the
        rep's working days.
    country, subdiv
        The official calendar this rep works by, when it is not the
        horizon's (:class:`Horizon`): ``country`` an ISO 3166-1 code such as
        ``"ES"``, ``subdiv`` one of its subdivisions (``"CT"``). ``subdiv``
        alone is a region of the horizon's country. ``None``: the horizon's.
    """

    id: str
    lat: float
    lon: float
    end_lat: float | None = None
    end_lon: float | None = None
    name: str = ""
    shift: TimeWindow = field(default_factory=lambda: TimeWindow(8 * 3600 + 1800, 17 * 3600 + 1800))
    working_days: frozenset[int] = frozenset(range(5))
    lunch: Break | None = None
    max_visits: int | None = None
    mode: str = "drive"
    capacity: int | None = None
    days_off: frozenset[date] = frozenset()
    max_drive: int | None = None
    blocks: tuple[FixedBlock, ...] = ()
    min_visits: int | None = None
    target_day: int | None = None
    country: str | None = None
    subdiv: str | None = None

    def __post_init__(self) -> None:
        f = Fields(self, rep_id=self.id)
        f.text("id", "the rep's id (a str)", column="rep_id")
        f.real("lat", "WGS-84 degrees (a number)")
        f.real("lon", "WGS-84 degrees (a number)")
        f.real("end_lat", "WGS-84 degrees (a number)", optional=True)
        f.real("end_lon", "WGS-84 degrees (a number)", optional=True)
        f.text("name")
        f.instance("shift", TimeWindow, "a TimeWindow (TimeWindow.parse('08:30-17:30') reads "
                   "text)")
        f.items("working_days", int, "a set of weekdays 0 (Monday) .. 6 (Sunday) "
                "(parse_weekdays('Mo-Fr') reads text)", frozen=True)
        f.instance("lunch", Break, "a Break (Break.parse('12:00-14:00/45') reads text)",
                   optional=True, column="break")
        f.integer("max_visits", "visits per day (an int)", optional=True)
        f.text("mode", f"a travel mode ({', '.join(MODES)})")
        f.integer("capacity", "units per route (an int)", optional=True)
        f.items("days_off", date, "a set of datetime.date", frozen=True)
        f.integer("max_drive", "seconds of driving per day (an int)", optional=True)
        f.items("blocks", FixedBlock, "a tuple of FixedBlock (FixedBlock.parse_list("
                "'Fr 14:00-17:30; 16:30-17:30') reads text)")
        f.integer("min_visits", "visits per day (an int)", optional=True)
        f.integer("target_day", "seconds of work per day (an int)", optional=True)
        f.text("country", "an ISO 3166-1 country code (a str)", optional=True)
        f.text("subdiv", "a subdivision code (a str)", optional=True)
        f.done()
        issues = _check_point(self.lat, self.lon, rep_id=self.id)
        issues += _normal_region(self, rep_id=self.id, country_needed=False)
        if (self.end_lat is None) != (self.end_lon is None):
            issues.append(Issue("give both end_lat and end_lon, or neither", rep_id=self.id,
                                column="end_lat"))
        elif self.end_lat is not None and self.end_lon is not None:
            issues += _check_point(self.end_lat, self.end_lon, rep_id=self.id, prefix="end_")
        if not self.id.strip():
            issues.append(Issue("rep id is empty; give every rep a unique id", column="rep_id"))
        if not self.working_days <= set(range(7)):
            issues.append(Issue(
                f"working_days {sorted(self.working_days)} must be within 0 (Monday) .. 6 "
                "(Sunday)", rep_id=self.id, column="working_days"))
        elif not self.working_days:
            issues.append(Issue(
                "this rep has no working days; set working_days, e.g. Mo-Fr",
                rep_id=self.id, column="working_days"))
        if self.mode not in MODES:
            issues.append(Issue(f"unknown travel mode {self.mode!r}; use one of {', '.join(MODES)}",
                                rep_id=self.id, column="mode"))
        if self.max_visits is not None and self.max_visits < 1:
            issues.append(Issue("max_visits must be at least 1 (or empty for no limit)",
                                rep_id=self.id, column="max_visits"))
        if self.capacity is not None and self.capacity < 0:
            issues.append(Issue("capacity must be >= 0", rep_id=self.id, column="capacity"))
        if self.max_drive is not None and self.max_drive < 0:
            issues.append(Issue(
                f"max_drive must be >= 0 seconds, not {self.max_drive}; give the driving time "
                "per day (or leave it empty for no limit)", rep_id=self.id, column="max_drive"))
        for b in self.blocks:
            if not (self.shift.start <= b.window.start and b.window.end <= self.shift.end):
                issues.append(Issue(
                    f"the block {b} is not inside the shift {self.shift}; move it inside "
                    "the shift or drop it", rep_id=self.id, column="blocks"))
        if self.min_visits is not None and self.min_visits < 0:
            issues.append(Issue(
                f"min_visits must be >= 0, not {self.min_visits} (or empty for no floor)",
                rep_id=self.id, column="min_visits"))
        elif (self.min_visits is not None and self.max_visits is not None
              and self.min_visits > self.max_visits):
            issues.append(Issue(
                f"min_visits {self.min_visits} is more than max_visits {self.max_visits}; "
                "lower min_visits or raise max_visits", rep_id=self.id, column="min_visits"))
        if self.target_day is not None and not (
                0 < self.target_day <= self.shift.end - self.shift.start):
            issues.append(Issue(
                f"target_day must be more than 0 and at most the shift ({self.shift}), not "
                f"{self.target_day} s; give the working time per day", rep_id=self.id,
                column="target_day"))
        if self.lunch is not None and not (
            self.shift.start <= self.lunch.window.start and self.lunch.window.end <= self.shift.end
        ):
            issues.append(Issue(
                f"the break window {self.lunch.window} is not inside the shift {self.shift}",
                rep_id=self.id, column="break"))
        elif self.lunch is not None and self.lunch.duration >= self.shift.duration:
            issues.append(Issue(
                f"the break {self.lunch} fills the whole shift {self.shift}, which leaves no "
                "time for a visit; shorten the break or lengthen the shift",
                rep_id=self.id, column="break"))
        if issues:
            raise InputError(issues)

    @property
    def start(self) -> Location:
        """Where each working day starts."""
        return Location(self.lat, self.lon)

    @property
    def end(self) -> Location:
        """Where each working day ends."""
        if self.end_lat is None or self.end_lon is None:
            return self.start
        return Location(self.end_lat, self.end_lon)

    def works_on(self, day: date) -> bool:
        """Whether this rep works on ``day`` (holidays aside)."""
        return day.weekday() in self.working_days and day not in self.days_off


@dataclass(frozen=True, slots=True)
class Horizon:
    """The dates planned: ``weeks`` weeks of 7 days from ``start``, and their calendar.

    Planning days are the dates on which at least one rep works (see
    :meth:`Problem.works`).

    Parameters
    ----------
    start
        The first date.
    weeks
        Weeks of 7 days.
    holidays
        Dates nobody works, on top of the official calendar's.
    country, subdiv
        The official calendar (:mod:`routeopt.calendars`): ``country`` an ISO
        3166-1 code (``"MC"``, ``"CN"``), ``subdiv`` one of its subdivisions
        (``"BY"`` in ``"DE"``). Its public holidays are days off for the reps
        on it, and its make-up working days (China's weekend days worked to
        bridge a holiday) are working days for them, whatever their working
        weekdays. A rep's own ``country``/``subdiv`` overrides it.
    workdays
        Dates every rep works, whatever the calendar and the working weekdays
        say (a date may not be in ``holidays`` too). ``holidays`` and
        ``workdays`` override the calendar; a rep's ``days_off`` override all.

    Examples
    --------
    >>> h = Horizon(date(2026, 11, 30), weeks=2, holidays=frozenset({date(2026, 12, 8)}))
    >>> h.end, len(h.dates)
    (datetime.date(2026, 12, 13), 14)
    >>> h.week_of(date(2026, 12, 8))
    1
    >>> mc = Horizon(date(2026, 11, 30), weeks=4, country="mc")
    >>> mc.country, sorted(mc.calendar().days_off & set(mc.dates))
    ('MC', [datetime.date(2026, 12, 8), datetime.date(2026, 12, 25)])
    """

    start: date
    weeks: int = 1
    holidays: frozenset[date] = frozenset()
    country: str | None = None
    subdiv: str | None = None
    workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        f = Fields(self)
        f.day("start")
        f.integer("weeks", "a number of weeks (an int)")
        f.items("holidays", date, "a set of datetime.date", frozen=True)
        f.text("country", "an ISO 3166-1 country code (a str)", optional=True)
        f.text("subdiv", "a subdivision code (a str)", optional=True)
        f.items("workdays", date, "a set of datetime.date", frozen=True)
        f.done()
        issues = _normal_region(self, rep_id=None, country_needed=True)
        both = sorted(self.holidays & self.workdays)
        if both:
            issues.append(Issue(
                f"{both[0]} is both a holiday and a workday; keep it in one of the two",
                column="workdays"))
        if issues:
            raise InputError(issues)
        if self.weeks < 1:
            raise InputError([Issue(f"the horizon needs at least 1 week, not {self.weeks}",
                                    column="weeks")])
        if self.weeks > MAX_HORIZON_WEEKS:
            raise InputError([Issue(
                f"a horizon of {self.weeks} weeks is longer than {MAX_HORIZON_WEEKS} weeks (ten "
                "years); plan one visit cycle (e.g. 4 weeks) and plan again for the next",
                column="weeks")])

    @property
    def end(self) -> date:
        """The last date of the horizon."""
        return self.start + timedelta(days=7 * self.weeks - 1)

    @property
    def dates(self) -> tuple[date, ...]:
        """Every calendar date of the horizon."""
        return tuple(self.start + timedelta(days=i) for i in range(7 * self.weeks))

    def week_of(self, day: date) -> int:
        """The 0-based week of ``day`` within the horizon."""
        return (day - self.start).days // 7

    def calendar(self, country: str | None = None, subdiv: str | None = None
                 ) -> Calendar | None:
        """The official calendar of a region over the horizon's years.

        Without arguments, the horizon's own (``None`` if it has none); with a
        ``country`` (and a ``subdiv``), that region's. Uncovered years are in
        its ``gaps`` (a :class:`Problem` warns about them).
        """
        if country is None:
            country, subdiv = self.country, self.subdiv
        if country is None:
            return None
        return official_calendar(country, subdiv, tuple(range(self.start.year,
                                                                self.end.year + 1)))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _normal_region(obj: Rep | Horizon, *, rep_id: str | None, country_needed: bool
                   ) -> list[Issue]:
    """Normalise ``obj.country``/``obj.subdiv`` in place (upper case, empty -> None) and
    check them against the calendar data."""
    country = normal_country(obj.country) if obj.country and obj.country.strip() else None
    subdiv = normal_subdiv(country or "", obj.subdiv) if obj.subdiv is not None else None
    object.__setattr__(obj, "country", country)
    object.__setattr__(obj, "subdiv", subdiv)
    if country is None:
        if subdiv is not None and country_needed:
            return [Issue(f"subdiv {subdiv!r} needs a country; give country too (e.g. "
                          "country 'DE' with subdiv 'BY')", rep_id=rep_id, column="subdiv")]
        return []
    problem = region_problem(country, None)
    if problem is not None:
        return [Issue(problem, rep_id=rep_id, column="country")]
    problem = region_problem(country, subdiv)
    if problem is not None:
        return [Issue(problem, rep_id=rep_id, column="subdiv")]
    return []


def swap_would_fit(lat: float, lon: float) -> bool:
    """Whether ``(lat, lon)`` is out of range but ``(lon, lat)`` is a valid point.

    Only then do messages ask whether lat and lon are swapped: a longitude of
    200 cannot be a swapped latitude.

    >>> swap_would_fit(120.5, 30.2), swap_would_fit(43.7, 200.0), swap_would_fit(43.7, 7.4)
    (True, False, False)
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    valid = -90 <= lat <= 90 and -180 <= lon <= 180
    return not valid and -90 <= lon <= 90 and -180 <= lat <= 180


def _check_point(lat: float, lon: float, *, outlet_id: str | None = None,
                 rep_id: str | None = None, prefix: str = "") -> list[Issue]:
    issues: list[Issue] = []
    swap = swap_would_fit(lat, lon)
    for name, value, bound in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        col = prefix + name
        if not math.isfinite(value):
            issues.append(Issue(f"{value!r} is not a number; give WGS-84 degrees",
                                outlet_id=outlet_id, rep_id=rep_id, column=col))
        elif not -bound <= value <= bound:
            hint = (f"; are {prefix}lat and {prefix}lon swapped?" if swap
                    else f"; give WGS-84 {'latitude' if name == 'lat' else 'longitude'} "
                         "in degrees")
            issues.append(Issue(f"{value:g} is out of range (-{bound:g} to {bound:g}){hint}",
                                outlet_id=outlet_id, rep_id=rep_id, column=col))
    return issues


@dataclass(frozen=True, slots=True)
class Problem:
    """One planning problem, validated on construction.

    Parameters
    ----------
    outlets, reps
        What to visit and who visits.
    horizon
        The dates planned.
    matrix
        Travel times and distances between :meth:`points`, one per travel
        mode (``{"drive": TravelMatrix, ...}``), or ``None`` to compute
        great-circle estimates when solving.
    plan_from
        Plan only the dates from this one on (a *sub-horizon*, as when
        re-planning part of a cycle); ``None``: the whole horizon. The route
        lines keep the weeks of the whole cycle; an outlet's ``rule.visits``
        is then the number of visits still owed, taken from its line's usable
        dates from ``plan_from`` on (the latest ones when the line offers
        more: the earlier ones belong to the part of the cycle already served).
    locked
        Frozen dates: their routes hold their appointments (pinned visits)
        and nothing else.

    Raises
    ------
    InputError
        Listing every problem found: duplicate ids, unknown reps, rules that
        cannot fit the allowed days, windows shorter than the visit, etc.

    Examples
    --------
    >>> from datetime import date
    >>> p = Problem(
    ...     outlets=[Outlet("P1", 43.73, 7.42, VisitRule(per_week=Fraction(1)))],
    ...     reps=[Rep("R1", 43.74, 7.42)],
    ...     horizon=Horizon(date(2026, 11, 30), weeks=1),
    ... )
    >>> p.required_visits
    1
    """

    outlets: tuple[Outlet, ...]
    reps: tuple[Rep, ...]
    horizon: Horizon
    matrix: Mapping[str, TravelMatrix] | None = None
    plan_from: date | None = None
    locked: frozenset[date] = frozenset()
    # derived on construction: each rep's working dates, the public holidays
    _work: Mapping[str, frozenset[date]] = field(init=False, repr=False, compare=False,
                                                 default_factory=dict)
    _public: frozenset[date] = field(init=False, repr=False, compare=False,
                                     default=frozenset())

    def __post_init__(self) -> None:
        f = Fields(self)
        f.items("outlets", Outlet, "a sequence of Outlets")
        f.items("reps", Rep, "a sequence of Reps")
        f.instance("horizon", Horizon, "a Horizon")
        f.instance("matrix", Mapping, "a mapping of travel mode to TravelMatrix",
                   optional=True)
        f.day("plan_from", optional=True)
        f.items("locked", date, "a set of datetime.date", frozen=True)
        f.done()
        if self.matrix is not None:
            object.__setattr__(self, "matrix", dict(self.matrix))
        issues = self._resolve_calendars()
        if issues:
            raise InputError(issues)
        issues = self._check()
        if issues:
            raise InputError(issues)

    def _resolve_calendars(self) -> list[Issue]:
        """Each rep's working dates from its calendar; warn about years not covered."""
        h = self.horizon
        issues: list[Issue] = []
        calendars: dict[tuple[str, str | None], Calendar | None] = {}
        work: dict[str, frozenset[date]] = {}
        for rep in self.reps:
            region, issue = _rep_region(rep, h)
            if issue is not None:
                issues.append(issue)
                continue
            if region is not None and region not in calendars:
                calendars[region] = h.calendar(*region)
            cal = calendars.get(region) if region is not None else None
            work[rep.id] = _work_dates(rep, h, cal)
        own = h.calendar()
        public = set(h.holidays)
        if own is not None:
            public |= own.days_off - own.workdays - h.workdays
            calendars.setdefault((own.country, own.subdiv), own)
        object.__setattr__(self, "_work", work)
        object.__setattr__(self, "_public", frozenset(public))
        seen: set[str] = set()
        for cal in calendars.values():
            for gap in cal.gaps if cal is not None else ():
                if gap not in seen:
                    seen.add(gap)
                    warnings.warn(f"{gap}; give the days off with holidays and the working "
                                  "days with workdays", CalendarWarning, stacklevel=5)
        return issues

    # -- construction helpers -------------------------------------------------
    def replace(self, **changes: Any) -> Problem:
        """A validated copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    # -- derived data ---------------------------------------------------------
    @property
    def required_visits(self) -> int:
        """Visits the rules require over the horizon."""
        return sum(self.visits_of(o) for o in self.outlets)

    def visits_of(self, outlet: Outlet) -> int:
        """Visits ``outlet`` needs over the horizon (its extra visits included)."""
        return (max(self.regular_visits_of(outlet), len(outlet.appointments))
                + len(outlet.extra_visits))

    def regular_visits_of(self, outlet: Outlet) -> int:
        """Visits of ``outlet``'s rule (appointments aside, extra visits not included)."""
        return outlet.rule.required_visits(self.horizon.weeks, self.horizon.start)

    @property
    def planning_days(self) -> tuple[date, ...]:
        """Dates on which some rep works (:meth:`works`), from ``plan_from`` on."""
        first = self.plan_from or self.horizon.start
        worked = set().union(*self._work.values()) if self._work else set()
        return tuple(d for d in self.horizon.dates if d >= first and d in worked)

    def rep_days(self, rep: Rep) -> tuple[date, ...]:
        """The planning days ``rep`` works."""
        return tuple(d for d in self.planning_days if self.works(rep, d))

    def works(self, rep: Rep, day: date) -> bool:
        """Whether ``rep`` works on ``day`` of the horizon, its calendar included.

        In this order: not on the horizon's ``holidays`` nor on the rep's
        ``days_off``; on the horizon's ``workdays`` and on the official
        make-up working days of the rep's calendar (its own ``country`` and
        ``subdiv``, else the horizon's); not on that calendar's public
        holidays; otherwise on the rep's ``working_days``.

        Examples
        --------
        >>> from datetime import date
        >>> p = Problem([Outlet("P", 39.9, 116.4, VisitRule.parse("1/week"))],
        ...             [Rep("R", 39.9, 116.4)], Horizon(date(2026, 2, 9), weeks=1, country="CN"))
        >>> [p.works(p.reps[0], date(2026, 2, d)) for d in (13, 14, 15)]  # Fr, Sa, Su
        [True, True, False]
        """
        got = self._work.get(rep.id)
        if got is None:  # a rep of another problem
            region, issue = _rep_region(rep, self.horizon)
            if issue is not None:
                raise InputError([issue])
            cal = self.horizon.calendar(*region) if region is not None else None
            got = _work_dates(rep, self.horizon, cal)
        return day in got

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is a public holiday for the outlets (opening hours' ``PH off``).

        The horizon's ``holidays`` and its calendar's public holidays, less its
        ``workdays`` and make-up working days. A rep's own region does not
        change it: an outlet follows the horizon's calendar.
        """
        return day in self._public

    def points(self) -> list[Location]:
        """The matrix order: every outlet, then each rep's start and end."""
        pts = [o.location for o in self.outlets]
        for r in self.reps:
            pts += [r.start, r.end]
        return pts

    def rep_index(self, rep_id: str) -> int:
        """Position of rep ``rep_id``."""
        for i, r in enumerate(self.reps):
            if r.id == rep_id:
                return i
        raise KeyError(rep_id)

    def reps_for(self, outlet: Outlet) -> tuple[Rep, ...]:
        """The reps allowed to visit ``outlet``."""
        if outlet.rep_id is None:
            return self.reps
        return tuple(r for r in self.reps if r.id == outlet.rep_id)

    def windows(self, outlet: Outlet, day: date) -> tuple[TimeWindow, ...]:
        """Windows in which a visit of ``outlet`` may *start* on ``day``.

        Opening windows shortened by the service time (a visit starts and ends
        inside one opening window), or the appointment window on its date.
        Nothing on a :attr:`locked` date without an appointment.
        """
        for a in outlet.appointments:
            if a.date == day:
                return (a.window,)
        if day in self.locked:
            return ()
        holiday = self.is_holiday(day)
        out = []
        for w in outlet.hours.windows_on(day, holiday=holiday):
            if w.duration >= outlet.service:
                out.append(TimeWindow(w.start, w.end - outlet.service))
        return tuple(out)

    # -- validation -----------------------------------------------------------
    def _check(self) -> list[Issue]:
        from routeopt.patterns import weekday_lines

        issues: list[Issue] = []
        if not self.outlets:
            issues.append(Issue("there are no outlets to plan; add at least one outlet"))
        if not self.reps:
            issues.append(Issue("there are no reps; add at least one rep"))
        issues += _duplicates([o.id for o in self.outlets], "outlet_id", "outlet")
        issues += _duplicates([r.id for r in self.reps], "rep_id", "rep")
        rep_ids = {r.id for r in self.reps}
        cycle_warned: list[str] = []
        line_fits: dict[tuple[object, ...], bool] = {}
        for o in self.outlets:
            if o.rep_id is not None and o.rep_id not in rep_ids:
                issues.append(Issue(
                    f"rep {o.rep_id!r} is not in the reps table; add it or clear rep_id",
                    outlet_id=o.id, column="rep_id"))
                continue
            if not o.hours.open_weekdays:
                issues.append(Issue(
                    f"the outlet is never open ({o.hours}); fix opening_hours",
                    outlet_id=o.id, column="opening_hours"))
                continue
            if o.service > 0 and o.hours.longest_window() < o.service:
                issues.append(Issue(
                    f"no opening window ({o.hours}) is as long as the {o.service // 60}-minute "
                    "visit; shorten service_min or fix opening_hours",
                    outlet_id=o.id, column="opening_hours"))
                continue
            issues += self._check_pins(o, rep_ids)
            for a in o.appointments:
                if (self.plan_from is not None and a.date < self.plan_from
                        and a.date in self.horizon):
                    issues.append(Issue(
                        f"appointment on {a.date} is before the planned part of the horizon "
                        f"(from {self.plan_from}); drop it", outlet_id=o.id, column="appointment"))
                elif a.date not in self.horizon:
                    issues.append(Issue(
                        f"appointment on {a.date} is outside the horizon "
                        f"{self.horizon.start}..{self.horizon.end}",
                        outlet_id=o.id, column="appointment"))
                elif not o.hours.windows_on(a.date, holiday=self.is_holiday(a.date)):
                    issues.append(Issue(
                        f"appointment on {a.date} ({WEEKDAYS[a.date.weekday()]}) falls on a day "
                        "the outlet is closed; move it or fix opening_hours",
                        outlet_id=o.id, column="appointment"))
                elif not any(self.works(r, a.date) for r in self.reps_for(o)):
                    issues.append(Issue(
                        f"appointment on {a.date} falls on a day no allowed rep works",
                        outlet_id=o.id, column="appointment"))
            r = o.rule
            if r.last_visit is not None and r.last_visit >= (self.plan_from
                                                              or self.horizon.start):
                issues.append(Issue(
                    f"last_visit {r.last_visit} is not before the dates planned (from "
                    f"{self.plan_from or self.horizon.start}); give the last visit made before",
                    outlet_id=o.id, column="last_visit"))
            if r.patterns is None:
                exact = r.per_week * self.horizon.weeks
                if r.visits is None and (
                        r.cyclic_visits(7 * self.horizon.weeks) is None
                        if r.interval is not None and not r.lines
                        else r.per_month is None and exact.denominator != 1):
                    cycle_warned.append(o.id)
                fits_key = (r, o.hours, o.rep_id)  # the same for every outlet of its kind
                fits = line_fits.get(fits_key)
                if fits is None and r.visits is None and r.per_week > 0:
                    # dates (not lines) for an interval range or N/month: a day is enough
                    fits = line_fits[fits_key] = any(
                        weekday_lines(o, rep, self.horizon.weeks) for rep in self.reps_for(o)
                    ) if r.lines or (r.interval is None and r.per_month is None) else (
                        _allowed_weekdays_text(o, self.reps_for(o)) != "none")
                if r.visits is None and r.per_week > 0 and not fits:
                    days = _allowed_weekdays_text(o, self.reps_for(o))
                    if days == "none":
                        msg = (f"no day is both open ({o.hours}), allowed and worked by its "
                               "rep(s); fix opening_hours, allowed_days or the reps' working_days")
                    else:
                        msg = (f"frequency {r.describe()} cannot fit the allowed days ({days}) "
                               "with visits spread over the week; allow more days or lower the "
                               "frequency")
                    issues.append(Issue(msg, outlet_id=o.id, column="frequency"))
            else:
                n_days = len(self.planning_days)
                for pat in r.patterns:
                    if any(not 0 <= i < n_days for i in pat):
                        issues.append(Issue(
                            f"pattern {pat} names a day outside 0..{n_days - 1}",
                            outlet_id=o.id, column="patterns"))
                        break
        if self.plan_from is not None and self.plan_from not in self.horizon:
            issues.append(Issue(f"plan_from {self.plan_from} is outside the horizon "
                                f"{self.horizon.start}..{self.horizon.end}", column="plan_from"))
        if cycle_warned:
            warnings.warn(
                f"{len(cycle_warned)} outlet(s) (e.g. {cycle_warned[0]!r}) have a frequency that "
                f"does not divide the {self.horizon.weeks}-week horizon; their visits were rounded "
                "up. Plan a whole cycle (e.g. --weeks 4) for an even spread.",
                CycleWarning, stacklevel=4)
        if self.matrix is not None:
            n = len(self.outlets) + 2 * len(self.reps)
            for mode, m in self.matrix.items():
                if not isinstance(m, TravelMatrix):
                    issues.append(Issue(f"matrix for {mode!r} is not a TravelMatrix"))
                elif m.size != n:
                    issues.append(Issue(
                        f"matrix for {mode!r} has {m.size} points but the problem has {n} "
                        "(outlets, then each rep's start and end)"))
            for rep in self.reps:
                if rep.mode not in self.matrix:
                    issues.append(Issue(f"no matrix for travel mode {rep.mode!r}",
                                        rep_id=rep.id, column="mode"))
        return issues


    def _check_pins(self, o: Outlet, rep_ids: set[str]) -> list[Issue]:
        """Pinned appointments and extra visits: known reps who work that day."""
        issues: list[Issue] = []
        pinned = {a.rep_id for a in o.appointments if a.rep_id is not None}
        for rid in sorted(pinned):
            if rid not in rep_ids:
                issues.append(Issue(f"appointment pinned to rep {rid!r}, who is not in the reps "
                                    "table", outlet_id=o.id, column="appointment"))
        if o.rule.same_rep and len(pinned | ({o.rep_id} if o.rep_id else set())) > 1:
            issues.append(Issue(
                f"appointments pinned to reps {sorted(pinned)} (fixed rep {o.rep_id!r}): one rep "
                "makes every visit of this outlet", outlet_id=o.id, column="appointment"))
        for a in o.appointments:
            if a.rep_id in rep_ids:
                rep = self.reps[self.rep_index(a.rep_id)]
                if not self.works(rep, a.date):
                    issues.append(Issue(f"appointment on {a.date} is pinned to rep {a.rep_id!r}, "
                                        "who does not work that day", outlet_id=o.id,
                                        column="appointment"))
        days = set(self.planning_days) if o.extra_visits else set()
        for x in o.extra_visits:
            if x.rep_id is not None and x.rep_id not in rep_ids:
                issues.append(Issue(f"extra visit due {x.earliest}..{x.latest} names rep "
                                    f"{x.rep_id!r}, who is not in the reps table",
                                    outlet_id=o.id, column="extra_visits"))
            elif not any(x.earliest <= d <= x.latest for d in days):
                issues.append(Issue(f"extra visit due {x.earliest}..{x.latest} has no planning "
                                    "day in its window", outlet_id=o.id, column="extra_visits"))
        return issues


def _rep_region(rep: Rep, h: Horizon) -> tuple[tuple[str, str | None] | None, Issue | None]:
    """The (country, subdiv) ``rep`` works by, or ``None`` for none; or what is wrong."""
    if rep.country is not None:
        return (rep.country, rep.subdiv), None
    if rep.subdiv is None:
        return ((h.country, h.subdiv) if h.country is not None else None), None
    if h.country is None:
        return None, Issue(f"subdiv {rep.subdiv!r} needs a country; give the rep's country, "
                           "or the horizon's (--country)", rep_id=rep.id, column="subdiv")
    sub = normal_subdiv(h.country, rep.subdiv)
    problem = region_problem(h.country, sub)
    if problem is not None:
        return None, Issue(problem, rep_id=rep.id, column="subdiv")
    return (h.country, sub), None


def _work_dates(rep: Rep, h: Horizon, cal: Calendar | None) -> frozenset[date]:
    """The dates of ``h`` that ``rep`` works, by :meth:`Problem.works`' rule."""
    out = set()
    for d in h.dates:
        if d in h.holidays or d in rep.days_off:
            continue
        forced = d in h.workdays or (cal is not None and d in cal.workdays)
        closed = cal is not None and d in cal.holidays
        if forced or (not closed and d.weekday() in rep.working_days):
            out.add(d)
    return frozenset(out)


def _allowed_weekdays_text(o: Outlet, reps: Sequence[Rep]) -> str:
    days = set(range(7)) if o.rule.allowed_weekdays is None else set(o.rule.allowed_weekdays)
    days &= o.hours.open_weekdays
    worked: set[int] = set()
    for r in reps:
        worked |= r.working_days
    days &= worked
    return ",".join(WEEKDAYS[d] for d in sorted(days)) or "none"


def _duplicates(ids: Iterable[str], column: str, what: str) -> list[Issue]:
    seen: set[str] = set()
    out: list[Issue] = []
    for i in ids:
        if i in seen:
            out.append(Issue(f"{what} id {i!r} appears more than once; ids must be unique",
                             column=column, **{f"{what}_id": i}))  # type: ignore[arg-type]
        seen.add(i)
    return out
