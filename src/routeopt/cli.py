"""The ``routeopt`` command line.

Exit codes: 0 a plan was made (even with unscheduled visits), 2 bad input
(or a geocoder that cannot be reached), 1 an unexpected failure, 130
interrupted (SIGINT or SIGTERM); ``batch``: 3 some territories failed (see
``routeopt.batch._cli``).

An interrupt prints one line and exits with 130. Worker processes are
stopped (:mod:`routeopt._interrupt`), caches keep what they hold, and the
output folder is left as it was: the plan files are written only at the end,
and a signal that comes while they are being written waits for them to be
complete. Run the same command again to go on: ``batch`` skips the
territories already written, geocoding asks only for what is not cached.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routeopt import _interrupt
from routeopt._values import cli_int, cli_seconds
from routeopt.batch import _cli as batch_cli
from routeopt.exceptions import GeocoderUnavailableError, InputError, Issue, RouteOptError

if TYPE_CHECKING:
    from routeopt.matrix import MatrixProvider

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="routeopt", description="Plan the visits of field sales reps.")
    ap.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan", help="plan visits for a week or a cycle of weeks")
    p.add_argument("--outlets", required=True, type=Path, help="outlets CSV or Excel workbook")
    p.add_argument("--reps", required=True, type=Path, help="reps CSV or Excel workbook")
    p.add_argument("--start", required=True, help="first date planned, YYYY-MM-DD")
    p.add_argument("--weeks", type=cli_int, default=1, help="weeks in the cycle (default 1)")
    p.add_argument("--out", required=True, type=Path, help="output directory")
    _add_calendar_options(p)
    _add_search_options(p)
    p.add_argument("--params", type=Path, default=None, help="solver parameters, TOML")
    p.add_argument("--skip-invalid", action="store_true",
                   help="leave bad outlet rows out (listed in rejected.csv) instead of stopping")
    p.add_argument("--previous", type=Path, default=None, metavar="PLAN_DIR",
                   help="the last cycle's plan: keep its route lines (each outlet on the same "
                        "weekdays, rep and times) where they still fit")
    _add_matrix_options(p)
    add_table_options(p)
    from routeopt.geocode._cli import add_geocode_command, add_plan_options

    add_plan_options(p)  # geocoding: --geocoder, --geocode-*, --crs
    add_geocode_command(sub)
    # routeopt replan: nightly re-planning (routeopt.replan)
    r = sub.add_parser("replan", help="refresh a plan from the day's visit log")
    r.add_argument("--outlets", required=True, type=Path, help="outlets CSV or Excel workbook")
    r.add_argument("--reps", required=True, type=Path, help="reps CSV or Excel workbook")
    r.add_argument("--previous", required=True, type=Path, help="directory of the previous plan")
    r.add_argument("--log", type=Path, default=None,
                   help="visit log CSV or Excel workbook (none: no news)")
    r.add_argument("--today", required=True, help="first day of the new plan, YYYY-MM-DD")
    r.add_argument("--out", required=True, type=Path, help="output directory")
    r.add_argument("--frozen-days", type=cli_int, default=0,
                   help="planning days after today that stay as planned too (default 0)")
    _add_calendar_options(r)
    _add_search_options(r)
    r.add_argument("--params", type=Path, default=None, help="solver parameters, TOML")
    r.add_argument("--skip-invalid", action="store_true",
                   help="leave bad log rows out (listed in replan.json) instead of stopping")
    _add_matrix_options(r)  # give the previous plan's: its pinned times depend on them
    add_table_options(r, log=True)
    add_plan_options(r)
    batch_cli.add_parser(sub)
    from routeopt.territories import _cli as territories_cli

    territories_cli.add_parser(sub)
    from routeopt.export import _cli as export_cli

    export_cli.add_parser(sub)
    return ap


def search_defaults() -> dict[str, str]:
    """The search's defaults as the help states them, read from :class:`SolveParams`."""
    from routeopt.solver.params import SolveParams

    d = SolveParams()
    return {"time_limit": f"{d.time_limit:g} s", "max_iterations": f"{d.max_iterations}",
            "seed": f"{d.seed}"}


def _add_search_options(p: argparse.ArgumentParser) -> None:
    """``--time-limit``, ``--iterations`` and ``--seed``; their defaults are SolveParams'."""
    d = search_defaults()
    p.add_argument("--time-limit", type=cli_seconds, default=None, metavar="S",
                   help=f"search seconds (default {d['time_limit']}, or --params)")
    p.add_argument("--iterations", type=cli_int, default=None, metavar="N",
                   help="search iterations, the deterministic stop rule (default "
                        f"{d['max_iterations']}, or --params)")
    p.add_argument("--seed", type=cli_int, default=None, metavar="N",
                   help=f"random seed (default {d['seed']}, or --params)")


def _add_calendar_options(p: argparse.ArgumentParser) -> None:
    """``--country``, ``--subdiv``, ``--holidays``, ``--workdays``."""
    p.add_argument("--country", default=None, metavar="CODE",
                   help="official calendar: public holidays and make-up working days of this "
                        "country (ISO 3166-1 code, e.g. MC, CN, DE)")
    p.add_argument("--subdiv", default=None, metavar="CODE",
                   help="a subdivision's calendar within --country (e.g. BY in DE)")
    p.add_argument("--holidays", default="",
                   help="further dates nobody works, YYYY-MM-DD,YYYY-MM-DD")
    p.add_argument("--workdays", default="",
                   help="dates everyone works whatever the calendar, YYYY-MM-DD,YYYY-MM-DD")


def _calendar(args: argparse.Namespace) -> dict[str, Any]:
    """The calendar options as :func:`routeopt.read.read_problem` takes them; a bad code is
    an error naming the option."""
    from routeopt.calendars import normal_country, region_problem

    country = normal_country(args.country) if args.country and args.country.strip() else None
    subdiv = args.subdiv.strip() if args.subdiv and args.subdiv.strip() else None
    if subdiv is not None and country is None:
        raise InputError([Issue(f"--subdiv {subdiv} needs --country (e.g. --country DE "
                                "--subdiv BY)")])
    if country is not None:
        problem = region_problem(country, None)
        if problem is not None:
            raise InputError([Issue(f"--country {args.country}: {problem}")])
        from routeopt.calendars import normal_subdiv

        problem = region_problem(country, normal_subdiv(country, subdiv))
        if problem is not None:
            raise InputError([Issue(f"--subdiv {subdiv}: {problem}")])
    return {"country": country, "subdiv": subdiv,
            "holidays": [h for h in args.holidays.split(",") if h.strip()],
            "workdays": [h for h in args.workdays.split(",") if h.strip()]}


def add_table_options(p: argparse.ArgumentParser, *, log: bool = False) -> None:
    """``--encoding``, ``--sheet``, ``--reps-sheet`` (``--log-sheet``) and ``--columns``."""
    p.add_argument("--encoding", default=None,
                   help="encoding of the CSV files (default: UTF-8, with or without BOM, or "
                        "GBK/GB18030, detected), e.g. gb18030, cp1252")
    p.add_argument("--sheet", default=None,
                   help="sheet of an Excel outlets file: name or 0-based index (default: the "
                        "first)")
    p.add_argument("--reps-sheet", default=None, help="sheet of an Excel reps file")
    if log:
        p.add_argument("--log-sheet", default=None, help="sheet of an Excel visit log")
    p.add_argument("--columns", type=Path, default=None, metavar="MAP.toml",
                   help="column map: [outlets], [reps]" + (", [log]" if log else "")
                        + " tables of 'your header' = 'routeopt column' (see "
                          "docs/csv-schema.md)")


def _column_map(args: argparse.Namespace) -> dict[str, dict[str, str]] | None:
    """The ``--columns`` map, read (TableError if it cannot be)."""
    from routeopt._columns import load_column_map

    return None if args.columns is None else load_column_map(args.columns)


def _add_matrix_options(p: argparse.ArgumentParser) -> None:
    """``--matrix``, ``--osm-file``, ``--osrm-url``, ``--matrix-cache``."""
    p.add_argument("--matrix", choices=("haversine", "road", "osrm"), default="haversine",
                   help="travel times: great-circle estimate (default), shortest paths on an "
                        "OpenStreetMap road network (--osm-file), or an OSRM server (--osrm-url)")
    p.add_argument("--osm-file", type=Path, default=None, help="OpenStreetMap .osm.pbf for road")
    p.add_argument("--osrm-url", action="append", default=None, metavar="[MODE=]URL",
                   help="OSRM server for --matrix osrm (a URL serves drive; repeat MODE=URL "
                        "for walk or bicycle)")
    p.add_argument("--matrix-cache", type=Path, default=None, metavar="DIR",
                   help="keep travel matrices in DIR and reuse them on the next run")


def _matrix_provider(args: argparse.Namespace) -> MatrixProvider | None:
    """The provider ``--matrix`` asks for (``None``: the solver's default estimate)."""
    from routeopt.matrix import provider_for

    if args.matrix == "haversine" and args.matrix_cache is None:
        return None
    return provider_for(args.matrix, osm_file=args.osm_file, osrm_url=args.osrm_url,
                        cache_dir=args.matrix_cache)


def cmd_replan(args: argparse.Namespace) -> int:
    """``routeopt replan``: the cycle comes from the previous plan's summary.json; the travel
    times from the same options as ``routeopt plan`` (give the ones the plan was made with)."""
    from routeopt._planfolder import writable_folder
    from routeopt.geocode._cli import plan_geocoding
    from routeopt.replan import read_cycle, replan
    from routeopt.solver import SolveParams

    writable_folder(args.out)  # before the search: a file, or a folder holding other files
    params = SolveParams.from_toml(args.params) if args.params else SolveParams()
    params = params.replace(**{k: v for k, v in (
        ("time_limit", args.time_limit), ("seed", args.seed),
        ("max_iterations", args.iterations)) if v is not None})
    provider = _matrix_provider(args)
    columns = _column_map(args)
    with plan_geocoding(args) as geocode:
        problem = read_cycle(args.previous, args.outlets, args.reps, **_calendar(args),
                             crs=args.crs, geocode=geocode, encoding=args.encoding,
                             sheet=args.sheet, reps_sheet=args.reps_sheet, columns=columns)
    if provider is not None:
        from routeopt.matrix import problem_matrices

        problem = problem.replace(matrix=problem_matrices(problem, provider))
    result = replan(problem, args.previous, args.log, today=args.today,
                    frozen_days=args.frozen_days, params=params, skip_invalid=args.skip_invalid,
                    encoding=args.encoding, log_sheet=args.log_sheet,
                    log_columns=(columns or {}).get("log"))
    with _interrupt.deferred():  # a signal waits for the files to be complete
        files = result.write(args.out)
        args.written = True
    print(result.summary())
    print(f"wrote {', '.join(str(p) for p in files.values())}")
    for i in result.issues:
        print(f"routeopt: warning: visit log row left out: {i}", file=sys.stderr)
    violations = result.plan.violations()
    for v in violations[:20]:
        print(f"routeopt: internal error: {v}", file=sys.stderr)
    return EXIT_FAIL if violations else EXIT_OK


def _print_issues(err: InputError, *, skip_hint: str | None = None) -> None:
    """The issues, one a line; with ``skip_hint`` (the outlets file's name), the advice to
    pass ``--skip-invalid`` when bad rows of that file are among them (never for a file that
    cannot be read as a whole: its encoding, sheet, header or column map)."""
    from routeopt.exceptions import SHEET_MARK, TableError

    print(f"routeopt: error: {len(err.issues)} problem(s) in the input:", file=sys.stderr)
    for i in err.issues[:100]:
        print(f"  {i}", file=sys.stderr)
    if len(err.issues) > 100:
        print(f"  ... and {len(err.issues) - 100} more", file=sys.stderr)
    if skip_hint and not isinstance(err, TableError) and any(
            i.line and (i.file == skip_hint or (i.file or "").startswith(skip_hint + SHEET_MARK))
            for i in err.issues):
        print("Fix these rows and run again, or pass --skip-invalid to plan without them "
              "(they are then listed in rejected.csv).", file=sys.stderr)


def cmd_plan(args: argparse.Namespace) -> int:
    from routeopt.geocode._cli import plan_geocoding
    from routeopt.read import RowsSkippedWarning, read_problem
    from routeopt.solver import SolveParams, solve

    if args.out.exists() and not args.out.is_dir():
        raise InputError([Issue(f"--out {args.out} is a file; give a directory for the plan")])
    from routeopt._planfolder import writable_folder

    writable_folder(args.out)  # before the search: a folder holding other files is refused
    params = SolveParams.from_toml(args.params) if args.params else SolveParams()
    changes = {k: v for k, v in (("time_limit", args.time_limit), ("seed", args.seed),
                                 ("max_iterations", args.iterations)) if v is not None}
    params = params.replace(**changes)
    calendar = _calendar(args)
    provider = _matrix_provider(args)  # before reading: a missing setting fails at once
    columns = _column_map(args)
    with warnings.catch_warnings(record=True) as caught, plan_geocoding(args) as geocode:
        warnings.simplefilter("always")
        problem = read_problem(args.outlets, args.reps, start=args.start, weeks=args.weeks,
                               **calendar, skip_invalid=args.skip_invalid,
                               crs=args.crs, geocode=geocode, encoding=args.encoding,
                               sheet=args.sheet, reps_sheet=args.reps_sheet, columns=columns)
    skipped: tuple[Issue, ...] = ()
    for w in caught:
        if isinstance(w.message, RowsSkippedWarning):
            skipped += w.message.issues
        else:
            print(f"routeopt: warning: {w.message}", file=sys.stderr)
    if provider is not None:
        from routeopt.matrix import problem_matrices

        problem = problem.replace(matrix=problem_matrices(problem, provider))
    reference = None
    if args.previous is not None:  # the last cycle's route lines, carried into this one
        from routeopt.replan import carry_forward, read_plan, with_last_visits

        last = read_plan(args.previous, problem)
        reference = carry_forward(last, problem.horizon.start, problem.horizon.weeks)
        problem = with_last_visits(problem, last)  # intervals count from the last cycle
    plan = solve(problem, params, previous=reference)
    extra: dict[str, str] = {}  # written with the plan, in the same folder swap
    if skipped:  # their visits are owed too: coverage and the summary count them
        from routeopt._planfolder import rejected_csv
        from routeopt._skipped import with_skipped

        plan = with_skipped(plan, args.outlets, skipped, encoding=args.encoding,
                            sheet=args.sheet, columns=(columns or {}).get("outlets"))
        extra["rejected.csv"] = rejected_csv(skipped)
    with _interrupt.deferred():  # the output changes only here, and a signal waits for it
        files = plan.write(args.out, extra_files=extra)
        args.written = True
    if skipped:
        print(f"routeopt: {len(skipped)} problem(s) in the input; the rows were left out, "
              f"see {args.out / 'rejected.csv'}", file=sys.stderr)
    print(plan.summary())
    if reference is not None:
        kept = sum(len(r.stops) for r in plan.routes) - int(plan.stats.get("moved_visits", 0))
        print(f"  carried     {kept} visit(s) on the weekday and rep they had in "
              f"{args.previous}, {plan.stats.get('moved_visits', 0)} moved")
    print(f"wrote {', '.join(str(p) for p in files.values())}")
    violations = plan.violations()
    if violations:  # a bug, not bad input: say so loudly
        print(f"routeopt: internal error: the plan breaks {len(violations)} constraint(s):",
              file=sys.stderr)
        for v in violations[:20]:
            print(f"  {v}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # argparse has printed the usage and the error
        return e.code if isinstance(e.code, int) else EXIT_INPUT
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2),
                        format="%(levelname)s %(name)s: %(message)s")
    args.written = False
    with _interrupt.handling():
        try:
            return _run(args)
        except KeyboardInterrupt as e:
            print(_interrupted(args, e), file=sys.stderr)
            return EXIT_INTERRUPTED


def _interrupted(args: argparse.Namespace, e: KeyboardInterrupt) -> str:
    """The one line an interrupted command prints."""
    why = f"interrupted ({e.name})" if isinstance(e, _interrupt.Interrupted) else "interrupted"
    out = getattr(args, "out", None)
    if args.command == "batch":
        return (f"routeopt: {why}; the territories finished are in {out} and are skipped "
                "next time: run the same command again to plan the rest")
    if args.command == "geocode":
        return (f"routeopt: {why}; {out} was not written, the answers received so far are "
                "in the cache: run the same command again to go on")
    if args.written:
        return f"routeopt: {why} after the plan was written to {out}"
    return (f"routeopt: {why}; nothing was written, {out} is as it was: run the same "
            "command again")


def _run(args: argparse.Namespace) -> int:
    """Run the command; its errors as messages and exit codes."""
    try:
        if args.command == "plan":
            return cmd_plan(args)
        if args.command == "geocode":
            from routeopt.geocode._cli import run_geocode

            return run_geocode(args)
        if args.command == "replan":
            return cmd_replan(args)
        if args.command == "batch":
            return batch_cli.run(args)
        if args.command == "export":
            from routeopt.export import _cli as export_cli

            return export_cli.run(args)
        if args.command == "territories":
            from routeopt.territories import _cli as territories_cli

            return territories_cli.run(args)
    except InputError as e:
        skippable = args.command == "plan" and not args.skip_invalid
        _print_issues(e, skip_hint=args.outlets.name if skippable else None)
        return EXIT_INPUT
    except GeocoderUnavailableError as e:  # a setting to fix, like bad input; nothing planned
        no_cache = str(getattr(args, "geocode_cache", "")).lower() == "none"
        kept = "" if no_cache else " (the addresses geocoded before are in the geocode cache)"
        print(f"routeopt: error: {e}; nothing was planned{kept}", file=sys.stderr)
        return EXIT_INPUT
    except RouteOptError as e:
        print(f"routeopt: error: {e}", file=sys.stderr)
        return EXIT_FAIL
    except OSError as e:
        print(f"routeopt: error: {e.strerror or e}: {e.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return EXIT_FAIL
    return EXIT_FAIL


def run() -> None:  # pragma: no cover
    """The console script: run :func:`main` and exit with its code."""
    code = main()
    _done()
    sys.exit(code)


def _done() -> None:
    """After the command: a late Ctrl-C while the interpreter exits prints no traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":  # pragma: no cover
    run()
