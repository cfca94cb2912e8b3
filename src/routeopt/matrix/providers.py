"""Choosing a matrix provider by name, and attaching its matrices to a problem."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from routeopt.exceptions import (
    InputError,
    Issue,
    MatrixError,
    SnapError,
    UnreachablePairsError,
)
from routeopt.matrix._base import MatrixProvider, TravelMatrix
from routeopt.matrix.cache import CachedProvider
from routeopt.matrix.greatcircle import GreatCircle
from routeopt.matrix.osrm import OSRM

if TYPE_CHECKING:
    from routeopt._types import Location
    from routeopt.problem import Problem

__all__ = ["PROVIDERS", "problem_matrices", "provider_for"]

log = logging.getLogger(__name__)

#: The names :func:`provider_for` (and ``routeopt plan --matrix``) know.
PROVIDERS = ("haversine", "road", "osrm")


def _osrm_urls(urls: str | Iterable[str]) -> dict[str, str]:
    """``URL`` (for drive) or ``MODE=URL`` items, possibly comma-separated."""
    items = [urls] if isinstance(urls, str) else list(urls)
    out: dict[str, str] = {}
    for item in (part.strip() for it in items for part in it.split(",")):
        if not item:
            continue
        mode, sep, url = item.partition("=")
        if sep and "://" not in mode:
            out[mode.strip()] = url.strip()
        else:
            out["drive"] = item
    return out


def provider_for(name: str, *, osm_file: str | os.PathLike[str] | None = None,
                 osrm_url: str | Iterable[str] | None = None,
                 cache_dir: str | os.PathLike[str] | None = None,
                 options: Mapping[str, Any] | None = None) -> MatrixProvider:
    """Build the matrix provider called ``name``, optionally behind a disk cache.

    Parameters
    ----------
    name
        ``haversine`` (great-circle estimate, :class:`GreatCircle`), ``road``
        (shortest paths on an OpenStreetMap road network read from
        ``osm_file``, :class:`RoadNetwork`) or ``osrm`` (an OSRM server,
        :class:`OSRM`).
    osm_file
        The ``.osm.pbf`` file for ``road``.
    osrm_url
        For ``osrm``: a URL (serving ``drive``) or ``MODE=URL`` items, as one
        comma-separated text or a list.
    cache_dir
        Keep the matrices in this directory (:class:`CachedProvider`).
    options
        Extra keyword arguments for the provider's constructor.

    Raises
    ------
    InputError
        An unknown name, or a setting the provider needs is missing.

    Examples
    --------
    >>> provider_for("osrm", osrm_url="drive=http://127.0.0.1:5000,walk=http://127.0.0.1:5001")
    OSRM({'drive': 'http://127.0.0.1:5000', 'walk': 'http://127.0.0.1:5001'}, \
max_table_size=100, max_snap_m=500.0)
    >>> provider_for("road")
    Traceback (most recent call last):
    ...
    routeopt.exceptions.InputError: 1 problem in the input:
      column 'osm_file': --matrix road needs an OpenStreetMap extract: pass --osm-file \
FILE.osm.pbf
    """
    opts = dict(options or {})
    provider: MatrixProvider
    if name == "haversine":
        provider = GreatCircle(**opts)
    elif name == "osrm":
        urls = _osrm_urls(osrm_url) if osrm_url is not None else {}
        if not urls:
            raise InputError([Issue(
                "--matrix osrm needs a server: pass --osrm-url http://HOST:PORT (or "
                "MODE=URL for each travel mode)", column="osrm_url")])
        provider = OSRM(urls, **opts)
    elif name == "road":
        if osm_file is None:
            raise InputError([Issue("--matrix road needs an OpenStreetMap extract: pass "
                                    "--osm-file FILE.osm.pbf", column="osm_file")])
        if not os.path.isfile(osm_file):
            raise InputError([Issue(f"OpenStreetMap file not found: {os.fspath(osm_file)}; "
                                    "check the path", column="osm_file")])
        from routeopt.matrix.road import RoadNetwork

        provider = RoadNetwork(osm_file, **opts)
    else:
        raise InputError([Issue(f"unknown matrix provider {name!r}; choose one of "
                                f"{', '.join(PROVIDERS)}", column="matrix")])
    if cache_dir is not None:
        provider = CachedProvider(provider, cache_dir)
    return provider


def _point_names(problem: Problem) -> list[tuple[str | None, str | None, str]]:
    """(outlet_id, rep_id, what) for each point of ``problem.points()``."""
    names: list[tuple[str | None, str | None, str]] = [
        (o.id, None, "the outlet") for o in problem.outlets]
    for r in problem.reps:
        names += [(None, r.id, "the rep's start"), (None, r.id, "the rep's end")]
    return names


def problem_matrices(problem_or_points: Problem | Sequence[Location], provider: MatrixProvider,
                     modes: Iterable[str] | None = None) -> dict[str, TravelMatrix]:
    """Travel matrices for a problem's points (or any points), one per travel mode.

    Attach them with ``problem.replace(matrix=...)`` (or pass them to
    :func:`routeopt.read.read_problem` as ``matrix=``).

    Parameters
    ----------
    problem_or_points
        A :class:`~routeopt.problem.Problem` (its :meth:`~routeopt.problem.Problem.points`,
        in that order) or a list of points.
    provider
        Any :class:`MatrixProvider`.
    modes
        The travel modes; by default every mode the problem's reps use.

    Raises
    ------
    InputError
        For a problem, points too far from a road or with no route between
        them, each issue naming the outlet or rep. The provider's error is
        the cause: :class:`~routeopt.exceptions.SnapError`,
        :class:`~routeopt.exceptions.UnreachablePairsError`, or any
        ``SnapError`` subclass.
    MatrixError
        The provider failed otherwise (server down, bad answer).

    Examples
    --------
    >>> from datetime import date
    >>> from routeopt.problem import Horizon, Outlet, Problem, Rep
    >>> p = Problem([Outlet("P1", 43.7384, 7.4246)], [Rep("R1", 43.7311, 7.4197)],
    ...             Horizon(date(2026, 11, 30)))
    >>> m = problem_matrices(p, GreatCircle())
    >>> sorted(m), m["drive"].size
    (['drive'], 3)
    >>> p.replace(matrix=m).matrix["drive"].size
    3
    """
    from routeopt.problem import Problem

    problem: Problem | None = None
    if isinstance(problem_or_points, Problem):
        problem = problem_or_points
        points = problem.points()
    else:
        points = list(problem_or_points)
    if modes is None:
        if problem is None:
            raise MatrixError("problem_matrices needs modes=... when given bare points")
        modes = sorted({r.mode for r in problem.reps})
    out: dict[str, TravelMatrix] = {}
    for mode in modes:
        t0 = time.perf_counter()
        try:
            out[mode] = provider.matrix(points, mode)
        except MatrixError as e:
            issues = _issues(problem, points, mode, e) if problem is not None else []
            if not issues:
                raise
            raise InputError(issues) from e
        log.info("%s matrix by %r: %d points in %.2f s", mode, provider, len(points),
                 time.perf_counter() - t0)
    return out


def _far_points(err: MatrixError) -> list[tuple[int, float]]:
    """``(index, metres)`` of the points a :class:`SnapError` names (metres NaN if unknown)."""
    if not isinstance(err, SnapError):
        return []
    metres = err.distances_m
    return [(i, metres[k] if k < len(metres) else float("nan")) for k, i in enumerate(err.points)]


def _issues(problem: Problem, points: Sequence[Location], mode: str,
            err: MatrixError) -> list[Issue]:
    """The issues naming outlets and reps for a snap or unreachable error, else none."""
    names = _point_names(problem)
    if not isinstance(err, SnapError | UnreachablePairsError):
        return []
    if any(i >= len(names) for i, _ in _far_points(err)):
        return []

    def issue(i: int, message: str) -> Issue:
        outlet_id, rep_id, what = names[i]
        column = "lat" if outlet_id is not None else ("lat" if "start" in what else "end_lat")
        p = points[i]
        return Issue(f"{what} at ({p.lat:.6f}, {p.lon:.6f}) {message}", outlet_id=outlet_id,
                     rep_id=rep_id, column=column)

    if not isinstance(err, UnreachablePairsError):
        return [issue(i, ("is far" if d != d else f"is {d:.0f} m")
                      + f" from the nearest road for {mode!r}; check its coordinates (in the "
                        "sea? outside the map?)") for i, d in _far_points(err)]
    # Unreachable pairs: blame the points that appear in the most pairs.
    counts: dict[int, int] = {}
    for i, j in err.pairs:
        counts[i] = counts.get(i, 0) + 1
        counts[j] = counts.get(j, 0) + 1
    n = len(points)
    blamed = [i for i, c in counts.items() if c >= n - 1] or sorted(
        counts, key=lambda k: -counts[k])[:5]
    return [issue(i, f"has no {mode!r} route to or from {counts[i]} other point(s): it may "
                     "sit on a road cut off from the network; move it or drop it")
            for i in sorted(blamed)]
