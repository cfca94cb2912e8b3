"""Travel matrices on a real road network read offline from an OpenStreetMap file.

:class:`RoadNetwork` reads the ways tagged ``highway=*`` from an OpenStreetMap
extract (``.osm.pbf``, ``.osm`` or ``.osm.bz2``) with pyosmium, builds one
directed graph per travel mode (``drive``, ``walk``, ``bicycle``), snaps each
point onto the nearest usable road and computes the fastest paths between all
points with scipy's compiled Dijkstra. ``docs/road-network.md`` explains the
rules; this docstring is the short version.

Graph
    A way is usable by a mode when its ``highway`` class has a speed in the
    mode's table (:data:`DEFAULT_SPEEDS`, overridable) and no access tag
    forbids it (``access``, then ``vehicle``/``motor_vehicle``/``motorcar`` for
    ``drive``, ``foot`` for ``walk``, ``vehicle``/``bicycle`` for ``bicycle``;
    the most specific tag present wins; ``no``, ``private``, ``agricultural``,
    ``forestry``, ``emergency``, ``military``, ``use_sidepath`` forbid). A way
    whose class has no speed but whose mode tag says ``yes``, ``designated`` or
    ``permissive`` is used at the speed of ``service`` (drive), ``footway``
    (walk) or ``cycleway`` (bicycle); a footway or pedestrian street open to
    bicycles that way is ridden at cycleway speed (otherwise pushed at 5 km/h).
    ``oneway=yes/true/1/-1/reverse``, ``junction=roundabout/circular`` and
    ``highway=motorway(_link)`` make a way one-way for ``drive`` and
    ``bicycle`` (``oneway:bicycle`` and ``cycleway=opposite*`` open it again for
    bicycles); ``walk`` ignores one-way rules. For ``drive``, a numeric
    ``maxspeed`` can only lower the speed: ``min(table, 0.8 * maxspeed)``.
    A ``barrier=*`` node that stops the mode (a bollard for ``drive``, unless
    its access tags open it) is split so that roads reach it but not through.
    Each consecutive pair of nodes of a way is one edge whose length is the
    haversine distance (float64) and whose time is length over speed.

Snapping
    Each point is snapped to the nearest point of the nearest road segment of
    the largest strongly connected component of the mode's graph (so that
    every point can reach every other). The straight leg between the point and
    the road is added at ``offroad_kmh`` (5 km/h by default) to both time and
    distance. :meth:`RoadNetwork.snap` reports, per point, where it was snapped
    and how far, and whether a nearer road was skipped because it cannot reach
    the rest of the network. A point farther than ``max_snap_m`` from the
    network raises :class:`~routeopt.exceptions.SnapError` naming it.

Paths
    Durations follow the fastest path; distances are the length of that same
    path (summed along the Dijkstra predecessor tree), not the shortest
    distance.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import numbers
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from routeopt.exceptions import MatrixError, SnapError
from routeopt.matrix._base import TravelMatrix
from routeopt.matrix.greatcircle import EARTH_RADIUS_M

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
    from scipy.sparse import csr_matrix
    from scipy.spatial import cKDTree

    from routeopt._types import Location

__all__ = ["DEFAULT_SPEEDS", "MODES", "RoadNetwork", "Snaps"]

_log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MODES = ("drive", "walk", "bicycle")
"""The travel modes a :class:`RoadNetwork` knows."""

DEFAULT_SPEEDS: Mapping[str, Mapping[str, float]] = {
    "drive": {
        "motorway": 100.0, "motorway_link": 50.0, "trunk": 80.0, "trunk_link": 40.0,
        "primary": 50.0, "primary_link": 30.0, "secondary": 45.0, "secondary_link": 30.0,
        "tertiary": 40.0, "tertiary_link": 25.0, "unclassified": 30.0, "residential": 25.0,
        "living_street": 10.0, "service": 15.0, "road": 25.0,
    },
    "walk": {
        "primary": 5.0, "primary_link": 5.0, "secondary": 5.0, "secondary_link": 5.0,
        "tertiary": 5.0, "tertiary_link": 5.0, "unclassified": 5.0, "residential": 5.0,
        "living_street": 5.0, "service": 5.0, "road": 5.0, "pedestrian": 5.0,
        "footway": 5.0, "path": 5.0, "track": 5.0, "cycleway": 5.0, "bridleway": 5.0,
        "corridor": 5.0, "steps": 2.5,
    },
    "bicycle": {
        "primary": 16.0, "primary_link": 16.0, "secondary": 16.0, "secondary_link": 16.0,
        "tertiary": 16.0, "tertiary_link": 16.0, "unclassified": 15.0, "residential": 15.0,
        "living_street": 10.0, "service": 12.0, "road": 15.0, "cycleway": 16.0,
        "path": 12.0, "track": 10.0, "pedestrian": 5.0, "footway": 5.0,
    },
}
"""Speed in km/h per mode and ``highway`` class; a class missing from a mode is not used.

Free-flow averages for towns, without traffic; override them with the
``speeds`` argument of :class:`RoadNetwork` (a speed of 0 removes a class).
"""

_ACCESS_KEYS = {
    "drive": ("access", "vehicle", "motor_vehicle", "motorcar"),
    "walk": ("access", "foot"),
    "bicycle": ("access", "vehicle", "bicycle"),
}
_DENY = frozenset({"no", "private", "agricultural", "forestry", "emergency", "military",
                   "use_sidepath"})
_ALLOW = frozenset({"yes", "designated", "permissive"})
_EXPLICIT_CLASS = {"drive": "service", "walk": "footway", "bicycle": "cycleway"}
_NEVER = frozenset({"construction", "proposed", "abandoned", "disused", "razed", "platform",
                    "raceway", "bus_guideway", "escape", "elevator", "via_ferrata", "no"})
# barrier=* values on a node that stop a mode unless the node's access tags open it
_BARRIERS = {
    "drive": frozenset({"bollard", "block", "jersey_barrier", "cycle_barrier", "kissing_gate",
                        "turnstile", "full-height_turnstile", "stile", "chain", "log", "planter",
                        "motorcycle_barrier", "fence", "wall", "debris"}),
    "walk": frozenset({"fence", "wall"}),
    "bicycle": frozenset({"turnstile", "full-height_turnstile", "stile", "fence", "wall"}),
}
_ONEWAY_FWD = frozenset({"yes", "true", "1"})
_ONEWAY_BWD = frozenset({"-1", "reverse"})
_NODE_TAGS = frozenset({"barrier", "access", "vehicle", "motor_vehicle", "motorcar", "foot",
                        "bicycle"})
_TAGS = frozenset({"highway", "area", "oneway", "junction", "access", "vehicle",
                   "motor_vehicle", "motorcar", "foot", "bicycle", "maxspeed", "oneway:bicycle",
                   "cycleway", "motorroad"})
_MAXSPEED_FACTOR = 0.8
_SAMPLE_M = 25.0  # spacing of the snapping index's points along each segment
_CHUNK_CELLS = 2_000_000  # sources x nodes per Dijkstra call (bounds memory)
_ALGO_VERSION = "1"  # bump when a change alters the matrices (invalidates caches)
# Fastest path and its length in one Dijkstra: weight = time_ms * _LEX + length_dm, exact in
# float64 while below 2**53 (paths up to 2**26 ms, 18.6 h; lengths below 2**27 dm, 13,421 km,
# which a path of under 18.6 h cannot exceed at the <= 300 km/h speeds allowed).
_LEX = float(2**27)
_LEX_LIMIT = float(2**53)
_MAX_KMH = 300.0


def _kmh(value: str) -> float | None:
    """A numeric ``maxspeed`` in km/h (``50``, ``50 km/h``, ``30 mph``), else None."""
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", value)
    if not m:
        return None
    v = float(m.group(1)) * (1.609344 if m.group(2) == "mph" else 1.0)
    return v if v > 0 else None


def _mode_rule(mode: str, tags: Mapping[str, str],
               table: Mapping[str, float], use_maxspeed: bool) -> tuple[float, bool, bool]:
    """Speed (km/h, 0 = unusable), forward allowed, backward allowed for one way."""
    hw = tags.get("highway", "")
    if hw in _NEVER or tags.get("area") == "yes":
        return 0.0, False, False
    access = ""
    for key in _ACCESS_KEYS[mode]:  # least to most specific: the last present wins
        access = tags.get(key, access)
    if mode != "drive" and tags.get("motorroad") == "yes":
        return 0.0, False, False
    if access in _DENY:
        return 0.0, False, False
    speed = table.get(hw, 0.0)
    explicit = access in _ALLOW and any(tags.get(k) in _ALLOW for k in _ACCESS_KEYS[mode][1:])
    if explicit and (speed == 0.0 or (mode == "bicycle" and hw in ("footway", "pedestrian"))):
        speed = max(speed, table.get(_EXPLICIT_CLASS[mode], 0.0))
    if speed <= 0.0:
        return 0.0, False, False
    if mode == "drive" and use_maxspeed and "maxspeed" in tags:
        limit = _kmh(tags["maxspeed"])
        if limit is not None:
            speed = min(speed, _MAXSPEED_FACTOR * limit)
    if mode == "walk":
        return speed, True, True
    oneway = tags.get("oneway", "")
    if oneway in ("reversible", "alternating"):
        return 0.0, False, False
    fwd, bwd = True, True
    if oneway in _ONEWAY_FWD or (oneway != "no" and (
            tags.get("junction") in ("roundabout", "circular")
            or hw in ("motorway", "motorway_link"))):
        bwd = False
    elif oneway in _ONEWAY_BWD:
        fwd = False
    if mode == "bicycle":
        ob = tags.get("oneway:bicycle", "")
        if ob == "no" or tags.get("cycleway", "").startswith("opposite"):
            fwd, bwd = True, True
        elif ob in _ONEWAY_FWD:
            fwd, bwd = True, False
        elif ob in _ONEWAY_BWD:
            fwd, bwd = False, True
    return speed, fwd, bwd


def _barrier_blocks(mode: str, tags: Mapping[str, str]) -> bool:
    """Whether a barrier node stops ``mode``: its most specific access tag, else its type."""
    access = ""
    for key in _ACCESS_KEYS[mode]:
        access = tags.get(key, access)
    if access:
        return access in _DENY
    return tags.get("barrier", "") in _BARRIERS[mode]


def _haversine_pairs(lat1: FloatArray, lon1: FloatArray,
                     lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Element-wise great-circle distance in metres."""
    la1, la2 = np.radians(lat1), np.radians(lat2)
    a = (np.sin((la2 - la1) / 2) ** 2
         + np.cos(la1) * np.cos(la2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2)
    out: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


def _ecef(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Points on a sphere of the Earth's mean radius, in metres (for KD-trees)."""
    la, lo = np.radians(lat), np.radians(lon)
    return EARTH_RADIUS_M * np.column_stack(
        (np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


@dataclass(frozen=True, eq=False)
class _Ways:
    """Every ``highway`` way of the file, as flat arrays (parsed once)."""

    way_id: IntArray  # (W,)
    tags: tuple[dict[str, str], ...]  # (W,) the tags routing uses
    seg_way: IntArray  # (S,) way index of each segment
    seg_a: IntArray  # (S,) OSM node id of each segment's first node
    seg_b: IntArray  # (S,)
    seg_len: FloatArray  # (S,) metres
    node_id: IntArray  # (N,) sorted OSM node ids
    node_lat: FloatArray  # (N,)
    node_lon: FloatArray  # (N,)
    barriers: Mapping[int, Mapping[str, str]]  # OSM node id -> tags, for barrier=* nodes


@dataclass(frozen=True, eq=False)
class _ModeGraph:
    """One mode's usable segments and its contracted routing graph.

    Segment arrays (``S'`` usable segments) index graph nodes ``0..N'-1``. A
    node with a barrier that stops the mode is split into one copy per
    segment end (``split``), so roads reach it but do not pass. Routing runs on the
    largest strongly connected component with every pass-through node (one
    way in and out, or a two-way street with two neighbours) contracted: a
    *chain* is a maximal run of directed segments between two junctions.
    """

    mode: str
    seg: IntArray  # (S',) indices into _Ways segments usable by the mode
    a: IntArray  # (S',) graph node index of the segment's first node
    b: IntArray  # (S',)
    fwd: BoolArray  # (S',) a -> b allowed
    bwd: BoolArray  # (S',) b -> a allowed
    length: FloatArray  # (S',) metres
    time: FloatArray  # (S',) seconds
    speed_kmh: FloatArray  # (S',)
    node_osm: IntArray  # (N',) OSM node id
    node_lat: FloatArray  # (N',)
    node_lon: FloatArray  # (N',)
    split: BoolArray  # (N',) a copy of a node split at a barrier
    in_main: BoolArray  # (N',) node in the largest strongly connected component
    main_seg: BoolArray  # (S',) both ends in the largest component
    # per segment and direction (0: a -> b, 1: b -> a): its chain (-1: none) and the time (s)
    # and length (m) of the chain before it
    chain: IntArray  # (S', 2)
    before_t: FloatArray  # (S', 2)
    before_l: FloatArray  # (S', 2)
    # per chain: first and last junction (0..n_junctions-1), total time and length
    c_start: IntArray
    c_end: IntArray
    c_time: FloatArray
    c_len: FloatArray
    n_junctions: int
    index_all: tuple[cKDTree, IntArray]  # snapping index over every usable segment
    index_main: tuple[cKDTree, IntArray]  # snapping index over the largest component


@dataclass(frozen=True, eq=False)
class Snaps:
    """Where each point was snapped onto the road network of one mode.

    Attributes
    ----------
    mode
        The travel mode.
    lat, lon
        The points as given.
    road_lat, road_lon
        The nearest point on the road the point was snapped to.
    snap_m
        Distance from the point to ``road_lat, road_lon`` in metres (the
        off-road leg added to every trip from and to the point).
    nearest_road_m
        Distance to the nearest usable road of the mode, connected to the rest
        of the network or not.
    moved
        True where the nearest road cannot reach the rest of the network (or be
        reached from it), so the point was snapped to a farther road.
    way_id
        OSM id of the way the point was snapped to.
    """

    mode: str
    lat: FloatArray
    lon: FloatArray
    road_lat: FloatArray
    road_lon: FloatArray
    snap_m: FloatArray
    nearest_road_m: FloatArray
    moved: BoolArray
    way_id: IntArray

    def __len__(self) -> int:
        return int(self.lat.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """One row per point, in input order.

        Examples
        --------
        >>> net = RoadNetwork("examples/data/monaco/monaco.osm.pbf")
        >>> from routeopt.problem import Location
        >>> list(net.snap([Location(43.7384, 7.4246)], "walk").to_frame().columns)[:4]
        ['lat', 'lon', 'road_lat', 'road_lon']
        """
        import pandas as pd

        return pd.DataFrame({
            "lat": self.lat, "lon": self.lon, "road_lat": self.road_lat,
            "road_lon": self.road_lon, "snap_m": self.snap_m,
            "nearest_road_m": self.nearest_road_m, "moved": self.moved, "way_id": self.way_id,
        })


class RoadNetwork:
    """Travel matrices on the roads of an OpenStreetMap extract, computed offline.

    The file is read once, on first use; each mode's graph is built on first
    use and kept in memory. See the module docstring and
    ``docs/road-network.md`` for the rules.

    Parameters
    ----------
    osm_file
        An OpenStreetMap extract: ``.osm.pbf`` (fastest), ``.osm`` or
        ``.osm.bz2``, e.g. from https://download.geofabrik.de.
    speeds
        Speeds in km/h per mode and ``highway`` class, merged over
        :data:`DEFAULT_SPEEDS` (``{"drive": {"residential": 20}}`` changes one
        value; 0 removes a class from the mode).
    max_snap_m
        The farthest a point may lie from the connected road network of its
        mode; farther points raise :class:`~routeopt.exceptions.SnapError`.
    offroad_kmh
        Speed of the straight leg between a point and the road (walking to
        the car, pushing the bicycle).
    use_maxspeed
        For ``drive``, lower a road's speed to 80% of a numeric ``maxspeed``
        tag when that is below the table's speed.
    on_disconnected
        ``"snap"`` (default): a point whose nearest road cannot reach the rest
        of the network is snapped to the nearest road that can, and reported
        (:attr:`Snaps.moved`, and a logged warning); ``"raise"``: raise
        :class:`~routeopt.exceptions.SnapError` naming such points.

    Raises
    ------
    MatrixError
        For unknown modes or bad values in ``speeds``, a non-positive
        ``max_snap_m`` or ``offroad_kmh``. A missing or unreadable file is
        reported on first use (:meth:`matrix`, :meth:`snap`, :meth:`graph`),
        also a :class:`MatrixError`.

    Notes
    -----
    Reading Monaco (1.8 MB, 14,000 drivable nodes) takes about 0.3 s and a
    1,000-point drive matrix under a second on one core. Pass-through nodes
    are contracted (Monaco's drive graph keeps 1,725 junctions), then
    shortest paths are one call of ``scipy.sparse.csgraph.dijkstra`` per
    block of sources: O(S (E + V log V)) for S distinct points on the
    contracted graph plus the points. Memory is bounded by computing at most
    2 million source-node cells at a time.

    Examples
    --------
    >>> from routeopt.problem import Location
    >>> net = RoadNetwork("examples/data/monaco/monaco.osm.pbf")
    >>> pts = [Location(43.7384, 7.4246), Location(43.7311, 7.4197)]
    >>> m = net.matrix(pts, "drive")
    >>> int(m.durations[0, 0]), bool(m.durations[0, 1] > 0), bool(m.distances[0, 1] > 902)
    (0, True, True)
    """

    def __init__(
        self,
        osm_file: str | os.PathLike[str],
        *,
        speeds: Mapping[str, Mapping[str, float]] | None = None,
        max_snap_m: float = 500.0,
        offroad_kmh: float = 5.0,
        use_maxspeed: bool = True,
        on_disconnected: Literal["snap", "raise"] = "snap",
    ) -> None:
        self.osm_file = Path(osm_file)
        self.speeds = _merge_speeds(speeds)
        for name, value in (("max_snap_m", max_snap_m), ("offroad_kmh", offroad_kmh)):
            if not (_is_number(value) and math.isfinite(value) and value > 0):
                raise MatrixError(f"{name} must be a positive number, got {value!r}")
        if offroad_kmh > _MAX_KMH:
            raise MatrixError(f"offroad_kmh must be at most {_MAX_KMH:g}, got {offroad_kmh!r}")
        if on_disconnected not in ("snap", "raise"):
            raise MatrixError(
                f"on_disconnected must be 'snap' or 'raise', got {on_disconnected!r}")
        self.max_snap_m = float(max_snap_m)
        self.offroad_kmh = float(offroad_kmh)
        self.use_maxspeed = bool(use_maxspeed)
        self.on_disconnected: Literal["snap", "raise"] = on_disconnected
        self._lock = threading.RLock()
        self._ways_cache: _Ways | None = None
        self._graphs: dict[str, _ModeGraph] = {}
        self._sha: str | None = None
        self.last_snaps: dict[str, Snaps] = {}
        """The :class:`Snaps` of the latest :meth:`matrix` call, per mode."""

    def __repr__(self) -> str:
        return f"RoadNetwork({str(self.osm_file)!r})"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- identity
    @property
    def file_sha256(self) -> str:
        """SHA-256 of the OSM file's bytes (read once)."""
        with self._lock:
            if self._sha is None:
                self._check_file()
                h = hashlib.sha256()
                with self.osm_file.open("rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
                self._sha = h.hexdigest()
            return self._sha

    @property
    def cache_key(self) -> str:
        """Identifies the file's content and every setting that changes a matrix.

        Two networks with equal keys give equal matrices for the same points
        and mode; the key does not depend on the file's name or place.

        Examples
        --------
        >>> a = RoadNetwork("examples/data/monaco/monaco.osm.pbf")
        >>> b = RoadNetwork("examples/data/monaco/monaco.osm.pbf", offroad_kmh=4)
        >>> a.cache_key.startswith("road-v1-36c0f0029ed8"), a.cache_key == b.cache_key
        (True, False)
        """
        settings = json.dumps({
            "speeds": {m: dict(sorted(t.items())) for m, t in sorted(self.speeds.items())},
            "max_snap_m": self.max_snap_m, "offroad_kmh": self.offroad_kmh,
            "use_maxspeed": self.use_maxspeed, "on_disconnected": self.on_disconnected,
        }, sort_keys=True)
        digest = hashlib.sha256(settings.encode()).hexdigest()[:16]
        return f"road-v{_ALGO_VERSION}-{self.file_sha256}-{digest}"

    # ----------------------------------------------------------------- public API
    def matrix(self, points: Sequence[Location], mode: str) -> TravelMatrix:
        """Fastest-path travel time and its distance between every pair of ``points``.

        Parameters
        ----------
        points
            WGS-84 points (anything with ``lat`` and ``lon``).
        mode
            ``"drive"``, ``"walk"`` or ``"bicycle"``.

        Returns
        -------
        TravelMatrix
            Durations in whole seconds along the fastest path, distances in
            whole metres along that same path, both including the off-road
            legs. Points with identical coordinates are 0 apart.

        Raises
        ------
        SnapError
            A point lies farther than ``max_snap_m`` from the mode's connected
            network (or, with ``on_disconnected="raise"``, nearest to a piece
            cut off from it); :attr:`SnapError.points` lists their indices.
        MatrixError
            Unknown mode, bad coordinates, a missing or unreadable file, or a
            file without roads for the mode.
        """
        g = self._graph(mode)
        lat, lon = _coords(points)
        n = lat.shape[0]
        if n == 0:
            empty = np.zeros((0, 0), dtype=np.int64)
            return TravelMatrix(empty, empty)
        # identical coordinates are one place: compute on unique places only
        _, first, inverse = np.unique(np.column_stack((lat, lon)), axis=0,
                                      return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        snaps, seg, frac = self._snap(g, lat, lon)
        self._check_snaps(snaps)
        self.last_snaps[mode] = snaps
        useg, ufrac, uoff = seg[first], frac[first], snaps.snap_m[first]
        t, d = self._solve(g, useg, ufrac, uoff)
        cells = np.ix_(inverse, inverse)
        return TravelMatrix(np.rint(t[cells]).astype(np.int64),
                            np.rint(d[cells]).astype(np.int64))

    def snap(self, points: Sequence[Location], mode: str) -> Snaps:
        """Snap ``points`` onto the mode's connected road network, without checking distances.

        Examples
        --------
        >>> from routeopt.problem import Location
        >>> net = RoadNetwork("examples/data/monaco/monaco.osm.pbf")
        >>> s = net.snap([Location(43.7384, 7.4246)], "drive")
        >>> bool(s.snap_m[0] < 50), bool(s.moved[0])
        (True, False)
        """
        g = self._graph(mode)
        lat, lon = _coords(points)
        return self._snap(g, lat, lon)[0]

    def graph(self, mode: str, *, largest_component: bool = False) -> nx.MultiDiGraph[int]:
        """The mode's road graph as a networkx ``MultiDiGraph``.

        Nodes are OSM node ids with attributes ``y`` (lat), ``x`` (lon) and
        ``osmid``; a node whose barrier stops the mode (a bollard for
        ``drive``) is split into one node per road end, keyed by negative
        integers, with the OSM id in ``osmid``;
        each allowed direction of each way segment is one edge with
        ``length`` (m), ``travel_time`` (s), ``speed_kph``, ``highway`` and
        ``osmid`` (the way id), as OSMnx names them.

        Parameters
        ----------
        mode
            ``"drive"``, ``"walk"`` or ``"bicycle"``.
        largest_component
            Keep only the largest strongly connected component (the part
            :meth:`matrix` routes on).

        Examples
        --------
        >>> net = RoadNetwork("examples/data/monaco/monaco.osm.pbf")
        >>> G = net.graph("drive", largest_component=True)
        >>> G.number_of_nodes() > 10_000, sorted(G.graph)
        (True, ['crs', 'mode'])
        """
        import networkx as nx

        g = self._graph(mode)
        w = self._ways()
        keep = g.main_seg if largest_component else np.ones(g.seg.shape[0], dtype=bool)
        nodes = np.flatnonzero(g.in_main) if largest_component else np.arange(g.in_main.size)
        name = np.where(g.split, -1 - np.arange(g.split.size), g.node_osm)
        out: nx.MultiDiGraph[int] = nx.MultiDiGraph(crs="EPSG:4326", mode=mode)
        out.add_nodes_from(
            (int(name[i]), {"y": float(g.node_lat[i]), "x": float(g.node_lon[i]),
                            "osmid": int(g.node_osm[i])})
            for i in nodes)
        osm_a, osm_b = name[g.a], name[g.b]
        for k in np.flatnonzero(keep):
            way = int(w.seg_way[g.seg[k]])
            attrs = {"length": float(g.length[k]), "travel_time": float(g.time[k]),
                     "speed_kph": float(g.speed_kmh[k]), "osmid": int(w.way_id[way]),
                     "highway": w.tags[way].get("highway", "")}
            if g.fwd[k]:
                out.add_edge(int(osm_a[k]), int(osm_b[k]), **attrs)
            if g.bwd[k]:
                out.add_edge(int(osm_b[k]), int(osm_a[k]), **attrs)
        return out

    def sample_points(self, n: int, mode: str = "drive", *, seed: int = 0,
                      max_offset_m: float = 30.0) -> list[Location]:
        """``n`` random points near the mode's connected roads (for benchmarks and tests).

        Each point lies on a segment drawn with probability proportional to its
        length, moved up to ``max_offset_m`` in a random direction. The same
        ``seed`` gives the same points.

        Examples
        --------
        >>> net = RoadNetwork("examples/data/monaco/monaco.osm.pbf")
        >>> pts = net.sample_points(3, seed=1)
        >>> pts == net.sample_points(3, seed=1), len(pts)
        (True, 3)
        """
        from routeopt._types import Location

        g = self._graph(mode)
        rng = np.random.default_rng(seed)
        segs = np.flatnonzero(g.main_seg)
        p = g.length[segs] / g.length[segs].sum()
        pick = segs[rng.choice(segs.shape[0], size=n, p=p)]
        f = rng.uniform(0.0, 1.0, n)
        la = g.node_lat[g.a[pick]] * (1 - f) + g.node_lat[g.b[pick]] * f
        lo = g.node_lon[g.a[pick]] * (1 - f) + g.node_lon[g.b[pick]] * f
        r = rng.uniform(0.0, max_offset_m, n)
        ang = rng.uniform(0.0, 2 * np.pi, n)
        dlat = np.degrees(r * np.sin(ang) / EARTH_RADIUS_M)
        dlon = np.degrees(r * np.cos(ang) / (EARTH_RADIUS_M * np.cos(np.radians(la))))
        return [Location(float(a), float(b)) for a, b in zip(la + dlat, lo + dlon, strict=True)]

    # ----------------------------------------------------------------- reading
    def _check_file(self) -> None:
        if not self.osm_file.is_file():
            raise MatrixError(
                f"OSM file {str(self.osm_file)!r} does not exist (or is not a file); fix the "
                "path or download an extract of your region, e.g. from "
                "https://download.geofabrik.de")

    def _ways(self) -> _Ways:
        with self._lock:
            if self._ways_cache is None:
                self._check_file()
                self._ways_cache = _read_ways(self.osm_file)
            return self._ways_cache

    def _graph(self, mode: str) -> _ModeGraph:
        if mode not in MODES:
            raise MatrixError(f"unknown travel mode {mode!r} for a road network; "
                              f"known: {', '.join(MODES)}")
        with self._lock:
            if mode not in self._graphs:
                self._graphs[mode] = _build_graph(self._ways(), mode, self.speeds[mode],
                                                  self.use_maxspeed, self.osm_file)
            return self._graphs[mode]

    # ----------------------------------------------------------------- snapping
    def _snap(self, g: _ModeGraph, lat: FloatArray,
              lon: FloatArray) -> tuple[Snaps, IntArray, FloatArray]:
        w = self._ways()
        alat, alon = g.node_lat[g.a], g.node_lon[g.a]
        blat, blon = g.node_lat[g.b], g.node_lon[g.b]
        seg, frac, dist = _nearest_segment(g.index_main, lat, lon, alat, alon, blat, blon)
        _, _, near = _nearest_segment(g.index_all, lat, lon, alat, alon, blat, blon)
        rlat = alat[seg] * (1 - frac) + blat[seg] * frac
        rlon = alon[seg] * (1 - frac) + blon[seg] * frac
        snaps = Snaps(mode=g.mode, lat=lat, lon=lon, road_lat=rlat, road_lon=rlon,
                      snap_m=dist, nearest_road_m=np.minimum(near, dist),
                      moved=dist > near + 0.5, way_id=w.way_id[w.seg_way[g.seg[seg]]])
        return snaps, seg, frac

    def _check_snaps(self, s: Snaps) -> None:
        far = np.flatnonzero(s.snap_m > self.max_snap_m)
        if far.size:
            parts = []
            for i in far[:10]:
                part = f"point {i} ({s.lat[i]:.6f}, {s.lon[i]:.6f}) is {s.snap_m[i]:.0f} m"
                if s.moved[i]:
                    part += (f" (its nearest road, {s.nearest_road_m[i]:.0f} m away, is cut "
                             "off from the rest of the network)")
                parts.append(part)
            more = f"; and {far.size - 10} more" if far.size > 10 else ""
            raise SnapError(
                f"{far.size} point(s) farther than max_snap_m={self.max_snap_m:g} m from any "
                f"{s.mode} road of {self.osm_file.name}: " + "; ".join(parts) + more
                + ". Fix the coordinates, raise max_snap_m, or use an extract that covers "
                "the points.",
                points=far, distances_m=s.snap_m[far])
        moved = np.flatnonzero(s.moved)
        if moved.size:
            desc = "; ".join(f"point {i}: nearest road {s.nearest_road_m[i]:.0f} m, "
                             f"snapped {s.snap_m[i]:.0f} m" for i in moved[:10])
            if self.on_disconnected == "raise":
                raise SnapError(
                    f"{moved.size} point(s) lie nearest to a {s.mode} road that cannot reach "
                    f"the rest of the network (or be reached from it): {desc}. Fix the "
                    "coordinates, use a larger extract, or pass on_disconnected='snap' to "
                    "snap them to the connected network.",
                    points=moved, distances_m=s.snap_m[moved])
            _log.warning("%d point(s) snapped past a road cut off from the %s network: %s",
                         moved.size, s.mode, desc)

    # ----------------------------------------------------------------- routing
    def _solve(self, g: _ModeGraph, seg: IntArray, frac: FloatArray,
               off_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Times (s) and distances (m) between snapped places, along the fastest path.

        Each place becomes a node joined to the two ends of the chain(s) its
        segment lies on (one per allowed direction), and directly to the other
        places on the same chain further along it.
        """
        k = seg.shape[0]
        nj = g.n_junctions
        vid = nj + np.arange(k)  # one node per place, after the junctions
        off_s = off_m / (self.offroad_kmh / 3.6)
        # attachments: (place, chain, position along the chain in s and m)
        place = np.concatenate((np.arange(k), np.arange(k)))
        chain = np.concatenate((g.chain[seg, 0], g.chain[seg, 1]))
        along = np.concatenate((frac, 1 - frac))
        pos_t = np.concatenate((g.before_t[seg, 0], g.before_t[seg, 1])) + along * np.tile(
            g.time[seg], 2)
        pos_l = np.concatenate((g.before_l[seg, 0], g.before_l[seg, 1])) + along * np.tile(
            g.length[seg], 2)
        ok = chain >= 0
        place, chain, pos_t, pos_l = place[ok], chain[ok], pos_t[ok], pos_l[ok]
        us = [g.c_start, vid[place], g.c_start[chain]]
        vs = [g.c_end, g.c_end[chain], vid[place]]
        ts = [g.c_time, g.c_time[chain] - pos_t + off_s[place], pos_t + off_s[place]]
        ls = [g.c_len, g.c_len[chain] - pos_l + off_m[place], pos_l + off_m[place]]
        # places on the same chain: from each to every other one further along
        order = np.lexsort((pos_t, chain))
        cut = np.flatnonzero(np.r_[True, chain[order][1:] != chain[order][:-1], True])
        for lo, hi in itertools.pairwise(cut):
            if hi - lo < 2:
                continue
            grp = order[lo:hi]
            p, q = (x.ravel() for x in np.meshgrid(grp, grp, indexing="ij"))
            fine = (p != q) & (pos_t[q] >= pos_t[p])
            p, q = p[fine], q[fine]
            us.append(vid[place[p]])
            vs.append(vid[place[q]])
            ts.append(pos_t[q] - pos_t[p] + off_s[place[p]] + off_s[place[q]])
            ls.append(pos_l[q] - pos_l[p] + off_m[place[p]] + off_m[place[q]])
        u, v = np.concatenate(us), np.concatenate(vs)
        t_ms = np.rint(np.maximum(np.concatenate(ts), 0.0) * 1000.0)
        l_dm = np.rint(np.maximum(np.concatenate(ls), 0.0) * 10.0)
        w = t_ms * _LEX + l_dm
        # the best of parallel edges; places on one spot get an explicit zero edge, which
        # scipy's csgraph keeps as an edge
        keep = np.lexsort((w, v, u))
        keep = keep[np.r_[True, (np.diff(u[keep]) != 0) | (np.diff(v[keep]) != 0)]]
        u, v, w, t_ms, l_dm = u[keep], v[keep], w[keep], t_ms[keep], l_dm[keep]
        size = nj + k
        out = _dijkstra_lex(u, v, w, size, vid)
        if out is None:  # some path too long for exact packing: predecessors instead
            _log.debug("paths beyond 18 h: distances from the predecessor tree")
            out = _dijkstra_tree(u, v, t_ms, l_dm, size, vid)
        t, d = out
        if not (np.isfinite(t).all() and np.isfinite(d).all()):
            i, j = np.argwhere(~np.isfinite(t))[0]
            raise MatrixError(f"internal error: place {j} unreachable from place {i} in the "
                              f"{g.mode} network of {self.osm_file.name}")
        return t / 1000.0, d / 10.0


def _dijkstra_lex(u: IntArray, v: IntArray, w: FloatArray, size: int,
                  vid: IntArray) -> tuple[FloatArray, FloatArray] | None:
    """Time (ms) and length (dm) of the fastest paths between ``vid``, or None on overflow.

    One Dijkstra on packed weights ``time_ms * 2**27 + length_dm``: the sum
    along a path packs the path's time and length, minimising time first and
    length among equally fast paths. Every partial sum is an integer below
    2**53, hence exact in float64.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    graph = csr_matrix((w, (u, v)), shape=(size, size))
    k = vid.shape[0]
    packed = np.empty((k, k))
    chunk = max(1, _CHUNK_CELLS // size)
    for lo in range(0, k, chunk):
        packed[lo:lo + chunk] = dijkstra(graph, directed=True, indices=vid[lo:lo + chunk])[:, vid]
    finite = np.isfinite(packed)
    if finite.any() and packed[finite].max() >= _LEX_LIMIT:
        return None
    t = np.floor(packed / _LEX)  # dividing by a power of two is exact
    return t, packed - t * _LEX


def _dijkstra_tree(u: IntArray, v: IntArray, t_ms: FloatArray, l_dm: FloatArray, size: int,
                   vid: IntArray) -> tuple[FloatArray, FloatArray]:
    """Time (ms) and length (dm) of the fastest paths, lengths summed along the predecessor tree."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    times = csr_matrix((t_ms, (u, v)), shape=(size, size))
    lengths = csr_matrix((l_dm, (u, v)), shape=(size, size))
    times.sort_indices()
    lengths.sort_indices()
    k = vid.shape[0]
    out_t, out_d = np.empty((k, k)), np.empty((k, k))
    chunk = max(1, _CHUNK_CELLS // (size + 1))
    for lo in range(0, k, chunk):
        tm, pred = dijkstra(times, directed=True, indices=vid[lo:lo + chunk],
                            return_predecessors=True)
        out_t[lo:lo + chunk] = tm[:, vid]
        out_d[lo:lo + chunk] = _tree_lengths(pred, lengths, vid)
    return out_t, out_d


def _tree_lengths(pred: npt.NDArray[np.int32], lengths: csr_matrix,
                  targets: IntArray) -> FloatArray:
    """Length of the predecessor-tree path from each row's source to each target.

    Pointer jumping: after step ``j`` each node knows the length to its
    ``2**j``-th ancestor, so a path of ``h`` edges takes ``log2(h)`` vectorised
    steps over the whole (sources x nodes) block.
    """
    rows, n = pred.shape
    root = n  # an extra column: the ancestor of every source and unreachable node
    anc = np.where(pred < 0, root, pred).astype(np.int64)
    acc = np.zeros((rows, n + 1))
    has = anc[:, :n] != root
    r, c = np.nonzero(has)
    acc[r, c] = np.asarray(lengths[anc[r, c], c]).ravel()
    anc = np.concatenate((anc, np.full((rows, 1), root)), axis=1)
    offset = (np.arange(rows) * (n + 1))[:, None]
    flat_acc = acc.ravel()
    while True:
        live = anc != root
        if not live.any():
            break
        idx = (anc + offset).ravel()
        flat_acc = np.where(live.ravel(), flat_acc + flat_acc[idx], flat_acc)
        anc = anc.ravel()[idx].reshape(rows, n + 1)
    acc = flat_acc.reshape(rows, n + 1)
    out: FloatArray = acc[:, targets]
    return out


def _nearest_segment(index: tuple[cKDTree, IntArray], lat: FloatArray, lon: FloatArray,
                     alat: FloatArray, alon: FloatArray, blat: FloatArray,
                     blon: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Nearest segment, position on it (0..1 from a to b) and distance (m), per point.

    The KD-tree holds points every ``_SAMPLE_M`` metres along each segment, so
    the nearest segment has a sample within (nearest sample + half the
    spacing): every segment with a sample in that ball is measured exactly,
    in a local plane around the point.
    """
    tree, sample_seg = index
    xyz = _ecef(lat, lon)
    d0, _ = tree.query(xyz)
    balls = tree.query_ball_point(xyz, d0 + _SAMPLE_M / 2 + 1.0)
    npts = lat.shape[0]
    cand: list[IntArray] = [np.unique(sample_seg[np.asarray(bl, dtype=np.int64)])
                            for bl in balls]
    owner = np.repeat(np.arange(npts), [c.shape[0] for c in cand])
    segs = np.concatenate(cand) if cand else np.zeros(0, dtype=np.int64)
    # local equirectangular plane centred on each point, metres
    k = np.radians(1.0) * EARTH_RADIUS_M
    cos = np.cos(np.radians(lat[owner]))
    ax, ay = (alon[segs] - lon[owner]) * k * cos, (alat[segs] - lat[owner]) * k
    bx, by = (blon[segs] - lon[owner]) * k * cos, (blat[segs] - lat[owner]) * k
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    f = np.clip(np.where(len2 > 0, -(ax * dx + ay * dy) / np.where(len2 > 0, len2, 1.0), 0.0),
                0.0, 1.0)
    dist = np.hypot(ax + f * dx, ay + f * dy)
    # best candidate per point (ties: the lowest segment index, for determinism)
    order = np.lexsort((segs, dist, owner))
    firsts = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    seg, frac = segs[firsts], f[firsts]
    # the exact great-circle length of the off-road leg
    rlat = alat[seg] * (1 - frac) + blat[seg] * frac
    rlon = alon[seg] * (1 - frac) + blon[seg] * frac
    return seg, frac, _haversine_pairs(lat, lon, rlat, rlon)


def _make_index(g_a_lat: FloatArray, g_a_lon: FloatArray, g_b_lat: FloatArray,
                g_b_lon: FloatArray, length: FloatArray,
                segs: IntArray) -> tuple[cKDTree, IntArray]:
    """KD-tree of points every ``_SAMPLE_M`` m along ``segs`` (ECEF metres)."""
    from scipy.spatial import cKDTree

    pieces = np.maximum(1, np.ceil(length[segs] / _SAMPLE_M)).astype(np.int64)
    owner = np.repeat(segs, pieces + 1)
    start = np.repeat(np.cumsum(pieces + 1) - (pieces + 1), pieces + 1)
    f = (np.arange(owner.shape[0]) - start) / np.repeat(pieces, pieces + 1)
    la = g_a_lat[owner] * (1 - f) + g_b_lat[owner] * f
    lo = g_a_lon[owner] * (1 - f) + g_b_lon[owner] * f
    return cKDTree(_ecef(la, lo)), owner


def _read_ways(path: Path) -> _Ways:
    """Parse every ``highway=*`` way of an OSM file with pyosmium."""
    try:
        import osmium
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError('RoadNetwork needs pyosmium: pip install "routeopt[road]"') from e

    barriers: dict[int, dict[str, str]] = {}
    way_ids: list[int] = []
    tags: list[dict[str, str]] = []
    refs: list[int] = []
    lats: list[float] = []
    lons: list[float] = []
    sizes: list[int] = []
    try:
        roads, barrier_nodes = osmium.filter.KeyFilter("highway"), osmium.filter.KeyFilter(
            "barrier")
        roads.enable_for(osmium.osm.WAY)  # each filter applies to one type only
        barrier_nodes.enable_for(osmium.osm.NODE)
        fp = (osmium.FileProcessor(str(path)).with_locations()
              .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY))
              .with_filter(roads).with_filter(barrier_nodes))
        for w in fp:
            if isinstance(w, osmium.osm.Node):
                if "barrier" in w.tags:
                    barriers[w.id] = {t.k: t.v for t in w.tags if t.k in _NODE_TAGS}
                continue
            if not isinstance(w, osmium.osm.Way) or "highway" not in w.tags:
                continue
            kept = 0
            wt: dict[str, str] = {}
            for nd in w.nodes:
                loc = nd.location
                if not loc.valid():  # a node missing from the extract: cut the way there
                    if kept:
                        sizes.append(kept)
                        way_ids.append(w.id)
                        tags.append(wt)
                    kept = 0
                    continue
                if kept == 0:
                    wt = {t.k: t.v for t in w.tags if t.k in _TAGS}
                refs.append(nd.ref)
                lats.append(loc.lat)
                lons.append(loc.lon)
                kept += 1
            if kept:
                sizes.append(kept)
                way_ids.append(w.id)
                tags.append(wt)
    except (RuntimeError, ValueError, OSError) as e:
        raise MatrixError(
            f"cannot read {str(path)!r} as an OpenStreetMap file (.osm.pbf, .osm or .osm.bz2): "
            f"{e}") from e
    if not refs:
        raise MatrixError(f"{str(path)!r} holds no roads (no way tagged highway=*); "
                          "use an OpenStreetMap extract that covers your points")
    ref = np.asarray(refs, dtype=np.int64)
    lat = np.asarray(lats, dtype=np.float64)
    lon = np.asarray(lons, dtype=np.float64)
    size = np.asarray(sizes, dtype=np.int64)
    piece = np.repeat(np.arange(size.shape[0]), size)
    same = piece[1:] == piece[:-1]  # consecutive nodes of one piece form a segment
    first = np.flatnonzero(same)
    node_id, idx = np.unique(ref, return_index=True)
    seg_len = _haversine_pairs(lat[first], lon[first], lat[first + 1], lon[first + 1])
    return _Ways(way_id=np.asarray(way_ids, dtype=np.int64), tags=tuple(tags),
                 seg_way=piece[first], seg_a=ref[first], seg_b=ref[first + 1], seg_len=seg_len,
                 node_id=node_id, node_lat=lat[idx], node_lon=lon[idx], barriers=barriers)


def _build_graph(w: _Ways, mode: str, table: Mapping[str, float], use_maxspeed: bool,
                 path: Path) -> _ModeGraph:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    rules = np.array([_mode_rule(mode, t, table, use_maxspeed) for t in w.tags],
                     dtype=np.float64).reshape(-1, 3)
    speed_w, fwd_w, bwd_w = rules[:, 0], rules[:, 1] > 0, rules[:, 2] > 0
    seg = np.flatnonzero((speed_w[w.seg_way] > 0) & (w.seg_a != w.seg_b))
    if seg.size == 0:
        raise MatrixError(f"{str(path)!r} has no road usable by {mode}; use an extract that "
                          "covers your points")
    ia = np.searchsorted(w.node_id, w.seg_a[seg])
    ib = np.searchsorted(w.node_id, w.seg_b[seg])
    # a barrier that stops the mode: each segment end there gets its own copy of the node
    n0 = w.node_id.shape[0]
    ka, kb = ia.copy(), ib.copy()
    blocked = np.array(sorted(n for n, t in w.barriers.items() if _barrier_blocks(mode, t)),
                       dtype=np.int64)
    if blocked.size:
        at_a, at_b = np.isin(w.seg_a[seg], blocked), np.isin(w.seg_b[seg], blocked)
        ka[at_a] = n0 + 2 * np.flatnonzero(at_a)
        kb[at_b] = n0 + 2 * np.flatnonzero(at_b) + 1
    keys, inv = np.unique(np.concatenate((ka, kb)), return_inverse=True)
    inv = inv.ravel()
    split = keys >= n0
    orig = keys.copy()
    j = keys[split] - n0
    orig[split] = np.where(j % 2 == 0, ia[j // 2], ib[j // 2])
    a, b = inv[:seg.size].astype(np.int64), inv[seg.size:].astype(np.int64)
    speed = speed_w[w.seg_way[seg]]
    fwd, bwd = fwd_w[w.seg_way[seg]], bwd_w[w.seg_way[seg]]
    length = w.seg_len[seg]
    time = length / (speed / 3.6)
    nn = keys.shape[0]
    u = np.concatenate((a[fwd], b[bwd]))
    v = np.concatenate((b[fwd], a[bwd]))
    adj = csr_matrix((np.ones(u.shape[0]), (u, v)), shape=(nn, nn))
    _, label = connected_components(adj, directed=True, connection="strong")
    big = int(np.argmax(np.bincount(label)))  # ties: the lowest label, deterministic
    in_main = label == big
    main_seg = in_main[a] & in_main[b]
    if not main_seg.any():
        raise MatrixError(f"{str(path)!r}: no two {mode} roads connect both ways (every "
                          "road is one-way into a dead end); use a larger extract")
    chains = _chains(a, b, fwd & main_seg, bwd & main_seg, time, length, nn)
    node_lat, node_lon = w.node_lat[orig], w.node_lon[orig]
    alat, alon = node_lat[a], node_lon[a]
    blat, blon = node_lat[b], node_lon[b]
    _log.debug("%s graph: %d nodes, %d segments; largest component %d nodes, %d junctions",
               mode, nn, seg.size, int(in_main.sum()), chains[-1])
    return _ModeGraph(
        mode, seg, a, b, fwd, bwd, length, time, speed, w.node_id[orig], node_lat, node_lon,
        split, in_main, main_seg, *chains,
        index_all=_make_index(alat, alon, blat, blon, length, np.arange(seg.size)),
        index_main=_make_index(alat, alon, blat, blon, length, np.flatnonzero(main_seg)))


def _chains(a: IntArray, b: IntArray, fwd: BoolArray, bwd: BoolArray, time: FloatArray,
            length: FloatArray, nn: int) -> tuple[IntArray, FloatArray, FloatArray, IntArray,
                                                  IntArray, FloatArray, FloatArray, int]:
    """Contract pass-through nodes: chains of directed segments between junctions.

    A node passes through when it has one edge in and one out to another node,
    or two in and two out with the same two neighbours (a two-way street);
    any other node with an edge is a junction. Parallel edges make junctions,
    so no segment is lost. Returns per segment and direction the chain and the
    time and length before it, then per chain its ends, time and length, and
    the number of junctions.
    """
    s_idx = np.arange(a.shape[0])
    es = np.concatenate((s_idx[fwd], s_idx[bwd]))  # directed edge -> segment
    ed = np.concatenate((np.zeros(int(fwd.sum()), np.int64), np.ones(int(bwd.sum()), np.int64)))
    eu = np.concatenate((a[fwd], b[bwd]))
    ev = np.concatenate((b[fwd], a[bwd]))
    ne = es.shape[0]
    indeg = np.bincount(ev, minlength=nn)
    outdeg = np.bincount(eu, minlength=nn)
    big = np.iinfo(np.int64).max
    in_lo, in_hi = np.full(nn, big), np.full(nn, -1)
    np.minimum.at(in_lo, ev, eu)
    np.maximum.at(in_hi, ev, eu)
    out_lo, out_hi = np.full(nn, big), np.full(nn, -1)
    np.minimum.at(out_lo, eu, ev)
    np.maximum.at(out_hi, eu, ev)
    through = (((indeg == 1) & (outdeg == 1) & (in_lo != out_lo))
               | ((indeg == 2) & (outdeg == 2) & (in_lo != in_hi)
                  & (in_lo == out_lo) & (in_hi == out_hi)))
    # the out-edges of each node, for following a chain
    by_u = np.argsort(eu, kind="stable")
    first_out = np.searchsorted(eu[by_u], np.arange(nn))
    et, el = time[es], length[es]
    junction = (~through) & ((indeg > 0) | (outdeg > 0))
    chain_of = np.full(ne, -1, dtype=np.int64)
    before_t = np.zeros(ne)
    before_l = np.zeros(ne)
    starts: list[int] = []
    ends: list[int] = []
    totals_t: list[float] = []
    totals_l: list[float] = []
    eu_l, ev_l, et_l, el_l = eu.tolist(), ev.tolist(), et.tolist(), el.tolist()
    by_u_l, first_l, outdeg_l = by_u.tolist(), first_out.tolist(), outdeg.tolist()
    chain_l, bt_l, bl_l = chain_of.tolist(), before_t.tolist(), before_l.tolist()
    junction_l = junction.tolist()

    def walk(e: int) -> None:
        c = len(starts)
        starts.append(eu_l[e])
        acc_t = acc_l = 0.0
        while True:
            chain_l[e], bt_l[e], bl_l[e] = c, acc_t, acc_l
            acc_t += et_l[e]
            acc_l += el_l[e]
            n = ev_l[e]
            if junction_l[n]:
                break
            f = first_l[n]  # a pass-through node: the out-edge not going back
            nxt = by_u_l[f]
            if outdeg_l[n] == 2 and ev_l[nxt] == eu_l[e]:
                nxt = by_u_l[f + 1]
            e = nxt
        ends.append(ev_l[e])
        totals_t.append(acc_t)
        totals_l.append(acc_l)

    for e in range(ne):
        if junction_l[eu_l[e]]:
            walk(e)
    for e in range(ne):  # closed loops of pass-through nodes: cut each at one node
        if chain_l[e] < 0:
            junction_l[eu_l[e]] = True
            walk(e)
            for e2 in range(ne):
                if chain_l[e2] < 0 and eu_l[e2] == eu_l[e]:
                    walk(e2)
    junction = np.asarray(junction_l, dtype=bool)
    jindex = np.full(nn, -1, dtype=np.int64)
    jindex[junction] = np.arange(int(junction.sum()))
    chain = np.full((a.shape[0], 2), -1, dtype=np.int64)
    bt = np.zeros((a.shape[0], 2))
    bl = np.zeros((a.shape[0], 2))
    chain[es, ed] = chain_l
    bt[es, ed] = bt_l
    bl[es, ed] = bl_l
    return (chain, bt, bl, jindex[np.asarray(starts, dtype=np.int64)],
            jindex[np.asarray(ends, dtype=np.int64)], np.asarray(totals_t),
            np.asarray(totals_l), int(junction.sum()))


def _merge_speeds(user: Mapping[str, Mapping[str, float]] | None) -> dict[str, dict[str, float]]:
    out = {m: dict(t) for m, t in DEFAULT_SPEEDS.items()}
    for mode, table in (user or {}).items():
        if mode not in out:
            raise MatrixError(f"speeds: unknown travel mode {mode!r}; known: {', '.join(MODES)}")
        for cls, kmh in table.items():
            if not (_is_number(kmh) and math.isfinite(kmh) and kmh >= 0):
                raise MatrixError(f"speeds[{mode!r}][{cls!r}] must be a speed in km/h >= 0, "
                                  f"got {kmh!r}")
            if kmh > _MAX_KMH:
                raise MatrixError(f"speeds[{mode!r}][{cls!r}] = {kmh} km/h is above the "
                                  f"{_MAX_KMH:g} km/h routeopt accepts")
            if kmh == 0:
                out[mode].pop(cls, None)
            else:
                out[mode][cls] = float(kmh)
        if not out[mode]:
            raise MatrixError(f"speeds[{mode!r}] leaves no road class usable")
    return out


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _coords(points: Sequence[Location]) -> tuple[FloatArray, FloatArray]:
    lat = np.asarray([p.lat for p in points], dtype=np.float64)
    lon = np.asarray([p.lon for p in points], dtype=np.float64)
    bad = np.flatnonzero(~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90)
                           & (np.abs(lon) <= 180)))
    if bad.size:
        i = int(bad[0])
        raise SnapError(f"point {i} has invalid coordinates ({lat[i]}, {lon[i]}); "
                        "latitude must be in [-90, 90] and longitude in [-180, 180]",
                        points=bad, distances_m=np.full(bad.size, np.nan))
    return lat, lon
