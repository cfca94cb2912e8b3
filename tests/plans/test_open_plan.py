"""A plan folder is enough to share the plan: open_plan rebuilds it from the folder alone."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routeopt import InputError, Plan, PlanIntegrityError, open_plan
from routeopt._planfolder import PLAN_FILES, write_folder
from routeopt.problem import RESERVED_COLUMNS
from routeopt.read import read_problem
from routeopt.replan import read_plan


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_folder_alone_gives_the_plan_back(attr_plan: Plan, tmp_path: Path) -> None:
    attr_plan.write(tmp_path / "plan")
    back = open_plan(tmp_path / "plan")
    assert back.routes == attr_plan.routes
    assert back.unscheduled == attr_plan.unscheduled
    assert back.kpis() == attr_plan.kpis()
    assert back.opened_from == tmp_path / "plan"
    assert back.problem.horizon.start == attr_plan.problem.horizon.start
    for a, b in zip(back.problem.outlets, attr_plan.problem.outlets, strict=True):
        assert (a.id, a.name, a.address, a.lat, a.lon, a.priority, a.service, a.hours,
                a.rep_id, a.demand, a.preferred_time) == (
                    b.id, b.name, b.address, b.lat, b.lon, b.priority, b.service, b.hours,
                    b.rep_id, b.demand, b.preferred_time)
        assert list(a.attributes.items()) == list(b.attributes.items())  # names, order, text
        assert a.rule.per_week == 0  # no visit rules in the folder
    assert back.problem.reps == attr_plan.problem.reps
    # written again, the folder is the same, file by file
    back.write(tmp_path / "again")
    for name in (*PLAN_FILES, "outlets.csv", "reps.csv"):
        assert (tmp_path / "again" / name).read_text() == (tmp_path / "plan" / name).read_text()


def test_read_plan_without_a_problem_opens_the_folder(attr_plan: Plan, tmp_path: Path) -> None:
    attr_plan.write(tmp_path / "plan")
    assert read_plan(tmp_path / "plan").routes == attr_plan.routes
    assert read_plan(tmp_path / "plan" / "plan.json").opened_from == tmp_path / "plan"


def test_an_opened_plan_refuses_to_be_checked(attr_plan: Plan, tmp_path: Path) -> None:
    """Its problem has no visit rules: a check would report every visit as one too many."""
    attr_plan.write(tmp_path / "plan")
    back = open_plan(tmp_path / "plan")
    with pytest.raises(InputError, match=r"opened from its folder alone.*read_plan\(path, "
                                         r"problem\)\.validate\(\)"):
        back.validate()
    with pytest.raises(InputError, match="cannot be checked"):
        back.violations()
    # with its problem (and the matrices it was timed with), the folder is checked as before
    checked = dataclasses.replace(read_plan(tmp_path / "plan", attr_plan.problem),
                                  matrices=attr_plan.matrices)
    assert checked.violations() == []


def test_the_files_carry_the_outlets_and_reps(attr_plan: Plan, tmp_path: Path) -> None:
    attr_plan.write(tmp_path / "plan")
    outlets = _csv(tmp_path / "plan" / "outlets.csv")
    assert [r["outlet_id"] for r in outlets] == ["P0", "P1", "P2", "P3", "FAR"]
    assert list(outlets[0])[-2:] == ["phone", "Contact"]
    assert outlets[2]["Contact"] == "Mme Léa [Nord]" and outlets[2]["phone"] == ""
    assert outlets[0]["opening_hours"] == "24/7" and outlets[0]["service_min"] == "15"
    reps = _csv(tmp_path / "plan" / "reps.csv")
    assert reps == [{"rep_id": "R1", "name": "North: Nice/Monaco [A]*", "lat": "43.73",
                     "lon": "7.42", "end_lat": "", "end_lon": "", "shift": "08:30-17:30",
                     "working_days": "Mo,Tu,We,Th,Fr", "break": "", "max_visits": "",
                     "mode": "drive", "capacity": "", "days_off": "", "max_drive": "",
                     "blocks": "", "min_visits": "", "target_day": ""}]
    manifest = json.loads((tmp_path / "plan" / "manifest.json").read_text())
    assert manifest["files"]["outlets.csv"]["rows"] == 5
    assert manifest["files"]["reps.csv"]["rows"] == 1
    assert manifest["format_version"] == 1  # older readers read the folder as before


@pytest.mark.parametrize("name", ["outlets.csv", "reps.csv", "plan.json"])
def test_a_missing_file_is_named(attr_plan: Plan, tmp_path: Path, name: str) -> None:
    attr_plan.write(tmp_path / "plan")
    (tmp_path / "plan" / name).unlink()
    with pytest.raises(PlanIntegrityError, match=rf"{name}: is listed in manifest\.json but "
                                                 "missing") as e:
        open_plan(tmp_path / "plan")
    assert e.value.issues[0].file == str(tmp_path / "plan" / name)


def test_a_folder_of_an_older_routeopt_is_refused_by_name_and_read_with_its_problem(
        attr_plan: Plan, tmp_path: Path) -> None:
    files = {k: v for k, v in attr_plan.files().items() if k not in ("outlets.csv", "reps.csv")}
    write_folder(tmp_path / "old", files)
    with pytest.raises(PlanIntegrityError) as e:
        open_plan(tmp_path / "old")
    assert [i.file for i in e.value.issues] == [str(tmp_path / "old" / "outlets.csv"),
                                                str(tmp_path / "old" / "reps.csv")]
    assert "write the plan again" in e.value.issues[0].message
    assert read_plan(tmp_path / "old", attr_plan.problem).routes == attr_plan.routes


def test_tables_of_another_plan_are_refused(attr_plan: Plan, tmp_path: Path) -> None:
    files = attr_plan.files()
    rows = files["outlets.csv"].splitlines(keepends=True)
    files["outlets.csv"] = "".join(r.replace("P3,", "P9,", 1) for r in rows)
    write_folder(tmp_path / "mixed", files)  # a manifest that matches the damaged table
    with pytest.raises(PlanIntegrityError, match=r"visits\.csv, line \d+, column 'outlet_id': "
                                                 r"outlet_id 'P3' is not in outlets\.csv"):
        open_plan(tmp_path / "mixed")


def test_a_folder_holding_input_tables_is_not_taken_for_a_plan(attr_plan: Plan,
                                                               tmp_path: Path) -> None:
    """outlets.csv and reps.csv are routeopt's only when its manifest lists them."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "outlets.csv").write_text("outlet_id,lat,lon,frequency\nP1,43.7,7.4,1/week\n")
    (data / "reps.csv").write_text("rep_id,lat,lon\nR1,43.7,7.4\n")
    with pytest.raises(InputError, match=r"holds files routeopt did not write \(outlets\.csv, "
                                         r"reps\.csv\)"):
        attr_plan.write(data)
    assert (data / "outlets.csv").is_file()
    attr_plan.write(tmp_path / "plan")
    attr_plan.write(tmp_path / "plan")  # its own folder is replaced as before


# -- any text survives the way from outlets.csv through the plan folder --------------------
_NAME = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
                min_size=1, max_size=12).map(str.strip).filter(
    lambda n: n and n.lower() not in RESERVED_COLUMNS)
_VALUE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",),
                               exclude_characters="\x00"), max_size=20).map(str.strip)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(names=st.lists(_NAME, min_size=1, max_size=4, unique_by=str.lower),
       values=st.lists(st.lists(_VALUE, min_size=4, max_size=4), min_size=1, max_size=3))
def test_extra_columns_survive_the_round_trip(names: list[str], values: list[list[str]],
                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    """Quotes, separators, line breaks, non-Latin text: read, planned, written and opened
    again, each cell is the text of the file (trimmed), under its column's name, in order."""
    tmp = tmp_path_factory.mktemp("rt")
    own = ["outlet_id", "lat", "lon", "frequency"]
    with (tmp / "outlets.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([*own, *names])
        for k, row in enumerate(values):
            w.writerow([f"P{k}", 43.73 + 0.001 * k, 7.42, "0", *row[:len(names)]])
    (tmp / "reps.csv").write_text("rep_id,lat,lon\nR1,43.73,7.42\n", encoding="utf-8")
    problem = read_problem(tmp / "outlets.csv", tmp / "reps.csv", start="2026-11-30")
    want = [list(zip(names, row[:len(names)], strict=True)) for row in values]
    assert [list(o.attributes.items()) for o in problem.outlets] == want
    Plan(problem, (), ()).write(tmp / "plan")
    back = open_plan(tmp / "plan")
    assert [list(o.attributes.items()) for o in back.problem.outlets] == want


def test_the_first_date_planned_is_kept_where_recorded(attr_plan: Plan, tmp_path: Path) -> None:
    """A re-plan's summary records plan_from: the rebuilt problem plans from it too."""
    files = attr_plan.files()
    summary = {**json.loads(files["summary.json"]), "plan_from": "2026-12-02"}
    doc = json.loads(files["plan.json"])
    doc["summary"] = summary
    files["summary.json"] = json.dumps(summary, indent=2) + "\n"
    files["plan.json"] = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    write_folder(tmp_path / "replan", files)
    back = open_plan(tmp_path / "replan")
    assert str(back.problem.plan_from) == "2026-12-02"
    assert "plan_from" not in back.kpis() and back.summary_dict()["plan_from"] == "2026-12-02"
