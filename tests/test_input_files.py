"""Input files as they come: Excel workbooks, GBK CSV, CRM column names.

The same five outlets are written as UTF-8 CSV, UTF-8 with a byte-order mark,
GBK CSV with Chinese headers and names, Excel's "Unicode Text" (UTF-16, tabs),
an ``.xlsx`` workbook with typed cells (written here with openpyxl), one
workbook holding outlets and reps, an ``.xls`` workbook
(``tests/data/input/outlets.xls``, made by LibreOffice 7.4 from
``csv_text(CHINESE)`` saved as ``门店.csv``:
``soffice --headless --infilter="CSV:44,34,76,1" --convert-to xls 门店.csv``)
and a CSV with CRM headers plus a column map; ``routeopt plan`` gives the same
plan for each. Each bad input gets one clear message and exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from routeopt import InputError, TableError
from routeopt._columns import ALIASES, canonical_header, header_key, load_column_map
from routeopt._sources import cell_to_text, decode
from routeopt._tables import read_table
from routeopt.cli import main
from routeopt.read import OUTLET_COLUMNS, REP_COLUMNS, read_outlets, read_problem

START = "2026-11-30"
DATA = Path(__file__).parent / "data" / "input"
CANONICAL = ("outlet_id", "name", "lat", "lon", "frequency", "service_min", "opening_hours",
             "priority", "appointment", "preferred_time")
CHINESE = ("门店编号", "名称", "纬度", "经度", "拜访频率", "拜访时长(分钟)", "营业时间", "优先级",
           "预约", "偏好时间")
CRM = ("Acct No", "Acct Title", "Y", "X", "Calls", "Minutes", "Hours", "Tier", "Booked",
       "Best time")
ROWS = [  # typed as a spreadsheet holds them
    (1001, "老王药店", 43.7350, 7.4250, "1/week", 15, "Mo-Fr 08:00-18:00", "A", None, None),
    (1002, "同仁堂大药房", 43.7400, 7.4200, "2/week", 20, "Mo-Fr 08:00-18:00", "B", None, None),
    (1003, "益丰药房", 43.7312, 7.4189, "1/week", 15, "Mo-Fr 08:00-18:00", "B",
     dt.datetime(2026, 12, 2, 10, 0), None),
    (1004, "海王星辰", 43.7385, 7.4281, "1/week", 30, "Mo-Fr 08:00-18:00", "C", None,
     dt.time(14, 30)),
    (1005, "国大药房", 43.7330, 7.4150, "2/week", 15, "Mo-Fr 08:00-18:00", "A", None, None),
]
REPS = "rep_id,lat,lon,shift\nR1,43.7300,7.4200,08:30-17:30\nR2,43.7380,7.4260,09:00-17:00\n"


def _text(v: object) -> str:
    """A cell as a person types it into a CSV file."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def csv_text(header: tuple[str, ...]) -> str:
    return "".join(",".join(cells) + "\n"
                   for cells in [list(header), *[[_text(v) for v in r] for r in ROWS]])


def write_xlsx(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]] = ROWS,
               sheet: str = "门店", extra_sheet: str | None = "说明") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    if extra_sheet:  # the outlets are not on the first sheet
        wb.active.title = extra_sheet
        wb.active.append(["exported from the CRM"])
        ws = wb.create_sheet(sheet)
    else:
        ws = wb.active
        ws.title = sheet
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    for row in ws.iter_rows(min_row=2):
        row[9].number_format = "hh:mm"  # a time cell, as Excel formats a typed 14:30
    wb.save(path)
    return path


@pytest.fixture
def variants(tmp_path: Path) -> dict[str, list[str]]:
    """The outlets in each form: name -> the arguments of ``routeopt plan`` that read it."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "reps.csv").write_text(REPS, encoding="utf-8")
    (d / "utf8.csv").write_text(csv_text(CANONICAL), encoding="utf-8")
    (d / "bom.csv").write_text(csv_text(CANONICAL), encoding="utf-8-sig")
    (d / "gbk.csv").write_bytes(csv_text(CHINESE).encode("gbk"))
    # Excel's "Unicode Text": UTF-16 with a byte-order mark, tabs between cells
    (d / "unicode.txt").write_bytes(csv_text(CHINESE).replace(",", "\t").encode("utf-16"))
    (d / "crm.csv").write_text(csv_text(CRM), encoding="utf-8")
    (d / "map.toml").write_text(
        "[outlets]\n" + "".join(f'"{c}" = "{o}"\n' for c, o in zip(CRM, CANONICAL, strict=True)),
        encoding="utf-8")
    write_xlsx(d / "outlets.xlsx", CANONICAL)
    book = write_xlsx(d / "book.xlsx", CHINESE)  # outlets and reps in one workbook
    import openpyxl

    wb = openpyxl.load_workbook(book)
    reps = wb.create_sheet("业务员")
    reps.append(["业务员编号", "纬度", "经度", "工作时间"])
    for line in REPS.splitlines()[1:]:
        rid, lat, lon, shift = line.split(",")
        reps.append([rid, float(lat), float(lon), shift])
    wb.save(book)
    return {
        "utf8": ["--outlets", str(d / "utf8.csv")],
        "bom": ["--outlets", str(d / "bom.csv")],
        "gbk": ["--outlets", str(d / "gbk.csv")],
        "gbk-given": ["--outlets", str(d / "gbk.csv"), "--encoding", "gbk"],
        "utf16-tabs": ["--outlets", str(d / "unicode.txt")],
        "xlsx": ["--outlets", str(d / "outlets.xlsx"), "--sheet", "门店"],
        "xlsx-index": ["--outlets", str(d / "outlets.xlsx"), "--sheet", "1"],
        "xls": ["--outlets", str(DATA / "outlets.xls")],
        "crm+map": ["--outlets", str(d / "crm.csv"), "--columns", str(d / "map.toml")],
        "one-book": ["--outlets", str(book), "--sheet", "门店", "--reps", str(book),
                     "--reps-sheet", "业务员"],
        "reps": ["--reps", str(d / "reps.csv")],
    }


def plan(tmp_path: Path, name: str, args: list[str], capsys: pytest.CaptureFixture[str]
         ) -> tuple[int, str, str, Path]:
    out = tmp_path / f"plan-{name}"
    capsys.readouterr()
    code = main(["plan", *args, "--start", START, "--weeks", "1", "--out", str(out),
                 "--iterations", "40", "--seed", "3"])
    got = capsys.readouterr()
    return code, got.out, got.err, out


def test_the_same_outlets_in_every_form_give_the_same_plan(tmp_path, variants, capsys) -> None:
    reps = variants.pop("reps")
    visits = {}
    for name, args in variants.items():
        code, _, err, out = plan(tmp_path, name, args if "--reps" in args else [*args, *reps],
                                 capsys)
        assert code == 0, f"{name}: {err}"
        visits[name] = (out / "visits.csv").read_text(encoding="utf-8")
    first = visits["utf8"]
    assert first.count("\n") == 1 + 7  # header + 7 visits (1+2+1+1+2)
    assert "益丰药房" in first and ",1003," in first and "2026-12-02T10:00:00" in first
    for name, text in visits.items():
        assert text == first, f"{name} gives another plan than utf8"


def test_xls_fixture_holds_typed_cells() -> None:
    """The .xls made by LibreOffice keeps numbers, dates and times typed (not text), and
    reads as the rows a CSV gives."""
    import xlrd

    book = xlrd.open_workbook(str(DATA / "outlets.xls"))
    sheet = book.sheet_by_index(0)
    assert book.sheet_names() == ["门店"]
    assert sheet.cell(1, 0).ctype == xlrd.XL_CELL_NUMBER and sheet.cell(1, 0).value == 1001.0
    assert sheet.cell(3, 8).ctype == xlrd.XL_CELL_DATE  # 2026-12-02 10:00
    assert sheet.cell(4, 9).ctype == xlrd.XL_CELL_DATE  # 14:30
    recs, name, issues = read_table(DATA / "outlets.xls", "outlets", OUTLET_COLUMNS)
    assert name == "outlets.xls, sheet '门店'" and not issues
    assert [line for line, _ in recs] == [2, 3, 4, 5, 6]
    assert recs[2][1]["appointment"] == "2026-12-02 10:00"
    assert recs[3][1]["preferred_time"] == "14:30"
    assert recs[0][1]["outlet_id"] == "1001" and recs[0][1]["lat"] == "43.735"


def test_excel_cells_become_the_text_the_parsers_read() -> None:
    assert cell_to_text(1001.0) == "1001"
    assert cell_to_text(43.7312) == "43.7312"
    assert cell_to_text(0.1 + 0.2) == "0.30000000000000004"  # no digit lost
    assert cell_to_text(dt.datetime(2026, 12, 7)) == "2026-12-07"
    assert cell_to_text(dt.date(2026, 12, 7)) == "2026-12-07"
    assert cell_to_text(dt.time(8, 30)) == "08:30"
    assert cell_to_text(dt.time(8, 29, 59, 999_999)) == "08:30"  # Excel's float rounding
    assert cell_to_text(dt.time(8, 30, 15)) == "08:30:15"
    assert cell_to_text(dt.datetime(2026, 12, 7, 10, 0)) == "2026-12-07 10:00"
    assert cell_to_text(dt.timedelta(hours=25, minutes=5)) == "25:05"
    assert cell_to_text(False) == "false"
    assert cell_to_text(None) == ""


def test_an_excel_row_error_names_the_sheet_row_and_column(tmp_path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][2] = 143.74  # Excel row 3: the second outlet
    path = write_xlsx(tmp_path / "outlets.xlsx", CHINESE, [tuple(r) for r in rows])
    _, issues, _ = read_outlets(path, sheet="门店")
    assert [str(i) for i in issues] == [
        "outlets.xlsx, sheet '门店', row 3, outlet '1002', column 'lat': 143.74 is out of range "
        "(-90 to 90); give WGS-84 latitude in degrees, or geocode the address first"]


def test_a_value_right_of_the_header_names_its_cell(tmp_path) -> None:
    rows = [(*ROWS[0], None, "stray"), *ROWS[1:]]
    path = write_xlsx(tmp_path / "outlets.xlsx", CANONICAL, rows, extra_sheet=None)
    _, issues, _ = read_outlets(path)
    assert len(issues) == 1 and issues[0].line == 2
    assert "a value in column L, right of the header's last column (J)" in issues[0].message


# -- encodings --------------------------------------------------------------------------------
def test_decode_rule() -> None:
    chinese = "门店编号,名称\n1001,老王药店\n"
    assert decode(chinese.encode("utf-8"), "outlets", "o.csv", None) == (chinese, "utf-8")
    assert decode(chinese.encode("utf-8-sig"), "outlets", "o.csv", None) == (chinese, "utf-8")
    assert decode(chinese.encode("gbk"), "outlets", "o.csv", None) == (chinese, "gb18030")
    # Western-European bytes are valid GBK too, but outside GB2312: refused, not garbled
    western = "outlet_id,name\n1,Pharmacie de l'Église\n2,Crème Brûlée\n"
    with pytest.raises(TableError, match=r"o\.csv, line 2: .*not UTF-8 text \(byte 0xc9\).*"
                       r"tried utf-8, gb18030.*--encoding cp1252"):
        decode(western.encode("cp1252"), "outlets", "o.csv", None)
    assert decode(western.encode("cp1252"), "outlets", "o.csv", "cp1252")[0] == western
    # a rare character (堃, outside GB2312) needs the encoding given
    rare = "name\n王堃\n"
    with pytest.raises(TableError, match="--encoding gb18030 if it is Chinese"):
        decode(rare.encode("gb18030"), "outlets", "o.csv", None)
    assert decode(rare.encode("gb18030"), "outlets", "o.csv", "gb18030")[0] == rare
    with pytest.raises(TableError, match=r"unknown encoding 'klingon'"):
        decode(b"a", "outlets", "o.csv", "klingon")


@pytest.mark.parametrize("text", ["门店编号,名称\n1001,老王药店\n",
                                  "名称\n同仁堂大药房,益丰药房,海王星辰\n", "a,b\n国大药房\n"])
def test_gbk_chinese_is_never_taken_for_utf8(text: str) -> None:
    assert decode(text.encode("gbk"), "t", "t.csv", None)[1] == "gb18030"


def test_gbk_and_gb18030_decode_alike_on_gbk_text() -> None:
    text = "".join(ROWS[k][1] for k in range(5)) + "（）·—"
    assert text.encode("gbk").decode("gb18030") == text


# -- column names -----------------------------------------------------------------------------
def test_aliases_are_unambiguous_per_table() -> None:
    for what, table in ALIASES.items():
        seen: dict[str, str] = {}
        for col, names in table.items():
            for n in (col, *names):
                k = header_key(n)
                assert seen.setdefault(k, col) == col, f"{what}: {n!r} means {seen[k]} and {col}"
    known = {"outlets": OUTLET_COLUMNS, "reps": REP_COLUMNS}
    for what, spec in known.items():
        assert set(ALIASES[what]) <= set(spec["required"] + spec["optional"])


def test_aliases_are_documented() -> None:
    """docs/csv-schema.md lists every alias, table by table, and no other."""
    page = (Path(__file__).parents[1] / "docs" / "csv-schema.md").read_text(encoding="utf-8")
    section = page.split("### Built-in aliases", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, dict[str, set[str]]] = {}
    table = None
    for line in section.splitlines():
        head = re.match(r"\*\*(.+)\*\*", line)
        if head:
            table = head[1]
            continue
        m = re.match(r"\| `(\w+)` \| (.+) \|$", line)
        if m and table:
            documented.setdefault(table, {})[m[1]] = set(re.findall(r"`([^`]+)`", m[2]))
    assert documented == {t: {c: set(n) for c, n in cols.items()} for t, cols in ALIASES.items()}


def test_aliases_apply_only_when_the_column_is_absent() -> None:
    known = OUTLET_COLUMNS["required"] + OUTLET_COLUMNS["optional"]
    assert canonical_header(["outlet_id", "门店编号", "latitude", "lon"], "outlets", known, None,
                            file="o.csv", line=1) == ["outlet_id", "门店编号", "lat", "lon"]
    assert canonical_header(["Outlet ID".lower(), "call-frequency"], "outlets", known, None,
                            file=None, line=None) == ["outlet_id", "frequency"]
    # the rep's name in an outlets table is not the outlet's name
    assert canonical_header(["门店名称", "业务员姓名"], "outlets", known, None, file=None,
                            line=None) == ["name", "业务员姓名"]


def test_a_mapping_names_columns_the_aliases_do_not(tmp_path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("Acct No,Y,X,Calls,Name\nA1,43.73,7.42,1/week,Shop\n", encoding="utf-8")
    outlets, issues, _ = read_outlets(path, columns={"Acct No": "outlet_id", "y": "lat",
                                                     " X ": "lon", "Calls": "frequency"})
    assert not issues and outlets[0].id == "A1" and outlets[0].lat == 43.73
    assert outlets[0].name == "Shop"


def test_a_map_saved_as_gbk_reads_as_utf8(tmp_path) -> None:
    text = '[outlets]\n"门店编号" = "outlet_id"\n"频次(每周)" = "frequency"\n'
    (tmp_path / "u.toml").write_text(text, encoding="utf-8")
    (tmp_path / "g.toml").write_bytes(text.encode("gbk"))
    assert load_column_map(tmp_path / "g.toml") == load_column_map(tmp_path / "u.toml") == {
        "outlets": {"门店编号": "outlet_id", "频次(每周)": "frequency"}}


def test_the_map_in_python_and_in_toml_agree(tmp_path, variants) -> None:
    reps = tmp_path / "in" / "reps.csv"
    by_file = read_problem(tmp_path / "in" / "crm.csv", reps, start=START,
                           columns=tmp_path / "in" / "map.toml")
    by_dict = read_problem(tmp_path / "in" / "crm.csv", reps, start=START,
                           columns=load_column_map(tmp_path / "in" / "map.toml"))
    plain = read_problem(tmp_path / "in" / "utf8.csv", reps, start=START)
    assert by_file.outlets == by_dict.outlets == plain.outlets


def test_a_dataframe_gets_the_aliases_and_the_map() -> None:
    import pandas as pd

    df = pd.DataFrame({"门店编号": ["P1"], "纬度": [43.73], "经度": [7.42], "Calls": ["1/week"]})
    outlets, issues, _ = read_outlets(df, columns={"Calls": "frequency"})
    assert not issues and outlets[0].id == "P1"


# -- bad input: one clear message each, exit 2, no traceback ---------------------------------
def _bad(tmp_path: Path, variants: dict[str, list[str]], capsys: pytest.CaptureFixture[str],
         *args: str) -> str:
    code, out, err, folder = plan(tmp_path, "bad", [*args, *variants["reps"]], capsys)
    assert code == 2, err
    assert "Traceback" not in err + out
    assert err.startswith("routeopt: error: 1 problem(s) in the input:\n"), err
    assert "--skip-invalid" not in err  # not the advice for a file that cannot be read
    assert not folder.exists()
    return err.splitlines()[1].strip()


def _map(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_unknown_mapped_column(tmp_path, variants, capsys) -> None:
    crm = variants["crm+map"][1]
    m = _map(tmp_path, '[outlets]\n"Acct No" = "outlet_id"\n"Y" = "lat"\n"X" = "lon"\n'
                       '"Calls" = "frequncy"\n')
    msg = _bad(tmp_path, variants, capsys, "--outlets", crm, "--columns", m)
    assert msg.startswith("crm.csv, line 1, column 'frequncy': the column map maps 'Calls' to "
                          "'frequncy', which is not a column of the outlets table; use one of: "
                          "outlet_id, lat, lon, frequency, name"), msg


def test_duplicate_mapping(tmp_path, variants, capsys) -> None:
    crm = variants["crm+map"][1]
    m = _map(tmp_path, '[outlets]\n"Acct No" = "outlet_id"\n"Acct Title" = "outlet_id"\n'
                       '"Y" = "lat"\n"X" = "lon"\n"Calls" = "frequency"\n')
    msg = _bad(tmp_path, variants, capsys, "--outlets", crm, "--columns", m)
    assert msg == ("crm.csv, line 1, column 'outlet_id': the column map maps both 'Acct No' "
                   "and 'Acct Title' to 'outlet_id'; map one header to each column")


def test_mapped_header_missing_from_the_file(tmp_path, variants, capsys) -> None:
    crm = variants["crm+map"][1]
    m = _map(tmp_path, '[outlets]\n"Acct No" = "outlet_id"\n"Y" = "lat"\n"X" = "lon"\n'
                       '"Visits" = "frequency"\n')
    msg = _bad(tmp_path, variants, capsys, "--outlets", crm, "--columns", m)
    assert msg.startswith("crm.csv, line 1, column 'frequency': the column map names the header "
                          "'Visits' (for 'frequency'), which the outlets file lacks; fix the map "
                          "or the header (it has: acct no, acct title, y, x, calls"), msg


def test_a_bad_map_file(tmp_path, variants, capsys) -> None:
    utf8 = variants["utf8"][1]
    msg = _bad(tmp_path, variants, capsys, "--outlets", utf8, "--columns",
               _map(tmp_path, '[outlet]\n"A" = "outlet_id"\n'))
    assert msg.startswith("bad.toml: unknown table(s) ['outlet'] in the column map; use "
                          "['outlets', 'reps', 'log']"), msg
    msg = _bad(tmp_path, variants, capsys, "--outlets", utf8, "--columns",
               _map(tmp_path, '[outlets]\n"A" = "outlet_id"\n"A" = "name"\n'))
    assert msg.startswith("bad.toml: cannot read the column map as TOML: "), msg


def test_two_aliases_of_one_column(tmp_path, variants, capsys) -> None:
    path = tmp_path / "two.csv"
    path.write_text("门店编号,客户编号,纬度,经度,拜访频率\n1,2,43.73,7.42,1/week\n",
                    encoding="utf-8")
    msg = _bad(tmp_path, variants, capsys, "--outlets", str(path))
    assert msg.startswith("two.csv, line 1, column 'outlet_id': the header has '门店编号' and "
                          "'客户编号', which both mean 'outlet_id'; keep one, or say which one "
                          "with a column map"), msg


def test_missing_sheet(tmp_path, variants, capsys) -> None:
    xlsx = variants["xlsx"][1]
    msg = _bad(tmp_path, variants, capsys, "--outlets", xlsx, "--sheet", "Outlets")
    assert msg == ("outlets.xlsx: the outlets workbook has no sheet 'Outlets'; its sheets are: "
                   "'说明', '门店'. Give one of them with --sheet (sheet= in Python), by name "
                   "or 0-based index")
    msg = _bad(tmp_path, variants, capsys, "--outlets", xlsx, "--sheet", "2")
    assert "no sheet '2' (a 0-based index); its sheets are: '说明', '门店'" in msg


def test_wrong_encoding(tmp_path, variants, capsys) -> None:
    gbk = variants["gbk"][1]
    msg = _bad(tmp_path, variants, capsys, "--outlets", gbk, "--encoding", "utf-8")
    assert msg == ("gbk.csv, line 1: the outlets file cannot be decoded as utf-8 (byte 0xc3); "
                   "give its real encoding (--encoding, or encoding= in Python), e.g. utf-8, "
                   "gb18030 or cp1252, or save it as 'CSV UTF-8'")
    western = tmp_path / "west.csv"
    western.write_bytes("outlet_id,name,lat,lon,frequency\nP1,Église,43.73,7.42,1/week\n"
                        .encode("cp1252"))
    msg = _bad(tmp_path, variants, capsys, "--outlets", str(western))
    assert msg.startswith("west.csv, line 2: the outlets file is not UTF-8 text (byte 0xc9)")
    assert "tried utf-8, gb18030" in msg and "--encoding cp1252" in msg


def test_row_problems_still_get_the_skip_advice(tmp_path, variants, capsys) -> None:
    """The --skip-invalid advice stays for bad rows, in a workbook too."""
    rows = [list(r) for r in ROWS]
    rows[0][4] = "often"
    path = write_xlsx(tmp_path / "rows.xlsx", CANONICAL, [tuple(r) for r in rows],
                      extra_sheet=None)
    code, _, err, _ = plan(tmp_path, "rows", ["--outlets", str(path), *variants["reps"]], capsys)
    assert code == 2
    assert "rows.xlsx, sheet '门店', row 2, outlet '1001', column 'frequency'" in err
    assert "pass --skip-invalid" in err


def test_skip_invalid_counts_the_rows_of_a_workbook(tmp_path, variants, capsys) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][2] = "north"  # 1002, 2 visits a week, left out
    path = write_xlsx(tmp_path / "rows.xlsx", CHINESE, [tuple(r) for r in rows])
    code, _, err, folder = plan(tmp_path, "skip", ["--outlets", str(path), "--sheet", "门店",
                                                   "--skip-invalid", *variants["reps"]], capsys)
    assert code == 0, err
    import csv

    with (folder / "rejected.csv").open(encoding="utf-8", newline="") as f:
        rejected = list(csv.DictReader(f))
    assert [(r["file"], r["line"], r["outlet_id"], r["column"]) for r in rejected] == [
        ("rows.xlsx, sheet '门店'", "3", "1002", "lat")]
    assert '"skipped_visits": 2' in (folder / "summary.json").read_text(encoding="utf-8")


def test_api_errors_are_table_errors(tmp_path) -> None:
    path = write_xlsx(tmp_path / "o.xlsx", CANONICAL)
    with pytest.raises(TableError, match="no sheet 'x'"):
        read_outlets(path, sheet="x")
    with pytest.raises(InputError, match="which the outlets file lacks"):
        read_outlets(path, sheet=1, columns={"nope": "name"})


def test_a_file_that_is_not_a_workbook(tmp_path) -> None:
    path = tmp_path / "o.xlsx"
    path.write_text("outlet_id,lat\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"o\.xlsx: cannot read the outlets file as an Excel "
                                         r"workbook"):
        read_outlets(path)
    (tmp_path / "o.xls").write_bytes(b"not a workbook")
    with pytest.raises(TableError, match="as an Excel 97-2003 workbook"):
        read_outlets(tmp_path / "o.xls")


# -- replan, batch options --------------------------------------------------------------------
def test_replan_reads_a_workbook_log_and_gbk_outlets_alike(tmp_path, variants, capsys) -> None:
    """A visit log with Chinese headers in a workbook and GBK outlets re-plan as CSV does."""
    import csv

    import openpyxl

    code, _, err, first = plan(tmp_path, "first", [*variants["utf8"], *variants["reps"]], capsys)
    assert code == 0, err
    with (first / "visits.csv").open(encoding="utf-8", newline="") as f:
        monday = [r for r in csv.DictReader(f) if r["date"] == "2026-11-30"]
    assert monday
    v = monday[0]
    log = tmp_path / "in" / "log.csv"
    log.write_text(f"outlet_id,rep_id,date,status\n{v['outlet_id']},{v['rep_id']},2026-11-30,"
                   "missed\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.title = "日志"
    wb.active.append(["门店编号", "业务员编号", "日期", "状态"])
    wb.active.append([int(v["outlet_id"]), v["rep_id"], dt.datetime(2026, 11, 30), "missed"])
    wb.save(tmp_path / "in" / "log.xlsx")
    common = ["--previous", str(first), "--today", "2026-12-01", "--iterations", "40",
              "--seed", "3", *variants["reps"]]
    results = []
    for name, args in (("csv", [*variants["utf8"], "--log", str(log)]),
                       ("xlsx", [*variants["gbk"], "--log", str(tmp_path / "in" / "log.xlsx"),
                                 "--log-sheet", "日志"])):
        out = tmp_path / f"replan-{name}"
        capsys.readouterr()
        code = main(["replan", *args, *common, "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 0, f"{name}: {err}"
        results.append((out / "visits.csv").read_text(encoding="utf-8"))
        changes = json.loads((out / "replan.json").read_text(encoding="utf-8"))["changes"]
        assert changes["added"] == 1  # the missed visit, made up: the log was read
    assert results[0] == results[1]


def test_batch_options_take_an_encoding_and_a_column_map() -> None:
    from routeopt.batch.territory import TerritoryOptions

    opts = TerritoryOptions().updated({"encoding": "gbk", "columns": {
        "outlets": {"Acct No": "outlet_id"}, "reps": {"Owner": "rep_id"}}}, file="batch.toml")
    opts = opts.updated({"columns": {"outlets": {"Calls": "frequency"}}}, file="territory.toml")
    assert opts.encoding == "gbk"
    assert opts.columns == {"outlets": {"Calls": "frequency"}, "reps": {"Owner": "rep_id"}}
    assert opts.to_dict()["columns"]["reps"] == {"Owner": "rep_id"}
    with pytest.raises(InputError, match=r"batch\.toml, column 'encoding': encoding = 'klingon' "
                                         r"should name an encoding"):
        TerritoryOptions().updated({"encoding": "klingon"}, file="batch.toml")
    with pytest.raises(InputError, match=r"batch\.toml, column 'columns': unknown table\(s\) "
                                         r"\['outlet'\]"):
        TerritoryOptions().updated({"columns": {"outlet": {"A": "outlet_id"}}}, file="batch.toml")


def test_a_territory_folder_is_planned_with_its_map_and_encoding(tmp_path) -> None:
    from routeopt.batch.task import TaskInput, plan_territory
    from routeopt.batch.territory import TerritoryOptions
    from routeopt.solver import SolveParams

    src = tmp_path / "t1"
    src.mkdir()
    (src / "outlets.csv").write_bytes(csv_text(CRM).replace("Acct Title", "名称")
                                      .encode("gbk"))
    (src / "reps.csv").write_text(REPS, encoding="utf-8")
    cmap = {"outlets": {c: o for c, o in zip(CRM, CANONICAL, strict=True) if c != "Acct Title"}}
    opts = TerritoryOptions(start=dt.date(2026, 11, 30), solve=SolveParams(max_iterations=20),
                            encoding="gb18030", columns=cmap)
    summary = plan_territory(TaskInput("t1", src, tmp_path / "out", opts))
    assert summary["coverage"] == 1.0
    assert "老王药店" in (tmp_path / "out" / "visits.csv").read_text(encoding="utf-8")


def test_workbook_rows_keep_their_numbers_across_blank_rows(tmp_path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B3"], ws["C3"], ws["D3"], ws["E3"] = "outlet_id", "lat", "lon", "frequency"
    for col, v in zip("BCDE", ("P1", 43.73, 7.42, "1/week"), strict=True):
        ws[f"{col}4"] = v
    for col, v in zip("BCDE", ("P2", 143.7, 7.42, "1/week"), strict=True):
        ws[f"{col}6"] = v  # row 5 is blank
    wb.save(tmp_path / "gaps.xlsx")
    outlets, issues, lines = read_outlets(tmp_path / "gaps.xlsx")
    assert [o.id for o in outlets] == ["P1"] and lines == {"P1": 4}
    assert [(i.file, i.line, i.column) for i in issues] == [
        ("gaps.xlsx, sheet 'Sheet'", 6, "lat")]


def test_problem_checks_name_the_sheet_and_row_too(tmp_path, variants) -> None:
    """Issues found once the rows are read (an unknown rep) are placed like row issues."""
    header = (*CANONICAL, "rep_id")
    rows = [(*r, "R1") for r in ROWS]
    rows[2] = (*ROWS[2], "R9")  # row 4
    path = write_xlsx(tmp_path / "o.xlsx", header, rows)
    with pytest.raises(InputError) as info:
        read_problem(path, tmp_path / "in" / "reps.csv", start=START, sheet="门店")
    assert [str(i) for i in info.value.issues] == [
        "o.xlsx, sheet '门店', row 4, outlet '1003', column 'rep_id': rep 'R9' is not in the "
        "reps table; add it or clear rep_id"]


def test_a_visit_log_takes_a_column_map(tmp_path) -> None:
    from routeopt import Horizon, Outlet, Problem, Rep
    from routeopt.replan import read_visit_log

    p = Problem([Outlet("P1", 43.73, 7.42)], [Rep("R1", 43.74, 7.42)],
                Horizon(dt.date(2026, 11, 30)))
    log = tmp_path / "log.csv"
    log.write_text("Acct,Owner,Day,Result\nP1,R1,2026-11-30,done\n", encoding="utf-8")
    cmap = load_column_map({"log": {"Acct": "outlet_id", "Owner": "rep_id", "Day": "date",
                                    "Result": "status"}})
    entries, issues = read_visit_log(log, p, today=dt.date(2026, 12, 1), columns=cmap["log"])
    assert not issues and [(e.outlet_id, e.status, e.line) for e in entries] == [
        ("P1", "done", 2)]
    with pytest.raises(TableError, match="'Result' to 'state', which is not a column of the "
                                         "visit log table"):
        read_visit_log(log, p, today=dt.date(2026, 12, 1), columns={"Result": "state"})
