"""The notebook view: ``Plan._repr_html_``, ``Plan.map`` and the example notebook, run for real
(nbclient, an ipykernel kernel)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from monaco import monaco_week

from routeopt import Plan
from routeopt.exceptions import InputError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "sharing.ipynb"


@pytest.fixture(scope="module")
def monaco() -> Plan:
    return monaco_week()


def test_the_notebook_view_shows_the_figures_the_rep_days_and_the_map(monaco: Plan) -> None:
    view = monaco._repr_html_()
    k = monaco.kpis()
    assert f"{k['scheduled_visits']} of {k['required_visits']}" in view
    assert "Outlets at full frequency" in view and "Travel" in view
    assert view.count("<tr><td>R1</td>") == sum(r.rep_id == "R1" for r in monaco.routes)
    r = monaco.routes[0]
    assert (f"<tr><td>{r.rep_id}</td><td>{r.date.isoformat()}</td><td>Mon</td>"
            f"<td>{len(r.stops)}</td><td>{r.duration_s / 3600:.1f}</td>") in view
    assert "<iframe" in view and "leaflet" in view.lower()  # the overview map


def test_without_folium_the_view_says_what_to_install(monaco: Plan,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "folium" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    view = monaco._repr_html_()
    assert 'pip install "routeopt[reports]"' in view and "<iframe" not in view
    assert "Visits scheduled" in view


def test_plan_map_gives_the_overview_a_reps_part_or_a_day(monaco: Plan) -> None:
    import folium

    def count(m: Any, kind: type) -> int:
        return int(isinstance(m, kind)) + sum(count(c, kind) for c in m._children.values())

    def circles(m: Any) -> int:  # the outlets of the overview's layers
        own = len(m.points) if m._name == "RouteoptCircles" else 0
        return own + sum(circles(c) for c in m._children.values())

    everyone = monaco.map()
    r1 = monaco.map("R1")
    route = monaco.routes[0]
    day = monaco.map(route.rep_id, route.date.isoformat())
    assert isinstance(everyone, folium.Map)
    outlets = len({(r.rep_id, r.date.weekday(), s.outlet_id) for r, s in monaco.visits()})
    assert circles(everyone) == outlets
    assert circles(r1) == len(
        {(r.date.weekday(), s.outlet_id) for r, s in monaco.visits() if r.rep_id == "R1"})
    assert count(day, folium.Marker) == 1  # the start point
    assert sum(len(c.points) for c in day._children.values()
               if c._name == "RouteoptStops") == len(route.stops)
    with pytest.raises(InputError, match="give rep_id with day"):
        monaco.map(day=route.date)


def test_the_example_notebook_runs_and_shows_its_figures_and_maps() -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [(cell.source, out) for cell in nb.cells if cell.cell_type == "code"
               for out in cell.get("outputs", [])]
    errors = [out for _, out in outputs if out.get("output_type") == "error"]
    assert errors == []
    html = {src: out["data"]["text/html"] for src, out in outputs
            if "text/html" in out.get("data", {})}
    pngs = [src for src, out in outputs if "image/png" in out.get("data", {})]
    view = next(v for s, v in html.items() if s.strip().endswith("plan"))
    assert "Visits scheduled" in view and "<iframe" in view
    maps = [s for s, v in html.items() if "plan.map(" in s and "<iframe" in v and "L.map(" in v]
    assert len(maps) == 2  # the overview and a rep's day
    assert any("gantt(" in s for s in pngs) and any("workload(" in s for s in pngs)
