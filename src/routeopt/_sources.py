"""Table files as they come: the text of a CSV file in its encoding, and a spreadsheet's
sheet as rows of text.

**Encodings.** Without an ``encoding``, a CSV file is decoded by a fixed rule, never
by a statistical guess (the same bytes read the same way on every machine and
every release):

1. a UTF-8 byte-order mark: UTF-8; a UTF-16 one (Excel's "Unicode Text", tab
   separated): UTF-16;
2. text that is valid UTF-8: UTF-8;
3. text that is valid GB18030 (a superset of GBK, which Excel on a Chinese
   Windows saves as "CSV") *and* uses no character outside GB2312 (the 6,763
   common hanzi, full-width forms and the usual symbols): GB18030.

Anything else is an error that names the encodings tried and asks for
``encoding`` (``--encoding``). Step 2 is safe: GBK text passes as UTF-8 only
by chance, and the chance falls by about a factor of ten with each Chinese
character, so a table with Chinese names is never mistaken. Step 3 is strict
because almost any bytes are valid GBK: a Western-European (cp1252, Latin-1)
file such as ``Église,`` would decode to rare hanzi. An accented letter
followed by a plain ASCII byte, as in nearly every such file, falls outside
GB2312, so that file is refused with the advice to pass ``--encoding cp1252``
instead of being read as garbage. The price: a Chinese file using a character
outside GB2312 (a rare name character) needs ``--encoding gb18030``; the
message says so.

**Spreadsheets.** ``.xlsx``/``.xlsm`` (openpyxl) and ``.xls`` (xlrd), one sheet:
by name or 0-based index, the first by default. Cells come typed; each is
written as the text routeopt's parsers read, without loss: whole numbers
without ``.0`` (an id ``1001``), other numbers in the shortest form that reads
back the same (``43.7312``), dates ``2026-12-07``, times ``08:30`` (``08:30:15``
with seconds), date-times ``2026-12-07 10:00``, durations ``1:30``. Formulas
give the value Excel saved with the file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from routeopt.exceptions import SHEET_MARK, Issue, TableError

__all__ = ["EXCEL_SUFFIXES", "cell_to_text", "decode", "sheet_name", "sheet_rows"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_TRIED = ("utf-8", "gb18030")


def decode(data: bytes, what: str, file: str, encoding: str | None) -> tuple[str, str]:
    """``(text, encoding used)`` of a table file's bytes, by the rule of the module.

    Raises
    ------
    TableError
        An unknown ``encoding``, or bytes it (or every encoding of the rule)
        cannot decode: naming the file, the line of the first bad byte, the
        encodings tried and the ``encoding`` option.
    """
    import codecs

    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise TableError([Issue(
                f"unknown encoding {encoding!r}; give a Python codec name such as utf-8, "
                "gb18030, gbk, big5, cp1252 or latin-1", file=file)]) from None
        if name == "utf-8":
            name = "utf-8-sig"  # a byte-order mark is not part of the text
        try:
            return data.decode(name), name
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            raise TableError([Issue(
                f"the {what} file cannot be decoded as {encoding} (byte {data[e.start]:#04x}); "
                "give its real encoding (--encoding, or encoding= in Python), e.g. utf-8, "
                "gb18030 or cp1252, or save it as 'CSV UTF-8'", file=file, line=line)]) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode Text"
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise TableError([Issue(
                f"the {what} file starts as UTF-16 text but cannot be decoded as such; save it "
                "again, or as 'CSV UTF-8'", file=file, line=1)]) from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as e:
        bad = e.start
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        try:
            text.encode("gb2312")
            return text, "gb18030"
        except UnicodeEncodeError:
            pass
    line = data[:bad].count(b"\n") + 1
    tried = ", ".join(_TRIED)
    if text is not None:
        why = (f"it decodes as GB18030 but with characters outside GB2312, so it may be in "
               f"another encoding (tried {tried})")
        example = "--encoding gb18030 if it is Chinese, --encoding cp1252 for a CSV from a " \
                  "Western-European Windows"
    else:
        why = f"nor GBK/GB18030 text (tried {tried})"
        example = "--encoding cp1252 for a CSV from a Western-European Windows"
    raise TableError([Issue(
        f"the {what} file is not UTF-8 text (byte {data[bad]:#04x}); {why}. Give its "
        f"encoding with --encoding (encoding= in Python), e.g. {example}, or save it as "
        "'CSV UTF-8'", file=file, line=line)])


def cell_to_text(value: Any) -> str:
    """One typed spreadsheet cell as the text a CSV file would hold.

    Examples
    --------
    >>> import datetime as dt
    >>> [cell_to_text(v) for v in (1001.0, 43.7312, None, True, dt.time(8, 30),
    ...                            dt.datetime(2026, 12, 7), dt.datetime(2026, 12, 7, 10, 0),
    ...                            dt.timedelta(hours=1, minutes=30), " P1 ")]
    ['1001', '43.7312', '', 'true', '08:30', '2026-12-07', '2026-12-07 10:00', '1:30', ' P1 ']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        if value.is_integer() and abs(value) < 2 ** 63:
            return str(int(value))
        return repr(value)  # the shortest text that reads back as the same number
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + round(
            value.microsecond / 1e6)
        if seconds == 0:
            return value.date().isoformat()
        return f"{value.date().isoformat()} {_clock(seconds)}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _clock(value.hour * 3600 + value.minute * 60 + value.second
                      + round(value.microsecond / 1e6))
    if isinstance(value, dt.timedelta):
        total = round(value.total_seconds())
        sign, total = ("-", -total) if total < 0 else ("", total)
        h, rest = divmod(total, 3600)
        m, s = divmod(rest, 60)
        return f"{sign}{h}:{m:02d}" + (f":{s:02d}" if s else "")
    return str(value)


def _clock(seconds: int) -> str:
    """``HH:MM`` (``HH:MM:SS`` with seconds) of seconds since midnight; 86400 is ``24:00``."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _need(module: str, suffix: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise TableError([Issue(
            f"reading {suffix} files needs the {module} package, a dependency of routeopt "
            f"that is missing here: pip install {module}, or save the sheet as CSV UTF-8")]
        ) from None


def _pick(names: list[str], sheet: str | int | None, what: str, file: str) -> int:
    """The index of the sheet asked for (by name first, then as a 0-based index)."""
    if sheet is None:
        if not names:
            raise TableError([Issue(f"the {what} workbook has no sheet", file=file)])
        return 0
    if isinstance(sheet, str) and sheet in names:
        return names.index(sheet)
    if isinstance(sheet, str) and sheet.strip() in names:
        return names.index(sheet.strip())
    index: int | None = sheet if isinstance(sheet, int) and not isinstance(sheet, bool) else (
        int(sheet) if isinstance(sheet, str) and sheet.strip().isdigit() else None)
    if index is not None and 0 <= index < len(names):
        return index
    shown = ", ".join(repr(n) for n in names)
    asked = f"sheet {sheet!r}" if index is None else f"sheet {sheet!r} (a 0-based index)"
    option = {"reps": "--reps-sheet", "visit log": "--log-sheet"}.get(what, "--sheet")
    raise TableError([Issue(
        f"the {what} workbook has no {asked}; its sheets are: {shown}. Give one of them with "
        f"{option} (sheet= in Python), by name or 0-based index", file=file)])


def sheet_rows(path: Path, what: str, sheet: str | int | None
               ) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """``(name, rows)`` of one sheet: the name is ``file, sheet 'S'``, the rows
    ``(row number, cells as text)``, the row number as the spreadsheet shows it.

    Raises
    ------
    TableError
        The reader package missing, a file that is not a workbook of its kind,
        or no such sheet (listing the sheets there).
    """
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return _xls_rows(path, what, sheet)
    openpyxl = _need("openpyxl", suffix)
    import warnings
    import zipfile

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Workbook contains no default style" and the like
            # read-only: rows streamed from the sheet's XML, about twice as fast as a full load
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as e:
        raise TableError([Issue(
            f"cannot read the {what} file as an Excel workbook ({type(e).__name__}: {e}); "
            "save it again from Excel as .xlsx, or as CSV UTF-8", file=path.name)]) from None
    try:
        names = list(book.sheetnames)
        ws = book[names[_pick(names, sheet, what, path.name)]]
        name = f"{path.name}{SHEET_MARK}{ws.title!r}"
        if not hasattr(ws, "iter_rows"):
            raise TableError([Issue(f"sheet {ws.title!r} is a chart, not a table; give the "
                                    "sheet of the table", file=path.name)])
        ws.reset_dimensions()  # the size a writer recorded may be wrong: read every row there
        rows = [(n, [cell_to_text(v) for v in values])
                for n, values in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    return name, iter(rows)


def sheet_name(path: Path, sheet: str | int | None) -> str:
    """``file, sheet 'S'``: how messages name the sheet ``sheet_rows`` reads, without
    reading its rows (the file name alone when the workbook cannot be opened: reading the
    table says why)."""
    import zipfile

    failed: tuple[type[BaseException], ...] = (TableError, OSError, ValueError, KeyError,
                                               TypeError, ImportError, zipfile.BadZipFile)
    try:
        if path.suffix.lower() == ".xls":
            import xlrd

            failed += (xlrd.XLRDError, AssertionError, IndexError)
            book = xlrd.open_workbook(str(path), on_demand=True)
            try:
                names = list(book.sheet_names())
            finally:
                book.release_resources()
        else:
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                names = list(wb.sheetnames)
            finally:
                wb.close()
        return f"{path.name}{SHEET_MARK}{names[_pick(names, sheet, 'table', path.name)]!r}"
    except failed:
        return path.name


def _xls_rows(path: Path, what: str, sheet: str | int | None
              ) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    xlrd = _need("xlrd", ".xls")
    try:
        book = xlrd.open_workbook(str(path), on_demand=False)
    except (xlrd.XLRDError, ValueError, OSError, AssertionError, IndexError) as e:
        raise TableError([Issue(
            f"cannot read the {what} file as an Excel 97-2003 workbook ({e}); save it "
            "again as .xlsx, or as CSV UTF-8", file=path.name)]) from None
    names = list(book.sheet_names())
    ws = book.sheet_by_index(_pick(names, sheet, what, path.name))
    name = f"{path.name}{SHEET_MARK}{ws.name!r}"

    def value(cell: Any) -> Any:
        if cell.ctype == xlrd.XL_CELL_DATE:
            t = xlrd.xldate_as_datetime(cell.value, book.datemode)
            return t.time() if cell.value < 1 else t
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#ERROR")
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        return cell.value

    def rows() -> Iterator[tuple[int, list[str]]]:
        for r in range(ws.nrows):
            yield r + 1, [cell_to_text(value(c)) for c in ws.row(r)]

    return name, rows()


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 is ``A``, 26 is ``AA``)."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out
