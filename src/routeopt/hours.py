"""Times of day, weekdays, opening hours, shifts and breaks.

Times of day are integer seconds since local midnight; weekdays are integers,
Monday = 0 ... Sunday = 6, written ``Mo Tu We Th Fr Sa Su`` as in
OpenStreetMap's ``opening_hours`` tag.

The parsers here are pure (text in, values out) and raise
:class:`~routeopt.exceptions.OpeningHoursError` or
:class:`~routeopt.exceptions.InputError` (a ``ValueError``) with a message that
says what was expected; the table readers add the file, line and column. The
value types check themselves on construction: a field of the wrong type is an
:class:`~routeopt.exceptions.InputTypeError` (also a ``TypeError``), a value out
of range an :class:`~routeopt.exceptions.InputError`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from routeopt._values import Fields, invalid, message_of, parse_number
from routeopt.exceptions import OpeningHoursError

__all__ = [
    "WEEKDAYS",
    "Break",
    "OpeningHours",
    "TimeWindow",
    "format_time",
    "parse_break",
    "parse_time",
    "parse_weekdays",
    "parse_window",
]

WEEKDAYS: tuple[str, ...] = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_INDEX = {d.lower(): i for i, d in enumerate(WEEKDAYS)}
DAY = 86_400


@dataclass(frozen=True, slots=True, order=True)
class TimeWindow:
    """A half-open span ``[start, end]`` of the day, in seconds since midnight.

    Examples
    --------
    >>> TimeWindow.parse("08:30-12:30")
    TimeWindow(start=30600, end=45000)
    >>> str(TimeWindow(30600, 45000))
    '08:30-12:30'
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        f = Fields(self)
        f.integer("start", "seconds since midnight (an int)")
        f.integer("end", "seconds since midnight (an int)")
        f.done()
        if not (0 <= self.start <= self.end <= 2 * DAY):
            raise invalid(
                f"TimeWindow(start={self.start}, end={self.end}): a time window must start "
                f"no later than it ends, both within 0..{2 * DAY} seconds since midnight; "
                "e.g. TimeWindow.parse('08:30-12:30')",
                column="end" if 0 <= self.start <= 2 * DAY else "start")

    @property
    def duration(self) -> int:
        """Length in seconds."""
        return self.end - self.start

    @classmethod
    def parse(cls, text: str) -> TimeWindow:
        """Read ``HH:MM-HH:MM``."""
        return parse_window(text)

    def __str__(self) -> str:
        return f"{format_time(self.start)}-{format_time(self.end)}"


@dataclass(frozen=True, slots=True)
class Break:
    """A break of ``duration`` seconds that starts and ends inside ``window``.

    Examples
    --------
    >>> b = Break.parse("12:00-14:00/45")
    >>> b.window, b.duration
    (TimeWindow(start=43200, end=50400), 2700)
    >>> str(b)
    '12:00-14:00/45'
    """

    window: TimeWindow
    duration: int

    def __post_init__(self) -> None:
        f = Fields(self)
        f.instance("window", TimeWindow, "a TimeWindow")
        f.integer("duration", "seconds (an int)")
        f.done()
        if self.duration <= 0:
            raise invalid(f"Break.duration is {self.duration}: a break must last more than "
                          "0 minutes", column="duration")
        if self.duration > self.window.duration:
            raise invalid(
                f"a break of {_minutes(self.duration)} min does not fit in its window "
                f"{self.window}; shorten it or widen the window", column="duration")

    @property
    def latest_start(self) -> int:
        """The last second the break may start."""
        return self.window.end - self.duration

    @classmethod
    def parse(cls, text: str) -> Break:
        """Read ``HH:MM-HH:MM/MIN`` (flexible) or ``HH:MM-HH:MM`` (fixed)."""
        return parse_break(text)

    def __str__(self) -> str:
        return f"{self.window}/{self.duration // 60}"


def _minutes(seconds: int) -> str:
    return f"{seconds // 60}" if seconds % 60 == 0 else f"{seconds / 60:g}"


def parse_time(text: str) -> int:
    """Read ``HH:MM`` (or ``H:MM``, ``HH:MM:SS``) as seconds since midnight.

    ``24:00`` is accepted as the end of the day.

    Examples
    --------
    >>> parse_time("08:30")
    30600
    >>> parse_time("24:00")
    86400
    """
    m = re.fullmatch(r"\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*", text)
    if not m:
        raise invalid(f"{text!r} is not a time of day; write it as HH:MM, e.g. 08:30")
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    if mi > 59 or s > 59 or h > 24 or (h == 24 and (mi or s)):
        raise invalid(f"{text!r} is not a valid time of day (00:00 to 24:00)")
    return h * 3600 + mi * 60 + s


def format_time(seconds: int) -> str:
    """Write seconds since midnight as ``HH:MM`` (``HH:MM:SS`` if needed).

    >>> format_time(30600)
    '08:30'
    """
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}" if s else f"{h:02d}:{m:02d}"


def parse_window(text: str) -> TimeWindow:
    """Read ``HH:MM-HH:MM``.

    An end of ``00:00`` means midnight at the end of the day (``24:00``), so
    ``11:00-00:00`` is open until midnight; a window that runs on past
    midnight, such as ``18:00-02:00``, is an error.

    >>> parse_window("14:00-19:00")
    TimeWindow(start=50400, end=68400)
    >>> str(parse_window("11:00-00:00"))
    '11:00-24:00'
    """
    parts = text.split("-")
    if len(parts) != 2:
        raise invalid(
            f"{text!r} is not a time window; write it as HH:MM-HH:MM, e.g. 08:30-17:30"
        )
    start, end = parse_time(parts[0]), parse_time(parts[1])
    if end == 0:
        end = DAY  # "-00:00" closes at midnight
    if end == start:
        raise invalid(f"time window {text.strip()!r} is empty: it ends when it starts")
    if end < start:
        a, b = format_time(start), format_time(end)
        raise invalid(
            f"time window {text.strip()!r} runs past midnight, which is not supported; "
            f"split it at midnight: {a}-24:00 on one day and 00:00-{b} on the next"
        )
    return TimeWindow(start, end)


def parse_break(text: str) -> Break:
    """Read a break: ``12:00-14:00/45`` (45 minutes within 12:00-14:00) or ``12:30-13:15``.

    >>> parse_break("12:30-13:15").duration
    2700
    """
    if "/" in text:
        win, _, minutes = text.partition("/")
        try:
            length = parse_number(minutes)
        except ValueError as e:
            raise invalid(f"{text!r}: the break length after '/' must be minutes, e.g. "
                          f"12:00-14:00/45 ({message_of(e)})") from None
        window = parse_window(win)
        seconds = round(length * 60) if length < 2 * DAY else 2 * DAY + 1
        if seconds <= 0:
            raise invalid(f"{text!r}: a break must last more than 0 minutes")
        if seconds > window.duration:
            raise invalid(f"{text!r}: a break of {minutes.strip()} min does not fit in its "
                          f"window {window}; give at most {window.duration // 60} minutes")
        return Break(window, seconds)
    w = parse_window(text)
    return Break(w, w.duration)


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day(token: str, *, long_names: bool = False) -> int:
    t = token.strip().lower()
    if t in _DAY_INDEX:
        return _DAY_INDEX[t]
    if long_names and len(t) >= 3:  # Mon, Tues, Thursday ...
        for i, name in enumerate(_DAY_NAMES):
            if name.startswith(t):
                return i
    raise invalid(f"{token.strip()!r} is not a weekday; use {', '.join(WEEKDAYS)}")


def _day_range(token: str, *, long_names: bool = False) -> list[int]:
    if "-" in token:
        a, b = (_day(t, long_names=long_names) for t in token.split("-", 1))
        return [(a + k) % 7 for k in range((b - a) % 7 + 1)]
    return [_day(token, long_names=long_names)]


def parse_weekdays(text: str) -> frozenset[int]:
    """Read a weekday list such as ``Mo-Fr``, ``Mo,We,Fr`` or ``Mo-We,Sa``.

    Case does not matter, and English names (``Mon-Fri``, ``Monday``) are
    read too.

    >>> sorted(parse_weekdays("Mo-We,Sa"))
    [0, 1, 2, 5]
    >>> sorted(parse_weekdays("Fr-Mo"))
    [0, 4, 5, 6]
    >>> sorted(parse_weekdays("mon - wed"))
    [0, 1, 2]
    """
    norm = re.sub(r"\s*-\s*", "-", text.strip())
    tokens = [t for t in re.split(r"[,\s]+", norm) if t]
    if not tokens:
        raise invalid("no weekdays given; write them like Mo-Fr or Mo,We,Fr")
    days: set[int] = set()
    for t in tokens:
        days.update(_day_range(t, long_names=True))
    return frozenset(days)


_TOKEN = re.compile(
    r"\s*(?:(?P<off>off|closed)(?![A-Za-z])"
    r"|(?P<days>[A-Za-z]{2}(?:\s*-\s*[A-Za-z]{2})?)(?![A-Za-z])"
    r"|(?P<time>[0-9]{1,2}:[0-9]{2}\s*-\s*[0-9]{1,2}:[0-9]{2})(?![0-9:+])"
    r"|(?P<comma>,))\s*",
    flags=re.IGNORECASE,
)
_OH_HINT = (
    "supported are weekday rules like 'Mo-Fr 08:30-12:30,14:00-19:00; Sa 09:00-12:00', "
    "'Su off', 'PH off' and '24/7'"
)
# Parts of the opening_hours syntax we do not read, and what to write instead.
_UNSUPPORTED: tuple[tuple[str, str], ...] = (
    (r"\b(?:sunrise|sunset|dawn|dusk)\b",
     "times relative to sunrise or sunset are not supported; give clock times, e.g. 07:00-19:00"),
    (r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b",
     "months and dates are not supported; give the weekly hours that apply during the plan"),
    (r"\bweek\b", "week numbers are not supported; give the weekly hours"),
    (r"\bsh\b", "school holidays (SH) are not supported; give the regular weekly hours"),
    (r"\bph\b", "public-holiday hours other than 'PH off' are not supported; write 'PH off' "
                 "or leave public holidays out"),
    (r"\b\d{3,4}\s*-\s*\d{3,4}\b", "write times with a colon, e.g. 08:00-12:00"),
    (r"\[", "nth-weekday selectors such as 'Mo[1]' are not supported; give the weekly hours"),
    (r"\+", "open-ended times such as '18:00+' are not supported; give an end time"),
    (r"\"", "comments in quotes are not supported; remove them"),
    (r"\|\|", "fallback rules ('||') are not supported"),
    (r"\b(?:open|unknown)\b", "the 'open' and 'unknown' modifiers are not supported; give "
                                "times, or 'off'"),
)


def _unsupported(rule: str) -> str | None:
    low = rule.lower()
    for pattern, reason in _UNSUPPORTED:
        if re.search(pattern, low):
            return reason
    return None


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """When an outlet is open: a list of windows for each weekday.

    Parameters
    ----------
    weekly
        Seven tuples of sorted, non-overlapping windows, Monday first. An
        empty tuple means closed that weekday.
    closed_dates
        Dates on which the outlet is closed whatever the weekday says.
    closed_on_holidays
        ``PH off``: closed on the horizon's public holidays.

    Examples
    --------
    >>> oh = OpeningHours.parse("Mo-Fr 08:30-12:30,14:00-19:00; Sa 09:00-12:00")
    >>> [str(w) for w in oh.weekly[0]]
    ['08:30-12:30', '14:00-19:00']
    >>> oh.weekly[6]
    ()
    >>> str(oh)
    'Mo-Fr 08:30-12:30,14:00-19:00; Sa 09:00-12:00; Su off'
    """

    weekly: tuple[tuple[TimeWindow, ...], ...] = field(
        default=tuple((TimeWindow(0, DAY),) for _ in range(7))
    )
    closed_dates: frozenset[date] = frozenset()
    closed_on_holidays: bool = False

    def __post_init__(self) -> None:
        f = Fields(self)
        week = "7 tuples of TimeWindows, Monday first (or use OpeningHours.parse)"
        days = self.weekly
        if (isinstance(days, str) or not isinstance(days, Iterable) or any(
                isinstance(d, str) or not isinstance(d, Iterable)
                or any(not isinstance(w, TimeWindow) for w in d) for d in days)):
            f.bad("weekly", days, week)
        else:
            object.__setattr__(self, "weekly", tuple(tuple(d) for d in days))
        f.items("closed_dates", date, "a set of datetime.date", frozen=True)
        f.flag("closed_on_holidays")
        f.done()
        if len(self.weekly) != 7:
            raise invalid(f"OpeningHours.weekly has {len(self.weekly)} days: opening hours need "
                          "exactly 7 weekdays, Monday first", column="weekly")
        for name, day in zip(WEEKDAYS, self.weekly, strict=True):
            for a, b in itertools.pairwise(day):
                if b.start < a.end:
                    raise invalid(f"OpeningHours.weekly: the windows of {name} ({a}, {b}) must "
                                  "be sorted and not overlap", column="weekly")

    @classmethod
    def always(cls) -> OpeningHours:
        """Open every day, all day (``24/7``)."""
        return cls()

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        """Read an OpenStreetMap ``opening_hours`` text (the common subset).

        As in OpenStreetMap, weekdays no rule names are closed, later rules
        override earlier ones for the weekdays they name, and a rule without
        weekdays applies to every day. An empty text or ``24/7`` is always open.
        Rules are separated by ``;``; within a rule, ``,`` separates windows,
        weekdays, or further ``days times`` groups (``Mo-Fr 08:00-18:00, Sa
        off``). Day names and ``off`` are read in any case, hours may have one
        digit (``8:30``), and an end of ``00:00`` means midnight (``24:00``).
        Windows past midnight, months, dates, week numbers, sunrise/sunset,
        holiday hours other than ``PH off`` and comments are not supported.

        >>> str(OpeningHours.parse("mo-sa 8:30-20:00; PH off"))
        'Mo-Sa 08:30-20:00; Su off; PH off'

        Raises
        ------
        OpeningHoursError
            For syntax outside the supported subset, with what is supported.
        """
        raw = text.strip()
        if not raw or raw == "24/7":
            return cls()
        weekly: list[list[TimeWindow]] = [[] for _ in range(7)]  # unnamed days are closed
        closed_ph = False
        for rule in (r.strip() for r in raw.split(";")):
            if not rule:
                continue
            low = " ".join(rule.lower().split())
            if low in ("ph off", "ph closed"):
                closed_ph = True
            elif low == "24/7":
                weekly = [[TimeWindow(0, DAY)] for _ in range(7)]
            else:
                cls._apply_rule(text, rule, weekly)
        return cls(tuple(tuple(_merge(d)) for d in weekly), closed_on_holidays=closed_ph)

    @staticmethod
    def _apply_rule(text: str, rule: str, weekly: list[list[TimeWindow]]) -> None:
        # A rule may hold several "days times" groups separated by commas (OSM's
        # additional-rule separator), e.g. "Mo-Fr 08:00-18:00, Sa 09:00-12:00, Su off".
        # Each group sets the weekdays it names (all seven when it names none).
        def fail(reason: str) -> OpeningHoursError:
            return OpeningHoursError(text, f"{reason}; {_OH_HINT}")

        reason = _unsupported(rule)
        if reason:
            raise OpeningHoursError(text, reason)
        groups: list[tuple[set[int], list[TimeWindow]]] = []
        days: set[int] = set()
        times: list[TimeWindow] = []
        off = False
        pos = 0
        while pos < len(rule):
            tm = _TOKEN.match(rule, pos)
            if not tm or tm.end() == pos:
                raise fail(f"unexpected {rule[pos:].strip()!r} in rule {rule!r}")
            pos = tm.end()
            try:
                if tm["days"]:
                    if times or off:  # the next group starts
                        groups.append((days or set(range(7)), times))
                        days, times, off = set(), [], False
                    days |= set(_day_range(re.sub(r"\s+", "", tm["days"])))
                elif tm["time"]:
                    if off:
                        raise fail(f"times after 'off' in rule {rule!r}")
                    times.append(parse_window(re.sub(r"\s+", "", tm["time"])))
                elif tm["off"]:
                    if times:
                        raise OpeningHoursError(
                            text, f"closing only some hours of a day ({rule!r}) is not "
                            "supported; list the open windows instead, e.g. "
                            "'Mo-Fr 08:00-12:00,14:00-18:00'")
                    off = True
            except OpeningHoursError:
                raise
            except ValueError as e:
                raise fail(message_of(e)) from None
        if not times and not off:
            raise fail(f"rule {rule!r} has no opening times")
        groups.append((days or set(range(7)), times))
        for group_days, group_times in groups:
            for d in group_days:
                weekly[d] = list(group_times)

    def windows_on(self, day: date, *, holiday: bool = False) -> tuple[TimeWindow, ...]:
        """The opening windows on ``day`` (empty when closed)."""
        if day in self.closed_dates or (holiday and self.closed_on_holidays):
            return ()
        return self.weekly[day.weekday()]

    @property
    def open_weekdays(self) -> frozenset[int]:
        """Weekdays with at least one opening window."""
        return frozenset(i for i, w in enumerate(self.weekly) if w)

    def longest_window(self) -> int:
        """The longest opening window of the week, in seconds."""
        return max((w.duration for day in self.weekly for w in day), default=0)

    def __str__(self) -> str:
        if all(day == (TimeWindow(0, DAY),) for day in self.weekly):
            return "24/7; PH off" if self.closed_on_holidays else "24/7"
        parts: list[str] = []
        i = 0
        while i < 7:
            j = i
            while j + 1 < 7 and self.weekly[j + 1] == self.weekly[i]:
                j += 1
            days = WEEKDAYS[i] if i == j else f"{WEEKDAYS[i]}-{WEEKDAYS[j]}"
            times = ",".join(str(w) for w in self.weekly[i]) or "off"
            parts.append(f"{days} {times}")
            i = j + 1
        if self.closed_on_holidays:
            parts.append("PH off")
        return "; ".join(parts)


def _merge(windows: Iterable[TimeWindow]) -> list[TimeWindow]:
    out: list[TimeWindow] = []
    for w in sorted(windows):
        if out and w.start <= out[-1].end:
            out[-1] = TimeWindow(out[-1].start, max(out[-1].end, w.end))
        else:
            out.append(w)
    return out
