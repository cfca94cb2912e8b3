"""The charts: a rep's week as a Gantt chart and the workload per rep-day (matplotlib, Agg)."""

from __future__ import annotations

import itertools
import sys
from datetime import date, timedelta
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

sys.path.insert(0, str(Path(__file__).parent))

from monaco import MONDAY, monaco_week

from routeopt import Plan
from routeopt.exceptions import InputError
from routeopt.export.charts import COLOURS, gantt, segments, workload


@pytest.fixture(scope="module")
def monaco() -> Plan:
    return monaco_week()


def _bars(fig: object, colour: str) -> list[object]:
    from matplotlib.colors import to_hex
    from matplotlib.patches import Rectangle

    ax = fig.axes[0]  # type: ignore[attr-defined]
    return [p for p in ax.patches if isinstance(p, Rectangle)
            and to_hex(p.get_facecolor()) == colour.lower()]


def test_the_segments_cover_each_day_in_order_without_overlap(monaco: Plan) -> None:
    for r in monaco.routes:
        parts = segments(r)
        assert parts[0][1] == r.depart and parts[-1][2] == r.back
        assert all(a[2] == b[1] for a, b in itertools.pairwise(parts))
        assert all(b > a for _, a, b, _ in parts)
        visits = [(a, b, k) for kind, a, b, k in parts if kind == "visit"]
        assert visits == [(s.start, s.end, k) for k, s in enumerate(r.stops, start=1)]
        travel = sum(b - a for kind, a, b, _ in parts if kind == "travel")
        assert travel == r.travel_s
        brk = [(a, b) for kind, a, b, _ in parts if kind == "break"]
        assert brk == ([(r.break_start, r.break_end)] if r.break_start is not None else [])


def test_a_gantt_chart_has_a_bar_per_day_cut_into_its_parts(monaco: Plan,
                                                             tmp_path: Path) -> None:
    rep = "R1"
    routes = [r for r in monaco.routes if r.rep_id == rep]
    fig = gantt(monaco, rep, 1)
    visits = _bars(fig, COLOURS["visit"])
    assert len(visits) == sum(len(r.stops) for r in routes)
    assert len(_bars(fig, COLOURS["break"])) == sum(r.break_start is not None for r in routes)
    ax = fig.axes[0]
    days = [t.get_text() for t in ax.get_yticklabels()]
    assert days == [f"{name}\n{MONDAY + timedelta(days=i)}" for i, name in
                    enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"))]
    assert "R1 · Rep West (Fontvieille) — week 1 (2026-11-30 – 2026-12-06)" in ax.get_title("left")
    texts = [t.get_text() for t in ax.texts]
    assert f"{len(routes[0].stops)} visits · " in "".join(texts)
    assert {"1", "2"} <= set(texts)  # visits numbered in route order
    png = tmp_path / "gantt.png"
    fig.savefig(png, dpi=60)
    assert png.stat().st_size > 5000
    # Any date of the week names it; names instead of numbers where they fit.
    same = gantt(monaco, rep, date(2026, 12, 3), names=True)
    assert len(_bars(same, COLOURS["visit"])) == len(visits)
    assert "1" not in [t.get_text() for t in same.axes[0].texts]


def test_the_gantt_chart_in_chinese() -> None:
    fig = gantt(monaco_week(), "R2", lang="zh")
    ax = fig.axes[0]
    assert "第 1 周" in ax.get_title("left")
    assert ax.get_yticklabels()[0].get_text().startswith("星期一")


def test_bad_gantt_arguments_are_explained(monaco: Plan) -> None:
    with pytest.raises(InputError, match=r"rep 'R9' is not in the plan; its reps: R1, R2"):
        gantt(monaco, "R9")
    with pytest.raises(InputError, match=r"week 2 is outside the plan: it has weeks 1 to 1"):
        gantt(monaco, "R1", 2)
    with pytest.raises(InputError, match=r"'next' is neither a week number nor a date"):
        gantt(monaco, "R1", "next")


def test_the_workload_chart_shows_hours_and_visits_per_rep_day(monaco: Plan,
                                                                tmp_path: Path) -> None:
    fig = workload(monaco)
    panels = [ax for ax in fig.axes if ax.get_ylabel() == "Hours"]
    assert [ax.get_title("left") for ax in panels] == ["R1 · Rep West (Fontvieille)",
                                                       "R2 · Rep East (Beausoleil)"]
    days = len(monaco.problem.planning_days)
    for ax, rep in zip(panels, ("R1", "R2"), strict=True):
        routes = {r.date: r for r in monaco.routes if r.rep_id == rep}
        heights = [p.get_height() for p in ax.patches]
        assert len(heights) == 3 * days  # visit, travel, the rest: stacked per day
        total = [sum(heights[i::days]) for i in range(days)]
        want = [routes[d].duration_s / 3600 if d in routes else 0.0
                for d in monaco.problem.planning_days]
        assert total == pytest.approx(want)
    counts = [ax for ax in fig.axes if ax.get_ylabel() == "Visits"]
    dots = counts[0].lines[0].get_ydata()
    assert list(dots) == [len(r.stops) for r in monaco.routes if r.rep_id == "R1"]
    fig.savefig(tmp_path / "workload.png", dpi=50)
    assert (tmp_path / "workload.png").stat().st_size > 5000
    with pytest.raises(InputError, match="rep 'X' is not in the plan"):
        workload(monaco, ["X"])
