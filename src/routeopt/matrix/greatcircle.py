"""The embedded default: great-circle distance with a detour factor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from routeopt.exceptions import MatrixError
from routeopt.matrix._base import TravelMatrix

if TYPE_CHECKING:
    from routeopt._types import Location

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def haversine_m(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Great-circle distances in metres between all pairs of points.

    Notes
    -----
    Vectorised with numpy: O(n^2) time and memory (8 bytes per pair), the
    temporaries computed a block of rows at a time.

    Examples
    --------
    >>> d = haversine_m([43.7384, 43.7311], [7.4246, 7.4197])
    >>> round(float(d[0, 1]))
    902
    """
    la = np.radians(np.asarray(lat, dtype=np.float64))
    lo = np.radians(np.asarray(lon, dtype=np.float64))
    n = la.shape[0]
    out: npt.NDArray[np.float64] = np.empty((n, n), dtype=np.float64)
    cos = np.cos(la)
    step = max(1, 1_000_000 // max(1, n))
    for b in range(0, n, step):
        rows = slice(b, b + step)
        dlat = la[rows, None] - la[None, :]
        dlon = lo[rows, None] - lo[None, :]
        a = np.sin(dlat / 2) ** 2 + cos[rows, None] * cos[None, :] * np.sin(dlon / 2) ** 2
        out[rows] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


@dataclass(frozen=True)
class GreatCircle:
    """Travel estimated from great-circle distance.

    ``distance = haversine * detour[mode]`` and
    ``time = distance / speed[mode] + overhead[mode]`` (the overhead, e.g.
    parking, applies between distinct places only).

    Parameters
    ----------
    speed_kmh
        Average door-to-door speed per mode.
    detour
        Road distance over straight-line distance per mode (1.3 is typical
        of towns).
    overhead_s
        Seconds added to every trip between two distinct places.

    Examples
    --------
    >>> from routeopt.problem import Location
    >>> pts = [Location(43.7384, 7.4246), Location(43.7311, 7.4197)]
    >>> m = GreatCircle().matrix(pts, "walk")
    >>> int(m.distances[0, 1]), int(m.durations[0, 1])
    (1128, 812)
    >>> GreatCircle(speed_kmh={"drive": 25.0}).cache_key[:40]
    'greatcircle:speed=drive:25;detour=bicycl'
    """

    speed_kmh: Mapping[str, float] = field(
        default_factory=lambda: {"drive": 30.0, "walk": 5.0, "bicycle": 15.0})
    detour: Mapping[str, float] = field(
        default_factory=lambda: {"drive": 1.35, "walk": 1.25, "bicycle": 1.3})
    overhead_s: Mapping[str, float] = field(
        default_factory=lambda: {"drive": 120.0, "walk": 0.0, "bicycle": 30.0})

    @property
    def cache_key(self) -> str:
        """What identifies these matrices in a cache: the speeds, detours and overheads."""
        def text(m: Mapping[str, float]) -> str:
            return ",".join(f"{k}:{v:g}" for k, v in sorted(m.items()))

        return (f"greatcircle:speed={text(self.speed_kmh)};detour={text(self.detour)};"
                f"overhead={text(self.overhead_s)}")

    def matrix(self, points: Sequence[Location], mode: str) -> TravelMatrix:
        """Estimate travel between every pair of ``points`` by ``mode``."""
        if mode not in self.speed_kmh:
            raise MatrixError(f"no speed for travel mode {mode!r}; known: {sorted(self.speed_kmh)}")
        # each distinct place once (outlets often share one: a mall, a market),
        # then spread to the points by index
        coords = np.array([(p.lat, p.lon) for p in points], dtype=np.float64).reshape(-1, 2)
        uniq, inverse = np.unique(coords, axis=0, return_inverse=True)
        back: npt.NDArray[np.intp] | None = inverse.reshape(-1)
        if len(uniq) == len(coords):  # all distinct: in their own order, no spreading
            uniq, back = coords, None
        la = np.radians(uniq[:, 0])
        lo = np.radians(uniq[:, 1])
        cos = np.cos(la)
        n = len(uniq)
        t = np.empty((n, n), dtype=np.int64)
        d = np.empty((n, n), dtype=np.int64)
        detour = self.detour.get(mode, 1.0)
        speed = self.speed_kmh[mode] / 3.6
        overhead = self.overhead_s.get(mode, 0.0)
        step = max(1, 1_000_000 // max(1, n))
        for b in range(0, n, step):
            # a block of rows at a time (small temporaries), from the diagonal on:
            # the great circle is symmetric, so the block's transpose fills the
            # columns below it (half the trigonometry)
            e = min(n, b + step)
            a = (np.sin((la[b:e, None] - la[None, b:]) / 2) ** 2
                 + cos[b:e, None] * cos[None, b:]
                 * np.sin((lo[b:e, None] - lo[None, b:]) / 2) ** 2)
            dist = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))) * detour
            tb = np.rint(dist / speed + np.where(dist > 0.5, overhead, 0.0))
            db = np.rint(dist)
            t[b:e, b:], d[b:e, b:] = tb, db
            t[e:, b:e], d[e:, b:e] = tb[:, e - b:].T, db[:, e - b:].T
        if back is not None:
            t = _spread(t, back)  # one at a time: the distinct places' matrix goes
            d = _spread(d, back)  # before the next is spread
        t.setflags(write=False)  # ours alone: TravelMatrix keeps them without a copy
        d.setflags(write=False)
        return TravelMatrix(t, d)


def _spread(a: npt.NDArray[np.int64], back: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
    """``a[back][:, back]``, C-ordered (the solver reads its rows as views), in
    blocks of rows: no temporary of the full size (``take``: faster than
    ``np.ix_``)."""
    n = len(back)
    out = np.empty((n, n), dtype=a.dtype)
    step = max(1, 1_000_000 // max(1, n))
    for b in range(0, n, step):
        out[b:b + step] = a.take(back[b:b + step], axis=0).take(back, axis=1)
    return out
