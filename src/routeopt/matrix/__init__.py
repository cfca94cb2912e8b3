"""Travel matrices: travel time (s) and distance (m) between points.

A provider turns a list of WGS-84 points and a travel mode into a
:class:`TravelMatrix`. The embedded default is :class:`GreatCircle`; users can
pass their own matrices, and road-network or OSRM providers plug in behind the
same :class:`MatrixProvider` protocol.
"""

from __future__ import annotations

from routeopt.matrix._base import MatrixProvider, TravelMatrix
from routeopt.matrix.greatcircle import GreatCircle, haversine_m
from routeopt.matrix.road import RoadNetwork

__all__ = ["GreatCircle", "MatrixProvider", "RoadNetwork", "TravelMatrix", "haversine_m"]
