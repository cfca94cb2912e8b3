"""Official calendars: public holidays and make-up working days by country and region.

A :class:`Calendar` holds, for one country (and optionally one of its
subdivisions) and the years of a horizon, the dates nobody works by law and
the official *make-up working days*: weekend days that are worked to bridge a
holiday, as China's 调休 (the Saturday before or after a holiday week is a
working day, a weekday of the holiday week a day off in exchange).

The data comes from the ``holidays`` package (the Open World Holidays
Framework, maintained: 250 countries and territories in 0.108, subdivisions
for 36 of them), imported on the first lookup only. For China it carries every day off in lieu and
every make-up working day of the State Council's yearly notices from 2001 on
(the same 2018-2026 dates as the ``chinese-calendar`` package); one source
for every country keeps the codes, the regions and the coverage rules alike.

Coverage
--------
A year outside the years a country's data spans, and for a country that
moves working days (China) a year whose official notice is not in the data
yet (it is published each November for the next year), gives a
:class:`~routeopt.exceptions.CalendarWarning` naming the country and the
year: the plan then uses what the data computes (the fixed and lunar
holidays) and no make-up working days.

Examples
--------
>>> from datetime import date
>>> mc = official_calendar("MC", None, (2026,))
>>> mc.name_of(date(2026, 12, 8)), date(2026, 12, 25) in mc.days_off
('Immaculate Conception', True)
>>> cn = official_calendar("CN", None, (2026,))
>>> date(2026, 2, 14) in cn.workdays, cn.name_of(date(2026, 2, 20))
(True, 'Day off (substituted from 02/14/2026)')
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["Calendar", "official_calendar", "region_problem"]


@dataclass(frozen=True, slots=True)
class Calendar:
    """The official calendar of one region over some years.

    Parameters
    ----------
    country
        ISO 3166-1 alpha-2 code, upper case (``"CN"``, ``"MC"``).
    subdiv
        The subdivision's code as the data names it (``"BY"`` for Bavaria),
        or ``None`` for the national calendar.
    years
        The years looked up.
    holidays
        Public holidays (days off in lieu included) and their names.
    workdays
        Official make-up working days: weekend days that are worked.
    gaps
        The years the data does not cover, in words (each also warned about
        by :func:`official_calendar`'s callers).
    """

    country: str
    subdiv: str | None
    years: tuple[int, ...]
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: frozenset[date] = frozenset()
    gaps: tuple[str, ...] = ()

    @property
    def region(self) -> str:
        """``"CN"`` or ``"ES-CT"``."""
        return self.country if self.subdiv is None else f"{self.country}-{self.subdiv}"

    @property
    def days_off(self) -> frozenset[date]:
        """The public holidays, as a set of dates."""
        return frozenset(self.holidays)

    def name_of(self, day: date) -> str | None:
        """The holiday's name on ``day``, or ``None``."""
        return self.holidays.get(day)


def _module() -> Any:
    try:
        import holidays
    except ImportError as e:  # a dependency, missing only from an install done by hand
        raise ModuleNotFoundError(
            "holiday calendars need the holidays package, a dependency of routeopt: "
            "pip install 'holidays>=0.108' (or reinstall routeopt)", name="holidays") from e
    return holidays


def _class_of(country: str) -> Any:
    mod = _module()
    return mod.country_holidays(country).__class__


def region_problem(country: str, subdiv: str | None) -> str | None:
    """What is wrong with a country and subdivision code, or ``None`` if the data knows them.

    Examples
    --------
    >>> region_problem("MC", None) is None, region_problem("DE", "BY") is None
    (True, True)
    >>> print(region_problem("XX", None))
    unknown country code 'XX'; give an ISO 3166-1 alpha-2 code such as CN, DE, FR, MC or US
    >>> print(region_problem("DE", "ZZ"))  # doctest: +ELLIPSIS
    DE has no subdivision 'ZZ'; use one of ...BW, BY, HB...
    """
    try:
        cls = _class_of(country)
    except NotImplementedError:
        return (f"unknown country code {country!r}; give an ISO 3166-1 alpha-2 code such as "
                "CN, DE, FR, MC or US")
    if subdiv is None:
        return None
    known = tuple(getattr(cls, "subdivisions", ()))
    aliases = tuple(getattr(cls, "subdivisions_aliases", {}) or {})
    if subdiv in known or subdiv in aliases:
        return None
    if not known:
        return (f"{country} has no subdivisions in the calendar data (its public holidays are "
                f"national); give no subdivision for {country}")
    return f"{country} has no subdivision {subdiv!r}; use one of {', '.join(sorted(known))}"


def normal_country(country: str) -> str:
    """The code as the data spells it: upper case, no spaces (``" cn"`` -> ``"CN"``)."""
    return country.strip().upper()


def normal_subdiv(country: str, subdiv: str | None) -> str | None:
    """The subdivision as the data spells it: as given if known, else upper case."""
    if subdiv is None or not subdiv.strip():
        return None
    s = subdiv.strip()
    if s.startswith(f"{country}-"):  # ISO 3166-2 written in full: ES-CT
        s = s[len(country) + 1:]
    try:
        cls = _class_of(country)
    except NotImplementedError:
        return s
    known = set(getattr(cls, "subdivisions", ())) | set(getattr(cls, "subdivisions_aliases", {})
                                                          or {})
    return s if s in known else s.upper()


@functools.lru_cache(maxsize=256)
def official_calendar(country: str, subdiv: str | None, years: tuple[int, ...]) -> Calendar:
    """The public holidays and make-up working days of a region in ``years``.

    Parameters
    ----------
    country, subdiv
        As :func:`region_problem` accepts them (checked first by the
        callers; an unknown code raises ``NotImplementedError`` here).
    years
        The years to look up, e.g. those a horizon touches.

    Returns
    -------
    Calendar
        Its ``gaps`` name the years the data does not cover.

    Notes
    -----
    The make-up days are the data's ``weekend_workdays``. A country's data
    records them year by year from the official notices; for a country that
    has any in its last recorded year, a later year has none recorded yet
    and is a gap.
    """
    mod = _module()
    cls = _class_of(country)
    lo, hi = int(getattr(cls, "start_year", 1)), int(getattr(cls, "end_year", 9999))
    gaps = [f"{country} {y}: the calendar data covers {lo}-{hi} only; no public holidays "
            f"are known for {y}" for y in years if not lo <= y <= hi]
    inside = [y for y in years if lo <= y <= hi]
    data = mod.country_holidays(country, subdiv=subdiv, years=inside) if inside else {}
    holidays = {d: str(n) for d, n in sorted(data.items())} if inside else {}
    workdays = frozenset(getattr(data, "weekend_workdays", ()) or ()) if inside else frozenset()
    recorded = sorted(getattr(data, "special_public_holidays", {}) or {})
    if inside and recorded:
        last = recorded[-1]
        later = [y for y in inside if y > last]
        if later and getattr(mod.country_holidays(country, years=last), "weekend_workdays", None):
            gaps += [f"{country} {y}: the official holidays and make-up working days of {y} "
                     f"are not in the calendar data yet (it has them up to {last}); only the "
                     "fixed and lunar holidays are used, and no make-up working days"
                     for y in later]
    return Calendar(country, subdiv, years, holidays, workdays, tuple(gaps))
