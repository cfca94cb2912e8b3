"""Plan a week of Monaco, share it, and take the pictures of docs/sharing.md.

Run from the repository root (needs ``pip install -e ".[reports]"`` and a
Chromium on the PATH for the screenshots)::

    python examples/share_monaco.py [--out out/monaco-share] [--pictures docs/img]
        [--iterations 300] [--no-pdf]

It runs the project's own commands, as a user would:

1. ``routeopt plan`` on the bundled Monaco data, on Monaco's calendar;
2. ``routeopt export`` of the plan folder: route sheets (HTML and PDF, in
   Chinese), the maps, the calendars, the workbook and the order suggestions
   from the bundled stock counts;

and, with ``--pictures``, saves three pictures: a route sheet and the day's
map as headless Chromium shows them, and R1's week as a Gantt chart.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).parent / "data" / "monaco"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND")


def routeopt(*args: str) -> None:
    """Run the ``routeopt`` command line of this Python."""
    print("$ routeopt " + " ".join(args), flush=True)
    subprocess.run([sys.executable, "-m", "routeopt", *args], check=True)


def screenshot(page: Path, png: Path, size: tuple[int, int]) -> None:
    """``page`` as headless Chromium draws it, with no network."""
    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome")
                    if shutil.which(b)), None)
    if browser is None:
        raise SystemExit("no Chromium on the PATH: install it (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}",
                        "--virtual-time-budget=5000", f"--window-size={size[0]},{size[1]}",
                        f"--screenshot={png.resolve()}", page.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    print(f"wrote {png}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=Path("out/monaco-share"))
    ap.add_argument("--pictures", type=Path, default=None)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--no-pdf", action="store_true", help="skip the PDFs (the slow part)")
    args = ap.parse_args(argv)
    plan_dir, share = args.out / "plan", args.out / "share"
    routeopt("plan", "--outlets", str(DATA / "outlets.csv"), "--reps", str(DATA / "reps.csv"),
             "--start", "2026-11-30", "--weeks", "1", "--country", "MC",
             "--iterations", str(args.iterations), "--out", str(plan_dir))
    outputs = ["--sheets", "--map", "--ics", "--xlsx", "--orders"] if args.no_pdf else ["--all"]
    routeopt("export", str(plan_dir), "--out", str(share), *outputs, "--lang", "zh",
             "--stock", str(DATA / "stock.csv"), "--tz", "Europe/Monaco")
    if args.pictures is None:
        return
    args.pictures.mkdir(parents=True, exist_ok=True)
    sheet = share / "sheets" / "R1" / "2026-12-01.html"
    screenshot(sheet, args.pictures / "route-sheet.png", (900, 1300))
    screenshot(share / "maps" / "R1" / "2026-12-01.html", args.pictures / "route-map.png",
               (1200, 800))
    screenshot(share / "maps" / "overview.html", args.pictures / "overview-map.png",
               (1200, 800))

    import matplotlib

    matplotlib.use("Agg")
    from routeopt import open_plan
    from routeopt.export.charts import gantt

    fig = gantt(open_plan(plan_dir), "R1", 1)
    fig.savefig(args.pictures / "gantt.png", dpi=110, bbox_inches="tight")
    print(f"wrote {args.pictures / 'gantt.png'}")


if __name__ == "__main__":
    main()
