"""Reading tables: CSV files, spreadsheets or DataFrames to rows with their lines, and one
row's cells to values with issues that name the file (and sheet), line and column.

Shared by every reader of a table: the outlets and reps tables (``read.py``), the
visit log (``replan.py``) and the geocoder's input (``geocode/_batch.py``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from routeopt._columns import canonical_header
from routeopt._values import message_of, parse_number
from routeopt.exceptions import InputError, Issue, OpeningHoursError, TableError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SWAP_NEAR_KM", "Records", "Row", "by_line", "cell_text", "check_header",
           "median_point", "read_table", "table_name"]

T = TypeVar("T")

Records = list[tuple[int | None, dict[str, Any]]]


def read_table(source: pd.DataFrame | str | Path, what: str,
               spec: Mapping[str, tuple[str, ...]], *, noun: str | None = None,
               empty_ok: bool = False, encoding: str | None = None,
               sheet: str | int | None = None, columns: Mapping[str, str] | None = None,
               header_names: dict[str, str] | None = None,
               ) -> tuple[Records, str | None, list[Issue]]:
    """The table's rows as ``(line, {column: text})``, its file name, and row issues.

    The rows' keys are the header's names in lower case, or routeopt's
    column where the column map or an alias names one. ``header_names``, if
    given, is filled with each such key and the name as the header writes it
    (spaces trimmed), in the header's order.

    ``noun`` names one row in messages (by default ``what`` less its final
    *s*: ``outlets`` -> ``outlet``). With ``empty_ok``, a header without rows
    (or an empty DataFrame with the right columns) is an empty table, not an
    error.

    A path ending in ``.xlsx``, ``.xlsm`` or ``.xls`` is a spreadsheet: ``sheet``
    (a name or 0-based index; the first by default) is read, and the file name
    returned is ``book.xlsx, sheet 'S'`` with the spreadsheet's row numbers as
    lines. Any other path is a CSV file, decoded as ``encoding`` or by the rule of
    ``routeopt._sources``. The header's names become routeopt's by the column
    map ``columns`` (the user's header -> routeopt column) and the built-in
    aliases (``routeopt._columns``); the other headers are kept, lower-cased.

    Lines are the lines an editor shows (the header is line 1 in a plain
    file), counted on the raw text so that blank lines and quoted values
    spanning several lines do not shift them. Problems with the file as a
    whole (missing, undecodable, no such sheet, empty, no header, a required
    column missing, a bad column map) raise :class:`TableError`; a row with
    more cells than the header is reported as a row issue and left out.
    """
    import pandas as pd

    from routeopt._sources import EXCEL_SUFFIXES, column_letter, decode, sheet_rows

    one = noun or what.removesuffix("s")
    known = spec["required"] + spec["optional"]
    if isinstance(source, pd.DataFrame):
        df = source.astype(object).where(source.notna(), "")
        cols = canonical_header([str(c).strip().lower() for c in df.columns], what, known,
                                columns, file=None, line=None)
        check_header(cols, None, None, what, spec)
        if header_names is not None:
            header_names.update((c, str(raw).strip())
                                for c, raw in zip(cols, df.columns, strict=True))
        records: Records = [(None, dict(zip(cols, row, strict=True)))
                             for row in df.itertuples(index=False, name=None)]
        if not records and not empty_ok:
            raise TableError([Issue(f"the {what} table has no rows; add at least one {one}",
                                    column=spec["required"][0] if spec["required"] else None)])
        return records, None, []
    path = Path(source)
    if not path.exists():
        raise TableError([Issue(f"{what} file not found; check the path", file=str(path))])
    if path.is_dir():
        raise TableError([Issue(f"{what} path is a directory; give the path of the CSV or "
                                "Excel file", file=str(path))])
    rows: Iterator[tuple[int, list[str]]]
    excel = path.suffix.lower() in EXCEL_SUFFIXES
    if excel:
        name, rows = sheet_rows(path, what, sheet)
        delimiter = ""
    else:
        name = path.name
        try:
            data = path.read_bytes()
        except OSError as e:
            raise TableError([Issue(f"cannot read the {what} file: {e.strerror or e}",
                                    file=str(path))]) from None
        text, _ = decode(data, what, name, encoding)
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        # Spreadsheets in many locales save CSV with ';' between cells, and Excel's
        # "Unicode Text" (UTF-16) has tabs.
        delimiter = (";" if ";" in first and "," not in first else
                     "\t" if "\t" in first and "," not in first and ";" not in first else ",")
        rows = _csv_rows(text, delimiter, what, name)
    header: list[str] | None = None
    header_line = 1
    records = []
    issues: list[Issue] = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if header is None:
            header, header_line = [c.strip().lower() for c in cells], line
            if excel:  # empty cells right of the header are no columns
                while header and not header[-1]:
                    header.pop()
            header = canonical_header(header, what, known, columns, file=name, line=line)
            check_header(header, name, line, what, spec)
            if header_names is not None:
                header_names.update((c, raw.strip()) for c, raw in zip(header, cells,
                                                                       strict=False))
            continue
        extra = [k for k, c in enumerate(cells) if k >= len(header) and c.strip()]
        if extra:
            issues.append(Issue(
                f"this row has a value in column {column_letter(extra[0])}, right of the "
                f"header's last column ({column_letter(len(header) - 1)}); give it a header "
                "or clear the cell" if excel else
                f"this row has {len(cells)} cells but the header has {len(header)} "
                f"columns; put values that contain "
                f"{'a tab' if delimiter == chr(9) else repr(delimiter)} in double quotes",
                file=name, line=line))
            continue
        records.append((line, dict(zip(header, cells, strict=False))))
    if header is None:
        raise TableError([Issue(
            f"the {what} file is empty; its first line must be a header with the columns "
            f"{','.join(spec['required'])}, then one row per {one}", file=name, line=1,
            column=spec["required"][0] if spec["required"] else None)])
    if not records and not issues and not empty_ok:
        raise TableError([Issue(
            f"the {what} file has a header but no rows; add one row per {one} below it, "
            f"with at least {', '.join(spec['required'])}", file=name, line=header_line + 1,
            column=spec["required"][0] if spec["required"] else None)])
    return records, name, issues


def read_frame(source: str | Path, what: str, spec: Mapping[str, tuple[str, ...]], *,
               encoding: str | None = None, sheet: str | int | None = None,
               columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A whole table as :func:`read_table` reads it (CSV of any encoding, or a sheet of
    a workbook; the column map applied), every cell as text, its columns named as
    routeopt names them (the others lower-cased), in the header's order.

    Row issues (a row with more cells than the header) raise :class:`TableError`:
    a table copied whole must be whole.
    """
    import pandas as pd

    names: dict[str, str] = {}
    records, _, issues = read_table(source, what, spec, empty_ok=True, encoding=encoding,
                                    sheet=sheet, columns=columns, header_names=names)
    if issues:
        raise TableError(issues)
    cols = list(names) or list(spec["required"])
    return pd.DataFrame([[str(row.get(c, "")) for c in cols] for _, row in records],
                        columns=cols, dtype=object)


def table_name(source: pd.DataFrame | str | Path, sheet: str | int | None = None
               ) -> str | None:
    """The name messages give a table: its file name (``book.xlsx, sheet 'S'`` for a
    spreadsheet), or None for a DataFrame or a workbook that cannot be opened."""
    if not isinstance(source, str | Path):
        return None
    path = Path(source)
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        return path.name
    from routeopt._sources import sheet_name

    return sheet_name(path, sheet)


def _csv_rows(text: str, delimiter: str, what: str, name: str
              ) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of CSV text, the line where each row starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True)
    prev = 0
    try:
        for cells in reader:
            line, prev = prev + 1, reader.line_num
            yield line, cells
    except csv.Error as e:
        raise TableError([Issue(f"cannot read the {what} file as CSV: {e}", file=name,
                                line=reader.line_num)]) from None


def check_header(cols: list[str], file: str | None, line: int | None, what: str,
                  spec: Mapping[str, tuple[str, ...]]) -> None:
    import difflib

    issues: list[Issue] = []
    seen: set[str] = set()
    for c in cols:
        if c and c in seen:
            issues.append(Issue(f"column {c!r} appears more than once in the header; keep one",
                                file=file, line=line, column=c))
        seen.add(c)
    known = spec["required"] + spec["optional"]
    for c in spec["required"]:
        if c in seen:
            continue
        near = difflib.get_close_matches(c, [x for x in cols if x not in known], n=1)
        hint = (f"rename column {near[0]!r} to {c!r}" if near
                else f"add it, or name your header for it in a column map (--columns) (the "
                     f"header has: {', '.join(x for x in cols if x) or 'nothing'})")
        issues.append(Issue(f"the {what} table lacks the required column {c!r}; {hint}",
                            file=file, line=line, column=c))
    if issues:
        raise TableError(issues)


def cell_text(row: Mapping[str, Any], col: str) -> str:
    v = row.get(col, "")
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


class Row:
    """Parse one row's cells, collecting issues with their place."""

    def __init__(self, row: Mapping[str, Any], file: str | None, line: int | None,
                 outlet_id: str | None = None, rep_id: str | None = None) -> None:
        self.row, self.file, self.line = row, file, line
        self.outlet_id, self.rep_id = outlet_id, rep_id
        self.issues: list[Issue] = []

    def issue(self, col: str, msg: str) -> None:
        self.issues.append(Issue(msg, file=self.file, line=self.line, column=col,
                                 outlet_id=self.outlet_id, rep_id=self.rep_id))

    def get(self, col: str, parse: Callable[[str], T], default: T, *, required: bool = False,
            hint: str = "") -> T:
        text = cell_text(self.row, col)
        if not text:
            if required:
                self.issue(col, f"is empty; {hint or 'a value is required'}")
            return default
        try:
            return parse(text)
        except OpeningHoursError as e:
            self.issue(col, f"cannot read {text!r}: {e.reason}")
        except ValueError as e:  # InputError included
            msg = message_of(e)
            self.issue(col, msg if text in msg else f"{text!r}: {msg}")
        return default

    def unique_id(self, col: str, what: str, value: str, seen: dict[str, int | None]) -> None:
        """Check that ``value`` is a new, non-empty id; remember where it was met."""
        if not value:
            self.issue(col, f"is empty; give every {what} a unique id")
        elif value in seen:
            first = seen[value]
            where = f" (first on line {first})" if first is not None else ""
            self.issue(col, f"{what} id {value!r} appears more than once{where}; ids must be "
                            "unique")
        else:
            seen[value] = self.line

    def to_wgs84(self, lat: float | None, lon: float | None,
                 default_crs: str) -> tuple[float | None, float | None]:
        """``(lat, lon)`` converted to WGS-84 from the row's ``crs`` (or ``default_crs``)."""
        if not cell_text(self.row, "crs") and default_crs == "wgs84":
            return lat, lon
        from routeopt.geocode._crs import parse_crs, to_wgs84

        crs = self.get("crs", parse_crs, default_crs)
        if lat is None or lon is None or crs == "wgs84":
            return lat, lon
        return to_wgs84(lat, lon, crs)

    def number(self, col: str, *, required: bool = False, lo: float | None = None,
               hi: float | None = None, hint: str = "", integer: bool = False) -> float | None:
        text = cell_text(self.row, col)
        if not text:
            if required:
                self.issue(col, f"is empty; {hint or 'give a number'}")
            return None
        try:
            v = parse_number(text, decimal_comma=True)
        except InputError as e:
            self.issue(col, f"{message_of(e)}; {hint}" if hint else message_of(e))
            return None
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            span = (f"{lo:g} to {hi:g}" if lo is not None and hi is not None
                    else f">= {lo:g}" if lo is not None else f"<= {hi:g}")
            self.issue(col, f"{text} is out of range ({span}); {hint}".rstrip("; "))
            return None
        if integer and v != int(v):
            self.issue(col, f"{text} is not a whole number; {hint or 'give a whole number'}")
            return None
        return v

    def point(self, lat_col: str, lon_col: str, lat_hint: str, lon_hint: str, *,
              required: bool = True, near: tuple[float, float] | None = None,
              ) -> tuple[float | None, float | None]:
        """Two coordinate cells, range-checked as a pair.

        An out-of-range point gets the "swapped?" hint only where swapping
        gives a valid point and, when the table has other valid points
        (``near``: their median), one within :data:`SWAP_NEAR_KM` of them.
        """
        from routeopt.problem import swap_would_fit

        lat = self.number(lat_col, required=required, hint=lat_hint)
        lon = self.number(lon_col, required=required, hint=lon_hint)
        swap = (lat is not None and lon is not None and swap_would_fit(lat, lon)
                and (near is None or _km(lon, lat, *near) <= SWAP_NEAR_KM))
        out: list[float | None] = []
        for col, v, bound, hint in ((lat_col, lat, 90, lat_hint), (lon_col, lon, 180, lon_hint)):
            if v is not None and not -bound <= v <= bound:
                text = cell_text(self.row, col)
                what = (f"are {lat_col} and {lon_col} swapped? ({lat_col} {lon:g}, {lon_col} "
                        f"{lat:g} would be a valid point)" if swap and lat is not None
                        and lon is not None else hint)
                self.issue(col, f"{text} is out of range (-{bound} to {bound}); {what}")
                v = None
            out.append(v)
        return out[0], out[1]


#: An out-of-range point is hinted as swapped only when the swap lands this close
#: to the median of the table's other points.
SWAP_NEAR_KM = 500.0


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle kilometres between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12_742.0 * math.asin(min(1.0, math.sqrt(a)))


def median_point(records: Records, lat_col: str = "lat",
                 lon_col: str = "lon") -> tuple[float, float] | None:
    """The median latitude and longitude of the rows' valid points, or None if there are none."""
    import statistics

    lats: list[float] = []
    lons: list[float] = []
    for _, row in records:
        try:
            lat = parse_number(cell_text(row, lat_col), decimal_comma=True)
            lon = parse_number(cell_text(row, lon_col), decimal_comma=True)
        except InputError:
            continue
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            lats.append(lat)
            lons.append(lon)
    return (statistics.median(lats), statistics.median(lons)) if lats else None


def by_line(issues: Iterable[Issue]) -> list[Issue]:
    """Issues in file order (those without a line last), stable otherwise."""
    return sorted(issues, key=lambda i: (i.line is None, i.line or 0))
