"""Territory folders, options files and their layers, territories from DataFrames."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from routeopt import InputError, SolveParams
from routeopt.batch import (
    Territory,
    TerritoryOptions,
    batch_defaults,
    read_territories,
    territories_from_frames,
)


def test_options_layers(tmp_path):
    (tmp_path / "batch.toml").write_text(
        'start = 2026-11-30\nweeks = 4\nholidays = "2026-12-08, 2026-12-25"\n'
        "[solve]\nmax_iterations = 200\nseed = 3\n", encoding="utf-8")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "outlets.csv").write_text("outlet_id\n", encoding="utf-8")
    (tmp_path / "b" / "territory.toml").write_text(
        'weeks = 2\nskip_invalid = true\n[solve]\nseed = 9\n[task]\ntoday = 2026-12-02\n',
        encoding="utf-8")
    base = batch_defaults(tmp_path)
    assert base.start == date(2026, 11, 30)  # a TOML date
    assert base.holidays == (date(2026, 12, 8), date(2026, 12, 25))
    found, left_out = read_territories(tmp_path)
    a, b = found
    assert (a.name, a.options) == ("a", base)
    assert (b.options.weeks, b.options.skip_invalid) == (2, True)
    assert (b.options.solve.seed, b.options.solve.max_iterations) == (9, 200)  # merged by key
    assert b.options.start == base.start and left_out == []
    assert b.options.task == {"today": date(2026, 12, 2)}  # free options for a custom task
    assert b.options.to_dict()["task"] == {"today": "2026-12-02"}
    # A command-line layer between batch.toml and territory.toml.
    cli = base.updated({"weeks": 3, "solve": {"max_iterations": 50}}, file="command line")
    a, b = read_territories(tmp_path, cli)[0]
    assert (a.options.weeks, a.options.solve.max_iterations) == (3, 50)
    assert (b.options.weeks, b.options.solve.max_iterations, b.options.solve.seed) == (2, 50, 9)


@pytest.mark.parametrize(("text", "match"), [
    ("weeks = 0", r"territory.toml.*weeks"),
    ("weeks = true", r"weeks = True should be a whole number"),
    ('start = "30/11/2026"', r"column 'start'.*is not a date; write YYYY-MM-DD"),
    ("holidays = 5", r"holidays should be a list of dates"),
    ("colour = 'red'", r"unknown option\(s\) \['colour'\]"),
    ("[solve]\nmax_iterations = 1.5", r"solve.max_iterations = 1.5 should be of type int"),
    ("[solve]\nmax_iteration = 10", r"unknown solver parameter 'max_iteration'"),
    ("[solve]\ntime_limit = -1", r"toml, column .solve.time_limit.: SolveParams.time_limit is -1: "
                                  "give the seconds"),
    ("weeks = ", r"cannot read it as TOML"),
    ("task = 3", r"task should be a table"),
])
def test_bad_territory_toml_fails_that_territory_only(tmp_path, text, match):
    for name in ("bad", "good"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "reps.csv").write_text("rep_id\n", encoding="utf-8")
    (tmp_path / "bad" / "territory.toml").write_text(text + "\n", encoding="utf-8")
    (bad, good), _ = read_territories(tmp_path)
    assert good.error is None
    assert bad.error is not None
    with pytest.raises(InputError, match=match):
        raise bad.error


def test_fingerprint_follows_files_and_options(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "outlets.csv").write_text("a\n", encoding="utf-8")
    (tmp_path / "t" / ".hidden").write_text("ignored", encoding="utf-8")
    t = Territory("t", TerritoryOptions(), path=tmp_path / "t")
    fp = t.fingerprint()
    assert set(t.load()) == {"outlets.csv"}
    (tmp_path / "t" / ".hidden").write_text("changed", encoding="utf-8")
    assert t.fingerprint() == fp
    assert Territory("t", TerritoryOptions(weeks=2), path=tmp_path / "t").fingerprint() != fp
    (tmp_path / "t" / "visit-log.csv").write_text("x\n", encoding="utf-8")
    assert t.fingerprint() != fp


def test_territories_from_frames_keep_values_exactly():
    outlets = pd.DataFrame({"territory": ["N", "N", "S"], "outlet_id": ["P1", "P2", "P3"],
                            "lat": [43.123456789012, 43.2, None], "lon": [7.1, 7.2, 7.3],
                            "frequency": ["1/week"] * 3})
    reps = pd.DataFrame({"territory": ["N"], "rep_id": ["R1"], "lat": [43.0], "lon": [7.0]})
    n, s = territories_from_frames(outlets, reps, options={"S": TerritoryOptions(weeks=2)},
                                   defaults=TerritoryOptions(solve=SolveParams(seed=4)))
    assert n.files["outlets.csv"].decode().splitlines() == [
        "outlet_id,lat,lon,frequency", "P1,43.123456789012,7.1,1/week", "P2,43.2,7.2,1/week"]
    assert s.files["outlets.csv"].decode().splitlines()[1] == "P3,,7.3,1/week"
    assert s.files["reps.csv"].decode().strip() == "rep_id,lat,lon"  # no reps: fails when run
    assert (n.options.solve.seed, s.options.weeks) == (4, 2)
    with pytest.raises(InputError, match="has no 'region' column"):
        territories_from_frames(outlets, reps, column="region")
