"""A disk cache of travel matrices, so that re-plans of the same places reuse them.

:class:`CachedProvider` wraps any :class:`~routeopt.matrix.MatrixProvider`
that has a ``cache_key`` and is itself a provider. A matrix is stored in one
``.npz`` file named by a hash of the provider's ``cache_key``, the travel mode
and the points (rounded to 6 decimals, about 0.1 m). Files are written under a
temporary name and renamed into place, so a crash never leaves half a file
under a real name; a file that cannot be read all the same (truncated, not a
matrix, made for other points) is reported with a
:class:`~routeopt.exceptions.MatrixCacheWarning` and computed again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from routeopt._files import atomic_open
from routeopt.exceptions import MatrixCacheWarning, MatrixError
from routeopt.matrix._base import MatrixProvider, TravelMatrix

if TYPE_CHECKING:
    from routeopt._types import Location

__all__ = ["CachedProvider", "matrix_key"]

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the file layout changes: old files then miss instead of misleading


def _coord(x: float) -> str:
    return f"{round(float(x), 6) + 0.0:.6f}"  # + 0.0 turns -0.0 into 0.0


def matrix_key(provider_key: str, mode: str, points: Sequence[Location]) -> str:
    """The hash a cached matrix is filed under.

    Points are rounded to 6 decimals, so the same places typed with more or
    fewer digits share one entry, and any other difference (provider settings,
    mode, the order of the points) makes another.

    Examples
    --------
    >>> from routeopt.problem import Location
    >>> a = matrix_key("osrm:x", "drive", [Location(43.7384, 7.4246)])
    >>> a == matrix_key("osrm:x", "drive", [Location(43.73840000001, 7.4246)])
    True
    >>> a == matrix_key("osrm:x", "walk", [Location(43.7384, 7.4246)])
    False
    """
    text = json.dumps([FORMAT, provider_key, mode,
                       [f"{_coord(p.lat)},{_coord(p.lon)}" for p in points]],
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedProvider:
    """A :class:`~routeopt.matrix.MatrixProvider` that keeps its matrices on disk.

    Parameters
    ----------
    provider
        The provider that computes matrices on a miss. Its ``cache_key``
        (provider, server, profile, settings) is part of every file's key.
    directory
        Where the ``.npz`` files go; created when needed.
    key
        Use this instead of ``provider.cache_key`` (for providers without one,
        or to tell apart two data versions behind one URL).

    Attributes
    ----------
    hits, misses
        How many matrices came from the cache, and how many were computed.

    Notes
    -----
    Entries never expire: a server that loads new map data keeps its URL, so
    clear the directory (or change ``key``) when the data changes. A matrix of
    ``n`` points takes about ``8 n^2`` bytes (two ``int32`` arrays): 8 MB at
    1,000 points.

    Examples
    --------
    >>> import tempfile
    >>> from routeopt.matrix import GreatCircle
    >>> from routeopt.problem import Location
    >>> pts = [Location(43.7384, 7.4246), Location(43.7311, 7.4197)]
    >>> cached = CachedProvider(GreatCircle(), tempfile.mkdtemp())
    >>> first = cached.matrix(pts, "drive")
    >>> again = cached.matrix(pts, "drive")
    >>> cached.hits, cached.misses, int(again.durations[0, 1]) == int(first.durations[0, 1])
    (1, 1, True)
    """

    def __init__(self, provider: MatrixProvider, directory: str | os.PathLike[str], *,
                 key: str | None = None) -> None:
        if key is None:
            key = getattr(provider, "cache_key", None)
            if not isinstance(key, str) or not key:
                raise MatrixError(
                    f"{type(provider).__name__} has no cache_key, so its matrices cannot be "
                    "told apart in a cache; pass CachedProvider(provider, directory, key='...')")
        self.provider = provider
        self.directory = Path(directory)
        self.key = key
        self.hits = 0
        self.misses = 0

    def __repr__(self) -> str:
        return f"CachedProvider({self.provider!r}, {str(self.directory)!r})"

    @property
    def cache_key(self) -> str:
        """The wrapped provider's key: a cache of a cache files the same matrices."""
        return self.key

    def path_for(self, points: Sequence[Location], mode: str) -> Path:
        """The file that holds (or would hold) the matrix of ``points`` by ``mode``."""
        safe_mode = "".join(c if c.isalnum() else "_" for c in mode)
        return self.directory / f"{safe_mode}-{len(points)}-" \
                                f"{matrix_key(self.key, mode, points)[:40]}.npz"

    def matrix(self, points: Sequence[Location], mode: str) -> TravelMatrix:
        """The cached matrix, or the provider's, stored for next time."""
        path = self.path_for(points, mode)
        digest = matrix_key(self.key, mode, points)
        if path.exists():
            m = self._load(path, digest, len(points))
            if m is not None:
                self.hits += 1
                log.debug("matrix cache hit: %s", path)
                return m
        self.misses += 1
        m = self.provider.matrix(points, mode)
        if m.size != len(points):
            raise MatrixError(f"{self.provider!r} returned {m.size} points for {len(points)}")
        try:
            self._store(path, digest, m)
        except OSError as e:  # a full or read-only disk must not lose the plan
            warnings.warn(MatrixCacheWarning(f"could not write the matrix cache {path}: {e}"),
                          stacklevel=2)
        return m

    # -- files ------------------------------------------------------------------------
    def _load(self, path: Path, digest: str, n: int) -> TravelMatrix | None:
        try:
            with np.load(path, allow_pickle=False) as f:
                stored = str(f["key"])
                durations, distances = f["durations"], f["distances"]
            if stored != digest:
                raise ValueError("it belongs to other points or settings")
            if durations.shape != (n, n):
                raise ValueError(f"it holds {durations.shape} instead of ({n}, {n})")
            return TravelMatrix(durations, distances)  # checks shapes and signs
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as e:
            warnings.warn(MatrixCacheWarning(
                f"the matrix cache file {path} cannot be used ({type(e).__name__}: {e}); "
                "computing the matrix again"), stacklevel=3)
            return None

    def _store(self, path: Path, digest: str, m: TravelMatrix) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        small = max(int(m.durations.max(initial=0)), int(m.distances.max(initial=0))) < 2**31
        dtype = np.int32 if small else np.int64
        with atomic_open(path, "wb") as f:
            np.savez(f, key=np.array(digest), durations=m.durations.astype(dtype),
                     distances=m.distances.astype(dtype))
        log.debug("matrix cache write: %s", path)
