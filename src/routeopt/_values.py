"""Strict reading of numbers, and the type checks shared by the model's constructors.

Python's own ``float()`` and ``int()`` read more than a table should hold:
``4_3.73`` (43.73), ``inf``, ``nan``, ``1e400`` (infinity), full-width or
Arabic-Indic digits, surrounding spaces and signs in odd places. A cell that a
spreadsheet would not read as a number is rejected here instead, so that a
typo never becomes a silently different value.

The model's constructors check the types of their fields first (a
:class:`~routeopt.exceptions.InputTypeError`, also a ``TypeError``), then their
values (an :class:`~routeopt.exceptions.InputError`, also a ``ValueError``).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from routeopt.exceptions import InputError, InputTypeError, Issue

__all__ = ["MAX_TIME_LIMIT", "NUMBER_HINT", "Fields", "cli_float", "cli_int", "cli_seconds",
           "invalid", "message_of", "parse_date", "parse_day", "parse_number"]

#: The longest solver ``time_limit`` accepted, in seconds (about 31 years): far above
#: any solve, far below what the clock arithmetic and OR-Tools' limits can hold.
MAX_TIME_LIMIT = 1e9

#: A plain decimal number: digits 0-9, one optional leading sign, an optional
#: point and an optional exponent. Nothing else (no ``_``, no ``inf``/``nan``, no
#: hex, no non-ASCII digits).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
NUMBER_HINT = "write a plain decimal number with a point, e.g. 43.7312 or 15"


def invalid(message: str, *, column: str | None = None) -> InputError:
    """An :class:`InputError` of one issue, for the pure parsers and the small value types."""
    return InputError([Issue(message, column=column)])


def message_of(error: ValueError) -> str:
    """The text of ``error`` without the "1 problem in the input" heading of an InputError."""
    if isinstance(error, InputError):
        return "; ".join(i.message for i in error.issues)
    return str(error)


def parse_number(text: str, *, decimal_comma: bool = False) -> float:
    """Read a plain decimal number, finite and within the range of a float.

    Parameters
    ----------
    text
        The text; spaces around it are ignored.
    decimal_comma
        Also read one comma as the decimal point when the text has no point
        (``43,7312``), as spreadsheets of many locales write it.

    Raises
    ------
    InputError
        Saying what is wrong: Python-only syntax (``4_3.73``, ``inf``, ``nan``,
        ``0x1F``, full-width digits) or a value too large for a number
        (``1e400``).

    Examples
    --------
    >>> parse_number("43.7312"), parse_number("-.5"), parse_number("1e3")
    (43.7312, -0.5, 1000.0)
    >>> parse_number("43,7312", decimal_comma=True)
    43.7312
    >>> try:
    ...     parse_number("4_3.73")
    ... except InputError as e:
    ...     print(e.issues[0].message.split(";")[0])
    '4_3.73' is not a number (no '_' between digits)
    """
    s = text.strip()
    if decimal_comma and s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    if not _NUMBER.fullmatch(s):
        raise invalid(f"{text.strip()!r} is not a number{_why_not(s)}; {NUMBER_HINT}")
    value = float(s)
    if not math.isfinite(value):
        raise invalid(f"{text.strip()!r} is too large to be a number; {NUMBER_HINT}")
    return value


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_date(text: str) -> date:
    """Read an ISO date written ``YYYY-MM-DD`` (and only so: not ``20261130`` or ``2026-W49-1``).

    >>> parse_date(" 2026-11-30 ")
    datetime.date(2026, 11, 30)
    """
    s = text.strip()
    try:
        if _DATE.fullmatch(s):
            return date.fromisoformat(s)
    except ValueError:
        raise invalid(f"{s!r} is not a date of the calendar; write YYYY-MM-DD") from None
    raise invalid(f"{s!r} is not a date; write YYYY-MM-DD")


def parse_day(text: str) -> date:
    """Read a date written ``YYYY-MM-DD``, or the date of a ``YYYY-MM-DD HH:MM`` (or
    ``YYYY-MM-DDTHH:MM``) stamp, as visit logs and stock counts are often exported.

    >>> parse_day("2026-11-30 17:45"), parse_day("2026-11-30T08:05:00")
    (datetime.date(2026, 11, 30), datetime.date(2026, 11, 30))
    """
    day, _, rest = text.strip().replace("T", " ", 1).partition(" ")
    try:
        if rest.strip() and not re.match(r"[0-9]{1,2}:[0-9]{2}", rest.strip(), re.ASCII):
            raise ValueError(rest)
        return parse_date(day)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _why_not(s: str) -> str:
    """What Python would have read in ``s`` that a table may not hold, if anything."""
    low = s.lower().lstrip("+-")
    if "_" in s:
        return " (no '_' between digits)"
    if low in ("inf", "infinity", "nan"):
        return " (infinity and NaN are not values)"
    if low.startswith(("0x", "0o", "0b")):
        return " (hexadecimal, octal and binary are not read)"
    if any(not c.isascii() for c in s):
        return " (only the digits 0-9 are read)"
    return ""


def is_int(value: Any) -> bool:
    """An integer, numpy's included, but not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """A real number, numpy's included, but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


class Fields:
    """Type checks of one model object's fields, collected into one error.

    Each check normalises a good value in place (numpy integers to ``int``,
    lists to tuples, sets to frozensets) and records an issue for a bad one;
    :meth:`done` raises them all as one :class:`InputTypeError`.
    """

    def __init__(self, obj: Any, *, outlet_id: str | None = None,
                 rep_id: str | None = None) -> None:
        self.obj = obj
        self.kind = type(obj).__name__
        self.outlet_id = outlet_id if isinstance(outlet_id, str) else None
        self.rep_id = rep_id if isinstance(rep_id, str) else None
        self.issues: list[Issue] = []

    def bad(self, name: str, value: Any, expected: str, column: str | None = None) -> None:
        """Record that field ``name`` holds ``value`` where ``expected`` is wanted."""
        self.issues.append(Issue(
            f"{self.kind}.{name} must be {expected}, not {_shown(value)}",
            column=column or name, outlet_id=self.outlet_id, rep_id=self.rep_id))

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self.obj, name, value)

    def integer(self, name: str, expected: str = "an integer", *, optional: bool = False,
                column: str | None = None) -> None:
        v = getattr(self.obj, name)
        if v is None and optional:
            return
        if is_int(v):
            self._set(name, int(v))
        else:
            self.bad(name, v, expected + (" or None" if optional else ""), column)

    def real(self, name: str, expected: str = "a number", *, optional: bool = False,
             column: str | None = None) -> None:
        v = getattr(self.obj, name)
        if v is None and optional:
            return
        if is_real(v):
            self._set(name, float(v))
        else:
            self.bad(name, v, expected + (" or None" if optional else ""), column)

    def flag(self, name: str) -> None:
        v = getattr(self.obj, name)
        if not isinstance(v, bool):
            self.bad(name, v, "True or False")

    def text(self, name: str, expected: str = "text (a str)", *, optional: bool = False,
             column: str | None = None) -> None:
        v = getattr(self.obj, name)
        if not (isinstance(v, str) or (v is None and optional)):
            self.bad(name, v, expected + (" or None" if optional else ""), column)

    def instance(self, name: str, cls: type | tuple[type, ...], expected: str, *,
                 optional: bool = False, column: str | None = None) -> None:
        v = getattr(self.obj, name)
        if not (isinstance(v, cls) or (v is None and optional)):
            self.bad(name, v, expected + (" or None" if optional else ""), column)

    def day(self, name: str, *, optional: bool = False, column: str | None = None) -> None:
        v = getattr(self.obj, name)
        if v is None and optional:
            return
        if isinstance(v, datetime) or not isinstance(v, date):
            hint = "; use .date()" if isinstance(v, datetime) else ""
            self.bad(name, v, "a datetime.date" + (" or None" if optional else "") + hint,
                     column)

    def items(self, name: str, cls: type, expected: str, *, frozen: bool = False,
              optional: bool = False, column: str | None = None) -> None:
        """A collection of ``cls`` items; stored as a tuple (``frozen``: a frozenset)."""
        v = getattr(self.obj, name)
        if v is None and optional:
            return
        if isinstance(v, str | bytes) or not isinstance(v, Iterable) or isinstance(v, dict):
            self.bad(name, v, expected + (" or None" if optional else ""), column)
            return
        values = list(v)
        wrong = [x for x in values if not _is(x, cls)]
        if wrong:
            self.issues.append(Issue(
                f"{self.kind}.{name} must be {expected}, but it holds {_shown(wrong[0])}",
                column=column or name, outlet_id=self.outlet_id, rep_id=self.rep_id))
            return
        if cls is int:
            values = [int(x) for x in values]
        self._set(name, frozenset(values) if frozen else tuple(values))

    def text_mapping(self, name: str, wrap: Callable[[Mapping[str, str]], Any],
                     expected: str = "a mapping of str to str", *,
                     column: str | None = None) -> None:
        """A mapping whose keys and values are all ``str``; stored as ``wrap(value)``."""
        v = getattr(self.obj, name)
        if not isinstance(v, Mapping):
            self.bad(name, v, expected, column)
            return
        for key, value in v.items():
            if not isinstance(key, str):
                self.issues.append(Issue(
                    f"{self.kind}.{name} must be {expected}, but it holds the key {_shown(key)}",
                    column=column or name, outlet_id=self.outlet_id, rep_id=self.rep_id))
                return
            if not isinstance(value, str):
                self.issues.append(Issue(
                    f"{self.kind}.{name}[{key!r}] must be text (a str), not {_shown(value)}",
                    column=key, outlet_id=self.outlet_id, rep_id=self.rep_id))
                return
        self._set(name, wrap(v))

    def done(self) -> None:
        """Raise the issues found, if any."""
        if self.issues:
            raise InputTypeError(self.issues)


def _is(value: Any, cls: type) -> bool:
    if cls is int:
        return is_int(value)
    if cls is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, cls)


# -- command-line option types (argparse turns ArgumentTypeError into exit code 2) ----------
def cli_float(text: str) -> float:
    """A command-line number, read as strictly as a table cell."""
    import argparse

    try:
        return parse_number(text)
    except InputError as e:
        raise argparse.ArgumentTypeError(message_of(e)) from None


def cli_seconds(text: str) -> float:
    """A command-line time limit: a finite number of seconds above 0, at most MAX_TIME_LIMIT."""
    import argparse

    value = cli_float(text)
    if not 0 < value <= MAX_TIME_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{text.strip()!r} is not a time limit; give the seconds the search may take, above "
            f"0 and at most {MAX_TIME_LIMIT:g}, e.g. 60")
    return value


def cli_int(text: str) -> int:
    """A command-line whole number: digits 0-9 with an optional sign, nothing else."""
    import argparse

    s = text.strip()
    if not re.fullmatch(r"[+-]?[0-9]+", s, re.ASCII):
        raise argparse.ArgumentTypeError(
            f"{s!r} is not a whole number{_why_not(s)}; write digits 0-9, e.g. 4")
    return int(s)
