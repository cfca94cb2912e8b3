"""Against a REAL Nominatim (loaded with the bundled Monaco extract) on loopback.

Start it with ``eval "$(bash .ci/servers/nominatim.sh)"``; without
``ROUTEOPT_TEST_NOMINATIM`` these tests skip locally and fail in CI. Every
query goes through geopy's own Nominatim client, wrapped by routeopt.geocode.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from routeopt.geocode import Candidate, GeocodeCache, geocode_table, get_geocoder, resolve
from routeopt.geocode._base import distance_m

MONACO = Path(__file__).parents[2] / "examples" / "data" / "monaco"


@pytest.fixture(scope="module")
def domain(require_server: Callable[[str, str], str]) -> str:
    return require_server("ROUTEOPT_TEST_NOMINATIM", "Nominatim")


@pytest.fixture(scope="module")
def outlets() -> pd.DataFrame:
    return pd.read_csv(MONACO / "outlets.csv", dtype=str, keep_default_na=False)


def test_real_monaco_addresses_are_found_where_osm_has_them(domain: str,
                                                            outlets: pd.DataFrame) -> None:
    g = get_geocoder("nominatim", domain=domain, scheme="http")
    rows = outlets[outlets["address"] != ""]
    assert len(rows) == 25
    found = 0
    for _, row in rows.iterrows():
        r = resolve(g, row["address"])
        assert r.status in ("ok", "not_found"), (row["address"], r)
        if r.status == "ok":
            found += 1
            assert r.lat is not None and r.lon is not None and r.source_crs == "wgs84"
            d = distance_m(float(row["lat"]), float(row["lon"]), r.lat, r.lon)
            limit = 250 if r.precision == "rooftop" else 600  # a street: its middle
            assert d < limit, (row["address"], r.address, r.precision, d)
    assert found >= 20  # 22 of 25 at the time of writing; the rest are misspelt or not in OSM


def test_a_known_address_in_detail(domain: str) -> None:
    g = get_geocoder("nominatim", domain=domain, scheme="http")
    r = resolve(g, "25 Avenue Albert II, Monaco")
    assert r.status == "ok" and r.precision == "rooftop"
    assert "Avenue Albert II" in r.address and "Monaco" in r.address
    assert r.lat is not None and r.lon is not None
    assert distance_m(43.730465, 7.417188, r.lat, r.lon) < 100  # Maison Mullot, in OSM
    street = resolve(g, "Place du Casino, Monaco")
    assert street.status == "ok" and street.precision == "street"
    assert street.kind.startswith("highway/")


def test_outlet_names_are_found_too(domain: str, outlets: pd.DataFrame) -> None:
    g = get_geocoder("nominatim", domain=domain, scheme="http")
    sample = outlets[outlets["category"] == "pharmacy"].head(8)
    near = 0
    for _, row in sample.iterrows():
        r = resolve(g, row["name"])  # some are in the French towns around
        if r.lat is not None and distance_m(float(row["lat"]), float(row["lon"]),
                                            r.lat, r.lon) < 100:
            near += 1
    assert near >= 6


def test_an_address_that_does_not_exist(domain: str) -> None:
    g = get_geocoder("nominatim", domain=domain, scheme="http")
    r = resolve(g, "99 Rue Qui N'Existe Pas, Monaco")
    assert r.status == "not_found" and r.lat is None
    assert g.requests == 1  # not found is an answer: not retried


class MustNotBeAsked:
    """Claims to be the real server, but fails if asked: cache hits must not reach it."""

    crs = "wgs84"

    def __init__(self, identity: str) -> None:
        self.identity = identity

    def lookup(self, address: str) -> list[Candidate]:
        raise AssertionError(f"a request was sent for {address!r}")


def test_batch_csv_then_cache_hit(domain: str, outlets: pd.DataFrame, tmp_path: Path) -> None:
    src = outlets.copy()
    has_address = src["address"] != ""
    src.loc[has_address, ["lat", "lon"]] = ""
    src_path = tmp_path / "outlets.csv"
    src.to_csv(src_path, index=False)
    g = get_geocoder("nominatim", domain=domain, scheme="http")
    cache_path = tmp_path / "cache.sqlite"
    with GeocodeCache(cache_path) as cache:
        first = geocode_table(src_path, g, cache=cache, out=tmp_path / "out.csv", progress=False)
    distinct = src.loc[has_address, "address"].nunique()
    assert first.requests == g.requests == distinct
    assert first.counts["given"] == 116 and first.counts.get("ok", 0) >= 20
    assert sum(first.counts.values()) == 141
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert list(out["outlet_id"]) == list(outlets["outlet_id"])
    assert (out.loc[~has_address, ["lat", "lon"]] == outlets.loc[~has_address,
                                                                ["lat", "lon"]]).all().all()
    ok = out["geocode_status"] == "ok"
    assert (out.loc[ok, "lat"] != "").all() and (out.loc[ok, "geocode_match"] != "").all()
    # Second run, same provider identity: every answer comes from the cache.
    with GeocodeCache(cache_path) as cache:
        second = geocode_table(src_path, MustNotBeAsked(g.identity), cache=cache,
                               progress=False)
    assert second.requests == 0 and second.from_cache == distinct
    assert second.counts == first.counts
    assert second.frame["lat"].equals(first.frame["lat"])


def test_cli_geocode_then_plan(domain: str, outlets: pd.DataFrame, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    from routeopt.cli import main

    src = outlets.copy()
    src.loc[src["address"] != "", ["lat", "lon"]] = ""
    src_path = tmp_path / "outlets.csv"
    src.to_csv(src_path, index=False)
    cache = tmp_path / "cache.sqlite"
    out = tmp_path / "outlets_geocoded.csv"
    code = main(["geocode", "--in", str(src_path), "--out", str(out), "--domain", domain,
                 "--scheme", "http", "--cache", str(cache), "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "141 rows: ok " in printed and "given 116" in printed and f"wrote {out}" in printed
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert (got["geocode_status"] == "ok").sum() >= 20
    # plan geocodes through the same cache; rows not found are rejected by name and address.
    plan_dir = tmp_path / "plan"
    code = main(["plan", "--outlets", str(src_path), "--reps", str(MONACO / "reps.csv"),
                 "--start", "2026-11-30", "--weeks", "1", "--out", str(plan_dir),
                 "--iterations", "10", "--geocoder", "nominatim", "--geocode-domain", domain,
                 "--geocode-scheme", "http", "--geocode-cache", str(cache), "--skip-invalid"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    not_found = got[got["geocode_status"] == "not_found"]
    rejected = pd.read_csv(plan_dir / "rejected.csv", dtype=str, keep_default_na=False)
    assert list(rejected["outlet_id"]) == list(not_found["outlet_id"])
    assert (rejected["column"] == "address").all()
    for msg, address in zip(rejected["message"], not_found["address"], strict=True):
        assert address in msg and "could not be geocoded: not found" in msg
    visits = pd.read_csv(plan_dir / "visits.csv", dtype=str)
    assert set(visits["outlet_id"]) & set(got.loc[got["geocode_status"] == "ok", "outlet_id"])


def test_plan_without_skip_invalid_names_the_rows(domain: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  write_csv: Any) -> None:
    from routeopt.cli import main

    outlets = write_csv("outlets.csv", [
        {"outlet_id": "P1", "address": "25 Avenue Albert II, Monaco", "frequency": "1/week"},
        {"outlet_id": "P2", "address": "99 Rue Qui N'Existe Pas, Monaco", "frequency": "1/week"},
    ])
    reps = write_csv("reps.csv", [{"rep_id": "R1", "lat": "43.73", "lon": "7.42"}])
    code = main(["plan", "--outlets", str(outlets), "--reps", str(reps), "--start",
                 "2026-11-30", "--out", str(tmp_path / "plan"), "--iterations", "5",
                 "--geocode-domain", domain, "--geocode-scheme", "http",
                 "--geocode-cache", str(tmp_path / "c.sqlite")])
    err = capsys.readouterr().err
    assert code == 2
    assert ("outlets.csv, line 3, outlet 'P2', column 'address': \"99 Rue Qui N'Existe Pas, "
            "Monaco\" could not be geocoded: not found") in err
    assert "P1" not in err
