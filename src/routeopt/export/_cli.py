"""``routeopt export PLAN_DIR --out DIR``: the outputs of a plan folder, in one folder.

Each output is an :class:`Output`: the option that asks for it and the
function that writes it. The outputs asked for are written into one
:func:`~routeopt._files.atomic_folder` with a ``manifest.json`` (each file's
size and SHA-256): a reader finds the complete old export or the complete new
one, and an export folder is replaced only if routeopt wrote it.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from routeopt._files import atomic_folder
from routeopt._version import __version__
from routeopt.exceptions import InputError, Issue
from routeopt.export._labels import LANGUAGES

if TYPE_CHECKING:
    from routeopt.plan import Plan

__all__ = ["OUTPUTS", "ExportOptions", "Output", "add_parser", "write_exports"]

MANIFEST: Final = "manifest.json"
FORMAT: Final = "routeopt-export"


@dataclass(frozen=True)
class ExportOptions:
    """What every output may use: the language, the time zone, the extra inputs.

    ``extra`` holds what one output alone uses: ``previous``, the previous
    calendars (:func:`routeopt.export.ics.write`), and ``replacing``, the
    export folder being replaced, which :func:`write_exports` sets.
    """

    lang: str = "en"
    tz: str | None = None
    log: Path | None = None
    stock: Path | None = None
    tiles: str | None = None
    pdf: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


#: ``write(plan, folder, options)`` writes its files under ``folder`` and returns their paths.
Writer = Callable[["Plan", Path, ExportOptions], list[Path]]


@dataclass(frozen=True)
class Output:
    """One output of ``routeopt export``: ``--flag`` asks for it; ``target`` is a
    :data:`Writer`, or ``"module:function"`` naming one, imported only when asked for."""

    flag: str
    help: str
    target: str | Writer
    #: The option it cannot do without (``stock`` for the order suggestions): ``--all``
    #: leaves it out when that option is not given.
    needs: str | None = None

    def writer(self) -> Writer:
        if not isinstance(self.target, str):
            return self.target
        module, _, name = self.target.partition(":")
        fn: Writer = getattr(importlib.import_module(module), name)
        return fn


#: The outputs, in the order they are written.
OUTPUTS: tuple[Output, ...] = (
    Output("sheets", "route sheets per rep and day, HTML for print and phone (with --pdf, "
                     "the PDFs too)", "routeopt.export.sheets:sheets_writer"),
    Output("pdf", "route sheets as PDF: one per rep and day, one per rep and week",
           "routeopt.export.sheets:pdf_writer"),
    Output("ics", "one calendar per rep (calendars/REP.ics), its events updated in place "
                  "when a re-plan is exported into the same folder",
           "routeopt.export.ics:write"),
    Output("orders", "orders.csv: per planned visit and SKU, the expected stock and the "
                     "suggested order by the 1.5x safety-stock rule (needs --stock)",
           "routeopt.orders:export_orders", needs="stock"),
    Output("xlsx", "plan.xlsx: a sheet per rep (the schedule), the figures, the unscheduled "
                   "visits", "routeopt.export.excel:write"),
    Output("map", "interactive maps (HTML, offline): the cycle and each rep's day",
           "routeopt.export.maps:write"),
)


def _entry(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _foreign(out: Path) -> list[str]:
    """Top-level entries of ``out`` that an earlier export did not write."""
    try:
        m = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        ok = isinstance(m, dict) and m.get("format") == FORMAT
        listed = {str(k).split("/")[0] for k in m.get("files", {})} if ok else set()
    except (OSError, ValueError, AttributeError):
        listed = set()
    return sorted(p.name for p in out.iterdir() if p.name not in listed | {MANIFEST})


def write_exports(plan: Plan, out: str | Path, outputs: Sequence[Output],
                  options: ExportOptions | None = None, *,
                  progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Write ``outputs`` of ``plan`` as the folder ``out``, all at once.

    Returns
    -------
    dict
        Each file's path relative to ``out`` (``/``-separated) to its path.

    Raises
    ------
    InputError
        ``out`` is a file, or a folder holding files an export did not write.
    """
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise InputError([Issue("is a file; give a folder for the export", file=str(path))])
    if path.is_dir() and (foreign := _foreign(path)):
        raise InputError([Issue(
            f"holds files routeopt did not export ({', '.join(foreign[:5])}); an export "
            "replaces its whole folder, so give a folder of its own", file=str(path))])
    opts = options or ExportOptions()
    written: list[Path] = []
    with atomic_folder(path) as tmp:
        if path.is_dir() and "replacing" not in opts.extra:
            # the export being replaced (still whole until the swap), for the outputs
            # that continue it: the calendars keep their events' UIDs
            opts = dataclasses.replace(opts, extra={**opts.extra, "replacing": path})
        for o in outputs:
            if progress is not None:
                progress(o.flag)
            written.extend(o.writer()(plan, tmp, opts))
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest = {"format": FORMAT, "routeopt_version": __version__,
                    "files": {p.relative_to(tmp).as_posix(): _entry(p) for p in files}}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    rel = [p.relative_to(tmp).as_posix() for p in files]
    return {r: path / r for r in [*rel, MANIFEST]}


def add_parser(sub: Any) -> None:
    """The ``export`` command and its options."""
    p = sub.add_parser("export", help="route sheets, maps, calendars and a workbook from a plan")
    p.add_argument("plan_dir", type=Path, metavar="PLAN_DIR", help="a folder routeopt plan wrote")
    p.add_argument("--out", type=Path, default=None,
                   help="the folder to write (default: PLAN_DIR-share beside the plan)")
    for o in OUTPUTS:
        p.add_argument(f"--{o.flag}", action="store_true", help=o.help)
    p.add_argument("--all", action="store_true", help="every output")
    p.add_argument("--lang", default="en",
                   help=f"the language of the labels: {', '.join(LANGUAGES)} (default en)")
    p.add_argument("--tz", default=None,
                   help="IANA time zone of the plan's times, e.g. Asia/Shanghai "
                        "(default: this machine's)")
    p.add_argument("--log", type=Path, default=None,
                   help="visit log CSV: last visits, notes and follow-ups on the sheets")
    p.add_argument("--previous", type=Path, default=None, metavar="DIR",
                   help="the calendars the new ones continue (a calendars/ folder, an export "
                        "folder or a plan folder; default: those of the export --out replaces)")
    p.add_argument("--tiles", default=None,
                   help="map tiles: osm (default), carto, amap or gaode (China, GCJ-02), none")
    p.add_argument("--stock", type=Path, default=None,
                   help="stock table CSV (outlet_id, date, sku, stock, delivered): the order "
                        "suggestions of --orders and of the sheets' order forms")


def default_out(plan_dir: Path) -> Path:
    """``PLAN_DIR-share`` beside the plan folder."""
    p = plan_dir.resolve()
    return p.with_name(p.name + "-share")


def chosen(args: argparse.Namespace) -> list[Output]:
    """The outputs the options ask for (all with ``--all``)."""
    picked = [o for o in OUTPUTS if getattr(args, o.flag.replace("-", "_"))
              or (args.all and (o.needs is None or getattr(args, o.needs, None) is not None))]
    if not picked:
        flags = " ".join(f"--{o.flag}" for o in OUTPUTS)
        raise InputError([Issue(f"say which outputs to make: {flags}, or --all")])
    missing = [o for o in picked if o.needs is not None and getattr(args, o.needs, None) is None]
    if missing:
        o = missing[0]
        raise InputError([Issue(f"--{o.flag} needs --{o.needs}: {o.help}", column=f"--{o.needs}")])
    return picked


def stderr_progress(name: str) -> None:
    """One line per output, on a terminal."""
    isatty = getattr(sys.stderr, "isatty", None)
    if isatty is not None and isatty():
        print(f"routeopt: writing {name}...", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run ``routeopt export``: the outputs asked for, from the plan folder, into one folder."""
    from routeopt._interrupt import deferred
    from routeopt.export._labels import labels
    from routeopt.replan import open_plan

    labels(args.lang)  # an unknown language fails before anything is read
    outputs = chosen(args)
    if args.tz is not None:
        from routeopt.export.ics import time_zone

        time_zone(args.tz)
    for name in ("log", "stock"):
        path = getattr(args, name)
        if path is not None and not Path(path).is_file():
            raise InputError([Issue("not found; give the path of the file", file=str(path),
                                    column=f"--{name}")])
    plan = open_plan(args.plan_dir)
    out = args.out if args.out is not None else default_out(args.plan_dir)
    extra: dict[str, Any] = {}
    if getattr(args, "previous", None) is not None:
        extra["previous"] = args.previous
    opts = ExportOptions(lang=args.lang, tz=args.tz, log=args.log, stock=args.stock,
                         tiles=getattr(args, "tiles", None), pdf=bool(getattr(args, "pdf", False)),
                         extra=extra)
    with deferred():
        files = write_exports(plan, out, outputs, opts, progress=stderr_progress)
        args.written = True
    print(f"wrote {len(files)} files to {out}: " + ", ".join(o.flag for o in outputs))
    return 0
