"""The work done for one territory, in a worker process.

A *task* is any picklable callable ``task(job: TaskInput) -> Mapping``: it reads
the territory's files from ``job.src``, writes its results into ``job.out``
and returns a JSON-ready summary (the KPIs). It signals failure by raising.
:func:`plan_territory` is the default task; a re-planning task (previous plan
and visit log in the territory's folder) plugs in the same way.

:func:`run_job` wraps a task for the executor: it lays the territory's files
out in a private temporary folder, runs the task, catches every exception
(as an error record, so that one territory's failure is data, not a crash of
the batch) and sends the output files back as bytes. The worker therefore
needs no shared file system: the client reads the inputs and writes the
results.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import socket
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routeopt.batch.territory import OUTLETS_FILE, REPS_FILE, TerritoryOptions
from routeopt.exceptions import InputError, Issue, PlanValidationError

if TYPE_CHECKING:
    from routeopt.problem import Problem

__all__ = ["LOG_FILE", "PREVIOUS_DIR", "Job", "Outcome", "Task", "TaskInput", "error_record",
           "plan_territory", "replan_territory", "run_job"]


@dataclass(frozen=True)
class TaskInput:
    """What a task gets.

    Parameters
    ----------
    name
        The territory's name.
    src
        A folder holding the territory's files: ``outlets.csv``, ``reps.csv``,
        ``territory.toml`` and any other file its folder had (for example a
        previous plan and a visit log, for re-planning).
    out
        An empty folder for the results; everything written there becomes
        ``OUT/<name>/``.
    options
        The territory's options, every layer applied.
    """

    name: str
    src: Path
    out: Path
    options: TerritoryOptions


Task = Callable[[TaskInput], Mapping[str, Any]]

PREVIOUS_DIR = "previous"  # the previous plan, inside a territory's folder
LOG_FILE = "visit_log.csv"  # the day's visit log, for re-planning


@functools.lru_cache(maxsize=4)
def _provider(name: str, osm_file: str | None, osrm_url: str | None,
              cache_dir: str | None) -> Any:
    """One provider per setting and worker process: a road network is read once."""
    from routeopt.matrix import provider_for

    return provider_for(name, osm_file=osm_file, osrm_url=osrm_url, cache_dir=cache_dir)


def with_matrices(problem: Problem, options: TerritoryOptions) -> Problem:
    """``problem`` with the travel matrices of the territory's ``[matrix]`` table
    (unchanged for the default great-circle estimate without a cache)."""
    m = options.matrix
    name = str(m.get("provider", "haversine"))
    if name == "haversine" and not m.get("cache_dir"):
        return problem
    from routeopt.matrix import problem_matrices

    def text(key: str) -> str | None:
        value = m.get(key)
        return None if value is None else str(value)

    provider = _provider(name, text("osm_file"), text("osrm_url"), text("cache_dir"))
    return problem.replace(matrix=problem_matrices(problem, provider))


def plan_territory(job: TaskInput) -> dict[str, Any]:
    """The default task: read the tables, solve, check the plan and write it.

    When the folder holds the last cycle's plan in ``previous/`` (``routeopt
    batch --previous DIR`` puts ``DIR/<territory>/`` there), its route lines
    are kept where they still fit (:func:`routeopt.replan.carry_forward`).

    Writes the files of :meth:`routeopt.Plan.write` (and ``rejected.csv``
    when ``skip_invalid`` left rows out) into ``job.out``.

    Returns
    -------
    dict
        :meth:`routeopt.Plan.summary_dict`: coverage, travel, solver facts.

    Raises
    ------
    InputError
        A missing table, a bad row, or no start date.
    PlanValidationError
        The plan breaks a constraint (a bug: reported, never written).

    Examples
    --------
    >>> import tempfile
    >>> from datetime import date
    >>> from pathlib import Path
    >>> from routeopt.batch import TaskInput, TerritoryOptions, plan_territory
    >>> from routeopt.datasets import make_territory
    >>> from routeopt.solver import SolveParams
    >>> tmp = Path(tempfile.mkdtemp())
    >>> outlets, reps = make_territory(10, seed=3)
    >>> outlets.to_csv(tmp / "outlets.csv", index=False); reps.to_csv(tmp / "reps.csv", index=False)
    >>> opts = TerritoryOptions(start=date(2026, 11, 30), weeks=4,
    ...                         solve=SolveParams(max_iterations=10))
    >>> summary = plan_territory(TaskInput("t1", tmp, tmp / "out", opts))
    >>> summary["coverage"], sorted(p.name for p in (tmp / "out").iterdir())[:3]
    (1.0, ['manifest.json', 'outlets.csv', 'plan.json'])
    """
    from routeopt.read import RowsSkippedWarning, read_problem
    from routeopt.solver import solve

    opts = job.options
    missing = [Issue(f"the territory has no {f}; add it to its folder", file=f)
               for f in (OUTLETS_FILE, REPS_FILE) if not (job.src / f).is_file()]
    if opts.start is None:
        missing.append(Issue("no start date: set start = YYYY-MM-DD in territory.toml or "
                             "batch.toml, or pass --start", column="start"))
    if missing:
        raise InputError(missing)
    assert opts.start is not None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problem = read_problem(job.src / OUTLETS_FILE, job.src / REPS_FILE, start=opts.start,
                               weeks=opts.weeks, holidays=opts.holidays,
                               country=opts.country, subdiv=opts.subdiv,
                               workdays=opts.workdays, skip_invalid=opts.skip_invalid,
                               encoding=opts.encoding, columns=opts.columns or None)
    skipped: tuple[Issue, ...] = ()
    for w in caught:
        if isinstance(w.message, RowsSkippedWarning):
            skipped += w.message.issues
        warnings.warn(w.message, stacklevel=1)
    problem = with_matrices(problem, opts)
    reference = None
    previous = job.src / PREVIOUS_DIR
    if previous.is_dir() and any(previous.iterdir()):  # the last cycle: keep its route lines
        # (read_plan refuses a partial or mixed one, rather than planning without it)
        from routeopt.replan import carry_forward, read_plan, with_last_visits

        last = read_plan(previous, problem)
        reference = carry_forward(last, problem.horizon.start, problem.horizon.weeks)
        problem = with_last_visits(problem, last)  # intervals count from the last cycle
    plan = solve(problem, opts.solve, previous=reference)
    violations = plan.violations()
    if violations:
        raise PlanValidationError(violations)
    extra: dict[str, str] = {}  # written with the plan, in the same folder swap
    if skipped:  # their visits are owed too: coverage and the summary count them
        from routeopt._planfolder import rejected_csv
        from routeopt._skipped import with_skipped

        plan = with_skipped(plan, job.src / OUTLETS_FILE, skipped, encoding=opts.encoding,
                            columns=opts.columns.get("outlets"))
        extra["rejected.csv"] = rejected_csv(skipped)
    plan.write(job.out, extra_files=extra)
    return plan.summary_dict()


def replan_territory(job: TaskInput) -> dict[str, Any]:
    """The nightly task: re-plan a territory from its previous plan and visit log.

    The territory's folder holds ``outlets.csv`` and ``reps.csv`` as they are
    today, the previous plan (the folder ``routeopt plan``, ``batch`` or
    ``replan`` wrote) in ``previous/``, and the day's visit log in
    ``visit_log.csv`` (optional: no log means nothing new happened). The
    ``[task]`` options: ``today`` (required, ``YYYY-MM-DD``), ``frozen_days``
    (default 0), and ``previous`` / ``log`` to name other paths inside the
    folder. The cycle comes from the previous plan; see
    :func:`routeopt.replan.replan`. ``routeopt batch --replan --today D
    [--previous DIR]`` runs it for every territory.

    Writes the files of :meth:`routeopt.replan.Replan.write` (the plan files,
    ``changes.csv`` and ``replan.json``) into ``job.out``.

    Returns
    -------
    dict
        :meth:`routeopt.Plan.summary_dict` with ``changes`` (visits moved,
        added, dropped; outlets whose weekday changed) and the log rows left
        out (``log_issues``).

    Raises
    ------
    InputError
        No ``today``, no previous plan, a bad table or a bad visit log row
        (unless ``skip_invalid``).
    PlanValidationError
        The plan breaks a constraint (a bug: reported, never written).
    """
    from routeopt.replan import read_cycle, replan

    opts = job.options
    t = dict(opts.task)
    previous = job.src / str(t.get("previous", PREVIOUS_DIR))
    log = job.src / str(t.get("log", LOG_FILE))
    missing = [Issue(f"the territory has no {f}; add it to its folder", file=f)
               for f in (OUTLETS_FILE, REPS_FILE) if not (job.src / f).is_file()]
    if not (previous / "summary.json").is_file():
        missing.append(Issue(f"no previous plan in {previous.name}/ (its summary.json): put the "
                             "folder the last plan was written to there, or pass --previous",
                             file=previous.name))
    today = t.get("today")
    if today is None:
        missing.append(Issue("no date to re-plan from: set today = YYYY-MM-DD in the [task] "
                             "table, or pass --today", column="today"))
    frozen = t.get("frozen_days", 0)
    if isinstance(frozen, bool) or not isinstance(frozen, int) or frozen < 0:
        missing.append(Issue(f"frozen_days = {frozen!r} should be a whole number >= 0",
                             column="frozen_days"))
    if missing:
        raise InputError(missing)
    job.out.mkdir(parents=True, exist_ok=True)
    problem = with_matrices(read_cycle(previous, job.src / OUTLETS_FILE, job.src / REPS_FILE,
                                       holidays=opts.holidays, country=opts.country,
                                       subdiv=opts.subdiv, workdays=opts.workdays,
                                       encoding=opts.encoding,
                                       columns=opts.columns or None), opts)
    result = replan(problem, previous, log if log.is_file() else None, today=str(today),
                    frozen_days=frozen, params=opts.solve, skip_invalid=opts.skip_invalid,
                    encoding=opts.encoding, log_columns=opts.columns.get("log"))
    violations = result.plan.violations()
    if violations:
        raise PlanValidationError(violations)
    result.write(job.out)
    return {**result.plan.summary_dict(), "changes": result.changes.as_dict(),
            "log_issues": [str(i) for i in result.issues]}


# -- running a task in a worker ------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One territory sent to a worker: its files and options (``nonce`` makes it unique)."""

    name: str
    files: Mapping[str, bytes] = field(repr=False)
    options: TerritoryOptions
    attempt: int = 1
    nonce: str = ""


@dataclass(frozen=True)
class Outcome:
    """What came back from a worker for one territory."""

    name: str
    ok: bool
    summary: Mapping[str, Any]
    files: Mapping[str, bytes] = field(repr=False)
    error: Mapping[str, Any] | None
    warnings: tuple[str, ...]
    wall_s: float
    cpu_s: float
    worker: str


def error_record(e: BaseException, kind: str | None = None) -> dict[str, Any]:
    """A JSON-ready account of an error: kind, type, message, issues, traceback.

    ``kind`` is ``input`` for :class:`InputError`, ``error`` for any other
    exception of the task, unless given (``crash``, ``executor``).
    """
    issues = [str(i) for i in e.issues] if isinstance(e, InputError) else []
    text = issues[0] if issues else str(e).strip()
    return {
        "kind": kind or ("input" if isinstance(e, InputError) else "error"),
        "type": type(e).__name__,
        "message": text.splitlines()[0] if text else type(e).__name__,
        "issues": issues,
        "traceback": "".join(traceback.format_exception(e)) if kind is None
        and not isinstance(e, InputError) else "",
    }


# glibc's mallopt parameter for the heap's trim threshold
_M_TRIM_THRESHOLD = -1
# The trim threshold while a job runs where the environment set a small one:
# glibc's own ceiling for its dynamic threshold (2 x 32 MiB on 64-bit).
JOB_TRIM_THRESHOLD = 64 << 20
_heap_lock = threading.Lock()
_heap_jobs = 0


@functools.cache
def _glibc() -> Any:
    """The C library when it is glibc (mallopt, malloc_trim), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc


@contextlib.contextmanager
def _heap_kept() -> Iterator[None]:
    """Keep freed memory in the process while a job runs, where the environment
    asks glibc to hand it back at once (``MALLOC_TRIM_THRESHOLD_``).

    Dask's nanny starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536`` so
    that they give memory back to the system. OR-Tools allocates and frees
    many small blocks, and with that threshold its searches took about four
    times the CPU (one territory of the company batch benchmark: 41-44 s
    against 10-11 s). While jobs run the threshold is glibc's ceiling
    (:data:`JOB_TRIM_THRESHOLD`); after the last one it is set back to the
    environment's value and the heap is trimmed, so the worker still hands
    its memory back between jobs. Elsewhere (no such variable, no glibc) it
    does nothing.
    """
    global _heap_jobs
    value = os.environ.get("MALLOC_TRIM_THRESHOLD_", "").strip()
    libc = _glibc() if value.isdigit() and int(value) < JOB_TRIM_THRESHOLD else None
    if libc is None:
        yield
        return
    with _heap_lock:
        if _heap_jobs == 0:
            libc.mallopt(_M_TRIM_THRESHOLD, JOB_TRIM_THRESHOLD)
        _heap_jobs += 1
    try:
        yield
    finally:
        with _heap_lock:
            _heap_jobs -= 1
            if _heap_jobs == 0:
                libc.mallopt(_M_TRIM_THRESHOLD, int(value))
                libc.malloc_trim(0)


def run_job(task: Task, job: Job) -> Outcome:
    """Run ``task`` on ``job`` in a private temporary folder; never raises for the task's errors.

    Returns the task's summary and the files it wrote (as bytes), or the
    error record, with wall and CPU seconds of this process and the worker's
    host and process id. The task runs under :func:`_heap_kept`.
    """
    with _heap_kept():
        return _run_job(task, job)


def _run_job(task: Task, job: Job) -> Outcome:
    t0, c0 = time.perf_counter(), time.process_time()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="routeopt-batch-") as tmp:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        for rel, data in job.files.items():
            p = src / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        src.mkdir(exist_ok=True)
        out.mkdir()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                summary = dict(task(TaskInput(job.name, src, out, job.options)))
                files = {p.relative_to(out).as_posix(): p.read_bytes()
                         for p in sorted(out.rglob("*")) if p.is_file()}
                error = None
            except Exception as e:
                summary, files, error = {}, {}, error_record(e)
        messages = tuple(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    return Outcome(job.name, error is None, summary, files, error, messages,
                   time.perf_counter() - t0, time.process_time() - c0, worker)
