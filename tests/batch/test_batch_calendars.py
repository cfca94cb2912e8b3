"""``routeopt batch --country``: a calendar for every territory from the command line."""

from __future__ import annotations

import csv
from datetime import date

from routeopt.cli import main


def test_batch_command_line_calendar_defaults(make_batch, tmp_path, capsys):
    root = make_batch(["east"])
    args = ["batch", "--territories", str(root), "--out", str(tmp_path / "out"),
            "--workers", "1", "--iterations", "20"]
    assert main([*args, "--country", "XX"]) == 2
    err = capsys.readouterr().err
    assert "command line" in err and "unknown country code 'XX'" in err
    assert main(args) == 0
    assert date(2026, 12, 8) in visit_dates(tmp_path)  # a Tuesday like any other
    assert main([*args, "--country", "MC"]) == 0  # other options: planned again
    days = visit_dates(tmp_path)
    assert date(2026, 12, 8) not in days and date(2026, 12, 25) not in days


def visit_dates(tmp_path):
    with (tmp_path / "out" / "east" / "visits.csv").open(newline="", encoding="utf-8") as f:
        return {date.fromisoformat(r["date"]) for r in csv.DictReader(f)}
