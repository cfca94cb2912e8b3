"""``routeopt plan``: exit 0 with a plan, 2 with a clear message on bad input, never a traceback."""

from __future__ import annotations

import csv
import json
import re

import pytest

from routeopt.cli import main


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def assert_input_error(result, *, file, line=None, column=None):
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert result.err.startswith("routeopt: error:")
    assert file in result.err
    if line is not None:
        assert f"line {line}" in result.err
    if column is not None:
        assert f"column {column!r}" in result.err
    assert not (result.out_dir / "visits.csv").exists()


# -- a plan ---------------------------------------------------------------------------------


def test_plan_writes_files_and_a_summary(valid_tables, run_cli):
    r = run_cli(valid_tables.outlets, valid_tables.reps)
    assert r.code == 0, r.err
    assert "Traceback" not in r.err
    assert "Plan for 2 outlets, 1 rep(s), 2026-11-30 .. 2026-12-06" in r.out
    assert "2 of 2 scheduled" in r.out
    visits = read_csv(r.out_dir / "visits.csv")
    assert sorted(v["outlet_id"] for v in visits) == ["P1", "P2"]
    assert read_csv(r.out_dir / "unscheduled.csv") == []
    summary = json.loads((r.out_dir / "summary.json").read_text(encoding="utf-8"))
    assert isinstance(summary, dict) and summary
    assert not (r.out_dir / "rejected.csv").exists()


def test_unreachable_outlet_is_not_an_error(write_csv, outlet_rows, rep_rows, run_cli):
    # ~150 km north of the rep: a day's shift cannot get there and back.
    far = dict(outlet_rows[0], outlet_id="FAR", lat=f"{43.73 + 1.35:.4f}")
    r = run_cli(write_csv("outlets.csv", [*outlet_rows, far]), write_csv("reps.csv", rep_rows))
    assert r.code == 0, r.err
    assert "Traceback" not in r.err
    unscheduled = read_csv(r.out_dir / "unscheduled.csv")
    assert [(u["outlet_id"], u["reason"]) for u in unscheduled] == [("FAR", "unreachable")]
    assert sorted(v["outlet_id"] for v in read_csv(r.out_dir / "visits.csv")) == ["P1", "P2"]
    assert "unreachable" in r.out


# -- bad input --------------------------------------------------------------------------------


def test_bad_input_exits_2_naming_file_line_column(bad_input, run_cli):
    case = bad_input.case
    r = run_cli(bad_input.tables.outlets, bad_input.tables.reps)
    assert_input_error(r, file=case.file, line=case.line, column=case.column)
    assert re.search(case.match, r.err), r.err
    assert case.todo in r.err


def test_every_bad_row_reported_in_one_run(write_csv, outlet_rows, rep_rows, run_cli):
    rows = [*outlet_rows, dict(outlet_rows[0], outlet_id="P3"), dict(outlet_rows[0],
                                                                   outlet_id="P4")]
    rows[0]["lat"] = "abc"
    rows[1]["opening_hours"] = "sunrise-sunset"
    rows[2]["rep_id"] = "R9"
    rows[3].update(opening_hours="Mo-Fr 09:00-09:10", service_min="30")
    r = run_cli(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows))
    assert_input_error(r, file="outlets.csv")
    assert "4 problem(s)" in r.err
    for line, column in [(2, "lat"), (3, "opening_hours"), (4, "rep_id"), (5, "opening_hours")]:
        assert re.search(rf"outlets\.csv, line {line}, outlet '\w+', column '{column}'", r.err)
    assert "sunrise or sunset" in r.err
    assert "--skip-invalid" in r.err  # says what else to do


def test_skip_invalid_plans_the_rest_and_writes_rejected(write_csv, outlet_rows, rep_rows,
                                                         run_cli):
    rows = [*outlet_rows, dict(outlet_rows[0], outlet_id="P3"), dict(outlet_rows[0],
                                                                   outlet_id="P4")]
    rows[1]["frequency"] = "often"
    rows[3].update(frequency="2/week", allowed_days="Mo")
    r = run_cli(write_csv("outlets.csv", rows), write_csv("reps.csv", rep_rows), "--skip-invalid")
    assert r.code == 0, r.err
    assert "Traceback" not in r.err
    assert "2 problem(s) in the input; the rows were left out" in r.err
    rejected = read_csv(r.out_dir / "rejected.csv")
    assert [(x["line"], x["outlet_id"], x["column"]) for x in rejected] == [
        ("3", "P2", "frequency"), ("5", "P4", "frequency")]
    assert all(x["file"] == "outlets.csv" and x["message"] for x in rejected)
    assert sorted(v["outlet_id"] for v in read_csv(r.out_dir / "visits.csv")) == ["P1", "P3"]
    assert "Plan for 2 outlets" in r.out
    # The rows left out still owe their visits: 1 for P2 (its frequency cannot be read),
    # 2 for P4 (2/week over the 1-week plan). Coverage is 2 of 5, not 2 of 2.
    summary = json.loads((r.out_dir / "summary.json").read_text(encoding="utf-8"))
    assert (summary["required_visits"], summary["scheduled_visits"]) == (2, 2)
    assert (summary["skipped_outlets"], summary["skipped_visits"]) == (2, 3)
    assert summary["coverage"] == 0.4 and summary["frequency_compliance"] == 0.5
    assert "2 of 5 scheduled (40.0%), 50.0% of outlets at full frequency" in r.out
    assert "left out    2 outlet(s) with bad input, 3 visit(s) not planned" in r.out


def test_a_later_clean_run_removes_the_stale_rejected_csv(write_csv, outlet_rows, rep_rows,
                                                         run_cli):
    reps = write_csv("reps.csv", rep_rows)
    bad = [*outlet_rows]
    bad[1] = dict(bad[1], lat="")
    assert run_cli(write_csv("outlets.csv", bad), reps, "--skip-invalid").code == 0
    r = run_cli(write_csv("outlets.csv", outlet_rows), reps, "--skip-invalid")
    assert r.code == 0
    assert not (r.out_dir / "rejected.csv").exists()


def test_skip_invalid_does_not_cover_reps(write_csv, outlet_rows, rep_rows, run_cli):
    rep_rows[0]["shift"] = "late"
    r = run_cli(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                "--skip-invalid")
    assert_input_error(r, file="reps.csv", line=2, column="shift")


def test_every_outlet_bad_with_skip_invalid(write_csv, outlet_rows, rep_rows, run_cli):
    for row in outlet_rows:
        row["frequency"] = "?"
    r = run_cli(write_csv("outlets.csv", outlet_rows), write_csv("reps.csv", rep_rows),
                "--skip-invalid")
    assert_input_error(r, file="outlets.csv", line=3, column="frequency")
    assert "no valid outlets left" in r.err


def test_missing_reps_file(valid_tables, tmp_path, run_cli):
    r = run_cli(valid_tables.outlets, tmp_path / "missing_reps.csv")
    assert_input_error(r, file="missing_reps.csv")
    assert "reps file not found" in r.err


@pytest.mark.parametrize(("extra", "message"), [
    (["--start", "2026-02-30"], r"start '2026-02-30' is not a date; write YYYY-MM-DD"),
    (["--weeks", "0"], r"at least 1 week"),
    (["--holidays", "2026-12-01,xmas"], r"holiday 'xmas' is not a date"),
    (["--time-limit", "-5"], r"argument --time-limit: '-5' is not a time limit; give the seconds"),
])
def test_bad_options_exit_2(valid_tables, run_cli, extra, message):
    r = run_cli(valid_tables.outlets, valid_tables.reps, *extra)
    assert r.code == 2
    assert re.search(message, r.err), r.err
    assert "Traceback" not in r.err


@pytest.mark.parametrize(("text", "message"), [
    (None, r"solver parameters file not found"),
    ("time_limit = [\n", r"cannot read it as TOML"),
    ("no_such_knob = 1\n", r"unknown solver parameter\(s\) \['no_such_knob'\]"),
    ('time_limit = "soon"\n', r"bad solver parameters"),
])
def test_bad_params_file_exits_2(valid_tables, run_cli, tmp_path, text, message):
    params = tmp_path / "params.toml"
    if text is not None:
        params.write_text(text, encoding="utf-8")
    r = run_cli(valid_tables.outlets, valid_tables.reps, "--params", str(params))
    assert r.code == 2
    assert "params.toml" in r.err
    assert re.search(message, r.err), r.err
    assert "Traceback" not in r.err


def test_out_is_a_file(valid_tables, tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("not a directory", encoding="utf-8")
    code = main(["plan", "--outlets", str(valid_tables.outlets), "--reps",
                 str(valid_tables.reps), "--start", "2026-11-30", "--out", str(target),
                 "--iterations", "20"])
    err = capsys.readouterr().err
    assert code == 2
    assert "is a file; give a directory" in err
    assert "Traceback" not in err


def test_argument_errors_return_2_with_usage(capsys):
    assert main(["plan", "--outlets", "o.csv"]) == 2
    err = capsys.readouterr().err
    assert "usage: routeopt plan" in err
    assert "required" in err
    assert main(["plan", "--outlets", "o.csv", "--reps", "r.csv", "--start", "2026-11-30",
                 "--out", "x", "--weeks", "two"]) == 2
    assert "argument --weeks: 'two' is not a whole number" in capsys.readouterr().err


def test_help_returns_0(capsys):
    assert main(["plan", "--help"]) == 0
    assert "--skip-invalid" in capsys.readouterr().out
