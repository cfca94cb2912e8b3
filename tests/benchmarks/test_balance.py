"""The balance benchmark runs, is reproducible, and refuses parameters the solver lacks."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import balance  # noqa: E402

TINY = ["--instances", "field-20", "--weeks", "1", "--iterations", "10"]
CLOCK = {"timestamp", "load_avg_1m", "solve_s", "git_commit", "src_hash"}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_run_appends_rows_and_prints_a_table(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "balance.csv"
    assert balance.main([*TINY, "--out", str(out)]) == 0
    first = rows(out)
    assert first[0]["setting"] == "off" and float(first[0]["travel_vs_off_pct"]) == 0.0
    for r in first:
        assert r["instance"] == "field-20" and r["valid"] == "True"
        assert r["stop_reason"] == "max_iterations" and r["max_iterations"] == "10"
        assert int(r["days_without_route"]) <= int(r["working_days"]) == 5
        assert (int(r["visits_day_min"]) <= float(r["visits_day_median"])
                <= int(r["visits_day_max"]))
        assert float(r["busiest_quietest_max"]) == pytest.approx(
            int(r["visits_day_max"]) / int(r["visits_day_min"]), abs=1e-3)
    table = capsys.readouterr().out
    assert "| instance | setting | travel h | vs off |" in table
    assert "| field-20 | off |" in table
    # the same command again: the same figures (only the clock differs)
    assert balance.main([*TINY, "--out", str(out)]) == 0
    again = rows(out)[len(first):]
    assert [{k: v for k, v in r.items() if k not in CLOCK} for r in again] == [
        {k: v for k, v in r.items() if k not in CLOCK} for r in first]


def test_params_pass_through_to_solve_params(tmp_path: Path) -> None:
    out = tmp_path / "balance.csv"
    assert balance.main([*TINY, "--param", "polish=false", "--no-off", "--out", str(out)]) == 0
    assert [r["params"] for r in rows(out)] == ['{"polish": false}']


def test_unknown_or_bad_params_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert balance.main([*TINY, "--param", "no_such_field=1"]) == 2
    err = capsys.readouterr().err
    assert "SolveParams has no field 'no_such_field'" in err and "max_iterations" in err
    assert balance.main([*TINY, "--param", "max_iterations=many"]) == 2
    assert "max_iterations='many': SolveParams.max_iterations is of type int" in (
        capsys.readouterr().err)
    assert balance.main([*TINY, "--param", "workers=0"]) == 2
    assert "workers must be >= 1" in capsys.readouterr().err


def test_balance_weight_is_passed_only_where_the_field_exists(tmp_path: Path) -> None:
    args = ["--balance-weight", "0.5", "--steady-weight", "0.1"]
    fields = balance.solve_fields()
    if balance.BALANCE_FIELD in fields and balance.STEADY_FIELD in fields:
        out = tmp_path / "balance.csv"
        assert balance.main([*TINY, *args, "--out", str(out)]) == 0
        assert [r["setting"] for r in rows(out)] == [
            "off", f"{balance.BALANCE_FIELD}=0.5 {balance.STEADY_FIELD}=0.1"]
    else:
        with pytest.raises(balance.ParamError, match=r"set by --(balance|steady)-weight"):
            balance.settings([0.5], 0.1, {})
        assert balance.main([*TINY, *args]) == 2


def test_instances() -> None:
    monaco = balance.load_instance("monaco", 4, 0)
    assert (len(monaco.outlets), len(monaco.reps), monaco.horizon.start.isoformat()) == (
        141, 2, "2026-11-30")
    assert len(balance.load_instance("field-30", 1, 0).outlets) == 30
    with pytest.raises(ValueError, match="unknown instance"):
        balance.load_instance("p01", 4, 0)
