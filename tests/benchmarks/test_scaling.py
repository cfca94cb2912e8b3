"""The scaling benchmark runs cases in their own processes and fits growth exponents."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import scaling  # noqa: E402


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_loglog_exponent() -> None:
    x = [100.0, 300.0, 1000.0, 3000.0]
    assert scaling.loglog_exponent(x, [3 * v**2 for v in x]) == pytest.approx(2.0)
    assert scaling.loglog_exponent(x, [5 * v**0.5 for v in x]) == pytest.approx(0.5)
    assert scaling.loglog_exponent(x, [7.0] * 4) == pytest.approx(0.0)
    assert scaling.loglog_exponent([100.0], [1.0]) is None
    assert scaling.loglog_exponent(x, [1.0, 0.0, 2.0, 3.0]) is None


def test_growth_run_appends_cases_and_a_fit(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out, growth = tmp_path / "scaling.csv", tmp_path / "growth.csv"
    argv = ["--growth", "--sizes", "20,40", "--weeks", "4", "--iterations", "5",
            "--mix", "fmcg", "--out", str(out), "--growth-out", str(growth)]
    assert scaling.main(argv) == 0
    cases = rows(out)
    assert [c["outlets"] for c in cases] == ["20", "40"]
    assert all(c["mix"] == "fmcg" and c["error"] == "" for c in cases)
    assert all(c["valid"] == "True" and int(c["iterations"]) <= 5 for c in cases)
    assert all(float(c["ms_per_iteration"]) > 0 and float(c["rss_peak_mib"]) > 0
               and float(c["cpu_s"]) > 0
               for c in cases)
    assert all(int(c["scheduled"]) <= int(c["required"]) for c in cases)
    fit = rows(growth)
    assert len(fit) == 1 and fit[0]["sizes"] == "20;40" and fit[0]["valid"] == "True"
    per_it = [float(v) for v in fit[0]["ms_per_iteration"].split(";")]
    assert float(fit[0]["exp_ms_per_iteration"]) == pytest.approx(
        scaling.loglog_exponent([20.0, 40.0], per_it), abs=1e-3)
    text = capsys.readouterr().out
    assert "b (ms/iter)" in text and "ms/iter" in text
    # a second run appends: the CSVs keep every row
    assert scaling.main([*argv[:2], "20,30", *argv[3:]]) == 0
    assert len(rows(out)) == 4 and len(rows(growth)) == 2


def test_growth_needs_two_sizes(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        scaling.main(["--growth", "--sizes", "20", "--out", str(tmp_path / "x.csv")])


def test_planted_case_records_its_certificate(tmp_path: Path) -> None:
    out = tmp_path / "scaling.csv"
    argv = ["--planted", "--mix", "fmcg", "--sizes", "80", "--reps-per", "40",
            "--iterations", "5", "--trace-iterations", "0", "--planted-slack", "30",
            "--out", str(out)]
    assert scaling.main(argv) == 0
    (case,) = rows(out)
    assert case["mix"] == "fmcg-planted" and case["error"] == ""
    assert case["outlets"] == "80" and case["reps"] == "2" and case["weeks"] == "4"
    assert case["planted"] == "True" and case["planted_slack_min"] == "30"
    assert float(case["planted_travel_h"]) > 0 and case["valid"] == "True"


def test_planted_needs_fmcg_and_four_weeks(tmp_path: Path) -> None:
    for extra in (["--mix", "standard"], ["--mix", "fmcg", "--weeks", "1"]):
        with pytest.raises(SystemExit):
            scaling.main(["--planted", *extra, "--out", str(tmp_path / "x.csv")])
