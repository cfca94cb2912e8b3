"""SIGINT and SIGTERM of ``routeopt plan``, ``replan`` and ``batch``: real processes, real signals.

Each test waits for a sign that the command is at work (a matrix cache file
written just before the search, a worker process, a finished territory)
rather than sleeping, then checks: exit 130, one line on stderr and no
traceback, no process left of the command, the output folder as it was,
the caches usable, and a rerun that completes. ``routeopt geocode`` has its
own in ``tests/geocode/test_cli.py``.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from procs import Command, linux_only, snapshot

from routeopt.cli import main
from routeopt.datasets import make_territory

pytestmark = linux_only
START = "2026-11-30"
LONG = ["--iterations", "100000000", "--time-limit", "600"]  # runs until stopped


def tables(folder: Path, n: int = 20, seed: int = 7) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    outlets, reps = make_territory(n, 1, seed=seed)
    outlets.to_csv(folder / "outlets.csv", index=False)
    reps.to_csv(folder / "reps.csv", index=False)
    return ["--outlets", str(folder / "outlets.csv"), "--reps", str(folder / "reps.csv")]


def two_searches(tmp: Path) -> list[str]:
    """Solver parameters with a second search in a child process of the solve."""
    (tmp / "params.toml").write_text("workers = 2\n", encoding="utf-8")
    return ["--params", str(tmp / "params.toml")]


def searching(cmd: Command, cache: Path) -> bool:
    """The matrix is cached (the search comes next) and the solve's child process runs."""
    return any(cache.glob("*.npz")) and len(cmd.session()) > 1


def assert_stopped(cmd: Command, signame: str) -> str:
    code, out, err = cmd.finish()
    assert code == 130, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"routeopt: interrupted ({signame})"), err
    assert "Traceback" not in err and out == ""
    assert cmd.leftovers() == []
    return err


def assert_cache_usable(cache: Path) -> None:
    (npz,) = cache.glob("*.npz")
    with np.load(npz, allow_pickle=False) as f:
        assert f["durations"].shape == f["distances"].shape
    assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []


def test_plan_interrupted(tmp_path: Path) -> None:
    signum, group = signal.SIGINT, True  # Ctrl-C (SIGTERM: see the replan test)
    common = [*tables(tmp_path), "--start", START, "--weeks", "4", "--out", str(tmp_path / "plan")]
    assert main(["plan", *common, "--iterations", "20"]) == 0  # last week's plan, kept
    before = snapshot(tmp_path / "plan")
    cache = tmp_path / "matrices"
    args = ["plan", *common, *two_searches(tmp_path), "--matrix-cache", str(cache)]
    cmd = Command([*args, *LONG], tmp_path)
    cmd.wait_for(lambda: searching(cmd, cache), "the search")
    cmd.signal(signum, group=group)
    err = assert_stopped(cmd, signal.Signals(signum).name)
    assert f"nothing was written, {tmp_path / 'plan'} is as it was" in err
    assert snapshot(tmp_path / "plan") == before
    assert_cache_usable(cache)
    (npz,) = cache.glob("*.npz")
    stamp = npz.stat().st_mtime_ns
    again = Command([*args, "--iterations", "20"], tmp_path, "rerun")
    code, out, err = again.finish()
    assert code == 0, err
    assert "scheduled" in out and snapshot(tmp_path / "plan") != before
    assert npz.stat().st_mtime_ns == stamp  # the cached matrix was used, not recomputed


def test_replan_interrupted(tmp_path: Path) -> None:
    common = tables(tmp_path)
    assert main(["plan", *common, "--start", START, "--weeks", "4", "--iterations", "20",
                 "--out", str(tmp_path / "plan")]) == 0
    before = snapshot(tmp_path / "plan")
    (tmp_path / "log.csv").write_text("outlet_id,rep_id,date,status\n", encoding="utf-8")
    cache = tmp_path / "matrices"
    args = ["replan", *common, "--previous", str(tmp_path / "plan"), "--log",
            str(tmp_path / "log.csv"), "--today", "2026-12-02", "--out", str(tmp_path / "next"),
            "--matrix-cache", str(cache), *two_searches(tmp_path)]
    cmd = Command([*args, *LONG], tmp_path)
    cmd.wait_for(lambda: searching(cmd, cache), "the search")
    cmd.signal(signal.SIGTERM, group=False)  # a supervisor stopping the nightly job
    assert_stopped(cmd, "SIGTERM")
    assert not (tmp_path / "next").exists()
    assert snapshot(tmp_path / "plan") == before  # the previous plan is untouched
    assert_cache_usable(cache)
    code, _, err = Command([*args, "--iterations", "20"], tmp_path, "rerun").finish()
    assert code == 0, err
    assert (tmp_path / "next" / "replan.json").is_file()


@pytest.mark.parametrize(("signum", "group"), [(signal.SIGINT, True), (signal.SIGTERM, False)],
                         ids=["ctrl-c", "sigterm"])
def test_batch_interrupted_with_two_workers(tmp_path: Path, signum: int, group: bool) -> None:
    root = tmp_path / "territories"
    for k, name in enumerate(["1-quick", "2-slow", "3-slow"]):
        tables(root / name, seed=20 + k)
    (root / "batch.toml").write_text(f'start = "{START}"\nweeks = 4\n[solve]\n'
                                     "max_iterations = 100000000\ntime_limit = 600\n",
                                     encoding="utf-8")
    (root / "1-quick" / "territory.toml").write_text(
        "[solve]\nmax_iterations = 20\ntime_limit = 120\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["batch", "--territories", str(root), "--out", str(out), "--workers", "2"]
    cmd = Command(args, tmp_path)
    # the quick territory is written, and the two slow ones are running in the two workers
    cmd.wait_for(lambda: (out / "1-quick" / ".done").is_file() and len(cmd.session()) >= 3,
                 "a finished territory")
    cmd.signal(signum, group=group)
    if group:
        cmd.signal(signum, group=True)  # a second Ctrl-C while it stops
    err = assert_stopped(cmd, signal.Signals(signum).name)
    assert f"the territories finished are in {out}" in err
    assert sorted(p.name for p in out.iterdir()) == ["1-quick"]  # nothing half-written
    assert json.loads((out / "1-quick" / "status.json").read_text(encoding="utf-8"))[
        "state"] == "done"
    rerun = Command([*args, "--iterations", "20", "--time-limit", "120"], tmp_path, "rerun")
    code, printed, err = rerun.finish()
    assert code == 0, err
    assert "2 done, 1 skipped, 0 failed" in printed
    assert rerun.leftovers() == []
