"""Route sheets: a rep's day on paper and on a phone, in HTML and PDF.

One HTML page per rep and day (``sheets/R1/2026-12-07.html``) holds what the rep
carries on the route (the domain's *当日拜访路线表* with a customer card per
visit): the date, the rep, departure, lunch break and return; the stops in order
with arrival, start and end; per outlet its name, address, phone and contact,
opening hours that day, priority, purpose or notes; the follow-ups due and the
last visit's date and note when a visit log is given; a checklist of the visit
steps (the eight of the domain notes by default); a stock and order form; and a
map of the day. ``sheets/index.html`` lists the sheets.

The pages are Jinja2 templates (``routeopt/export/templates``) with the style
sheet inlined, so each HTML file stands alone: it prints on A4 (a page break
between days, a visit never cut in two) and reads on a phone (below 640 px the
route table turns into one card per stop). The PDFs are the same pages laid out
by WeasyPrint: one per rep and day (``R1/2026-12-07.pdf``: a re-plan can change
tomorrow's route, so the day is what a rep prints the evening before) and one
per rep and week (``R1/week-2026-12-07.pdf``, the week from that Monday, for a
rep who prints on Monday or for the manager), made from the day documents
without laying them out twice.

The map is an inline SVG drawn here: the stops and the rep's start and end
projected onto the sheet (an equirectangular projection, exact enough for one
town), numbered in visiting order and joined in that order by straight lines,
with a scale bar and north. It needs no tiles, no network and no plotting
library, prints sharp at any size, and the browser and WeasyPrint draw it alike;
a tile map of the streets is the interactive map's job (:mod:`routeopt.export.maps`).

Chinese sheets (``lang="zh"``) declare a CJK font stack ("Noto Sans CJK SC",
"Source Han Sans SC", "WenQuanYi Zen Hei", ...); the PDF embeds the first one
installed (Debian: ``fonts-noto-cjk`` or ``fonts-wqy-zenhei``).

Jinja2 and WeasyPrint are the ``reports`` extra (``pip install
"routeopt[reports]"``), imported only here, when a sheet is made.
"""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from routeopt._files import atomic_folder
from routeopt.exceptions import InputError, InputTypeError, Issue
from routeopt.export._labels import clock, labels, visit_steps, weekday_name
from routeopt.hours import DAY
from routeopt.problem import PRIORITY_LETTERS

if TYPE_CHECKING:
    from routeopt.export._cli import ExportOptions
    from routeopt.plan import Plan, Route, Stop
    from routeopt.problem import Outlet, Problem
    from routeopt.replan import LogEntry

__all__ = ["ORDER_FIELDS", "SUBFOLDER", "pdf_writer", "render_sheet", "sheets_writer",
           "write_route_sheets"]

#: The folder, under the export folder, that holds the sheets.
SUBFOLDER: Final = "sheets"
#: The fields of an order line (a mapping or an object with these attributes), as
#: :mod:`routeopt.orders` gives them; a missing field prints as blank.
ORDER_FIELDS: Final = ("sku", "last_count_date", "last_stock", "expected_stock",
                       "classic_order", "plan_order", "note")
#: Extra columns of the outlets table the sheet prints, by role: the first name found,
#: case-insensitively, in the outlet's attributes.
ATTRIBUTE_NAMES: Final = {
    "phone": ("phone", "telephone", "tel", "mobile", "电话", "联系电话", "手机"),
    "contact": ("contact", "contact_name", "联系人"),
    "purpose": ("purpose", "visit_purpose", "notes", "note", "拜访目的", "备注"),
}
_GENERATOR: Final = "routeopt route sheets"
_BLANK_ORDER_ROWS: Final = 3
_MAP_W, _MAP_H, _MAP_PAD = 360, 250, 22
_EARTH_M_PER_DEG: Final = 111_320.0

#: ``(rep_id, date, outlet_id) -> order lines`` for the visits that have suggestions.
Orders = Mapping[tuple[str, date, str], Sequence[Any]]


# -- the pieces of a sheet, as the templates read them --------------------------------
@dataclass(frozen=True)
class _OrderRow:
    sku: str
    last_count: str
    expected: str
    classic: str
    plan: str
    note: str


@dataclass(frozen=True)
class _StopView:
    seq: int
    outlet_id: str
    name: str
    address: str
    phone: str
    contact: str
    purpose: str
    hours: str
    hours_list: tuple[str, ...]
    appointment: str
    priority: str
    key_account: bool
    arrival: str
    start: str
    end: str
    wait_min: int
    travel_min: int
    distance_km: str
    kind: str  # the extra visit's kind, localised; "" for a visit of the rule
    follow_ups: tuple[str, ...]
    last_visit: str
    last_note: str
    orders: tuple[_OrderRow, ...]


@dataclass(frozen=True)
class _Row:
    """A row of the route table: a stop, or the start, the lunch break, the end."""

    kind: str  # "depart", "stop", "break", "back"
    time: str
    stop: _StopView | None = None
    until: str = ""


@dataclass(frozen=True)
class _MapPoint:
    x: float  # where the marker is drawn
    y: float
    text: str
    kind: str  # "stop", "home", "end"
    at_x: float = 0.0  # the place itself (a marker moved off a crowded spot points to it)
    at_y: float = 0.0
    key: bool = False  # a key account (priority 1), drawn in the accent colour

    @property
    def moved(self) -> bool:
        return (self.x, self.y) != (self.at_x, self.at_y)


@dataclass(frozen=True)
class _MapView:
    width: int
    height: int
    path: str
    points: tuple[_MapPoint, ...]
    scale_x1: float
    scale_x2: float
    scale_y: float
    scale_text: str


@dataclass(frozen=True)
class _DayView:
    anchor: str
    rep_id: str
    rep_name: str
    date_text: str
    weekday: str
    depart: str
    back: str
    lunch: str
    visits: int
    travel: str
    distance_km: str
    rows: tuple[_Row, ...]
    stops: tuple[_StopView, ...]
    map: _MapView


@dataclass(frozen=True)
class _SheetFile:
    rep_id: str
    day: date
    html: str
    view: _DayView


@dataclass
class _Context:
    problem: Problem
    plan: Plan
    lang: str
    words: Mapping[str, str]
    steps: tuple[str, ...]
    done: Mapping[str, list[LogEntry]]
    follow_ups: Mapping[str, list[LogEntry]]
    orders: Orders
    outlets: Mapping[str, Outlet] = field(default_factory=dict)
    planned: Mapping[tuple[str, str], list[date]] = field(default_factory=dict)


# -- small formatting helpers ----------------------------------------------------------
def _km(metres: int) -> str:
    return f"{metres / 1000:.1f}"


def _duration(seconds: int, words: Mapping[str, str]) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} {words['minutes']}"
    return f"{minutes // 60} {words['hours_short']} {minutes % 60:02d}"


def _number(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return str(value)


def _date_text(day: date, lang: str) -> str:
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"


def _short_date(day: date | None, lang: str) -> str:
    if day is None:
        return ""
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day:%a} {day.day} {day:%b}"


def _priority(p: int) -> str:
    letters = {v: k for k, v in PRIORITY_LETTERS.items()}
    return letters.get(p, str(p))


def _attribute(outlet: Outlet, role: str) -> str:
    attrs: Mapping[str, str] = getattr(outlet, "attributes", None) or {}
    lower = {str(k).strip().lower(): v for k, v in attrs.items()}
    for name in ATTRIBUTE_NAMES[role]:
        value = lower.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _safe_name(text: str) -> str:
    """``text`` as one file or folder name: no separators, no control characters."""
    name = re.sub(r'[\x00-\x1f/\\:*?"<>|]+', "_", text).strip(" .")
    return name or "_"


# -- the map -----------------------------------------------------------------------------
_NICE_METRES: Final = (20, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000,
                       25_000, 50_000, 100_000, 200_000)


def _map_view(route: Route, problem: Problem, outlets: Mapping[str, Outlet]) -> _MapView:
    """The day's stops, start and end on a ``_MAP_W`` x ``_MAP_H`` sheet, north up."""
    rep = next(r for r in problem.reps if r.id == route.rep_id)
    stops = [(outlets[s.outlet_id].lat, outlets[s.outlet_id].lon) for s in route.stops]
    start, end = (rep.start.lat, rep.start.lon), (rep.end.lat, rep.end.lon)
    pts = [start, *stops, end]
    lat0 = sum(p[0] for p in pts) / len(pts)
    kx = _EARTH_M_PER_DEG * math.cos(math.radians(lat0))  # metres per degree of longitude
    xs = [p[1] * kx for p in pts]
    ys = [p[0] * _EARTH_M_PER_DEG for p in pts]
    span_x = max(max(xs) - min(xs), 200.0)
    span_y = max(max(ys) - min(ys), 200.0)
    scale = min((_MAP_W - 2 * _MAP_PAD) / span_x, (_MAP_H - 2 * _MAP_PAD - 18) / span_y)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def at(i: int) -> tuple[float, float]:
        return (round(_MAP_W / 2 + (xs[i] - cx) * scale, 1),
                round((_MAP_H - 18) / 2 - (ys[i] - cy) * scale, 1))

    coords = [at(i) for i in range(len(pts))]
    points = [_MapPoint(*coords[0], "", "home", *coords[0])]
    placed = [coords[0]]
    for k in range(1, len(pts) - 1):
        x, y = _free_spot(coords[k], placed, k)
        placed.append((x, y))
        key = outlets[route.stops[k - 1].outlet_id].priority == 1
        points.append(_MapPoint(x, y, str(k), "stop", *coords[k], key=key))
    if end != start:
        points.append(_MapPoint(*coords[-1], "", "end", *coords[-1]))
    bar_m = max((m for m in _NICE_METRES if m * scale <= _MAP_W / 4), default=_NICE_METRES[0])
    text = f"{bar_m // 1000} km" if bar_m >= 1000 and bar_m % 1000 == 0 else (
        f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m} m")
    x1 = 12.0
    return _MapView(_MAP_W, _MAP_H, " ".join(f"{x},{y}" for x, y in coords),
                    tuple(points), x1, round(x1 + bar_m * scale, 1), _MAP_H - 10.0, text)


def _free_spot(p: tuple[float, float], placed: Sequence[tuple[float, float]],
               k: int) -> tuple[float, float]:
    """``p``, or the nearest spot on a spiral around it where a marker overlaps none
    already placed (stops a few metres apart would hide each other's numbers)."""
    gap = 17.0  # a marker's diameter and a little
    x, y = p
    for step in range(0, 40):
        if step:
            angle = math.radians(k * 137.5 + step * 47.0)
            r = gap * (0.9 + 0.25 * step)
            x = p[0] + r * math.cos(angle)
            y = p[1] + r * math.sin(angle)
        inside = _MAP_PAD / 2 <= x <= _MAP_W - _MAP_PAD / 2 and 8 <= y <= _MAP_H - 26
        if inside and all(math.hypot(x - a, y - b) >= gap for a, b in placed):
            return round(x, 1), round(y, 1)
    return p


# -- the visit log and the follow-ups ---------------------------------------------------
def _log_entries(log: Any, plan: Plan, today: date | None) -> list[LogEntry]:
    from routeopt.replan import LogEntry, read_visit_log

    if log is None:
        return []
    if isinstance(log, str | os.PathLike) or hasattr(log, "iloc"):  # a file or a DataFrame
        day = today or plan.problem.plan_from or min(
            (r.date for r in plan.routes), default=plan.problem.horizon.start)
        entries, issues = read_visit_log(log, plan.problem, today=day)
        if issues:
            raise InputError(issues)
        return entries
    items = list(log)
    if not all(isinstance(e, LogEntry) for e in items):
        raise InputTypeError([Issue(
            "log must be a visit log (a CSV path or a DataFrame, read with "
            "routeopt.replan.read_visit_log) or a list of LogEntry", column="log")])
    return items


def _follow_up_lines(ctx: _Context, outlet: Outlet, stop: Stop, day: date) -> tuple[str, ...]:
    w, lang = ctx.words, ctx.lang
    lines: list[str] = []
    for e in ctx.follow_ups.get(outlet.id, []):
        if e.date >= day or (e.due is not None and e.due < day):
            continue
        what = w.get(f"reason_{e.reason}", e.reason) if e.reason else w["kind_follow_up"]
        due = f", {w['due']} {_short_date(e.due, lang)}" if e.due else ""
        text = f"{what} ({w['asked']} {_short_date(e.date, lang)}{due})"
        lines.append(f"{text}: {e.note}" if e.note else text)
    if lines:
        return tuple(lines)
    for x in outlet.extra_visits:  # without a log: the one-off visits due that day
        if not x.earliest <= day <= x.latest:
            continue
        kind = w.get(f"kind_{x.label}", x.label)
        window = f"{_short_date(x.earliest, lang)} – {_short_date(x.latest, lang)}"
        if stop.label == x.label:
            lines.append(f"{kind}: {w['this_visit']} ({w['due_window']} {window})")
            continue
        when = [d for d in ctx.planned.get((outlet.id, x.label), []) if x.earliest <= d <= x.latest]
        state = (f"{w['planned_on']} {_short_date(when[0], lang)}" if when
                 else w["not_planned"])
        lines.append(f"{kind} ({w['due_window']} {window}; {state})")
    return tuple(lines)


def _last_visit(ctx: _Context, outlet_id: str, day: date) -> tuple[str, str]:
    before = [e for e in ctx.done.get(outlet_id, []) if e.date < day]
    if not before:
        return ctx.words["no_last_visit"] if ctx.done or ctx.follow_ups else "", ""
    last = max(before, key=lambda e: e.date)
    return f"{_short_date(last.date, ctx.lang)} ({last.rep_id})", last.note


def _order_rows(lines: Sequence[Any], lang: str) -> tuple[_OrderRow, ...]:
    def get(line: Any, name: str) -> Any:
        return line.get(name) if isinstance(line, Mapping) else getattr(line, name, None)

    rows = []
    for line in lines:
        counted = get(line, "last_count_date")
        stock = _number(get(line, "last_stock"))
        when = _short_date(counted, lang) if isinstance(counted, date) else _number(counted)
        last = f"{stock} ({when})" if stock and when else stock or when
        rows.append(_OrderRow(str(get(line, "sku") or ""), last,
                              _number(get(line, "expected_stock")),
                              _number(get(line, "classic_order")),
                              _number(get(line, "plan_order")), str(get(line, "note") or "")))
    return tuple(rows)


# -- a day -------------------------------------------------------------------------------
def _stop_view(ctx: _Context, route: Route, k: int, stop: Stop) -> _StopView:
    o = ctx.outlets[stop.outlet_id]
    w, day = ctx.words, route.date
    windows = o.hours.windows_on(day, holiday=day in ctx.problem.horizon.holidays)
    hours_list: tuple[str, ...]
    if [(x.start, x.end) for x in windows] == [(0, DAY)]:
        hours_list = (w["all_day"],)
    else:
        hours_list = tuple(f"{clock(x.start)}–{clock(x.end)}" for x in windows) or (w["closed"],)
    appt = next((a for a in o.appointments if a.date == day), None)
    appointment = ""
    if appt is not None:
        appointment = clock(appt.window.start) if appt.window.duration == 0 else (
            f"{clock(appt.window.start)}–{clock(appt.window.end)}")
    last, note = _last_visit(ctx, o.id, day)
    kind = w.get(f"kind_{stop.label}", stop.label) if stop.label else ""
    return _StopView(
        seq=k, outlet_id=o.id, name=o.name or o.id, address=o.address,
        phone=_attribute(o, "phone"), contact=_attribute(o, "contact"),
        purpose=_attribute(o, "purpose"), hours=", ".join(hours_list), hours_list=hours_list,
        appointment=appointment,
        priority=_priority(o.priority), key_account=o.priority == 1,
        arrival=clock(stop.arrival), start=clock(stop.start), end=clock(stop.end),
        wait_min=stop.wait_s // 60, travel_min=round(stop.travel_s / 60),
        distance_km=_km(stop.distance_m), kind=kind,
        follow_ups=_follow_up_lines(ctx, o, stop, day), last_visit=last, last_note=note,
        orders=_order_rows(ctx.orders.get((route.rep_id, day, o.id), ()), ctx.lang))


def _day_view(ctx: _Context, route: Route) -> _DayView:
    rep = next(r for r in ctx.problem.reps if r.id == route.rep_id)
    stops = tuple(_stop_view(ctx, route, k, s) for k, s in enumerate(route.stops, start=1))
    rows = [_Row("depart", clock(route.depart))]
    lunch = ""
    brk = route.break_start
    if brk is not None and route.break_end is not None:
        lunch = f"{clock(brk)}–{clock(route.break_end)}"
    placed = brk is None
    for s, view in zip(route.stops, stops, strict=True):
        if not placed and brk is not None and brk < s.arrival:
            rows.append(_Row("break", clock(brk), until=clock(route.break_end or brk)))
            placed = True
        rows.append(_Row("stop", view.arrival, view))
    if not placed and brk is not None:
        rows.append(_Row("break", clock(brk), until=clock(route.break_end or brk)))
    rows.append(_Row("back", clock(route.back)))
    return _DayView(
        anchor=f"day-{_safe_name(route.rep_id)}-{route.date.isoformat()}",
        rep_id=rep.id, rep_name=rep.name, date_text=_date_text(route.date, ctx.lang),
        weekday=weekday_name(route.date.weekday(), ctx.lang), depart=clock(route.depart),
        back=clock(route.back), lunch=lunch, visits=len(route.stops),
        travel=_duration(route.travel_s, ctx.words), distance_km=_km(route.distance_m),
        rows=tuple(rows), stops=stops, map=_map_view(route, ctx.problem, ctx.outlets))


# -- templates ---------------------------------------------------------------------------
def _environment() -> Any:
    try:
        import jinja2
    except ImportError as e:  # pragma: no cover - the reports extra is missing
        raise ImportError('route sheets need Jinja2: pip install "routeopt[reports]"') from e
    return jinja2.Environment(loader=jinja2.PackageLoader("routeopt.export", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "svg"]),
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)


def _checklist(checklist: Sequence[str] | None, lang: str) -> tuple[str, ...]:
    if checklist is None:
        return visit_steps(lang)
    if isinstance(checklist, str) or not all(isinstance(s, str) for s in checklist):
        raise InputTypeError([Issue(
            f"checklist must be a list of step names, not {checklist!r}; e.g. "
            "['Prepare', 'Greet', 'Check the store']", column="checklist")])
    steps = tuple(s.strip() for s in checklist)
    if any(not s for s in steps):
        raise InputError([Issue("checklist has an empty step; give every step a name, or "
                                "pass an empty list for no checklist", column="checklist")])
    return steps


def _context(plan: Plan, lang: str, log: Any, orders: Orders | None,
             checklist: Sequence[str] | None, today: date | None) -> _Context:
    words = labels(lang)  # an unknown language is an InputError here, before any work
    entries = _log_entries(log, plan, today)
    done: dict[str, list[LogEntry]] = defaultdict(list)
    follow_ups: dict[str, list[LogEntry]] = defaultdict(list)
    for e in entries:
        if e.kind == "visit" and e.status == "done":
            done[e.outlet_id].append(e)
        elif e.kind == "follow_up":
            follow_ups[e.outlet_id].append(e)
    planned: dict[tuple[str, str], list[date]] = defaultdict(list)
    for r in plan.routes:
        for s in r.stops:
            if s.label:
                planned[(s.outlet_id, s.label)].append(r.date)
    if orders is not None and not isinstance(orders, Mapping):
        raise InputTypeError([Issue("orders must map (rep_id, date, outlet_id) to order "
                                    "lines", column="orders")])
    return _Context(plan.problem, plan, lang, words, _checklist(checklist, lang), done,
                    follow_ups, orders or {}, {o.id: o for o in plan.problem.outlets}, planned)


def _render(env: Any, ctx: _Context, days: Sequence[_DayView], title: str, *,
            paper: bool = False) -> str:
    """The sheet's HTML; ``paper`` leaves out the phone layout (for WeasyPrint, which
    reads no media features and would only warn about it)."""
    text: str = env.get_template("sheet.html").render(
        days=days, w=ctx.words, lang=ctx.lang, steps=ctx.steps, title=title,
        generator=_GENERATOR, blank_rows=range(_BLANK_ORDER_ROWS), paper=paper)
    return text


def render_sheet(plan: Plan, rep_id: str, day: date, *, lang: str = "en", log: Any = None,
                 orders: Orders | None = None, checklist: Sequence[str] | None = None,
                 today: date | None = None) -> str:
    """The HTML route sheet of one rep's day, as text (what :func:`write_route_sheets`
    writes to ``sheets/REP/DATE.html``).

    Raises
    ------
    InputError
        No route of ``rep_id`` on ``day``, an unknown ``lang``, a bad visit log.
    """
    route = next((r for r in plan.routes if r.rep_id == rep_id and r.date == day), None)
    ctx = _context(plan, lang, log, orders, checklist, today)
    if route is None:
        raise InputError([Issue(f"the plan has no route of rep {rep_id!r} on {day}",
                                rep_id=rep_id)])
    view = _day_view(ctx, route)
    return _render(_environment(), ctx, [view], f"{view.rep_id} · {day.isoformat()}")


# -- PDF ---------------------------------------------------------------------------------
def _weasyprint() -> Any:
    try:
        import weasyprint
    except ImportError as e:
        raise ImportError('PDF route sheets need WeasyPrint: pip install "routeopt[reports]" '
                          "(and Pango from the system, e.g. Debian's libpango-1.0-0 "
                          "libpangoft2-1.0-0)") from e
    except OSError as e:  # pragma: no cover - the Python package without Pango
        raise ImportError(f"WeasyPrint cannot load Pango ({e}); install it from the system, "
                          "e.g. Debian's libpango-1.0-0 libpangoft2-1.0-0") from e
    return weasyprint


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# -- writing -----------------------------------------------------------------------------
def _check_folder(target: Path) -> None:
    """Refuse to replace a ``sheets`` folder that routeopt did not write."""
    if not target.exists():
        return
    index = target / "index.html"
    try:
        ours = target.is_dir() and _GENERATOR in index.read_text(encoding="utf-8")[:2000]
    except OSError:
        ours = False
    if not ours:
        raise InputError([Issue(
            "exists and was not written by routeopt's route sheets; the sheets replace "
            "their whole folder, so give another output folder", file=str(target))])


def write_route_sheets(plan: Plan, folder: str | Path, *, lang: str = "en", pdf: bool = False,
                       log: Any = None, orders: Orders | None = None,
                       checklist: Sequence[str] | None = None,
                       progress: Callable[[str], None] | None = None,
                       today: date | None = None) -> list[Path]:
    """Write the route sheets of ``plan``: one HTML page per rep and day, an index and,
    with ``pdf``, the PDFs (one per rep and day, one per rep and week).

    The sheets go to ``folder/sheets/`` (``REP/YYYY-MM-DD.html``, ``.pdf``,
    ``REP/week-YYYY-MM-DD.pdf`` for the week from that Monday, and
    ``index.html``), written whole: into a temporary folder that is swapped in
    at once when every file is there (:func:`~routeopt._files.atomic_folder`), so
    an error leaves the earlier sheets, or none, never a part. The PDFs are laid
    out one rep's week at a time, so memory holds one week's documents.

    Parameters
    ----------
    plan
        The plan.
    folder
        Where the ``sheets`` folder goes (created if needed). A ``sheets`` folder
        already there is replaced only if routeopt wrote it.
    lang
        The labels' language: ``en`` or ``zh`` (Simplified Chinese).
    pdf
        Write the PDFs too (WeasyPrint; a few tenths of a second per page).
    log
        The visit log (a CSV path or DataFrame, read with
        :func:`routeopt.replan.read_visit_log`, or its entries): each visit's last
        visit done (date, rep and ``note``) and its open follow-ups (asked before
        the day, due on or after it, with their reason and note).
    orders
        Order suggestions, ``(rep_id, date, outlet_id) -> lines``, each line a
        mapping or an object with the fields of :data:`ORDER_FIELDS`; a visit
        without lines gets a blank form for the counts by hand.
    checklist
        The visit steps to tick; ``None``: the eight steps of an outlet visit
        (:func:`~routeopt.export._labels.visit_steps`), ``[]``: no checklist.
    progress
        Called with ``"REP DATE"`` before each sheet is made, and with ``"REP week of
        DATE: PDF"`` before each rep's week of PDFs.
    today
        The day the visit log was written up to (its rows are checked against
        it); ``None``: the plan's ``plan_from``, else its first route date.

    Returns
    -------
    list of Path
        The files written, index first.

    Raises
    ------
    InputError
        An unknown ``lang``, a bad visit log (every bad row with its line and
        column), a bad checklist, a ``sheets`` folder routeopt did not write.
    """
    ctx = _context(plan, lang, log, orders, checklist, today)
    env = _environment()
    wp = _weasyprint() if pdf else None
    target = Path(folder) / SUBFOLDER
    _check_folder(target)
    folders: dict[str, str] = {}
    for rep_id in dict.fromkeys(r.rep_id for r in plan.routes):
        name = _safe_name(rep_id)
        while name in folders.values():
            name += "_"
        folders[rep_id] = name

    sheets: list[_SheetFile] = []
    for route in plan.routes:
        if progress is not None:
            progress(f"{route.rep_id} {route.date.isoformat()}")
        view = _day_view(ctx, route)
        title = f"{view.rep_id} · {route.date.isoformat()}"
        sheets.append(_SheetFile(route.rep_id, route.date, _render(env, ctx, [view], title), view))

    index = env.get_template("index.html").render(
        w=ctx.words, lang=lang, generator=_GENERATOR, paper=False,
        reps=_index_rows(sheets, folders, ctx, pdf))

    written = [target / "index.html"]

    def put(tmp: Path, rel: str, data: bytes) -> None:
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(target / rel)

    with atomic_folder(target) as tmp:
        (tmp / "index.html").write_text(index, encoding="utf-8")
        for s in sheets:
            put(tmp, f"{folders[s.rep_id]}/{s.day.isoformat()}.html", s.html.encode("utf-8"))
        if wp is not None:
            weeks: dict[tuple[str, date], list[_SheetFile]] = defaultdict(list)
            for s in sheets:
                weeks[(s.rep_id, _monday(s.day))].append(s)
            for (rep_id, monday), week in weeks.items():  # one week's documents at a time
                if progress is not None:
                    progress(f"{rep_id} week of {monday.isoformat()}: PDF")
                docs = []
                for s in week:
                    title = f"{s.view.rep_id} · {s.day.isoformat()}"
                    doc = wp.HTML(string=_render(env, ctx, [s.view], title, paper=True)).render()
                    put(tmp, f"{folders[rep_id]}/{s.day.isoformat()}.pdf", doc.write_pdf())
                    docs.append(doc)
                pages = [pg for d in docs for pg in d.pages]
                put(tmp, f"{folders[rep_id]}/week-{monday.isoformat()}.pdf",
                    docs[0].copy(pages).write_pdf())
    return written


def _index_rows(sheets: Iterable[_SheetFile], folders: Mapping[str, str], ctx: _Context,
                pdf: bool) -> list[dict[str, Any]]:
    reps: dict[str, dict[str, Any]] = {}
    for s in sheets:
        rep = reps.setdefault(s.rep_id, {"id": s.rep_id, "name": s.view.rep_name, "days": [],
                                         "weeks": []})
        base = f"{folders[s.rep_id]}/{s.day.isoformat()}"
        rep["days"].append({"html": f"{base}.html", "pdf": f"{base}.pdf" if pdf else "",
                            "date": s.view.date_text, "weekday": s.view.weekday,
                            "visits": s.view.visits, "depart": s.view.depart,
                            "back": s.view.back, "travel": s.view.travel})
        week = f"{folders[s.rep_id]}/week-{_monday(s.day).isoformat()}.pdf"
        if pdf and week not in [w["pdf"] for w in rep["weeks"]]:
            rep["weeks"].append({"pdf": week, "date": _date_text(_monday(s.day), ctx.lang)})
    return list(reps.values())


# -- the outputs of ``routeopt export`` -------------------------------------------------
def _options_args(plan: Plan, options: ExportOptions) -> dict[str, Any]:
    orders = options.extra.get("orders")
    if options.stock is not None and orders is None:
        orders = orders_from_stock(plan, options.stock)
    return {"lang": options.lang, "log": options.log, "orders": orders,
            "checklist": options.extra.get("checklist"), "today": options.extra.get("today")}


def sheets_writer(plan: Plan, folder: Path, options: ExportOptions) -> list[Path]:
    """``--sheets``: the HTML route sheets (and the PDFs with ``options.pdf``)."""
    return write_route_sheets(plan, folder, pdf=options.pdf, **_options_args(plan, options))


def pdf_writer(plan: Plan, folder: Path, options: ExportOptions) -> list[Path]:
    """``--pdf``: the route sheets with their PDFs (nothing more when ``--sheets`` has
    already written them with ``options.pdf``)."""
    target = folder / SUBFOLDER
    if options.pdf and target.is_dir() and any(target.rglob("*.pdf")):
        return []
    return write_route_sheets(plan, folder, pdf=True, **_options_args(plan, options))


def orders_from_stock(plan: Plan, stock: Path) -> dict[tuple[str, date, str], list[Any]]:
    """The order suggestions of :mod:`routeopt.orders` for the plan's visits, by
    ``(rep_id, date, outlet_id)`` (its ``read_stock``, ``suggest_orders`` and
    ``by_visit``).

    Raises
    ------
    InputError
        This routeopt has no :mod:`routeopt.orders`, or the stock table is bad.
    """
    import importlib

    try:
        mod: Any = importlib.import_module("routeopt.orders")
    except ModuleNotFoundError:
        raise InputError([Issue("order suggestions from a stock table need routeopt.orders, "
                                "which this version of routeopt does not have; leave out "
                                "--stock", file=str(stock))]) from None
    table = mod.read_stock(stock, outlets=plan)
    grouped: dict[tuple[str, date, str], list[Any]] = mod.by_visit(
        mod.suggest_orders(plan, table))
    return grouped
