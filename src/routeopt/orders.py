"""Order suggestions by the 1.5x safety-stock rule, in its classic and its plan-aware form.

At every visit the rep counts the outlet's stock of each product (SKU, shelf and
back room together) and drafts an order. The field rule is the *classic* form::

    suggested order = 1.5 x (sales since the last visit) - stock now
    sales since the last visit = stock at the last visit + delivered since - stock now

routeopt knows the plan, so it also gives the *plan-aware* form: the stock after
the order should cover 1.5 times the sales expected until that outlet's next
planned visit (a ``2/week`` outlet has gaps of 2 and 5 days, not one of 3.5)::

    plan-aware order = 1.5 x rate x (days until the next planned visit) - expected stock

The steps, each usable on its own:

1. :func:`read_stock` reads and checks the stock counts (a stock table, or a
   visit log that carries them) into a :class:`StockTable`;
2. :func:`sales_rate` estimates a SKU's daily sales from its recent counts;
3. :func:`suggest_orders` gives one :class:`OrderLine` per planned visit and SKU:
   the expected stock at the visit and both orders, with a note for every case
   where a figure is missing or rests on an assumption; :func:`by_visit` groups
   them per visit, as a route sheet shows them;
4. :func:`orders_frame` and :func:`write_orders` give them as a table, with
   blank ``count`` and ``agreed_order`` columns for the rep to fill in on site.

The formulas, the rate estimate, each edge case and a worked example are in
``docs/orders.md``.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from routeopt._values import Fields, is_real
from routeopt.exceptions import InputError, Issue

if TYPE_CHECKING:
    import pandas as pd

    from routeopt.plan import Plan
    from routeopt.problem import Outlet, Problem

__all__ = [
    "FLAGS",
    "ORDER_COLUMNS",
    "SAFETY",
    "STOCK_COLUMNS",
    "WINDOW",
    "OrderLine",
    "SalesInterval",
    "SalesRate",
    "StockCount",
    "StockTable",
    "by_visit",
    "export_orders",
    "order_rows",
    "orders_frame",
    "read_stock",
    "sales_rate",
    "suggest_orders",
    "write_orders",
]

#: The columns of a stock table. ``delivered`` is the units delivered since the
#: previous count of that outlet and SKU (empty: 0); ``ordered`` the order agreed at
#: this count, to be delivered before the next one (empty: 0).
STOCK_COLUMNS = {
    "required": ("outlet_id", "date", "sku", "stock"),
    "optional": ("delivered", "ordered"),
}
#: The safety factor of the rule: the stock after the order covers 1.5 times the sales.
SAFETY = Fraction(3, 2)
#: The rate is taken over the last ``WINDOW`` intervals between counts (the last four counts).
WINDOW = 3

#: The flags of an :class:`OrderLine`, and what each means.
FLAGS = {
    "no_history": "no count of this outlet (or SKU) before the visit: no suggestion",
    "one_count": "one count only before the visit: no sales rate yet, so no suggestion",
    "no_rate": "every interval in the window had negative sales: no sales rate",
    "negative_sales": "an interval in the window had negative sales (a delivery not logged?) "
                      "and was left out of the rate",
    "chained": "the projection starts at the previous planned visit, its suggested order "
               "assumed agreed and delivered",
    "stock_out": "the expected stock reached 0 before the visit: the sales since may be "
                 "more than the classic form counts",
    "no_next_visit": "no next visit in this plan: the interval to the next one is the rule "
                     "the note names",
}

#: The columns of :func:`order_rows`, :func:`orders_frame` and ``orders.csv``.
ORDER_COLUMNS = ("rep_id", "date", "outlet_id", "sku", "last_count_date", "last_stock",
                 "rate_per_day", "since", "days_since", "incoming", "expected_stock",
                 "sales_since", "classic_order", "next_visit", "days_to_next", "plan_order",
                 "count", "agreed_order", "flags", "note")


# -- the stock counts -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StockCount:
    """One count of one SKU at one outlet.

    Parameters
    ----------
    outlet_id, sku
        The outlet and the product (its SKU code).
    date
        The day of the count.
    stock
        Units counted, shelf and back room together (>= 0).
    delivered
        Units delivered since the previous count of this outlet and SKU (>= 0).
    ordered
        Units ordered at this count, to be delivered before the next one (>= 0).
    line
        The line of the table it was read from, if any.
    """

    outlet_id: str
    sku: str
    date: date
    stock: int
    delivered: int = 0
    ordered: int = 0
    line: int | None = None

    def __post_init__(self) -> None:
        f = Fields(self, outlet_id=self.outlet_id)
        f.text("outlet_id", "the outlet's id (a str)")
        f.text("sku", "the product's SKU code (a str)")
        f.day("date")
        f.integer("stock", "whole units (an int)")
        f.integer("delivered", "whole units (an int)")
        f.integer("ordered", "whole units (an int)")
        f.integer("line", "a line number (an int)", optional=True)
        f.done()
        issues = []
        if not self.outlet_id.strip():
            issues.append(Issue("outlet id is empty; name the outlet counted",
                                column="outlet_id"))
        if not self.sku.strip():
            issues.append(Issue("sku is empty; name the product counted", column="sku",
                                outlet_id=self.outlet_id))
        for name in ("stock", "delivered", "ordered"):
            if getattr(self, name) < 0:
                issues.append(Issue(f"{name} is negative ({getattr(self, name)}); units are "
                                    "0 or more", column=name, outlet_id=self.outlet_id))
        if issues:
            raise InputError(issues)


@dataclass(frozen=True, repr=False)
class StockTable:
    """Stock counts, checked: one count per outlet, SKU and date.

    The counts are kept sorted by outlet, SKU and date. Build one with
    :func:`read_stock` (from a file or a DataFrame, with file and line in every
    error) or from :class:`StockCount` objects.

    Examples
    --------
    >>> from datetime import date
    >>> t = StockTable((StockCount("P1", "cola", date(2026, 11, 26), 25),
    ...                 StockCount("P1", "cola", date(2026, 11, 23), 40, delivered=30)))
    >>> [c.stock for c in t.history("P1", "cola")], t.skus("P1"), t.skus("P2")
    ([40, 25], ('cola',), ())
    """

    counts: tuple[StockCount, ...]
    file: str | None = None
    _index: Mapping[str, Mapping[str, tuple[StockCount, ...]]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        f = Fields(self)
        f.items("counts", StockCount, "a tuple of StockCounts")
        f.text("file", optional=True)
        f.done()
        counts = tuple(sorted(self.counts, key=lambda c: (c.outlet_id, c.sku, c.date)))
        issues: list[Issue] = []
        index: dict[str, dict[str, list[StockCount]]] = defaultdict(lambda: defaultdict(list))
        for prev, c in zip((None, *counts), counts, strict=False):
            if prev is not None and (prev.outlet_id, prev.sku, prev.date) == (
                    c.outlet_id, c.sku, c.date):
                later, first = ((c, prev) if (c.line or 0) >= (prev.line or 0) else (prev, c))
                where = f" (line {first.line})" if first.line is not None else ""
                issues.append(Issue(
                    f"SKU {c.sku!r} is counted twice on {c.date}: another row{where} counts it "
                    "too; keep one row per outlet, SKU and date (add up shelf and back room)",
                    file=self.file, line=later.line, column="date", outlet_id=c.outlet_id))
                continue
            index[c.outlet_id][c.sku].append(c)
        if issues:
            from routeopt._tables import by_line

            raise InputError(by_line(issues))
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "_index", {o: {s: tuple(v) for s, v in by_sku.items()}
                                            for o, by_sku in index.items()})

    def __len__(self) -> int:
        return len(self.counts)

    def __repr__(self) -> str:
        where = f", file={self.file!r}" if self.file is not None else ""
        n, m = len(self.counts), len(self._index)
        return (f"StockTable({n} count{'s' if n != 1 else ''} of {m} "
                f"outlet{'s' if m != 1 else ''}{where})")

    @property
    def outlet_ids(self) -> frozenset[str]:
        """The outlets with at least one count."""
        return frozenset(self._index)

    def skus(self, outlet_id: str) -> tuple[str, ...]:
        """The SKUs counted at ``outlet_id``, sorted (empty if it has no count)."""
        return tuple(sorted(self._index.get(outlet_id, {})))

    def history(self, outlet_id: str, sku: str) -> tuple[StockCount, ...]:
        """The counts of ``sku`` at ``outlet_id``, oldest first."""
        return self._index.get(outlet_id, {}).get(sku, ())

    def to_frame(self) -> pd.DataFrame:
        """One row per count: ``outlet_id, sku, date, stock, delivered, ordered, line``."""
        import pandas as pd

        cols = ["outlet_id", "sku", "date", "stock", "delivered", "ordered", "line"]
        return pd.DataFrame([[getattr(c, k) for k in cols] for c in self.counts], columns=cols)


def _known_outlets(outlets: Problem | Plan | Iterable[str] | None) -> set[str] | None:
    from routeopt.plan import Plan
    from routeopt.problem import Problem

    if outlets is None:
        return None
    if isinstance(outlets, Plan):
        known = {s.outlet_id for _, s in outlets.visits()} | set(outlets.planned_for)
        if outlets.problem is not None:
            known |= {o.id for o in outlets.problem.outlets}
        return known
    if isinstance(outlets, Problem):
        return {o.id for o in outlets.outlets}
    return {str(getattr(o, "id", o)) for o in outlets}


def read_stock(source: pd.DataFrame | str | Path, *,
               outlets: Problem | Plan | Iterable[str] | None = None) -> StockTable:
    """Read and check stock counts (a CSV file or a DataFrame).

    Columns: ``outlet_id``, ``date`` (``YYYY-MM-DD``, or a ``YYYY-MM-DD HH:MM``
    stamp), ``sku``, ``stock`` (units counted, shelf and back room), and
    optionally ``delivered`` (units delivered since the previous count of that
    outlet and SKU) and ``ordered`` (the order agreed at this count); empty
    cells there are 0. Units are whole numbers, 0 or more.

    A visit log (``routeopt replan --log``) that carries these columns, one row
    per visit and SKU counted, is read too: a table with a ``status`` column is
    taken as a visit log, and only its ``done`` visits with a ``sku`` are
    counts (missed and cancelled visits, follow-ups, appointments and visits
    without a count are skipped).

    Parameters
    ----------
    source
        The file's path, or a DataFrame with those columns.
    outlets
        The outlets the counts may name (a :class:`~routeopt.Problem`, a
        :class:`~routeopt.Plan`, or ids); ``None``: any.

    Returns
    -------
    StockTable

    Raises
    ------
    InputError
        With one :class:`~routeopt.Issue` per bad cell (file, line, column,
        what to do): an unknown outlet, an empty SKU, a bad date, a count that
        is negative or not a whole number, two counts of one SKU at one outlet
        on one date. Nothing is returned when any row is bad.

    Examples
    --------
    >>> import pandas as pd
    >>> t = read_stock(pd.DataFrame({"outlet_id": ["P1", "P1"], "sku": ["cola", "cola"],
    ...                              "date": ["2026-11-23", "2026-11-26"],
    ...                              "stock": [40, 25], "delivered": [30, None]}))
    >>> [(c.date.isoformat(), c.stock, c.delivered) for c in t.history("P1", "cola")]
    [('2026-11-23', 40, 30), ('2026-11-26', 25, 0)]
    """
    from routeopt._tables import Row, by_line, cell_text, read_table
    from routeopt._values import parse_day

    known = _known_outlets(outlets)
    records, file, issues = read_table(source, "stock", STOCK_COLUMNS, noun="stock count",
                                       empty_ok=False)
    is_log = any("status" in row for _, row in records[:1])
    counts: list[StockCount] = []
    for line, row in records:
        if is_log and (cell_text(row, "status").lower() != "done"
                       or (cell_text(row, "kind") or "visit").lower() != "visit"
                       or not cell_text(row, "sku")):
            continue  # not a count: a missed visit, a follow-up, a visit without a count
        oid = cell_text(row, "outlet_id")
        r = Row(row, file, line, outlet_id=oid or None)
        if not oid:
            r.issue("outlet_id", "is empty; name the outlet counted")
        elif known is not None and oid not in known:
            r.issue("outlet_id", f"unknown outlet {oid!r}: it is not in the outlets table; fix "
                                 "the id or drop the row")
        day = r.get("date", parse_day, None, required=True, hint="write YYYY-MM-DD")
        sku = cell_text(row, "sku")
        if not sku:
            r.issue("sku", "is empty; name the product counted (its SKU code)")
        units = {col: _units(r, col, required=col == "stock") for col in
                 ("stock", "delivered", "ordered")}
        if r.issues:
            issues += r.issues
            continue
        assert day is not None
        counts.append(StockCount(oid, sku, day, units["stock"] or 0, units["delivered"] or 0,
                                 units["ordered"] or 0, line))
    if issues:
        raise InputError(by_line(issues))
    return StockTable(tuple(counts), file)


_UNITS_HINT = {
    "stock": "give the units counted, shelf and back room together, a whole number >= 0",
    "delivered": "give the units delivered since the previous count, a whole number >= 0 "
                 "(empty: none)",
    "ordered": "give the units ordered at this count, a whole number >= 0 (empty: none)",
}


def _units(r: Any, col: str, *, required: bool) -> int | None:
    """A cell of whole units, 0 or more; an issue on the row otherwise."""
    from routeopt._tables import cell_text
    from routeopt._values import message_of, parse_number

    text = cell_text(r.row, col)
    hint = _UNITS_HINT[col]
    if not text:
        if required:
            r.issue(col, f"is empty; {hint}")
        return None
    try:
        v = parse_number(text, decimal_comma=True)
    except InputError as e:
        r.issue(col, f"{message_of(e)}; {hint}")
        return None
    if v < 0:
        r.issue(col, f"{text} is negative; {hint}")
        return None
    if v != int(v):
        r.issue(col, f"{text} is not a whole number; {hint}")
        return None
    return int(v)


# -- the sales rate ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SalesInterval:
    """The sales between two consecutive counts: ``stock before + delivered - stock after``."""

    start: date
    end: date
    sales: int

    @property
    def days(self) -> int:
        """Days between the two counts (at least 1)."""
        return (self.end - self.start).days


@dataclass(frozen=True, slots=True)
class SalesRate:
    """A SKU's daily sales estimated from its counts.

    ``per_day`` is the sales of the ``used`` intervals over their days, as an
    exact :class:`~fractions.Fraction` (``None`` when no interval is usable);
    ``left_out`` holds the intervals of the window with negative sales.
    """

    per_day: Fraction | None
    used: tuple[SalesInterval, ...]
    left_out: tuple[SalesInterval, ...]


def sales_rate(counts: Sequence[StockCount], *, window: int = WINDOW) -> SalesRate:
    """Estimate the daily sales of one SKU at one outlet from its counts.

    For consecutive counts ``a`` then ``b``, the sales in between are
    ``a.stock + b.delivered - b.stock``. The window is the last ``window``
    such intervals; those with negative sales (more stock than was there and
    was delivered: a delivery not logged) are left out, and the rate is the
    sales of the others over their days: ``sum(sales) / sum(days)``.

    Parameters
    ----------
    counts
        The counts of one outlet and SKU (any order; :meth:`StockTable.history`).
    window
        How many of the latest intervals to use (at least 1; default 3, the
        last four counts).

    Examples
    --------
    >>> from datetime import date
    >>> c = [StockCount("P1", "cola", date(2026, 11, d), s, delivered=dl)
    ...      for d, s, dl in ((16, 30, 0), (19, 18, 0), (23, 40, 30), (26, 25, 0))]
    >>> r = sales_rate(c)
    >>> [(i.sales, i.days) for i in r.used], r.per_day
    ([(12, 3), (8, 4), (15, 3)], Fraction(7, 2))
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise InputError([Issue(f"window must be a whole number of intervals >= 1, not "
                                f"{window!r}", column="window")])
    ordered = sorted(counts, key=lambda c: c.date)
    intervals = [SalesInterval(a.date, b.date, a.stock + b.delivered - b.stock)
                 for a, b in itertools.pairwise(ordered)]
    recent = intervals[-window:]
    used = tuple(i for i in recent if i.sales >= 0)
    left_out = tuple(i for i in recent if i.sales < 0)
    days = sum(i.days for i in used)
    per_day = Fraction(sum(i.sales for i in used), days) if used and days > 0 else None
    return SalesRate(per_day, used, left_out)


# -- the suggestions -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OrderLine:
    """The order suggestion for one SKU at one planned visit.

    Attributes
    ----------
    rep_id, date, outlet_id
        The visit.
    sku
        The product; ``""`` on the one line of an outlet with no stock history.
    last_count_date, last_stock
        The latest count before the visit's date.
    rate
        Estimated sales per day (:func:`sales_rate`).
    since, days_since
        Where the projection starts (the last count, or the previous planned
        visit when the line is ``chained``) and the days from it to the visit.
    incoming
        Units assumed delivered since ``since``: the ``ordered`` of the last
        count, or the suggestion of the previous planned visit.
    expected_stock
        ``stock + incoming - rate x days_since`` at ``since``, floored at 0.
    sales_since
        The expected sales since ``since``: ``stock + incoming - expected_stock``.
    classic_order
        ``safety x sales_since - expected_stock``, floored at 0, rounded up.
    next_visit, days_to_next
        The outlet's next planned visit (or the rule's stand-in, see the note).
    plan_order
        ``safety x rate x days_to_next - expected_stock``, floored at 0, rounded up.
    flags
        Codes of :data:`FLAGS`.
    note
        What the figures rest on, and what to do where one is missing.
    """

    rep_id: str
    date: date
    outlet_id: str
    sku: str
    last_count_date: dt.date | None
    last_stock: int | None
    rate: float | None
    since: dt.date | None
    days_since: int | None
    incoming: int | None
    expected_stock: float | None
    sales_since: float | None
    classic_order: int | None
    next_visit: dt.date | None
    days_to_next: int | None
    plan_order: int | None
    flags: tuple[str, ...] = ()
    note: str = ""


def _num(x: Fraction | int) -> str:
    """A figure for a note: whole numbers plain, others to one decimal."""
    f = Fraction(x)
    return str(f.numerator) if f.denominator == 1 else f"{float(f):.1f}"


def _safety(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        s = value
    elif is_real(value):
        s = Fraction(str(float(value)))  # 1.1 is 11/10, not the binary float next to it
    else:
        raise InputError([Issue(f"safety must be a number, not {value!r}", column="safety")])
    if not s > 0:
        raise InputError([Issue(f"safety must be above 0 (the rule's is 1.5), not {value!r}",
                                column="safety")])
    return s


@dataclass
class _Visits:
    """An outlet's planned dates, each with whether one of its visits that day is a
    regular one (not an :class:`~routeopt.ExtraVisit`)."""

    regular: dict[date, bool] = field(default_factory=dict)


def _after_plan(plan: Plan, outlet: Outlet | None, visits: _Visits,
                day: date) -> tuple[date | None, str]:
    """The stand-in for the next visit after the outlet's last one in the plan, and why."""
    problem = plan.problem
    if problem is None:
        return None, "no next visit in this plan and no problem to read its frequency: no " \
                     "plan-aware order"
    h = problem.horizon
    regular = sorted(d for d, r in visits.regular.items() if r)
    if regular and (problem.plan_from is None or problem.plan_from <= h.start):
        nxt = regular[0] + timedelta(days=7 * h.weeks)
        return nxt, (f"no next visit in this plan: its route line repeats every {h.weeks} "
                     f"week{'s' if h.weeks != 1 else ''}, next on {nxt} (the first visit, "
                     f"{regular[0]}, one cycle later)")
    if outlet is not None and outlet.rule.per_week > 0:
        days = math.floor(Fraction(7) / outlet.rule.per_week + Fraction(1, 2))
        return day + timedelta(days=days), (
            f"no next visit in this plan: the interval of its frequency "
            f"{outlet.rule.describe()}, {days} days")
    return None, "no next visit known (no regular frequency): no plan-aware order"


def suggest_orders(plan: Plan, stock: StockTable, *, safety: float | Fraction = SAFETY,
                   window: int = WINDOW) -> list[OrderLine]:
    """The order suggestions for every planned visit and SKU, in both forms.

    For each visit of the plan (routes by rep and date, stops in order) and each
    SKU of the outlet's stock history, one :class:`OrderLine`; an outlet without
    any count gets one line with ``sku == ""`` saying so. The formulas (see
    ``docs/orders.md``), with ``S`` the stock at ``since`` and ``I`` the units
    delivered since (``incoming``), ``t`` the days since and ``n`` the days to
    the next planned visit::

        expected  E = max(0, S + I - rate x t)
        classic     = ceil(max(0, safety x (S + I - E) - E))
        plan-aware  = ceil(max(0, safety x rate x n - E))

    The rate comes from the counts dated before the visit (:func:`sales_rate`).
    The projection starts at the latest count before the visit, or at the
    previous planned visit if that is later (the line is then ``chained``: that
    visit's plan-aware suggestion, or its classic one when it had none, is
    taken as agreed and delivered). A count dated on the visit's own day is
    the record of that visit, and serves the visits after it.

    After the outlet's last visit in the plan, the next visit is its first
    regular visit one cycle later (the route line repeats) when the plan
    covers its whole cycle; otherwise the interval of its frequency (7 days
    over the visits per week, to the nearest day).

    Parameters
    ----------
    plan
        The plan.
    stock
        The counts (:func:`read_stock`). Counts of outlets the plan does not
        visit are ignored.
    safety
        How many times the expected sales the stock should cover (1.5).
    window
        Intervals between counts used for the rate (:func:`sales_rate`).

    Returns
    -------
    list of OrderLine

    Raises
    ------
    InputError
        For a ``safety`` that is not above 0 or a ``window`` below 1.

    Examples
    --------
    A weekly outlet, visited on Monday 30 November, counted twice before
    (40, then 26 a week later: 2 units a day). Four days after the last count
    18 are expected: the classic form (1.5 x 8 sold - 18) orders nothing, the
    plan-aware one covers the week to the next visit (1.5 x 2 x 7 - 18):

    >>> from datetime import date
    >>> from routeopt import Horizon, Outlet, Plan, Problem, Rep, Route, Stop
    >>> problem = Problem([Outlet("P1", 43.73, 7.42)], [Rep("R1", 43.74, 7.42)],
    ...                   Horizon(date(2026, 11, 30)))
    >>> monday = Route("R1", date(2026, 11, 30), 30600, 36000,
    ...                (Stop("P1", 31000, 31000, 32000, 400, 3000),), 400, 3000)
    >>> stock = StockTable((StockCount("P1", "cola", date(2026, 11, 19), 40),
    ...                     StockCount("P1", "cola", date(2026, 11, 26), 26)))
    >>> (line,) = suggest_orders(Plan(problem, (monday,), ()), stock)
    >>> line.expected_stock, line.classic_order, line.days_to_next, line.plan_order
    (18.0, 0, 7, 3)
    """
    s = _safety(safety)
    sales_rate((), window=window)  # checks the window
    outlets = {o.id: o for o in plan.problem.outlets} if plan.problem is not None else {}
    visits: dict[str, _Visits] = defaultdict(_Visits)
    for route, stop in plan.visits():
        v = visits[stop.outlet_id]
        v.regular[route.date] = v.regular.get(route.date, False) or not stop.label
    # Each outlet, SKU and date once, chained in date order; then one line per stop.
    per_date: dict[tuple[str, date], list[dict[str, Any]]] = {}
    for oid, v in visits.items():
        dates = sorted(v.regular)
        nexts: list[tuple[date | None, str]] = [(d, "") for d in dates[1:]]
        nexts.append(_after_plan(plan, outlets.get(oid), v, dates[-1]))
        skus = stock.skus(oid)
        for day in dates:
            per_date[(oid, day)] = []
        if not skus:
            for day, (nxt, why) in zip(dates, nexts, strict=True):
                said = _said(["no_history"], ["no stock count of this outlet yet: no "
                                              "suggestion; count every SKU to start its "
                                              "history"], why)
                line = dict.fromkeys(_FIGURES)
                line.update(outlet_id=oid, sku="", date=day, next_visit=nxt,
                            days_to_next=(nxt - day).days if nxt is not None else None)
                per_date[(oid, day)].append(line | said)
            continue
        for sku in skus:
            history = stock.history(oid, sku)
            counted = [c.date for c in history]
            rates: dict[int, SalesRate] = {}
            chain: _Chain | None = None
            for day, (nxt, why) in zip(dates, nexts, strict=True):
                fields, chain = _suggest(oid, sku, day, history, counted, rates, chain, nxt,
                                         why, s, window)
                per_date[(oid, day)].append(fields)
    return [OrderLine(rep_id=route.rep_id, **fields) for route, stop in plan.visits()
            for fields in per_date[(stop.outlet_id, route.date)]]


#: The figures of an :class:`OrderLine`, missing (None) unless a case gives them.
_FIGURES = ("last_count_date", "last_stock", "rate", "since", "days_since", "incoming",
            "expected_stock", "sales_since", "classic_order", "next_visit", "days_to_next",
            "plan_order")


def _said(flags: list[str], notes: list[str], why: str) -> dict[str, Any]:
    """The line's flags and note, with the stand-in for a missing next visit last."""
    if why:
        flags, notes = [*flags, "no_next_visit"], [*notes, why]
    return {"flags": tuple(flags), "note": "; ".join(notes)}


@dataclass(frozen=True, slots=True)
class _Chain:
    """The state a planned visit hands to the outlet's next one: its date, its expected
    stock as ``expected / den`` units and the order assumed agreed there (``expected``
    None: it had no suggestion)."""

    day: date
    expected: int | None = None
    den: int = 1
    order: int = 0


def _ceil_div(a: int, b: int) -> int:
    """``ceil(a / b)`` for ``b > 0``, in whole numbers."""
    return -(-a // b)


def _ratio(num: int, den: int) -> str:
    """``num / den`` for a note: whole numbers plain, others to one decimal."""
    return str(num // den) if num % den == 0 else f"{num / den:.1f}"


def _suggest(oid: str, sku: str, day: date, history: Sequence[StockCount],
             counted: Sequence[date], rates: dict[int, SalesRate], chain: _Chain | None,
             nxt: date | None, why: str, safety: Fraction,
             window: int) -> tuple[dict[str, Any], _Chain | None]:
    """One SKU at one visit (the line's fields but its rep), and the state the outlet's
    next visit starts from.

    The sums are exact and in whole numbers: with the rate ``num / den`` units a day,
    every stock figure is counted in ``1 / den`` units.
    """
    k = bisect.bisect_left(counted, day)  # the counts before the visit: history[:k]
    days_to_next = (nxt - day).days if nxt is not None else None
    line: dict[str, Any] = dict.fromkeys(_FIGURES)
    line.update(outlet_id=oid, sku=sku, date=day, next_visit=nxt, days_to_next=days_to_next)
    flags: list[str] = []
    notes: list[str] = []
    if k == 0:
        first = history[0].date if history else None
        flags.insert(0, "no_history")
        notes.insert(0, f"no count of this SKU before this visit (the first is on {first}): no "
                        "suggestion; count it on site")
        return line | _said(flags, notes, why), chain
    last = history[k - 1]
    line.update(last_count_date=last.date, last_stock=last.stock)
    rate = rates.get(k)
    if rate is None:
        rate = rates[k] = sales_rate(history[:k], window=window)
    for i in rate.left_out:
        notes.append(f"sales negative from {i.start} to {i.end} ({i.sales}: a delivery not "
                     "logged?), left out of the rate")
    if rate.left_out:
        flags.append("negative_sales")
    # A planned visit after the last count hands its state on; a count after it wins.
    prev = chain if chain is not None and chain.day > last.date else None
    since, incoming = (prev.day, prev.order) if prev is not None else (last.date, last.ordered)
    t = (day - since).days
    line.update(since=since, days_since=t, incoming=incoming)
    if rate.per_day is None:
        code = "one_count" if k == 1 else "no_rate"
        flags.insert(0, code)
        head = (f"one count only ({last.stock} on {last.date}): no sales rate yet"
                if code == "one_count" else
                f"every interval of the last {window} had negative sales: no sales rate")
        if prev is not None:  # an earlier planned visit since the count, without a suggestion
            sums = (f"on site: sales = the count at the visit of {prev.day} + its agreed order "
                    "- the count now")
            # what that visit's count and order were is not known yet
            line.update(since=None, days_since=None, incoming=None)
        else:
            got = f"{last.stock} + {incoming}" if incoming else f"{last.stock}"
            sums = f"on site: sales = {got} - count"
        sums += f"; classic order = {_num(safety)} x sales - count"
        if days_to_next is not None and prev is None:
            sums += f"; plan-aware = {_num(safety)} x sales / {t} x {days_to_next} - count"
        notes.insert(0, f"{head}; {sums}")
        return line | _said(flags, notes, why), _Chain(day)
    num, den = rate.per_day.numerator, rate.per_day.denominator
    p, q = safety.numerator, safety.denominator
    if prev is not None:
        # The chain comes from a visit after the last count: the same counts, the same rate.
        assert prev.expected is not None and prev.den == den
        level = prev.expected
    else:
        level = last.stock * den
    held = level + incoming * den  # S + I
    left = held - num * t  # S + I - rate x t
    expected = max(0, left)
    sales = held - expected
    if left < 0:
        flags.append("stock_out")
        notes.append("the stock is expected to run out before the visit: the classic form "
                     "counts only the sales the stock allowed")
    classic = max(0, _ceil_div(p * sales - q * expected, q * den))
    plan_order = (max(0, _ceil_div(p * num * days_to_next - q * expected, q * den))
                  if days_to_next is not None else None)
    if prev is not None:
        flags.insert(0, "chained")
        notes.insert(0, f"from the visit of {since}: expected {_ratio(level, den)} + its "
                        f"suggested order {incoming}, assumed delivered")
    else:
        got = f" + ordered {incoming}" if incoming else ""
        notes.insert(0, f"from the count of {since}: {last.stock}{got}")
    line.update(rate=num / den, expected_stock=expected / den, sales_since=sales / den,
                classic_order=classic, plan_order=plan_order)
    order = plan_order if plan_order is not None else classic
    return line | _said(flags, notes, why), _Chain(day, expected, den, order)


# -- per visit, as a table, as a file ------------------------------------------------------
def by_visit(lines: Iterable[OrderLine]) -> dict[tuple[str, date, str], list[OrderLine]]:
    """The lines grouped per visit, ``(rep_id, date, outlet_id)``, in the order given.

    A route sheet looks up each stop's lines there (a visit with no line is
    not in it: use ``.get(key, [])``).
    """
    out: dict[tuple[str, date, str], list[OrderLine]] = {}
    for ln in lines:
        out.setdefault((ln.rep_id, ln.date, ln.outlet_id), []).append(ln)
    return out


def order_rows(lines: Iterable[OrderLine]) -> list[dict[str, Any]]:
    """One dict per line with the :data:`ORDER_COLUMNS`: dates as ISO text, the rate to
    three decimals and the expected stock and sales to one, flags joined by ``;``, and
    ``count`` and ``agreed_order`` blank for the rep to fill in."""

    def iso(d: date | None) -> str:
        return d.isoformat() if d is not None else ""

    def dec(x: float | None, places: int) -> float | None:
        return round(x, places) if x is not None else None

    return [{
        "rep_id": ln.rep_id, "date": iso(ln.date), "outlet_id": ln.outlet_id, "sku": ln.sku,
        "last_count_date": iso(ln.last_count_date), "last_stock": ln.last_stock,
        "rate_per_day": dec(ln.rate, 3), "since": iso(ln.since), "days_since": ln.days_since,
        "incoming": ln.incoming, "expected_stock": dec(ln.expected_stock, 1),
        "sales_since": dec(ln.sales_since, 1), "classic_order": ln.classic_order,
        "next_visit": iso(ln.next_visit), "days_to_next": ln.days_to_next,
        "plan_order": ln.plan_order, "count": "", "agreed_order": "",
        "flags": ";".join(ln.flags), "note": ln.note,
    } for ln in lines]


def orders_frame(lines: Iterable[OrderLine]) -> pd.DataFrame:
    """The lines as a DataFrame of :func:`order_rows`: missing figures are ``<NA>`` in the
    columns of whole units and days, ``NaN`` in the others."""
    import pandas as pd

    df = pd.DataFrame(order_rows(lines), columns=list(ORDER_COLUMNS))
    for col in ("last_stock", "days_since", "incoming", "classic_order", "days_to_next",
                "plan_order"):
        df[col] = df[col].astype("Int64")
    return df


def write_orders(plan: Plan, stock: StockTable | pd.DataFrame | str | Path, out: str | Path,
                 *, safety: float | Fraction = SAFETY, window: int = WINDOW) -> list[Path]:
    """Write the order suggestions of ``plan`` as ``orders.csv``.

    Parameters
    ----------
    plan
        The plan.
    stock
        A :class:`StockTable`, or a stock table's path or DataFrame, read by
        :func:`read_stock` against the plan's outlets.
    out
        A folder (``orders.csv`` is written in it) or the path of a ``.csv`` file.
    safety, window
        As for :func:`suggest_orders`.

    Returns
    -------
    list of Path
        The file written. Every input is checked before anything is written,
        and the file is written whole or not at all: a bad stock table leaves
        ``out`` as it was.
    """
    from routeopt._files import atomic_open

    table = stock if isinstance(stock, StockTable) else read_stock(stock, outlets=plan)
    lines = suggest_orders(plan, table, safety=safety, window=window)
    target = Path(out)
    if target.suffix.lower() != ".csv":
        target.mkdir(parents=True, exist_ok=True)
        target = target / "orders.csv"
    with atomic_open(target) as f:
        w = csv.DictWriter(f, fieldnames=list(ORDER_COLUMNS), lineterminator="\n")
        w.writeheader()
        for row in order_rows(lines):
            w.writerow({k: "" if v is None else v for k, v in row.items()})
    return [target]


class _StockOption(Protocol):
    @property
    def stock(self) -> Path | None: ...


def export_orders(plan: Plan, folder: Path, options: _StockOption) -> list[Path]:
    """``orders.csv`` in ``folder``, from the stock table ``options.stock``: the form of an
    output of ``routeopt export`` (``write(plan, folder, options) -> paths``).

    Raises
    ------
    InputError
        When no stock table is given (``--stock STOCK_CSV``), or for its bad rows.
    """
    if options.stock is None:
        raise InputError([Issue("order suggestions need the stock counts: give --stock "
                                "STOCK_CSV (columns outlet_id, date, sku, stock, delivered)",
                                column="stock")])
    return write_orders(plan, options.stock, Path(folder) / "orders.csv")
