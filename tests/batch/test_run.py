"""run_batch on a local process pool: failures, crashes, resume, redo, determinism."""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from pathlib import Path

import batch_helpers as batch_tasks
import pandas as pd
import pytest
from batch_helpers import ITERATIONS, write_territory

from routeopt import InputError, SolveParams, solve
from routeopt.batch import (
    DONE_FILE,
    STATUS_FILE,
    SUMMARY_FILE,
    TerritoryOptions,
    run_batch,
    territories_from_frames,
)
from routeopt.batch.run import _recover
from routeopt.datasets import make_territory
from routeopt.read import read_problem

PLAN_FILES = {"visits.csv", "routes.csv", "unscheduled.csv", "summary.json", "plan.json"}


def status(out: Path, name: str) -> dict:
    return json.loads((out / name / STATUS_FILE).read_text(encoding="utf-8"))


def test_bad_input_and_killed_worker_fail_alone(make_batch, tmp_path):
    # The first two in flight: one kills its worker, the other is still running when it does.
    root = make_batch(["1-doomed", "2-slow", "bad", "good-a", "good-b"], bad=["bad"])
    out = tmp_path / "out"
    seen = []
    summary = run_batch(root, out, task=batch_tasks.kill_doomed, workers=2,
                        on_result=lambda r: seen.append(r.name))

    states = {r.name: r.state for r in summary.results}
    assert states == {"1-doomed": "failed", "2-slow": "done", "bad": "failed", "good-a": "done",
                      "good-b": "done"}
    assert sorted(seen) == sorted(states)
    by_name = {r.name: r for r in summary.results}
    bad = by_name["bad"].error
    assert bad["kind"] == "input" and bad["type"] == "InputError"
    assert any("outlets.csv, line 3" in i and "'lat'" in i for i in bad["issues"]), bad
    doomed = by_name["1-doomed"].error
    assert doomed["kind"] == "crash" and doomed["type"] == "BrokenProcessPool"
    assert "worker died" in doomed["message"]
    assert by_name["1-doomed"].attempts == 2  # once in the pool, once alone
    # the territory in flight when the pool broke was run again, alone, and passed
    assert by_name["2-slow"].attempts == 2
    assert by_name["good-a"].attempts == by_name["good-b"].attempts == 1
    for name in ("2-slow", "good-a", "good-b"):
        files = {p.name for p in (out / name).iterdir()}
        assert PLAN_FILES | {STATUS_FILE, DONE_FILE} <= files
        st = status(out, name)
        assert st["state"] == "done" and st["summary"]["coverage"] > 0.9
    for name in ("bad", "1-doomed"):
        assert not (out / name / DONE_FILE).exists()
        assert not (out / name / "visits.csv").exists()
        assert status(out, name)["state"] == "failed"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folders left

    js = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert (js["done"], js["skipped"], js["failed"]) == (3, 0, 2)
    assert {f["territory"] for f in js["failures"]} == {"bad", "1-doomed"}
    assert js["required_visits"] == sum(status(out, n)["summary"]["required_visits"]
                                        for n in ("2-slow", "good-a", "good-b"))
    assert js["travel_s"] > 0 and js["cpu_s"] > 0 and js["wall_s"] > 0
    text = summary.text()
    assert "3 done, 0 skipped, 2 failed" in text and "1-doomed: crash" in text


def test_crash_once_is_retried_alone(make_batch, tmp_path):
    root = make_batch(["t1", "t2", "t3"])
    (root / "t2" / "crash-once").write_text(str(tmp_path / "crashed.flag"), encoding="utf-8")
    summary = run_batch(root, tmp_path / "out", task=batch_tasks.kill_once, workers=2)
    assert [(r.name, r.state) for r in summary.results] == [("t1", "done"), ("t2", "done"),
                                                            ("t3", "done")]
    assert (tmp_path / "crashed.flag").exists()
    assert {r.name: r.attempts for r in summary.results}["t2"] == 2


def test_rerun_skips_done_replans_changed_and_redo(make_batch, tmp_path):
    root = make_batch(["n1", "n2", "bad"], bad=["bad"])
    out = tmp_path / "out"
    first = run_batch(root, out, workers=2)
    assert [r.state for r in first.results] == ["failed", "done", "done"]
    mtimes = {n: (out / n / "visits.csv").stat().st_mtime_ns for n in ("n1", "n2")}

    # Nothing changed: the done territories are not run (the task would fail), the failed one is.
    again = run_batch(root, out, task=batch_tasks.must_not_run, workers=2)
    assert {r.name: r.state for r in again.results} == {"bad": "failed", "n1": "skipped",
                                                        "n2": "skipped"}
    assert "was run" in {r.name: r for r in again.results}["bad"].error["message"]
    assert {n: (out / n / "visits.csv").stat().st_mtime_ns for n in mtimes} == mtimes
    skipped = {r.name: r for r in again.results}["n1"]
    assert skipped.summary == status(out, "n1")["summary"]
    t = again.totals()
    assert t["required_visits"] == sum(first.totals()[k] for k in ["required_visits"])

    # A changed input is planned again; the other one is still skipped.
    write_territory(root / "n2", seed=7)
    changed = run_batch(root, out, workers=1)
    assert {r.name: r.state for r in changed.results} == {"bad": "failed", "n1": "skipped",
                                                          "n2": "done"}
    assert (out / "n1" / "visits.csv").stat().st_mtime_ns == mtimes["n1"]

    # --redo plans everything again.
    redone = run_batch(root, out, workers=2, redo=True)
    assert {r.name: r.state for r in redone.results} == {"bad": "failed", "n1": "done",
                                                         "n2": "done"}
    assert (out / "n1" / "visits.csv").stat().st_mtime_ns != mtimes["n1"]
    only = run_batch(root, out, workers=1, redo=["n2"])
    assert {r.name: r.state for r in only.results} == {"bad": "failed", "n1": "skipped",
                                                       "n2": "done"}


def test_batch_plan_is_the_single_solve_plan(make_batch, tmp_path):
    root = make_batch(["x"])
    out = tmp_path / "out"
    assert run_batch(root, out, workers=1).ok
    problem = read_problem(root / "x" / "outlets.csv", root / "x" / "reps.csv",
                           start="2026-11-30", weeks=4)
    single = solve(problem, SolveParams(max_iterations=ITERATIONS, time_limit=120))
    single.write(tmp_path / "single")
    for f in ("visits.csv", "routes.csv", "unscheduled.csv"):
        assert (out / "x" / f).read_bytes() == (tmp_path / "single" / f).read_bytes(), f
    assert status(out, "x")["summary"]["objective"] == single.stats["objective"]


def test_task_errors_and_territory_options(make_batch, tmp_path):
    root = make_batch(["boom-1", "ok", "opts", "no-start", "bad-toml"])
    (root / "opts" / "territory.toml").write_text(
        'weeks = 2\nholidays = ["2026-12-08"]\n[solve]\nseed = 5\n', encoding="utf-8")
    (root / "no-start" / "territory.toml").write_text("weeks = 1\n", encoding="utf-8")
    (root / "bad-toml" / "territory.toml").write_text("weeks = 0\n", encoding="utf-8")
    (root / "not-a-territory").mkdir()
    summary = run_batch(root, tmp_path / "out", task=batch_tasks.boom, workers=2,
                        defaults=TerritoryOptions(weeks=4,
                                                  solve=SolveParams(max_iterations=ITERATIONS)))
    r = {x.name: x for x in summary.results}
    assert r["boom-1"].error["kind"] == "error"
    assert r["boom-1"].error["type"] == "ZeroDivisionError"
    assert "ZeroDivisionError: boom in boom-1" in r["boom-1"].error["traceback"]
    assert r["ok"].state == "failed"  # defaults given: batch.toml (with the start) is not read
    assert "no start date" in r["ok"].error["issues"][0]
    assert "no start date" in r["no-start"].error["issues"][0]
    assert r["bad-toml"].error["kind"] == "input"
    assert "territory.toml" in r["bad-toml"].error["issues"][0]
    assert summary.left_out == ("not-a-territory",)

    summary = run_batch(root, tmp_path / "out2", workers=2)  # batch.toml read this time
    r = {x.name: x for x in summary.results}
    assert r["ok"].state == "done" and r["no-start"].state == "done"
    assert r["opts"].summary["weeks"] == 2 and r["opts"].summary["seed"] == 5
    assert r["ok"].summary["weeks"] == 4 and r["no-start"].summary["weeks"] == 1
    opts = status(tmp_path / "out2", "opts")["options"]
    assert opts["holidays"] == ["2026-12-08"] and opts["solve"]["max_iterations"] == ITERATIONS


def test_frames_and_any_executor(tmp_path):
    parts = [make_territory(20, 1, seed=s) for s in (11, 12)]
    outlets = pd.concat([o.assign(territory=f"T{k}") for k, (o, _) in enumerate(parts)])
    reps = pd.concat([r.assign(territory=f"T{k}") for k, (_, r) in enumerate(parts)])
    opts = TerritoryOptions(start=pd.Timestamp("2026-11-30").date(), weeks=4,
                            solve=SolveParams(max_iterations=ITERATIONS))
    terrs = territories_from_frames(outlets, reps, defaults=opts)
    with ThreadPoolExecutor(2) as ex:
        by_threads = run_batch(terrs, tmp_path / "threads", executor=ex)
    by_factory = run_batch(terrs, tmp_path / "factory",
                           executor=partial(ProcessPoolExecutor, 2))
    assert by_threads.ok and by_factory.ok
    assert by_threads.executor == "ThreadPoolExecutor"
    assert by_factory.executor == "ProcessPoolExecutor (factory)"
    for name in ("T0", "T1"):
        a = (tmp_path / "threads" / name / "visits.csv").read_bytes()
        assert a == (tmp_path / "factory" / name / "visits.csv").read_bytes()
    # The territory column is not passed on; rows are the territory's own.
    t0 = pd.read_csv(tmp_path / "threads" / "T0" / "visits.csv")
    assert set(t0["outlet_id"]) <= set(parts[0][0]["outlet_id"])


def test_batch_level_errors(make_batch, tmp_path):
    with pytest.raises(InputError, match="territories folder not found"):
        run_batch(tmp_path / "nope", tmp_path / "out")
    root = make_batch(["a"])
    with pytest.raises(InputError, match="is the territories folder"):
        run_batch(root, root / ".." / root.name)
    with pytest.raises(InputError, match="inside territory 'a'"):
        run_batch(root, root / "a" / "plans")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="is a file"):
        run_batch(root, tmp_path / "file")
    (root / "batch.toml").write_text("[solve]\nmax_iterations = 'many'\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"batch.toml.*max_iterations"):
        run_batch(root, tmp_path / "out")
    with pytest.raises(InputError, match="unknown territories"):
        run_batch([], tmp_path / "out", redo=["zzz"])
    with pytest.raises(InputError, match="not several"):
        run_batch([], tmp_path / "out", executor=ThreadPoolExecutor(1), scheduler="tcp://x:1")
    with pytest.raises(InputError, match="not several"):
        run_batch([], tmp_path / "out", workers=2, executor=ThreadPoolExecutor(1))
    with pytest.raises(InputError, match="is not a function"):
        run_batch([], tmp_path / "out", task="plan")
    frame = pd.DataFrame({"territory": ["../up", ""], "outlet_id": ["a", "b"]})
    with pytest.raises(InputError, match="without a territory"):
        territories_from_frames(frame, frame)
    with pytest.raises(InputError, match="may not contain '/'"):
        territories_from_frames(frame.iloc[:1], frame.iloc[:1])


def test_recover_leftovers_of_an_interrupted_run(tmp_path):
    out = tmp_path / "out"
    (out / ".tmp-a-0123").mkdir(parents=True)  # half-written: dropped
    moved = out / (".old-b-" + "f" * 32)  # moved aside before the rename: put back
    moved.mkdir()
    (moved / "visits.csv").write_text("x", encoding="utf-8")
    (out / "c").mkdir()
    (out / (".old-c-" + "e" * 32)).mkdir()  # the new one is in place: dropped
    _recover(out)
    assert sorted(p.name for p in out.iterdir()) == ["b", "c"]
    assert (out / "b" / "visits.csv").read_text(encoding="utf-8") == "x"


def test_no_shared_filesystem_needed(make_batch, tmp_path, capsys):
    """Workers get the files as bytes: a task sees a private copy, not the territory folder."""
    root = make_batch(["only"])
    (root / "only" / "previous").mkdir()
    (root / "only" / "previous" / "visit-log.csv").write_text("outlet_id\nP1\n", encoding="utf-8")
    seen: dict[str, object] = {}

    def peek(job):
        seen["src"] = job.src
        seen["files"] = sorted(p.relative_to(job.src).as_posix() for p in job.src.rglob("*")
                               if p.is_file())
        (job.out / "note.txt").write_text(job.name, encoding="utf-8")
        return {"pid": os.getpid()}

    with ThreadPoolExecutor(1) as ex:
        s = run_batch(root, tmp_path / "out", task=peek, executor=ex, progress=True)
    assert s.ok and seen["src"] != root / "only"
    assert seen["files"] == ["outlets.csv", "previous/visit-log.csv", "reps.csv"]
    assert (tmp_path / "out" / "only" / "note.txt").read_text(encoding="utf-8") == "only"
    assert "batch: 100%" in capsys.readouterr().err  # the progress bar, asked for


def test_a_batch_stopped_halfway_resumes(make_batch, tmp_path):
    root = make_batch(["k1", "k2", "k3"])
    out = tmp_path / "out"

    def stop(result):
        raise KeyboardInterrupt  # the user presses Ctrl-C after the first territory

    with pytest.raises(KeyboardInterrupt):
        run_batch(root, out, workers=1, on_result=stop)
    assert (out / "k1" / DONE_FILE).is_file()
    assert not (out / "k3").exists() and not (out / SUMMARY_FILE).exists()
    resumed = run_batch(root, out, workers=1)
    assert [(r.name, r.state) for r in resumed.results] == [("k1", "skipped"), ("k2", "done"),
                                                            ("k3", "done")]


def test_a_broken_executor_instance_is_reported_not_hung(make_batch, tmp_path):
    root = make_batch(["1-doomed", "2-next", "3-last"])
    with ProcessPoolExecutor(1) as ex:  # an instance, not a factory: it cannot be replaced
        s = run_batch(root, tmp_path / "out", task=batch_tasks.kill_doomed, executor=ex,
                      max_in_flight=1)
    errors = {r.name: r.error for r in s.results}
    assert all(r.state == "failed" for r in s.results)
    assert errors["1-doomed"]["kind"] == "executor"  # its second run could not be submitted
    assert "pass a factory" in errors["2-next"]["message"]


def test_rows_left_out_for_bad_input_count_in_the_coverage(make_batch, tmp_path):
    root = make_batch(["mixed"], bad=["mixed"])  # line 3 of outlets.csv has lat "north"
    toml = (root / "batch.toml").read_text(encoding="utf-8")
    (root / "batch.toml").write_text("skip_invalid = true\n" + toml, encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch(root, out, workers=1)
    (result,) = summary.results
    assert result.state == "done"
    frequency = pd.read_csv(root / "mixed" / "outlets.csv", dtype=str)["frequency"][1]
    owed = {"1/week": 4, "2/week": 8, "1/2weeks": 2, "1/4weeks": 1}[frequency]  # in 4 weeks
    s = result.summary
    assert (s["skipped_outlets"], s["skipped_visits"]) == (1, owed)
    assert s["scheduled_visits"] <= s["required_visits"]
    assert s["coverage"] == round(s["scheduled_visits"] / (s["required_visits"] + owed), 6) < 1
    totals = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert (totals["skipped_outlets"], totals["skipped_visits"]) == (1, owed)
    assert totals["coverage"] == s["coverage"]
    assert "left out    1 outlet(s) with bad input" in summary.text()
    assert (out / "mixed" / "rejected.csv").is_file()
