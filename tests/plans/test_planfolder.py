"""The plan folder: its manifest, what is refused on write, and each check on read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from plan_helpers import SmallPlans

from routeopt._files import atomic_folder, leftovers, recover_folder
from routeopt._planfolder import FORMAT_VERSION, check_folder
from routeopt._version import __version__
from routeopt.exceptions import InputError, PlanIntegrityError
from routeopt.replan import read_plan


def test_the_manifest_lists_every_file_with_its_size_hash_and_rows(small: SmallPlans,
                                                                  tmp_path: Path) -> None:
    import hashlib

    files = small.week.write(tmp_path / "p", extra_files={"notes.txt": "kept\n"})
    m = json.loads(files["manifest.json"].read_text())
    assert m["format"] == "routeopt-plan" and m["format_version"] == FORMAT_VERSION
    assert m["routeopt_version"] == __version__
    assert set(m["files"]) == set(files) - {"manifest.json"}
    for name, e in m["files"].items():
        data = files[name].read_bytes()
        assert e["bytes"] == len(data) and e["sha256"] == hashlib.sha256(data).hexdigest()
    assert m["files"]["visits.csv"]["rows"] == small.week.scheduled_visits
    assert m["files"]["routes.csv"]["rows"] == len(small.week.routes)


def test_a_folder_holding_other_files_is_not_replaced(small: SmallPlans, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.docx").write_text("the manager's notes")
    with pytest.raises(InputError, match=r"holds files routeopt did not write \(notes\.docx\)"):
        small.week.write(out)
    assert [p.name for p in out.iterdir()] == ["notes.docx"]
    small.week.write(tmp_path / "plan")  # a plan folder (or an empty one) is replaced
    (tmp_path / "plan" / ".DS_Store").write_bytes(b"\0")  # a desktop looked at it
    small.weeks8.write(tmp_path / "plan")
    assert read_plan(tmp_path / "plan", small.weeks8.problem).routes == small.weeks8.routes
    with pytest.raises(ValueError, match=r"cannot replace the plan's own visits\.csv"):
        small.week.write(tmp_path / "x", extra_files={"visits.csv": ""})


def test_an_unknown_format_version_is_refused(small: SmallPlans, tmp_path: Path) -> None:
    out = tmp_path / "p"
    small.week.write(out)
    m = json.loads((out / "manifest.json").read_text())
    m["format_version"] = FORMAT_VERSION + 1
    m["routeopt_version"] = "9.0.0"
    (out / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(PlanIntegrityError, match=r"format version 2 \(written by routeopt "
                                                 r"9\.0\.0\).*upgrade routeopt") as e:
        read_plan(out, small.problem1)
    assert e.value.issues[0].file == str(out / "manifest.json")
    (out / "manifest.json").write_text(json.dumps(m)[:40])
    with pytest.raises(PlanIntegrityError, match=r"manifest\.json, line 1: is not complete JSON"):
        read_plan(out, small.problem1)


def test_a_plan_file_the_manifest_does_not_list_is_refused(small: SmallPlans,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "p"
    small.week.write(out)
    m = json.loads((out / "manifest.json").read_text())
    del m["files"]["plan.json"]
    (out / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(PlanIntegrityError, match=r"plan\.json: is not listed in manifest\.json"):
        read_plan(out, small.problem1)


@pytest.mark.parametrize("cut", ["mid-line", "line-end"])
@pytest.mark.parametrize("name", ["visits.csv", "plan.json", "routes.csv", "summary.json"])
def test_a_file_cut_short_is_refused_even_without_a_manifest(
        small: SmallPlans, tmp_path: Path, name: str, cut: str) -> None:
    out = tmp_path / "p"
    small.weeks8.write(out)
    (out / "manifest.json").unlink()
    text = (out / name).read_text()
    at = len(text) // 2
    if cut == "line-end":
        at = text.rindex("\n", 0, at) + 1
    (out / name).write_text(text[:at])
    with pytest.raises(PlanIntegrityError) as e:
        read_plan(out, small.weeks8.problem)
    assert any(i.file is not None and i.file.endswith(("visits.csv", "plan.json", "routes.csv",
                                                       "summary.json")) for i in e.value.issues)


def test_plan_json_and_visits_csv_of_different_plans_are_refused(small: SmallPlans,
                                                                 tmp_path: Path) -> None:
    """Same counts, another visit: only the visit-by-visit comparison can tell."""
    out = tmp_path / "p"
    small.week.write(out)
    (out / "manifest.json").unlink()
    lines = (out / "visits.csv").read_text().splitlines(keepends=True)
    cells = lines[2].split(",")
    at = lines[0].split(",").index("start")
    cells[at] = cells[at][:-2] + ("01" if cells[at][-2:] != "01" else "02")  # another start
    lines[2] = ",".join(cells)
    (out / "visits.csv").write_text("".join(lines))
    with pytest.raises(PlanIntegrityError, match=r"visits\.csv, line 3: differs from plan\.json"
                                                 r" .*first difference at visit 2"):
        read_plan(out, small.problem1)


def test_a_folder_without_manifest_or_summary_is_refused(small: SmallPlans,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "p"
    small.week.write(out)
    (out / "manifest.json").unlink()
    (out / "summary.json").unlink()
    with pytest.raises(PlanIntegrityError, match=r"no manifest\.json and no summary\.json"):
        read_plan(out, small.problem1)


def test_only_leftovers_are_reported_as_such(small: SmallPlans, tmp_path: Path) -> None:
    out = tmp_path / "p"
    with pytest.raises(InputError, match=r"no plan\.json or visits\.csv here"):
        check_folder(out)
    aside = tmp_path / (".old-p-" + "0" * 32)
    small.week.write(aside)
    with pytest.raises(PlanIntegrityError, match=r"\.old-p-0+ beside it holds the complete plan"):
        check_folder(out)
    assert recover_folder(out) == out and not aside.exists()
    assert read_plan(out, small.problem1).routes == small.week.routes
    unfinished = tmp_path / (".tmp-q-" + "1" * 32)
    unfinished.mkdir()
    with pytest.raises(PlanIntegrityError, match=r"\.tmp-q-1+ beside it is an unfinished write"):
        check_folder(tmp_path / "q")


@pytest.mark.parametrize("exchange", [True, False])
def test_atomic_folder_swaps_or_keeps_the_old_folder(tmp_path: Path, exchange: bool) -> None:
    target = tmp_path / "f"
    with atomic_folder(target, exchange=exchange) as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(RuntimeError), atomic_folder(target, exchange=exchange) as tmp:
        (tmp / "b").write_text("2")
        raise RuntimeError("stopped midway")
    assert sorted(p.name for p in target.iterdir()) == ["a"]
    with atomic_folder(target, exchange=exchange) as tmp:
        (tmp / "c").write_text("3")
    assert sorted(p.name for p in target.iterdir()) == ["c"]
    assert leftovers(target) == ([], [])


def test_the_cli_refuses_an_out_folder_holding_other_files_before_planning(
        small: SmallPlans, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from routeopt.cli import main

    out = tmp_path / "work"
    out.mkdir()
    (out / "outlets.xlsx").write_text("the source table")
    code = main(["plan", "--outlets", str(small.outlets), "--reps", str(small.reps), "--start",
                 "2026-11-30", "--out", str(out), "--iterations", "5"])
    err = capsys.readouterr().err
    assert code == 2 and "holds files routeopt did not write (outlets.xlsx)" in err
    assert [p.name for p in out.iterdir()] == ["outlets.xlsx"]


def test_a_value_out_of_range_in_an_old_plan_json_is_an_input_error(small: SmallPlans,
                                                                    tmp_path: Path) -> None:
    """Without a manifest only the cross-checks run; a travel time of 1e999 (infinity to
    JSON) still ends in an InputError naming plan.json, not an OverflowError."""
    out = tmp_path / "p"
    small.week.write(out)
    (out / "manifest.json").unlink()
    text = (out / "plan.json").read_text()
    first = text.index('"travel_s": ', text.index('"stops"'))
    end = text.index(",", first)
    (out / "plan.json").write_text(text[:first] + '"travel_s": 1e999' + text[end:])
    with pytest.raises(InputError, match=r"plan\.json: cannot read the previous plan"):
        read_plan(out, small.problem1)
