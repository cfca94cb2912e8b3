"""Charts of a plan (matplotlib): a rep's week as a Gantt chart, the workload per rep-day.

- :func:`gantt`: one bar per working day of the week, from leaving to coming
  back, cut into travel, visits (numbered in route order), waiting and the
  lunch break;
- :func:`workload`: per rep, the hours of each working day (visits, travel,
  waiting and break, stacked) and its number of visits, against the rep's
  mean day.

Both return a :class:`matplotlib.figure.Figure` made without ``pyplot``: no
window, no global state, any backend (save it with ``fig.savefig(path)``; a
notebook shows it as an image). Needs the ``reports`` extra: ``pip install
"routeopt[reports]"``.
"""

from __future__ import annotations

import functools
import logging
import statistics
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

from routeopt.exceptions import InputError, Issue
from routeopt.export._labels import labels, weekday_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from routeopt.plan import Plan, Route

__all__ = ["COLOURS", "gantt", "segments", "workload"]

_log = logging.getLogger(__name__)

#: The colour of each kind of segment.
COLOURS: Final = {"travel": "#E69F00", "visit": "#0072B2", "wait": "#D9D9D9",
                  "break": "#009E73"}
#: Fonts tried in turn for the labels in Chinese (the first one installed is used).
_CJK: Final = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
               "Microsoft YaHei", "PingFang SC", "SimHei", "DejaVu Sans"]


def _figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - the extra is installed in the tests
        raise ImportError('charts need matplotlib: pip install "routeopt[reports]"') from e
    return Figure(figsize=(width, height), layout="constrained")


@functools.lru_cache(maxsize=1)
def _cjk_fonts() -> list[str]:
    """The fonts of :data:`_CJK` installed here, DejaVu Sans last (for Latin and digits)."""
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    found = [name for name in _CJK if name in have]
    if len(found) <= 1:
        _log.warning("no font with Chinese characters found (%s); install one, e.g. "
                     "fonts-noto-cjk", ", ".join(_CJK[:-1]))
    return found or ["DejaVu Sans"]


def _font(lang: str) -> dict[str, Any]:
    return {"fontfamily": _cjk_fonts()} if lang == "zh" else {}


def segments(route: Route) -> list[tuple[str, int, int, int]]:
    """The parts of a route's day in time order: ``(kind, start, end, stop)``.

    ``kind`` is ``travel``, ``visit``, ``wait`` or ``break``; times are
    seconds since midnight; ``stop`` is the visit's number in the route (1
    first) for a visit, 0 otherwise. Together they cover the day from
    leaving to coming back without overlap: time that is neither travel, a
    visit nor the break is waiting.

    Examples
    --------
    >>> from datetime import date
    >>> from routeopt import Route, Stop
    >>> r = Route("R1", date(2026, 11, 30), 30000, 34000,
    ...           (Stop("A", 30600, 31000, 31900, 600, 500),), 600, 500, 32000, 32500)
    >>> [(k, a, b) for k, a, b, _ in segments(r)]  # doctest: +NORMALIZE_WHITESPACE
    [('travel', 30000, 30600), ('wait', 30600, 31000), ('visit', 31000, 31900),
     ('wait', 31900, 32000), ('break', 32000, 32500), ('wait', 32500, 33400),
     ('travel', 33400, 34000)]
    """
    busy: list[tuple[str, int, int, int]] = []
    for k, s in enumerate(route.stops, start=1):
        busy.append(("travel", s.arrival - s.travel_s, s.arrival, 0))
        busy.append(("visit", s.start, s.end, k))
    busy.append(("travel", route.back - route.return_travel_s, route.back, 0))
    if route.break_start is not None and route.break_end is not None:
        busy.append(("break", route.break_start, route.break_end, 0))
    busy = sorted((b for b in busy if b[2] > b[1]), key=lambda b: (b[1], b[2]))
    out: list[tuple[str, int, int, int]] = []
    t = route.depart
    for kind, a, b, k in busy:
        a = max(a, t)
        if a > t:
            out.append(("wait", t, a, 0))
        if b > a:
            out.append((kind, a, b, k))
            t = b
    if route.back > t:
        out.append(("wait", t, route.back, 0))
    return out


def _week(plan: Plan, week: int | date | str) -> tuple[int, list[date]]:
    h = plan.problem.horizon
    if isinstance(week, int) and not isinstance(week, bool):
        n = week
    else:
        try:
            day = week if isinstance(week, date) else date.fromisoformat(str(week))
        except ValueError:
            raise InputError([Issue(f"{week!r} is neither a week number nor a date "
                                    "(YYYY-MM-DD)", column="week")]) from None
        n = h.week_of(day) + 1
    if not 1 <= n <= h.weeks:
        raise InputError([Issue(f"week {n} is outside the plan: it has weeks 1 to {h.weeks} "
                                f"from {h.start.isoformat()}", column="week")])
    first = h.start + timedelta(days=7 * (n - 1))
    return n, [first + timedelta(days=i) for i in range(7)]


def _hours_axis(ax: Axes, lo: int, hi: int) -> None:
    start, end = lo // 3600, -(-hi // 3600)
    ax.set_xlim(start * 3600, end * 3600)
    ax.set_xticks([h * 3600 for h in range(start, end + 1)],
                  [f"{h:02d}:00" for h in range(start, end + 1)])
    ax.grid(axis="x", color="#e4e4e4", linewidth=0.8)
    ax.set_axisbelow(True)


def gantt(plan: Plan, rep_id: str, week: int | date | str = 1, *, lang: str = "en",
          names: bool = False) -> Figure:
    """A rep's week as a Gantt chart: a bar per working day, cut into its parts.

    Parameters
    ----------
    plan
        The plan.
    rep_id
        The rep.
    week
        The week: its number in the plan (1 is the first) or any date in it.
    lang
        The language of the labels (``en``, ``zh``).
    names
        Label each visit with its outlet's name (where it fits) instead of its number.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        An unknown rep, a week outside the plan, an unknown language.
    """
    lab = labels(lang)
    font = _font(lang)
    reps = {r.id: r for r in plan.problem.reps}
    if rep_id not in reps:
        raise InputError([Issue(f"rep {rep_id!r} is not in the plan; its reps: "
                                f"{', '.join(reps)}", column="rep_id")])
    rep = reps[rep_id]
    n, days = _week(plan, week)
    routes = {r.date: r for r in plan.routes if r.rep_id == rep_id and r.date in days}
    shown = [d for d in days if d in routes or rep.works_on(d)]
    outlets = {o.id: o for o in plan.problem.outlets}

    fig = _figure(11, 1.3 + 0.62 * max(len(shown), 1))
    ax = fig.add_subplot()
    lo, hi = rep.shift.start, rep.shift.end
    for day_route in routes.values():
        lo, hi = min(lo, day_route.depart), max(hi, day_route.back)
    _hours_axis(ax, lo, hi)
    ax.axvspan(rep.shift.start, rep.shift.end, color="#f6f8fb", zorder=0)
    for row, d in enumerate(shown):
        r = routes.get(d)
        if r is None:
            ax.text(rep.shift.start + 600, row, "—", va="center", color="#888", **font)
            continue
        for kind, a, b, k in segments(r):
            ax.barh(row, b - a, left=a, height=0.62, color=COLOURS[kind],
                    edgecolor="white", linewidth=0.6)
            if kind == "visit":
                o = outlets.get(r.stops[k - 1].outlet_id)
                text = (o.name or o.id) if names and o is not None else str(k)
                if (b - a) >= (900 if not names else 1500):
                    ax.text((a + b) / 2, row, text, ha="center", va="center", color="white",
                            fontsize=7.5 if names else 8, fontweight="bold", clip_on=True,
                            **font)
        hours = (r.back - r.depart) / 3600
        ax.text(r.back + 300, row, f"{len(r.stops)} {lab['visits'].lower()} · "
                f"{hours:.1f} {lab['h']}", va="center", fontsize=8.5, color="#333", **font)
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_yticks(range(len(shown)),
                  [f"{weekday_name(d.weekday(), lang)}\n{d.isoformat()}" for d in shown],
                  **font)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    xmax = ax.get_xlim()[1]
    ax.set_xlim(ax.get_xlim()[0], xmax + 7200)  # room for the day's figures
    who = f"{rep.id} · {rep.name}" if rep.name else rep.id
    span = f"{days[0].isoformat()} – {days[-1].isoformat()}"
    ax.set_title(f"{who} — {lab['week'].format(n=n)} ({span})", loc="left", fontsize=12,
                 fontweight="bold", **font)
    from matplotlib.patches import Patch

    handles = [Patch(color=COLOURS[k], label=lab[f"seg_{k}"])
               for k in ("travel", "visit", "wait", "break")]
    ax.legend(handles=handles, loc="upper center",
              bbox_to_anchor=(0.5, -0.08 - 0.3 / max(len(shown), 1)), ncol=4, frameon=False,
              prop={"family": _cjk_fonts()} if font else None)
    return fig


def workload(plan: Plan, rep_ids: Sequence[str] | None = None, *, lang: str = "en") -> Figure:
    """Visits and hours per rep-day: one panel per rep, one bar per working day.

    Each bar stacks the day's visit time, travel and the rest (waiting and the
    break), from leaving to coming back; the dots give the number of visits
    (right-hand scale); the dashed line is the rep's mean day.

    Parameters
    ----------
    plan
        The plan.
    rep_ids
        The reps to show, in order (default: every rep with a route).
    lang
        The language of the labels (``en``, ``zh``).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        An unknown rep or language.
    """
    lab = labels(lang)
    font = _font(lang)
    reps = {r.id: r for r in plan.problem.reps}
    ids = list(rep_ids) if rep_ids is not None else list(
        dict.fromkeys(r.rep_id for r in plan.routes))
    unknown = [r for r in ids if r not in reps]
    if unknown:
        raise InputError([Issue(f"rep {unknown[0]!r} is not in the plan; its reps: "
                                f"{', '.join(reps)}", column="rep_ids")])
    from matplotlib.ticker import MaxNLocator

    days = list(plan.problem.planning_days)
    fig = _figure(max(8.0, 0.32 * len(days) + 2.5), 0.4 + 2.3 * max(len(ids), 1))
    axes = fig.subplots(max(len(ids), 1), 1, sharex=True, squeeze=False)[:, 0]
    x = list(range(len(days)))
    for ax, rid in zip(axes, ids, strict=False):
        by_day = {r.date: r for r in plan.routes if r.rep_id == rid}
        visit_h, travel_h, other_h, counts = [], [], [], []
        for d in days:
            r = by_day.get(d)
            if r is None:
                visit_h.append(0.0)
                travel_h.append(0.0)
                other_h.append(0.0)
                counts.append(0)
                continue
            v = sum(s.end - s.start for s in r.stops) / 3600
            t = r.travel_s / 3600
            visit_h.append(v)
            travel_h.append(t)
            other_h.append(max(0.0, r.duration_s / 3600 - v - t))
            counts.append(len(r.stops))
        ax.bar(x, visit_h, color=COLOURS["visit"], label=lab["seg_visit"], width=0.75)
        ax.bar(x, travel_h, bottom=visit_h, color=COLOURS["travel"], label=lab["seg_travel"],
               width=0.75)
        ax.bar(x, other_h, bottom=[a + b for a, b in zip(visit_h, travel_h, strict=True)],
               color=COLOURS["wait"], label=lab["seg_other"], width=0.75)
        worked = [a + b + c for a, b, c in zip(visit_h, travel_h, other_h, strict=True) if a]
        if worked:
            mean = statistics.fmean(worked)
            ax.axhline(mean, color="#333", linestyle="--", linewidth=1,
                       label=f"{lab['mean_day']} {mean:.1f} {lab['h']}")
        ax.set_ylabel(lab["hours_axis"], **font)
        ax.grid(axis="y", color="#e4e4e4", linewidth=0.8)
        ax.set_axisbelow(True)
        rep = reps[rid]
        ax.set_title(f"{rid} · {rep.name}" if rep.name else rid, loc="left", fontsize=11,
                     fontweight="bold", **font)
        twin = ax.twinx()
        twin.plot([i for i, c in zip(x, counts, strict=True) if c],
                  [c for c in counts if c], "o", color="#222", markersize=4,
                  label=lab["visits"])
        twin.set_ylim(0, max([*counts, 1]) * 1.25)
        twin.yaxis.set_major_locator(MaxNLocator(integer=True))
        twin.set_ylabel(lab["visits"], **font)
        for side in ("top",):
            ax.spines[side].set_visible(False)
            twin.spines[side].set_visible(False)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = twin.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left", ncol=5, frameon=False,
                  bbox_to_anchor=(0, 1.0), prop={"family": _cjk_fonts() if font else None,
                                                 "size": 8})
        ax.set_ylim(0, max([a + b + c for a, b, c in zip(visit_h, travel_h, other_h,
                                                        strict=True)] + [1]) * 1.3)
    def short(d: date) -> str:
        name = weekday_name(d.weekday(), lang)
        return f"{name[:2] if lang == 'en' else name[-1]}\n{d:%d.%m}"

    axes[-1].set_xticks(x, [short(d) for d in days], fontsize=7.5, **font)
    return fig
