"""How evenly plans spread the work over days and reps, and how steady visit times are.

For every instance this script solves the plan with a fixed seed and an
iteration stop (``max_iterations``, with a time limit far above what the run
needs, so that the plans are reproducible), once per setting, and reports the
figures of :meth:`routeopt.Plan.kpis` that a sales manager signs a plan off
on:

* travel hours, and the travel against the same run with balance and steady
  times off (``vs off``);
* visits per rep-day (min / median / max over the routes) and the working
  days without a route;
* the busiest over the quietest day of each rep (the largest over reps);
* the spread of day lengths (longest minus shortest day of a rep, the
  largest over reps) and the workload band (the largest deviation of a rep's
  service plus travel time from the team mean);
* the per-outlet start-time spread on one weekday: 90th percentile and
  maximum over every outlet seen twice on a weekday, and the 90th percentile
  over the outlets whose visits all fall on one weekday;
* the solve time.

Instances: ``monaco`` (the bundled example, ``examples/data/monaco/``, four
weeks from 2026-11-30, as in the README's first command) and ``field-N``, the
seeded territory of ``N`` outlets of ``benchmarks/field.py``
(:func:`field.territory_problem`).

Settings: ``--balance-weight W1,W2,...`` makes one setting per weight,
``--steady-weight S`` adds a steady-time weight to each, and ``--param
key=value`` (repeatable) sets any other :class:`routeopt.SolveParams` field on
every run. Each is passed to ``SolveParams`` only if it has such a field; an
unknown one is an error that lists the fields there are, so the script runs
on any version of the solver. Without ``--balance-weight`` there is one
setting, the defaults. Unless ``--no-off`` is given, each instance is also
solved with balance and steady times off (those weights at 0 where the
fields exist; on a solver without them, the defaults are off) and every row
says how much more it travels; a setting equal to the off one is solved once.

Usage::

    python benchmarks/balance.py [--instances monaco,field-100,field-300] [--weeks 4]
        [--iterations 3000] [--time-limit 3600] [--seed 0]
        [--balance-weight 0,0.5,1] [--steady-weight 0.1] [--param key=value ...]
        [--no-off] [--out benchmarks/results/balance.csv]

Each run appends one row to the CSV, with the time, the git commit, a hash of
the library's sources, the machine, the instance, the parameters given
(``params``, JSON) and the figures. A Markdown table is printed at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scaling import append_csv, git_commit, machine, src_hash

ROOT = Path(__file__).resolve().parents[1]
MONACO = ROOT / "examples" / "data" / "monaco"
START = "2026-11-30"  # a Monday
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "balance.csv"
DEFAULT_INSTANCES = ("monaco", "field-100", "field-300")
# the SolveParams fields that --balance-weight and --steady-weight set
BALANCE_FIELD = "balance_weight"
STEADY_FIELD = "steady_weight"

CSV_COLUMNS = (
    "timestamp", "git_commit", "src_hash", "load_avg_1m", "host", "cpu_count", "cpu_model",
    "python", "ortools",
    "instance", "outlets", "reps", "weeks", "seed", "max_iterations", "time_limit", "setting",
    "params", "balance_weight", "steady_weight",
    "required", "scheduled", "coverage", "travel_h", "travel_vs_off_pct",
    "working_days", "days_without_route", "visits_day_min", "visits_day_median",
    "visits_day_max", "busiest_quietest_max", "day_length_spread_max_h", "drive_day_max_h",
    "workload_deviation_max", "spread_same_weekday_outlets", "spread_same_weekday_median_min",
    "spread_same_weekday_p90_min", "spread_same_weekday_max_min", "spread_one_weekday_outlets",
    "spread_one_weekday_p90_min", "spread_one_weekday_max_min", "spread_all_visits_p90_min",
    "per_rep", "iterations", "stop_reason", "solve_s", "violations", "valid",
)


class ParamError(ValueError):
    """A parameter this version of :class:`routeopt.SolveParams` does not take."""


# -- instances and parameters ---------------------------------------------------------
def load_instance(name: str, weeks: int, seed: int) -> Any:
    """The problem of instance ``name``: ``monaco`` or ``field-N``."""
    from routeopt.read import read_problem

    if name == "monaco":
        return read_problem(MONACO / "outlets.csv", MONACO / "reps.csv", start=START,
                            weeks=weeks)
    size = name.removeprefix("field-")
    if name.startswith("field-") and size.isdigit() and int(size) > 0:
        from field import territory_problem

        return territory_problem(int(size), weeks, seed)
    raise ValueError(f"unknown instance {name!r}: give monaco or field-N (N outlets)")


def _instances(text: str) -> list[str]:
    out = [t.strip() for t in text.split(",") if t.strip()]
    for name in out:
        size = name.removeprefix("field-")
        if name != "monaco" and not (name.startswith("field-") and size.isdigit()):
            raise argparse.ArgumentTypeError(
                f"unknown instance {name!r}: give monaco or field-N, e.g. field-100")
    if not out:
        raise argparse.ArgumentTypeError("give at least one instance")
    return out


def _floats(text: str) -> list[float]:
    try:
        return [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers, e.g. 0,0.5,1") from None


def _key_value(text: str) -> tuple[str, str]:
    key, eq, value = text.partition("=")
    if not eq or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: give key=value, e.g. workers=2")
    return key.strip(), value.strip()


def solve_fields() -> dict[str, str]:
    """The fields of this version's :class:`routeopt.SolveParams`, with their types."""
    from routeopt import SolveParams

    return {f.name: str(f.type) for f in dataclasses.fields(SolveParams)}


def param_changes(pairs: Mapping[str, str | float]) -> dict[str, Any]:
    """``pairs`` as :class:`SolveParams` changes, each converted to its field's type.

    Raises
    ------
    ParamError
        For a field that ``SolveParams`` does not have, or a value of the wrong type.
    """
    fields = solve_fields()
    out: dict[str, Any] = {}
    for key, raw in pairs.items():
        kind = fields.get(key)
        if kind is None:
            flag = {BALANCE_FIELD: " (set by --balance-weight)",
                    STEADY_FIELD: " (set by --steady-weight)"}.get(key, "")
            raise ParamError(f"SolveParams has no field {key!r}{flag} in this version of "
                             f"routeopt; its fields are: {', '.join(sorted(fields))}")
        text = str(raw)
        try:
            if kind == "bool":
                if text.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(text)
                out[key] = text.lower() in ("true", "1")
            elif kind == "int":
                out[key] = int(text)
            elif kind == "float":
                out[key] = float(text)
            else:
                out[key] = raw
        except ValueError:
            raise ParamError(f"{key}={text!r}: SolveParams.{key} is of type {kind}") from None
    from routeopt import RouteOptError, SolveParams

    try:
        SolveParams().replace(**out)
    except RouteOptError as e:
        raise ParamError(f"bad SolveParams: {e}") from None
    return out


def settings(balance: Sequence[float] | None, steady: float | None,
             extra: Mapping[str, str]) -> list[dict[str, Any]]:
    """One dict of ``SolveParams`` changes per setting (a balance weight, or the defaults)."""
    base = dict(extra)
    if steady is not None:
        base[STEADY_FIELD] = steady
    if not balance:
        return [param_changes(base)]
    return [param_changes({**base, BALANCE_FIELD: w}) for w in balance]


def off_changes(extra: Mapping[str, str]) -> dict[str, Any]:
    """The changes that turn balance and steady times off (only the fields that exist)."""
    fields = solve_fields()
    zeros = {f: 0.0 for f in (BALANCE_FIELD, STEADY_FIELD) if f in fields}
    return param_changes({**extra, **zeros})


def label(changes: Mapping[str, Any], off: Mapping[str, Any]) -> str:
    """A short name for a setting: ``off``, ``defaults`` or its balance and steady weights."""
    if dict(changes) == dict(off):
        return "off"
    named = [f"{k}={changes[k]:g}" for k in (BALANCE_FIELD, STEADY_FIELD) if k in changes]
    return " ".join(named) or "defaults"


# -- one run ------------------------------------------------------------------------------
def _min(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60, 1)


def _h(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 2)


def run(problem: Any, changes: Mapping[str, Any], *, seed: int, iterations: int,
        time_limit: float) -> dict[str, Any]:
    """Solve ``problem`` with ``changes`` on top of the stop rule; the row's figures."""
    from routeopt import SolveParams, solve

    params = SolveParams(seed=seed, max_iterations=iterations,
                         time_limit=time_limit).replace(**changes)
    t0 = time.perf_counter()
    plan = solve(problem, params)
    wall = time.perf_counter() - t0
    k = plan.kpis()
    same, one = k["start_spread_same_weekday"], k["start_spread_one_weekday"]
    violations = plan.violations()
    return {
        "outlets": len(problem.outlets), "reps": len(problem.reps),
        "weeks": problem.horizon.weeks,
        "required": k["required_visits"], "scheduled": k["scheduled_visits"],
        "coverage": k["coverage"], "travel_h": round(k["travel_s"] / 3600, 3),
        "working_days": k["working_days"], "days_without_route": k["days_without_route"],
        "visits_day_min": k["visits_per_route_day_min"],
        "visits_day_median": k["visits_per_route_day_median"],
        "visits_day_max": k["visits_per_route_day_max"],
        "busiest_quietest_max": k["busiest_quietest_ratio_max"],
        "day_length_spread_max_h": _h(k["day_length_spread_max_s"]),
        "drive_day_max_h": _h(k["drive_s_per_day_max"]),
        "workload_deviation_max": k["workload_deviation_max"],
        "spread_same_weekday_outlets": same["outlets"],
        "spread_same_weekday_median_min": _min(same["median_s"]),
        "spread_same_weekday_p90_min": _min(same["p90_s"]),
        "spread_same_weekday_max_min": _min(same["max_s"]),
        "spread_one_weekday_outlets": one["outlets"],
        "spread_one_weekday_p90_min": _min(one["p90_s"]),
        "spread_one_weekday_max_min": _min(one["max_s"]),
        "spread_all_visits_p90_min": _min(k["start_spread_all_visits"]["p90_s"]),
        "per_rep": json.dumps({rid: {x: f[x] for x in (
            "working_days", "days_worked", "visits_per_day_min", "visits_per_day_median",
            "visits_per_day_max", "day_length_spread_s", "workload_deviation")}
            for rid, f in k["per_rep"].items()}),
        "iterations": plan.stats.get("iterations"),
        "stop_reason": plan.stats.get("stop_reason"),
        "solve_s": round(wall, 2),
        "violations": len(violations), "valid": not violations,
    }


# -- output ----------------------------------------------------------------------------
def _f(v: Any, spec: str = "") -> str:
    return "-" if v is None or v == "" else format(v, spec)


def _pct(share: Any) -> str:
    return "-" if share is None or share == "" else f"±{100 * float(share):.1f} %"


def markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """The runs as a Markdown table."""
    head = ("| instance | setting | travel h | vs off | visits / rep-day min / med / max | "
            "days without route | busiest / quietest | day length spread h | "
            "workload band | start spread p90 / max min | one-weekday p90 min | solve s | "
            "valid |")
    lines = [head, "|---|---|" + "---:|" * (head.count("|") - 3)]
    for r in rows:
        vs = r.get("travel_vs_off_pct")
        lines.append(
            f"| {r['instance']} | {r['setting']} | {_f(r['travel_h'], '.1f')} | "
            f"{'-' if vs is None else format(vs, '+.1f') + ' %'} | "
            f"{_f(r['visits_day_min'])} / {_f(r['visits_day_median'], 'g')} / "
            f"{_f(r['visits_day_max'])} | {r['days_without_route']} of {r['working_days']} | "
            f"{_f(r['busiest_quietest_max'], '.2f')} | {_f(r['day_length_spread_max_h'], '.1f')} | "
            f"{_pct(r['workload_deviation_max'])} | "
            f"{_f(r['spread_same_weekday_p90_min'], '.0f')} / "
            f"{_f(r['spread_same_weekday_max_min'], '.0f')} | "
            f"{_f(r['spread_one_weekday_p90_min'], '.0f')} | {r['solve_s']:.1f} | "
            f"{'yes' if r['valid'] else 'NO (' + str(r['violations']) + ')'} |")
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", type=_instances, default=list(DEFAULT_INSTANCES),
                    help="comma separated: monaco, field-N (default monaco,field-100,field-300)")
    ap.add_argument("--weeks", type=int, default=4, help="horizon in weeks (default 4)")
    ap.add_argument("--iterations", type=int, default=3000,
                    help="search iterations, the stop rule (default 3000, as SolveParams)")
    ap.add_argument("--time-limit", type=float, default=3600.0,
                    help="seconds; far above the run so that iterations stop it (default 3600)")
    ap.add_argument("--seed", type=int, default=0, help="solver and territory seed (default 0)")
    ap.add_argument("--balance-weight", type=_floats, default=None, metavar="W1,W2,...",
                    help=f"one setting per weight (SolveParams.{BALANCE_FIELD})")
    ap.add_argument("--steady-weight", type=float, default=None, metavar="S",
                    help=f"steady-time weight for every setting (SolveParams.{STEADY_FIELD})")
    ap.add_argument("--param", type=_key_value, action="append", default=[],
                    metavar="KEY=VALUE", help="any other SolveParams field, for every run")
    ap.add_argument("--no-off", action="store_true",
                    help="do not solve with balance and steady times off for the vs off column")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV to append rows to")
    args = ap.parse_args(argv)

    extra = dict(args.param)
    try:
        runs = settings(args.balance_weight, args.steady_weight, extra)
        off = off_changes(extra)
    except ParamError as e:
        print(f"balance.py: error: {e}", file=sys.stderr)
        return 2
    if off in runs:  # solved first, so that every other row can say how much more it travels
        runs.insert(0, runs.pop(runs.index(off)))
    elif not args.no_off:
        runs.insert(0, off)

    info = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": git_commit(), "src_hash": src_hash(), **machine()}
    print(f"# routeopt balance benchmark, {info['timestamp']}, commit {info['git_commit']} "
          f"(src {info['src_hash']}), {info['cpu_count']} CPU ({info['cpu_model']}), "
          f"seed {args.seed}, {args.iterations} iterations", flush=True)
    rows: list[dict[str, Any]] = []
    for name in args.instances:
        problem = load_instance(name, args.weeks, args.seed)
        off_travel = None
        for changes in runs:
            stamp = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                     "load_avg_1m": round(os.getloadavg()[0], 2)}
            res = run(problem, changes, seed=args.seed, iterations=args.iterations,
                      time_limit=args.time_limit)
            if changes == off:
                off_travel = res["travel_h"]
            row = {**info, **stamp, "instance": name, "seed": args.seed,
                   "max_iterations": args.iterations, "time_limit": args.time_limit,
                   "setting": label(changes, off),
                   "params": json.dumps(changes, sort_keys=True),
                   "balance_weight": changes.get(BALANCE_FIELD),
                   "steady_weight": changes.get(STEADY_FIELD), **res}
            if off_travel:
                row["travel_vs_off_pct"] = round(100 * (res["travel_h"] / off_travel - 1), 2)
            append_csv(args.out, row, CSV_COLUMNS)
            rows.append(row)
            warn = "" if res["stop_reason"] != "time_limit" else (
                " (stopped by the time limit: not reproducible; raise --time-limit)")
            print(f"  {name}, {row['setting']}: {res['travel_h']:.1f} h travel, "
                  f"{res['days_without_route']} days without route, {res['solve_s']:.1f} s, "
                  f"{'valid' if res['valid'] else 'INVALID'}{warn}", flush=True)
    print()
    print(markdown(rows))
    print(f"\nrows appended to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
