"""One calendar per rep (iCalendar, RFC 5545), whose events survive a re-plan.

:func:`write_calendars` writes ``R1.ics``, ``R2.ics``... into a folder: an
event per visit, with the outlet's name (``SUMMARY``), address (``LOCATION``;
its coordinates when it has none), position (``GEO``) and a description (the
arrival, start and end times, the stop's number, the priority, and the
outlet's ``phone``, ``contact`` and ``purpose`` or ``notes`` columns). The
plan's times are the rep's wall-clock times: they are written in one IANA time
zone (``tz``, by default this machine's), with its ``VTIMEZONE``. A rep
subscribes to the published file (a URL) and the calendar application keeps
it up to date; a re-plan written over it updates the events in place.

The identity of a visit
-----------------------
A plan says which outlet a rep visits on which day; it does not say which
visit of the previous plan a visit continues. That is decided against the
previous calendars (``previous``), per rep and outlet, in this order:

1. A previous event on the same date with the same label (a regular visit,
   ``makeup`` or ``follow_up``) is the same visit; several on one date pair up
   in start order.
2. Then, with the same label and in the same frequency block (the ``k``
   weeks of an ``n/k`` outlet counted from the cycle's start: the week of a
   weekly outlet, the fortnight of a fortnightly one; any date for a one-off
   visit), in date order: the visit moved.
3. Then, whatever the label, in the same block, in date order: a missed visit
   made up later, a frozen visit that became impossible and was planned again
   (as ``changes.csv`` of a re-plan reports them).
4. A previous event left over is a cancellation: it is written again,
   ``STATUS:CANCELLED``, its ``SEQUENCE`` one higher.
5. A visit left over is new. Its UID is ``OUTLET/REP/DATE/N@routeopt``
   (the ids percent-encoded, ``DATE`` the visit's date, ``N`` the first number
   from 1 that no previous event of the calendar has used): it depends on the
   plan alone, never on a clock or a random number.

A continued event keeps its UID. When anything it shows changed (start, end,
status, name, address, position, description), its ``SEQUENCE`` goes up by
one and its ``DTSTAMP`` is the time of the export (``stamp``); otherwise both
stay as they were, so an undisturbed re-plan writes the same file again, byte
for byte. The same visit given to another rep is a cancellation in the first
rep's calendar and a new event in the other's: one calendar, one person.

The previous plan's days before the new plan's first day (the ``today`` of a
re-plan, :attr:`Problem.plan_from <routeopt.problem.Problem.plan_from>`) are
history, not cancellations: their events are copied as they were, for
``keep_days`` days, so that a rep's calendar keeps the visits already made.

``previous`` is the folder of the calendars written last time (or a
:class:`~routeopt.Plan`, or a plan folder: its events are then taken as
written afresh, ``SEQUENCE`` 0). Without it, the UIDs still follow rule 5: an
undisturbed plan gets the same UIDs again, but a moved visit gets a new one
and a dropped visit simply disappears. ``routeopt export --ics`` into the
folder of the previous export uses the calendars it replaces.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routeopt._files import atomic_open
from routeopt._version import __version__
from routeopt.exceptions import InputError, Issue, RouteOptWarning
from routeopt.export._labels import labels
from routeopt.hours import format_time

if TYPE_CHECKING:
    import icalendar

    from routeopt.export._cli import ExportOptions
    from routeopt.plan import Plan
    from routeopt.problem import Outlet

__all__ = ["TimeZoneWarning", "calendar", "time_zone", "write", "write_calendars"]

PRODID: Final = f"-//routeopt//routeopt {__version__}//EN"
X_REP: Final = "X-ROUTEOPT-REP"
X_OUTLET: Final = "X-ROUTEOPT-OUTLET"
X_LABEL: Final = "X-ROUTEOPT-LABEL"
CONFIRMED: Final = "CONFIRMED"
CANCELLED: Final = "CANCELLED"
#: How long the visits already made stay in a calendar, in days before the plan's first day.
KEEP_DAYS: Final = 42
#: How often a subscribed calendar application is asked to fetch the file again.
REFRESH: Final = timedelta(hours=1)


class TimeZoneWarning(RouteOptWarning):
    """This machine has no IANA time zone name: the calendars are written in UTC."""


def _require() -> None:
    """The libraries of the ``reports`` extra that calendars need, or an error naming it."""
    try:
        import icalendar  # noqa: F401
        import tzlocal  # noqa: F401
    except ImportError as e:
        raise ImportError(f'calendars need {e.name}: pip install "routeopt[reports]"') from e


# -- time zones ----------------------------------------------------------------------
def _machine_zone() -> str:
    """This machine's IANA zone name (``TZ``, ``/etc/timezone``, ``/etc/localtime``... as
    tzlocal finds it), or ``UTC`` with a :class:`TimeZoneWarning`."""
    import tzlocal

    try:
        name = tzlocal.get_localzone_name()
    except ZoneInfoNotFoundError as e:  # conflicting settings
        name, why = None, str(e).splitlines()[0]
    else:
        why = "none is set"
    if name:
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError, OSError):
            why = f"{name!r} is not an IANA zone"
    warnings.warn(f"this machine has no IANA time zone name ({why}); the calendars are in UTC. "
                  "Give the reps' zone with --tz (tz=), e.g. Europe/Monaco",
                  TimeZoneWarning, stacklevel=2)
    return "UTC"


def time_zone(name: str | None = None) -> ZoneInfo:
    """The IANA time zone ``name`` (``None``: this machine's).

    Raises
    ------
    InputError
        ``name`` is not an IANA zone; the message suggests the nearest names.

    Warns
    -----
    TimeZoneWarning
        ``name`` is ``None`` and this machine has no zone name: UTC is used.

    Examples
    --------
    >>> time_zone("Asia/Shanghai").key
    'Asia/Shanghai'
    >>> try:
    ...     time_zone("Asia/Shangai")
    ... except InputError as e:
    ...     print(e.issues[0].message)  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    unknown time zone 'Asia/Shangai'; give an IANA zone name
    (did you mean Asia/Shanghai...?), e.g. Europe/Monaco or UTC
    """
    if name is None:
        name = _machine_zone()
    try:
        if not name.strip() or name != name.strip():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        import difflib
        import zoneinfo

        near = difflib.get_close_matches(name, sorted(zoneinfo.available_timezones()), n=3,
                                          cutoff=0.8)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise InputError([Issue(f"unknown time zone {name!r}; give an IANA zone name{hint}, "
                                "e.g. Europe/Monaco or UTC", column="tz")]) from None


# -- events ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Event:
    """One event of a rep's calendar: a visit, or a visit cancelled."""

    uid: str
    rep_id: str
    outlet_id: str
    label: str
    start: datetime  # aware, in the calendar's zone
    end: datetime
    summary: str
    location: str
    description: str
    geo: tuple[float, float] | None
    status: str = CONFIRMED
    sequence: int = 0
    stamp: datetime | None = None  # UTC; None: not written yet

    @property
    def day(self) -> date:
        """The wall-clock date of the start, in the event's own zone."""
        return self.start.date()

    def shown(self) -> tuple[Any, ...]:
        """What a calendar application shows of the event: a change raises its SEQUENCE."""
        return (self.start, self.end, _zone_key(self.start), self.status, self.summary,
                self.location, self.description, self.geo)


def _zone_key(t: datetime) -> str:
    return getattr(t.tzinfo, "key", None) or str(t.tzinfo)


def _attribute(outlet: Outlet | None, *names: str) -> str:
    """The first non-empty of the outlet's extra columns ``names`` (any case)."""
    attrs: Mapping[str, str] = getattr(outlet, "attributes", None) or {}
    lower = {str(k).strip().lower(): str(v).strip() for k, v in attrs.items()}
    return next((lower[n] for n in names if lower.get(n)), "")


def _visit_events(plan: Plan, zone: ZoneInfo, lang: str) -> dict[str, list[_Event]]:
    """The plan's visits as events without a UID yet, per rep."""
    words = labels(lang)
    outlets = {o.id: o for o in plan.problem.outlets}
    out: dict[str, list[_Event]] = defaultdict(list)
    midnight = time()
    for r in plan.routes:
        day0 = datetime.combine(r.date, midnight, tzinfo=zone)
        for seq, s in enumerate(r.stops, start=1):
            o = outlets.get(s.outlet_id)
            lines = [words.get(s.label, s.label)] if s.label else []
            lines += [
                f"{words['arrival']} {format_time(s.arrival)} · {words['start']} "
                f"{format_time(s.start)} · {words['end']} {format_time(s.end)}",
                f"{words['stop']} {seq} · {words['outlet']} {s.outlet_id}",
            ]
            if o is not None:
                lines.append(f"{words['priority']}: {o.priority}")
            for key, names in (("phone", ("phone",)), ("contact", ("contact",)),
                               ("notes", ("purpose", "notes"))):
                if text := _attribute(o, *names):
                    lines.append(f"{words[key]}: {text}")
            location = (o.address or f"{o.lat:.6f}, {o.lon:.6f}") if o is not None else ""
            out[r.rep_id].append(_Event(
                "", r.rep_id, s.outlet_id, s.label,
                day0 + timedelta(seconds=s.start), day0 + timedelta(seconds=s.end),
                (o.name or o.id) if o is not None else s.outlet_id, location, "\n".join(lines),
                (float(o.lat), float(o.lon)) if o is not None else None))
    return out


# -- the identity of a visit -------------------------------------------------------------
def _uid(outlet_id: str, rep_id: str, day: date, n: int) -> str:
    return f"{quote(outlet_id, safe='')}/{quote(rep_id, safe='')}/{day.isoformat()}/{n}@routeopt"


def _pair(prev: list[_Event], new: list[_Event], same: Callable[[_Event], Any]
          ) -> list[tuple[_Event, _Event]]:
    """Pair ``prev`` and ``new`` events with equal ``same(event)``, each group in start
    order; the pairs are removed from both lists."""
    groups: dict[Any, tuple[list[_Event], list[_Event]]] = defaultdict(lambda: ([], []))
    for e in prev:
        groups[same(e)][0].append(e)
    for e in new:
        groups[same(e)][1].append(e)
    pairs: list[tuple[_Event, _Event]] = []
    for a, b in groups.values():
        pairs += zip(sorted(a, key=lambda e: (e.start, e.uid)), sorted(b, key=lambda e: e.start),
                     strict=False)
    for p, n in pairs:
        prev.remove(p)
        new.remove(n)
    return pairs


def _assign(new: list[_Event], prev: list[_Event], *, since: date, keep_from: date,
            stamp: datetime, block: Callable[[str, date], int],
            reserved: set[str]) -> list[_Event]:
    """One rep's events: ``new`` visits matched to the ``prev`` events (the rule of the
    module's docstring), the history kept, the events left over cancelled."""
    out = [e for e in prev if keep_from <= e.day < since]  # history, as it was
    ahead = [e for e in prev if e.day >= since]
    out += [e for e in ahead if e.status == CANCELLED]  # stays cancelled
    active = [e for e in ahead if e.status != CANCELLED]
    by_outlet: dict[str, tuple[list[_Event], list[_Event]]] = defaultdict(lambda: ([], []))
    for e in active:
        by_outlet[e.outlet_id][0].append(e)
    for e in new:
        by_outlet[e.outlet_id][1].append(e)
    fresh: list[_Event] = []
    for oid in sorted(by_outlet):
        p, n = by_outlet[oid]
        def blk(e: _Event, oid: str = oid) -> int:
            return block(oid, e.day)

        pairs = _pair(p, n, lambda e: (e.day, e.label))
        pairs += _pair(p, n, lambda e: (e.label, None if e.label else blk(e)))
        pairs += _pair(p, n, blk)
        for old, now in pairs:
            e = dataclasses.replace(now, uid=old.uid)
            if e.shown() == old.shown() and old.stamp is not None:
                out.append(dataclasses.replace(e, sequence=old.sequence, stamp=old.stamp))
            else:
                out.append(dataclasses.replace(e, sequence=old.sequence + 1, stamp=stamp))
        out += [dataclasses.replace(e, status=CANCELLED, sequence=e.sequence + 1, stamp=stamp)
                for e in p]
        fresh += n
    for e in sorted(fresh, key=lambda e: (e.start, e.outlet_id, e.label)):
        k = 1
        while (uid := _uid(e.outlet_id, e.rep_id, e.day, k)) in reserved:
            k += 1
        reserved.add(uid)
        out.append(dataclasses.replace(e, uid=uid, stamp=stamp))
    return sorted(out, key=lambda e: (e.start, e.uid))


def _first_day(plan: Plan) -> date:
    """The plan's first day: what lies before it in a previous calendar is history.

    A re-plan's ``Problem.plan_from``; for a plan read back from its folder, the
    ``plan_from`` of its ``summary.json`` (the horizon's start when it is null), or,
    in folders written before it was recorded, the first date with a route."""
    p = plan.problem
    if p.plan_from is not None:
        return p.plan_from
    if "plan_from" in plan.stats:
        value = plan.stats["plan_from"]
        return date.fromisoformat(str(value)) if value else p.horizon.start
    if "start" in plan.stats and plan.routes:  # read back from a folder of an older version
        return min(r.date for r in plan.routes)
    return p.horizon.start


def _block_of(plan: Plan) -> Callable[[str, date], int]:
    """``block(outlet_id, day)``: the frequency block of the outlet holding ``day``."""
    h = plan.problem.horizon
    weeks = {o.id: (o.rule.per_week.denominator if o.rule.per_week > 0 else h.weeks)
             for o in plan.problem.outlets}

    def block(outlet_id: str, day: date) -> int:
        return h.week_of(day) // weeks.get(outlet_id, h.weeks)

    return block


# -- previous calendars ------------------------------------------------------------------
def _read_calendar(path: Path) -> tuple[str, list[_Event]]:
    """The rep and the events of a calendar file routeopt wrote."""
    _require()
    import icalendar

    def bad(message: str) -> InputError:
        return InputError([Issue(f"{message}; give the calendars folder of an earlier export "
                                 "(or no previous calendars, to start afresh)", file=str(path))])

    try:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError) as e:
        raise bad(f"cannot read this calendar ({e})") from None
    if not isinstance(cal, icalendar.Calendar) or cal.get(X_REP) is None:
        raise bad(f"this is not a calendar routeopt wrote (no {X_REP})")
    rep_id = str(cal[X_REP])
    events: list[_Event] = []
    for ev in cal.walk("VEVENT"):
        uid = str(ev.get("UID", ""))
        try:
            start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
            if not (isinstance(start, datetime) and start.tzinfo is not None
                    and isinstance(end, datetime)):
                raise ValueError("its start is not a date-time with a time zone")
            geo = ev.get("GEO")
            events.append(_Event(
                uid, rep_id, str(ev[X_OUTLET]), str(ev.get(X_LABEL, "")), start, end,
                str(ev.get("SUMMARY", "")), str(ev.get("LOCATION", "")),
                str(ev.get("DESCRIPTION", "")),
                (float(geo.latitude), float(geo.longitude)) if geo is not None else None,
                str(ev.get("STATUS", CONFIRMED)).upper(), int(ev.get("SEQUENCE", 0)),
                ev.decoded("DTSTAMP").astimezone(UTC)))
        except (KeyError, ValueError, TypeError, AttributeError) as e:
            raise bad(f"event {uid or '(without UID)'} cannot be read ({e})") from None
        if not uid:
            raise bad("an event has no UID")
    return rep_id, events


def _read_folder(folder: Path) -> dict[str, list[_Event]]:
    """The events of every ``*.ics`` of ``folder`` (or of its ``calendars/``), per rep."""
    if (folder / "calendars").is_dir():
        folder = folder / "calendars"
    files = sorted(folder.glob("*.ics"))
    out: dict[str, list[_Event]] = {}
    where: dict[str, Path] = {}
    for f in files:
        rep_id, events = _read_calendar(f)
        if rep_id in out:
            raise InputError([Issue(f"is a second calendar of rep {rep_id!r} (the first is "
                                    f"{where[rep_id].name}); keep one file per rep",
                                    file=str(f))])
        out[rep_id], where[rep_id] = events, f
    return out


def _previous(previous: Plan | str | Path, plan: Plan, zone: ZoneInfo, lang: str,
              stamp: datetime) -> dict[str, list[_Event]]:
    """The previous events per rep, from calendars, a plan folder or a plan."""
    from routeopt.plan import Plan

    if not isinstance(previous, Plan):
        path = Path(previous)
        if not path.is_dir():
            raise InputError([Issue("is not a folder; give the folder of the previous "
                                    "calendars (or of the previous plan)", file=str(path))])
        found = _read_folder(path)
        if found or not ((path / "plan.json").exists() or (path / "visits.csv").exists()):
            return found
        from routeopt.replan import read_plan

        previous = read_plan(path, plan.problem)
    block, reserved = _block_of(previous), set[str]()
    day0 = date.min
    return {rep: _assign(ev, [], since=day0, keep_from=day0, stamp=stamp, block=block,
                         reserved=reserved)
            for rep, ev in _visit_events(previous, zone, lang).items()}


# -- calendars ---------------------------------------------------------------------------
def _events(plan: Plan, *, tz: str | None, previous: Plan | str | Path | None, lang: str,
            stamp: datetime | None, keep_days: int) -> tuple[ZoneInfo, dict[str, list[_Event]]]:
    """Every rep's events (the plan's reps, those with routes and those of ``previous``)."""
    _require()
    if not isinstance(keep_days, int) or not 0 <= keep_days <= 3660:
        raise InputError([Issue(f"keep_days must be a whole number of days from 0 to 3660, "
                                f"not {keep_days!r}", column="keep_days")])
    zone = time_zone(tz)
    labels(lang)  # an unknown language fails before anything is read
    now = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    new = _visit_events(plan, zone, lang)
    prev = _previous(previous, plan, zone, lang, now) if previous is not None else {}
    since = _first_day(plan)
    reps = list(dict.fromkeys([*(r.id for r in plan.problem.reps), *new, *sorted(prev)]))
    reserved = {e.uid for events in prev.values() for e in events}
    block = _block_of(plan)
    return zone, {rep: _assign(new.get(rep, []), prev.get(rep, []), since=since,
                               keep_from=since - timedelta(days=keep_days), stamp=now,
                               block=block, reserved=reserved)
                  for rep in reps}


def _vevent(e: _Event) -> icalendar.Event:
    import icalendar

    ev = icalendar.Event()
    ev.add("uid", e.uid)
    ev.add("dtstamp", e.stamp)
    ev.add("dtstart", e.start)
    ev.add("dtend", e.end)
    ev.add("sequence", e.sequence)
    ev.add("status", e.status)
    ev.add("transp", "TRANSPARENT" if e.status == CANCELLED else "OPAQUE")
    ev.add("summary", e.summary)
    if e.location:
        ev.add("location", e.location)
    if e.geo is not None:
        ev.add("geo", e.geo)
    ev.add("description", e.description)
    ev.add(X_OUTLET, e.outlet_id)
    if e.label:
        ev.add(X_LABEL, e.label)
    return ev


def _calendar(rep_id: str, name: str, events: Iterable[_Event], zone: ZoneInfo,
              lang: str) -> icalendar.Calendar:
    import icalendar

    events = list(events)
    title = f"{labels(lang)['visits']}: {name}"
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", zone.key)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    cal.add(X_REP, rep_id)
    for e in events:
        cal.add_component(_vevent(e))
    years = [e.start.year for e in events] or [2000]
    # the zone's rules over the calendar's years, so that the file depends on its events only
    cal.add_missing_timezones(date(min(years), 1, 1), date(max(years) + 1, 1, 1))
    return cal


def _rep_name(plan: Plan, rep_id: str) -> str:
    return next((r.name or r.id for r in plan.problem.reps if r.id == rep_id), rep_id)


def calendar(plan: Plan, rep_id: str, *, tz: str | None = None,
             previous: Plan | str | Path | None = None, lang: str = "en",
             stamp: datetime | None = None, keep_days: int = KEEP_DAYS) -> icalendar.Calendar:
    """Rep ``rep_id``'s calendar of ``plan``: an event per visit.

    Parameters are those of :func:`write_calendars`.

    Raises
    ------
    InputError
        ``rep_id`` is in neither the plan nor ``previous``; an unknown ``tz`` or
        ``lang``; ``previous`` cannot be read.

    Examples
    --------
    >>> from datetime import date
    >>> from routeopt import Horizon, Outlet, Plan, Problem, Rep, Route, Stop
    >>> problem = Problem([Outlet("MC-0002", 43.730465, 7.417188, name="Maison Mullot",
    ...                           address="25 Avenue Albert II")],
    ...                   [Rep("R1", 43.7295, 7.4149)], Horizon(date(2026, 11, 30)))
    >>> visit = Stop("MC-0002", 31500, 31500, 32400, 300, 1200)
    >>> route = Route("R1", date(2026, 12, 1), 31200, 33000, (visit,), 300, 1200)
    >>> plan = Plan(problem, (route,), ())
    >>> event = calendar(plan, "R1", tz="Europe/Monaco").events[0]
    >>> str(event["SUMMARY"]), event.start.isoformat(), str(event["UID"])
    ('Maison Mullot', '2026-12-01T08:45:00+01:00', 'MC-0002/R1/2026-12-01/1@routeopt')
    """
    zone, events = _events(plan, tz=tz, previous=previous, lang=lang, stamp=stamp,
                           keep_days=keep_days)
    if rep_id not in events:
        raise InputError([Issue(f"rep {rep_id!r} has no calendar: it is not in the plan",
                                rep_id=rep_id)])
    return _calendar(rep_id, _rep_name(plan, rep_id), events[rep_id], zone, lang)


def _file_name(rep_id: str) -> str:
    """``R1.ics``; an id with other characters than letters, digits, ``.``, ``_``, ``-``
    gets them replaced and a short hash of the id, so that two ids never share a file."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", rep_id).strip(".") or "rep"
    if safe != rep_id:
        safe += "-" + hashlib.sha256(rep_id.encode("utf-8")).hexdigest()[:8]
    return f"{safe}.ics"


def write_calendars(plan: Plan, folder: str | Path, *, tz: str | None = None,
                    previous: Plan | str | Path | None = None, lang: str = "en",
                    stamp: datetime | None = None, keep_days: int = KEEP_DAYS) -> list[Path]:
    """Write one calendar per rep (``R1.ics``...) into ``folder``, each file atomically.

    Every rep of the plan gets a file, one without visits too (a subscribed
    calendar then shows no visits instead of an error), and so does a rep of
    ``previous`` who is no longer in the plan (its visits ahead cancelled).
    How a visit keeps its event's UID from one plan to the next is the rule of
    :mod:`routeopt.export.ics`.

    Parameters
    ----------
    plan
        The plan.
    folder
        Where the files go (created if missing). It may be ``previous``: the
        previous calendars are read before anything is written.
    tz
        The IANA time zone of the plan's times (the reps' wall clock), e.g.
        ``Europe/Monaco``; ``None``: this machine's (UTC, with a
        :class:`TimeZoneWarning`, when it has no zone name).
    previous
        The calendars written last time (their folder, or an export folder
        holding ``calendars/``), or the previous :class:`~routeopt.Plan` or
        plan folder; ``None``: no previous calendars.
    lang
        The language of the descriptions (``en``, ``zh``).
    stamp
        The time of the export (``DTSTAMP`` of the events that change); by
        default now.
    keep_days
        How many days before the plan's first day the previous events stay.

    Returns
    -------
    list of Path
        The files written, in the order of the reps.

    Raises
    ------
    InputError
        An unknown ``tz`` or ``lang``, or a ``previous`` that cannot be read
        (naming the file).
    """
    folder = Path(folder)
    zone, events = _events(plan, tz=tz, previous=previous, lang=lang, stamp=stamp,
                           keep_days=keep_days)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for rep_id, rep_events in events.items():
        data = _calendar(rep_id, _rep_name(plan, rep_id), rep_events, zone, lang).to_ical()
        path = folder / _file_name(rep_id)
        with atomic_open(path, "wb") as f:
            f.write(data)
        written.append(path)
    return written


def write(plan: Plan, folder: Path, options: ExportOptions) -> list[Path]:
    """The ``--ics`` output of ``routeopt export``: ``calendars/REP.ics`` under ``folder``.

    The previous calendars are ``options.extra["previous"]`` when given, else
    the ``calendars/`` of the export being replaced
    (``options.extra["replacing"]``), so that exporting every night into the
    same folder updates the subscribed calendars in place.
    """
    previous = options.extra.get("previous")
    replacing = options.extra.get("replacing")
    if previous is None and replacing is not None and (Path(replacing) / "calendars").is_dir():
        previous = Path(replacing) / "calendars"
    return write_calendars(plan, folder / "calendars", tz=options.tz, previous=previous,
                           lang=options.lang)
