"""Order suggestions by the 1.5x rule: the worked example of docs/orders.md, one test per
edge case, properties, and bad stock tables (file, line, column, nothing written)."""

from __future__ import annotations

import csv
import re
import runpy
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routeopt import (
    Appointment,
    Horizon,
    InputError,
    Outlet,
    Plan,
    Problem,
    Rep,
    Route,
    Stop,
    TimeWindow,
    VisitRule,
)
from routeopt.orders import (
    ORDER_COLUMNS,
    OrderLine,
    StockCount,
    StockTable,
    by_visit,
    export_orders,
    orders_frame,
    read_stock,
    sales_rate,
    suggest_orders,
    write_orders,
)
from routeopt.replan import read_visit_log

ROOT = Path(__file__).resolve().parents[1]
MONDAY = date(2026, 11, 30)
STOCK_HEADER = "outlet_id,date,sku,stock,delivered,ordered\n"


def nov(day: int) -> date:
    return date(2026, 11, day)


def problem_of(*outlets: Outlet, weeks: int = 1, plan_from: date | None = None) -> Problem:
    return Problem(list(outlets), [Rep("R1", 43.74, 7.42)], Horizon(MONDAY, weeks=weeks),
                   plan_from=plan_from)


def plan_of(problem: Problem, visits: Sequence[tuple[date, str]], rep: str = "R1") -> Plan:
    """A plan by hand: one route per date with the outlets given for it, in order."""
    days: dict[date, list[str]] = {}
    for d, oid in visits:
        days.setdefault(d, []).append(oid)
    routes = tuple(Route(rep, d, 30600, 36000,
                         tuple(Stop(o, 31000, 31000, 32000, 400, 3000) for o in oids), 400, 3000)
                   for d, oids in sorted(days.items()))
    return Plan(problem, routes, ())


def table(rows: Sequence[tuple[str, date, str, int] | tuple[str, date, str, int, int]
                          | tuple[str, date, str, int, int, int]]) -> StockTable:
    return StockTable(tuple(StockCount(r[0], r[2], r[1], *r[3:]) for r in rows))


def only(lines: list[OrderLine], day: date, sku: str) -> OrderLine:
    found = [ln for ln in lines if ln.date == day and ln.sku == sku]
    assert len(found) == 1, found
    return found[0]


#: The worked example of docs/orders.md: a 2/week outlet seen on Mondays and Thursdays.
COLA = [("P1", nov(16), "cola", 30), ("P1", nov(19), "cola", 18),
        ("P1", nov(23), "cola", 40, 30), ("P1", nov(26), "cola", 25)]
TWICE_A_WEEK = Outlet("P1", 43.73, 7.42, VisitRule(2))
MON_THU = [(MONDAY, "P1"), (MONDAY + timedelta(days=3), "P1")]
COLA_CSV = STOCK_HEADER + ("P1,2026-11-16,cola,30,,\nP1,2026-11-19,cola,18,,\n"
                           "P1,2026-11-23,cola,40,30,\nP1,2026-11-26,cola,25,,\n")


# -- the worked example ------------------------------------------------------------------------
def test_worked_example_by_hand() -> None:
    """The figures of docs/orders.md, computed by hand there."""
    plan = plan_of(problem_of(TWICE_A_WEEK), MON_THU)
    lines = suggest_orders(plan, table(COLA))
    mon, thu = only(lines, MONDAY, "cola"), only(lines, date(2026, 12, 3), "cola")
    # rate: (12 + 8 + 15) units over (3 + 4 + 3) days
    assert mon.rate == 3.5
    assert (mon.last_count_date, mon.last_stock, mon.since, mon.days_since) == (
        nov(26), 25, nov(26), 4)
    assert mon.expected_stock == 11.0  # 25 - 3.5 x 4
    assert mon.sales_since == 14.0
    assert mon.classic_order == 10  # 1.5 x 14 - 11
    assert (mon.next_visit, mon.days_to_next) == (date(2026, 12, 3), 3)
    assert mon.plan_order == 5  # 1.5 x 3.5 x 3 - 11 = 4.75, rounded up
    assert mon.flags == ()
    # Thursday starts from Monday: 11 + the 5 suggested there, less 3 days of 3.5
    assert (thu.since, thu.days_since, thu.incoming) == (MONDAY, 3, 5)
    assert thu.expected_stock == 5.5
    assert thu.sales_since == 10.5
    assert thu.classic_order == 11  # 1.5 x 10.5 - 5.5 = 10.25
    assert (thu.next_visit, thu.days_to_next) == (date(2026, 12, 7), 4)
    assert thu.plan_order == 16  # 1.5 x 3.5 x 4 - 5.5 = 15.5
    assert thu.flags == ("chained", "no_next_visit")
    assert "next on 2026-12-07" in thu.note


def test_the_docs_page_shows_the_figures_the_function_gives() -> None:
    """docs/orders.md's table of the worked example is the function's output (its code
    block runs in tests/test_docs.py; here its hand-written sums are checked too)."""
    page = (ROOT / "docs" / "orders.md").read_text(encoding="utf-8")
    for sums, value in (("25 - 3.5 x 4", 11), ("1.5 x 14 - 11", 10),
                        ("1.5 x 3.5 x 3 - 11", Fraction(19, 4)), ("11 + 5 - 3.5 x 3", 5.5),
                        ("1.5 x 10.5 - 5.5", 10.25), ("1.5 x 3.5 x 4 - 5.5", 15.5)):
        assert sums in page, sums
        assert eval(sums.replace("x", "*")) == value  # the page's sums are right


# -- edge cases --------------------------------------------------------------------------------
def test_no_history_gives_one_line_saying_so() -> None:
    other = Outlet("P2", 43.74, 7.43)
    plan = plan_of(problem_of(TWICE_A_WEEK, other), [(MONDAY, "P1"), (MONDAY, "P2")])
    lines = suggest_orders(plan, table(COLA))
    (p2,) = [ln for ln in lines if ln.outlet_id == "P2"]
    assert p2.sku == "" and p2.flags == ("no_history", "no_next_visit")
    assert p2.next_visit == date(2026, 12, 7)  # one cycle after its Monday
    assert p2.expected_stock is None and p2.classic_order is None and p2.plan_order is None
    assert "no stock count of this outlet" in p2.note


def test_a_sku_counted_only_after_the_visit_has_no_history_for_it() -> None:
    plan = plan_of(problem_of(TWICE_A_WEEK), MON_THU)
    later = [*COLA, ("P1", date(2026, 12, 1), "water", 20)]
    mon = only(suggest_orders(plan, table(later)), MONDAY, "water")
    assert mon.flags[0] == "no_history" and mon.classic_order is None
    assert "the first is on 2026-12-01" in mon.note


def test_one_count_only_gives_no_figures_but_the_sums_for_on_site() -> None:
    plan = plan_of(problem_of(TWICE_A_WEEK), MON_THU)
    lines = suggest_orders(plan, table([("P1", nov(26), "juice", 12, 0, 6)]))
    mon, thu = only(lines, MONDAY, "juice"), only(lines, date(2026, 12, 3), "juice")
    for ln in (mon, thu):
        assert ln.flags[0] == "one_count"
        assert ln.rate is None and ln.expected_stock is None
        assert ln.classic_order is None and ln.plan_order is None
        assert (ln.last_count_date, ln.last_stock) == (nov(26), 12)
    assert mon.incoming == 6 and mon.days_since == 4
    assert "sales = 12 + 6 - count" in mon.note
    assert "classic order = 1.5 x sales - count" in mon.note
    assert "plan-aware = 1.5 x sales / 4 x 3 - count" in mon.note
    # Thursday: Monday's count and agreed order are not known yet, and the note says so
    assert thu.since is None and thu.incoming is None
    assert "the count at the visit of 2026-11-30" in thu.note


def test_negative_sales_are_left_out_of_the_rate_and_said() -> None:
    rows = [("P1", nov(19), "water", 20), ("P1", nov(23), "water", 31),  # +11, nothing delivered
            ("P1", nov(26), "water", 22)]
    rate = sales_rate(table(rows).history("P1", "water"))
    assert [(i.sales, i.days) for i in rate.left_out] == [(-11, 4)]
    assert rate.per_day == 3  # (31 - 22) / 3 days
    plan = plan_of(problem_of(TWICE_A_WEEK), MON_THU)
    mon = only(suggest_orders(plan, table(rows)), MONDAY, "water")
    assert "negative_sales" in mon.flags
    assert "sales negative from 2026-11-19 to 2026-11-23 (-11" in mon.note
    assert mon.rate == 3.0 and mon.expected_stock == 10.0  # 22 - 3 x 4


def test_only_negative_sales_in_the_window_give_no_rate() -> None:
    rows = [("P1", nov(19), "water", 20), ("P1", nov(23), "water", 31)]
    mon = only(suggest_orders(plan_of(problem_of(TWICE_A_WEEK), MON_THU), table(rows)),
               MONDAY, "water")
    assert mon.flags[:2] == ("no_rate", "negative_sales")
    assert mon.classic_order is None and mon.plan_order is None
    assert "no sales rate" in mon.note and "on site: sales = 31 - count" in mon.note


def test_no_next_visit_whole_cycle_the_route_line_repeats() -> None:
    weekly = Outlet("P1", 43.73, 7.42, VisitRule(1))
    plan = plan_of(problem_of(weekly, weeks=2), [(MONDAY, "P1"), (MONDAY + timedelta(7), "P1")])
    lines = suggest_orders(plan, table(COLA))
    last = only(lines, MONDAY + timedelta(7), "cola")
    assert (last.next_visit, last.days_to_next) == (MONDAY + timedelta(14), 7)
    assert "no_next_visit" in last.flags and "repeats every 2 weeks" in last.note
    assert only(lines, MONDAY, "cola").days_to_next == 7


def test_no_next_visit_part_of_a_cycle_uses_the_frequency() -> None:
    # Planned from Wednesday (a re-plan): the route line's start is not in the plan.
    thursday = date(2026, 12, 3)
    plan = plan_of(problem_of(TWICE_A_WEEK, plan_from=date(2026, 12, 2)), [(thursday, "P1")])
    ln = only(suggest_orders(plan, table(COLA)), thursday, "cola")
    assert ln.days_to_next == 4  # 7 / 2 = 3.5 days, to the nearest day (halves up)
    assert ln.next_visit == thursday + timedelta(days=4)
    assert "the interval of its frequency 2/week, 4 days" in ln.note


def test_no_next_visit_and_no_frequency_gives_no_plan_aware_order() -> None:
    thursday = date(2026, 12, 3)
    booked = Outlet("P1", 43.73, 7.42, VisitRule(0),
                    appointments=(Appointment(thursday, TimeWindow(36000, 39600)),))
    plan = plan_of(problem_of(booked, plan_from=date(2026, 12, 2)), [(thursday, "P1")])
    ln = only(suggest_orders(plan, table(COLA)), thursday, "cola")
    assert ln.plan_order is None and ln.days_to_next is None
    assert ln.classic_order is not None  # the classic form needs no next visit
    assert "no next visit known" in ln.note


def test_stock_out_is_flagged_and_the_classic_form_counts_what_the_stock_allowed() -> None:
    rows = [("P1", nov(9), "cola", 50), ("P1", nov(16), "cola", 15)]  # 5 a day
    plan = plan_of(problem_of(TWICE_A_WEEK), MON_THU)
    mon = only(suggest_orders(plan, table(rows)), MONDAY, "cola")
    assert mon.expected_stock == 0.0 and "stock_out" in mon.flags
    assert mon.sales_since == 15.0  # 15 - 0: not 5 x 14 days
    assert mon.classic_order == 23  # 1.5 x 15, rounded up
    assert mon.plan_order == 23  # 1.5 x 5 x 3 = 22.5, rounded up


def test_the_order_agreed_at_the_last_count_is_incoming() -> None:
    rows = [*COLA[:3], ("P1", nov(26), "cola", 25, 0, 10)]
    mon = only(suggest_orders(plan_of(problem_of(TWICE_A_WEEK), MON_THU), table(rows)),
               MONDAY, "cola")
    assert mon.incoming == 10 and mon.expected_stock == 21.0  # 25 + 10 - 14
    assert mon.plan_order == 0  # 15.75 - 21 < 0
    assert "ordered 10" in mon.note


def test_a_count_on_a_planned_day_restarts_the_chain() -> None:
    # Monday was counted (the plan is being looked at after it): Thursday starts there.
    rows = [*COLA, ("P1", MONDAY, "cola", 14)]
    thu = only(suggest_orders(plan_of(problem_of(TWICE_A_WEEK), MON_THU), table(rows)),
               date(2026, 12, 3), "cola")
    assert thu.since == MONDAY and "chained" not in thu.flags
    assert thu.last_stock == 14 and thu.rate == (8 + 15 + 11) / 11  # 25 - 14 over 4 days


def test_the_window_takes_the_latest_intervals() -> None:
    history = table(COLA).history("P1", "cola")
    assert sales_rate(history, window=1).per_day == 5  # 15 over 3 days
    assert sales_rate(history, window=2).per_day == Fraction(23, 7)
    assert sales_rate(history, window=10).per_day == Fraction(35, 10)


def test_two_reps_on_one_day_each_get_the_lines() -> None:
    problem = problem_of(TWICE_A_WEEK)
    a, b = plan_of(problem, [(MONDAY, "P1")], "R1"), plan_of(problem, [(MONDAY, "P1")], "R2")
    plan = Plan(problem, a.routes + b.routes, ())
    groups = by_visit(suggest_orders(plan, table(COLA)))
    assert set(groups) == {("R1", MONDAY, "P1"), ("R2", MONDAY, "P1")}
    r1, r2 = groups[("R1", MONDAY, "P1")][0], groups[("R2", MONDAY, "P1")][0]
    assert r1.plan_order == r2.plan_order and r2.rep_id == "R2"


def test_by_visit_groups_in_route_order() -> None:
    other = Outlet("P2", 43.74, 7.43)
    plan = plan_of(problem_of(TWICE_A_WEEK, other), [(MONDAY, "P2"), (MONDAY, "P1")])
    rows = [*COLA, ("P1", nov(26), "apple", 3)]
    lines = suggest_orders(plan, table(rows))
    assert [(ln.outlet_id, ln.sku) for ln in lines] == [("P2", ""), ("P1", "apple"),
                                                        ("P1", "cola")]
    assert [ln.sku for ln in by_visit(lines)[("R1", MONDAY, "P1")]] == ["apple", "cola"]


def test_bad_parameters() -> None:
    plan = plan_of(problem_of(TWICE_A_WEEK), MON_THU)
    for kwargs, column in (({"safety": 0}, "safety"), ({"safety": "1.5"}, "safety"),
                           ({"window": 0}, "window"), ({"window": 1.5}, "window")):
        with pytest.raises(InputError) as e:
            suggest_orders(plan, table(COLA), **kwargs)  # type: ignore[arg-type]
        assert e.value.issues[0].column == column


def test_safety_is_read_as_written() -> None:
    """1.1 is 11/10, not the float above it: 1.1 x 10 units is 11 to order, not 12."""
    rows = [("P1", nov(12), "cola", 15), ("P1", nov(26), "cola", 5)]  # 10 units in 14 days
    fortnightly = Outlet("P1", 43.73, 7.42, VisitRule(Fraction(1, 2)))
    thursday = date(2026, 12, 3)
    plan = plan_of(problem_of(fortnightly, weeks=2, plan_from=date(2026, 12, 2)),
                   [(thursday, "P1")])
    ln = only(suggest_orders(plan, table(rows), safety=1.1), thursday, "cola")
    assert (ln.days_to_next, ln.expected_stock) == (14, 0.0)  # 5 - 10/14 x 7
    assert ln.plan_order == 11  # 1.1 x 10/14 x 14
    ln = only(suggest_orders(plan, table(rows), safety=Fraction(12, 5)), thursday, "cola")
    assert ln.plan_order == 24


# -- properties --------------------------------------------------------------------------------
counts = st.lists(st.tuples(st.integers(1, 6), st.integers(0, 60), st.integers(0, 40),
                            st.integers(0, 30)), min_size=1, max_size=6)


def _history(steps: list[tuple[int, int, int, int]]) -> StockTable:
    day, rows = MONDAY - timedelta(days=1), []
    for gap, stock, delivered, ordered in reversed(steps):
        rows.append(("P1", day, "cola", stock, delivered, ordered))
        day -= timedelta(days=gap)
    return table(rows)


@settings(max_examples=60, deadline=None)
@given(counts, st.lists(st.integers(1, 6), min_size=1, max_size=4),
       st.sampled_from([1, Fraction(3, 2), 2]))
def test_orders_and_expected_stock_are_never_negative(
        steps: list[tuple[int, int, int, int]], gaps: list[int], safety: Fraction) -> None:
    days = [MONDAY]
    for g in gaps:
        days.append(days[-1] + timedelta(days=g))
    weeks = (days[-1] - MONDAY).days // 7 + 1
    plan = plan_of(problem_of(TWICE_A_WEEK, weeks=weeks), [(d, "P1") for d in days])
    lines = suggest_orders(plan, _history(steps), safety=safety)
    assert len(lines) == len(days)
    for ln in lines:
        for v in (ln.expected_stock, ln.classic_order, ln.plan_order, ln.sales_since):
            assert v is None or v >= 0
        if ln.rate is not None:
            assert ln.plan_order is not None and ln.classic_order is not None
    assert lines == suggest_orders(plan, _history(steps), safety=safety)  # deterministic


@settings(max_examples=60, deadline=None)
@given(counts, st.integers(1, 6), st.integers(1, 6))
def test_the_plan_aware_order_grows_with_the_interval(
        steps: list[tuple[int, int, int, int]], short: int, extra: int) -> None:
    stock = _history(steps)

    def order(gap: int) -> int | None:
        plan = plan_of(problem_of(TWICE_A_WEEK, weeks=2),
                       [(MONDAY, "P1"), (MONDAY + timedelta(days=gap), "P1")])
        return only(suggest_orders(plan, stock), MONDAY, "cola").plan_order

    a, b = order(short), order(short + extra)
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert a <= b


# -- reading stock tables ----------------------------------------------------------------------
def write(tmp_path: Path, text: str, name: str = "stock.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_stock_reads_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, STOCK_HEADER + "P1,2026-11-23,cola,40,30,\n"
                                          "P1,2026-11-26 17:45,cola,25,,10\n")
    t = read_stock(path, outlets=problem_of(TWICE_A_WEEK))
    assert t.file == "stock.csv" and len(t) == 2
    assert [(c.date, c.stock, c.delivered, c.ordered, c.line) for c in t.counts] == [
        (nov(23), 40, 30, 0, 2), (nov(26), 25, 0, 10, 3)]
    assert list(t.to_frame()["stock"]) == [40, 25]
    assert repr(t) == "StockTable(2 counts of 1 outlet, file='stock.csv')"


BAD_STOCK = [
    ("unknown_outlet", "P9,2026-11-23,cola,40,,", "outlet_id",
     r"unknown outlet 'P9': it is not in the outlets table; fix the id or drop the row"),
    ("negative_stock", "P1,2026-11-23,cola,-3,,", "stock",
     r"-3 is negative; give the units counted"),
    ("negative_delivered", "P1,2026-11-23,cola,3,-1,", "delivered",
     r"-1 is negative; give the units delivered since the previous count"),
    ("bad_date", "P1,23/11/2026,cola,3,,", "date", r"'23/11/2026' is not a date; write YYYY-MM-DD"),
    ("not_a_calendar_date", "P1,2026-11-31,cola,3,,", "date", r"'2026-11-31' is not a date"),
    ("empty_date", "P1,,cola,3,,", "date", r"is empty; write YYYY-MM-DD"),
    ("empty_sku", "P1,2026-11-23,,3,,", "sku", r"is empty; name the product counted"),
    ("empty_stock", "P1,2026-11-23,cola,,,", "stock", r"is empty; give the units counted"),
    ("fraction_of_a_unit", "P1,2026-11-23,cola,2.5,,", "stock", r"2.5 is not a whole number"),
    ("not_a_number", "P1,2026-11-23,cola,many,,", "stock", r"'many' is not a number"),
    ("negative_order", "P1,2026-11-23,cola,3,,-2", "ordered", r"-2 is negative"),
    ("duplicate", "P1,2026-11-20,cola,3,,", "date",
     r"SKU 'cola' is counted twice on 2026-11-20: another row \(line 2\) counts it too; keep "
     r"one row per outlet, SKU and date"),
]


@pytest.mark.parametrize(("row", "column", "match"), [c[1:] for c in BAD_STOCK],
                         ids=[c[0] for c in BAD_STOCK])
def test_bad_stock_rows_name_file_line_and_column(tmp_path: Path, row: str, column: str,
                                                  match: str) -> None:
    path = write(tmp_path, STOCK_HEADER + "P1,2026-11-20,cola,30,,\n" + row + "\n")
    with pytest.raises(InputError) as e:
        read_stock(path, outlets=problem_of(TWICE_A_WEEK))
    (issue,) = e.value.issues
    assert (issue.file, issue.line, issue.column) == ("stock.csv", 3, column)
    assert re.search(match, issue.message), issue.message
    assert "stock.csv, line 3" in str(e.value)


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, STOCK_HEADER + "P9,2026-11-20,cola,30,,\nP1,2026-13-01,cola,-1,,\n")
    with pytest.raises(InputError) as e:
        read_stock(path, outlets=["P1"])
    assert [(i.line, i.column) for i in e.value.issues] == [
        (2, "outlet_id"), (3, "date"), (3, "stock")]


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "outlet_id,date,sku,count\nP1,2026-11-20,cola,3\n")
    with pytest.raises(InputError, match="lacks the required column 'stock'") as e:
        read_stock(path)
    assert (e.value.issues[0].line, e.value.issues[0].column) == (1, "stock")


def test_any_outlet_without_outlets_given(tmp_path: Path) -> None:
    path = write(tmp_path, STOCK_HEADER + "P9,2026-11-20,cola,30,,\n")
    assert read_stock(path).outlet_ids == {"P9"}


def test_a_dataframe_names_columns_but_no_file() -> None:
    df = pd.DataFrame({"outlet_id": ["P1"], "date": [pd.Timestamp("2026-11-20")],
                       "sku": ["cola"], "stock": [-2]})
    with pytest.raises(InputError) as e:
        read_stock(df)
    assert (e.value.issues[0].file, e.value.issues[0].column) == (None, "stock")


def test_a_visit_log_carries_the_counts(tmp_path: Path) -> None:
    """One row per visit and SKU counted: the same file is a valid visit log for re-planning,
    and its done visits with a SKU are the counts."""
    text = ("outlet_id,rep_id,date,status,kind,due,sku,stock,delivered\n"
            "P1,R1,2026-11-30 09:10,done,,,cola,25,\n"
            "P1,R1,2026-11-30 09:10,done,,,water,12,6\n"
            "P1,R1,2026-12-01,missed,,,,,\n"
            "P1,R1,2026-12-02,done,,,,,\n"
            "P1,R1,2026-12-01,,follow_up,2026-12-03,,,\n")
    path = write(tmp_path, text, "log.csv")
    problem = problem_of(TWICE_A_WEEK)
    entries, issues = read_visit_log(path, problem, today=date(2026, 12, 3))
    assert issues == [] and len(entries) == 5
    t = read_stock(path, outlets=problem)
    assert [(c.sku, c.stock, c.delivered, c.line) for c in t.counts] == [
        ("cola", 25, 0, 2), ("water", 12, 6, 3)]


def test_stock_counts_check_themselves() -> None:
    with pytest.raises(InputError, match="stock is negative"):
        StockCount("P1", "cola", MONDAY, -1)
    with pytest.raises(TypeError, match=r"StockCount\.stock must be whole units"):
        StockCount("P1", "cola", MONDAY, 2.5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="counted twice on 2026-11-30"):
        StockTable((StockCount("P1", "cola", MONDAY, 1), StockCount("P1", "cola", MONDAY, 2)))


# -- the table and the file --------------------------------------------------------------------
def test_write_orders_writes_blanks_for_the_rep(tmp_path: Path) -> None:
    stock = write(tmp_path, COLA_CSV)
    plan = plan_of(problem_of(TWICE_A_WEEK), MON_THU)
    (path,) = write_orders(plan, stock, tmp_path / "out")
    assert path == tmp_path / "out" / "orders.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == ORDER_COLUMNS
    assert [(r["date"], r["classic_order"], r["plan_order"], r["count"], r["agreed_order"])
            for r in rows] == [("2026-11-30", "10", "5", "", ""),
                               ("2026-12-03", "11", "16", "", "")]
    assert rows[1]["expected_stock"] == "5.5" and rows[1]["flags"] == "chained;no_next_visit"


def test_bad_stock_writes_nothing(tmp_path: Path) -> None:
    stock = write(tmp_path, STOCK_HEADER + "P1,2026-11-20,cola,30,,\nP9,2026-11-23,cola,4,,\n")
    plan = plan_of(problem_of(TWICE_A_WEEK), MON_THU)
    target = tmp_path / "orders.csv"
    target.write_text("the previous orders\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown outlet 'P9'"):
        write_orders(plan, stock, target)
    assert target.read_text(encoding="utf-8") == "the previous orders\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv", "stock.csv"]


def test_orders_frame_keeps_missing_figures_missing() -> None:
    plan = plan_of(problem_of(TWICE_A_WEEK, Outlet("P2", 43.74, 7.43)),
                   [(MONDAY, "P1"), (MONDAY, "P2")])
    df = orders_frame(suggest_orders(plan, table(COLA)))
    assert list(df.columns) == list(ORDER_COLUMNS)
    plan_order = df["plan_order"].astype(object).where(df["plan_order"].notna(), None)
    assert list(plan_order) == [26, None]  # P1's next visit: Monday + 7 days
    assert str(df["plan_order"].dtype) == "Int64"


@pytest.mark.filterwarnings("ignore::routeopt.CycleWarning")  # a 1-week plan, for speed
def test_the_monaco_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled stock counts read cleanly against the Monaco outlets, and the example
    prints the first route's suggestions and writes one row per line."""
    monkeypatch.setattr(sys, "argv", ["orders_monaco.py", "--iterations", "30", "--weeks", "1",
                                      "--out", str(tmp_path)])
    runpy.run_path(str(ROOT / "examples" / "orders_monaco.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "Orders: rep" in out and "_____  _____" in out
    m = re.search(r"(\d+) lines over (\d+) visits: (\d+) with a plan-aware order", out)
    assert m is not None, out
    with (tmp_path / "orders.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == int(m.group(1)) > int(m.group(2)) > 0
    assert sum(r["plan_order"] != "" for r in rows) == int(m.group(3)) > 0


def test_export_orders_takes_the_stock_option(tmp_path: Path) -> None:
    from types import SimpleNamespace

    plan = plan_of(problem_of(TWICE_A_WEEK), MON_THU)
    stock = write(tmp_path, COLA_CSV)
    (path,) = export_orders(plan, tmp_path, SimpleNamespace(stock=stock))
    assert path == tmp_path / "orders.csv" and path.read_text(encoding="utf-8").count("\n") == 3
    with pytest.raises(InputError, match="give --stock STOCK_CSV"):
        export_orders(plan, tmp_path, SimpleNamespace(stock=None))
