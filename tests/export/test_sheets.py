"""Route sheets: what each sheet holds, in English and Chinese; the PDF read back with
poppler; one sheet rendered in a real headless Chromium; bad input; written whole.

A small Shanghai territory (Chinese names, phones, a follow-up, an appointment) is
solved once per module with a tiny search; the Monaco example once more, for the
sheets of the reference case. PDFs are made for one or two sheets only.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from routeopt import Horizon, Outlet, Plan, Problem, Rep, SolveParams, solve
from routeopt.exceptions import InputError, InputTypeError
from routeopt.export._cli import ExportOptions, Output, write_exports
from routeopt.export._labels import visit_steps
from routeopt.export.sheets import (
    SUBFOLDER,
    pdf_writer,
    render_sheet,
    sheets_writer,
    write_route_sheets,
)
from routeopt.hours import Break, OpeningHours, TimeWindow, format_time
from routeopt.problem import Appointment, ExtraVisit, VisitRule
from routeopt.replan import LogEntry

MONDAY = date(2026, 12, 7)
ROOT = Path(__file__).resolve().parents[2]


# -- the territory -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _CrmOutlet(Outlet):
    """An outlet with the extra columns of its table (until ``Outlet.attributes`` exists)."""

    attributes: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)


def outlet(attributes: Mapping[str, str], **kw: Any) -> Outlet:
    if "attributes" in Outlet.__dataclass_fields__:
        return Outlet(attributes=attributes, **kw)  # type: ignore[call-arg]
    return _CrmOutlet(attributes=attributes, **kw)


NAMES = ["华润万家 徐汇店", "老百姓大药房", "联华超市 天钥桥路店", "全家便利店 漕溪北路",
         "好德便利", "国药控股大药房"]


def shanghai() -> Problem:
    hours = OpeningHours.parse("Mo-Fr 08:30-12:00,13:00-19:00")
    outlets = []
    for k, name in enumerate(NAMES):
        extra: dict[str, Any] = {}
        if k == 1:
            extra["extra_visits"] = (ExtraVisit(MONDAY, MONDAY + timedelta(days=2),
                                                label="follow_up"),)
        if k == 2:
            extra["appointments"] = (Appointment(MONDAY + timedelta(days=1),
                                                 TimeWindow(10 * 3600, 10 * 3600 + 1800)),)
        outlets.append(outlet(
            {"Phone": f"021-6488 10{k:02d}", "contact": f"王经理{k}", "purpose": "新品铺货"},
            id=f"SH-{k + 1:03d}", name=name, address=f"上海市徐汇区漕溪北路{100 + k * 10}号",
            lat=31.190 + 0.004 * k, lon=121.430 + 0.003 * (k % 3),
            rule=VisitRule(per_week=2 if k < 2 else 1), service=75 * 60,
            priority=1 if k == 0 else 3, hours=hours, **extra))
    rep = Rep("R1", 31.185, 121.425, name="张伟", shift=TimeWindow.parse("08:30-17:30"),
              lunch=Break.parse("12:00-13:30/45"), working_days=frozenset({0, 1, 2}))
    return Problem(outlets, [rep], Horizon(MONDAY, 1))


@pytest.fixture(scope="module")
def plan() -> Plan:
    return solve(shanghai(), SolveParams(max_iterations=20, seed=1))


@pytest.fixture(scope="module")
def monaco() -> Plan:
    from routeopt.read import read_problem

    data = ROOT / "examples" / "data" / "monaco"
    problem = read_problem(data / "outlets.csv", data / "reps.csv", start="2026-11-30", weeks=1)
    return solve(problem, SolveParams(max_iterations=30, seed=0))


def one_route(plan: Plan, k: int = 0) -> Plan:
    return dataclasses.replace(plan, routes=(plan.routes[k],))


class _Rows(HTMLParser):
    """The route table's stop rows: each ``<tr class="stop">`` as its text cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and "stop" in (a.get("class") or "").split():
            self.rows.append((a.get("data-outlet") or "", []))
        elif tag == "td" and self.rows and self._cell is None:
            self._cell = []
        elif tag == "tr":
            self._cell = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self.rows:
            self.rows[-1][1].append(" ".join("".join(self._cell).split()).replace(" ,", ","))
            self._cell = None
        if tag == "tbody":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data + " ")


def stop_rows(html: str) -> list[tuple[str, list[str]]]:
    p = _Rows()
    p.feed(html)
    return p.rows


def hhmm(seconds: int) -> str:
    return format_time(seconds // 60 * 60)


# -- tools ---------------------------------------------------------------------------------
def need(tool: str) -> str:
    """The path of a program; in CI (``ROUTEOPT_REQUIRE_SERVERS``) a missing one fails."""
    path = shutil.which(tool)
    if path:
        return path
    hint = f"{tool} is not installed: run .ci/setup/sheets.sh (Debian packages)"
    if os.environ.get("ROUTEOPT_REQUIRE_SERVERS"):
        pytest.fail(hint)
    pytest.skip(hint)


def need_weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as e:
        if os.environ.get("ROUTEOPT_REQUIRE_SERVERS"):
            pytest.fail(f"WeasyPrint cannot be used: {e}")
        pytest.skip(f"WeasyPrint cannot be used: {e}")


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return need(name)
    return need("chromium")


def headless(*args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars", *args],
            capture_output=True, text=True, timeout=120, check=True)


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows of an 8-bit RGB(A) PNG (stdlib only)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
            channels = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows = zlib.decompress(idat), width * channels, []
    prev = bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def inked_share_pgm(path: Path) -> float:
    """The share of pixels darker than light grey in a binary PGM (``pdftoppm -gray``)."""
    data = path.read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert m is not None
    w, h = int(m[1]), int(m[2])
    px = data[m.end():m.end() + w * h]
    return sum(1 for v in px if v < 200) / (w * h)


# -- what a sheet holds ---------------------------------------------------------------------
def test_every_stop_is_in_order_with_its_times_address_and_phone(plan: Plan) -> None:
    for route in plan.routes:
        html = render_sheet(plan, route.rep_id, route.date)
        rows = stop_rows(html)
        assert [oid for oid, _ in rows] == [s.outlet_id for s in route.stops]
        by_id = {o.id: o for o in plan.problem.outlets}
        for (_, cells), stop in zip(rows, route.stops, strict=True):
            text = " | ".join(cells)
            assert hhmm(stop.arrival) in cells[1]
            assert f"{hhmm(stop.start)}–{hhmm(stop.end)}" in cells[2]
            o = by_id[stop.outlet_id]
            assert o.name in text and o.address in text
            assert o.attributes["Phone"] in cells[4]  # type: ignore[attr-defined]
            assert "新品铺货" in cells[7]
        weekday = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")[route.date.weekday()]
        assert f"<h1>{weekday} · " in html
        assert hhmm(route.depart) in html and hhmm(route.back) in html


def test_the_lunch_break_is_a_row_between_the_stops_it_falls_between(plan: Plan) -> None:
    route = next(r for r in plan.routes if r.break_start is not None)
    html = render_sheet(plan, route.rep_id, route.date)
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    kinds = re.findall(r'<tr class="(stop|leg depart|leg break|leg back)', body)
    assert kinds[0] == "leg depart" and kinds[-1] == "leg back"
    k = kinds.index("leg break")
    assert route.break_start is not None and route.break_end is not None
    before = sum(1 for s in route.stops if s.arrival < route.break_start)
    assert kinds[1:k].count("stop") == before
    assert f"{hhmm(route.break_start)}–{hhmm(route.break_end)}" in body


def test_english_and_chinese_labels_and_the_default_checklist(plan: Plan) -> None:
    route = plan.routes[0]
    en = render_sheet(plan, route.rep_id, route.date, lang="en")
    zh = render_sheet(plan, route.rep_id, route.date, lang="zh")
    for word in ("Route sheet", "Departure", "Lunch break", "Open today", "Visit steps", "Agreed"):
        assert word in en
        assert word not in zh
    for word in ("当日拜访路线表", "出发", "午休", "今日营业", "拜访八步骤", "确认订货", "实点库存",
                 "星期一"):
        assert word in zh
    assert '<html lang="zh">' in zh
    for lang, html in (("en", en), ("zh", zh)):
        steps = visit_steps(lang)
        assert len(steps) == 8
        assert html.count('<span class="box"></span>') == 8 * len(route.stops)
        for s in steps:
            assert s in html
    assert visit_steps("zh")[:3] == ("准备", "打招呼", "店情查看")


def test_the_checklist_can_be_chosen_or_left_out(plan: Plan) -> None:
    route = plan.routes[0]
    mine = render_sheet(plan, route.rep_id, route.date, checklist=["Photo of the shelf", "POP"])
    assert mine.count('<span class="box"></span>') == 2 * len(route.stops)
    assert "Photo of the shelf" in mine and "Merchandise" not in mine
    none = render_sheet(plan, route.rep_id, route.date, checklist=[])
    assert '<span class="box">' not in none
    with pytest.raises(InputTypeError, match="checklist must be a list of step names"):
        render_sheet(plan, route.rep_id, route.date, checklist="Prepare")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="checklist has an empty step"):
        render_sheet(plan, route.rep_id, route.date, checklist=["Prepare", " "])


def test_hours_of_the_day_priority_appointment_and_follow_up(plan: Plan) -> None:
    appt = next(r for r in plan.routes if r.date == MONDAY + timedelta(days=1))
    html = render_sheet(plan, appt.rep_id, appt.date)
    rows = dict(stop_rows(html))
    assert "08:30–12:00, 13:00–19:00" in rows["SH-001"][5]
    assert rows["SH-001"][6].startswith("A") and "key account" in rows["SH-001"][6]
    assert "Appointment 10:00–10:30" in rows["SH-003"][3]
    follow = next((r, s) for r in plan.routes for s in r.stops if s.label == "follow_up")
    html = render_sheet(plan, follow[0].rep_id, follow[0].date)
    assert "Follow-up" in dict(stop_rows(html))["SH-002"][3]
    assert "Follow-up: this visit (due Mon 7 Dec – Wed 9 Dec)" in html


def test_the_visit_log_gives_the_last_visit_its_note_and_the_open_follow_ups(plan: Plan) -> None:
    route = plan.routes[-1]
    first = route.stops[0].outlet_id
    log = [LogEntry(first, "R1", MONDAY, "done", note="答应下周送海报"),
           LogEntry(first, "R1", MONDAY - timedelta(days=3), "done", note="old"),
           LogEntry(first, "R1", route.date - timedelta(days=1), "", "follow_up",
                    due=route.date + timedelta(days=1), reason="objection", note="价格太高")]
    html = render_sheet(plan, route.rep_id, route.date, lang="zh", log=log)
    card = html[html.index(f'id="day-R1-{route.date}-1"'):]
    card = card[:card.index("</article>")]
    assert "上次拜访" in card and "12月7日 (R1): 答应下周送海报" in card
    assert "old" not in card
    asked = route.date - timedelta(days=1)
    assert f"异议 (提出于 {asked.month}月{asked.day}日" in card and "价格太高" in card
    other = route.stops[1].outlet_id
    card2 = html[html.index(f'id="day-R1-{route.date}-2"'):]
    assert other and "拜访记录中没有" in card2[:card2.index("</article>")]


def test_a_visit_log_file_is_read_and_checked_with_its_lines(plan: Plan, tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("outlet_id,rep_id,date,status,note\n"
                   "SH-001,R1,2026-12-07,done,shelf fixed\n"
                   "SH-404,R1,2026-12-07,done,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"log\.csv, line 3.*unknown outlet 'SH-404'"):
        write_route_sheets(plan, tmp_path / "out", log=log, today=date(2026, 12, 8))
    assert not (tmp_path / "out" / SUBFOLDER).exists()
    log.write_text("outlet_id,rep_id,date,status,note\nSH-001,R1,2026-12-07,done,shelf fixed\n",
                   encoding="utf-8")
    later = next(r for r in plan.routes if r.date > MONDAY and
                 any(s.outlet_id == "SH-001" for s in r.stops))
    write_route_sheets(plan, tmp_path / "out", log=log, today=date(2026, 12, 8))
    html = (tmp_path / "out" / SUBFOLDER / "R1" / f"{later.date}.html").read_text()
    assert "Mon 7 Dec (R1): shelf fixed" in html


def test_order_lines_are_printed_with_blank_cells_and_a_blank_form_without(plan: Plan) -> None:
    route = plan.routes[0]
    oid = route.stops[0].outlet_id
    lines = [{"sku": "可乐 500ml", "last_count_date": MONDAY - timedelta(days=7),
              "last_stock": 12, "expected_stock": 4.0, "classic_order": 8,
              "plan_order": 6.5, "note": "rate from 3 counts"}]
    html = render_sheet(plan, route.rep_id, route.date,
                        orders={(route.rep_id, route.date, oid): lines})
    assert html.count('<tr class="order-line">') == 1
    row = html[html.index('<tr class="order-line">'):]
    row = row[:row.index("</tr>")]
    assert re.findall(r'<td class="n">([^<]*)</td>', row) == ["12 (Mon 30 Nov)", "4", "8", "6.5"]
    assert row.count('<td class="blank"></td>') == 2 and "rate from 3 counts" in row
    assert html.count('<tr class="order-blank">') == 3 * (len(route.stops) - 1)


def test_the_map_has_a_numbered_marker_per_stop_the_path_and_a_scale(plan: Plan) -> None:
    route = plan.routes[0]
    html = render_sheet(plan, route.rep_id, route.date)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert svg.count("<circle") == len(route.stops)
    labels = re.findall(r'font-weight="bold" fill="#fff"[^>]*>(\d+)</text>', svg)
    assert labels == [str(k) for k in range(1, len(route.stops) + 1)]
    points = re.search(r'<polyline points="([^"]+)"', svg)
    assert points is not None and len(points[1].split()) == len(route.stops) + 2
    assert re.search(r">\d+(\.\d+)? k?m</text>", svg)
    for x, y in (map(float, p.split(",")) for p in points[1].split()):
        assert 0 <= x <= 360 and 0 <= y <= 250


# -- bad input and writing whole ---------------------------------------------------------------
def test_an_unknown_language_is_a_clear_error_and_writes_nothing(plan: Plan,
                                                                  tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown language 'fr'; use one of en, zh"):
        write_route_sheets(plan, tmp_path, lang="fr")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match="no route of rep 'R9'"):
        render_sheet(plan, "R9", MONDAY)


def test_a_failure_leaves_the_earlier_sheets_whole(plan: Plan, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    first = write_route_sheets(plan, tmp_path)
    before = {p: p.read_bytes() for p in first}
    calls = []

    def fail_on_second(what: str) -> None:
        calls.append(what)
        if len(calls) == 2:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_route_sheets(plan, tmp_path, lang="zh", progress=fail_on_second)
    written = 0
    real = Path.write_bytes

    def disk_full(self: Path, data: Any) -> int:
        nonlocal written
        written += 1
        if written == 2:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_route_sheets(plan, tmp_path, lang="zh")
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in first} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [SUBFOLDER]
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / SUBFOLDER).rglob("*")
                  if p.is_file()) == sorted(p.relative_to(tmp_path) for p in first)


def test_a_sheets_folder_routeopt_did_not_write_is_not_replaced(plan: Plan,
                                                                 tmp_path: Path) -> None:
    (tmp_path / SUBFOLDER).mkdir()
    (tmp_path / SUBFOLDER / "mine.txt").write_text("keep")
    with pytest.raises(InputError, match="not written by routeopt"):
        write_route_sheets(plan, tmp_path)
    assert (tmp_path / SUBFOLDER / "mine.txt").read_text() == "keep"


def test_the_index_lists_every_sheet(plan: Plan, tmp_path: Path) -> None:
    files = write_route_sheets(plan, tmp_path, lang="zh")
    index = (tmp_path / SUBFOLDER / "index.html").read_text()
    assert files[0].name == "index.html" and len(files) == 1 + len(plan.routes)
    for r in plan.routes:
        assert f'href="R1/{r.date}.html"' in index
    assert "拜访路线表" in index


# -- through routeopt export's folder ------------------------------------------------------------
def test_the_sheets_output_through_write_exports(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "share"
    got = write_exports(plan, out, [Output("sheets", "", sheets_writer)],
                        ExportOptions(lang="zh"))
    assert "sheets/index.html" in got and "manifest.json" in got
    assert sum(1 for k in got if k.endswith(".html")) == 1 + len(plan.routes)
    assert "当日拜访路线表" in got[f"sheets/R1/{plan.routes[0].date}.html"].read_text()


def test_sheets_and_pdf_outputs_render_the_pdfs_once(plan: Plan, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    need_weasyprint()
    import weasyprint

    renders = []
    real = weasyprint.HTML.render

    def counted(self: Any, *a: Any, **k: Any) -> Any:
        renders.append(1)
        return real(self, *a, **k)

    monkeypatch.setattr(weasyprint.HTML, "render", counted)
    small = one_route(plan)
    got = write_exports(small, tmp_path / "share",
                        [Output("sheets", "", sheets_writer), Output("pdf", "", pdf_writer)],
                        ExportOptions(pdf=True))
    day = small.routes[0].date
    monday = day - timedelta(days=day.weekday())
    assert {f"sheets/R1/{day}.pdf", f"sheets/R1/week-{monday}.pdf",
            f"sheets/R1/{day}.html"} <= set(got)
    assert len(renders) == 1


# -- the PDF, read back by poppler ---------------------------------------------------------------
def test_the_chinese_pdf_shows_its_labels_and_names_in_a_cjk_font(plan: Plan,
                                                                   tmp_path: Path) -> None:
    need_weasyprint()
    pdftoppm, pdftotext, pdffonts = need("pdftoppm"), need("pdftotext"), need("pdffonts")
    small = dataclasses.replace(plan, routes=plan.routes[:2])
    files = write_route_sheets(small, tmp_path, lang="zh", pdf=True)
    pdfs = sorted(p for p in files if p.suffix == ".pdf")
    assert [p.name for p in pdfs] == [f"{r.date}.pdf" for r in small.routes] + [
        f"week-{MONDAY}.pdf"]
    day = pdfs[0]
    subprocess.run([pdftoppm, "-r", "40", "-gray", day, tmp_path / "page"], check=True)
    pages = sorted(tmp_path.glob("page*.pgm"))
    assert pages
    for page in pages:
        assert inked_share_pgm(page) > 0.01, f"{page.name} is blank"
    text = subprocess.run([pdftotext, "-layout", day, "-"], capture_output=True, text=True,
                          check=True).stdout
    for word in ("当日拜访路线表", "出发", "午休", "今日营业", "拜访八步骤", "产品生动化",
                 "确认订货"):
        assert word in text
    first = next(o for o in plan.problem.outlets if o.id == small.routes[0].stops[0].outlet_id)
    assert first.name.split()[0] in text
    fonts = subprocess.run([pdffonts, day], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Noto.?Sans.?CJK|Source.?Han.?Sans|WenQuanYi|Zen.?Hei",
                     fonts), fonts
    week = subprocess.run([pdftotext, pdfs[-1], "-"], capture_output=True, text=True,
                          check=True).stdout
    assert week.count("当日拜访路线表") == 2


# -- a real browser -----------------------------------------------------------------------
def test_a_sheet_in_headless_chromium(plan: Plan, tmp_path: Path) -> None:
    route = plan.routes[0]
    write_route_sheets(plan, tmp_path, lang="zh")
    page = (tmp_path / SUBFOLDER / "R1" / f"{route.date}.html").resolve()
    shot = tmp_path / "sheet.png"
    headless(f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri())
    assert shot.exists()
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1000, 1400)
    inked = sum(1 for row in rows[::4] for i in range(0, len(row), 12)
                if sum(row[i:i + 3]) < 3 * 200)
    assert inked / (len(rows[::4]) * width / 4) > 0.02
    dom = headless("--dump-dom", page.as_uri()).stdout
    assert len(re.findall(r'<tr class="stop[ "]', dom)) == len(route.stops)
    assert "当日拜访路线表" in dom


# -- the reference case ---------------------------------------------------------------------
def test_the_monaco_sheets_in_english_and_chinese(monaco: Plan, tmp_path: Path) -> None:
    for lang in ("en", "zh"):
        files = write_route_sheets(monaco, tmp_path / lang, lang=lang)
        assert len(files) == 1 + len(monaco.routes)
        for route in monaco.routes:
            html = (tmp_path / lang / SUBFOLDER / route.rep_id / f"{route.date}.html").read_text()
            assert [oid for oid, _ in stop_rows(html)] == [s.outlet_id for s in route.stops]
    need_weasyprint()
    files = write_route_sheets(one_route(monaco), tmp_path / "pdf", lang="en", pdf=True)
    assert sum(1 for p in files if p.suffix == ".pdf") == 2
    assert all(p.stat().st_size > 10_000 for p in files if p.suffix == ".pdf")


def test_the_outputs_of_routeopt_export_name_the_writers() -> None:
    from routeopt.export._cli import OUTPUTS

    by_flag = {o.flag: o for o in OUTPUTS}
    assert by_flag["sheets"].writer() is sheets_writer
    assert by_flag["pdf"].writer() is pdf_writer


def test_a_stock_table_gives_the_order_lines_of_routeopt_orders(
        plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    route = plan.routes[0]
    oid = route.stops[0].outlet_id
    seen: list[Any] = []
    fake = types.ModuleType("routeopt.orders")
    fake.read_stock = lambda source, outlets=None: seen.append((source, outlets)) or "table"  # type: ignore[attr-defined]
    fake.suggest_orders = lambda p, table: [  # type: ignore[attr-defined]
        {"sku": "SKU-1", "last_stock": 5, "expected_stock": 2, "classic_order": 3,
         "plan_order": 4, "note": ""}]
    fake.by_visit = lambda lines: {(route.rep_id, route.date, oid): list(lines)}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "routeopt.orders", fake)
    stock = tmp_path / "stock.csv"
    write_exports(plan, tmp_path / "share", [Output("sheets", "", sheets_writer)],
                  ExportOptions(stock=stock))
    assert seen == [(stock, plan)]
    html = (tmp_path / "share" / SUBFOLDER / "R1" / f"{route.date}.html").read_text()
    assert html.count('<tr class="order-line">') == 1 and "SKU-1" in html


def test_every_label_has_its_own_chinese_words() -> None:
    from routeopt.export._labels import labels

    en, zh = labels("en"), labels("zh")
    assert [k for k in en if zh[k] == en[k]] == []
