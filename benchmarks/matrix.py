"""How long travel matrices take, how much memory they use, and how far great-circle is off.

For every size (points) the script draws seeded points on Monaco's roads
(nodes of the largest connected part of the drivable OpenStreetMap ways in
``examples/data/monaco/monaco.osm.pbf``, read with pyosmium) and builds the
drive matrix with each provider:

* ``haversine``: :class:`routeopt.matrix.GreatCircle`, the default estimate;
* ``road``: :class:`routeopt.matrix.RoadNetwork` on the same extract (skipped,
  with a note, where this routeopt has no ``RoadNetwork``);
* ``osrm``: :class:`routeopt.matrix.OSRM` against ``--osrm-url`` (default
  ``$ROUTEOPT_TEST_OSRM``; start it with ``.ci/servers/osrm.sh``) with its
  default 100 x 100 blocks, one request at a time;
* ``osrm-w2``: the same blocks, two requests in flight (``workers=2``);
* ``osrm-1req``: the same server, the whole matrix in one request
  (``max_table_size=10000, max_url_length=None``; the server runs with
  ``--max-table-size 10000``).

Each (provider, size) runs in a fresh Python process:

* ``setup_s``: building the provider (cheap for all: ``RoadNetwork`` reads
  its file on first use);
* ``first_s``: the first call of ``provider.matrix(points, "drive")``, which
  for ``road`` includes reading the extract and building the graph;
* ``matrix_s``: the median of ``--repeats`` further calls (the provider warm);
* ``rss_delta_mib``: growth of the process's peak resident set size
  (``ru_maxrss``) over setup and all the timed calls: real memory, Python and native;
  OSRM's own memory is in the server's process and not counted;
* ``tracemalloc_peak_mib``: peak of Python allocations (numpy arrays included)
  during one more, traced call;
* ``ratio_time_median`` / ``ratio_time_p90`` (and ``ratio_dist_*``): provider
  over great-circle (``GreatCircle()`` defaults: 30 km/h, detour 1.35, 2 min
  per trip) on the same pairs of distinct points more than 100 m apart.

Usage::

    python benchmarks/matrix.py [--sizes 100,500,1000]
        [--providers haversine,road,osrm,osrm-w2,osrm-1req] [--osrm-url URL]
        [--repeats 3] [--seed 0] [--out benchmarks/results/matrix.csv]

One row per case is appended to the CSV (with the commit, source hash, load
and machine, as the other benchmarks do); a Markdown table is printed at the end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scaling import append_csv, git_commit, ints, machine, spawn_case, src_hash

ROOT = Path(__file__).resolve().parents[1]
PBF = ROOT / "examples" / "data" / "monaco" / "monaco.osm.pbf"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "matrix.csv"
PROVIDERS = ("haversine", "road", "osrm", "osrm-w2", "osrm-1req")
DRIVABLE = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
            "residential", "living_street", "motorway_link", "trunk_link", "primary_link",
            "secondary_link", "tertiary_link"}

CSV_COLUMNS = (
    "timestamp", "git_commit", "src_hash", "load_avg_1m", "host", "cpu_count", "cpu_affinity",
    "cpu_model", "mem_total_gib", "python", "platform", "numpy",
    "provider", "points", "seed", "repeats", "requests", "setup_s", "first_s", "matrix_s",
    "matrix_s_min", "matrix_s_max", "rss_before_mib", "rss_delta_mib", "tracemalloc_peak_mib",
    "ratio_time_median", "ratio_time_p90", "ratio_dist_median", "ratio_dist_p90",
    "pairs_compared", "max_snap_m", "error",
)


def road_points(n: int, seed: int) -> list[tuple[float, float]]:
    """``n`` distinct nodes of drivable ways in the Monaco extract, drawn with ``seed``.

    Only nodes of the largest connected part of the drivable network are drawn:
    roads cut off by the extract's edge would snap kilometres away (both OSRM
    and the road network then move the point to the main network).
    """
    import networkx as nx
    import numpy as np
    import osmium

    class Ways(osmium.SimpleHandler):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.coords: dict[int, tuple[float, float]] = {}
            self.graph: nx.Graph[int] = nx.Graph()

        def way(self, w: Any) -> None:
            if w.tags.get("highway") not in DRIVABLE or w.tags.get("access") in ("no",
                                                                                "private"):
                return
            refs = [nd.ref for nd in w.nodes if nd.location.valid()]
            for nd in w.nodes:
                if nd.location.valid():
                    self.coords[nd.ref] = (nd.location.lat, nd.location.lon)
            self.graph.add_edges_from(itertools.pairwise(refs))

    h = Ways()
    h.apply_file(str(PBF), locations=True)
    ids = sorted(max(nx.connected_components(h.graph), key=len))
    pick = np.random.default_rng(seed).choice(len(ids), size=n, replace=False)
    return [h.coords[ids[i]] for i in sorted(pick)]


def _maxrss_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """One provider and size, in this (fresh) process."""
    import gc
    import tracemalloc

    import numpy as np

    import routeopt.matrix as rm
    from routeopt.matrix import OSRM, GreatCircle, haversine_m
    from routeopt.problem import Location

    pts = [Location(lat, lon) for lat, lon in road_points(case["points"], case["seed"])]
    name = case["provider"]
    gc.collect()
    rss0 = _maxrss_mib()
    t0 = time.perf_counter()
    if name == "haversine":
        provider: Any = GreatCircle()
    elif name == "road":
        road = getattr(rm, "RoadNetwork", None)
        if road is None:
            return {"error": "not in this build (routeopt.matrix.RoadNetwork missing)"}
        provider = road(PBF)
    elif name in ("osrm", "osrm-w2", "osrm-1req"):
        one = name == "osrm-1req"
        provider = OSRM(case["osrm_url"], max_table_size=10_000 if one else 100,
                        max_url_length=None if one else 8192, max_snap_m=None,
                        workers=2 if name == "osrm-w2" else 1)
    else:
        return {"error": f"unknown provider {name!r}"}
    setup_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    m = provider.matrix(pts, "drive")  # the first call: RoadNetwork reads the file here
    first_s = time.perf_counter() - t1
    times = []
    for _ in range(case["repeats"]):
        t1 = time.perf_counter()
        m = provider.matrix(pts, "drive")
        times.append(time.perf_counter() - t1)
    rss1 = _maxrss_mib()
    del m
    gc.collect()
    tracemalloc.start()
    m = provider.matrix(pts, "drive")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out: dict[str, Any] = {
        "setup_s": setup_s, "first_s": first_s, "matrix_s": float(np.median(times)),
        "matrix_s_min": min(times), "matrix_s_max": max(times), "rss_before_mib": rss0,
        "rss_delta_mib": rss1 - rss0, "tracemalloc_peak_mib": peak,
    }
    if name.startswith("osrm"):
        table = provider.table(pts, "drive")
        out["max_snap_m"] = float(table.snap_m.max())
        out["requests"] = table.requests
    crow = haversine_m([p.lat for p in pts], [p.lon for p in pts])
    ref = GreatCircle().matrix(pts, "drive")
    mask = crow > 100
    rt = m.durations[mask] / ref.durations[mask]
    rd = m.distances[mask] / ref.distances[mask]
    out.update(ratio_time_median=float(np.median(rt)), ratio_time_p90=float(np.quantile(rt, 0.9)),
               ratio_dist_median=float(np.median(rd)), ratio_dist_p90=float(np.quantile(rd, 0.9)),
               pairs_compared=int(mask.sum()))
    return out


def _f(v: Any, spec: str) -> str:
    return "-" if v is None or v == "" else format(v, spec)


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The cases as a Markdown table."""
    head = ("| provider | points | requests | first call s | then ms (median) | RSS Δ MiB | "
            "tracemalloc peak MiB | time ratio median | time ratio p90 | "
            "distance ratio median | distance ratio p90 |")
    lines = [head, "|---|" + "---:|" * (head.count("|") - 2)]
    for r in rows:
        if r.get("error"):
            lines.append(f"| {r['provider']} | {r['points']} | {r['error']} |" + " |" * 8)
            continue
        lines.append(
            f"| {r['provider']} | {r['points']} | {_f(r.get('requests'), 'd')} | "
            f"{r['setup_s'] + r['first_s']:.2f} | {1000 * r['matrix_s']:.1f} | "
            f"{r['rss_delta_mib']:.0f} | "
            f"{r['tracemalloc_peak_mib']:.1f} | {r['ratio_time_median']:.2f} | "
            f"{r['ratio_time_p90']:.2f} | {r['ratio_dist_median']:.2f} | "
            f"{r['ratio_dist_p90']:.2f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=ints, default=[100, 500, 1000])
    ap.add_argument("--providers", default=",".join(PROVIDERS))
    ap.add_argument("--osrm-url", default=os.environ.get("ROUTEOPT_TEST_OSRM", ""))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:  # the child process
        print(json.dumps(run_case(json.loads(args.case))))
        return 0
    providers = [p.strip() for p in args.providers.split(",") if p.strip()]
    stamp = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
             "git_commit": git_commit(), "src_hash": src_hash(), **machine()}
    rows = []
    for n in args.sizes:
        for name in providers:
            case = {"provider": name, "points": n, "seed": args.seed, "repeats": args.repeats,
                    "osrm_url": args.osrm_url}
            if name.startswith("osrm") and not args.osrm_url:
                result: dict[str, Any] = {
                    "error": "no server: pass --osrm-url or set ROUTEOPT_TEST_OSRM"}
            else:
                load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
                result = {"load_avg_1m": load, **spawn_case(Path(__file__), case, args.timeout)}
            row = {**stamp, **case, **result}
            rows.append(row)
            append_csv(args.out, row, CSV_COLUMNS)
            status = row.get("error") or f"{row['matrix_s']:.3f} s"
            print(f"{name:10s} {n:5d} points: {status}", file=sys.stderr, flush=True)
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
