"""``routeopt export PLAN_DIR``: the outputs from a plan folder alone, into one folder."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from monaco import MONACO, monaco_week

from routeopt.cli import main


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "plan"
    monaco_week().write(out)
    return out


def _export(*argv: str | Path) -> int:
    return main(["export", *map(str, argv)])


def test_every_output_from_the_folder_alone(plan_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "share"
    assert _export(plan_dir, "--out", out, "--sheets", "--ics", "--orders", "--xlsx", "--map",
                   "--stock", MONACO / "stock.csv", "--tz", "Europe/Monaco") == 0
    assert "sheets, ics, orders, xlsx, map" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    files = set(manifest["files"])
    assert {"orders.csv", "plan.xlsx", "calendars/R1.ics", "calendars/R2.ics",
            "maps/overview.html", "sheets/index.html"} <= files
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == files | {"manifest.json"}
    # a second export replaces the first whole
    assert _export(plan_dir, "--out", out, "--xlsx") == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "plan.xlsx"]


def test_all_is_every_output_whose_inputs_are_given() -> None:
    from routeopt.cli import _parser
    from routeopt.export._cli import OUTPUTS, chosen

    every = [o.flag for o in OUTPUTS]
    args = _parser().parse_args(["export", "p", "--all"])
    assert [o.flag for o in chosen(args)] == [f for f in every if f != "orders"]
    args = _parser().parse_args(["export", "p", "--all", "--stock", "s.csv"])
    assert [o.flag for o in chosen(args)] == every


def test_the_default_folder_is_beside_the_plan(plan_dir: Path, tmp_path: Path) -> None:
    mine = tmp_path / "week"
    shutil.copytree(plan_dir, mine)
    assert _export(mine, "--xlsx") == 0
    assert (tmp_path / "week-share" / "plan.xlsx").is_file()


@pytest.mark.parametrize(("argv", "message"), [
    (["--all", "--lang", "fr"], "unknown language 'fr'; use one of en, zh"),
    (["--ics", "--tz", "Europe/Monacco"], "Europe/Monaco"),
    ([], "say which outputs to make"),
    (["--orders"], "--orders needs --stock"),
    (["--xlsx", "--stock", "nowhere.csv"], "nowhere.csv"),
])
def test_bad_options_write_nothing(plan_dir: Path, tmp_path: Path, argv: list[str],
                                   message: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "share"
    assert _export(plan_dir, "--out", out, *argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_a_plan_folder_missing_a_file_is_named(plan_dir: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "plan"
    shutil.copytree(plan_dir, broken)
    (broken / "outlets.csv").unlink()
    out = tmp_path / "share"
    assert _export(broken, "--out", out, "--xlsx") == 2
    err = capsys.readouterr().err
    assert "outlets.csv" in err and "Traceback" not in err
    assert not out.exists()
