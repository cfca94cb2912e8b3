"""``routeopt batch``: the command-line side of :mod:`routeopt.batch`.

Exit codes: 0 every territory planned (or already done), 3 the batch ran but
some territories failed (listed, and in ``batch-summary.json``), 2 bad
batch-level input (the territories folder, missing or without a single
territory; ``batch.toml``, the options, an unreachable scheduler).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routeopt._values import cli_int, cli_seconds
from routeopt.exceptions import InputError, Issue

if TYPE_CHECKING:
    from routeopt.batch import Territory, TerritoryOptions

EXIT_SOME_FAILED = 3


def add_parser(sub: Any) -> None:
    """Add the ``batch`` sub-command to the ``routeopt`` parser's sub-parsers."""
    p = sub.add_parser("batch", help="plan many territories: one folder each, in parallel",
                       description="Plan every territory folder under --territories (outlets.csv, "
                       "reps.csv, optional territory.toml; batch-wide defaults in batch.toml) "
                       "into --out/<territory>/. Territories already done are skipped.",
                       epilog="Exit codes: 0 every territory planned (now or before), 3 some "
                       "territories failed (listed; see OUT/batch-summary.json), 2 bad batch "
                       "input (a territories folder without territories too). See "
                       "docs/batch.md.")
    p.add_argument("--territories", type=Path, metavar="DIR", default=None,
                   help="folder with one folder per territory")
    p.add_argument("--outlets", type=Path, metavar="TABLE", default=None,
                   help="instead of --territories: every territory's outlets in one table "
                        "(CSV or Excel) with a territory column (as routeopt territories "
                        "writes it); needs --start or a start in batch.toml")
    p.add_argument("--reps", type=Path, metavar="TABLE", default=None,
                   help="with --outlets: every territory's reps, with a territory column")
    p.add_argument("--by", default="territory", metavar="COLUMN",
                   help="with --outlets: the territory column (default territory)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    from routeopt.cli import add_table_options

    t = p.add_argument_group("with --outlets: reading the tables (as routeopt plan reads them)")
    add_table_options(t)
    p.add_argument("--workers", type=cli_int, default=None, metavar="N",
                   help="local worker processes (default: the CPU count)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs routeopt[dask])")
    p.add_argument("--start", default=None, help="first date planned, YYYY-MM-DD (a default "
                   "that territory.toml may change)")
    p.add_argument("--weeks", type=cli_int, default=None, help="weeks in the cycle (a default)")
    p.add_argument("--country", default=None, metavar="CODE",
                   help="official calendar of public holidays and make-up working days (a "
                        "default; territory.toml may set its own)")
    p.add_argument("--subdiv", default=None, metavar="CODE",
                   help="a subdivision's calendar within --country (a default)")
    from routeopt.cli import search_defaults

    d = search_defaults()
    p.add_argument("--time-limit", type=cli_seconds, default=None, metavar="S",
                   help="search seconds per territory (a default that batch.toml and "
                        f"territory.toml may change; else {d['time_limit']})")
    p.add_argument("--iterations", type=cli_int, default=None, metavar="N",
                   help="search iterations per territory, the deterministic stop (a default; "
                        f"else {d['max_iterations']})")
    p.add_argument("--retries", type=cli_int, default=1, metavar="N",
                   help="runs alone for a territory whose worker died (default 1)")
    p.add_argument("--redo", action="store_true", help="plan territories already done again")
    p.add_argument("--matrix", choices=("haversine", "road", "osrm"), default=None,
                   help="travel times for every territory (a default for the [matrix] table): "
                        "great-circle estimate, an OpenStreetMap road network (--osm-file, "
                        "readable by every worker) or an OSRM server (--osrm-url)")
    p.add_argument("--osm-file", default=None, help="OpenStreetMap .osm.pbf for --matrix road")
    p.add_argument("--osrm-url", default=None, metavar="[MODE=]URL[,...]",
                   help="OSRM server(s) for --matrix osrm, reachable from every worker")
    p.add_argument("--matrix-cache", default=None, metavar="DIR",
                   help="keep travel matrices in DIR (shared by the workers) and reuse them")
    r = p.add_argument_group("re-planning (the nightly job, see docs/nightly.md)")
    r.add_argument("--replan", action="store_true",
                   help="re-plan each territory from its previous plan and visit_log.csv "
                        "instead of planning it afresh")
    r.add_argument("--today", default=None, metavar="YYYY-MM-DD",
                   help="with --replan: the first day re-planned (a default for [task] today)")
    r.add_argument("--frozen-days", type=cli_int, default=None, metavar="N",
                   help="with --replan: planning days after today that stay as planned")
    r.add_argument("--previous", type=Path, default=None, metavar="DIR",
                   help="the previous batch's output folder: DIR/<territory>/ is each "
                        "territory's previous plan (with --replan: re-plan it; without: plan "
                        "the next cycle keeping its route lines)")


def run(args: argparse.Namespace) -> int:
    """Run ``routeopt batch``; print the summary; return the exit code."""
    from routeopt.batch import batch_defaults, run_batch
    from routeopt.batch.run import no_territories

    if args.workers is not None and args.scheduler is not None:
        raise InputError([Issue("give --workers (local processes) or --scheduler (a Dask "
                                "cluster), not both")])
    changes: dict[str, Any] = {k: v for k, v in (("start", args.start), ("weeks", args.weeks),
                                                  ("country", args.country),
                                                  ("subdiv", args.subdiv)) if v is not None}
    solve = {k: v for k, v in (("time_limit", args.time_limit),
                               ("max_iterations", args.iterations)) if v is not None}
    if solve:
        changes["solve"] = solve
    # paths absolute: workers may run elsewhere than here
    matrix = {k: v for k, v in (
        ("provider", args.matrix), ("osrm_url", args.osrm_url),
        ("osm_file", args.osm_file and str(Path(args.osm_file).resolve())),
        ("cache_dir", args.matrix_cache and str(Path(args.matrix_cache).resolve())))
        if v is not None}
    if matrix:
        changes["matrix"] = matrix
    task_opts = {k: v for k, v in (("today", args.today), ("frozen_days", args.frozen_days))
                 if v is not None}
    if not args.replan and task_opts:
        raise InputError([Issue("--today and --frozen-days go with --replan")])
    if task_opts:
        changes["task"] = task_opts
    if (args.territories is None) == (args.outlets is None) or \
            (args.outlets is None) != (args.reps is None):
        raise InputError([Issue("give --territories DIR, or --outlets CSV and --reps CSV "
                                "(tables with a territory column)")])
    root = args.territories if args.territories is not None else args.outlets.parent
    defaults = batch_defaults(root).updated(changes, file="command line")
    if args.outlets is not None:
        if args.replan or args.previous is not None:
            raise InputError([Issue("--replan and --previous need --territories folders")])
        if defaults.start is None:
            raise InputError([Issue(
                "--outlets plans every territory from one first date, and none is given: "
                "add --start YYYY-MM-DD (or start = YYYY-MM-DD in "
                f"{root / 'batch.toml'})", column="start")])
        territories = _from_tables(args, defaults)
        summary = run_batch(territories, args.out, workers=args.workers,
                            scheduler=args.scheduler, redo=args.redo, retries=args.retries)
        print(summary.text())
        return 0 if summary.ok else EXIT_SOME_FAILED
    if args.replan:
        from routeopt.batch import read_territories
        from routeopt.batch.task import replan_territory

        found, left_out = read_territories(args.territories, defaults)
        if not found:
            raise InputError([no_territories(args.territories, left_out)])
        territories = found if args.previous is None else with_previous(found, args.previous)
        summary = run_batch(territories, args.out, task=replan_territory,
                            workers=args.workers, scheduler=args.scheduler, redo=args.redo,
                            retries=args.retries)
    elif args.previous is not None:  # the next cycle, keeping the last one's route lines
        from routeopt.batch import read_territories

        found, left_out = read_territories(args.territories, defaults)
        if not found:
            raise InputError([no_territories(args.territories, left_out)])
        summary = run_batch(with_previous(found, args.previous), args.out,
                            workers=args.workers, scheduler=args.scheduler, redo=args.redo,
                            retries=args.retries)
    else:
        summary = run_batch(args.territories, args.out, workers=args.workers,
                            scheduler=args.scheduler, defaults=defaults, redo=args.redo,
                            retries=args.retries)
    print(summary.text())
    return 0 if summary.ok else EXIT_SOME_FAILED


def _from_tables(args: argparse.Namespace, defaults: TerritoryOptions) -> list[Territory]:
    """Territories from the ``--outlets`` and ``--reps`` tables with a territory column,
    read as ``routeopt plan`` reads tables (``--encoding``, ``--sheet``,
    ``--reps-sheet``, ``--columns``), every cell as text."""
    from routeopt._columns import load_column_map
    from routeopt._tables import read_frame
    from routeopt.batch import territories_from_frames
    from routeopt.read import OUTLET_COLUMNS, REP_COLUMNS

    columns = None if args.columns is None else load_column_map(args.columns)
    by = args.by.strip().lower()
    frames = []
    for path, what, spec, sheet in ((args.outlets, "outlets", OUTLET_COLUMNS, args.sheet),
                                    (args.reps, "reps", REP_COLUMNS, args.reps_sheet)):
        known = {"required": (), "optional": spec["required"] + spec["optional"]}
        frames.append(read_frame(path, what, known, encoding=args.encoding, sheet=sheet,
                                 columns=(columns or {}).get(what)))
    return territories_from_frames(frames[0], frames[1], column=by, defaults=defaults)


def with_previous(territories: list[Territory], previous: Path) -> list[Territory]:
    """The territories with ``previous/<name>/``'s files added under ``previous/``.

    The previous plans travel with the territory's own files (workers need no
    shared file system), and they count in its fingerprint: a new previous
    plan means the territory is re-planned again.
    """
    from routeopt.batch import Territory
    from routeopt.batch.task import PREVIOUS_DIR

    if not previous.is_dir():
        raise InputError([Issue("the previous batch's output folder was not found; check "
                                "--previous", file=str(previous))])
    out: list[Territory] = []
    for t in territories:
        src = previous / t.name
        if t.error is not None or not src.is_dir():
            out.append(t)  # the task reports the missing previous plan
            continue
        files = t.load()
        for p in sorted(src.rglob("*")):
            rel = p.relative_to(src)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts):
                files[f"{PREVIOUS_DIR}/{rel.as_posix()}"] = p.read_bytes()
        out.append(Territory(t.name, t.options, files=files))
    return out
