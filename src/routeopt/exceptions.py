"""The errors and warnings routeopt raises.

Every error derives from :class:`RouteOptError`, and also from the builtin it
matches, so ``except ValueError`` keeps working for callers who do not know
routeopt::

    RouteOptError
     ├── InputError (ValueError)            bad outlets, reps, calendar, rules or parameters
     │    ├── InputTypeError (TypeError)    a model or parameter field given a value of the
     │    │                                 wrong type (Outlet(service="15"))
     │    ├── OpeningHoursError             an opening_hours text we cannot read
     │    └── TableError                    a table file that cannot be read as a whole
     │                                      (its encoding, sheet, header or column map)
     ├── MatrixError (ValueError)           a travel matrix of the wrong shape or values
     │    └── SnapError                     points too far from (or cut off from) the roads
     ├── SolverError (RuntimeError)         the solver could not run
     └── PlanValidationError (AssertionError)  a plan that breaks a constraint

    RouteOptWarning (UserWarning)
     ├── CycleWarning                       a frequency that does not divide the horizon
     └── CalendarWarning                    a year the holiday calendar data does not cover
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CalendarWarning",
    "CycleWarning",
    "InputError",
    "InputTypeError",
    "Issue",
    "MatrixError",
    "OpeningHoursError",
    "PlanValidationError",
    "RouteOptError",
    "RouteOptWarning",
    "SnapError",
    "SolverError",
    "TableError",
]


#: What the ``file`` of an :class:`Issue` holds after the file name when the table is a
#: spreadsheet's sheet (``outlets.xlsx, sheet 'Outlets'``); its ``line`` is then the row.
SHEET_MARK = ", sheet "


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the input, and where it is.

    Parameters
    ----------
    message
        What is wrong and what to do about it.
    file
        The file it came from, if any; for a spreadsheet, the file and the
        sheet (``outlets.xlsx, sheet 'Outlets'``).
    line
        The line number in that file, as an editor shows it (the header is
        line 1, the first data row line 2), if any; for a spreadsheet, the row
        number the spreadsheet shows.
    column
        The column or field name.
    outlet_id, rep_id
        The object the problem belongs to.
    """

    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    outlet_id: str | None = None
    rep_id: str | None = None

    def __str__(self) -> str:
        where: list[str] = []
        if self.file:
            where.append(self.file)
        if self.line is not None:  # a spreadsheet's rows are rows (file "book.xlsx, sheet 'S'")
            where.append(f"{'row' if SHEET_MARK in (self.file or '') else 'line'} {self.line}")
        if self.outlet_id is not None:
            where.append(f"outlet {self.outlet_id!r}")
        if self.rep_id is not None:
            where.append(f"rep {self.rep_id!r}")
        if self.column:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class RouteOptError(Exception):
    """The root of every error routeopt raises."""


class InputError(RouteOptError, ValueError):
    """The input cannot be planned as given.

    All problems found are collected in :attr:`issues`, so that one run shows
    every bad row at once.
    """

    def __init__(self, issues: Iterable[Issue | str]) -> None:
        self.issues: tuple[Issue, ...] = tuple(
            i if isinstance(i, Issue) else Issue(str(i)) for i in issues
        )
        if not self.issues:
            raise ValueError("InputError needs at least one issue")
        lines = [str(i) for i in self.issues[:50]]
        if len(self.issues) > 50:
            lines.append(f"... and {len(self.issues) - 50} more")
        head = "1 problem in the input" if len(self.issues) == 1 else (
            f"{len(self.issues)} problems in the input"
        )
        super().__init__(head + ":\n  " + "\n  ".join(lines))


class InputTypeError(InputError, TypeError):
    """A field of the model or of the parameters holds a value of the wrong type.

    It is an :class:`InputError` (so a ``ValueError`` too, and its
    :attr:`~InputError.issues` name the object, the field, the value and the type
    expected) and a ``TypeError``, the builtin Python raises for a wrong type.
    The model checks types before values, so one error lists every field of the
    wrong type of one object.
    """


class OpeningHoursError(InputError):
    """An ``opening_hours`` text outside the supported syntax."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__([Issue(f"cannot read opening hours {text!r}: {reason}")])


class TableError(InputError):
    """A table file that cannot be read as a whole: not found, an encoding that cannot be
    decoded, a missing sheet, a header without a required column, a bad column map.

    Leaving bad rows out (``skip_invalid``) cannot help with it; the file itself, or
    the way it is read (``encoding``, ``sheet``, ``columns``), must change.
    """


class MatrixError(RouteOptError, ValueError):
    """A travel matrix of the wrong shape, type or values."""


class SolverError(RouteOptError, RuntimeError):
    """The solver failed to run (not: failed to schedule some visits)."""


class PlanValidationError(RouteOptError, AssertionError):
    """A plan breaks at least one constraint; :attr:`violations` lists them."""

    def __init__(self, violations: Iterable[str]) -> None:
        self.violations = tuple(violations)
        shown = "\n  ".join(self.violations[:30])
        more = f"\n  ... and {len(self.violations) - 30} more" if len(self.violations) > 30 else ""
        super().__init__(f"{len(self.violations)} violation(s):\n  {shown}{more}")


class RouteOptWarning(UserWarning):
    """The root of routeopt's warnings."""


class CycleWarning(RouteOptWarning):
    """A visit frequency does not divide the planning horizon evenly."""


class CalendarWarning(RouteOptWarning):
    """A year of the horizon that the holiday calendar data does not cover.

    The message names the country and the year. The plan then uses what the
    data computes for that year (or no public holidays at all, outside the
    years it spans) and no make-up working days: give them with ``holidays``
    and ``workdays`` once they are published.
    """


# --- road network (routeopt.matrix.road) ---------------------------------------------
class SnapError(MatrixError):
    """Points that cannot be snapped onto the road network (too far, or cut off).

    :attr:`points` holds their indices in the list given (map them back to
    outlet or rep ids); :attr:`distances_m` their distance to the road network.
    """

    def __init__(self, message: str, *, points: Iterable[int],
                 distances_m: Iterable[float] = ()) -> None:
        super().__init__(message)
        self.points: tuple[int, ...] = tuple(int(i) for i in points)
        self.distances_m: tuple[float, ...] = tuple(float(d) for d in distances_m)


# -- travel matrices from routing services and caches (OSRM, matrix cache) -----------------
#    MatrixError
#     ├── MatrixServiceError                 a routing service failed or answered badly
#     │    └── MatrixServiceUnavailableError (ConnectionError)  cannot connect, or timed out
#     ├── SnapError                          points too far from a road, or on a cut-off piece
#     └── UnreachablePairsError              pairs of points with no route between them
#    RouteOptWarning
#     └── MatrixCacheWarning                 a cache file was unreadable and is recomputed
__all__ += ["MatrixCacheWarning", "MatrixServiceError", "MatrixServiceUnavailableError",
            "UnreachablePairsError"]


class MatrixServiceError(MatrixError):
    """A routing service failed or gave an answer routeopt cannot use.

    :attr:`url` is the request, :attr:`status` the HTTP status and :attr:`code`
    the service's own error code (OSRM's ``TooBig``, ``NoSegment``...), when known.
    """

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None,
                 code: str | None = None) -> None:
        self.url, self.status, self.code = url, status, code
        super().__init__(message)


class MatrixServiceUnavailableError(MatrixServiceError, ConnectionError):
    """The routing service cannot be reached: refused, unknown host, or no answer in time."""


class UnreachablePairsError(MatrixError):
    """Some points cannot be reached from others (no route at all).

    :attr:`pairs` holds ``(from_index, to_index)`` for each such pair.
    """

    def __init__(self, message: str, pairs: Iterable[tuple[int, int]]) -> None:
        self.pairs = tuple(pairs)
        super().__init__(message)


class MatrixCacheWarning(RouteOptWarning):
    """A matrix cache file could not be read; the matrix is computed again."""


# -- geocoding (routeopt.geocode) ------------------------------------------------------------
#    RouteOptError
#     ├── GeocodeError (RuntimeError)          a geocoder failed for one address (after retries)
#     │    └── GeocoderUnavailableError (ConnectionError)  no server there: refused, unknown host
#     ├── GeocoderConfigError (ValueError)     an unknown provider or a bad option
#     └── GeocodeCacheError (OSError)          the cache file is locked, damaged or not ours


class GeocodeError(RouteOptError, RuntimeError):
    """A geocoder failed to answer for one address.

    ``retryable`` says whether asking again later may succeed (a timeout, a
    429, a 5xx); ``retry_after`` is the server's ``Retry-After`` in seconds,
    if it sent one.
    """

    def __init__(self, message: str, *, retryable: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class GeocoderUnavailableError(GeocodeError, ConnectionError):
    """The geocoder cannot be reached at all: the connection is refused or the host unknown.

    Not retried, and not an answer about one address: a table being geocoded
    stops at once (the answers received before are in the cache).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class GeocoderConfigError(RouteOptError, ValueError):
    """An unknown geocoder name or options the geocoder does not take."""


class GeocodeCacheError(RouteOptError, OSError):
    """The geocode cache cannot be used: locked by another process, damaged, or not ours."""


__all__ += ["GeocodeCacheError", "GeocodeError", "GeocoderConfigError",
            "GeocoderUnavailableError"]


# -- plan folders read back (routeopt.replan.read_plan, --previous) ---------------------------
#    InputError
#     └── PlanIntegrityError                  a plan folder that is partial, mixed or damaged


class PlanIntegrityError(InputError):
    """A plan folder that cannot be trusted: its files disagree with its manifest or
    with each other, a file is cut short or damaged, or its format version is unknown.

    Each :class:`Issue` names the file and the mismatch. Nothing is read from such
    a folder: a partial previous plan would silently drop the visits it lacks.
    """


__all__ += ["PlanIntegrityError"]
