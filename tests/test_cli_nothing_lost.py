"""The reproductions of issue "Nothing lost, ever" (items 4 and 5) through
``routeopt plan``: each ends in a checked plan (exit 0) where every required
visit is made or listed with its reason."""

from __future__ import annotations

import csv
import json
from pathlib import Path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _accounted(out_dir: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    visits, missed = _rows(out_dir / "visits.csv"), _rows(out_dir / "unscheduled.csv")
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    assert len(visits) + len(missed) == summary["required_visits"]
    assert all(u["reason"] and u["message"] for u in missed)
    return visits, missed


def test_identical_points_with_a_short_limit(write_csv, rep_rows, run_cli) -> None:  # type: ignore[no-untyped-def]
    # The rows (S{i},43.73,7.417,1/4weeks,5), fewer of them, no visit limit.
    outlets = [{"outlet_id": f"S{i}", "lat": "43.73", "lon": "7.417", "frequency": "1/4weeks",
                "service_min": "5"} for i in range(300)]
    reps = [dict(rep_rows[0], **{"break": "12:00-14:00/45"})]
    r = run_cli(write_csv("outlets.csv", outlets), write_csv("reps.csv", reps),
                "--weeks", "4", "--time-limit", "1", "--iterations", "100000")
    assert r.code == 0, r.err  # 0: the command checked the plan
    visits, _ = _accounted(r.out_dir)
    assert visits


def test_two_appointments_on_one_day(write_csv, outlet_rows, rep_rows, run_cli) -> None:  # type: ignore[no-untyped-def]
    # the two cases, an hour apart so that one rep can keep all four
    rows = [dict(outlet_rows[0], outlet_id="NOFREQ", frequency="",
                 appointment="2026-12-02 10:00;2026-12-02 14:00"),
            dict(outlet_rows[1], outlet_id="TWICE", frequency="2/week",
                 appointment="2026-12-02 11:00;2026-12-02 15:00")]
    r = run_cli(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows))
    assert r.code == 0, r.err
    visits, missed = _accounted(r.out_dir)
    assert not missed
    for oid, hours in (("NOFREQ", ("10", "14")), ("TWICE", ("11", "15"))):
        starts = sorted(v["start"] for v in visits if v["outlet_id"] == oid)
        assert starts == [f"2026-12-02T{h}:00:00" for h in hours], (oid, starts)
