"""What the outlet rows left out by ``skip_invalid`` would have asked for.

A row left out for bad input is not planned, but its visits are still owed:
the plan's coverage and summary count them (``Plan.stats`` keys
``skipped_outlets`` and ``skipped_visits``, read by :meth:`Plan.kpis`), so
that a plan missing outlets never reads 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routeopt.exceptions import InputError, Issue

if TYPE_CHECKING:
    import pandas as pd

    from routeopt.plan import Plan

__all__ = ["owed", "with_skipped"]


def _visits(row: dict[str, Any], weeks: int, start: date | None) -> int:
    """The visits an outlet row asks for over ``weeks`` weeks from ``start``; 1 when its
    frequency is unreadable (or is ``N/month`` without a ``start``).

    As :meth:`Problem.visits_of` counts them: the frequency's visits
    (:meth:`VisitRule.required_visits`), or the appointments when there are
    more of them.
    """
    from routeopt._tables import cell_text as _text
    from routeopt.problem import VisitRule
    from routeopt.read import parse_appointments

    try:
        appointments = len(parse_appointments(_text(row, "appointment")))
    except ValueError:
        appointments = 0
    text = _text(row, "frequency")
    if not text:
        return max(appointments, 1)
    try:
        regular = VisitRule.parse(text).required_visits(weeks, start)
    except (ValueError, TypeError, ZeroDivisionError):
        return max(appointments, 1)  # unreadable: at least the one visit it was there for
    return max(regular, appointments, 1)


def owed(source: pd.DataFrame | str | Path, issues: Iterable[Issue], weeks: int,
         start: date | None = None, *, encoding: str | None = None,
         sheet: str | int | None = None, columns: Mapping[str, str] | None = None
         ) -> tuple[int, int]:
    """``(rows, visits)``: the outlet rows the ``issues`` left out, and the visits they owe
    over ``weeks`` weeks from ``start`` (which ``N/month`` needs).

    Rows are found by the line of each issue (a CSV file, or the row of a
    spreadsheet's ``sheet``) or else by the outlet id; its columns are named by
    ``columns`` and the aliases, as when it was read. A row whose frequency cannot be read
    counts one visit: the
    count is then a lower bound.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"outlet_id": ["A", "B", "C"], "frequency": ["1/week", "2/week",
    ...                                                                  "often"]})
    >>> owed(rows, [Issue("bad lat", outlet_id="B"), Issue("bad", outlet_id="C")], weeks=4)
    (2, 9)
    """
    from routeopt._tables import cell_text as _text
    from routeopt._tables import read_table
    from routeopt.read import OUTLET_COLUMNS

    known = OUTLET_COLUMNS["required"] + OUTLET_COLUMNS["optional"]
    issues = list(issues)
    lines = {i.line for i in issues if i.line is not None}
    ids = {i.outlet_id for i in issues if i.line is None and i.outlet_id is not None}
    if not lines and not ids:
        return 0, 0
    try:
        records, _, _ = read_table(source, "outlets", {"required": (), "optional": known},
                                   empty_ok=True, encoding=encoding, sheet=sheet,
                                   columns=columns)
    except InputError:
        return len(lines | ids), len(lines | ids)
    rows = [row for line, row in records
            if (line in lines) or (line is None and _text(row, "outlet_id") in ids)]
    return len(rows), sum(_visits(r, weeks, start) for r in rows)


def with_skipped(plan: Plan, source: pd.DataFrame | str | Path, issues: Iterable[Issue], *,
                 encoding: str | None = None, sheet: str | int | None = None,
                 columns: Mapping[str, str] | None = None) -> Plan:
    """``plan`` with the rows left out for ``issues`` counted in its KPIs (the table read
    with ``encoding``, ``sheet`` and ``columns`` as it was for the plan)."""
    import dataclasses

    h = plan.problem.horizon
    rows, visits = owed(source, issues, h.weeks, h.start, encoding=encoding, sheet=sheet,
                        columns=columns)
    if not rows:
        return plan
    return dataclasses.replace(plan, stats={**plan.stats, "skipped_outlets": rows,
                                            "skipped_visits": visits})
