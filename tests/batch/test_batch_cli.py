"""``routeopt batch`` end to end: exit codes, printed summary, resume, --redo, bad input."""

from __future__ import annotations

import json
import shutil

from routeopt.batch import SUMMARY_FILE
from routeopt.cli import main


def test_batch_command(make_batch, tmp_path, capsys):
    root = make_batch(["east", "west", "broken"], bad=["broken"])
    out = tmp_path / "out"
    args = ["batch", "--territories", str(root), "--out", str(out), "--workers", "2",
            "--iterations", "20"]
    assert main(args) == 3  # it ran, but one territory failed
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err
    assert "%|" not in printed.err  # no progress bar when stderr is not a terminal
    assert "Batch of 3 territories" in printed.out
    assert "2 done, 0 skipped, 1 failed" in printed.out
    assert "broken: input: outlets.csv, line 3, outlet 'T0002', column 'lat'" in printed.out
    summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["results"][1]["summary"]["iterations"] == 20  # --iterations reached the solver
    assert (summary["done"], summary["failed"]) == (2, 1)

    shutil.rmtree(root / "broken")
    assert main(args) == 0
    assert "0 done, 2 skipped, 0 failed" in capsys.readouterr().out
    assert main([*args, "--redo", "--weeks", "2"]) == 0
    assert "2 done, 0 skipped, 0 failed" in capsys.readouterr().out
    summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert [r["summary"]["weeks"] for r in summary["results"]] == [2, 2]


def test_batch_command_bad_input(make_batch, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("routeopt.batch.run.CONNECT_TIMEOUT_S", 2.0)
    assert main(["batch", "--territories", str(tmp_path / "none"), "--out",
                 str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "routeopt: error:" in err and "territories folder not found" in err
    root = make_batch(["a"])
    assert main(["batch", "--territories", str(root), "--out", str(tmp_path / "out"),
                 "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["batch", "--territories", str(root), "--out", str(tmp_path / "out"),
                 "--start", "30/11/2026"]) == 2
    assert "command line, column 'start'" in capsys.readouterr().err
    assert main(["batch", "--territories", str(root), "--out", str(tmp_path / "out"),
                 "--scheduler", "tcp://127.0.0.1:9"]) == 2  # nothing listens there
    assert "cannot connect to the Dask scheduler" in capsys.readouterr().err


def test_an_empty_territories_folder_is_an_error(tmp_path, capsys):
    root = tmp_path / "territories"
    root.mkdir()
    out = tmp_path / "out"
    for extra in ([], ["--replan", "--today", "2026-12-01"]):
        assert main(["batch", "--territories", str(root), "--out", str(out), *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith("routeopt: error:") and "Traceback" not in err
        assert f"{root}: no territory folders to plan" in err and "it has no sub-folders" in err
    (root / "notes").mkdir()  # a folder that is not a territory
    assert main(["batch", "--territories", str(root), "--out", str(out)]) == 2
    assert "its sub-folders notes have none of these files" in capsys.readouterr().err
    assert not (out / "batch-summary.json").exists()


def test_batch_from_tables_without_a_start_date(tmp_path, capsys):
    from routeopt.datasets import make_company

    outlets, reps = make_company(40, 2, seed=1, radius_km=5.0)
    outlets.assign(territory=["R001", "R002"] * 20).to_csv(tmp_path / "outlets.csv", index=False)
    reps.assign(territory=reps["rep_id"]).to_csv(tmp_path / "reps.csv", index=False)
    out = tmp_path / "plans"
    code = main(["batch", "--outlets", str(tmp_path / "outlets.csv"), "--reps",
                 str(tmp_path / "reps.csv"), "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("error") <= 2 and "--start YYYY-MM-DD" in err and "batch.toml" in err
    assert not out.exists()
