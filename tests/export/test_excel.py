"""The Excel workbook, read back with openpyxl: sheets, values and their types."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from routeopt import Plan, open_plan
from routeopt.export.excel import REP_SHEET_COLUMNS, sheet_names, write_workbook

openpyxl = pytest.importorskip("openpyxl")


def _rows(ws: object) -> list[tuple[object, ...]]:
    return list(ws.iter_rows(values_only=True))  # type: ignore[attr-defined]


def test_a_sheet_per_rep_with_its_visits_as_excel_values(attr_plan: Plan,
                                                           tmp_path: Path) -> None:
    path = write_workbook(attr_plan, tmp_path / "plan.xlsx")
    assert path == tmp_path / "plan.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Unscheduled", "R1 North_ Nice_Monaco _A__"]
    ws = book["R1 North_ Nice_Monaco _A__"]
    header, *rows = _rows(ws)
    assert header == (*REP_SHEET_COLUMNS, "phone", "Contact")
    assert len(rows) == attr_plan.scheduled_visits == 8
    by_outlet = {o.id: o for o in attr_plan.problem.outlets}
    want = [(r, seq, s) for r in attr_plan.routes for seq, s in enumerate(r.stops, start=1)]
    for row, (route, seq, stop) in zip(rows, want, strict=True):
        cells = dict(zip(header, row, strict=True))
        o = by_outlet[stop.outlet_id]
        assert cells["date"] == datetime.combine(route.date, time())  # an Excel date
        assert cells["weekday"] == route.date.strftime("%a")
        assert (cells["seq"], cells["outlet_id"], cells["name"]) == (seq, o.id, o.name)
        assert cells["address"] == o.address
        start = timedelta(seconds=stop.start)
        assert isinstance(cells["start"], time)
        assert cells["start"] == (datetime.min + start).time()
        assert cells["end"] == (datetime.min + timedelta(seconds=stop.end)).time()
        assert cells["arrival"] == (datetime.min + timedelta(seconds=stop.arrival)).time()
        assert cells["travel"] == timedelta(seconds=stop.travel_s)  # an Excel duration
        assert cells["wait"] == timedelta(seconds=stop.wait_s)
        assert cells["distance_km"] == pytest.approx(stop.distance_m / 1000)
        assert cells["phone"] == (o.attributes["phone"] or None)  # an empty cell reads None
        assert cells["Contact"] == o.attributes["Contact"]
    # number formats: dates and times shown as such in Excel
    assert ws["A2"].number_format == "yyyy-mm-dd"
    assert ws["I2"].number_format == "hh:mm:ss" and ws["L2"].number_format == "[h]:mm:ss"
    assert ws.freeze_panes == "A2"
    # printed: landscape, one page wide, the header on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"


def test_text_that_looks_like_a_formula_stays_text(attr_plan: Plan, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_workbook(attr_plan, tmp_path / "plan.xlsx"))
    ws = book.worksheets[2]
    header = [c.value for c in ws[1]]
    col = header.index("phone")
    phones = [row[col] for row in ws.iter_rows(min_row=2)]
    p1 = [c for c in phones if c.value == "=1+1"]
    assert p1 and all(c.data_type == "s" for c in p1)  # a string, never a formula
    assert {c.value for c in phones} >= {"+377 93 00 00 00", "=1+1"}


def test_the_summary_and_the_unscheduled_sheets(attr_plan: Plan, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_workbook(attr_plan, tmp_path))
    assert (tmp_path / "plan.xlsx").is_file()
    rows = _rows(book["Summary"])
    assert rows[0][:3] == ("figure", "value", None)
    figures = {r[0]: r[1] for r in rows[1:] if r[0] is not None}
    k = attr_plan.kpis()
    assert figures["scheduled_visits"] == 8 and figures["unscheduled_visits"] == 2
    assert figures["coverage"] == pytest.approx(k["coverage"])
    assert figures["travel_s"] == k["travel_s"]
    assert figures["coverage_by_priority.2"] == pytest.approx(k["coverage_by_priority"]["2"])
    assert figures["start_spread_all_visits.outlets"] == k["start_spread_all_visits"]["outlets"]
    at = next(i for i, r in enumerate(rows) if r[0] == "rep_id")
    per_rep = dict(zip(rows[at], rows[at + 1], strict=True))
    assert per_rep["rep_id"] == "R1" and per_rep["name"] == "North: Nice/Monaco [A]*"
    assert per_rep["visits"] == 8 and per_rep["workload_s"] == k["per_rep"]["R1"]["workload_s"]
    header, *unscheduled = _rows(book["Unscheduled"])
    assert header == ("outlet_id", "name", "address", "priority", "date", "reason", "message",
                      "phone", "Contact")
    assert [(u[0], u[1], u[5], u[7], u[8]) for u in unscheduled] == [
        ("FAR", "Far away", "unreachable", "+377 93 00 00 04", "Contact 4")] * 2


def test_a_workbook_from_the_plan_folder_alone(attr_plan: Plan, tmp_path: Path) -> None:
    attr_plan.write(tmp_path / "plan")
    a = openpyxl.load_workbook(write_workbook(attr_plan, tmp_path / "a.xlsx"))
    b = openpyxl.load_workbook(write_workbook(open_plan(tmp_path / "plan"), tmp_path / "b.xlsx"))
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert _rows(a[name]) == _rows(b[name]), name


def test_written_whole(attr_plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"the old workbook")

    def fail(self: object, f: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", fail)
    with pytest.raises(OSError):
        write_workbook(attr_plan, target)
    assert target.read_bytes() == b"the old workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]  # no temporary file left


def test_sheet_names_follow_excel_rules() -> None:
    names = sheet_names(["Summary", "R/1", "R:1", "'quoted'", "A" * 40, "A" * 40, "history"],
                        taken=["Summary"])
    assert names[0] == "Summary (2)"
    assert names[1] == "R_1" and names[2] == "R_1 (2)"
    assert names[3] == "quoted"
    assert names[4] == "A" * 31 and names[5] == "A" * 27 + " (2)"
    assert names[6] == "history_"
    for n in names:
        assert len(n) <= 31 and not set(n) & set("[]:*?/\\")
        assert not n.startswith("'") and not n.endswith("'")
    assert len({n.casefold() for n in [*names, "Summary"]}) == len(names) + 1


def test_the_writer_of_routeopt_export(attr_plan: Plan, tmp_path: Path) -> None:
    from routeopt.export.excel import write

    assert write(attr_plan, tmp_path, None) == [tmp_path / "plan.xlsx"]
    assert openpyxl.load_workbook(tmp_path / "plan.xlsx").sheetnames[0] == "Summary"
