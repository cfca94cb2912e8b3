"""Plan many territories at once, on one machine or a Dask cluster.

A *territory* is one set of outlets, reps and options, planned on its own: a
folder with ``outlets.csv``, ``reps.csv`` and an optional ``territory.toml``,
or the rows of outlets and reps tables that share a territory column.
:func:`run_batch` plans every territory on any ``concurrent.futures``
executor (a local process pool by default, or a Dask cluster), writes each
result atomically to ``OUT/<territory>/`` as it completes, skips territories
already done on a re-run, and reports each failure (bad input, an error, a
worker that died) without stopping the others. See ``docs/batch.md``.

The per-territory work is a plain function (:func:`plan_territory` by
default), so that another task, such as re-planning from a visit log kept in
the territory's folder, plugs in with ``run_batch(..., task=...)``.

Examples
--------
>>> from routeopt.batch import TerritoryOptions
>>> TerritoryOptions().weeks
1
"""

from routeopt.batch.run import (
    DONE_FILE,
    STATUS_FILE,
    SUMMARY_FILE,
    BatchSummary,
    TerritoryResult,
    run_batch,
)
from routeopt.batch.task import Task, TaskInput, plan_territory, replan_territory
from routeopt.batch.territory import (
    DEFAULTS_FILE,
    OPTIONS_FILE,
    Territory,
    TerritoryOptions,
    batch_defaults,
    read_territories,
    territories_from_frames,
)

__all__ = [
    "DEFAULTS_FILE",
    "DONE_FILE",
    "OPTIONS_FILE",
    "STATUS_FILE",
    "SUMMARY_FILE",
    "BatchSummary",
    "Task",
    "TaskInput",
    "Territory",
    "TerritoryOptions",
    "TerritoryResult",
    "batch_defaults",
    "plan_territory",
    "read_territories",
    "replan_territory",
    "run_batch",
    "territories_from_frames",
]
