"""Territory folders, and tasks that misbehave on purpose, for the batch tests.

Each territory is :func:`routeopt.datasets.make_territory` with 20 outlets and
one rep, planned over 4 weeks from Monday 2026-11-30 with a 30-iteration
search (the deterministic stop rule), so that one plan takes a fraction of a
second.

The tasks live in a module of their own so that worker processes can unpickle
them: forked pool workers find it in ``sys.modules``, and Dask workers get it
by value (``cloudpickle.register_pickle_by_value``).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from routeopt.batch import TaskInput, plan_territory
from routeopt.datasets import make_territory

ITERATIONS = 30
BATCH_TOML = f"""start = "2026-11-30"
weeks = 4

[solve]
max_iterations = {ITERATIONS}
time_limit = 120
"""


def write_territory(folder: Path, seed: int, n_outlets: int = 20) -> Path:
    """``folder/outlets.csv`` and ``folder/reps.csv`` of a seeded territory."""
    folder.mkdir(parents=True, exist_ok=True)
    outlets, reps = make_territory(n_outlets, 1, seed=seed)
    outlets.to_csv(folder / "outlets.csv", index=False)
    reps.to_csv(folder / "reps.csv", index=False)
    return folder


def break_outlets(folder: Path) -> None:
    """Make line 3 of ``outlets.csv`` (the second outlet) have a latitude that is not a number."""
    lines = (folder / "outlets.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[2] = "north"
    lines[2] = ",".join(cells)
    (folder / "outlets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def kill_doomed(job: TaskInput) -> Mapping[str, Any]:
    """Plan; but a territory named ``*doomed*`` kills its worker process after 0.2 s.

    One named ``*slow*`` waits 1 s first, so that it is still running when
    its neighbour's worker dies.
    """
    if "doomed" in job.name:
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGKILL)
    if "slow" in job.name:
        time.sleep(1.0)
    return plan_territory(job)


def kill_once(job: TaskInput) -> Mapping[str, Any]:
    """Kill the worker the first time a territory with a ``crash-once`` file runs, then plan.

    The flag file is named in the territory's ``crash-once`` file (an absolute
    path), so that the second run sees it.
    """
    flag_file = job.src / "crash-once"
    if flag_file.is_file():
        flag = Path(flag_file.read_text(encoding="utf-8").strip())
        if not flag.exists():
            flag.write_text("crashed", encoding="utf-8")
            os._exit(137)
    return plan_territory(job)


def must_not_run(job: TaskInput) -> Mapping[str, Any]:
    """A task for runs in which every territory must be skipped."""
    raise AssertionError(f"territory {job.name} was run")


def boom(job: TaskInput) -> Mapping[str, Any]:
    """Raise an ordinary exception in the task for territories whose name starts with 'boom'."""
    if job.name.startswith("boom"):
        raise ZeroDivisionError("boom in " + job.name)
    return plan_territory(job)


def sleepy(job: TaskInput) -> Mapping[str, Any]:
    """Plan; but a territory named ``*sleepy*`` first sleeps 5 s (still running at an interrupt)."""
    if "sleepy" in job.name:
        time.sleep(5.0)
    return plan_territory(job)
