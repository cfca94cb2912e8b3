"""Which header of a table is which routeopt column: a column map and built-in aliases.

Exports from a CRM or a spreadsheet rarely carry routeopt's column names
(``门店编号``, ``纬度``, ``Account ID``, ``Call frequency``). A table's header is
turned into routeopt's names here, before any cell is read, in two steps:

1. **The column map**, the user's own (``--columns map.toml``, the ``columns``
   argument of the readers, ``[columns]`` in ``batch.toml``): *user header =
   routeopt column*, one table per input table (``[outlets]``, ``[reps]``,
   ``[log]``). It is strict: a routeopt column that the table does not have, two
   headers mapped to one column, and a mapped header that the file lacks are
   each an error.
2. **The built-in aliases** (:data:`ALIASES`, listed in ``docs/csv-schema.md``),
   Chinese and English, for the common columns. An alias is used only when the
   column's own name is absent and no map names the column, and only when it is
   unambiguous: two aliases of one column in one header are an error that asks
   for a column map.

Headers are compared after :func:`header_key`: Unicode NFKC (full-width
``（分钟）`` is ``(分钟)``), lower case, and runs of spaces, ``_`` and ``-`` as one
space, so ``Outlet ID``, ``outlet-id`` and ``OUTLET_ID`` all name ``outlet_id``.
Headers that are neither routeopt's nor mapped nor an alias are kept under
their own (lower-cased) names, as extra columns.

The direction of the map (the user's header first) is the one a rename reads in,
and it lets TOML itself refuse one header mapped twice (a duplicate key).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from routeopt.exceptions import Issue, TableError

__all__ = ["ALIASES", "MAP_TABLES", "canonical_header", "header_key", "load_column_map",
           "mapping_for"]

#: The sections of a column map file and the table each one maps.
MAP_TABLES = {"outlets": "outlets", "reps": "reps", "log": "visit log"}

_OUTLET_ID = ("门店编号", "门店代码", "门店编码", "门店id", "客户编号", "客户代码", "客户编码",
              "客户id", "终端编号", "终端代码", "终端编码", "网点编号", "account id",
              "account number", "customer id", "customer number", "customer code", "store id",
              "store code", "outlet code")
_REP_ID = ("业务员编号", "业务员工号", "业务员代码", "代表编号", "代表工号", "销售代表编号",
           "员工编号", "工号", "rep id", "sales rep id", "employee id", "owner id")

#: Built-in aliases per table: routeopt column -> other headers that mean it (compared
#: by :func:`header_key`). Each header names at most one column of a table.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "outlets": {
        "outlet_id": _OUTLET_ID,
        "name": ("名称", "门店名称", "客户名称", "终端名称", "网点名称", "account name",
                 "customer name", "store name", "outlet name"),
        "address": ("地址", "门店地址", "客户地址", "详细地址", "street address",
                    "full address"),
        "lat": ("纬度", "latitude"),
        "lon": ("经度", "longitude", "lng", "long"),
        "frequency": ("拜访频率", "拜访频次", "频率", "频次", "call frequency",
                      "visit frequency", "freq"),
        "priority": ("优先级", "级别", "等级", "客户级别", "客户等级", "门店级别", "门店等级"),
        "service_min": ("拜访时长(分钟)", "拜访时长", "服务时长(分钟)", "停留时长(分钟)",
                        "visit duration", "call duration", "visit minutes"),
        "opening_hours": ("营业时间", "opening hours", "business hours"),
        "rep_id": _REP_ID,
        "allowed_days": ("可拜访日", "allowed days", "visit days"),
        "appointment": ("预约", "预约时间"),
        "preferred_time": ("偏好时间", "首选拜访时间", "preferred time"),
        "crs": ("坐标系", "coordinate system"),
    },
    "reps": {
        "rep_id": _REP_ID,
        "name": ("姓名", "业务员姓名", "代表姓名", "员工姓名", "rep name", "employee name",
                 "full name"),
        "lat": ("纬度", "起点纬度", "latitude", "start latitude", "start lat"),
        "lon": ("经度", "起点经度", "longitude", "lng", "long", "start longitude", "start lon"),
        "end_lat": ("终点纬度", "end latitude"),
        "end_lon": ("终点经度", "end longitude"),
        "shift": ("工作时间", "上班时间", "working hours", "work hours"),
        "working_days": ("工作日", "working days", "work days"),
        "break": ("午休", "午休时间", "lunch break", "lunch"),
        "max_visits": ("每日最多拜访", "max visits per day"),
        "min_visits": ("每日最少拜访", "min visits per day"),
        "mode": ("交通方式", "出行方式", "travel mode"),
        "days_off": ("休假日期", "请假日期", "days off"),
        "max_drive": ("最长驾驶时间", "max driving time"),
        "crs": ("坐标系", "coordinate system"),
    },
    "visit log": {
        "outlet_id": _OUTLET_ID,
        "rep_id": _REP_ID,
        "date": ("日期", "拜访日期", "visit date"),
        "status": ("状态", "拜访状态", "visit status"),
    },
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def header_key(text: str) -> str:
    """The form in which headers are compared: NFKC, lower case, one space for ``_ -`` runs.

    Examples
    --------
    >>> header_key(" Outlet_ID "), header_key("拜访时长（分钟）"), header_key("Call-Frequency")
    ('outlet id', '拜访时长(分钟)', 'call frequency')
    """
    return _SEPARATORS.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def mapping_for(columns: Mapping[str, Any] | None, section: str, *, file: str | None = None
                ) -> dict[str, str] | None:
    """One table's map out of a whole column map (``{"outlets": {...}, "reps": {...}}``)."""
    if columns is None or section not in columns:
        return None
    table = columns[section]
    if not isinstance(table, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
        raise TableError([Issue(f"[{section}] should map each of your headers to a routeopt "
                                f"column, e.g. \"Account ID\" = \"outlet_id\"", file=file,
                                column=section)])
    return dict(table)


def load_column_map(source: str | Path | Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """A column map: the path of its TOML file, or the same tables as a mapping.

    The file (UTF-8, or GBK as a Chinese editor may save it) holds up to three
    tables, ``[outlets]``, ``[reps]`` and ``[log]`` (the visit log), each *your
    header = routeopt column*::

        [outlets]
        "Account ID" = "outlet_id"
        "Call frequency" = "frequency"

    Raises
    ------
    TableError
        A file that cannot be read, an unknown table, or a table that does
        not map text to text; naming the file.
    """
    import tomllib

    file: str | None = None
    data: Mapping[str, Any]
    if isinstance(source, str | Path):
        path = Path(source)
        file = path.name
        from routeopt._sources import decode

        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise TableError([Issue("column map file not found; check the path",
                                    file=str(path))]) from None
        except OSError as e:
            raise TableError([Issue(f"cannot read the column map: {e.strerror or e}",
                                    file=file)]) from None
        text, _ = decode(raw, "column map", file, None)  # UTF-8, or GBK from a Chinese editor
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise TableError([Issue(f"cannot read the column map as TOML: {e}",
                                    file=file)]) from None
    elif isinstance(source, Mapping):
        data = source
    else:
        raise TableError([Issue(f"columns should be the path of a column map (TOML) or a "
                                f"mapping of tables, not {type(source).__name__}",
                                column="columns")])
    unknown = [k for k in data if k not in MAP_TABLES]
    if unknown:
        raise TableError([Issue(
            f"unknown table(s) {unknown} in the column map; use {list(MAP_TABLES)}, e.g. "
            "[outlets] \"Account ID\" = \"outlet_id\"", file=file)])
    out: dict[str, dict[str, str]] = {}
    for section in data:
        table = mapping_for(data, section, file=file)
        if table is not None:
            out[section] = table
    return out


def canonical_header(header: Sequence[str], what: str, known: Sequence[str],
                     columns: Mapping[str, str] | None, *, file: str | None,
                     line: int | None) -> list[str]:
    """``header`` (lower-cased cells) with routeopt's names put in: the map's, then aliases.

    Parameters
    ----------
    header
        The header cells, stripped and lower-cased.
    what
        The table (``outlets``, ``reps``, ``visit log``, ...): chooses the aliases
        and names the table in messages.
    known
        routeopt's columns of this table.
    columns
        The user's map for this table: their header -> routeopt column.
    file, line
        Where the header is, for the messages.

    Raises
    ------
    TableError
        A map naming an unknown column or a header the file lacks, two headers
        mapped to one column, a mapped column that the file also has under its
        own name, or two aliases of one column.
    """
    issues: list[Issue] = []

    def fail(msg: str, column: str | None) -> None:
        issues.append(Issue(msg, file=file, line=line, column=column))

    out = list(header)
    keys = [header_key(h) for h in header]
    taken: set[str] = set(header) & set(known)  # routeopt columns the header names itself
    mapped: set[int] = set()
    if columns:
        targets: dict[str, str] = {}
        for user, col in columns.items():
            col_key = col.strip().lower()
            if col_key not in known:
                fail(f"the column map maps {user!r} to {col!r}, which is not a column of the "
                     f"{what} table; use one of: {', '.join(known)}", col)
                continue
            if col_key in targets:
                fail(f"the column map maps both {targets[col_key]!r} and {user!r} to "
                     f"{col_key!r}; map one header to each column", col_key)
                continue
            targets[col_key] = user
            at = [i for i, k in enumerate(keys) if k == header_key(user) and i not in mapped]
            if not at:
                shown = ", ".join(h for h in header if h) or "nothing"
                fail(f"the column map names the header {user!r} (for {col_key!r}), which the "
                     f"{what} file lacks; fix the map or the header (it has: {shown})", col_key)
                continue
            if col_key in taken and header[at[0]] != col_key:
                fail(f"the header has both {col_key!r} and {header[at[0]]!r}, which the column "
                     f"map maps to it; drop one of them or the map's line", col_key)
                continue
            out[at[0]] = col_key
            mapped.add(at[0])
            taken.add(col_key)
    own = {header_key(c): c for c in known}
    aliases = ALIASES.get(what, {})
    for col in known:
        if col in taken:
            continue
        names = {header_key(a) for a in (col, *aliases.get(col, ()))}
        at = [i for i, k in enumerate(keys) if k in names and i not in mapped
              and out[i] not in taken and own.get(k, col) == col]
        if len(at) > 1:
            both = " and ".join(repr(header[i]) for i in at)
            fail(f"the header has {both}, which both mean {col!r}; keep one, or say which "
                 f"one with a column map (e.g. --columns map.toml with [{_section(what)}] "
                 f"{header[at[0]]!r} = {col!r})", col)
        elif at:
            out[at[0]] = col
            taken.add(col)
    if issues:
        raise TableError(issues)
    return out


def _section(what: str) -> str:
    return next((k for k, v in MAP_TABLES.items() if v == what), what)
