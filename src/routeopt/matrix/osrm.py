"""Road travel times and distances from an OSRM server's table service.

`OSRM <https://project-osrm.org>`_ answers ``GET /table/v1/{profile}/{lon,lat;...}``
with the fastest-route durations (s) and distances (m) between every pair of
coordinates, after *snapping* each coordinate to the nearest road. One
``osrm-routed`` serves one profile (car, foot or bicycle), so each travel mode
is a server URL plus a profile name.

Large matrices are cut into blocks of sources x destinations so that no
request exceeds the server's table limit (``osrm-routed --max-table-size``; the
public demo server allows 100) or a sane URL length; the blocks are put back
together into one matrix.

Only the standard library talks HTTP (``urllib``): one GET per block needs no
session, retries or connection pooling, and routeopt gains no dependency.
Retries and rate limits belong in a wrapper, not here.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from routeopt.exceptions import (
    MatrixError,
    MatrixServiceError,
    MatrixServiceUnavailableError,
    SnapError,
    UnreachablePairsError,
)
from routeopt.matrix._base import TravelMatrix

if TYPE_CHECKING:
    from routeopt._types import Location

__all__ = ["OSRM", "OSRMTable"]

log = logging.getLogger(__name__)

#: The profile name put in the URL for each routeopt travel mode. ``osrm-routed``
#: itself ignores it (it serves the one profile its data was built with); servers
#: behind a proxy often route on it.
DEFAULT_PROFILES: Mapping[str, str] = {"drive": "driving", "walk": "foot", "bicycle": "bike"}

# "-180.000000,-90.000000;" is the longest coordinate text: 23 characters.
_COORD_CHARS = 23
_SHOWN = 5  # points or pairs named in an error message


@dataclass(frozen=True, eq=False)
class OSRMTable:
    """A raw table answer, before the checks :meth:`OSRM.matrix` makes.

    Attributes
    ----------
    durations, distances
        Float arrays (s, m), ``NaN`` where OSRM found no route (``null``).
    snap_m
        For each point, the distance in metres from the point to where OSRM
        snapped it on the road network.
    requests
        The number of HTTP requests made (blocks).
    """

    durations: npt.NDArray[np.float64]
    distances: npt.NDArray[np.float64]
    snap_m: npt.NDArray[np.float64]
    requests: int


class OSRM:
    """Travel matrices from OSRM's table service over HTTP.

    Parameters
    ----------
    url
        The server for ``drive`` (``"http://127.0.0.1:5000"``), or a mapping
        from travel mode to server URL (``{"drive": ..., "walk": ...}``): one
        ``osrm-routed`` serves one profile.
    profiles
        The profile name in the request path for each mode (default
        ``drive: driving, walk: foot, bicycle: bike``).
    max_table_size
        The largest number of sources, and of destinations, in one request;
        bigger matrices are split into blocks. Match the server's
        ``--max-table-size`` (100 on the public demo; ``osrm-routed``'s own
        default is also 100).
    max_url_length
        Blocks are made smaller still so that no request URL is longer than
        this (``None``: no limit). Proxies commonly refuse URLs over 8 KiB.
    timeout
        Seconds to wait for each answer.
    max_snap_m
        Points farther than this (metres) from the road where OSRM snapped
        them raise :class:`~routeopt.exceptions.SnapError` (``None``:
        no check). A point in the sea snaps to a road up to kilometres away.
    workers
        Requests in flight at once (``osrm-routed`` answers in parallel).

    Raises
    ------
    MatrixError
        For a bad setting (no URL, a table size below 1...).

    Notes
    -----
    A matrix of ``n`` points takes ``ceil(n / b) ** 2`` requests, ``b`` being the
    block size (``max_table_size``, less if the URL would be too long). OSRM
    computes durations by its profile's speeds and turn costs; routeopt rounds
    them to whole seconds and metres.

    Examples
    --------
    >>> osrm = OSRM({"drive": "http://127.0.0.1:5000", "walk": "http://127.0.0.1:5001"},
    ...             max_table_size=1000, max_url_length=None)
    >>> osrm.block_size, osrm.cache_key
    (1000, 'osrm:drive=http://127.0.0.1:5000/driving;walk=http://127.0.0.1:5001/foot;snap=500')
    >>> OSRM("http://127.0.0.1:5000").block_size  # 100 x 100 blocks, 8 KiB URLs at most
    100
    """

    def __init__(self, url: str | Mapping[str, str] = "http://127.0.0.1:5000", *,
                 profiles: Mapping[str, str] | None = None, max_table_size: int = 100,
                 max_url_length: int | None = 8192, timeout: float = 60.0,
                 max_snap_m: float | None = 500.0, workers: int = 1) -> None:
        urls = {"drive": url} if isinstance(url, str) else dict(url)
        if not urls or not all(isinstance(u, str) and u.strip() for u in urls.values()):
            raise MatrixError("OSRM needs a server URL per travel mode, e.g. "
                              "OSRM('http://127.0.0.1:5000') or OSRM({'drive': URL})")
        for mode, u in urls.items():
            if urllib.parse.urlsplit(u).scheme not in ("http", "https"):
                raise MatrixError(f"OSRM URL for {mode!r} must start with http:// or https://, "
                                  f"got {u!r}")
        self.urls: dict[str, str] = {m: u.strip().rstrip("/") for m, u in urls.items()}
        self.profiles: dict[str, str] = {**DEFAULT_PROFILES, **(profiles or {})}
        if max_table_size < 1:
            raise MatrixError(f"max_table_size must be at least 1, got {max_table_size}")
        if timeout <= 0:
            raise MatrixError(f"timeout must be positive, got {timeout}")
        if workers < 1:
            raise MatrixError(f"workers must be at least 1, got {workers}")
        self.max_table_size = max_table_size
        self.max_url_length = max_url_length
        self.timeout = timeout
        self.max_snap_m = max_snap_m
        self.workers = workers
        if self.block_size < 1:
            raise MatrixError(f"max_url_length {max_url_length} is too short for even one "
                              "coordinate per request")

    def __repr__(self) -> str:
        return (f"OSRM({self.urls!r}, max_table_size={self.max_table_size}, "
                f"max_snap_m={self.max_snap_m})")

    @property
    def block_size(self) -> int:
        """The most sources (and destinations) in one request."""
        b = self.max_table_size
        if self.max_url_length is not None:
            longest_base = max(len(self._base(m)) for m in self.urls)
            # two blocks of coordinates, plus the sources= and destinations= lists
            room = self.max_url_length - longest_base - 100
            b = min(b, room // (2 * _COORD_CHARS + 2 * 6))
        return b

    @property
    def cache_key(self) -> str:
        """What identifies these matrices in a cache: the servers, profiles and snap limit.

        The server's data is not part of it: clear the cache after the server
        loads new map data.
        """
        servers = ";".join(f"{m}={u}/{self.profiles.get(m, m)}" for m, u in sorted(
            self.urls.items()))
        snap = "none" if self.max_snap_m is None else f"{self.max_snap_m:g}"
        return f"osrm:{servers};snap={snap}"

    # -- public -----------------------------------------------------------------------
    def matrix(self, points: Sequence[Location], mode: str) -> TravelMatrix:
        """Road travel between every pair of ``points`` by ``mode``.

        Raises
        ------
        MatrixServiceUnavailableError
            The server cannot be reached or does not answer in time.
        MatrixServiceError
            The server answered with an error (``TooBig``, ``NoSegment``...) or
            with something that is not a table.
        SnapError
            Points farther than ``max_snap_m`` from a road.
        UnreachablePairsError
            Pairs with no route (OSRM's ``null``), e.g. a point on a road cut
            off from the rest of the network.
        """
        table = self.table(points, mode)
        if self.max_snap_m is not None:
            far = np.flatnonzero(table.snap_m > self.max_snap_m)
            if far.size:
                shown = ", ".join(
                    f"point {i} ({points[i].lat:.6f}, {points[i].lon:.6f}) "
                    f"{table.snap_m[i]:.0f} m" for i in far[:_SHOWN])
                more = f" and {far.size - _SHOWN} more" if far.size > _SHOWN else ""
                raise SnapError(
                    f"{far.size} point(s) lie farther than {self.max_snap_m:g} m from the nearest "
                    f"road OSRM knows for {mode!r}: {shown}{more}; check their coordinates "
                    "(in the sea? outside the server's map?) or raise max_snap_m",
                    points=far.tolist(), distances_m=table.snap_m[far].tolist())
        missing = np.argwhere(np.isnan(table.durations) | np.isnan(table.distances))
        if missing.size:
            shown = ", ".join(f"{i} -> {j}" for i, j in missing[:_SHOWN])
            more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
            lone = np.bincount(missing.ravel(), minlength=len(points)).argmax()
            p = points[int(lone)]
            raise UnreachablePairsError(
                f"OSRM found no {mode!r} route for {len(missing)} pair(s) of points: "
                f"{shown}{more} (point {lone} at ({p.lat:.6f}, {p.lon:.6f}) is in most of them); "
                "it may sit on a road cut off from the rest of the network: move it or drop it",
                [(int(i), int(j)) for i, j in missing])
        return TravelMatrix(np.rint(table.durations).astype(np.int64),
                            np.rint(table.distances).astype(np.int64))

    def table(self, points: Sequence[Location], mode: str) -> OSRMTable:
        """Ask the server for the whole table, block by block, without checking it.

        Examples
        --------
        >>> OSRM("http://127.0.0.1:5000").table([], "drive").requests
        0
        """
        base = self._base(mode)
        n = len(points)
        dur = np.full((n, n), np.nan)
        dist = np.full((n, n), np.nan)
        snap = np.zeros(n)
        if n == 0:
            return OSRMTable(dur, dist, snap, 0)
        coords = [f"{p.lon:.6f},{p.lat:.6f}" for p in points]
        b = self.block_size
        blocks = [(range(i, min(i + b, n)), range(j, min(j + b, n)))
                  for i in range(0, n, b) for j in range(0, n, b)]

        def fetch(block: tuple[range, range]) -> tuple[range, range, dict[str, Any]]:
            src, dst = block
            if src == dst:  # a diagonal block: all to all, each coordinate once
                if len(src) == 1:  # OSRM wants two coordinates at least
                    url = f"{base}/{coords[src[0]]};{coords[src[0]]}?sources=0&destinations=1"
                else:
                    url = f"{base}/{';'.join(coords[k] for k in src)}?"
            else:
                ks = len(src)
                url = (f"{base}/{';'.join([*(coords[k] for k in src), *(coords[k] for k in dst)])}"
                       f"?sources={';'.join(map(str, range(ks)))}"
                       f"&destinations={';'.join(map(str, range(ks, ks + len(dst))))}")
            url += ("&" if not url.endswith("?") else "") + "annotations=duration,distance"
            url += "&generate_hints=false"
            return src, dst, self._get(url, len(src), len(dst))

        if self.workers > 1 and len(blocks) > 1:
            with ThreadPoolExecutor(self.workers) as pool:
                answers = list(pool.map(fetch, blocks))
        else:
            answers = [fetch(bl) for bl in blocks]
        for src, dst, ans in answers:
            rows = slice(src.start, src.stop)
            cols = slice(dst.start, dst.stop)
            dur[rows, cols] = _grid(ans, "durations", len(src), len(dst))
            dist[rows, cols] = _grid(ans, "distances", len(src), len(dst))
            snap[rows] = _snaps(ans, "sources", len(src))
            snap[cols] = _snaps(ans, "destinations", len(dst))
        np.fill_diagonal(dur, 0.0)  # same point; OSRM says 0 too, unless it says null
        np.fill_diagonal(dist, 0.0)
        log.debug("OSRM %s: %d points in %d request(s)", base, n, len(blocks))
        return OSRMTable(dur, dist, snap, len(blocks))

    # -- HTTP -------------------------------------------------------------------------
    def _base(self, mode: str) -> str:
        if mode not in self.urls:
            raise MatrixError(
                f"no OSRM server for travel mode {mode!r} (have: {', '.join(sorted(self.urls))}); "
                f"pass OSRM({{'{mode}': URL, ...}}) with a server built with that mode's profile")
        return f"{self.urls[mode]}/table/v1/{self.profiles.get(mode, mode)}"

    def _get(self, url: str, n_src: int, n_dst: int) -> dict[str, Any]:
        server = self._server_of(url)
        req = urllib.request.Request(url, headers={"User-Agent": "routeopt",
                                                   "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read()
                status = int(resp.status)
        except urllib.error.HTTPError as e:
            raise self._http_error(e, url, n_src, n_dst) from None
        except TimeoutError as e:
            raise MatrixServiceUnavailableError(
                f"OSRM at {server} did not answer within {self.timeout:g} s; is it overloaded? "
                "raise OSRM(timeout=...) or ask for smaller blocks (max_table_size)",
                url=url) from e
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise MatrixServiceUnavailableError(
                    f"OSRM at {server} did not answer within {self.timeout:g} s; raise "
                    "OSRM(timeout=...) or ask for smaller blocks (max_table_size)",
                    url=url) from e
            why = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
            raise MatrixServiceUnavailableError(
                f"cannot reach OSRM at {server}: {why}; is osrm-routed running there?",
                url=url) from e
        except (ConnectionError, OSError) as e:  # reset mid-answer, broken pipe...
            raise MatrixServiceUnavailableError(
                f"the connection to OSRM at {server} failed: {e}", url=url) from e
        except http.client.HTTPException as e:  # a cut or malformed HTTP answer
            raise MatrixServiceError(
                f"OSRM at {server} sent a broken HTTP answer ({type(e).__name__}: {e})",
                url=url) from e
        ans = _json(body, server, url, status)
        if ans.get("code") != "Ok":
            raise MatrixServiceError(
                f"OSRM at {server} answered {ans.get('code')!r}: {ans.get('message', '')}",
                url=url, status=status, code=str(ans.get("code")))
        return ans

    def _http_error(self, e: urllib.error.HTTPError, url: str, n_src: int,
                    n_dst: int) -> MatrixServiceError:
        server = self._server_of(url)
        try:
            body = e.read()
        except OSError:
            body = b""
        try:
            ans = json.loads(body)
        except ValueError:
            ans = None
        if not isinstance(ans, dict) or "code" not in ans:
            snippet = body[:200].decode("utf-8", "replace").strip()
            return MatrixServiceError(
                f"OSRM at {server} answered HTTP {e.code} {e.reason}"
                + (f": {snippet!r}" if snippet else ""), url=url, status=e.code)
        code, message = str(ans["code"]), str(ans.get("message", ""))
        hint = {
            "TooBig": f" (asked {n_src} x {n_dst}): lower OSRM(max_table_size=...) to the "
                      "server's --max-table-size",
            "NoSegment": ": a point is too far from any road the server knows; check that the "
                         "points lie inside the server's map",
            "InvalidQuery": ": the request was malformed (coordinates out of range?)",
            "InvalidOptions": ": the request was malformed (coordinates out of range?)",
            "InvalidUrl": ": check the server URL and the profile",
            "InvalidService": ": check the server URL (is it an OSRM server?)",
        }.get(code, "")
        return MatrixServiceError(
            f"OSRM at {server} answered HTTP {e.code} {code}: {message}{hint}",
            url=url, status=e.code, code=code)

    @staticmethod
    def _server_of(url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"


def _json(body: bytes, server: str, url: str, status: int) -> dict[str, Any]:
    try:
        ans = json.loads(body)
    except ValueError:
        snippet = body[:200].decode("utf-8", "replace").strip()
        raise MatrixServiceError(
            f"OSRM at {server} answered something that is not JSON: {snippet!r}; "
            "is the URL an OSRM server?", url=url, status=status) from None
    if not isinstance(ans, dict):
        raise MatrixServiceError(f"OSRM at {server} answered JSON that is not an object",
                                 url=url, status=status)
    return ans


def _grid(ans: Mapping[str, Any], key: str, rows: int, cols: int) -> npt.NDArray[np.float64]:
    raw = ans.get(key)
    shape_error = MatrixServiceError(
        f"OSRM's answer lacks a {rows} x {cols} {key!r} table; is the server older than "
        "OSRM 5.20 (needed for annotations=duration,distance)?")
    if not isinstance(raw, list) or len(raw) != rows:
        raise shape_error
    try:
        out = np.array(raw, dtype=np.float64)  # null -> NaN
    except (TypeError, ValueError):
        if all(isinstance(r, list) and len(r) == cols for r in raw):
            raise MatrixServiceError(f"OSRM's {key!r} table holds values that are not numbers") \
                from None
        raise shape_error from None
    if out.shape != (rows, cols):
        raise shape_error
    if (out < 0).any() or np.isinf(out).any():
        raise MatrixServiceError(f"OSRM's {key!r} table holds negative or infinite values")
    return out


def _snaps(ans: Mapping[str, Any], key: str, count: int) -> npt.NDArray[np.float64]:
    raw = ans.get(key)
    if not isinstance(raw, list) or len(raw) != count:
        raise MatrixServiceError(f"OSRM's answer lacks {count} {key!r} waypoints")
    try:
        return np.array([float(w.get("distance", 0.0)) for w in raw])
    except (AttributeError, TypeError, ValueError):
        raise MatrixServiceError(f"OSRM's {key!r} waypoints have no numeric distance") from None
