"""A plan folder: written whole with a manifest, and checked before it is read.

Writing (:func:`write_folder`): the files of a plan (or a re-plan, or a batch
territory's result) go into one :func:`~routeopt._files.atomic_folder`, with
``manifest.json`` last. The manifest records the plan format version, the
routeopt version, and for every file its size in bytes, its SHA-256 and, for
a CSV file, its number of rows.

Reading (:func:`check_folder`): before a plan is read back, every file the
manifest lists must be there with its size and hash; a plan file it does not
list must not be; and the files must agree with each other: the rows of
``visits.csv``, ``routes.csv`` and ``unscheduled.csv`` against the counts in
``summary.json``, ``plan.json`` against ``summary.json`` and visit by visit
against ``visits.csv``, CSV files ending on a whole line; when the manifest lists
them, ``outlets.csv`` and ``reps.csv`` (the outlets and reps as planned)
against the counts in ``summary.json`` and holding every outlet and rep
that ``visits.csv`` and ``unscheduled.csv`` name. A folder written before
manifests existed gets the same cross-checks. Any failure raises
:class:`~routeopt.exceptions.PlanIntegrityError` naming the file and the
mismatch: a partial or mixed plan is never read as a valid one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from routeopt._files import atomic_folder, csv_text, leftovers
from routeopt._version import __version__
from routeopt.exceptions import InputError, Issue, PlanIntegrityError

__all__ = ["FORMAT", "FORMAT_VERSION", "MANIFEST", "PLAN_FILES", "TABLE_FILES", "PlanFolder",
           "check_folder", "rejected_csv", "writable_folder", "write_folder"]

log = logging.getLogger(__name__)

MANIFEST: Final = "manifest.json"
FORMAT: Final = "routeopt-plan"
#: The plan folder format this routeopt writes and reads. Raise it when a file changes in a
#: way an older reader would misread; readers refuse a newer one.
FORMAT_VERSION: Final = 1
PLAN_FILES: Final = ("visits.csv", "routes.csv", "unscheduled.csv", "summary.json", "plan.json")
#: The outlets and reps as planned, written since plan folders are enough for exports
#: (:func:`routeopt.open_plan`). Not in :data:`OWN_FILES`: a folder holding an input
#: ``outlets.csv`` is never taken for a plan; a plan folder's are listed in its manifest.
TABLE_FILES: Final = ("outlets.csv", "reps.csv")
#: Files routeopt itself puts in an output folder (a folder holding others is not replaced).
OWN_FILES: Final = frozenset({*PLAN_FILES, MANIFEST, "rejected.csv", "changes.csv",
                              "replan.json", "status.json", ".done"})
#: Files a desktop leaves in any folder it shows; replaced with the folder like routeopt's own.
DESKTOP_FILES: Final = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_VISIT_KEY: Final = ("rep_id", "date", "seq", "outlet_id", "start")
_REDO: Final = ("write the plan again (routeopt plan or replan), or restore the folder from a "
                "backup")


# -- writing ---------------------------------------------------------------------------------
def _csv_rows(text: str) -> int:
    """Data rows of a CSV text (records after the header; quoted line breaks count once)."""
    return max(0, sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1)


def _entry(name: str, data: bytes) -> dict[str, Any]:
    e: dict[str, Any] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if name.endswith(".csv"):
        e["rows"] = _csv_rows(data.decode("utf-8"))
    return e


def rejected_csv(issues: Iterable[Issue]) -> str:
    """The text of ``rejected.csv``: one row per input problem left out of the plan."""
    return csv_text([["file", "line", "outlet_id", "rep_id", "column", "message"],
                     *([i.file or "", i.line or "", i.outlet_id or "", i.rep_id or "",
                        i.column or "", i.message] for i in issues)])


def _foreign(out: Path) -> list[str]:
    """Entries of an existing output folder that routeopt did not write."""
    listed: set[str] = set()
    try:
        m = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(m, dict) and isinstance(m.get("files"), dict):
            listed = {str(k) for k in m["files"]}
    except (OSError, ValueError):
        pass
    return sorted(p.name for p in out.iterdir()
                  if p.name not in OWN_FILES | DESKTOP_FILES | listed)


def writable_folder(out: str | Path) -> Path:
    """The folder a plan may be written to at ``out`` (a symbolic link is followed).

    Raises
    ------
    InputError
        ``out`` is a file, a mount point, or a folder holding files routeopt did
        not write (a plan replaces its whole folder, and never deletes those).
    """
    path = Path(out)
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_dir():
        raise InputError([Issue("is a file; give a folder for the plan", file=str(path))])
    if path.is_dir():
        if os.path.ismount(path):
            raise InputError([Issue("is a mount point, which cannot be replaced in one step; "
                                    "give a folder inside it", file=str(path))])
        foreign = _foreign(path)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more"
                                              if len(foreign) > 5 else "")
            raise InputError([Issue(
                f"holds files routeopt did not write ({shown}); a plan replaces its whole "
                "folder at once, so give a folder of its own (a new or empty one, or an "
                "earlier plan's)", file=str(path))])
    return path


def write_folder(out: str | Path, files: Mapping[str, str | bytes]) -> dict[str, Path]:
    """Write ``files`` (name -> UTF-8 text or bytes) and a manifest as the folder ``out``, at once.

    An existing ``out`` is replaced whole, and only if it holds nothing but
    routeopt's own files (a plan, a re-plan, a batch result): routeopt never
    deletes files it did not write.

    Returns
    -------
    dict
        Each file name (``manifest.json`` last) to its path in ``out``.

    Raises
    ------
    InputError
        ``out`` is a file, a mount point, or a folder holding other files.
    OSError
        The folder could not be written (the old one, if any, is left as it was).
    """
    path = writable_folder(out)
    bad = [n for n in files if n == MANIFEST or "/" in n or os.sep in n or n.startswith(".")]
    if bad:
        raise ValueError(f"cannot write {bad[0]!r} into a plan folder")
    entries: dict[str, dict[str, Any]] = {}
    name = ""
    try:
        with atomic_folder(path) as tmp:
            for name, text in files.items():
                data = text.encode("utf-8") if isinstance(text, str) else text
                (tmp / name).write_bytes(data)
                entries[name] = _entry(name, data)
            name = MANIFEST
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                        "routeopt_version": __version__, "files": entries}
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n",
                                        encoding="utf-8")
            name = ""
    except OSError as e:  # a full disk: say which file, and that nothing changed
        where = str(path / name) if name else (e.filename or str(path))
        raise OSError(e.errno, f"{e.strerror or e} (the folder {path} is as it was)",
                      where) from e
    return {name: path / name for name in [*files, MANIFEST]}


# -- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanFolder:
    """A checked plan folder: what its files hold, parsed.

    ``visits``, ``outlets`` and ``reps`` hold ``(line, row)`` per row of
    ``visits.csv``, ``outlets.csv`` and ``reps.csv`` (each row's keys the
    header's names, in its order); each attribute is ``None`` for a file the
    folder lacks (``outlets`` and ``reps`` also for one its manifest does not
    list: the folder of an older routeopt).
    """

    path: Path
    manifest: Mapping[str, Any] | None
    summary: Mapping[str, Any] | None
    plan: Mapping[str, Any] | None
    visits: list[tuple[int, dict[str, str]]] | None
    outlets: list[tuple[int, dict[str, str]]] | None = None
    reps: list[tuple[int, dict[str, str]]] | None = None


class _Checker:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.issues: list[Issue] = []

    def issue(self, name: str, message: str, line: int | None = None,
              column: str | None = None) -> None:
        self.issues.append(Issue(message, file=str(self.folder / name), line=line,
                                 column=column))

    def fail(self) -> None:
        if self.issues:
            raise PlanIntegrityError(self.issues)

    # the manifest ------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any] | None:
        p = self.folder / MANIFEST
        if not p.is_file():
            return None
        m = self.json(MANIFEST)
        self.fail()
        if not isinstance(m, dict):
            self.issue(MANIFEST, f"is not a routeopt manifest; {_REDO}")
            self.fail()
        assert isinstance(m, dict)
        if m.get("format") != FORMAT:
            self.issue(MANIFEST, f"is not a routeopt plan manifest (format {m.get('format')!r}); "
                                 f"{_REDO}", column="format")
        version = m.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int):
            self.issue(MANIFEST, f"has no plan format version (format_version: {version!r}); "
                                 f"{_REDO}", column="format_version")
        elif version > FORMAT_VERSION or version < 1:
            self.issue(MANIFEST, f"the plan is in format version {version} (written by "
                                 f"routeopt {m.get('routeopt_version', '?')}); this routeopt "
                                 f"({__version__}) reads format {FORMAT_VERSION}: upgrade "
                                 "routeopt, or write the plan again with this one",
                       column="format_version")
        files = m.get("files")
        if not isinstance(files, dict) or not files:
            self.issue(MANIFEST, f"lists no files; {_REDO}", column="files")
        self.fail()
        assert isinstance(files, dict)
        for name, e in files.items():
            self.listed(str(name), e)
        for name in PLAN_FILES:
            if name not in files and (self.folder / name).exists():
                self.issue(name, "is not listed in manifest.json: the folder mixes files of "
                                 f"different writes; {_REDO}")
        self.fail()
        return m

    def listed(self, name: str, e: Any) -> None:
        if name != os.path.basename(name) or name in ("", ".", "..", MANIFEST):
            self.issue(MANIFEST, f"lists {name!r}, which is not a file name of a plan folder; "
                                 f"{_REDO}", column="files")
            return
        size, digest = (e.get("bytes"), e.get("sha256")) if isinstance(e, dict) else (None, None)
        if isinstance(size, bool) or not isinstance(size, int) or not isinstance(digest, str):
            self.issue(MANIFEST, f"records no size and hash for {name}; {_REDO}", column="files")
            return
        p = self.folder / name
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            self.issue(name, f"is listed in manifest.json but missing; {_REDO}")
            return
        except OSError as err:
            self.issue(name, f"cannot be read: {err.strerror or err}")
            return
        if len(data) != size:
            how = "cut short (truncated)" if len(data) < size else "longer than written"
            self.issue(name, f"holds {len(data)} bytes where manifest.json records {size}: "
                             f"{how} or changed after routeopt wrote it; {_REDO}")
        elif hashlib.sha256(data).hexdigest() != digest:
            self.issue(name, "differs from what routeopt wrote (its SHA-256 is not the one in "
                             f"manifest.json): changed or damaged after writing; {_REDO}")

    # the files ---------------------------------------------------------------------------
    def text(self, name: str) -> str | None:
        p = self.folder / name
        if not p.is_file():
            return None
        try:
            data = p.read_bytes()
        except OSError as err:
            self.issue(name, f"cannot be read: {err.strerror or err}")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = data[:err.start].count(b"\n") + 1
            self.issue(name, f"is not UTF-8 text (byte {err.start}): damaged; {_REDO}", line)
            return None

    def json(self, name: str) -> Any:
        text = self.text(name)
        if text is None:
            return None
        try:
            return json.loads(text)
        except RecursionError:
            self.issue(name, f"is not a JSON document routeopt wrote; {_REDO}")
        except ValueError as err:
            line = getattr(err, "lineno", None)
            self.issue(name, f"is not complete JSON ({getattr(err, 'msg', err)}): cut short or "
                             f"damaged; {_REDO}", line)
        return None

    def csv(self, name: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]] | None:
        text = self.text(name)
        if text is None:
            return None
        if not text:
            self.issue(name, f"is empty: cut short before its header; {_REDO}", 1)
            return None
        if not text.endswith("\n"):
            self.issue(name, f"ends in the middle of a line: cut short; {_REDO}",
                       text.count("\n") + 1)
            return None
        reader = csv.reader(io.StringIO(text, newline=""))
        rows: list[tuple[int, dict[str, str]]] = []
        try:
            header = next(reader)
            missing = [c for c in required if c not in header]
            if missing:
                self.issue(name, f"lacks the column(s) {', '.join(missing)}: not the file "
                                 f"routeopt wrote; {_REDO}", 1, missing[0])
                return None
            line = reader.line_num
            for cells in reader:
                if len(cells) != len(header):
                    self.issue(name, f"this row has {len(cells)} cells where the header has "
                                     f"{len(header)}: damaged; {_REDO}", line + 1)
                    return None
                rows.append((line + 1, dict(zip(header, cells, strict=True))))
                line = reader.line_num
        except csv.Error as err:
            self.issue(name, f"cannot be read as CSV ({err}): damaged; {_REDO}", reader.line_num)
            return None
        return rows


def _count(summary: Mapping[str, Any] | None, key: str) -> int | None:
    v = summary.get(key) if summary is not None else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _canonical(doc: Any) -> str:
    """One text per JSON value (keys sorted; NaN, unequal to itself, written as ``NaN``)."""
    return json.dumps(doc, sort_keys=True)


def _plan_visits(plan: Mapping[str, Any]) -> list[tuple[str, ...]] | None:
    """(rep_id, date, seq, outlet_id, start) of every visit of a plan.json, or None if malformed."""
    out: list[tuple[str, ...]] = []
    routes = plan.get("routes")
    if not isinstance(routes, list):
        return None
    for r in routes:
        stops = r.get("stops") if isinstance(r, dict) else None
        if not isinstance(stops, list):
            return None
        for seq, s in enumerate(stops, start=1):
            if not isinstance(s, dict):
                return None
            out.append((str(r.get("rep_id")), str(r.get("date")), str(seq),
                        str(s.get("outlet_id")), str(s.get("start"))))
    return out


def check_folder(path: str | Path) -> PlanFolder:
    """Check a plan folder (see the module's docs) and return its parsed files.

    Raises
    ------
    PlanIntegrityError
        The files disagree with the manifest or with each other, a file is cut
        short or damaged, the format version is unknown, or only the leftovers
        of an interrupted write are there.
    InputError
        There is no plan at ``path``.
    """
    folder = Path(path)
    if not folder.is_dir():
        tmps, olds = leftovers(folder)
        if olds:
            raise PlanIntegrityError([Issue(
                f"is missing, but {olds[-1].name} beside it holds the complete plan that an "
                "interrupted write moved aside: run the command that writes this folder again "
                f"(it puts that plan back first), or rename {olds[-1].name} to {folder.name}",
                file=str(folder))])
        if tmps:
            raise PlanIntegrityError([Issue(
                f"is missing; {tmps[-1].name} beside it is an unfinished write, not a plan: "
                "run the command that writes this folder again", file=str(folder))])
        raise InputError([Issue("no plan.json or visits.csv here; give the directory "
                                "routeopt plan wrote", file=str(folder))])
    c = _Checker(folder)
    manifest = c.manifest()
    if not (folder / "plan.json").is_file() and not (folder / "visits.csv").is_file():
        raise InputError([Issue("no plan.json or visits.csv here; give the directory "
                                "routeopt plan wrote", file=str(folder))])
    if manifest is None:
        if not (folder / "summary.json").is_file():
            raise PlanIntegrityError([Issue(
                "has no manifest.json and no summary.json, so nothing tells whether its "
                f"visits are all there; give the whole folder routeopt wrote, or {_REDO}",
                file=str(folder))])
        log.info("%s has no %s (written by an older routeopt): its files are checked against "
                 "each other only", folder, MANIFEST)
    summary = c.json("summary.json")
    plan = c.json("plan.json")
    visits = c.csv("visits.csv", ("rep_id", "date", "seq", "outlet_id", "arrival", "start",
                                  "end", "travel_s", "distance_m"))
    routes = c.csv("routes.csv", ("rep_id", "date", "visits"))
    unscheduled = c.csv("unscheduled.csv", ("outlet_id", "reason"))
    listed = manifest["files"] if manifest is not None else {}
    outlets = (c.csv("outlets.csv", ("outlet_id", "lat", "lon")) if "outlets.csv" in listed
               else None)
    reps = c.csv("reps.csv", ("rep_id", "lat", "lon")) if "reps.csv" in listed else None
    for name, doc in (("summary.json", summary), ("plan.json", plan)):
        if doc is not None and not isinstance(doc, dict):
            c.issue(name, f"is not the JSON object routeopt writes; {_REDO}")
    c.fail()
    assert summary is None or isinstance(summary, dict)
    assert plan is None or isinstance(plan, dict)
    if manifest is not None:
        for name, rows in (("visits.csv", visits), ("routes.csv", routes),
                           ("unscheduled.csv", unscheduled), ("outlets.csv", outlets),
                           ("reps.csv", reps)):
            want = manifest["files"].get(name, {}).get("rows")
            if rows is not None and isinstance(want, int) and len(rows) != want:
                c.issue(name, f"holds {len(rows)} rows where manifest.json records {want}; "
                              f"{_REDO}")
    _cross_check(c, summary, plan, visits, routes, unscheduled)
    _check_tables(c, summary, visits, unscheduled, outlets, reps)
    c.fail()
    return PlanFolder(folder, manifest, summary, plan, visits, outlets, reps)


def _check_tables(c: _Checker, summary: Mapping[str, Any] | None,
                  visits: list[tuple[int, dict[str, str]]] | None,
                  unscheduled: list[tuple[int, dict[str, str]]] | None,
                  outlets: list[tuple[int, dict[str, str]]] | None,
                  reps: list[tuple[int, dict[str, str]]] | None) -> None:
    """``outlets.csv`` and ``reps.csv`` hold the plan's outlets and reps."""
    for name, rows, key, what in (("outlets.csv", outlets, "outlets", "outlets"),
                                  ("reps.csv", reps, "reps", "reps")):
        want = _count(summary, key)
        if rows is not None and want is not None and len(rows) != want:
            c.issue(name, f"holds {len(rows)} {what} where summary.json counts {want}: its "
                          f"files are not of one plan; {_REDO}")
    for name, rows, col, table, of in (
            ("visits.csv", visits, "outlet_id", outlets, "outlets.csv"),
            ("unscheduled.csv", unscheduled, "outlet_id", outlets, "outlets.csv"),
            ("visits.csv", visits, "rep_id", reps, "reps.csv")):
        if rows is None or table is None:
            continue
        known = {r.get(col, "") for _, r in table}
        stray = next(((line, r[col]) for line, r in rows if r.get(col, "") not in known), None)
        if stray is not None:
            c.issue(name, f"{col} {stray[1]!r} is not in {of}: the two files are not of one "
                          f"plan; {_REDO}", stray[0], col)


def _cross_check(c: _Checker, summary: Mapping[str, Any] | None, plan: Mapping[str, Any] | None,
                 visits: list[tuple[int, dict[str, str]]] | None,
                 routes: list[tuple[int, dict[str, str]]] | None,
                 unscheduled: list[tuple[int, dict[str, str]]] | None) -> None:
    """The files of one plan agree with each other."""
    for name, rows, key, what in (
            ("visits.csv", visits, "scheduled_visits", "visits"),
            ("routes.csv", routes, "route_days", "routes"),
            ("unscheduled.csv", unscheduled, "unscheduled_visits", "unscheduled visits")):
        want = _count(summary, key)
        if rows is not None and want is not None and len(rows) != want:
            cut = " (cut short?)" if len(rows) < want else ""
            c.issue(name, f"holds {len(rows)} {what} where summary.json counts {want}{cut}: "
                          f"its files are not of one plan; {_REDO}")
    if visits is not None and routes is not None:
        per_route = Counter((r["rep_id"], r["date"]) for _, r in visits)
        for line, r in routes:
            if str(per_route.get((r["rep_id"], r["date"]), 0)) != r["visits"].strip():
                c.issue("routes.csv", f"says rep {r['rep_id']} has {r['visits']} visit(s) on "
                                      f"{r['date']} where visits.csv has "
                                      f"{per_route.get((r['rep_id'], r['date']), 0)}; {_REDO}",
                        line, "visits")
                break
    if plan is None:
        return
    inner = plan.get("summary")
    if summary is not None and _canonical(inner) != _canonical(summary):
        c.issue("plan.json", "its summary differs from summary.json: the two files are of "
                             f"different plans; {_REDO}")
    pv = _plan_visits(plan)
    if pv is None:
        c.issue("plan.json", f"its routes are not the lists routeopt writes; {_REDO}")
        return
    own = _count(inner if isinstance(inner, dict) else None, "scheduled_visits")
    if own is not None and len(pv) != own:
        c.issue("plan.json", f"holds {len(pv)} visits where its own summary counts {own}; "
                             f"{_REDO}")
    if visits is not None:
        cv = [tuple(r.get(k, "") for k in _VISIT_KEY) for _, r in visits]
        if cv != pv:
            k = next((i for i, (a, b) in enumerate(zip(cv, pv, strict=False)) if a != b),
                     min(len(cv), len(pv)))
            at = visits[k][0] if k < len(visits) else None
            c.issue("visits.csv", f"differs from plan.json ({len(cv)} visits against "
                                  f"{len(pv)}, first difference at visit {k + 1}): the two "
                                  f"files are of different plans; {_REDO}", at)
    uns = plan.get("unscheduled")
    if unscheduled is not None and isinstance(uns, list) and len(uns) != len(unscheduled):
        c.issue("unscheduled.csv", f"holds {len(unscheduled)} rows where plan.json lists "
                                   f"{len(uns)} unscheduled visits; {_REDO}")
