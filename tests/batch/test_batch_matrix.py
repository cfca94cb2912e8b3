"""``routeopt batch --matrix road|osrm``: every territory planned on road travel times."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from routeopt.cli import main
from routeopt.matrix import OSRM, RoadNetwork
from routeopt.problem import Location

MONACO = Path(__file__).resolve().parents[2] / "examples" / "data" / "monaco"
PBF = MONACO / "monaco.osm.pbf"


@pytest.fixture
def monaco_batch(tmp_path: Path) -> Path:
    """Two territories: the Monaco example's outlets split between its two reps."""
    outlets = pd.read_csv(MONACO / "outlets.csv", dtype=str, keep_default_na=False)
    reps = pd.read_csv(MONACO / "reps.csv", dtype=str, keep_default_na=False)
    root = tmp_path / "territories"
    for k in range(len(reps)):
        folder = root / f"t{k}"
        folder.mkdir(parents=True)
        outlets.iloc[k::2].head(25).assign(rep_id="").to_csv(folder / "outlets.csv", index=False)
        reps.iloc[[k]].to_csv(folder / "reps.csv", index=False)
    (root / "batch.toml").write_text('start = "2026-11-30"\nweeks = 2\n\n[solve]\n'
                                     'max_iterations = 30\n', encoding="utf-8")
    return root


def _first_legs(folder: Path) -> list[tuple[str, int, int]]:
    """(outlet, travel_s, distance_m) of the first visit of each route."""
    with (folder / "visits.csv").open(newline="", encoding="utf-8") as f:
        return [(r["outlet_id"], int(r["travel_s"]), int(r["distance_m"]))
                for r in csv.DictReader(f) if r["seq"] == "1"]


def _check_legs(root: Path, out: Path, provider: RoadNetwork | OSRM) -> None:
    for name in ("t0", "t1"):
        outlets = pd.read_csv(root / name / "outlets.csv", dtype=str, keep_default_na=False)
        rep = pd.read_csv(root / name / "reps.csv", dtype=str, keep_default_na=False).iloc[0]
        where = {o: Location(float(a), float(b))
                 for o, a, b in zip(outlets.outlet_id, outlets.lat, outlets.lon, strict=True)}
        legs = _first_legs(out / name)
        assert legs
        for outlet, travel_s, distance_m in legs:
            m = provider.matrix([Location(float(rep.lat), float(rep.lon)), where[outlet]],
                                "drive")
            assert (travel_s, distance_m) == (int(m.durations[0, 1]), int(m.distances[0, 1]))


def test_batch_plans_on_the_road_network(monaco_batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["batch", "--territories", str(monaco_batch), "--out", str(out),
                 "--workers", "1", "--matrix", "road", "--osm-file", str(PBF)]) == 0
    _check_legs(monaco_batch, out, RoadNetwork(PBF))
    status = json.loads((out / "t0" / "status.json").read_text(encoding="utf-8"))
    assert status["options"]["matrix"]["provider"] == "road"


def test_batch_plans_on_osrm(monaco_batch: Path, tmp_path: Path,
                             require_server: Callable[[str, str], str]) -> None:
    url = require_server("ROUTEOPT_TEST_OSRM", "OSRM (osrm-routed with the Monaco car graph)")
    out = tmp_path / "out"
    assert main(["batch", "--territories", str(monaco_batch), "--out", str(out),
                 "--workers", "1", "--matrix", "osrm", "--osrm-url", url]) == 0
    _check_legs(monaco_batch, out, OSRM(url))


def test_a_bad_matrix_table_fails_that_territory_only(monaco_batch: Path,
                                                      tmp_path: Path) -> None:
    (monaco_batch / "t1" / "territory.toml").write_text('[matrix]\nprovider = "tram"\n',
                                                        encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", "--territories", str(monaco_batch), "--out", str(out),
                 "--workers", "1"]) == 3
    summary = json.loads((out / "batch-summary.json").read_text(encoding="utf-8"))
    assert [f["territory"] for f in summary["failures"]] == ["t1"]
    assert "choose haversine, road or osrm" in summary["failures"][0]["message"]
