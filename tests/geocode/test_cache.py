"""The SQLite geocode cache: keys, persistence, WAL, locks, damage, crash safety."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from routeopt.exceptions import GeocodeCacheError
from routeopt.geocode import Candidate, GeocodeCache, Result, geocode_table, resolve

P = "nominatim@127.0.0.1:8088"


class Counting:
    """A geocoder that knows a few addresses and counts its lookups."""

    identity = P
    crs = "wgs84"

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[str] = []
        self.fail_on = fail_on

    def lookup(self, address: str) -> list[Candidate]:
        self.calls.append(address)
        if address == self.fail_on:
            raise KeyboardInterrupt
        if address.startswith("Nowhere"):
            return []
        return [Candidate(43.7 + len(address) / 1000, 7.4, address.upper(), "rooftop", "x/y")]


def test_key_is_the_normalised_address_and_the_provider(tmp_path: Path) -> None:
    with GeocodeCache(tmp_path / "c.sqlite") as cache:
        cache.put(P, "25, Avenue Albert-II", Result("ok", 43.73, 7.417, "25 Av. Albert II",
                                                    "rooftop"))
        hit = cache.get(P, "  25 avenue ALBERT II ")
        assert hit is not None and hit.cached and (hit.lat, hit.lon) == (43.73, 7.417)
        assert cache.get("nominatim@other:8088", "25, Avenue Albert-II") is None
        assert cache.get(P, "26 Avenue Albert II") is None


def test_answers_persist_and_errors_are_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "c.sqlite"  # the directory is created
    with GeocodeCache(path) as cache:
        cache.put(P, "a", Result("ok", 1.0, 2.0))
        cache.put(P, "b", Result("not_found"))
        cache.put(P, "c", Result("error", message="timed out"))
    with GeocodeCache(path) as cache:
        assert len(cache) == 2
        b = cache.get(P, "b")
        assert b is not None and b.status == "not_found"
        assert cache.get(P, "c") is None
        mode = cache._db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_second_run_sends_nothing(tmp_path: Path) -> None:
    df = pd.DataFrame({"address": ["Rue A", "Rue B", "Nowhere 1", "rue a"]})
    g = Counting()
    with GeocodeCache(tmp_path / "c.sqlite") as cache:
        first = geocode_table(df, g, cache=cache, progress=False)
        assert first.requests == 3 and len(g.calls) == 3  # 'rue a' is 'Rue A'
    g2 = Counting()
    with GeocodeCache(tmp_path / "c.sqlite") as cache:
        second = geocode_table(df, g2, cache=cache, progress=False)
    assert g2.calls == [] and second.requests == 0
    assert list(second.frame["geocode_status"]) == ["ok", "ok", "not_found", "ok"]
    assert second.frame["lat"].equals(first.frame["lat"])


def test_refresh_asks_again(tmp_path: Path) -> None:
    g = Counting()
    with GeocodeCache(tmp_path / "c.sqlite") as cache:
        resolve(g, "Rue A", cache=cache)
        resolve(g, "Rue A", cache=cache)
        resolve(g, "Rue A", cache=cache, refresh=True)
    assert g.calls == ["Rue A", "Rue A"]


def test_locked_cache_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    GeocodeCache(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process writing, for a long time
    try:
        with pytest.raises(GeocodeCacheError, match=r"is locked by another process .* wait for "
                                                    r"it to finish, or give another cache file"):
            GeocodeCache(path, timeout=0.2)  # fails at once, before any geocoding
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_lock_taken_during_a_run_stops_it_keeping_what_was_done(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = GeocodeCache(path, timeout=0.2)
    resolve(Counting(), "Rue A", cache=cache)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        with pytest.raises(GeocodeCacheError, match="locked"):
            geocode_table(pd.DataFrame({"address": ["Rue B"]}), Counting(), cache=cache,
                          progress=False)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert cache.get(P, "Rue A") is not None
    cache.close()


def test_damaged_file_is_a_clear_error_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    junk = b"this is not a database " * 100
    path.write_bytes(junk)
    with pytest.raises(GeocodeCacheError, match=r"damaged or not an SQLite file .* move it away "
                                                r"or delete it"):
        GeocodeCache(path)
    assert path.read_bytes() == junk


def test_truncated_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with GeocodeCache(path) as cache:
        for i in range(300):
            cache.put(P, f"street {i}", Result("ok", 1.0, 2.0, "x" * 200))
        cache._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    path.write_bytes(data[:4096] + b"\xff" * 4096 + data[8192:])  # a page overwritten
    with pytest.raises(GeocodeCacheError, match="damaged"), GeocodeCache(path) as cache:
        for i in range(300):
            cache.get(P, f"street {i}")


def test_someone_elses_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(GeocodeCacheError, match=r"database of something else \(tables: "
                                                r"customers\), not a routeopt geocode cache"):
        GeocodeCache(path)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GeocodeCacheError, match="is a directory"):
        GeocodeCache(tmp_path)


def test_keyboard_interrupt_keeps_what_was_done(tmp_path: Path) -> None:
    df = pd.DataFrame({"address": ["Rue A", "Rue B", "Stop here", "Rue C"]})
    with GeocodeCache(tmp_path / "c.sqlite") as cache, pytest.raises(KeyboardInterrupt):
        geocode_table(df, Counting(fail_on="Stop here"), cache=cache, progress=False)
    g = Counting()
    with GeocodeCache(tmp_path / "c.sqlite") as cache:
        report = geocode_table(df, g, cache=cache, progress=False)
    assert g.calls == ["Stop here", "Rue C"]  # A and B came from the cache
    assert report.counts == {"ok": 4}


def test_a_crash_loses_nothing_already_geocoded(tmp_path: Path) -> None:
    """A process killed in the middle of a batch (no cleanup at all): its answers are kept."""
    path = tmp_path / "c.sqlite"
    script = textwrap.dedent(f"""
        import os
        import pandas as pd
        from routeopt.geocode import Candidate, GeocodeCache, geocode_table

        class Crashing:
            identity, crs = {P!r}, "wgs84"
            def lookup(self, address):
                if address == "Rue D":
                    os._exit(3)  # like a kill -9: no flush, no close, no atexit
                return [Candidate(43.7, 7.4, address)]

        cache = GeocodeCache({str(path)!r})
        df = pd.DataFrame({{"address": ["Rue A", "Rue B", "Rue C", "Rue D", "Rue E"]}})
        geocode_table(df, Crashing(), cache=cache, progress=False)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 3, done.stderr
    with GeocodeCache(path) as cache:
        assert len(cache) == 3
        assert all(cache.get(P, a) is not None for a in ("Rue A", "Rue B", "Rue C"))
