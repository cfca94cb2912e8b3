"""``routeopt territories``, then ``routeopt batch`` on its tables, through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from routeopt.cli import main
from routeopt.datasets import make_company


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("company")
    outlets, reps = make_company(160, 2, seed=7, radius_km=12.0)
    outlets.to_csv(root / "outlets.csv", index=False)
    reps.to_csv(root / "reps.csv", index=False)
    return root / "outlets.csv", root / "reps.csv"


def _run(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def test_design_then_batch_on_a_dask_cluster(tables: tuple[Path, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    distributed = pytest.importorskip("distributed")
    outlets, reps = tables
    out = tmp_path / "T"
    assert _run("territories", "--outlets", outlets, "--reps", reps, "--out", out, "--map") == 0
    assert "160 outlets in 2 territories" in capsys.readouterr().out
    page = (out / "territories.html").read_text()
    assert "R001 (" in page and "R002 (" in page and "<script src=" not in page
    assert (out / "territories.png").read_bytes()[:4] == b"\x89PNG"
    terr = pd.read_csv(out / "territories.csv", dtype=str)
    table = pd.read_csv(out / "outlets.csv", dtype=str, keep_default_na=False)
    original = pd.read_csv(outlets, dtype=str, keep_default_na=False)
    # the input table, every cell as it was, with the territory column
    assert table.drop(columns="territory").equals(original)
    assert table["territory"].tolist() == terr["territory"].tolist()
    summary = pd.read_csv(out / "summary.csv")
    assert summary["outlets"].sum() == 160 and (summary["deviation_pct"].abs() <= 5.0001).all()
    assert json.loads((out / "territories.json").read_text())["stats"]["outside_band_h"] == 0

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster:
        code = _run("batch", "--outlets", out / "outlets.csv", "--reps", out / "reps.csv",
                    "--out", tmp_path / "plans", "--start", "2026-11-30", "--weeks", "4",
                    "--iterations", "20", "--scheduler", cluster.scheduler_address)
    text = capsys.readouterr().out
    assert code == 0, text
    assert "2 done, 0 skipped, 0 failed" in text and "dask tcp://" in text
    for rep in summary["rep_id"]:
        visits = pd.read_csv(tmp_path / "plans" / rep / "visits.csv", dtype=str)
        assert set(visits["rep_id"]) == {rep}
        mine = set(terr.loc[terr["territory"] == rep, "outlet_id"])
        assert set(visits["outlet_id"]) <= mine


def test_realignment_caps_the_moves(tables: tuple[Path, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    outlets, reps = tables
    lopsided = pd.read_csv(outlets, dtype=str)[["outlet_id"]]
    lopsided["territory"] = ["R001" if k % 5 else "R002" for k in range(len(lopsided))]
    current = tmp_path / "current.csv"
    lopsided.to_csv(current, index=False)
    out = tmp_path / "T"
    assert _run("territories", "--outlets", outlets, "--reps", reps, "--out", out,
                "--current", current, "--max-moves", "10%") == 0
    moves = pd.read_csv(out / "moves.csv", dtype=str)
    assert 0 < len(moves) <= 16
    terr = pd.read_csv(out / "territories.csv", dtype=str)
    assert (terr["moved"] == "True").sum() == len(moves)
    assert f"{len(moves)} outlet(s) change hands (at most 16)" in capsys.readouterr().out


def _fails(capsys: pytest.CaptureFixture[str], out: Path, *argv: str | Path) -> str:
    assert _run(*argv) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_bad_input_is_named_and_nothing_is_written(tables: tuple[Path, Path], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    outlets, reps = tables
    out = tmp_path / "T"
    base = ("territories", "--reps", reps, "--out", out)
    o = pd.read_csv(outlets, dtype=str, keep_default_na=False)

    fixed = o.copy()
    fixed.loc[3, "rep_id"] = "R404"
    fixed.to_csv(tmp_path / "fixed.csv", index=False)
    err = _fails(capsys, out, *base, "--outlets", tmp_path / "fixed.csv")
    assert "line 5" in err and "rep_id" in err and "R404" in err

    nowhere = o.copy()
    nowhere.loc[6, ["lat", "lon"]] = ""
    nowhere.to_csv(tmp_path / "nowhere.csv", index=False)
    err = _fails(capsys, out, *base, "--outlets", tmp_path / "nowhere.csv")
    assert "line 8" in err and "lat" in err

    r = pd.read_csv(reps, dtype=str, keep_default_na=False)
    r.head(1).to_csv(tmp_path / "one.csv", index=False)
    many = pd.concat([o.assign(outlet_id=o["outlet_id"] + f"-{k}") for k in range(4)])
    many.to_csv(tmp_path / "many.csv", index=False)
    err = _fails(capsys, out, "territories", "--outlets", tmp_path / "many.csv", "--reps",
                 tmp_path / "one.csv", "--out", out)
    assert "cannot hold the outlets' workload" in err and "shift" in err

    cur = o[["outlet_id"]].assign(territory="R001")
    cur.loc[2, "outlet_id"] = "ghost"
    cur.to_csv(tmp_path / "current.csv", index=False)
    err = _fails(capsys, out, *base, "--outlets", outlets, "--current", tmp_path / "current.csv")
    assert "line 4" in err and "outlet_id" in err and "ghost" in err

    err = _fails(capsys, out, *base, "--outlets", outlets, "--max-moves", "5%")
    assert "--max-moves needs --current" in err


MAP = '[outlets]\n"门店编号" = "outlet_id"\n"频次" = "frequency"\n'


def _chinese(outlets: pd.DataFrame) -> pd.DataFrame:
    """The outlets with Chinese names and CRM headers."""
    return outlets.assign(name=[f"门店{i}号" for i in range(len(outlets))]).rename(
        columns={"outlet_id": "门店编号", "frequency": "频次"})


def test_a_gbk_csv_is_read_as_routeopt_plan_reads_it(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    outlets, reps = make_company(120, 2, seed=3, radius_km=10.0)
    (tmp_path / "outlets.csv").write_bytes(_chinese(outlets).to_csv(index=False).encode("gbk"))
    reps.to_csv(tmp_path / "reps.csv", index=False)
    (tmp_path / "map.toml").write_text(MAP, encoding="utf-8")
    out = tmp_path / "T"
    assert _run("territories", "--outlets", tmp_path / "outlets.csv", "--reps",
                tmp_path / "reps.csv", "--out", out, "--encoding", "gbk", "--columns",
                tmp_path / "map.toml") == 0
    assert "120 outlets in 2 territories" in capsys.readouterr().out
    # written as UTF-8 under routeopt's names, every cell as it was
    table = pd.read_csv(out / "outlets.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == [*outlets.columns, "territory"]
    assert table["name"].tolist() == [f"门店{i}号" for i in range(120)]
    assert table["outlet_id"].tolist() == outlets["outlet_id"].tolist()
    assert set(table["territory"]) == set(reps["rep_id"])
    # the encoding detected and the headers known by their aliases, as routeopt plan does
    assert _run("territories", "--outlets", tmp_path / "outlets.csv", "--reps",
                tmp_path / "reps.csv", "--out", tmp_path / "U") == 0
    assert (tmp_path / "U" / "outlets.csv").read_bytes() == (out / "outlets.csv").read_bytes()
    # a wrong encoding is one clear error, and nothing is written
    capsys.readouterr()
    assert _run("territories", "--outlets", tmp_path / "outlets.csv", "--reps",
                tmp_path / "reps.csv", "--out", tmp_path / "V", "--encoding", "utf-8") == 2
    assert "outlets.csv" in capsys.readouterr().err
    assert not (tmp_path / "V").exists()


def test_excel_tables_for_territories_and_batch(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    outlets, reps = make_company(120, 2, seed=4, radius_km=10.0)
    book = tmp_path / "company.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.DataFrame({"note": ["not this sheet"]}).to_excel(w, sheet_name="readme", index=False)
        _chinese(outlets).to_excel(w, sheet_name="门店", index=False)
        reps.to_excel(w, sheet_name="reps", index=False)
    (tmp_path / "map.toml").write_text(MAP, encoding="utf-8")
    out = tmp_path / "T"
    assert _run("territories", "--outlets", book, "--reps", book, "--sheet", "门店",
                "--reps-sheet", "reps", "--columns", tmp_path / "map.toml", "--out", out) == 0
    terr = pd.read_csv(out / "territories.csv", dtype=str)
    assert sorted(terr["outlet_id"]) == sorted(outlets["outlet_id"])
    capsys.readouterr()
    # batch reads a workbook with a territory column the same way
    planned = pd.read_csv(out / "outlets.csv", dtype=str, keep_default_na=False)
    book2 = tmp_path / "planned.xlsx"
    with pd.ExcelWriter(book2) as w:
        _chinese(planned).to_excel(w, sheet_name="门店", index=False)
        pd.read_csv(out / "reps.csv", dtype=str).to_excel(w, sheet_name="reps", index=False)
    code = _run("batch", "--outlets", book2, "--reps", book2, "--sheet", "门店",
                "--reps-sheet", "reps", "--columns", tmp_path / "map.toml", "--out",
                tmp_path / "plans", "--start", "2026-11-30", "--weeks", "4", "--iterations",
                "10", "--workers", "1")
    text = capsys.readouterr().out
    assert code == 0, text
    assert "2 done, 0 skipped, 0 failed" in text
    for rep in reps["rep_id"]:
        visits = pd.read_csv(tmp_path / "plans" / rep / "visits.csv", dtype=str)
        mine = set(terr.loc[terr["territory"] == rep, "outlet_id"])
        assert set(visits["outlet_id"]) <= mine and len(visits)
