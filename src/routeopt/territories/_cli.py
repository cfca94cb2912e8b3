"""``routeopt territories``: design or realign territories, into one folder.

The folder (written whole, with a manifest, like a plan):

- ``territories.csv``: ``outlet_id``, ``territory`` (the rep), and after a
  realignment ``previous`` and ``moved``;
- ``outlets.csv`` and ``reps.csv``: the input tables with a ``territory``
  column, which ``routeopt batch --outlets ... --reps ...`` plans territory
  by territory. The tables are read as ``routeopt plan`` reads them (CSV
  in any encoding, or a sheet of a workbook; ``--encoding``, ``--sheet``,
  ``--reps-sheet``, ``--columns``) and written as UTF-8 CSV under
  routeopt's column names, every cell as it was;
- ``summary.csv``: per rep, the outlets, visits, hours and deviation;
- ``moves.csv`` (after a realignment): who gains and loses which outlets;
- ``territories.json``: the spread and the solver's figures;
- ``territories.png`` (with ``--map``, needs matplotlib): the territory map.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routeopt._values import cli_int
from routeopt.exceptions import InputError, Issue

if TYPE_CHECKING:
    import pandas as pd

    from routeopt.territories import TerritoryPlan

__all__ = ["add_parser", "run"]

#: A Monday: territory design needs no dates, but the problem model does.
_START = "2026-11-30"


def _share(text: str) -> float:
    """``5%`` -> 0.05, ``0.05`` -> 0.05, ``120`` -> 120.0 (a count)."""
    t = text.strip()
    try:
        if t.endswith("%"):
            v = float(t[:-1]) / 100
            if not 0 <= v < 1:
                raise ValueError
            return v
        v = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a share or a count; give e.g. 5% or 120") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative; give 0 or more")
    return v


def add_parser(sub: Any) -> None:
    """The ``territories`` command."""
    p = sub.add_parser(
        "territories", help="design balanced, compact territories (a rep for every outlet)",
        description="Give every outlet a rep so that the reps' weekly workloads are balanced "
        "and each territory is compact around its rep's home; with --current, improve "
        "the balance of today's territories moving at most --max-moves outlets. Writes "
        "--out/outlets.csv and --out/reps.csv with a territory column for routeopt batch.",
        epilog="See docs/territories.md.")
    p.add_argument("--outlets", required=True, type=Path,
                   help="outlets table, CSV or Excel (rep_id: a fixed pair)")
    p.add_argument("--reps", required=True, type=Path, help="reps table, CSV or Excel")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--band", type=_share, default=0.05, metavar="SHARE",
                   help="each rep's workload within this share of the target (default 5%%)")
    p.add_argument("--current", type=Path, default=None, metavar="CSV",
                   help="today's territories (outlet_id, territory): realign them instead "
                        "of designing afresh")
    p.add_argument("--max-moves", type=_share, default=None, metavar="N|SHARE",
                   help="with --current: the most outlets that may change hands, a count "
                        "or a share (default 5%%)")
    p.add_argument("--exclude", type=Path, default=None, metavar="CSV",
                   help="outlet-rep pairs never made (outlet_id, rep_id)")
    p.add_argument("--max-outlets", type=cli_int, default=None, metavar="N",
                   help="the most outlets a rep may have")
    p.add_argument("--candidates", type=cli_int, default=8, metavar="N",
                   help="the reps considered for an outlet, nearest first (default 8)")
    p.add_argument("--compactness", type=float, default=None, metavar="X",
                   help="the weight of a visit's distance to its territory's centre against "
                        "that to the rep's home (default 1; 0: by the home alone)")
    from routeopt.cli import add_table_options

    add_table_options(p)
    p.add_argument("--map", action="store_true",
                   help="also draw the territories: territories.html (interactive, offline) "
                        "and territories.png (needs routeopt[reports])")
    p.add_argument("--tiles", default=None,
                   help="with --map: the map tiles, osm (default), carto, amap or gaode "
                        "(China, GCJ-02), none")


def _pairs(path: Path, spec_cols: tuple[str, str], what: str, encoding: str | None = None
           ) -> list[tuple[int | None, str, str]]:
    from routeopt._tables import read_table

    records, _, issues = read_table(path, what, {"required": spec_cols, "optional": ()},
                                    empty_ok=True, encoding=encoding)
    if issues:
        raise InputError(issues)
    out = []
    for line, row in records:
        a, b = (str(row[c]).strip() for c in spec_cols)
        out.append((line, a, b))
    return out


def _read_current(path: Path, outlet_ids: set[str], rep_ids: set[str],
                  encoding: str | None = None) -> dict[str, str]:
    rows = _pairs(path, ("outlet_id", "territory"), "current territories", encoding)
    issues: list[Issue] = []
    current: dict[str, str] = {}
    for line, o, t in rows:
        if o not in outlet_ids:
            issues.append(Issue(f"outlet {o!r} is not in the outlets table", file=str(path),
                                line=line, column="outlet_id"))
        elif t not in rep_ids:
            issues.append(Issue(f"territory {t!r} is not a rep in the reps table; a territory "
                                "is named by its rep's id", file=str(path), line=line,
                                column="territory"))
        elif o in current:
            issues.append(Issue(f"outlet {o!r} is listed twice", file=str(path), line=line,
                                column="outlet_id"))
        else:
            current[o] = t
    missing = sorted(outlet_ids - set(current))
    if missing and not issues:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more"
                                          if len(missing) > 5 else "")
        issues.append(Issue(f"has no territory for {len(missing)} outlet(s) ({shown}); give "
                            "every outlet its current rep", file=str(path), column="territory"))
    if issues:
        raise InputError(issues)
    return current


def _read_excluded(path: Path, outlet_ids: set[str], rep_ids: set[str],
                   encoding: str | None = None) -> list[tuple[str, str]]:
    issues: list[Issue] = []
    out: list[tuple[str, str]] = []
    for line, o, r in _pairs(path, ("outlet_id", "rep_id"), "excluded pairs", encoding):
        if o not in outlet_ids:
            issues.append(Issue(f"outlet {o!r} is not in the outlets table", file=str(path),
                                line=line, column="outlet_id"))
        elif r not in rep_ids:
            issues.append(Issue(f"rep {r!r} is not in the reps table", file=str(path),
                                line=line, column="rep_id"))
        else:
            out.append((o, r))
    if issues:
        raise InputError(issues)
    return out


def _csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _with_territory(path: Path, what: str, values: dict[str, str],
                    args: argparse.Namespace, columns: dict[str, dict[str, str]] | None
                    ) -> str:
    """The input table, every cell as it was, under routeopt's column names, with a
    ``territory`` column (read as :func:`routeopt.read.read_problem` read it)."""
    from routeopt._tables import read_frame
    from routeopt.read import OUTLET_COLUMNS, REP_COLUMNS

    spec, key, sheet = ((OUTLET_COLUMNS, "outlet_id", args.sheet) if what == "outlets"
                        else (REP_COLUMNS, "rep_id", args.reps_sheet))
    known = {"required": (), "optional": spec["required"] + spec["optional"]}
    df = read_frame(path, what, known, encoding=args.encoding, sheet=sheet,
                    columns=(columns or {}).get(what))
    df["territory"] = [values.get(str(v).strip(), "") for v in df[key]]
    return _csv(df)


def map_png(plan: TerritoryPlan, problem: Any) -> bytes:
    """The territory map: one colour per rep, the outlets as points, homes as stars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 9), dpi=110)
    reps = [r.id for r in problem.reps]
    from routeopt.export.maps import distinct_colours

    colour = dict(zip(reps, distinct_colours(len(reps)), strict=True))
    xs = [o.lon for o in problem.outlets]
    ys = [o.lat for o in problem.outlets]
    ax.scatter(xs, ys, s=3, c=[colour[plan.assignment[o.id]] for o in problem.outlets],
               linewidths=0)
    for r in problem.reps:
        ax.scatter([r.lon], [r.lat], marker="*", s=140, c=[colour[r.id]], edgecolors="black",
                   linewidths=0.8, zorder=3)
        ax.annotate(r.id, (r.lon, r.lat), xytext=(5, 5), textcoords="offset points",
                    fontsize=7)
    ax.set_title(f"{len(reps)} territories, {len(problem.outlets)} outlets "
                 f"(workload max/min {plan.spread()['max_over_min']:.2f})")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect(1 / max(0.2, math.cos(math.radians(sum(ys) / len(ys)))))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def run(args: argparse.Namespace) -> int:
    """Run ``routeopt territories``; the exit code."""
    from routeopt._planfolder import writable_folder, write_folder
    from routeopt.read import read_problem
    from routeopt.territories import design, realign

    writable_folder(args.out)
    if args.max_moves is not None and args.current is None:
        raise InputError([Issue("--max-moves needs --current (the territories to realign)",
                                column="max-moves")])
    if args.map:
        try:
            import folium  # noqa: F401
            import matplotlib  # noqa: F401
        except ImportError:
            raise InputError([Issue("--map needs folium and matplotlib: pip install "
                                    "'routeopt[reports]'", column="map")]) from None
        from routeopt.export.maps import tile_provider

        tile_provider(args.tiles)  # an unknown name fails before the work
    from routeopt._columns import load_column_map

    columns = None if args.columns is None else load_column_map(args.columns)
    problem = read_problem(args.outlets, args.reps, start=_START, weeks=4,
                           encoding=args.encoding, sheet=args.sheet, reps_sheet=args.reps_sheet,
                           columns=columns)
    outlet_ids = {o.id for o in problem.outlets}
    rep_ids = {r.id for r in problem.reps}
    excluded = (_read_excluded(args.exclude, outlet_ids, rep_ids, args.encoding)
                if args.exclude is not None else [])
    kw: dict[str, Any] = {"band": args.band, "candidates": args.candidates,
                          "excluded": excluded, "max_outlets": args.max_outlets}
    if args.compactness is not None:
        if not args.compactness >= 0:
            raise InputError([Issue(f"--compactness is {args.compactness!r}; give 0 or more",
                                    column="compactness")])
        kw["compactness"] = args.compactness
    if args.current is not None:
        current = _read_current(args.current, outlet_ids, rep_ids, args.encoding)
        moves = 0.05 if args.max_moves is None else args.max_moves
        plan = realign(problem, current=current, max_moves=moves, **kw)
    else:
        plan = design(problem, **kw)
    files: dict[str, str | bytes] = {
        "territories.csv": _csv(plan.to_frame()),
        "outlets.csv": _with_territory(args.outlets, "outlets", dict(plan.assignment), args,
                                       columns),
        "reps.csv": _with_territory(args.reps, "reps", {r: r for r in rep_ids}, args, columns),
        "summary.csv": _csv(plan.summary_frame()),
        "territories.json": json.dumps({"spread": plan.spread(), "stats": dict(plan.stats),
                                        "moves": len(plan.moves)}, indent=2) + "\n",
    }
    if args.current is not None:
        import pandas as pd

        files["moves.csv"] = _csv(pd.DataFrame(
            [(m.outlet_id, m.from_rep, m.to_rep) for m in plan.moves],
            columns=["outlet_id", "from_rep", "to_rep"]))
    if args.map:
        from routeopt.export.maps import territory_map

        files["territories.png"] = map_png(plan, problem)
        s = plan.spread()
        files["territories.html"] = territory_map(
            problem.outlets, problem.reps, plan.assignment, tiles=args.tiles,
            title=f"{len(problem.reps)} territories, {len(problem.outlets)} outlets, workload "
                  f"max/min {s['max_over_min']:.2f}").get_root().render()
    write_folder(args.out, files)
    s = plan.spread()
    print(f"{len(plan.assignment)} outlets in {len(plan.loads)} territories: workload max/min "
          f"{s['max_over_min']:.3f}, std {s['std_pct']:.1f} % of the mean, largest deviation "
          f"{s['max_dev_pct']:.1f} % (band {100 * args.band:g} %)")
    if plan.stats.get("outside_band_h"):
        print(f"  the geography leaves {plan.stats['outside_band_h']:.1f} h a week outside "
              "the band", file=sys.stderr)
    if plan.stats.get("over_visit_limit"):
        print(f"  {plan.stats['over_visit_limit']:.1f} visit(s) a week above the reps' daily "
              "limits (max_visits): add reps or raise the limits", file=sys.stderr)
    if args.current is not None:
        print(f"  {len(plan.moves)} outlet(s) change hands (at most {plan.stats['max_moves']})"
              + ("; the current territories are kept: no better balance within the cap"
                 if plan.stats.get("kept_current") else ""))
    print(f"wrote {args.out}")
    return 0
