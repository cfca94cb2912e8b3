"""``routeopt geocode`` and ``routeopt plan --geocoder`` against the local fake Nominatim."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from routeopt.cli import main

sys.path.insert(0, str(Path(__file__).parents[1]))
from procs import Command, linux_only  # tests/procs.py


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def table(write_csv: Callable[..., Path]) -> Path:
    return write_csv("outlets.csv", [
        {"outlet_id": "P1", "address": "Place du Palais", "lat": "", "lon": "",
         "frequency": "1/week"},
        {"outlet_id": "P2", "address": "Nowhere", "lat": "", "lon": "", "frequency": "1/week"},
        {"outlet_id": "P3", "address": "", "lat": "43.74", "lon": "7.43", "frequency": "1/week"},
        {"outlet_id": "P4", "address": "Down", "lat": "", "lon": "", "frequency": "1/week"},
    ])


def test_geocode_writes_the_file_and_counts_statuses(fake_nominatim: Any, table: Path,
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    fake_nominatim.script("Place du Palais", ("json", [fake_nominatim.place(43.7312, 7.42)]))
    fake_nominatim.script("Down", ("status", 503))
    out = tmp_path / "geo" / "out.csv"
    args = ["geocode", "--in", str(table), "--out", str(out), "--domain", fake_nominatim.domain,
            "--scheme", "http", "--cache", str(tmp_path / "c.sqlite"), "--max-retries", "0",
            "--user-agent", "acme/1.0"]
    code, printed, err = run(*args, capsys=capsys)
    assert code == 0, err
    assert "4 rows: ok 1, not_found 1, error 1, given 1" in printed
    assert (f"3 address(es) asked of nominatim@{fake_nominatim.domain}, 0 answered from the "
            "cache") in printed
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got["geocode_status"]) == ["ok", "not_found", "given", "error"]
    assert set(fake_nominatim.user_agents) == {"acme/1.0"}
    # The second run asks only for the row that failed.
    code, printed, _ = run(*args, capsys=capsys)
    assert code == 0 and "1 address(es) asked of" in printed and "2 answered from" in printed
    assert fake_nominatim.requests["Place du Palais"] == 1


@pytest.mark.parametrize(("extra", "message"), [
    (["--provider", "nominatimm"], "unknown geocoder 'nominatimm'"),
    (["--option", "api_kee=1"], "does not take api_kee"),
    (["--option", "novalue"], "write KEY=VALUE"),
])
def test_geocode_bad_options_exit_2(extra: list[str], message: str, table: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("geocode", "--in", str(table), "--out", str(tmp_path / "o.csv"),
                       "--cache", "none", *extra, capsys=capsys)
    assert code == 2 and message in err


def test_geocode_bad_input_exit_2(write_csv: Callable[..., Path], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    no_address = write_csv("x.csv", [{"outlet_id": "P1", "adress": "Place du Palais"}])
    code, _, err = run("geocode", "--in", str(no_address), "--out", str(tmp_path / "o.csv"),
                       "--domain", "127.0.0.1:9", "--scheme", "http", "--cache", "none",
                       capsys=capsys)
    assert code == 2
    assert "lacks the required column 'address'; rename column 'adress' to 'address'" in err
    code, _, err = run("geocode", "--in", str(tmp_path / "missing.csv"), "--out",
                       str(tmp_path / "o.csv"), "--cache", "none", capsys=capsys)
    assert code == 2 and "outlets file not found" in err
    assert not (tmp_path / "o.csv").exists()


def test_geocode_damaged_cache_exit_1(table: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "c.sqlite"
    bad.write_bytes(b"garbage" * 1000)
    code, _, err = run("geocode", "--in", str(table), "--out", str(tmp_path / "o.csv"),
                       "--cache", str(bad), capsys=capsys)
    assert code == 1 and "damaged or not an SQLite file" in err


def test_geocode_interrupted_exit_130_keeps_answers(table: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "stopping_geo.py").write_text(
        "from routeopt.geocode import Candidate\n"
        "class G:\n"
        "    identity, crs = 'stopping', 'wgs84'\n"
        "    def lookup(self, address):\n"
        "        if address == 'Nowhere': raise KeyboardInterrupt\n"
        "        return [Candidate(43.7, 7.4)]\n"
        "def make(): return G()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    cache = tmp_path / "c.sqlite"
    code, _, err = run("geocode", "--in", str(table), "--out", str(tmp_path / "o.csv"),
                       "--provider", "stopping_geo:make", "--cache", str(cache), capsys=capsys)
    assert code == 130 and f"kept in the cache {cache}" in err
    assert not (tmp_path / "o.csv").exists()
    from routeopt.geocode import GeocodeCache

    with GeocodeCache(cache) as c:
        assert c.get("stopping", "Place du Palais") is not None


def test_plan_geocodes_with_skip_invalid(fake_nominatim: Any, table: Path,
                                         write_csv: Callable[..., Path], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    fake_nominatim.script("Place du Palais", ("json", [fake_nominatim.place(43.7312, 7.42)]))
    fake_nominatim.script("Down", ("status", 403))  # not retried: keeps the test fast
    reps = write_csv("reps.csv", [{"rep_id": "R1", "lat": "43.73", "lon": "7.42"}])
    code, _, err = run(
        "plan", "--outlets", str(table), "--reps", str(reps), "--start", "2026-11-30",
        "--out", str(tmp_path / "plan"), "--iterations", "5", "--geocoder", "nominatim",
        "--geocode-domain", fake_nominatim.domain, "--geocode-scheme", "http",
        "--geocode-cache", "none", "--skip-invalid", capsys=capsys)
    assert code == 0, err
    rejected = pd.read_csv(tmp_path / "plan" / "rejected.csv", dtype=str, keep_default_na=False)
    assert list(rejected["outlet_id"]) == ["P2", "P4"]
    assert list(rejected["line"]) == ["3", "5"]
    assert "'Nowhere' could not be geocoded: not found" in rejected["message"][0]
    assert "'Down' could not be geocoded: error (refused (HTTP 403)" in rejected["message"][1]
    visits = pd.read_csv(tmp_path / "plan" / "visits.csv", dtype=str)
    assert set(visits["outlet_id"]) == {"P1", "P3"}
    p1 = visits[visits["outlet_id"] == "P1"].iloc[0]
    assert (p1["lat"], p1["lon"]) == ("43.7312", "7.42")
    import json

    summary = json.loads((tmp_path / "plan" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["skipped_outlets"], summary["skipped_visits"]) == (2, 2)
    assert summary["coverage"] == 0.5  # the outlets not geocoded are not visited: not 100 %


def test_an_unreachable_geocoder_fails_fast_with_exit_2(table: Path,
                                                       write_csv: Callable[..., Path],
                                                       tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    import socket
    import time

    with socket.socket() as s:  # a closed port: connection refused
        s.bind(("127.0.0.1", 0))
        domain = f"127.0.0.1:{s.getsockname()[1]}"
    out = tmp_path / "out.csv"
    t0 = time.perf_counter()
    code, printed, err = run("geocode", "--in", str(table), "--out", str(out), "--domain",
                             domain, "--scheme", "http", "--cache", str(tmp_path / "c.sqlite"),
                             capsys=capsys)  # the default 3 retries: none is used
    took = time.perf_counter() - t0
    assert code == 2 and printed == ""
    assert err == (f"routeopt: error: cannot reach the geocoder at http://{domain}: connection "
                   "refused; check the server's address (--domain, --scheme) and that it is "
                   "running, then run again; the answers received before are kept in the cache "
                   f"{tmp_path / 'c.sqlite'}; {out} was not written\n")
    assert not out.exists()
    assert took < 5, took  # it was 7 s of retries per address
    # While planning, the outlets to geocode are not dropped as "not found": nothing is planned.
    reps = write_csv("reps.csv", [{"rep_id": "R1", "lat": "43.73", "lon": "7.42"}])
    code, printed, err = run(
        "plan", "--outlets", str(table), "--reps", str(reps), "--start", "2026-11-30",
        "--out", str(tmp_path / "plan"), "--iterations", "5", "--geocoder", "nominatim",
        "--geocode-domain", domain, "--geocode-scheme", "http", "--geocode-cache", "none",
        "--skip-invalid", capsys=capsys)
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"routeopt: error: cannot reach the geocoder at http://{domain}")
    assert "nothing was planned" in err and not (tmp_path / "plan").exists()


def test_plan_without_geocoder_keeps_the_old_message(table: Path,
                                                     write_csv: Callable[..., Path],
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    reps = write_csv("reps.csv", [{"rep_id": "R1", "lat": "43.73", "lon": "7.42"}])
    code, _, err = run("plan", "--outlets", str(table), "--reps", str(reps), "--start",
                       "2026-11-30", "--out", str(tmp_path / "plan"), capsys=capsys)
    assert code == 2 and "column 'lat': is empty; give WGS-84 latitude" in err


def test_plan_unknown_geocoder_exit_2(table: Path, write_csv: Callable[..., Path],
                                      tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reps = write_csv("reps.csv", [{"rep_id": "R1", "lat": "43.73", "lon": "7.42"}])
    code, _, err = run("plan", "--outlets", str(table), "--reps", str(reps), "--start",
                       "2026-11-30", "--out", str(tmp_path / "plan"), "--geocoder", "nope",
                       capsys=capsys)
    assert code == 2 and "--geocoder: unknown geocoder 'nope'" in err


@linux_only
def test_geocode_ctrl_c_exit_130_keeps_the_answers_and_a_rerun_goes_on(
        fake_nominatim: Any, write_csv: Callable[..., Path], tmp_path: Path) -> None:
    for a in ("A", "B"):
        fake_nominatim.script(a, ("json", [fake_nominatim.place(43.73, 7.42, a)]))
    # C keeps its first request waiting: the signal comes while it is in flight.
    fake_nominatim.script("C", ("sleep", 20, ("json", [])),
                          ("json", [fake_nominatim.place(43.74, 7.43, "C")]))
    table = write_csv("outlets.csv", [{"outlet_id": f"P{k}", "address": a, "lat": "", "lon": ""}
                                      for k, a in enumerate("ABCD")])
    out, cache = tmp_path / "geocoded.csv", tmp_path / "geocode.sqlite"
    args = ["geocode", "--in", str(table), "--out", str(out), "--domain", fake_nominatim.domain,
            "--scheme", "http", "--cache", str(cache), "--max-retries", "0", "-q"]
    cmd = Command(args, tmp_path)
    cmd.wait_for(lambda: fake_nominatim.requests["C"] == 1, "the request for C")
    cmd.signal(signal.SIGINT, group=True)
    code, printed, err = cmd.finish()
    assert code == 130, err
    assert err == (f"routeopt: interrupted (SIGINT); {out} was not written, the answers "
                   f"received so far are kept in the cache {cache}: run again to go on\n")
    assert printed == "" and not out.exists()
    assert cmd.leftovers() == []
    from routeopt.geocode import GeocodeCache

    identity = f"nominatim@{fake_nominatim.domain}"
    with GeocodeCache(cache) as c:  # intact, with the two answers received
        assert [c.get(identity, a) is not None for a in "ABC"] == [True, True, False]
    rerun = Command(args, tmp_path, "rerun")
    code, printed, err = rerun.finish()
    assert code == 0, err
    assert "2 address(es) asked of" in printed and "2 answered from the cache" in printed
    assert fake_nominatim.requests["A"] == fake_nominatim.requests["B"] == 1
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got["geocode_status"]) == ["ok", "ok", "ok", "not_found"]


@linux_only
def test_plan_geocoder_ctrl_c_exit_130_nothing_planned(fake_nominatim: Any, table: Path,
                                                       write_csv: Callable[..., Path],
                                                       tmp_path: Path) -> None:
    fake_nominatim.script("Place du Palais", ("json", [fake_nominatim.place(43.7312, 7.42)]))
    fake_nominatim.script("Nowhere", ("sleep", 20, ("json", [])))  # in flight at the signal
    reps = write_csv("reps.csv", [{"rep_id": "R1", "lat": "43.73", "lon": "7.42"}])
    cache = tmp_path / "geocode.sqlite"
    cmd = Command(["plan", "--outlets", str(table), "--reps", str(reps), "--start",
                   "2026-11-30", "--out", str(tmp_path / "plan"), "--iterations", "5",
                   "--geocoder", "nominatim", "--geocode-domain", fake_nominatim.domain,
                   "--geocode-scheme", "http", "--geocode-cache", str(cache)], tmp_path)
    cmd.wait_for(lambda: fake_nominatim.requests["Nowhere"] == 1, "the request for Nowhere")
    cmd.signal(signal.SIGINT, group=True)
    code, printed, err = cmd.finish()
    assert code == 130, err
    assert err == (f"routeopt: interrupted (SIGINT); nothing was written, {tmp_path / 'plan'} "
                   "is as it was: run the same command again\n")
    assert printed == "" and not (tmp_path / "plan").exists()
    assert cmd.leftovers() == []
    from routeopt.geocode import GeocodeCache

    with GeocodeCache(cache) as c:  # the answer received before the signal is kept
        assert c.get(f"nominatim@{fake_nominatim.domain}", "Place du Palais") is not None


def test_geocode_reads_a_workbook_with_a_column_map(fake_nominatim: Any, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """An Excel export with CRM headers: the map names the address, the aliases the rest."""
    import openpyxl

    fake_nominatim.script("Place du Palais", ("json", [fake_nominatim.place(43.7312, 7.42)]))
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("门店")
    ws.append(["门店编号", "Street", "纬度", "经度", "拜访频率"])
    ws.append([1001, "Place du Palais", None, None, "1/week"])
    ws.append([1002, None, 43.74, 7.43, "1/week"])
    wb.save(tmp_path / "crm.xlsx")
    (tmp_path / "map.toml").write_text('[outlets]\n"Street" = "address"\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    base = ["geocode", "--in", str(tmp_path / "crm.xlsx"), "--out", str(out), "--domain",
            fake_nominatim.domain, "--scheme", "http", "--cache", "none", "--max-retries", "0"]
    code, printed, err = run(*base, "--sheet", "门店", "--columns", str(tmp_path / "map.toml"),
                             capsys=capsys)
    assert code == 0, err
    assert "2 rows: ok 1, given 1" in printed
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got.columns[:5]) == ["outlet_id", "address", "lat", "lon", "frequency"]
    assert list(got["outlet_id"]) == ["1001", "1002"] and got["lat"][0] == "43.7312"
    # without the map, the workbook has no address column: one clear message, exit 2
    code, _, err = run(*base, "--sheet", "门店", capsys=capsys)
    assert code == 2 and "Traceback" not in err
    assert ("crm.xlsx, sheet '门店', row 1, column 'address': the outlets table lacks the "
            "required column 'address'") in err
    code, _, err = run(*base, "--sheet", "Outlets", capsys=capsys)
    assert code == 2 and "no sheet 'Outlets'; its sheets are: '说明', '门店'" in err
