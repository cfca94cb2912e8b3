"""Shared fixtures: tiny outlet and rep tables written to ``tmp_path``, and a CLI runner.

The planning week starts Monday 2026-11-30 (``START``). The valid tables hold
two outlets near one rep in Monaco; ``bad_input`` breaks them in one way per
case, each with the file, line and column the error must name.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import routeopt

START = "2026-11-30"  # a Monday
Rows = list[dict[str, str]]


def write_rows(path: Path, rows: Iterable[Mapping[str, str]],
               columns: Iterable[str] | None = None) -> Path:
    """Write ``rows`` as a UTF-8 CSV; the columns are every key met, in order."""
    rows = list(rows)
    cols = list(columns) if columns is not None else list(
        dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, restval="", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """``write_csv("outlets.csv", rows, columns=None)`` writes into ``tmp_path``."""

    def write(name: str, rows: Iterable[Mapping[str, str]],
              columns: Iterable[str] | None = None) -> Path:
        return write_rows(tmp_path / name, rows, columns)

    return write


@pytest.fixture
def outlet_rows() -> Rows:
    """Two valid outlets (lines 2 and 3 of outlets.csv), open on weekdays."""
    base = {"frequency": "1/week", "opening_hours": "Mo-Fr 08:00-18:00", "service_min": "15",
            "rep_id": "", "allowed_days": "", "appointment": ""}
    return [
        {"outlet_id": "P1", "lat": "43.7350", "lon": "7.4250", **base},
        {"outlet_id": "P2", "lat": "43.7400", "lon": "7.4200", **base},
    ]


@pytest.fixture
def rep_rows() -> Rows:
    """One valid rep (line 2 of reps.csv), Monday to Friday."""
    return [{"rep_id": "R1", "lat": "43.7300", "lon": "7.4200", "shift": "08:30-17:30",
             "working_days": "Mo-Fr"}]


@dataclass(frozen=True)
class Tables:
    outlets: Path
    reps: Path


@pytest.fixture
def valid_tables(write_csv: Callable[..., Path], outlet_rows: Rows, rep_rows: Rows) -> Tables:
    """The valid outlets.csv / reps.csv pair, written to ``tmp_path``."""
    return Tables(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows))


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str
    out_dir: Path


@pytest.fixture
def run_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """``run_cli(outlets, reps, *extra)``: ``routeopt plan`` into ``tmp_path/plan``, tiny search."""
    from routeopt.cli import main

    def run(outlets: Path, reps: Path, *extra: str) -> CliResult:
        out_dir = tmp_path / "plan"
        capsys.readouterr()  # drop anything printed before
        code = main(["plan", "--outlets", str(outlets), "--reps", str(reps), "--start", START,
                     "--weeks", "1", "--out", str(out_dir), "--iterations", "20", "--seed", "1",
                     *extra])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err, out_dir)

    return run


# -- one bad input per case ------------------------------------------------------------------


@dataclass(frozen=True)
class BadInput:
    """A way to break the valid tables, and where the error must point."""

    id: str
    file: str  # the file the message names
    line: int | None  # None: the problem has no line (a missing file)
    column: str | None
    match: str  # regex for the problem
    todo: str  # words that say what to do
    outlets: Mapping[int, Mapping[str, str]] = field(default_factory=dict)  # row -> changes
    reps: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    outlet_text: str | None = None  # replace outlets.csv by this raw text
    drop_column: str | None = None  # leave this column out of outlets.csv
    no_outlets_file: bool = False


BAD_INPUTS = [
    BadInput("missing_coordinates", "outlets.csv", 2, "lat", r"'lat': is empty",
             "geocode the address", outlets={0: {"lat": ""}}),
    BadInput("non_numeric_coordinates", "outlets.csv", 3, "lon", r"'seven' is not a number",
             "WGS-84 longitude", outlets={1: {"lon": "seven"}}),
    BadInput("latitude_out_of_range", "outlets.csv", 2, "lat",
             r"91\.5 is out of range \(-90 to 90\)", "WGS-84 latitude",
             outlets={0: {"lat": "91.5"}}),
    BadInput("longitude_out_of_range", "outlets.csv", 3, "lon",
             r"-181 is out of range \(-180 to 180\)", "WGS-84 longitude",
             outlets={1: {"lon": "-181"}}),
    BadInput("duplicate_outlet_id", "outlets.csv", 3, "outlet_id",
             r"'P1' appears more than once \(first on line 2\)", "must be unique",
             outlets={1: {"outlet_id": "P1"}}),
    BadInput("unknown_rep_id", "outlets.csv", 3, "rep_id",
             r"rep 'R9' is not in the reps table", "add it or clear rep_id",
             outlets={1: {"rep_id": "R9"}}),
    BadInput("unparseable_frequency", "outlets.csv", 2, "frequency",
             r"'often' is not a frequency", "write e.g. 2/week",
             outlets={0: {"frequency": "often"}}),
    BadInput("unparseable_opening_hours", "outlets.csv", 2, "opening_hours",
             r"cannot read 'Mo-Fr 8h-18h'", "supported are weekday rules",
             outlets={0: {"opening_hours": "Mo-Fr 8h-18h"}}),
    BadInput("frequency_cannot_fit_allowed_days", "outlets.csv", 2, "frequency",
             r"2/week cannot fit the allowed days \(Mo\)", "allow more days or lower the frequency",
             outlets={0: {"frequency": "2/week", "allowed_days": "Mo"}}),
    BadInput("window_shorter_than_service", "outlets.csv", 3, "opening_hours",
             r"no opening window .* is as long as the 30-minute visit", "shorten service_min",
             outlets={1: {"opening_hours": "Mo-Fr 09:00-09:10", "service_min": "30"}}),
    BadInput("appointment_on_closed_day", "outlets.csv", 2, "appointment",
             r"appointment on 2026-12-05 \(Sa\) falls on a day the outlet is closed", "move it",
             outlets={0: {"appointment": "2026-12-05 10:00"}}),
    BadInput("rep_without_working_days", "reps.csv", 2, "working_days",
             r"this rep has no working days", "set working_days",
             reps={0: {"working_days": "none"}}),
    BadInput("missing_required_column", "outlets.csv", 1, "frequency",
             r"lacks the required column 'frequency'", "add it", drop_column="frequency"),
    BadInput("empty_outlets_file", "outlets.csv", 1, "outlet_id", r"the outlets file is empty",
             "first line must be a header", outlet_text=""),
    BadInput("header_only_outlets_file", "outlets.csv", 2, "outlet_id",
             r"has a header but no rows", "add one row per outlet",
             outlet_text="outlet_id,lat,lon,frequency\n"),
    BadInput("outlets_file_not_found", "outlets.csv", None, None, r"outlets file not found",
             "check the path", no_outlets_file=True),
]


@dataclass(frozen=True)
class BadCase:
    case: BadInput
    tables: Tables


@pytest.fixture(params=BAD_INPUTS, ids=[c.id for c in BAD_INPUTS])
def bad_input(request: pytest.FixtureRequest, tmp_path: Path, outlet_rows: Rows,
              rep_rows: Rows) -> BadCase:
    """The valid tables broken in one way (see ``BAD_INPUTS``)."""
    case: BadInput = request.param
    for i, changes in case.outlets.items():
        outlet_rows[i].update(changes)
    for i, changes in case.reps.items():
        rep_rows[i].update(changes)
    outlets = tmp_path / "outlets.csv"
    if case.outlet_text is not None:
        outlets.write_text(case.outlet_text, encoding="utf-8")
    elif not case.no_outlets_file:
        cols = [c for c in outlet_rows[0] if c != case.drop_column]
        write_rows(outlets, outlet_rows, cols)
    return BadCase(case, Tables(outlets, write_rows(tmp_path / "reps.csv", rep_rows)))


@pytest.fixture(scope="session")
def require_server() -> Callable[[str, str], str]:
    """``require_server(VAR, what)`` returns the URL in ``$VAR`` for a real engine on loopback.

    ``.ci/servers/*.sh`` start the engines and export the variables. Without the
    variable the test is skipped on a developer machine, but fails when
    ``ROUTEOPT_REQUIRE_SERVERS`` is set (as ``.ci/run`` does): in CI a missing
    server is an error, never a silent skip.
    """
    import os

    def need(var: str, what: str) -> str:
        value = os.environ.get(var, "").strip()
        if value:
            return value
        hint = (f"{what} is not running: start it with "
                f"`eval \"$(bash .ci/servers/<name>.sh)\"`, which sets {var}")
        if os.environ.get("ROUTEOPT_REQUIRE_SERVERS"):
            pytest.fail(hint)
        pytest.skip(hint)

    return need


# In CI (where .ci/run sets ROUTEOPT_REQUIRE_SERVERS), hypothesis draws the same examples on
# every run, so that a red run is a change's doing and can be replayed; elsewhere it draws new
# ones each time, to keep finding what a fixed set would miss.
if os.environ.get("ROUTEOPT_REQUIRE_SERVERS"):
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, database=None)
    _hypothesis_settings.load_profile("ci")


# -- a plan whose outlets carry extra columns ---------------------------------------------
@pytest.fixture(scope="session")
def attr_plan() -> routeopt.Plan:
    """Five outlets with phone and contact, twice a week, and one rep over one week; the
    outlet 700 km away cannot be reached in a shift: its two visits are unscheduled."""
    from routeopt import Horizon, Outlet, Problem, Rep, SolveParams, VisitRule, solve

    extra = [{"phone": f"+377 93 00 00 0{k}", "Contact": f"Contact {k}"} for k in range(5)]
    extra[1]["phone"] = "=1+1"  # text that Excel would read as a formula
    extra[2] = {"phone": "", "Contact": "Mme Léa [Nord]"}
    outlets = [Outlet(f"P{k}", 43.73 + 0.002 * k, 7.42, VisitRule.parse("2/week"),
                      name=f"Outlet {k}", address=f"{k} Rue Grimaldi, Monaco",
                      attributes=extra[k]) for k in range(4)]
    outlets.append(Outlet("FAR", 50.0, 7.42, VisitRule.parse("2/week"), name="Far away",
                          attributes=extra[4]))
    reps = [Rep("R1", 43.73, 7.42, name="North: Nice/Monaco [A]*")]
    problem = Problem(outlets, reps, Horizon(date(2026, 11, 30), weeks=1))
    return solve(problem, SolveParams(max_iterations=30, time_limit=60))
