"""Territories: where their tables come from, and their options.

A territory is one set of outlets, reps and options, planned on its own. It
comes either from a folder (``outlets.csv``, ``reps.csv``, an optional
``territory.toml`` and any other file a task may want, such as a previous plan
and a visit log) or from outlets and reps DataFrames grouped by a territory
column.

Options are layered, the more specific winning: built-in defaults, then the
batch-wide ``batch.toml`` at the root of the territories folder (or the
``defaults`` given to :func:`read_territories`), then the territory's own
``territory.toml``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routeopt._values import Fields, parse_date
from routeopt.exceptions import InputError, Issue
from routeopt.problem import Horizon
from routeopt.solver.params import SolveParams

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULTS_FILE",
    "OPTIONS_FILE",
    "OUTLETS_FILE",
    "REPS_FILE",
    "Territory",
    "TerritoryOptions",
    "batch_defaults",
    "read_territories",
    "territories_from_frames",
]

OUTLETS_FILE = "outlets.csv"
REPS_FILE = "reps.csv"
OPTIONS_FILE = "territory.toml"
DEFAULTS_FILE = "batch.toml"
_MARKERS = (OUTLETS_FILE, REPS_FILE, OPTIONS_FILE)
_KEYS = ("start", "weeks", "holidays", "country", "subdiv", "workdays", "skip_invalid", "solve",
         "task", "matrix", "encoding", "columns")
_MATRIX_KEYS = ("provider", "osm_file", "osrm_url", "cache_dir")
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class TerritoryOptions:
    """How one territory is planned.

    Parameters
    ----------
    start
        The first date planned. There is no default: set it in ``batch.toml``,
        ``territory.toml`` or with ``--start``.
    weeks
        Weeks in the horizon (the visit cycle).
    holidays
        Dates nobody works, on top of the calendar's.
    country, subdiv
        The official calendar (:class:`~routeopt.problem.Horizon`): an ISO
        3166-1 country code and one of its subdivisions, e.g. ``"DE"`` and
        ``"BY"``. A file that sets ``country`` without ``subdiv`` plans with
        that country's national calendar (it does not inherit a ``subdiv``
        set for another country).
    workdays
        Dates every rep works, whatever the calendar says.
    skip_invalid
        Leave bad outlet rows out (listed in the territory's ``rejected.csv``)
        instead of failing the territory.
    solve
        Solver parameters (time limit, iterations, seed, weights).
    task
        Free options for a custom task (the ``[task]`` table), e.g. the date
        and frozen days of a re-planning task; :func:`plan_territory` ignores
        them.
    matrix
        The travel times (the ``[matrix]`` table): ``provider`` (``haversine``,
        the default, ``road`` or ``osrm``), ``osm_file`` (for ``road``: a path
        every worker can read), ``osrm_url`` (for ``osrm``: a URL, or
        ``MODE=URL`` items, that every worker can reach) and ``cache_dir`` (a
        matrix cache folder), as for ``routeopt plan --matrix``.
    encoding
        The encoding of the territory's CSV files (``None``: UTF-8 or
        GBK/GB18030, detected), as ``routeopt plan --encoding``.
    columns
        The column map (the ``[columns.outlets]``, ``[columns.reps]`` and
        ``[columns.log]`` tables: *your header = routeopt column*), as
        ``routeopt plan --columns``; merged table by table.

    Examples
    --------
    >>> base = TerritoryOptions(start=date(2026, 11, 30), weeks=4)
    >>> opts = base.updated({"weeks": 2, "holidays": ["2026-12-08"],
    ...                      "solve": {"max_iterations": 100}})
    >>> opts.start, opts.weeks, opts.holidays, opts.solve.max_iterations
    (datetime.date(2026, 11, 30), 2, (datetime.date(2026, 12, 8),), 100)
    """

    start: date | None = None
    weeks: int = 1
    holidays: tuple[date, ...] = ()
    country: str | None = None
    subdiv: str | None = None
    workdays: tuple[date, ...] = ()
    skip_invalid: bool = False
    solve: SolveParams = field(default_factory=SolveParams)
    task: Mapping[str, Any] = field(default_factory=dict)
    matrix: Mapping[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        f = Fields(self)
        f.day("start", optional=True)
        f.items("holidays", date, "a sequence of datetime.date")
        f.text("country", "an ISO 3166-1 country code (a str)", optional=True)
        f.text("subdiv", "a subdivision code (a str)", optional=True)
        f.items("workdays", date, "a sequence of datetime.date")
        f.flag("skip_invalid")
        f.instance("solve", SolveParams, "a SolveParams")
        f.instance("task", Mapping, "a mapping of option names to values")
        f.instance("matrix", Mapping, "a mapping of option names to values")
        f.instance("columns", Mapping, "a mapping of tables (outlets, reps, log) to column maps")
        f.done()
        if self.encoding is not None and not isinstance(self.encoding, str):
            raise InputError([Issue(f"encoding must be text such as \"gb18030\", not "
                                    f"{self.encoding!r}", column="encoding")])
        if isinstance(self.weeks, bool) or not isinstance(self.weeks, int) or self.weeks < 1:
            raise InputError([Issue(f"weeks must be a whole number >= 1, not {self.weeks!r}",
                                    column="weeks")])
        object.__setattr__(self, "holidays", tuple(sorted(set(self.holidays))))
        object.__setattr__(self, "workdays", tuple(sorted(set(self.workdays))))
        # the region checked as the horizon checks it (a clear error before any territory runs)
        h = Horizon(date(2000, 1, 3), 1, frozenset(self.holidays), country=self.country,
                    subdiv=self.subdiv, workdays=frozenset(self.workdays))
        object.__setattr__(self, "country", h.country)
        object.__setattr__(self, "subdiv", h.subdiv)

    def replace(self, **changes: Any) -> TerritoryOptions:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)

    def updated(self, data: Mapping[str, Any], *, file: str | None = None) -> TerritoryOptions:
        """A copy with the keys of an options table applied (the layout of ``territory.toml``).

        ``start`` and ``holidays`` take ``YYYY-MM-DD`` text or TOML dates;
        ``solve`` is a table of :class:`~routeopt.solver.SolveParams` fields,
        merged key by key into the current ones; ``task`` a table of free
        options for a custom task, merged key by key too.

        Raises
        ------
        InputError
            An unknown key, or a value of the wrong type or out of range,
            naming ``file`` and the key.
        """
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise InputError([Issue(f"unknown option(s) {unknown}; known: {list(_KEYS)}",
                                    file=file)])
        changes: dict[str, Any] = {}
        if "start" in data:
            changes["start"] = _date(data["start"], "start", file)
        if "weeks" in data:
            w = data["weeks"]
            if isinstance(w, bool) or not isinstance(w, int) or w < 1:
                raise InputError([Issue(f"weeks = {w!r} should be a whole number >= 1",
                                        file=file, column="weeks")])
            changes["weeks"] = w
        for key in ("holidays", "workdays"):
            if key in data:
                hol = data[key]
                if isinstance(hol, str):
                    hol = [h for h in hol.split(",") if h.strip()]
                if not isinstance(hol, list):
                    raise InputError([Issue(f"{key} should be a list of dates, "
                                            "e.g. [\"2026-12-08\", \"2026-12-25\"]",
                                            file=file, column=key)])
                changes[key] = tuple(_date(h, key, file) for h in hol)
        for key in ("country", "subdiv"):
            if key in data:
                v = data[key]
                if not isinstance(v, str):
                    raise InputError([Issue(f"{key} = {v!r} should be a code in quotes, e.g. "
                                            "country = \"DE\", subdiv = \"BY\"", file=file,
                                            column=key)])
                changes[key] = v.strip() or None
        if "country" in data and "subdiv" not in data:
            changes["subdiv"] = None  # a new country: its national calendar
        if "skip_invalid" in data:
            if not isinstance(data["skip_invalid"], bool):
                raise InputError([Issue(f"skip_invalid = {data['skip_invalid']!r} should be "
                                        "true or false", file=file, column="skip_invalid")])
            changes["skip_invalid"] = data["skip_invalid"]
        if "solve" in data:
            changes["solve"] = _solve_params(self.solve, data["solve"], file)
        if "task" in data:
            if not isinstance(data["task"], Mapping):
                raise InputError([Issue("task should be a table of options for the task, e.g. "
                                        "[task] frozen_days = 1", file=file, column="task")])
            changes["task"] = {**self.task, **data["task"]}
        if "matrix" in data:
            table = data["matrix"]
            bad = (sorted(set(table) - set(_MATRIX_KEYS)) if isinstance(table, Mapping)
                   else None)
            if bad is None or bad:
                raise InputError([Issue(f"matrix should be a table with the keys "
                                        f"{list(_MATRIX_KEYS)}, e.g. [matrix] provider = "
                                        f"\"osrm\", osrm_url = \"http://10.0.0.7:5000\""
                                        + (f"; unknown: {bad}" if bad else ""),
                                        file=file, column="matrix")])
            if table.get("provider", "haversine") not in ("haversine", "road", "osrm"):
                raise InputError([Issue(f"matrix provider = {table['provider']!r}: choose "
                                        "haversine, road or osrm", file=file,
                                        column="matrix")])
            changes["matrix"] = {**self.matrix, **table}
        if "encoding" in data:
            enc = data["encoding"]
            if not isinstance(enc, str) or not _known_codec(enc):
                raise InputError([Issue(f"encoding = {enc!r} should name an encoding, e.g. "
                                        "\"gb18030\" or \"cp1252\"", file=file,
                                        column="encoding")])
            changes["encoding"] = enc
        if "columns" in data:
            from routeopt._columns import load_column_map

            if not isinstance(data["columns"], Mapping):
                raise InputError([Issue("columns should hold tables of column maps, e.g. "
                                        "[columns.outlets] \"Account ID\" = \"outlet_id\"",
                                        file=file, column="columns")])
            try:
                cmap = load_column_map(data["columns"])
            except InputError as e:
                raise InputError([dataclasses.replace(i, file=i.file or file, column="columns")
                                  for i in e.issues]) from None
            changes["columns"] = {**self.columns, **cmap}
        try:
            return self.replace(**changes)
        except InputError as e:
            raise InputError([dataclasses.replace(i, file=i.file or file)
                              for i in e.issues]) from None

    @classmethod
    def from_toml(cls, path: str | Path, base: TerritoryOptions | None = None
                  ) -> TerritoryOptions:
        """``base`` (or the defaults) updated with the options file at ``path``."""
        return (base or cls()).updated(_read_toml(Path(path)), file=Path(path).name)

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON-ready values (written to each territory's ``status.json``)."""
        return {
            "start": self.start.isoformat() if self.start else None,
            "weeks": self.weeks,
            "holidays": [h.isoformat() for h in self.holidays],
            "country": self.country,
            "subdiv": self.subdiv,
            "workdays": [h.isoformat() for h in self.workdays],
            "skip_invalid": self.skip_invalid,
            "solve": dataclasses.asdict(self.solve),
            "task": json.loads(json.dumps(dict(self.task), default=str)),
            "matrix": json.loads(json.dumps(dict(self.matrix), default=str)),
            "encoding": self.encoding,
            "columns": {k: dict(v) for k, v in self.columns.items()},
        }


def _known_codec(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _date(value: Any, key: str, file: str | None) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except InputError:
            pass
    raise InputError([Issue(f"{key}: {value!r} is not a date; write YYYY-MM-DD",
                            file=file, column=key)])


def _solve_params(base: SolveParams, table: Any, file: str | None) -> SolveParams:
    if not isinstance(table, Mapping):
        raise InputError([Issue("solve should be a table of solver parameters, e.g. "
                                "[solve] max_iterations = 500", file=file, column="solve")])
    fields = {f.name: str(f.type) for f in dataclasses.fields(SolveParams)}
    issues = []
    for k, v in table.items():
        want = fields.get(k)
        if want is None:
            issues.append(Issue(f"unknown solver parameter {k!r}; known: {sorted(fields)}",
                                file=file, column=f"solve.{k}"))
        elif (want == "bool") != isinstance(v, bool) or not isinstance(
                v, {"float": (int, float), "int": (int,), "bool": (bool,)}[want]):
            issues.append(Issue(f"solve.{k} = {v!r} should be of type {want}",
                                file=file, column=f"solve.{k}"))
    if issues:
        raise InputError(issues)
    try:
        return base.replace(**table)
    except InputError as e:  # a value out of range
        raise InputError([dataclasses.replace(
            i, file=i.file or file, column=f"solve.{i.column}" if i.column else "solve")
            for i in e.issues]) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Issue("options file not found; check the path",
                                file=str(path))]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError([Issue(f"cannot read the options file: {e}", file=path.name)]) from None
    except tomllib.TOMLDecodeError as e:
        raise InputError([Issue(f"cannot read it as TOML: {e}", file=path.name)]) from None


@dataclass(frozen=True)
class Territory:
    """One territory of a batch.

    Parameters
    ----------
    name
        Its name: the folder name, or the value of the territory column. The
        results go to ``OUT/<name>/``.
    options
        Its options, all layers applied.
    path
        The folder its files are read from, or None for in-memory files.
    files
        In-memory files (name -> bytes), used when ``path`` is None.
    error
        Why it cannot be planned as given (e.g. a bad ``territory.toml``): the
        batch reports it as failed without running it.
    """

    name: str
    options: TerritoryOptions = field(default_factory=TerritoryOptions)
    path: Path | None = None
    files: Mapping[str, bytes] | None = field(default=None, repr=False)
    error: InputError | None = None

    def __post_init__(self) -> None:
        problem = name_problem(self.name)
        if problem:
            raise InputError([Issue(f"territory name {self.name!r}: {problem}")])
        if (self.path is None) == (self.files is None):
            raise ValueError("a Territory needs exactly one of path and files")

    def load(self) -> dict[str, bytes]:
        """Every file of the territory, by path relative to its folder (hidden files left out)."""
        if self.files is not None:
            return dict(self.files)
        assert self.path is not None
        out: dict[str, bytes] = {}
        for p in sorted(self.path.rglob("*")):
            rel = p.relative_to(self.path)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts):
                out[rel.as_posix()] = p.read_bytes()
        return out

    def fingerprint(self, files: Mapping[str, bytes] | None = None) -> str:
        """A hash of the files and options: a finished territory is skipped while it holds."""
        h = hashlib.sha256()
        h.update(json.dumps(self.options.to_dict(), sort_keys=True).encode())
        for name, data in sorted((files if files is not None else self.load()).items()):
            h.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(data).digest())
        return h.hexdigest()


def name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a territory (and folder) name, or None.

    Examples
    --------
    >>> name_problem("north-1") is None, name_problem("../x")
    (True, "it may not contain '/' or '\\\\' or start with '.'")
    """
    if not isinstance(name, str) or not name.strip():
        return "it is empty"
    if any(c in name for c in "/\\\0") or name.startswith("."):
        return "it may not contain '/' or '\\' or start with '.'"
    if len(name) > MAX_NAME:
        return f"it is longer than {MAX_NAME} characters"
    if name != name.strip():
        return "it starts or ends with a space"
    return None


def batch_defaults(root: str | Path | None = None,
                   base: TerritoryOptions | None = None) -> TerritoryOptions:
    """``base`` (or the built-in defaults) updated with ``root/batch.toml``, if there is one.

    Raises
    ------
    InputError
        A ``batch.toml`` that cannot be read.
    """
    opts = base or TerritoryOptions()
    if root is not None and (Path(root) / DEFAULTS_FILE).is_file():
        opts = TerritoryOptions.from_toml(Path(root) / DEFAULTS_FILE, opts)
    return opts


def read_territories(root: str | Path, defaults: TerritoryOptions | None = None
                     ) -> tuple[list[Territory], list[str]]:
    """The territory folders under ``root``, and the names of the folders left out.

    Every sub-folder (not hidden) holding ``outlets.csv``, ``reps.csv`` or
    ``territory.toml`` is a territory; other sub-folders are returned as left
    out. A territory whose ``territory.toml`` cannot be read carries the error
    and is reported as failed, without stopping the others.

    Parameters
    ----------
    root
        The folder of territory folders.
    defaults
        Options for every territory before its own file; if omitted, the
        built-in defaults updated with ``root/batch.toml``.

    Raises
    ------
    InputError
        ``root`` missing or not a folder, or a bad ``batch.toml``.
    """
    root = Path(root)
    if not root.exists():
        raise InputError([Issue("territories folder not found; check the path", file=str(root))])
    if not root.is_dir():
        raise InputError([Issue("the territories path is a file; give the folder that holds one "
                                "folder per territory", file=str(root))])
    base = defaults if defaults is not None else batch_defaults(root)
    found: list[Territory] = []
    left_out: list[str] = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not any((d / m).is_file() for m in _MARKERS):
            left_out.append(d.name)
            continue
        opts, error = base, None
        if (d / OPTIONS_FILE).is_file():
            try:
                opts = TerritoryOptions.from_toml(d / OPTIONS_FILE, base)
            except InputError as e:
                error = e
        found.append(Territory(d.name, opts, path=d, error=error))
    return found, left_out


def territories_from_frames(outlets: pd.DataFrame, reps: pd.DataFrame, *,
                            column: str = "territory",
                            defaults: TerritoryOptions | None = None,
                            options: Mapping[str, TerritoryOptions] | None = None,
                            ) -> list[Territory]:
    """Territories from outlets and reps tables that each have a territory column.

    Each territory's rows become its ``outlets.csv`` and ``reps.csv`` (the
    territory column left out), so that errors name the file and line as for
    a folder. A territory with outlets but no reps (or the other way round)
    fails when it runs, with the reason.

    Parameters
    ----------
    outlets, reps
        The tables of every territory, in the CSV contract plus ``column``.
    column
        The territory column.
    defaults
        Options of every territory (the built-in defaults if omitted).
    options
        Options of some territories by name, used instead of ``defaults``.

    Raises
    ------
    InputError
        The column missing, a row without a territory, or a name that cannot
        be a folder name.

    Examples
    --------
    >>> import pandas as pd
    >>> outlets = pd.DataFrame({"territory": ["N", "S"], "outlet_id": ["P1", "P2"],
    ...                         "lat": [43.73, 43.74], "lon": [7.42, 7.43],
    ...                         "frequency": ["1/week", "1/week"]})
    >>> reps = pd.DataFrame({"territory": ["N", "S"], "rep_id": ["R1", "R2"],
    ...                      "lat": [43.735, 43.745], "lon": [7.425, 7.435]})
    >>> [t.name for t in territories_from_frames(outlets, reps)]
    ['N', 'S']
    """
    issues: list[Issue] = []
    tables = {"outlets": outlets, "reps": reps}
    for what, df in tables.items():
        if column not in df.columns:
            issues.append(Issue(f"the {what} table has no {column!r} column; add one that names "
                                "each row's territory", column=column))
            continue
        empty = df[column].isna() | (df[column].astype(str).str.strip() == "")
        if empty.any():
            rows = [str(i) for i in df.index[empty][:10]]
            issues.append(Issue(f"the {what} table has {int(empty.sum())} row(s) without a "
                                f"territory (index {', '.join(rows)}); fill in {column!r}",
                                column=column))
    if issues:
        raise InputError(issues)
    names = sorted({str(v) for df in tables.values() for v in df[column]})
    bad = [Issue(f"territory name {n!r}: {p}", column=column)
           for n in names if (p := name_problem(n))]
    if bad:
        raise InputError(bad)
    base = defaults or TerritoryOptions()
    options = options or {}
    out = []
    for name in names:
        files = {}
        for what, df in tables.items():
            part = df[df[column].astype(str) == name].drop(columns=[column])
            files[f"{what}.csv"] = part.to_csv(index=False).encode("utf-8")
        out.append(Territory(name, options.get(name, base), files=files))
    return out


def check_unique(territories: Iterable[Territory]) -> list[Territory]:
    """The territories as a list; :class:`InputError` if two share a name."""
    seen: set[str] = set()
    out = []
    dup = []
    for t in territories:
        if t.name in seen:
            dup.append(t.name)
        seen.add(t.name)
        out.append(t)
    if dup:
        raise InputError([Issue(f"territory {n!r} appears more than once; names must be unique")
                          for n in sorted(set(dup))])
    return out
