"""``routeopt batch --replan``: the nightly job over many territories."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from routeopt.cli import main

TODAY = "2026-12-01"  # the Tuesday of the first planned week


def _visits(folder: Path) -> list[dict[str, str]]:
    with (folder / "visits.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _from_today(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    keep = ("rep_id", "date", "seq", "outlet_id", "start")
    return [tuple(r[k] for k in keep) for r in rows if r["date"] >= TODAY]


def test_nightly_batch_replans_every_territory_from_its_previous_plan(
        make_batch: Callable[..., Path], tmp_path: Path) -> None:
    root = make_batch(["calm", "busy"])
    first = tmp_path / "plans-1130"
    assert main(["batch", "--territories", str(root), "--out", str(first),
                 "--workers", "1"]) == 0
    # Monday's first visit to a weekly (or more frequent) outlet in "busy" was
    # missed, so it is owed within the week; "calm" had an uneventful day.
    with (root / "busy" / "outlets.csv").open(newline="", encoding="utf-8") as f:
        weekly = {r["outlet_id"] for r in csv.DictReader(f)
                  if r["frequency"] in ("1/week", "2/week")}
    monday = [r for r in _visits(first / "busy")
              if r["date"] == "2026-11-30" and r["outlet_id"] in weekly]
    missed = monday[0]
    with (root / "busy" / "visit_log.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["outlet_id", "rep_id", "date", "status"])
        w.writerow([missed["outlet_id"], missed["rep_id"], "2026-11-30", "missed"])
    # "calm" had a quiet night: its sales system sent the log's header and no rows.
    (root / "calm" / "visit_log.csv").write_text("outlet_id,rep_id,date,status\n",
                                                 encoding="utf-8")
    (root / "lost").mkdir()  # a territory with no previous plan
    (root / "lost" / "outlets.csv").write_bytes((root / "calm" / "outlets.csv").read_bytes())
    (root / "lost" / "reps.csv").write_bytes((root / "calm" / "reps.csv").read_bytes())

    second = tmp_path / "plans-1201"
    args = ["batch", "--territories", str(root), "--out", str(second), "--workers", "1",
            "--replan", "--today", TODAY, "--previous", str(first)]
    assert main(args) == 3  # "lost" failed, the others were re-planned

    summary = json.loads((second / "batch-summary.json").read_text(encoding="utf-8"))
    state = {t["territory"]: t for t in summary["results"]}
    assert state["calm"]["state"] == state["busy"]["state"] == "done"
    assert state["lost"]["state"] == "failed"
    assert [f["territory"] for f in summary["failures"]] == ["lost"]
    assert "no previous plan" in summary["failures"][0]["message"]
    assert state["busy"]["summary"]["changes"]["added"] >= 1  # the make-up visit

    # undisturbed (a header-only log is no news): the rest of the cycle is the previous plan
    calm = json.loads((second / "calm" / "replan.json").read_text(encoding="utf-8"))
    assert calm["changes"]["moved"] == calm["changes"]["added"] == 0
    assert _from_today(_visits(second / "calm")) == _from_today(_visits(first / "calm"))

    # disturbed: the missed visit comes back within the week, after today
    busy = _visits(second / "busy")
    again = [r["date"] for r in busy if r["outlet_id"] == missed["outlet_id"]
             and TODAY <= r["date"] <= "2026-12-04"]
    assert again, "the missed visit was not made up within its week"
    assert all(r["date"] >= TODAY for r in busy)  # history is never re-planned

    # a re-run skips what is done and tries the failed one again
    assert main(args) == 3
    summary = json.loads((second / "batch-summary.json").read_text(encoding="utf-8"))
    state = {t["territory"]: t["state"] for t in summary["results"]}
    assert state == {"calm": "skipped", "busy": "skipped", "lost": "failed"}


def test_replan_options_need_replan(make_batch: Callable[..., Path],
                                    tmp_path: Path) -> None:
    root = make_batch(["a"])
    assert main(["batch", "--territories", str(root), "--out", str(tmp_path / "o"),
                 "--today", TODAY]) == 2


def _lines(folder: Path, start: str) -> dict[str, set[tuple[str, int]]]:
    from datetime import date

    first = date.fromisoformat(start)
    out: dict[str, set[tuple[str, int]]] = {}
    for r in _visits(folder):
        out.setdefault(r["outlet_id"], set()).add(
            (r["rep_id"], (date.fromisoformat(r["date"]) - first).days))
    return out


def test_next_cycle_batch_keeps_the_route_lines(make_batch: Callable[..., Path],
                                               tmp_path: Path) -> None:
    root = make_batch(["a", "b"])
    first = tmp_path / "cycle-1"
    assert main(["batch", "--territories", str(root), "--out", str(first),
                 "--workers", "1"]) == 0
    for name in ("a", "b"):  # another seed: a fresh plan would redraw the lines
        (root / name / "territory.toml").write_text("[solve]\nseed = 1\n", encoding="utf-8")
    nxt = ["batch", "--territories", str(root), "--workers", "1", "--start", "2026-12-28"]
    assert main([*nxt, "--out", str(tmp_path / "fresh")]) == 0
    assert main([*nxt, "--out", str(tmp_path / "cycle-2"), "--previous", str(first)]) == 0
    for name in ("a", "b"):
        before = _lines(first / name, "2026-11-30")
        assert _lines(tmp_path / "cycle-2" / name, "2026-12-28") == before
    assert any(_lines(tmp_path / "fresh" / n, "2026-12-28") != _lines(first / n, "2026-11-30")
               for n in ("a", "b"))
