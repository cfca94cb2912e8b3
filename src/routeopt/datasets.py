"""Seeded synthetic sales territories, for tests, examples and benchmarks.

:func:`make_territory` builds an outlets table and a reps table in the CSV
contract of :func:`routeopt.read.read_problem`: outlets clustered around a few
towns, of mixed types (pharmacy, supermarket, convenience, clinic, kiosk,
HoReCa) with A/B/C priorities, visit frequencies, service times and opening
hours that depend on the type, and reps who start from home near the towns.

The same arguments always give the same tables, on every platform (numpy's
``default_rng``).

Workload
--------
A rep works 5 days a week and makes about 10 to 14 visits a day. The default
frequency mix (:data:`MIXES` ``["standard"]``) is the usual A/B/C
segmentation: 10 % A accounts (3 % twice a week, 7 % weekly), 30 % B
(every two weeks) and 60 % C (every four weeks). That is 0.43 visits per
outlet and week, so the default of one rep per 150 outlets gives about 12.9
visits per rep-day over a 4-week cycle. The ``"dense"`` mix (10 % A 2/week,
30 % B 1/week, 40 % C 1/2weeks, 20 % C 1/4weeks) needs 0.75 visits per outlet
and week: 22.5 visits per rep-day at 150 outlets per rep, more than a rep can
make (give it about one rep per 80 outlets).

The ``"fmcg"`` mix is fast-moving consumer goods: short visits (10 to 15
minutes, :data:`FMCG_SERVICE_MIN`) up to 35 a day (:data:`FMCG_MAX_VISITS`),
15 % A 2/week, 45 % B 1/week, 30 % C 1/2weeks and 10 % C 1/4weeks. That is
0.925 visits per outlet and week, about 28 visits per rep-day at 150
outlets per rep (3,000 outlets and 20 reps).

:func:`make_planted_territory` builds a dense territory around a plan that
makes every required visit (the plan comes with it, :func:`planted_plan`
times it for :meth:`~routeopt.plan.Plan.validate`): a case whose feasible
visits are known to be all of them.

Planning a single week rounds every fractional frequency up to one visit (see
:class:`~routeopt.exceptions.CycleWarning`), so a 1-week horizon needs 1.03
visits per outlet with the standard mix, 2.4 times the weekly average.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from routeopt.hours import OpeningHours, format_time, parse_time
from routeopt.problem import parse_frequency

if TYPE_CHECKING:
    import pandas as pd

    from routeopt.plan import Plan
    from routeopt.problem import Problem

__all__ = [
    "FMCG_MAX_VISITS",
    "FMCG_SERVICE_MIN",
    "MIXES",
    "OUTLET_COLUMNS",
    "OUTLET_TYPES",
    "PLANTED_COLUMNS",
    "REP_COLUMNS",
    "OutletType",
    "make_planted_territory",
    "make_territory",
    "planted_plan",
]

OUTLET_COLUMNS: tuple[str, ...] = (
    "outlet_id", "name", "lat", "lon", "frequency", "priority", "service_min",
    "opening_hours", "rep_id", "allowed_days", "appointment",
)
REP_COLUMNS: tuple[str, ...] = (
    "rep_id", "name", "lat", "lon", "shift", "working_days", "break", "max_visits", "mode",
)

DEFAULT_START = date(2026, 11, 30)  # a Monday
SHIFT = "08:30-17:30"
WORKING_DAYS = "Mo-Fr"
BREAK = "12:00-14:00/45"
MAX_VISITS = 14
KM_PER_DEG_LAT = 111.32

#: Frequency mixes: (priority, frequency, share of the outlets).
MIXES: dict[str, tuple[tuple[str, str, float], ...]] = {
    "standard": (
        ("A", "2/week", 0.03),
        ("A", "1/week", 0.07),
        ("B", "1/2weeks", 0.30),
        ("C", "1/4weeks", 0.60),
    ),
    "dense": (
        ("A", "2/week", 0.10),
        ("B", "1/week", 0.30),
        ("C", "1/2weeks", 0.40),
        ("C", "1/4weeks", 0.20),
    ),
    "fmcg": (
        ("A", "2/week", 0.15),
        ("B", "1/week", 0.45),
        ("C", "1/2weeks", 0.30),
        ("C", "1/4weeks", 0.10),
    ),
}

#: Visit minutes of the ``"fmcg"`` mix (drawn for every outlet, whatever its type).
FMCG_SERVICE_MIN: tuple[int, ...] = (10, 11, 12, 13, 14, 15)
#: The reps' visit limit per day with the ``"fmcg"`` mix.
FMCG_MAX_VISITS = 35


@dataclass(frozen=True, slots=True)
class OutletType:
    """A kind of outlet: its visit times and opening hours.

    Parameters
    ----------
    name
        The type, e.g. ``pharmacy``.
    labels
        Words for outlet names, one per entry of ``hours``.
    service_min
        Visit minutes to choose from.
    hours
        Opening-hours variants (OpenStreetMap syntax) to choose from.
    """

    name: str
    labels: tuple[str, ...]
    service_min: tuple[int, ...]
    hours: tuple[str, ...]


OUTLET_TYPES: tuple[OutletType, ...] = (
    OutletType("pharmacy", ("Pharmacy", "Pharmacy", "Pharmacy"), (15, 20, 25), (
        "Mo-Fr 08:30-12:30,14:30-19:00; Sa 09:00-12:00",
        "Mo-Fr 08:30-12:30,15:00-19:30; Sa 08:30-12:30",
        "Mo-Sa 08:30-19:30",
    )),
    OutletType("supermarket", ("Supermarket", "Supermarket"), (30, 35, 40, 45), (
        "Mo-Sa 08:00-20:00",
        "Mo-Sa 08:30-20:30; Su 09:00-13:00",
    )),
    OutletType("convenience", ("Minimarket", "Grocery"), (10, 15), (
        "Mo-Sa 07:30-20:00; Su 08:00-13:00",
        "Mo-Fr 08:00-13:00,15:30-19:30; Sa 08:00-13:00",
    )),
    OutletType("clinic", ("Clinic", "Medical Centre"), (20, 25, 30), (
        "Mo-Fr 08:00-12:00,14:00-18:00",
        "Mo-Fr 08:00-18:00",
    )),
    OutletType("kiosk", ("Kiosk", "Newsagent"), (10,), (
        "Mo-Sa 06:30-19:30; Su 07:00-12:30",
        "Mo-Su 06:00-13:00,15:00-19:00",
    )),
    OutletType("horeca", ("Café", "Trattoria", "Bar"), (15, 20), (
        "Mo-Sa 07:00-19:00",
        "Tu-Su 10:00-15:00,18:30-23:00",
        "Mo-Fr 06:30-20:00; Sa 07:00-13:00",
    )),
)
_TYPE_INDEX = {t.name: k for k, t in enumerate(OUTLET_TYPES)}

# Outlet types by priority letter (key accounts are pharmacies and supermarkets).
_TYPE_WEIGHTS: dict[str, dict[str, float]] = {
    "A": {"pharmacy": 0.45, "supermarket": 0.45, "clinic": 0.10},
    "B": {"pharmacy": 0.25, "convenience": 0.25, "clinic": 0.20, "supermarket": 0.10,
          "horeca": 0.20},
    "C": {"horeca": 0.45, "kiosk": 0.20, "convenience": 0.20, "pharmacy": 0.08, "clinic": 0.07},
}

# Allowed-day restrictions that leave room for the frequency (Mo-Fr reps).
_ALLOWED_DAYS: dict[str, tuple[str, ...]] = {
    "2/week": ("Mo,We,Fr", "Tu,Th", "Mo,Th", "Tu,Fr"),
    "1/week": ("Mo", "We", "Tu,Th", "Mo-We", "Th,Fr"),
    "other": ("Tu,Th", "Mo,We,Fr", "We", "Fr", "Mo-We"),
}

_TOWNS = (
    "Alverno", "Belcasto", "Castelmora", "Dorvile", "Erbanno", "Fontesca", "Garlano",
    "Lisorno", "Montebra", "Norvaglia", "Orsenigo", "Pievalle", "Quarzina", "Roverbella",
    "Sanvaro", "Torrazza", "Ulmeta", "Valdessa", "Zerbolo", "Acquarola",
)

ALLOWED_DAYS_SHARE = 0.05
FIXED_REP_SHARE = 0.04
SCATTER_SHARE = 0.10

FloatArray = npt.NDArray[np.float64]


def _counts(shares: Sequence[float], n: int) -> list[int]:
    """Split ``n`` by ``shares`` into whole numbers (largest remainders)."""
    total = float(sum(shares))
    raw = [n * s / total for s in shares]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda k: (-(raw[k] - out[k]), k))
    for k in order[: n - sum(out)]:
        out[k] += 1
    return out


def _visitable_weekdays(hours: OpeningHours, service_s: int, shift: tuple[int, int]
                        ) -> dict[int, list[tuple[int, int]]]:
    """Mo-Fr weekdays with the opening windows (cut to the shift) a visit fits in."""
    out: dict[int, list[tuple[int, int]]] = {}
    for wd in range(5):
        wins = []
        for w in hours.weekly[wd]:
            lo, hi = max(w.start, shift[0]), min(w.end, shift[1])
            if hi - lo >= service_s:
                wins.append((lo, hi))
        if wins:
            out[wd] = wins
    return out


def _disk(rng: np.random.Generator, n: int, radius: float) -> FloatArray:
    """``n`` points uniform in a disk, as (x east, y north) km."""
    r = radius * np.sqrt(rng.random(n))
    a = 2 * np.pi * rng.random(n)
    return np.column_stack([r * np.cos(a), r * np.sin(a)])


def _towns(rng: np.random.Generator, n_outlets: int, radius: float
           ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Town centres (km), their shares of the clustered outlets, their spread (km)."""
    n_towns = int(rng.integers(2 + n_outlets // 400, 5 + n_outlets // 150))
    n_towns = min(n_towns, len(_TOWNS))
    centres: list[FloatArray] = []
    for _ in range(n_towns):
        for _attempt in range(200):
            c = _disk(rng, 1, 0.75 * radius)[0]
            if all(np.hypot(*(c - o)) >= 0.25 * radius for o in centres):
                break
        centres.append(c)
    weights = rng.lognormal(0.0, 0.7, n_towns)
    weights /= weights.sum()
    spread = radius * (0.04 + 0.12 * np.sqrt(weights))
    return np.array(centres), weights, spread


def _kmeans(rng: np.random.Generator, xy: FloatArray, k: int, iters: int = 20) -> FloatArray:
    """Centres of ``k`` groups of ``xy`` (Lloyd's algorithm, seeded start)."""
    centres = xy[rng.choice(len(xy), size=k, replace=k > len(xy))].copy()
    for _ in range(iters):
        d = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        label = d.argmin(axis=1)
        for j in range(k):
            members = xy[label == j]
            if len(members):
                centres[j] = members.mean(axis=0)
    return centres


def make_territory(
    n_outlets: int,
    n_reps: int | None = None,
    *,
    seed: int = 0,
    center: tuple[float, float] = (45.46, 9.19),
    radius_km: float = 25.0,
    appointments: int = 0,
    start: date | None = None,
    mix: str | Sequence[tuple[str, str, float]] = "standard",
    service_min: Sequence[int] | None = None,
    max_visits: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make a realistic, seeded sales territory: an outlets table and a reps table.

    Outlets are drawn in Gaussian clusters around a seeded number of towns
    (2 to 4 for 100 outlets, 4 to 10 for 1,000) within ``radius_km`` of
    ``center``, plus 10 % scattered over the whole area. Each gets a priority
    and frequency from ``mix`` (in exact shares, largest remainder), a type
    that depends on its priority (A: pharmacies, supermarkets and clinics; C
    mostly HoReCa, kiosks and convenience stores), a service time and opening
    hours that depend on its type (pharmacies and clinics close for lunch).
    About 5 % of outlets may only be visited on some weekdays and 4 % are
    fixed to the rep nearest to them. Reps start and end their day at home,
    near the centre of their share of the outlets (k-means), and work
    08:30-17:30 Monday to Friday with a 45-minute break within 12:00-14:00,
    at most 14 visits a day (35 with ``mix="fmcg"``), by car.

    Parameters
    ----------
    n_outlets
        Number of outlets (>= 1).
    n_reps
        Number of reps; ``max(1, round(n_outlets / 150))`` if omitted, about
        12.9 visits per rep-day over a 4-week cycle with the standard mix.
    seed
        Random seed; the same arguments give identical tables. The outlets do
        not depend on ``n_reps`` (their ``rep_id`` aside), and appointments are
        drawn last, so ``appointments`` changes no other cell.
    center
        (lat, lon) of the territory, WGS-84 degrees.
    radius_km
        Radius of the territory.
    appointments
        Number of outlets given an appointment: a 30-minute start window on
        a weekday of the first week from ``start`` on which the outlet is
        open and the visit fits in one opening window and the shift.
    start
        First date of the plan the appointments are for (default 2026-11-30,
        a Monday).
    mix
        ``"standard"``, ``"dense"``, ``"fmcg"`` (see :data:`MIXES`), or a
        sequence of ``(priority, frequency, share)``.
    service_min
        Visit minutes to draw every outlet's service time from, whatever its
        type; omitted, the type's own (``"fmcg"``: :data:`FMCG_SERVICE_MIN`).
    max_visits
        The reps' visit limit per day; omitted, 14 (``"fmcg"``:
        :data:`FMCG_MAX_VISITS`).

    Returns
    -------
    outlets, reps : pandas.DataFrame
        Columns :data:`OUTLET_COLUMNS` and :data:`REP_COLUMNS`, the contract
        of :func:`routeopt.read.read_problem`. Empty cells are ``""``.

    Raises
    ------
    ValueError
        For a size, radius, centre or mix out of range, or more appointments
        than outlets that can take one.

    Examples
    --------
    >>> from routeopt.datasets import make_territory
    >>> from routeopt.read import read_problem
    >>> outlets, reps = make_territory(300, seed=1, appointments=3)
    >>> len(outlets), len(reps)
    (300, 2)
    >>> outlets["frequency"].value_counts().sort_index().to_dict()
    {'1/2weeks': 90, '1/4weeks': 180, '1/week': 21, '2/week': 9}
    >>> outlets.loc[2, ["name", "frequency", "priority", "opening_hours"]].tolist()
    ['Clinic Belcasto 1', '1/2weeks', 'B', 'Mo-Fr 08:00-12:00,14:00-18:00']
    >>> reps.loc[0, ["shift", "working_days", "break", "mode"]].tolist()
    ['08:30-17:30', 'Mo-Fr', '12:00-14:00/45', 'drive']
    >>> problem = read_problem(outlets, reps, start="2026-11-30", weeks=4)
    >>> problem.required_visits, problem.required_visits / (2 * 20)
    (516, 12.9)
    >>> outlets.loc[outlets["appointment"] != "", "appointment"].tolist()
    ['2026-12-02 13:15-13:45', '2026-12-01 11:30-12:00', '2026-12-04 12:30-13:00']
    """
    import pandas as pd

    if isinstance(n_outlets, bool) or not isinstance(n_outlets, int | np.integer) or n_outlets < 1:
        raise ValueError(f"n_outlets must be a whole number >= 1, not {n_outlets!r}")
    n = int(n_outlets)
    n_reps = max(1, round(n / 150)) if n_reps is None else n_reps
    if isinstance(n_reps, bool) or not isinstance(n_reps, int | np.integer) or n_reps < 1:
        raise ValueError(f"n_reps must be a whole number >= 1, not {n_reps!r}")
    n_reps = int(n_reps)
    if not (math.isfinite(radius_km) and radius_km > 0):
        raise ValueError(f"radius_km must be > 0, not {radius_km!r}")
    lat0, lon0 = center
    if not (-80 <= lat0 <= 80 and -180 <= lon0 <= 180):
        raise ValueError(f"center {center!r} must be (lat, lon) with |lat| <= 80")
    if appointments < 0:
        raise ValueError(f"appointments must be >= 0, not {appointments!r}")
    rows = MIXES[mix] if isinstance(mix, str) and mix in MIXES else mix
    if isinstance(rows, str) or not rows:
        raise ValueError(f"unknown mix {mix!r}; use one of {sorted(MIXES)} or "
                         "a sequence of (priority, frequency, share)")
    for pri, freq, share in rows:
        if pri not in ("A", "B", "C") or share < 0:
            raise ValueError(f"mix row {(pri, freq, share)!r}: priority must be A, B or C "
                             "and share >= 0")
        if not 0 < parse_frequency(freq) <= 2:
            raise ValueError(f"mix row {(pri, freq, share)!r}: frequency must be > 0 and "
                             "at most 2/week")
    if service_min is None and isinstance(mix, str) and mix == "fmcg":
        service_min = FMCG_SERVICE_MIN
    if max_visits is None:
        max_visits = FMCG_MAX_VISITS if isinstance(mix, str) and mix == "fmcg" else MAX_VISITS
    minutes = None if service_min is None else np.asarray(service_min, dtype=np.int64)
    if minutes is not None and (minutes.ndim != 1 or not len(minutes) or minutes.min() < 1):
        raise ValueError(f"service_min must be whole minutes >= 1, not {service_min!r}")
    if isinstance(max_visits, bool) or not isinstance(max_visits, int) or max_visits < 1:
        raise ValueError(f"max_visits must be a whole number >= 1, not {max_visits!r}")
    start_d = start if start is not None else DEFAULT_START
    rng = np.random.default_rng(seed)
    km_per_deg_lon = KM_PER_DEG_LAT * math.cos(math.radians(lat0))

    # -- places -----------------------------------------------------------------
    centres, weights, spread = _towns(rng, n, radius_km)
    n_towns = len(weights)
    p = np.append((1 - SCATTER_SHARE) * weights, SCATTER_SHARE)
    town = rng.choice(n_towns + 1, size=n, p=p / p.sum())  # n_towns = scattered
    xy = np.empty((n, 2))
    clustered = town < n_towns
    xy[~clustered] = _disk(rng, int((~clustered).sum()), radius_km)
    idx = np.flatnonzero(clustered)
    xy[idx] = centres[town[idx]] + rng.normal(size=(len(idx), 2)) * spread[town[idx], None]
    for _ in range(20):  # redraw the rare points far outside the territory
        out = np.flatnonzero(clustered & (np.hypot(xy[:, 0], xy[:, 1]) > 1.1 * radius_km))
        if not len(out):
            break
        xy[out] = centres[town[out]] + rng.normal(size=(len(out), 2)) * spread[town[out], None]
    r = np.hypot(xy[:, 0], xy[:, 1])
    too_far = r > 1.1 * radius_km
    xy[too_far] *= (1.1 * radius_km / r[too_far])[:, None]
    # the nearest town names the scattered outlets
    near_town = np.where(
        clustered, town,
        ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1))

    # -- priority, frequency, type, service, hours -------------------------------
    counts = _counts([s for _, _, s in rows], n)
    cls = rng.permutation(np.repeat(np.arange(len(rows)), counts))
    priority = [rows[c][0] for c in cls]
    frequency = [rows[c][1] for c in cls]
    kind = np.empty(n, dtype=np.int64)
    for letter, w in _TYPE_WEIGHTS.items():
        members = np.flatnonzero(np.array(priority) == letter)
        names = list(w)
        probs = np.array([w[t] for t in names])
        picks = rng.choice(len(names), size=len(members), p=probs / probs.sum())
        kind[members] = [_TYPE_INDEX[names[k]] for k in picks]
    service = np.empty(n, dtype=np.int64)
    variant = np.empty(n, dtype=np.int64)
    for k, t in enumerate(OUTLET_TYPES):
        members = np.flatnonzero(kind == k)
        pool = np.array(t.service_min) if minutes is None else minutes
        service[members] = rng.choice(pool, size=len(members))
        variant[members] = rng.integers(len(t.hours), size=len(members))
    hours_text = [OUTLET_TYPES[kind[i]].hours[variant[i]] for i in range(n)]
    labels = [OUTLET_TYPES[kind[i]].labels[variant[i]] for i in range(n)]

    shift = (parse_time(SHIFT[:5]), parse_time(SHIFT[6:]))
    parsed: dict[str, OpeningHours] = {h: OpeningHours.parse(h) for h in set(hours_text)}
    visitable = [_visitable_weekdays(parsed[hours_text[i]], 60 * int(service[i]), shift)
                 for i in range(n)]

    # -- weekday restrictions ----------------------------------------------------
    allowed = [""] * n
    restrict = rng.random(n) < ALLOWED_DAYS_SHARE
    choice_u = rng.random(n)
    for i in map(int, np.flatnonzero(restrict)):
        options = _ALLOWED_DAYS.get(frequency[i], _ALLOWED_DAYS["other"])
        ok = [o for o in options if all(d in visitable[i] for d in _weekdays(o))
              and _fits(frequency[i], o, parsed[hours_text[i]])]
        if ok:
            allowed[i] = ok[int(choice_u[i] * len(ok))]

    # -- reps ------------------------------------------------------------------
    homes = _kmeans(rng, xy, n_reps) + rng.normal(size=(n_reps, 2)) * 0.04 * radius_km
    rep_ids = [f"R{k + 1:02d}" for k in range(n_reps)]
    rep_town = ((homes[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    nearest_rep = ((xy[:, None, :] - homes[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    fixed = rng.random(n) < FIXED_REP_SHARE
    rep_of = [rep_ids[nearest_rep[i]] if fixed[i] else "" for i in range(n)]

    # -- appointments (drawn last: they change nothing else) ----------------------
    appt = [""] * n
    if appointments:
        eligible = [i for i in range(n) if not allowed[i] and any(
            (start_d + timedelta(days=d)).weekday() in visitable[i] for d in range(7))]
        if appointments > len(eligible):
            raise ValueError(f"{appointments} appointments asked for, but only "
                             f"{len(eligible)} outlets can take one")
        busy: dict[tuple[int, date], list[tuple[int, int]]] = {}
        for i in map(int, rng.permutation(eligible)):
            if appointments == 0:
                break
            rep = int(nearest_rep[i])
            km = float(np.hypot(*(xy[i] - homes[rep])))
            text = _appointment(rng, start_d, visitable[i], 60 * int(service[i]), busy, rep,
                                _drive_s(km))
            if text:
                appt[i] = text
                appointments -= 1
        if appointments:
            raise ValueError(f"could not place {appointments} more appointment(s) without "
                             "clashes; ask for fewer")

    # -- tables ------------------------------------------------------------------
    lat = np.round(lat0 + xy[:, 1] / KM_PER_DEG_LAT, 6)
    lon = np.round(lon0 + xy[:, 0] / km_per_deg_lon, 6)
    width = max(4, len(str(n)))
    seen: dict[tuple[str, int], int] = {}
    names = []
    for k in range(n):
        key = (labels[k], int(near_town[k]))
        seen[key] = seen.get(key, 0) + 1
        names.append(f"{labels[k]} {_TOWNS[near_town[k]]} {seen[key]}")
    outlets = pd.DataFrame({
        "outlet_id": [f"T{i + 1:0{width}d}" for i in range(n)],
        "name": names,
        "lat": lat,
        "lon": lon,
        "frequency": frequency,
        "priority": priority,
        "service_min": service,
        "opening_hours": hours_text,
        "rep_id": rep_of,
        "allowed_days": allowed,
        "appointment": appt,
    }, columns=list(OUTLET_COLUMNS))
    reps = pd.DataFrame({
        "rep_id": rep_ids,
        "name": [f"Rep {k + 1} ({_TOWNS[rep_town[k]]})" for k in range(n_reps)],
        "lat": np.round(lat0 + homes[:, 1] / KM_PER_DEG_LAT, 6),
        "lon": np.round(lon0 + homes[:, 0] / km_per_deg_lon, 6),
        "shift": SHIFT,
        "working_days": WORKING_DAYS,
        "break": BREAK,
        "max_visits": max_visits,
        "mode": "drive",
    }, columns=list(REP_COLUMNS))
    return outlets, reps


def _weekdays(text: str) -> list[int]:
    from routeopt.hours import parse_weekdays

    return sorted(parse_weekdays(text))


def _drive_s(km: float) -> int:
    """A generous drive time: 30 km/h over 1.35 times the straight line, plus parking."""
    return round(km * 1.35 / 30 * 3600 + 120)


def _fits(frequency: str, allowed_days: str, hours: OpeningHours) -> bool:
    """Whether the frequency has a route line on the allowed days (a Mo-Fr rep)."""
    from routeopt.patterns import weekday_lines
    from routeopt.problem import Outlet, Rep, VisitRule

    outlet = Outlet("x", 0.0, 0.0, VisitRule.parse(frequency, allowed_days), hours=hours)
    return bool(weekday_lines(outlet, Rep("r", 0.0, 0.0), 1))


def _appointment(rng: np.random.Generator, start: date,
                 visitable: dict[int, list[tuple[int, int]]], service_s: int,
                 busy: dict[tuple[int, date], list[tuple[int, int]]], rep: int,
                 travel_s: int) -> str:
    """An appointment text in the first week from ``start``, or ``""`` if none fits.

    The 30-minute start window plus the visit lies in one opening window, leaves
    ``rep`` the time (``travel_s``, with a 15-minute margin) to come from home
    after the shift starts and to go home before it ends, and is an hour away
    from ``rep``'s other appointments.
    """
    days = [start + timedelta(days=d) for d in range(7)]
    days = [d for d in days if d.weekday() in visitable]
    step = 15 * 60
    slot = 30 * 60
    shift = (parse_time(SHIFT[:5]), parse_time(SHIFT[6:]))
    for day in rng.permutation(np.array(days, dtype=object)):
        taken = busy.setdefault((rep, day), [])
        starts = []
        for lo, hi in visitable[day.weekday()]:
            first = max(lo, shift[0] + travel_s + 900)
            first = -(-first // step) * step
            last = min(hi, shift[1] - travel_s - 900) - service_s - slot
            starts += list(range(first, last + 1, step))
        # keep an hour around other appointments of the same (nearest) rep
        free = [t for t in starts if all(t + slot + service_s + 3600 <= a or t >= b + 3600
                                         for a, b in taken)]
        if not free:
            continue
        t = free[int(rng.integers(len(free)))]
        taken.append((t, t + slot + service_s))
        return f"{day.isoformat()} {format_time(t)}-{format_time(t + slot)}"
    return ""


#: The places of a generated company: (name, share of the outlets, radius in km), a city
#: and its towns. The remaining share is countryside, scattered over the whole region.
_COMPANY_PLACES: tuple[tuple[float, float], ...] = (
    (0.30, 14.0), (0.16, 10.0), (0.10, 8.0), (0.06, 6.0), (0.05, 6.0), (0.04, 5.0),
    (0.035, 4.0), (0.03, 4.0), (0.03, 4.0), (0.025, 3.5), (0.02, 3.0), (0.02, 3.0),
)
COUNTRYSIDE_SHARE = 0.095


def make_company(
    n_outlets: int = 15_000,
    n_reps: int = 50,
    *,
    seed: int = 0,
    center: tuple[float, float] = (30.60, 114.30),
    radius_km: float = 120.0,
    mix: str | Sequence[tuple[str, str, float]] = "standard",
    service_min: Sequence[int] = (10, 12, 15),
    max_visits: int = 30,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make a whole sales company: outlets in cities, towns and countryside, and its reps.

    The region (``radius_km`` around ``center``) holds twelve places of
    decreasing size, from a city of 30 % of the outlets to towns of 2 %,
    plus 9.5 % of the outlets in the countryside between them. Each place is
    a :func:`make_territory` of its own (its outlets' classes, frequencies,
    visit times and opening hours, clustered around its quarters), the
    countryside is one spread over the whole region. Reps are shared out to
    the places by their share of the outlets (largest remainder: a small
    town may have none living there), and live near their outlets.
    Outlet ids are ``C00001``..., rep ids ``R001``...; ``rep_id`` (a fixed
    rep) is left empty: the territory design chooses reps.

    Parameters
    ----------
    n_outlets, n_reps
        The company's size (the default, 15,000 outlets and 50 reps, is about
        12.9 visits per rep-day with the standard mix over 4 weeks).
    seed
        Random seed; the same arguments give identical tables.
    center, radius_km
        The region: WGS-84 ``(lat, lon)`` and radius (default: around Wuhan).
    mix
        The frequency mix, as for :func:`make_territory`.
    service_min
        Visit minutes, drawn for each outlet.
    max_visits
        The reps' visit limit per day.

    Returns
    -------
    outlets, reps : pandas.DataFrame
        As :func:`make_territory`, with an extra ``place`` column on the
        outlets (the city, town or ``countryside``).

    Examples
    --------
    >>> outlets, reps = make_company(1_500, 5, seed=2)
    >>> len(outlets), len(reps), outlets["outlet_id"].is_unique
    (1500, 5, True)
    >>> outlets["place"].value_counts().index[0]
    'place 1'
    """
    import pandas as pd

    if isinstance(n_outlets, bool) or not isinstance(n_outlets, int) or n_outlets < 20:
        raise ValueError(f"n_outlets must be a whole number >= 20, not {n_outlets!r}")
    if isinstance(n_reps, bool) or not isinstance(n_reps, int) or n_reps < 1:
        raise ValueError(f"n_reps must be a whole number >= 1, not {n_reps!r}")
    rng = np.random.default_rng(seed)
    shares = [s for s, _ in _COMPANY_PLACES] + [COUNTRYSIDE_SHARE]
    sizes = _counts(shares, n_outlets)
    places = len(_COMPANY_PLACES)
    rep_counts = _counts(shares, n_reps)
    lat0, lon0 = center
    km_lon = KM_PER_DEG_LAT * math.cos(math.radians(lat0))
    centres: list[FloatArray] = []
    for _ in range(places):
        for _attempt in range(500):
            c = _disk(rng, 1, 0.8 * radius_km)[0]
            if all(np.hypot(*(c - o)) >= 0.3 * radius_km for o in centres):
                break
        centres.append(c)
    outlet_frames, rep_frames = [], []
    for k in range(places + 1):
        if sizes[k] == 0:
            continue
        if k < places:
            c, r = centres[k], _COMPANY_PLACES[k][1]
            place = f"place {k + 1}"
        else:
            c, r = np.zeros(2), radius_km
            place = "countryside"
        where = (round(lat0 + c[1] / KM_PER_DEG_LAT, 6), round(lon0 + c[0] / km_lon, 6))
        o, p = make_territory(sizes[k], max(1, rep_counts[k]), seed=seed * 1009 + k,
                              center=where, radius_km=r, mix=mix)
        o = o.assign(place=place, rep_id="")
        outlet_frames.append(o)
        rep_frames.append(p.head(rep_counts[k]))  # a small place may have no rep living there
    outlets = pd.concat(outlet_frames, ignore_index=True)
    reps = pd.concat(rep_frames, ignore_index=True)
    outlets["service_min"] = rng.choice(np.asarray(service_min, dtype=np.int64), len(outlets))
    reps["shift"] = "08:00-18:00"
    reps["max_visits"] = max_visits
    width = max(5, len(str(n_outlets)))
    outlets["outlet_id"] = [f"C{i + 1:0{width}d}" for i in range(len(outlets))]
    reps["rep_id"] = [f"R{k + 1:03d}" for k in range(len(reps))]
    reps["name"] = [f"Rep {k + 1}" for k in range(len(reps))]
    return outlets, reps


# -- a territory with a known full plan ----------------------------------------------
#: The route lines of the planted plans, per frequency: (weekday, week of the
#: 4-week cycle) visit days, one tuple per line (a Mo-Fr rep; weekday 0 = Monday).
#: Every weekday takes the same share of each frequency's lines.
_PLANTED_LINES: dict[str, tuple[tuple[tuple[int, int], ...], ...]] = {
    "2/week": tuple(tuple((d, w) for w in range(4) for d in pair)
                    for pair in ((0, 2), (1, 3), (2, 4), (0, 3), (1, 4))),
    "1/week": tuple(tuple((d, w) for w in range(4)) for d in range(5)),
    "1/2weeks": tuple(((d, p), (d, p + 2)) for p in range(2) for d in range(5)),
    "1/4weeks": tuple(((d, w),) for w in range(4) for d in range(5)),
}
#: Columns of the planted plan (:func:`make_planted_territory`'s third table).
PLANTED_COLUMNS: tuple[str, ...] = ("rep_id", "date", "order", "outlet_id", "start")


def _timeline(dur: Callable[[int, int], int], home: int, end: int, nodes: Sequence[int],
              service: Sequence[int], shift: tuple[int, int], lunch: tuple[int, int, int],
              windows: Sequence[Sequence[tuple[int, int]]] | None = None,
              ) -> tuple[list[int], list[int], int | None, int] | None:
    """Time a day's visits in the given order, earliest start, break at noon.

    The visit ``k`` goes to node ``nodes[k]`` and lasts ``service[k]`` s,
    starting at arrival or at the first of ``windows[k]`` (opening windows,
    ``None``: always open) it fits in. The break (window from, to, duration)
    is taken before the first trip that would arrive after the break window
    opens, as soon as the visit before it ends (or when the window opens), or
    before the way home. Returns (arrivals, starts, break start or ``None``,
    back home) or ``None`` when a visit does not fit its windows, the break its
    window, or the day its shift.
    """
    lo, hi, length = lunch
    t, prev = shift[0], home
    brk: int | None = None
    arrivals, starts = [], []

    def rest(t: int, tt: int) -> int | None:
        nonlocal brk
        if brk is None and t + tt > lo:
            brk = max(t, lo)
            if brk + length > hi:
                return None
            return brk + length
        return t

    for k, node in enumerate(nodes):
        tt = dur(prev, node)
        got = rest(t, tt)
        if got is None:
            return None
        arrive = got + tt
        begin = arrive
        if windows is not None:
            fit = [max(arrive, a) for a, b in windows[k] if max(arrive, a) + service[k] <= b]
            if not fit:
                return None
            begin = min(fit)
        arrivals.append(arrive)
        starts.append(begin)
        t, prev = begin + service[k], node
    tt = dur(prev, end)
    got = rest(t, tt)
    if got is None or got + tt > shift[1]:
        return None
    return arrivals, starts, brk, got + tt


def _lookup(matrix: npt.NDArray[np.int64]) -> Callable[[int, int], int]:
    """Travel seconds from a matrix, as a function of two node indices."""
    return lambda a, b: int(matrix[a, b])


def _tour(xy: FloatArray, home: FloatArray) -> list[int]:
    """A short round trip from ``home`` through the points ``xy`` (nearest
    neighbour, then 2-opt), as indices into ``xy``."""
    pts = np.vstack([home[None, :], xy])
    n = len(pts)
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    order = [0]
    left = set(range(1, n))
    while left:
        last = order[-1]
        nxt = min(left, key=lambda j: (d[last, j], j))
        order.append(nxt)
        left.remove(nxt)
    order.append(0)
    tour = np.array(order)
    improved = True
    while improved:
        improved = False
        for i in range(1, n - 1):
            a, b = tour[i - 1], tour[i]
            c, e = tour[i:-1], tour[i + 1:]
            gain = d[a, b] + d[c, e] - d[a, c] - d[b, e]
            j = int(np.argmax(gain))
            if gain[j] > 1e-9:
                tour[i:i + j + 1] = tour[i:i + j + 1][::-1]
                improved = True
    return [int(k) - 1 for k in tour[1:-1]]


def make_planted_territory(
    n_reps: int = 20,
    outlets_per_rep: int = 150,
    *,
    seed: int = 0,
    center: tuple[float, float] = (45.46, 9.19),
    radius_km: float = 25.0,
    start: date | None = None,
    mix: str | Sequence[tuple[str, str, float]] = "fmcg",
    service_min: Sequence[int] = FMCG_SERVICE_MIN,
    max_visits: int = FMCG_MAX_VISITS,
    slack_min: int = 20,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Make a dense territory together with a plan that visits every outlet as asked.

    The plan is built first and the outlets are placed along it, so that a
    4-week plan serving every required visit is known to exist. Each rep lives
    somewhere in the territory (at least a fifth of ``radius_km`` from the
    others where possible) and gets ``outlets_per_rep`` outlets with the
    frequencies of ``mix`` (exact shares, largest remainder), each on a route
    line of its own (twice-a-week outlets on two weekdays two or three days
    apart, the others on one weekday, in a week of their block), shared out
    evenly over the weekdays. The outlets of a
    weekday lie in that weekday's sector around the rep's home; the
    twice-a-week outlets lie nearer home, between the sectors of their two
    weekdays. Each of the rep's 20 days visits its outlets in the order of a
    short round trip (nearest neighbour, 2-opt) timed with the default
    great-circle matrix (30 km/h, detour 1.35, 2 minutes per trip), from
    08:30, with the 45-minute break within 12:00-14:00; the rep's whole area
    is scaled (bisection) until the busiest of its days ends ``slack_min``
    minutes before 17:30. Finally each outlet gets a type (by its priority,
    as :func:`make_territory`) and, among that type's opening hours, one
    drawn from those that hold all its planted visits (every type has one
    that is open all day).

    Parameters
    ----------
    n_reps
        Number of reps (>= 1).
    outlets_per_rep
        Outlets per rep (>= 1); ``n_reps * outlets_per_rep`` in all.
    seed
        Random seed; the same arguments give identical tables.
    center, radius_km
        The territory (WGS-84 ``(lat, lon)``) the reps' homes lie in.
    start
        The plan's first date, a Monday (default 2026-11-30).
    mix
        A mix of :data:`MIXES` or rows ``(priority, frequency, share)``, the
        frequencies among ``2/week``, ``1/week``, ``1/2weeks`` and ``1/4weeks``.
    service_min
        Visit minutes to draw each outlet's service time from.
    max_visits
        The reps' visit limit per day; a planted day never exceeds it.
    slack_min
        Idle minutes the busiest day of each rep keeps before the end of its
        shift (the smaller, the tighter and denser the case).

    Returns
    -------
    outlets, reps : pandas.DataFrame
        As :func:`make_territory` (no weekday restrictions, fixed reps or
        appointments).
    planted : pandas.DataFrame
        The known plan, columns :data:`PLANTED_COLUMNS`: one row per visit
        with its rep, ISO date, place in the day's route (from 1), outlet and
        planned start (``HH:MM``). :func:`planted_plan` times it into a
        :class:`~routeopt.plan.Plan` that :meth:`~routeopt.plan.Plan.validate`
        checks.

    Raises
    ------
    ValueError
        For a size, mix, start or cap out of range, or a rep that cannot fit
        its days even with its outlets at its home.

    Examples
    --------
    >>> from routeopt.datasets import make_planted_territory, planted_plan
    >>> from routeopt.read import read_problem
    >>> outlets, reps, planted = make_planted_territory(2, 60, seed=1)
    >>> len(outlets), len(reps), len(planted)
    (120, 2, 444)
    >>> problem = read_problem(outlets, reps, start="2026-11-30", weeks=4)
    >>> problem.required_visits
    444
    >>> plan = planted_plan(problem, planted).validate()
    >>> plan.kpis()["coverage"], max(len(r.stops) for r in plan.routes) <= 35
    (1.0, True)
    """
    import pandas as pd

    if isinstance(n_reps, bool) or not isinstance(n_reps, int) or n_reps < 1:
        raise ValueError(f"n_reps must be a whole number >= 1, not {n_reps!r}")
    if (isinstance(outlets_per_rep, bool) or not isinstance(outlets_per_rep, int)
            or outlets_per_rep < 1):
        raise ValueError(f"outlets_per_rep must be a whole number >= 1, not {outlets_per_rep!r}")
    rows = MIXES[mix] if isinstance(mix, str) and mix in MIXES else mix
    if isinstance(rows, str) or not rows:
        raise ValueError(f"unknown mix {mix!r}; use one of {sorted(MIXES)} or rows")
    for pri, freq, share in rows:
        if pri not in ("A", "B", "C") or share < 0 or freq not in _PLANTED_LINES:
            raise ValueError(f"mix row {(pri, freq, share)!r}: priority A, B or C, share >= 0 "
                             f"and a frequency among {sorted(_PLANTED_LINES)}")
    if isinstance(max_visits, bool) or not isinstance(max_visits, int) or max_visits < 1:
        raise ValueError(f"max_visits must be a whole number >= 1, not {max_visits!r}")
    start_d = start if start is not None else DEFAULT_START
    if start_d.weekday() != 0:
        raise ValueError(f"start must be a Monday, not {start_d}")
    minutes = np.asarray(service_min, dtype=np.int64)
    if minutes.ndim != 1 or not len(minutes) or minutes.min() < 1:
        raise ValueError(f"service_min must be whole minutes >= 1, not {service_min!r}")
    from routeopt.matrix import GreatCircle

    rng = np.random.default_rng(seed)
    lat0, lon0 = center
    km_lon = KM_PER_DEG_LAT * math.cos(math.radians(lat0))
    shift = (parse_time(SHIFT[:5]), parse_time(SHIFT[6:]))
    lunch = (parse_time(BREAK[:5]), parse_time(BREAK[6:11]), 60 * int(BREAK[12:]))
    provider = GreatCircle()
    per_rep = radius_km / math.sqrt(n_reps)  # the radius of a rep's share of the territory

    homes: list[FloatArray] = []
    for _ in range(n_reps):
        for _attempt in range(200):
            h = _disk(rng, 1, 0.8 * radius_km)[0]
            if all(np.hypot(*(h - o)) >= 0.2 * radius_km for o in homes):
                break
        homes.append(h)

    counts = _counts([s for _, _, s in rows], outlets_per_rep)
    xy_all: list[FloatArray] = []
    info: list[tuple[int, int, tuple[tuple[int, int], ...], int]] = []  # rep, row, line, svc
    days_all: list[dict[tuple[int, int], list[int]]] = []
    for k in range(n_reps):
        phase = rng.random() * 2 * np.pi
        unit = np.empty((outlets_per_rep, 2))
        lines: list[tuple[tuple[int, int], ...]] = []
        cls: list[int] = []
        for c, m in enumerate(counts):
            options = _PLANTED_LINES[rows[c][1]]
            offset = int(rng.integers(len(options)))
            lines += [options[(offset + j) % len(options)] for j in range(m)]
            cls += [c] * m
        for j, line in enumerate(lines):
            wds = sorted({d for d, _ in line})
            if len(wds) == 2:  # near home, between the two weekdays' sectors
                a, b = (2 * np.pi * wd / 5 for wd in wds)
                if b - a > np.pi:
                    a += 2 * np.pi
                ang = phase + (a + b) / 2 + rng.uniform(-0.3, 0.3)
                rad = 0.35 * math.sqrt(rng.random())
            else:
                ang = phase + 2 * np.pi * wds[0] / 5 + rng.uniform(-np.pi / 5, np.pi / 5)
                rad = math.sqrt(rng.uniform(0.1 ** 2, 1.0))
            unit[j] = (rad * math.cos(ang), rad * math.sin(ang))
        svc = 60 * rng.choice(minutes, size=outlets_per_rep)
        days: dict[tuple[int, int], list[int]] = {}
        for j, line in enumerate(lines):
            for d, w in line:
                days.setdefault((w, d), []).append(j)
        if max(len(v) for v in days.values()) > max_visits:
            raise ValueError(f"rep {k + 1}: a day of {max(len(v) for v in days.values())} "
                             f"visits is over max_visits={max_visits}; use fewer outlets")
        orders = {key: [members[i] for i in _tour(unit[members], np.zeros(2))]
                  for key, members in days.items()}

        def place(scale: float, k: int = k, unit: FloatArray = unit) -> FloatArray:
            return homes[k][None, :] + scale * per_rep * np.vstack([unit, np.zeros((1, 2))])

        def fits(scale: float, svc: npt.NDArray[np.int64] = svc,
                 orders: dict[tuple[int, int], list[int]] = orders) -> bool:
            xy = place(scale)
            lat = np.round(lat0 + xy[:, 1] / KM_PER_DEG_LAT, 6)
            lon = np.round(lon0 + xy[:, 0] / km_lon, 6)
            from routeopt._types import Location

            tm = provider.matrix([Location(float(a), float(b)) for a, b in zip(lat, lon,
                                                                              strict=True)],
                                 "drive").durations
            home = len(xy) - 1
            latest = (shift[0], shift[1] - 60 * slack_min)
            return all(_timeline(_lookup(tm), home, home, seq,
                                 [int(svc[i]) for i in seq], latest, lunch) is not None
                       for seq in orders.values())

        lo_s, hi_s = 0.0, 2.0
        if not fits(lo_s):
            raise ValueError(f"rep {k + 1}: its days do not fit the shift even with every "
                             "outlet at home; use fewer outlets, shorter visits or less slack")
        if fits(hi_s):
            lo_s = hi_s
        for _ in range(16):
            mid = (lo_s + hi_s) / 2
            lo_s, hi_s = (mid, hi_s) if fits(mid) else (lo_s, mid)
        xy_all.append(place(lo_s)[:-1])
        for j in range(outlets_per_rep):
            info.append((k, cls[j], lines[j], int(svc[j])))
        days_all.append(orders)

    # the outlets' order in the tables says nothing about the plan
    n = n_reps * outlets_per_rep
    perm = rng.permutation(n)  # table row of each outlet
    xy = np.vstack(xy_all)
    lat = np.round(lat0 + xy[:, 1] / KM_PER_DEG_LAT, 6)
    lon = np.round(lon0 + xy[:, 0] / km_lon, 6)
    home_xy = np.array(homes)
    home_lat = np.round(lat0 + home_xy[:, 1] / KM_PER_DEG_LAT, 6)
    home_lon = np.round(lon0 + home_xy[:, 0] / km_lon, 6)

    # time the planted days: each outlet's visit intervals per weekday
    from routeopt._types import Location

    busy: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    planted_rows: list[tuple[int, date, int, int, int]] = []
    for k in range(n_reps):
        members = np.arange(k * outlets_per_rep, (k + 1) * outlets_per_rep)
        pts = [Location(float(lat[i]), float(lon[i])) for i in members]
        pts.append(Location(float(home_lat[k]), float(home_lon[k])))
        tm = provider.matrix(pts, "drive").durations
        home = len(pts) - 1
        for (w, d), seq in sorted(days_all[k].items()):
            svc_seq = [info[int(members[j])][3] for j in seq]
            got = _timeline(_lookup(tm), home, home, seq, svc_seq,
                            shift, lunch)
            assert got is not None  # the scale was chosen so that it fits
            day = start_d + timedelta(days=7 * w + d)
            for pos, (j, t0) in enumerate(zip(seq, got[1], strict=True)):
                i = int(members[j])
                busy[i].append((d, t0, t0 + svc_seq[pos]))
                planted_rows.append((k, day, pos + 1, i, t0))

    # types and opening hours that hold every planted visit
    hours = {h: OpeningHours.parse(h) for t in OUTLET_TYPES for h in t.hours}
    kinds: list[int] = []
    variants: list[int] = []
    for i in range(n):
        letter = rows[info[i][1]][0]
        weights = _TYPE_WEIGHTS[letter]
        names = list(weights)
        probs = np.array([weights[t] for t in names])
        first = names[int(rng.choice(len(names), p=probs / probs.sum()))]
        for tname in [first, *[t for t in names if t != first]]:
            t = OUTLET_TYPES[_TYPE_INDEX[tname]]
            ok = [v for v, h in enumerate(t.hours)
                  if all(any(win.start <= a and b <= win.end for win in hours[h].weekly[d])
                         for d, a, b in busy[i])]
            if ok:
                kinds.append(_TYPE_INDEX[tname])
                variants.append(ok[int(rng.integers(len(ok)))])
                break
        else:  # pragma: no cover - every type has hours open all through the shift
            raise AssertionError("no opening hours hold the planted visits")

    width = max(4, len(str(n)))
    ids = [f"T{int(perm[i]) + 1:0{width}d}" for i in range(n)]
    seen: dict[tuple[str, int], int] = {}
    names_out = [""] * n
    for i in np.argsort(perm):
        label = OUTLET_TYPES[kinds[i]].labels[variants[i]]
        town = info[i][0] % len(_TOWNS)
        seen[(label, town)] = seen.get((label, town), 0) + 1
        names_out[i] = f"{label} {_TOWNS[town]} {seen[(label, town)]}"
    outlets = pd.DataFrame({
        "outlet_id": ids,
        "name": names_out,
        "lat": lat,
        "lon": lon,
        "frequency": [rows[info[i][1]][1] for i in range(n)],
        "priority": [rows[info[i][1]][0] for i in range(n)],
        "service_min": [info[i][3] // 60 for i in range(n)],
        "opening_hours": [OUTLET_TYPES[kinds[i]].hours[variants[i]] for i in range(n)],
        "rep_id": "",
        "allowed_days": "",
        "appointment": "",
    }, columns=list(OUTLET_COLUMNS))
    outlets = outlets.iloc[np.argsort(perm)].reset_index(drop=True)
    rep_ids = [f"R{k + 1:02d}" for k in range(n_reps)]
    reps = pd.DataFrame({
        "rep_id": rep_ids,
        "name": [f"Rep {k + 1} ({_TOWNS[k % len(_TOWNS)]})" for k in range(n_reps)],
        "lat": home_lat,
        "lon": home_lon,
        "shift": SHIFT,
        "working_days": WORKING_DAYS,
        "break": BREAK,
        "max_visits": max_visits,
        "mode": "drive",
    }, columns=list(REP_COLUMNS))
    planted_rows.sort(key=lambda r: (r[0], r[1], r[2]))
    planted = pd.DataFrame({
        "rep_id": [rep_ids[r[0]] for r in planted_rows],
        "date": [r[1].isoformat() for r in planted_rows],
        "order": [r[2] for r in planted_rows],
        "outlet_id": [ids[r[3]] for r in planted_rows],
        "start": [format_time(r[4]) for r in planted_rows],
    }, columns=list(PLANTED_COLUMNS))
    return outlets, reps, planted


def planted_plan(problem: Problem, planted: pd.DataFrame) -> Plan:
    """Time a plan given as visit orders into a :class:`~routeopt.plan.Plan`.

    Each rep-date of ``planted`` (columns ``rep_id``, ``date``, ``order`` and
    ``outlet_id`` of :data:`PLANTED_COLUMNS`) becomes a route that leaves at
    the start of the shift, visits the outlets in ``order`` at the earliest
    (waiting for an outlet to open), takes the break before the first trip
    that would arrive after its window opens (or before the way home), with
    travel from ``problem``'s matrices (the default great-circle ones when it
    has none). Required visits missing from ``planted`` are listed as
    unscheduled. The plan is not checked here: call
    :meth:`~routeopt.plan.Plan.validate` (the independent checker).

    Parameters
    ----------
    problem
        The problem the plan is for (e.g. :func:`routeopt.read.read_problem`
        of :func:`make_planted_territory`'s tables, over 4 weeks).
    planted
        The visits, one row each.

    Returns
    -------
    Plan
        The timed routes; ``stats["planted"]`` is ``True``.

    Raises
    ------
    ValueError
        For an unknown rep or outlet, or a day whose visits do not fit (their
        opening hours, the break or the shift).

    Examples
    --------
    >>> from routeopt.datasets import make_planted_territory, planted_plan
    >>> from routeopt.read import read_problem
    >>> outlets, reps, planted = make_planted_territory(1, 40, seed=3)
    >>> problem = read_problem(outlets, reps, start="2026-11-30", weeks=4)
    >>> plan = planted_plan(problem, planted.iloc[1:])  # one visit left out
    >>> plan.kpis()["unscheduled_visits"], plan.violations()
    (1, [])
    """
    from routeopt.plan import Plan, Route, Stop, Unscheduled
    from routeopt.solver._model import build_matrices

    matrices = build_matrices(problem)
    index = {o.id: k for k, o in enumerate(problem.outlets)}
    reps = {r.id: k for k, r in enumerate(problem.reps)}
    n = len(problem.outlets)
    routes: list[Route] = []
    done: dict[str, int] = {}
    frame = planted.sort_values(["rep_id", "date", "order"], kind="stable")
    for (rep_id, day_text), group in frame.groupby(["rep_id", "date"], sort=True):
        if rep_id not in reps:
            raise ValueError(f"unknown rep {rep_id!r}")
        rep = problem.reps[reps[rep_id]]
        day = date.fromisoformat(str(day_text))
        try:
            nodes = [index[str(o)] for o in group["outlet_id"]]
        except KeyError as e:
            raise ValueError(f"unknown outlet {e.args[0]!r}") from None
        tm = matrices[rep.mode]
        dur, dist = tm.durations, tm.distances
        outs = [problem.outlets[i] for i in nodes]
        windows = [[(w.start, w.end) for w in (o.hours.weekly[day.weekday()]
                                                if o.hours is not None else ())]
                   if o.hours is not None else [(0, 86_400)] for o in outs]
        start_node = n + 2 * reps[rep_id]
        lunch = ((rep.lunch.window.start, rep.lunch.window.end, rep.lunch.duration)
                 if rep.lunch is not None else (86_400, 86_400, 0))
        got = _timeline(_lookup(dur), start_node, start_node + 1, nodes,
                        [o.service for o in outs], (rep.shift.start, rep.shift.end), lunch,
                        windows)
        if got is None:
            raise ValueError(f"rep {rep_id} on {day}: the visits do not fit")
        arrivals, starts, brk, back = got
        stops = []
        prev = start_node
        for node, o, a, s in zip(nodes, outs, arrivals, starts, strict=True):
            stops.append(Stop(o.id, a, s, s + o.service, int(dur[prev, node]),
                              int(dist[prev, node])))
            done[o.id] = done.get(o.id, 0) + 1
            prev = node
        routes.append(Route(
            rep_id=rep.id, date=day, depart=rep.shift.start, back=back, stops=tuple(stops),
            return_travel_s=int(dur[prev, start_node + 1]),
            return_distance_m=int(dist[prev, start_node + 1]),
            break_start=brk, break_end=None if brk is None else brk + lunch[2]))
    missing: list[Unscheduled] = []
    for o in problem.outlets:
        for _ in range(problem.visits_of(o) - done.get(o.id, 0)):
            missing.append(Unscheduled(o.id, "no_time", "left out of the given plan",
                                       o.priority))
    return Plan(problem, tuple(routes), tuple(missing), {"planted": True}, matrices)
