"""The examples run (smoke tests with a small search)."""

from __future__ import annotations

import json
import os
import re
import runpy
import sys
from pathlib import Path

import pytest

from routeopt.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "monaco"


def test_plan_monaco_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["plan_monaco.py", "--iterations", "30", "--weeks", "2",
                                      "--out", str(tmp_path)])
    runpy.run_path(str(ROOT / "examples" / "plan_monaco.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "Route sheet: rep" in out
    assert (tmp_path / "visits.csv").exists()
    assert json.loads((tmp_path / "summary.json").read_text())["calendar"]["country"] == "MC"


def test_readme_plan_command_on_bundled_data(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = cli(["plan", "--outlets", str(DATA / "outlets.csv"), "--reps", str(DATA / "reps.csv"),
                "--start", "2026-11-30", "--weeks", "4", "--out", str(tmp_path),
                "--iterations", "100", "--country", "MC"])
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["required_visits"] == 446
    assert summary["coverage"] == 1.0
    assert summary["working_days"] == 36  # 2 reps x 20 weekdays, less 8 and 25 December
    assert "446 of 446 scheduled" in capsys.readouterr().out
    days = {line.split(",")[1] for line in
            (tmp_path / "visits.csv").read_text().splitlines()[1:]}
    assert "2026-12-08" not in days and "2026-12-25" not in days


def test_road_vs_great_circle_example(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["road_vs_great_circle.py", "--iterations", "30",
                                      "--weeks", "1"])
    runpy.run_path(str(ROOT / "examples" / "road_vs_great_circle.py"), run_name="__main__")
    out = capsys.readouterr().out
    m = re.search(r"estimate: +([\d.]+) h of travel promised, +([\d.]+) h on the roads", out)
    assert m is not None, out
    promised, on_roads = float(m.group(1)), float(m.group(2))
    assert promised > 0 and on_roads > 0 and promised != on_roads
    assert re.search(r"planned on the road network: +[\d.]+ h of travel", out)


def test_share_monaco_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example of docs/sharing.md: plan, export, and its pictures (needs Chromium)."""
    import shutil

    if not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")):
        if os.environ.get("ROUTEOPT_REQUIRE_SERVERS"):
            pytest.fail("no Chromium: bash .ci/setup/chromium.sh")
        pytest.skip("no Chromium")
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "argv", ["share_monaco.py", "--out", str(tmp_path / "out"),
                                      "--pictures", str(tmp_path / "img"), "--iterations", "20",
                                      "--no-pdf"])
    runpy.run_path(str(ROOT / "examples" / "share_monaco.py"), run_name="__main__")
    out = tmp_path / "out" / "share"
    assert (out / "sheets" / "R1" / "2026-12-01.html").is_file()
    assert (out / "calendars" / "R1.ics").is_file() and (out / "plan.xlsx").is_file()
    for name in ("route-sheet", "route-map", "overview-map", "gantt"):
        png = (tmp_path / "img" / f"{name}.png").read_bytes()
        assert png[:4] == b"\x89PNG" and len(png) > 20_000, name
