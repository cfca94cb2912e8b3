"""The realignment benchmark: it moves at most the cap and does not worsen the balance."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import realign  # noqa: E402


def test_realign_benchmark_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "realign.csv"
    assert realign.main(["--company", "400,4", "--max-moves", "0.05", "--out", str(out)]) == 0
    (row,) = list(csv.DictReader(out.open()))
    assert int(row["cap"]) == 20  # 5 % of 400
    assert int(row["moved"]) <= int(row["cap"])
    assert float(row["after_outside_h"]) <= float(row["before_outside_h"])
    assert "| realigned |" in capsys.readouterr().out
