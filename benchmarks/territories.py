"""Territory design against k-means, nearest rep and one single solve, side by side.

For each case (a generated company, :func:`routeopt.datasets.make_company`,
or a field territory, :func:`routeopt.datasets.make_territory`) the outlets
are given reps four ways:

- ``kmeans``: k-means on the coordinates (Lloyd, seeded, 30 rounds), the
  clusters matched one to one to the reps by the distance from their centre
  to the rep's home (Hungarian method);
- ``nearest``: each outlet to the rep with the nearest home;
- ``kmeans-balanced``, ``nearest-balanced``: those two assignments brought
  within the same ±5 % band and the reps' daily visit limits by the design's
  own capacity repair (``territories._design._rebalance``: single moves and,
  where none helps, swaps that cut the hours outside the band and the visits
  above the limits, the least added commute per hour first), so that they
  are held to the same capacity as the design;
- ``single``: no territories: one :func:`routeopt.solve` of the whole
  problem chooses reps itself (up to ``--single-max`` outlets);
- ``design``: :func:`routeopt.territories.design` (``--compactness``, its
  default by default);
- ``home``: the same design with ``compactness=0``: the reps' homes as the
  fixed centres, no alternating centres (the ablation of the compactness);
- ``improved``: the design with its improvement step (``improve=True``).

Every territory is then planned by :func:`routeopt.batch.run_batch` with the
same solver settings (``--weeks``, ``--iterations``, ``--time-limit``), and the
plans give the figures: the spread of the reps' planned workload (visit plus
travel hours per week; max/min and standard deviation in % of the mean),
the total planned travel, the coverage, and the wall time (assignment and
planning). ``visits_made`` is the visits scheduled, ``travel_per_visit_min``
the planned travel over them.

**The fair measure.** Methods that leave visits out have less to drive, so
total travel alone flatters them: raw ``nearest`` and ``kmeans`` overload
some reps (planned workload 3.5 to 8 to 1), whose plans then drop up to
28 % of the visits. The side-by-side comparison is therefore between
assignments held to the same constraints, the ``-balanced`` rows against
``design``: every rep within ±5 % of the target and under its visit limit in
the same workload model, the same solver settings. One assignment beats
another when it plans less travel *and* makes at least as many visits
(``travel_h`` with ``visits_made`` and ``coverage`` beside it; a win on
travel with fewer visits made is no win). Raw ``nearest`` and ``kmeans`` stay
in the table as references, not as rivals: no balanced assignment can match
nearest rep's commute (benchmarks/README.md gives the bound). ``--equal-work`` plans
every method a second time on the outlets that every method scheduled in
full in the first pass (each outlet with its method's rep): the same visits
for all (but not neutral: it keeps what overloaded reps could make), and its rows are
marked ``equal_work``. ``--bound ARCS`` prints the optimum of the linear
relaxation of the balanced assignment with the commute as its cost (each
outlet's ``ARCS`` nearest reps, every rep within ±5 % and under its visit
limit): a lower bound on the model's commute of every such assignment,
against nearest rep's and each method's. ``--per-rep CSV`` writes each rep's planned
workload, travel and visits per method. Rows are appended to
``benchmarks/results/territories.csv``.

Usage::

    python benchmarks/territories.py [--company 15000,50] [--field 1000,7]
        [--weeks 4] [--iterations 300] [--time-limit 120] [--workers 2]
        [--methods kmeans,nearest,kmeans-balanced,nearest-balanced,single,home,design,improved]
        [--compactness X]
        [--contiguity] [--equal-work] [--bound ARCS] [--per-rep CSV] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from routeopt import SolveParams, solve
from routeopt.batch import TerritoryOptions, run_batch, territories_from_frames
from routeopt.datasets import make_company, make_territory
from routeopt.read import read_problem
from routeopt.territories import design, outlet_workloads
from routeopt.territories._design import _model, _rebalance, _result

RESULTS = Path(__file__).resolve().parent / "results" / "territories.csv"
START = "2026-11-30"
FIELDS = ("timestamp", "commit", "load1", "machine", "case", "outlets", "reps", "method",
          "weeks", "iterations", "time_limit", "assign_s", "plan_s", "wall_s",
          "workload_max_over_min", "workload_std_pct", "travel_h", "coverage",
          "design_dev_pct", "visits_made", "travel_per_visit_min", "equal_work", "compactness")
PER_REP_FIELDS = ("case", "method", "equal_work", "rep_id", "outlets", "visits_made",
                  "workload_h_per_week", "travel_h_per_week", "est_travel_h_per_week",
                  "est_approach_h_per_week", "est_commute_h_per_week", "est_workload_h_per_week")


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True,
                               text=True, cwd=Path(__file__).parent.parent).stdout.strip()
        return out + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def kmeans_assign(outlets: pd.DataFrame, reps: pd.DataFrame, seed: int) -> dict[str, str]:
    """k-means clusters of the outlets, matched one to one to the reps' homes."""
    from scipy.optimize import linear_sum_assignment

    lat0 = float(outlets["lat"].astype(float).mean())
    k_lon = np.cos(np.radians(lat0))
    xy = np.column_stack([outlets["lon"].astype(float) * k_lon, outlets["lat"].astype(float)])
    homes = np.column_stack([reps["lon"].astype(float) * k_lon, reps["lat"].astype(float)])
    rng = np.random.default_rng(seed)
    k = len(reps)
    centres = xy[rng.choice(len(xy), size=k, replace=False)].copy()
    for _ in range(30):
        label = ((xy[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
        for j in range(k):
            if (label == j).any():
                centres[j] = xy[label == j].mean(axis=0)
    cost = ((centres[:, None, :] - homes[None]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    to_rep = {int(r): str(reps["rep_id"].iloc[int(c)]) for r, c in zip(rows, cols, strict=True)}
    return dict(zip(outlets["outlet_id"], (to_rep[int(c)] for c in label), strict=True))


def nearest_assign(problem: Any) -> dict[str, str]:
    w = outlet_workloads(problem)
    return dict(zip(w["outlet_id"], w["nearest_rep"], strict=True))


def balanced(problem: Any, assignment: dict[str, str], band: float = 0.05) -> Any:
    """``assignment`` brought within ``band`` by the design's own capacity repair
    (``territories._design._rebalance``); a :class:`~routeopt.territories.TerritoryPlan`."""
    t0 = time.perf_counter()
    md = _model(problem)
    index = {r: j for j, r in enumerate(md.rep_ids)}
    rep_of = np.array([index[assignment[o]] for o in md.outlet_ids], dtype=np.int64)
    return _result(md, _rebalance(md, rep_of, band), band, {}, None, t0)


def commute_bound(problem: Any, arcs: int) -> tuple[float, float]:
    """(the LP bound, nearest rep's figure) on the model's commute, visits x one-way
    hours from the rep's home per week: the linear relaxation of the assignment to
    each outlet's ``arcs`` nearest reps with every rep within ±5 % and under its visit
    limit, whose optimum no such assignment among those arcs can beat."""
    from routeopt.solver._ortools import assignment_lp
    from routeopt.territories._design import BAND_PRICE

    md = _model(problem)
    n, m = md.home_h.shape
    k = min(arcs, m)
    cost = md.visits[:, None] * md.home_h
    arcs_i = np.repeat(np.arange(n), k)
    arcs_j = np.argsort(md.home_h, axis=1, kind="stable")[:, :k].ravel().astype(np.int64)
    x, u, _ = assignment_lp(n, m, arcs_i, arcs_j, md.workload(arcs_j, arcs_i),
                            cost[arcs_i, arcs_j], md.capacity_h, 0.05, band_price=BAND_PRICE,
                            visits=md.visits[arcs_i], visit_cap=md.visit_cap)
    load = np.bincount(arcs_j, weights=x * md.workload(arcs_j, arcs_i), minlength=m)
    outside = (np.maximum(load - 1.05 * u * md.capacity_h, 0)
               + np.maximum(0.95 * u * md.capacity_h - load, 0)).sum()
    if outside > 1e-6:
        raise SystemExit(f"the band cannot be met ({outside:.3f} h outside): no bound")
    return float((x * cost[arcs_i, arcs_j]).sum()), float(cost.min(axis=1).sum())


def model_commute(problem: Any, assignment: dict[str, str]) -> float:
    """The model's commute of an assignment (as :func:`commute_bound`)."""
    md = _model(problem)
    index = {r: j for j, r in enumerate(md.rep_ids)}
    rep_of = np.array([index[assignment[o]] for o in md.outlet_ids], dtype=np.int64)
    return float((md.visits * md.home_h[np.arange(len(rep_of)), rep_of]).sum())


def plan_territories(outlets: pd.DataFrame, reps: pd.DataFrame, assignment: dict[str, str],
                     args: argparse.Namespace, tmp: Path
                     ) -> tuple[dict[str, Any], float, dict[str, dict[str, float]], set[str]]:
    """Plan each territory with the batch; (figures, seconds, per rep, outlets with a
    visit left out)."""
    o = outlets.assign(territory=[assignment[x] for x in outlets["outlet_id"]])
    r = reps.assign(territory=reps["rep_id"])
    opts = TerritoryOptions(start=dt.date.fromisoformat(START), weeks=args.weeks,
                            solve=SolveParams(max_iterations=args.iterations,
                                              time_limit=args.time_limit, seed=args.seed))
    terrs = territories_from_frames(o, r, defaults=opts)
    t0 = time.perf_counter()
    summary = run_batch(terrs, tmp, workers=args.workers)
    took = time.perf_counter() - t0
    per_rep: dict[str, float] = {}
    detail: dict[str, dict[str, float]] = {}
    travel = required = scheduled = 0
    left_out: set[str] = set()
    reasons: dict[str, int] = {}
    for res in summary.results:
        s = res.summary or {}
        required += int(s.get("required_visits", 0))
        scheduled += int(s.get("scheduled_visits", 0))
        travel += int(s.get("travel_s", 0))
        for rep, k in (s.get("per_rep") or {}).items():
            per_rep[rep] = per_rep.get(rep, 0.0) + float(k["workload_s"]) / 3600 / args.weeks
            d = detail.setdefault(rep, {"workload": 0.0, "travel": 0.0, "visits": 0.0})
            d["workload"] += float(k["workload_s"]) / 3600 / args.weeks
            d["travel"] += float(k.get("travel_s", 0)) / 3600 / args.weeks
            d["visits"] += float(k.get("visits", 0))
        uns = tmp / res.name / "unscheduled.csv"
        if uns.exists():
            u = pd.read_csv(uns, dtype=str, keep_default_na=False)
            left_out |= set(u["outlet_id"])
            for why in u.get("reason", pd.Series(dtype=str)):
                key = str(why).split(":")[0][:60]
                reasons[key] = reasons.get(key, 0) + 1
    if reasons:
        print(f"    left out, by reason: {reasons}", file=sys.stderr)
    for rep in reps["rep_id"]:
        per_rep.setdefault(str(rep), 0.0)
    return _figures(per_rep, travel, required, scheduled), took, detail, left_out


def _figures(per_rep: dict[str, float], travel_s: int, required: int, scheduled: int
             ) -> dict[str, Any]:
    w = list(per_rep.values())
    mean = statistics.fmean(w)
    return {"workload_max_over_min": round(max(w) / min(w), 3) if min(w) > 0 else float("inf"),
            "workload_std_pct": round(100 * statistics.pstdev(w) / mean, 2) if mean else 0.0,
            "travel_h": round(travel_s / 3600, 1),
            "coverage": round(scheduled / required, 4) if required else 1.0,
            "visits_made": scheduled,
            "travel_per_visit_min": round(travel_s / 60 / scheduled, 2) if scheduled else ""}


def single_solve(problem: Any, args: argparse.Namespace) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    plan = solve(problem, SolveParams(max_iterations=args.iterations, time_limit=args.time_limit,
                                      seed=args.seed))
    took = time.perf_counter() - t0
    k = plan.kpis()
    per_rep = {rep: float(v["workload_s"]) / 3600 / args.weeks
               for rep, v in k["per_rep"].items()}
    for r in problem.reps:
        per_rep.setdefault(r.id, 0.0)
    return _figures(per_rep, int(k["travel_s"]), int(k["required_visits"]),
                    int(k["scheduled_visits"])), took


def _row(name: str, outlets: pd.DataFrame, reps: pd.DataFrame, method: str,
         args: argparse.Namespace, load: float, assign_s: float, plan_s: float,
         wall_s: float, figs: dict[str, Any], dev: str, equal_work: bool,
         compactness: float | str = "") -> dict[str, Any]:
    return {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _commit(), "load1": round(load, 2),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu", "case": name,
        "outlets": len(outlets), "reps": len(reps), "method": method, "weeks": args.weeks,
        "iterations": args.iterations, "time_limit": args.time_limit,
        "assign_s": round(assign_s, 1), "plan_s": round(plan_s, 1), "wall_s": round(wall_s, 1),
        **figs, "design_dev_pct": dev, "equal_work": equal_work, "compactness": compactness}


def run_case(name: str, outlets: pd.DataFrame, reps: pd.DataFrame,
             args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    per_rep_rows: list[dict[str, Any]] = []
    problem = read_problem(outlets, reps, start=START, weeks=args.weeks)
    assignments: dict[str, dict[str, str]] = {}
    estimates: dict[str, dict[str, tuple[float, float, float]]] = {}
    left_out: set[str] = set()
    knob: dict[str, float] = {}

    def per_rep(method: str, detail: dict[str, dict[str, float]], assignment: dict[str, str],
                equal_work: bool) -> None:
        count: dict[str, int] = {}
        for rep in assignment.values():
            count[rep] = count.get(rep, 0) + 1
        for rep in reps["rep_id"].astype(str):
            d = detail.get(rep, {})
            est = estimates.get(method, {}).get(rep)
            per_rep_rows.append({
                "case": name, "method": method, "equal_work": equal_work, "rep_id": rep,
                "outlets": count.get(rep, 0), "visits_made": int(d.get("visits", 0)),
                "workload_h_per_week": round(d.get("workload", 0.0), 2),
                "travel_h_per_week": round(d.get("travel", 0.0), 2),
                "est_travel_h_per_week": "" if est is None else round(est[0], 2),
                "est_approach_h_per_week": "" if est is None else round(est[2], 2),
                "est_commute_h_per_week": "" if est is None else round(est[0] - est[2], 2),
                "est_workload_h_per_week": "" if est is None else round(est[1], 2)})

    for method in args.methods:
        if method == "single" and len(outlets) > args.single_max:
            continue
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        dev = ""
        if method == "single":
            figs, plan_s = single_solve(problem, args)
            assign_s = 0.0
        else:
            if method == "kmeans":
                assignment = kmeans_assign(outlets, reps, args.seed)
            elif method == "nearest":
                assignment = nearest_assign(problem)
            elif method in ("nearest-balanced", "kmeans-balanced"):
                base = (nearest_assign(problem) if method == "nearest-balanced"
                        else kmeans_assign(outlets, reps, args.seed))
                plan = balanced(problem, base)
                assignment = dict(plan.assignment)
                dev = f"{plan.spread()['max_dev_pct']:.2f}"
                moved = sum(assignment[o] != base[o] for o in base)
                print(f"    {method}: {moved} outlets moved by the repair", file=sys.stderr)
            elif method in ("design", "home", "improved"):
                kw: dict[str, Any] = (
                    {"compactness": 0.0} if method == "home" else
                    {} if args.compactness is None else {"compactness": args.compactness})
                if method == "improved":
                    kw["improve"] = True
                plan = design(problem, contiguity=args.contiguity, **kw)
                assignment = dict(plan.assignment)
                dev = f"{plan.spread()['max_dev_pct']:.2f}"
                estimates[method] = {r.rep_id: (r.travel_h, r.workload_h, r.approach_h)
                                     for r in plan.loads}
                knob[method] = float(plan.stats["compactness"])
            else:
                raise SystemExit(f"unknown method {method!r}")
            assign_s = time.perf_counter() - t0
            assignments[method] = assignment
            with tempfile.TemporaryDirectory() as tmp:
                figs, plan_s, detail, missed = plan_territories(outlets, reps, assignment, args,
                                                                Path(tmp) / "plans")
            left_out |= missed
            per_rep(method, detail, assignment, False)
        rows.append(_row(name, outlets, reps, method, args, load, assign_s, plan_s,
                         time.perf_counter() - t0, figs, dev, False, knob.get(method, "")))
        print(f"  {name} {method}: {rows[-1]}", file=sys.stderr)
    if args.bound:
        lp, near = commute_bound(problem, args.bound)
        print(f"  {name} commute, visit-hours a week: LP bound over {args.bound} reps per outlet "
              f"{lp:.1f}, nearest rep {near:.1f} (bound +{100 * (lp / near - 1):.1f} %)",
              file=sys.stderr)
        for method, assignment in assignments.items():
            c = model_commute(problem, assignment)
            print(f"    {method}: {c:.1f} ({100 * (c / lp - 1):+.2f} % against the bound)",
                  file=sys.stderr)
    if args.equal_work and assignments:
        common = outlets[~outlets["outlet_id"].astype(str).isin(left_out)]
        print(f"  {name} equal work: {len(common)} of {len(outlets)} outlets scheduled in "
              "full by every method", file=sys.stderr)
        for method, assignment in assignments.items():
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                figs, plan_s, detail, _ = plan_territories(common, reps, assignment, args,
                                                           Path(tmp) / "plans")
            per_rep(method, detail, assignment, True)
            rows.append(_row(name, common, reps, method, args, load, 0.0, plan_s,
                             time.perf_counter() - t0, figs, "", True, knob.get(method, "")))
            print(f"  {name} {method} equal work: {rows[-1]}", file=sys.stderr)
    return rows, per_rep_rows


def fit_estimate(per: pd.DataFrame) -> str:
    """How the design's travel estimate compares with the planned travel, per rep: the
    least-squares factors ``planned = a * approach + c * commute`` over the reps of the
    ``design`` and ``home`` rows (first pass), and the planned over the estimated total."""
    d = per[(per["est_travel_h_per_week"] != "") & ~per["equal_work"].astype(bool)]
    if len(d) < 3:
        return "too few reps to fit the estimate"
    x = np.column_stack([d["est_approach_h_per_week"].astype(float),
                         d["est_commute_h_per_week"].astype(float)])
    y = d["travel_h_per_week"].astype(float).to_numpy()
    (a, c), *_ = np.linalg.lstsq(x, y, rcond=None)
    ratio = y.sum() / x.sum()
    r = np.corrcoef(x.sum(axis=1), y)[0, 1]
    return (f"travel estimate over {len(d)} reps: planned = {a:.3f} * approach + {c:.3f} * "
            f"commute; planned / estimated {ratio:.3f}, correlation {r:.3f}")


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    head = ("| case | method | outlets | workload max/min | std % | travel h | visits made | "
            "travel min/visit | coverage | assign s | plan s |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for r in rows:
        method = r["method"] + (" (equal work)" if r["equal_work"] else "")
        lines.append(f"| {r['case']} | {method} | {r['outlets']} | {r['workload_max_over_min']} | "
                     f"{r['workload_std_pct']} | {r['travel_h']} | {r['visits_made']} | "
                     f"{r['travel_per_visit_min']} | {100 * r['coverage']:.1f} % | "
                     f"{r['assign_s']} | {r['plan_s']} |")
    return "\n".join(lines)


def _pair(text: str) -> tuple[int, int]:
    a, b = text.split(",")
    return int(a), int(b)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--company", type=_pair, action="append", default=None,
                    metavar="OUTLETS,REPS")
    ap.add_argument("--company-radius", type=float, default=120.0)
    ap.add_argument("--field", type=_pair, action="append", default=None, metavar="OUTLETS,REPS")
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--methods", default="kmeans,nearest,single,home,design")
    ap.add_argument("--compactness", type=float, default=None,
                    help="the design's compactness (default: design's own)")
    ap.add_argument("--contiguity", action="store_true",
                    help="the design with its contiguity step (off by default)")
    ap.add_argument("--equal-work", action="store_true",
                    help="plan every method again on the outlets all of them scheduled in full")
    ap.add_argument("--bound", type=int, default=0, metavar="ARCS",
                    help="print the LP bound on the commute of any balanced assignment over "
                         "each outlet's ARCS nearest reps, and each method's commute")
    ap.add_argument("--per-rep", type=Path, default=None, metavar="CSV",
                    help="write each rep's planned workload, travel and visits per method")
    ap.add_argument("--single-max", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    cases: list[tuple[str, pd.DataFrame, pd.DataFrame]] = []
    for n, m in args.company or ([] if args.field else [(15_000, 50)]):
        o, r = make_company(n, m, seed=args.seed, radius_km=args.company_radius)
        cases.append((f"company-{n}", o, r))
    for n, m in args.field or []:
        o, r = make_territory(n, m, seed=args.seed)
        o = o.assign(rep_id="")  # territories are what is compared: no fixed pairs
        cases.append((f"field-{n}", o, r))
    rows: list[dict[str, Any]] = []
    reps_rows: list[dict[str, Any]] = []
    for name, o, r in cases:
        got, per = run_case(name, o, r, args)
        rows += got
        reps_rows += per
    if args.per_rep is not None:
        args.per_rep.parent.mkdir(parents=True, exist_ok=True)
        per_frame = pd.DataFrame(reps_rows, columns=list(PER_REP_FIELDS))
        per_frame.to_csv(args.per_rep, index=False)
        print(fit_estimate(per_frame))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    new = not args.out.exists()
    if not new:  # rows of an older header: the new columns added, empty
        old = pd.read_csv(args.out, dtype=str, keep_default_na=False)
        if tuple(old.columns) != FIELDS:
            old.reindex(columns=list(FIELDS), fill_value="").to_csv(args.out, index=False)
    with args.out.open("a", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            w.writeheader()
        w.writerows(rows)
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
