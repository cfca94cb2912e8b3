"""A persistent geocode cache: one SQLite file in WAL mode.

Each answer is committed as soon as it arrives, so a crash or Ctrl-C loses
nothing already geocoded, and the next run asks only for what is new. Keys
are the provider's identity (name and server) and the normalised address
(:func:`~routeopt.geocode.normalise_address`). Found, ambiguous and
not-found answers are kept; errors are not, so they are asked again.

The file can be shared by several processes (WAL lets readers and one writer
work at once). A file locked for longer than ``timeout`` seconds, or one that
is not an SQLite database or not a routeopt cache, raises
:class:`~routeopt.exceptions.GeocodeCacheError` with what to do; it is never
overwritten.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from types import TracebackType
from typing import Final

from routeopt.exceptions import GeocodeCacheError
from routeopt.geocode._base import Result, normalise_address

__all__ = ["GeocodeCache", "default_cache_path"]

_VERSION: Final = 1
_APP_ID: Final = 0x524F4743  # "ROGC", in the file header: marks the file as ours
_COLUMNS: Final = ("status", "lat", "lon", "address", "precision", "kind", "source_crs",
                   "matches", "spread_m")
_SCHEMA: Final = f"""
CREATE TABLE IF NOT EXISTS geocode (
    provider TEXT NOT NULL,
    key TEXT NOT NULL,
    query TEXT NOT NULL,
    status TEXT NOT NULL,
    lat REAL, lon REAL,
    address TEXT NOT NULL DEFAULT '',
    precision TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    source_crs TEXT NOT NULL DEFAULT 'wgs84',
    matches INTEGER NOT NULL DEFAULT 0,
    spread_m REAL NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    PRIMARY KEY (provider, key)
);
PRAGMA user_version = {_VERSION};
PRAGMA application_id = {_APP_ID};
"""


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/routeopt/geocode.sqlite`` (``~/.cache/...`` by default)."""
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "routeopt" / "geocode.sqlite"


class GeocodeCache:
    """Geocoding answers kept in an SQLite file.

    Parameters
    ----------
    path
        The cache file; created (with its directory) when missing.
        ``":memory:"`` keeps the cache in memory only.
    timeout
        Seconds to wait for a lock held by another process before giving up.

    Raises
    ------
    GeocodeCacheError
        When the file is locked, damaged, not an SQLite database, or an SQLite
        database of something else.

    Examples
    --------
    >>> from routeopt.geocode import Result
    >>> with GeocodeCache(":memory:") as cache:
    ...     cache.put("nominatim@local", "25, Avenue Albert II", Result("ok", 43.73, 7.4171))
    ...     cache.get("nominatim@local", "25 avenue albert ii").lat
    43.73
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        self.path = str(path)
        self.timeout = timeout
        if self.path != ":memory:":
            p = Path(self.path)
            if p.is_dir():
                raise GeocodeCacheError(f"geocode cache {p} is a directory; give a file path")
            p.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as e:
            raise self._error(e) from None
        try:
            self._open()
        except sqlite3.Error as e:
            self._db.close()
            raise self._error(e) from None
        except GeocodeCacheError:
            self._db.close()
            raise

    def _open(self) -> None:
        db = self._db
        app = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and app != _APP_ID:
            raise GeocodeCacheError(
                f"{self.path} is an SQLite database of something else (tables: "
                f"{', '.join(sorted(tables))}), not a routeopt geocode cache; give another "
                "cache file")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if tables and version != _VERSION:
            raise GeocodeCacheError(
                f"geocode cache {self.path} has format version {version}, this routeopt "
                f"reads version {_VERSION}; move the file away (it will be rebuilt)")
        if self.path != ":memory:":
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise GeocodeCacheError(f"geocode cache {self.path}: cannot switch to WAL mode "
                                        f"(got {mode}); put the cache on a local disk")
        db.execute("PRAGMA synchronous=NORMAL")
        if not tables:
            db.executescript(_SCHEMA)
        # Fail now, not after the first answer, when another process holds the write lock.
        db.execute("BEGIN IMMEDIATE")
        db.execute("COMMIT")

    def _error(self, e: sqlite3.Error) -> GeocodeCacheError:
        text = str(e)
        if "locked" in text or "busy" in text:
            return GeocodeCacheError(
                f"geocode cache {self.path} is locked by another process (another geocoding "
                f"run?) and stayed locked for {self.timeout:g} s; wait for it to finish, or "
                "give another cache file")
        if isinstance(e, sqlite3.DatabaseError) and ("not a database" in text
                                                      or "malformed" in text
                                                      or "corrupt" in text):
            return GeocodeCacheError(
                f"geocode cache {self.path} is damaged or not an SQLite file ({text}); move it "
                "away or delete it (it will be rebuilt, and addresses geocoded again)")
        return GeocodeCacheError(f"geocode cache {self.path}: {text}")

    def get(self, provider: str, address: str) -> Result | None:
        """The stored answer for ``address`` from ``provider``, or ``None``."""
        try:
            row = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM geocode WHERE provider = ? AND key = ?",
                (provider, normalise_address(address))).fetchone()
        except sqlite3.Error as e:
            raise self._error(e) from None
        if row is None:
            return None
        status, lat, lon, addr, precision, kind, crs, matches, spread = row
        return Result(status, lat, lon, addr, precision, kind, provider, crs, matches, spread,
                      cached=True)

    def put(self, provider: str, address: str, result: Result) -> None:
        """Store (and commit at once) the answer for ``address`` from ``provider``.

        Results with status ``error`` are not stored.
        """
        if result.status == "error":
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO geocode (provider, key, query, status, lat, lon, address,"
                " precision, kind, source_crs, matches, spread_m, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (provider, normalise_address(address), address, result.status, result.lat,
                 result.lon, result.address, result.precision, result.kind, result.source_crs,
                 result.matches, result.spread_m, time.time()))
        except sqlite3.Error as e:
            raise self._error(e) from None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM geocode").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> GeocodeCache:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
