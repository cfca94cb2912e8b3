"""Run a batch of territories on a ``concurrent.futures`` executor.

The client (this process) decides what to run, reads each territory's files,
submits one job per territory, and writes each result as it comes back. The
workers only compute. The steps:

1. Leftovers of an interrupted run in ``OUT`` are cleaned up.
2. A territory whose ``OUT/<name>/.done`` marker matches the fingerprint of
   its current files and options is *skipped* (unless ``redo``).
3. The others are submitted, at most ``max_in_flight`` at a time (by default
   one per worker), so that a broken pool takes few territories with it.
4. Each outcome is written to ``OUT/<name>/`` atomically: into a temporary
   folder, ``status.json`` next, the ``.done`` marker last, then one rename.
5. A worker that dies (``BrokenProcessPool`` for a process pool, where every
   territory in flight fails with it; ``KilledWorker`` for Dask) makes the
   territories in flight *suspects*, not failures. A broken process pool is
   replaced by a fresh one and the batch goes on. When the others are done,
   each suspect runs again alone, up to ``retries`` times: an innocent one
   succeeds, the culprit kills its worker again and is reported as failed.
6. ``OUT/batch-summary.json`` is written atomically, and returned as a
   :class:`BatchSummary`.

An interrupt (``KeyboardInterrupt``; under ``routeopt batch`` also SIGTERM,
see :mod:`routeopt._interrupt`) stops the batch: the work in flight is
cancelled, the pool's worker processes are terminated (killed if they have
not gone after a few seconds), no summary is written, and the territories
written so far stay: a rerun skips them. A result folder being committed when
the signal comes is finished first.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from routeopt._files import atomic_folder
from routeopt._interrupt import deferred
from routeopt.batch.task import Job, Outcome, Task, error_record, plan_territory, run_job
from routeopt.batch.territory import (
    Territory,
    TerritoryOptions,
    check_unique,
    read_territories,
)
from routeopt.exceptions import InputError, Issue

__all__ = [
    "DONE_FILE",
    "STATUS_FILE",
    "SUMMARY_FILE",
    "BatchSummary",
    "TerritoryResult",
    "run_batch",
]

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
DONE_FILE = ".done"
SUMMARY_FILE = "batch-summary.json"
_TMP, _OLD = ".tmp-", ".old-"
CONNECT_TIMEOUT_S = 20.0  # to reach a Dask scheduler


@dataclass(frozen=True)
class TerritoryResult:
    """How one territory of a batch went.

    Attributes
    ----------
    name
        The territory.
    state
        ``done`` (planned now), ``skipped`` (already done with the same input)
        or ``failed``.
    summary
        The task's summary (for :func:`plan_territory`, the plan's KPIs);
        for a skipped territory, the one recorded when it was done.
    error
        For a failed territory: ``kind`` (``input``, ``error``, ``crash``,
        ``executor`` or ``write``), ``type``, ``message``, ``issues`` and
        ``traceback``.
    attempts
        Runs made in this batch (more than 1 after a worker died).
    wall_s, cpu_s
        Seconds of the last run in its worker, wall clock and CPU.
    warnings
        Warnings raised while it ran.
    worker
        ``host:pid`` of the worker of the last run.
    """

    name: str
    state: str
    summary: Mapping[str, Any] = field(default_factory=dict)
    error: Mapping[str, Any] | None = None
    attempts: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    warnings: tuple[str, ...] = ()
    worker: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"territory": self.name, "state": self.state, "attempts": self.attempts,
                "wall_s": round(self.wall_s, 3), "cpu_s": round(self.cpu_s, 3),
                "worker": self.worker, "warnings": list(self.warnings),
                "error": dict(self.error) if self.error else None,
                "summary": dict(self.summary)}


@dataclass(frozen=True)
class BatchSummary:
    """The outcome of a batch: one :class:`TerritoryResult` per territory, and totals.

    Attributes
    ----------
    out
        The output folder.
    results
        One per territory, by name.
    wall_s
        Wall-clock seconds of the whole batch.
    executor
        What ran it (e.g. ``processes x2``, ``dask tcp://...``).
    started
        UTC start time, ISO 8601.
    left_out
        Sub-folders of the territories folder that are not territories.
    """

    out: Path
    results: tuple[TerritoryResult, ...]
    wall_s: float
    executor: str
    started: str
    left_out: tuple[str, ...] = ()

    def _state(self, state: str) -> list[TerritoryResult]:
        return [r for r in self.results if r.state == state]

    @property
    def done(self) -> list[TerritoryResult]:
        """Territories planned in this batch."""
        return self._state("done")

    @property
    def skipped(self) -> list[TerritoryResult]:
        """Territories already done with the same input, not planned again."""
        return self._state("skipped")

    @property
    def failed(self) -> list[TerritoryResult]:
        """Territories that failed, each with its error."""
        return self._state("failed")

    @property
    def ok(self) -> bool:
        """Whether no territory failed."""
        return not self.failed

    def totals(self) -> dict[str, Any]:
        """Counts and the sum of the KPIs of every planned territory (done and skipped).

        ``cpu_s`` sums the CPU seconds of the runs made in this batch;
        ``territories_per_min`` counts the territories done in this batch.
        ``coverage`` counts the visits owed by outlet rows left out for bad
        input (``skip_invalid``; ``skipped_visits``) as not scheduled.
        """
        planned = [r for r in self.results if r.state in ("done", "skipped")]

        def total(key: str) -> int:
            return sum(int(r.summary.get(key, 0) or 0) for r in planned)

        required, scheduled = total("required_visits"), total("scheduled_visits")
        left_out = total("skipped_visits")  # owed by outlet rows left out for bad input
        cpu = sum(r.cpu_s for r in self.results if r.attempts)
        return {
            "territories": len(self.results),
            "done": len(self.done),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
            "required_visits": required,
            "scheduled_visits": scheduled,
            "unscheduled_visits": total("unscheduled_visits"),
            "skipped_outlets": total("skipped_outlets"),
            "skipped_visits": left_out,
            "coverage": round(scheduled / (required + left_out), 6)
            if required + left_out else None,
            "travel_s": total("travel_s"),
            "distance_m": total("distance_m"),
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(cpu, 3),
            "territories_per_min": round(60 * len(self.done) / self.wall_s, 3)
            if self.wall_s > 0 else None,
        }

    def to_dict(self) -> dict[str, Any]:
        """The content of ``batch-summary.json``."""
        return {
            "started": self.started,
            "executor": self.executor,
            "out": str(self.out),
            **self.totals(),
            "failures": [{"territory": r.name, **{k: v for k, v in (r.error or {}).items()
                                                  if k != "traceback"}}
                         for r in self.failed],
            "left_out": list(self.left_out),
            "results": [r.to_dict() for r in self.results],
        }

    def text(self) -> str:
        """A short, readable account (what ``routeopt batch`` prints)."""
        t = self.totals()
        lines = [f"Batch of {t['territories']} territories in {t['wall_s']:.1f} s "
                 f"({self.executor}): {t['done']} done, {t['skipped']} skipped, "
                 f"{t['failed']} failed"]
        if t["required_visits"] or t["skipped_visits"]:
            lines.append(f"  visits      {t['scheduled_visits']} of "
                         f"{t['required_visits'] + t['skipped_visits']} scheduled "
                         f"({100 * t['coverage']:.1f}%)")
            lines.append(f"  travel      {t['travel_s'] / 3600:.1f} h, "
                         f"{t['distance_m'] / 1000:.1f} km")
        if t["skipped_outlets"]:
            lines.append(f"  left out    {t['skipped_outlets']} outlet(s) with bad input, "
                         f"{t['skipped_visits']} visit(s) not planned (see each territory's "
                         "rejected.csv)")
        ran = [r for r in self.results if r.attempts]
        if ran:
            lines.append(f"  cpu         {t['cpu_s']:.1f} s, {t['cpu_s'] / len(ran):.1f} s per "
                         "territory run")
        for k, r in enumerate(self.failed):
            err = r.error or {}
            detail = err.get("issues") or [err.get("message", "")]
            more = f" (+{len(detail) - 1} more)" if len(detail) > 1 else ""
            lines.append(f"  {'failed' if k == 0 else '':<11} {r.name}: {err.get('kind')}: "
                         f"{detail[0]}{more}")
        if self.left_out:
            lines.append(f"  left out    {', '.join(self.left_out)} (no outlets.csv, reps.csv "
                         "or territory.toml)")
        lines.append(f"  results     {self.out}")
        return "\n".join(lines)


# -- the executor ---------------------------------------------------------------------------


class _UnrecoverableError(RuntimeError):
    """The executor broke and cannot be replaced."""


class _Pool:
    """The executor, replaced after it breaks when we know how to make one."""

    def __init__(self, factory: Callable[[], Executor] | None, fixed: Executor | None,
                 label: str) -> None:
        self.factory, self.label = factory, label
        self._ex: Executor | None = fixed
        self.rebuilds = 0

    def get(self) -> Executor:
        if self._ex is None:
            if self.factory is None:
                raise _UnrecoverableError(
                    "the executor broke and routeopt cannot make a new one; pass a factory "
                    "(e.g. functools.partial(ProcessPoolExecutor, 4)) instead of an instance")
            self._ex = self.factory()
            self.rebuilds += 1
        return self._ex

    def broken(self) -> None:
        if self._ex is not None:
            _shutdown(self._ex)
        self._ex = None
        if self.factory is not None:
            log.warning("the worker pool broke; starting a new one")

    def close(self, cancel: bool = False) -> None:
        """Shut the executor down (if it is ours); ``cancel``: now, stopping work in flight.

        A process pool's workers are terminated (killed after
        :data:`routeopt._interrupt.GRACE_S` seconds): left to finish their
        territories, an interrupted batch would wait for them, as long as
        their time limits.
        """
        if self._ex is not None and self.factory is not None:
            procs = list((getattr(self._ex, "_processes", None) or {}).values())
            _shutdown(self._ex, wait=not cancel)
            if cancel and procs:
                from routeopt._interrupt import stop_processes

                stop_processes(procs)
        self._ex = None


def _shutdown(ex: Executor, wait: bool = False) -> None:
    try:
        ex.shutdown(wait=wait, cancel_futures=not wait)
    except TypeError:  # executors without cancel_futures (dask's ClientExecutor)
        ex.shutdown(wait=wait)


class _Stop(SystemExit):
    """Raised in a pool worker by SIGTERM: unwind the task (its temporary folder goes), exit."""


def _on_term(signum: int, frame: Any) -> None:
    raise _Stop(128 + signum)


def _worker_signals() -> None:
    """The initializer of the batch's own worker processes.

    SIGINT is ignored: Ctrl-C reaches every process of the terminal's process
    group, and it is the client's job to stop its workers (no traceback from
    each of them). SIGTERM (what the client sends them) unwinds the task and
    ends the process.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_term)


def _in_worker(task: Task, job: Job) -> Outcome:
    """:func:`run_job` in a worker; a SIGTERM during it ends the worker process once unwound."""
    try:
        return run_job(task, job)
    except _Stop as e:
        os._exit(int(e.code or 143))


def _is_crash(e: BaseException) -> bool:
    """A worker died: a broken process pool, or Dask's ``KilledWorker``."""
    return isinstance(e, BrokenExecutor) or type(e).__name__ == "KilledWorker"


def _is_dask_client(obj: object) -> bool:
    return type(obj).__name__ == "Client" and type(obj).__module__.startswith("distributed")


def _dask_threads(client: Any) -> int:
    return max(1, int(sum(client.nthreads().values())))


def _connect(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise InputError([Issue("a Dask scheduler needs dask.distributed: "
                                "pip install 'routeopt[dask]'")]) from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as e:
        raise InputError([Issue(f"cannot connect to the Dask scheduler at {address!r}: {e}; "
                                "check the address (tcp://HOST:8786) and that it runs")]) from None


# -- writing results ------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _commit(root: Path, name: str, files: Mapping[str, bytes], status: Mapping[str, Any],
            done: bool) -> None:
    """Replace ``root/name`` by a folder of ``files``, ``status.json`` and (if done) the marker,
    in one swap (:func:`routeopt._files.atomic_folder`; leftovers were recovered at the start
    of the run by :func:`_recover`)."""
    with atomic_folder(root / name, recover=False) as tmp:
        for rel, data in files.items():
            if rel not in (STATUS_FILE, DONE_FILE):
                _write(tmp / rel, data)
        _write(tmp / STATUS_FILE, _json(status))
        if done:  # written last: its presence means the folder is complete
            _write(tmp / DONE_FILE, _json({"fingerprint": status["fingerprint"],
                                           "finished": status["finished"]}))


def _recover(root: Path) -> None:
    """Undo what an interrupted run left: put back a result moved aside, drop half-written ones."""
    for p in sorted(root.glob(f"{_OLD}*")):
        name = p.name[len(_OLD):-33]
        if name and not (root / name).exists():
            os.replace(p, root / name)
        else:
            shutil.rmtree(p, ignore_errors=True)
    for p in sorted(root.glob(f"{_TMP}*")):
        shutil.rmtree(p, ignore_errors=True)


def _done_status(root: Path, name: str, fingerprint: str) -> dict[str, Any] | None:
    """The recorded status of a territory finished with the same fingerprint, else None."""
    try:
        marker = json.loads((root / name / DONE_FILE).read_text(encoding="utf-8"))
        if marker.get("fingerprint") != fingerprint:
            return None
        status = json.loads((root / name / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, AttributeError):
        return None
    return status if isinstance(status, dict) else None


def no_territories(folder: str | Path | None, left_out: Iterable[str] = ()) -> Issue:
    """The error of a batch with nothing to plan: an empty folder is a mistake, not a success."""
    if folder is None:
        return Issue("no territories to plan: the list given is empty")
    skipped = list(left_out)
    seen = (f"; its sub-folders {', '.join(skipped)} have none of these files" if skipped
            else "; it has no sub-folders")
    return Issue("no territory folders to plan: each territory is a sub-folder holding "
                 f"outlets.csv and reps.csv (and optionally territory.toml){seen}. Check "
                 "--territories", file=str(folder))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- the batch ------------------------------------------------------------------------------


class _Runner:
    def __init__(self, root: Path, territories: list[Territory], task: Task, pool: _Pool,
                 max_in_flight: int, retries: int, bar: Any,
                 on_result: Callable[[TerritoryResult], None] | None) -> None:
        self.root, self.task, self.pool = root, task, pool
        self.by_name = {t.name: t for t in territories}
        self.max_in_flight, self.retries, self.bar = max_in_flight, retries, bar
        self.on_result = on_result
        self.results: dict[str, TerritoryResult] = {}
        self.attempts: dict[str, int] = {}
        self.fingerprints: dict[str, str] = {}

    # one territory is finished ----------------------------------------------------------
    def finish(self, result: TerritoryResult, files: Mapping[str, bytes] | None = None,
               *, write: bool = True) -> None:
        if write:
            t = self.by_name[result.name]
            status = {**result.to_dict(), "fingerprint": self.fingerprints.get(result.name, ""),
                      "finished": _now(), "options": t.options.to_dict(),
                      "source": str(t.path) if t.path else None}
            try:
                with deferred():  # an interrupt waits for the folder to be in place
                    _commit(self.root, result.name, files or {}, status,
                            result.state == "done")
            except OSError as e:
                log.error("cannot write territory %s: %s", result.name, e)
                result = TerritoryResult(result.name, "failed", {}, error_record(e, "write"),
                                         result.attempts, result.wall_s, result.cpu_s,
                                         result.warnings, result.worker)
        self.results[result.name] = result
        if result.state == "failed":
            err = result.error or {}
            log.warning("territory %s failed: %s: %s", result.name, err.get("kind"),
                        err.get("message"))
        if self.bar is not None and result.state != "skipped":
            self.bar.update(1)
            self.bar.set_postfix(failed=sum(r.state == "failed" for r in self.results.values()))
        if self.on_result is not None:
            self.on_result(result)

    def fail(self, name: str, error: Mapping[str, Any]) -> None:
        self.finish(TerritoryResult(name, "failed", {}, error, self.attempts.get(name, 0)))

    def outcome(self, out: Outcome) -> None:
        self.finish(TerritoryResult(out.name, "done" if out.ok else "failed", out.summary,
                                    out.error, self.attempts[out.name], out.wall_s, out.cpu_s,
                                    out.warnings, out.worker), out.files)

    # submitting -------------------------------------------------------------------------
    def submit(self, name: str) -> Future[Outcome] | None:
        """Submit a territory; None when it could not be (and has been reported)."""
        t = self.by_name[name]
        try:
            files = t.load()
        except OSError as e:
            self.fail(name, error_record(e, "input"))
            return None
        self.fingerprints[name] = t.fingerprint(files)
        self.attempts[name] = self.attempts.get(name, 0) + 1
        job = Job(name, files, t.options, self.attempts[name], uuid.uuid4().hex)
        for _ in range(2):  # a broken pool gets one replacement before we give up
            try:
                return self.pool.get().submit(_in_worker, self.task, job)
            except _UnrecoverableError as e:
                self.fail(name, error_record(e, "executor"))
                return None
            except (BrokenExecutor, RuntimeError) as e:
                last: Exception = e
                self.pool.broken()
        self.fail(name, error_record(last, "executor"))
        return None

    # the main pass, then the suspects one by one ----------------------------------------
    def run(self, names: Iterable[str]) -> None:
        queue = deque(names)
        suspects: list[str] = []
        in_flight: dict[Future[Outcome], str] = {}
        while queue or in_flight:
            while queue and len(in_flight) < self.max_in_flight:
                name = queue.popleft()
                fut = self.submit(name)
                if fut is not None:
                    in_flight[fut] = name
            if not in_flight:
                continue
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broke = False
            for fut in done:
                broke |= self.collect(fut, in_flight.pop(fut), suspects)
            if broke:  # every territory still in flight went down with the pool
                for fut, name in list(in_flight.items()):
                    if fut.done():
                        self.collect(fut, name, suspects)
                    else:
                        suspects.append(name)
                in_flight.clear()
                self.pool.broken()
        for name in suspects:
            self.isolate(name)

    def collect(self, fut: Future[Outcome], name: str, suspects: list[str]) -> bool:
        """Record a finished future; True if its pool is broken."""
        e = fut.exception()
        if e is None:
            self.outcome(fut.result())
            return False
        if _is_crash(e):
            log.warning("the worker running territory %s died (%s); it will run again alone",
                        name, type(e).__name__)
            suspects.append(name)
            return isinstance(e, BrokenExecutor)
        self.fail(name, error_record(e, "executor"))
        return False

    def isolate(self, name: str) -> None:
        """Run a suspect alone, up to ``retries`` times, until it does not kill its worker."""
        last: BaseException | None = None
        for _ in range(self.retries):
            fut = self.submit(name)
            if fut is None:
                return
            e = fut.exception()
            if e is None:
                self.outcome(fut.result())
                return
            if not _is_crash(e):
                self.fail(name, error_record(e, "executor"))
                return
            last = e
            if isinstance(e, BrokenExecutor):
                self.pool.broken()
        runs = self.attempts.get(name, 0)
        err = error_record(last or RuntimeError("worker died"), "crash")
        alone = f" ({runs - 1} of them alone)" if runs > 1 else ""
        err["message"] = (
            f"the worker died while planning this territory ({err['type']}) in each of its "
            f"{runs} run(s){alone}: killed, out of memory, or a crash in native code")
        self.fail(name, err)


def run_batch(
    territories: str | Path | Iterable[Territory],
    out: str | Path,
    *,
    task: Task = plan_territory,
    workers: int | None = None,
    executor: Executor | Callable[[], Executor] | Any | None = None,
    scheduler: str | None = None,
    max_in_flight: int | None = None,
    defaults: TerritoryOptions | None = None,
    redo: bool | Iterable[str] = False,
    retries: int = 1,
    progress: bool | None = None,
    on_result: Callable[[TerritoryResult], None] | None = None,
) -> BatchSummary:
    """Plan many territories, each on its own, on a pool of workers.

    Parameters
    ----------
    territories
        A folder of territory folders (see :func:`read_territories`), or
        :class:`Territory` objects (e.g. from :func:`territories_from_frames`).
    out
        The output folder: one sub-folder per territory and ``batch-summary.json``.
    task
        What to do with each territory: a picklable ``task(TaskInput) -> Mapping``
        (default :func:`plan_territory`).
    workers
        Worker processes of the default local process pool (default: CPU count).
    executor
        Any ``concurrent.futures.Executor``; a zero-argument callable that makes
        one (so that it can be replaced when it breaks); or a
        ``dask.distributed.Client``, whose ``get_executor()`` is used.
    scheduler
        The address of a Dask scheduler to connect a client to.
    max_in_flight
        Territories submitted at a time (default: the number of workers or
        Dask threads, else the CPU count).
    defaults
        Options of every territory before its own ``territory.toml``, when
        ``territories`` is a folder (default: built-ins updated with its ``batch.toml``).
    redo
        Plan again territories already done: True for all, or some names.
    retries
        How many times a territory whose worker died runs again alone
        before it is reported as failed (0: report it at once, along with any
        territory that was in flight in the same pool).
    progress
        Show a progress bar (tqdm) on stderr; by default only on a terminal.
    on_result
        Called in this process with each territory's result as it is written.

    Returns
    -------
    BatchSummary
        Also written to ``OUT/batch-summary.json``.

    Raises
    ------
    InputError
        Bad batch-level input: the territories folder (missing, or without a
        single territory), ``batch.toml``, duplicate names, ``out`` being a
        file, conflicting executor arguments, an unreachable Dask scheduler.
        Problems of one territory never raise: they are reported in its result.

    Examples
    --------
    >>> import tempfile
    >>> from datetime import date
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from routeopt.batch import TerritoryOptions, run_batch, territories_from_frames
    >>> from routeopt.datasets import make_territory
    >>> from routeopt.solver import SolveParams
    >>> tables = [make_territory(12, seed=s) for s in (1, 2)]
    >>> outlets = pd.concat([o.assign(territory=f"T{k}") for k, (o, _) in enumerate(tables)])
    >>> reps = pd.concat([r.assign(territory=f"T{k}") for k, (_, r) in enumerate(tables)])
    >>> opts = TerritoryOptions(start=date(2026, 11, 30), weeks=4,
    ...                         solve=SolveParams(max_iterations=10))
    >>> out = Path(tempfile.mkdtemp())
    >>> summary = run_batch(territories_from_frames(outlets, reps, defaults=opts), out,
    ...                     workers=1)
    >>> [(r.name, r.state) for r in summary.results], summary.totals()["coverage"]
    ([('T0', 'done'), ('T1', 'done')], 1.0)
    >>> [r.state for r in run_batch(territories_from_frames(outlets, reps, defaults=opts),
    ...                             out, workers=1).results]
    ['skipped', 'skipped']
    """
    t0 = time.perf_counter()
    started = _now()
    if retries < 0:
        raise InputError([Issue(f"retries must be >= 0, not {retries}")])
    if sum(x is not None for x in (workers, executor, scheduler)) > 1:
        raise InputError([Issue("give one of workers (a local pool), executor or scheduler "
                                "(a Dask cluster), not several")])
    if not callable(task):
        raise InputError([Issue(f"task {task!r} is not a function of a TaskInput")])
    if workers is not None and workers < 1:
        raise InputError([Issue(f"workers must be >= 1, not {workers}")])
    if max_in_flight is not None and max_in_flight < 1:
        raise InputError([Issue(f"max_in_flight must be >= 1, not {max_in_flight}")])
    left_out: list[str] = []
    root = Path(out)
    if isinstance(territories, str | Path):
        if root.resolve() == Path(territories).resolve():
            raise InputError([Issue("the output folder is the territories folder; give another "
                                    "one (results would replace the territory folders)")])
        found, left_out = read_territories(territories, defaults)
        items = check_unique(found)
    else:
        items = check_unique(territories)
    redo_all = redo is True
    redo_names = set() if isinstance(redo, bool) else set(redo)
    unknown = sorted(redo_names - {t.name for t in items})
    if unknown:
        raise InputError([Issue(f"redo names unknown territories: {unknown}")])
    if not items:
        raise InputError([no_territories(territories if isinstance(territories, str | Path)
                                         else None, left_out)])
    if root.exists() and not root.is_dir():
        raise InputError([Issue(f"the output path {root} is a file; give a folder")])
    inside = [t.name for t in items if t.path is not None
              and root.resolve().is_relative_to(t.path.resolve())]
    if inside:
        raise InputError([Issue(f"the output folder is inside territory {inside[0]!r}; give a "
                                "folder outside the territories (its files are the input)")])
    root.mkdir(parents=True, exist_ok=True)
    _recover(root)

    client = None
    own_client = False
    if scheduler is not None:
        client, own_client = _connect(scheduler), True
    elif _is_dask_client(executor):
        client = executor
    pool: _Pool
    if client is not None:
        pool = _Pool(partial(client.get_executor, pure=False), None,
                     f"dask {client.scheduler.address}")
        in_flight = max_in_flight or _dask_threads(client)
    elif isinstance(executor, Executor):
        pool = _Pool(None, executor, type(executor).__name__)
        in_flight = max_in_flight or os.cpu_count() or 1
    elif executor is not None:
        if not callable(executor):
            raise InputError([Issue(f"executor {executor!r} is not an Executor, a factory "
                                    "of one, or a dask.distributed Client")])
        made = getattr(executor, "func", executor)  # functools.partial(ProcessPoolExecutor, 4)
        pool = _Pool(executor, None, f"{getattr(made, '__name__', 'executor')} (factory)")
        in_flight = max_in_flight or os.cpu_count() or 1
    else:
        from concurrent.futures import ProcessPoolExecutor

        n = workers or os.cpu_count() or 1
        pool = _Pool(partial(ProcessPoolExecutor, n, initializer=_worker_signals), None,
                     f"processes x{n}")
        in_flight = max_in_flight or n

    bar = None
    show = progress if progress is not None else sys.stderr.isatty()
    runner = _Runner(root, items, task, pool, in_flight, retries, None, on_result)
    to_run: list[str] = []
    try:
        for t in items:
            if t.error is not None:
                runner.fail(t.name, error_record(t.error))
                continue
            if not (redo_all or t.name in redo_names):
                try:
                    fp = t.fingerprint()
                except OSError:
                    fp = ""
                status = _done_status(root, t.name, fp) if fp else None
                if status is not None:
                    runner.finish(TerritoryResult(
                        t.name, "skipped", status.get("summary") or {}, None, 0,
                        float(status.get("wall_s", 0.0)), float(status.get("cpu_s", 0.0)),
                        tuple(status.get("warnings", ())), str(status.get("worker", ""))),
                        write=False)
                    continue
            to_run.append(t.name)
        quiet_logs: Any = contextlib.nullcontext()
        if show and to_run:
            try:
                from tqdm import tqdm
                from tqdm.contrib.logging import logging_redirect_tqdm

                bar = tqdm(total=len(to_run), unit="territory", desc="batch", file=sys.stderr)
                runner.bar = bar
                quiet_logs = logging_redirect_tqdm()  # log lines above the bar, not through it
            except ImportError:
                log.info("install tqdm for a progress bar")
        log.info("batch: %d territories, %d to run, on %s", len(items), len(to_run), pool.label)
        with quiet_logs:
            runner.run(to_run)
    finally:
        if bar is not None:
            bar.close()
        pool.close(cancel=sys.exc_info()[0] is not None)
        if own_client and client is not None:
            client.close()

    summary = BatchSummary(root, tuple(runner.results[t.name] for t in items),
                           time.perf_counter() - t0, pool.label, started, tuple(left_out))
    from routeopt._files import atomic_write

    atomic_write(root / SUMMARY_FILE, json.dumps(summary.to_dict(), indent=2,
                                                  ensure_ascii=False, default=str) + "\n")
    return summary
