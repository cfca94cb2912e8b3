"""Travel matrices: travel time (s) and distance (m) between points.

A provider turns a list of WGS-84 points and a travel mode into a
:class:`TravelMatrix`. The embedded default is :class:`GreatCircle`; :class:`OSRM`
asks an OSRM server for road travel; users can pass their own matrices, and any
provider plugs in behind the same :class:`MatrixProvider` protocol.
:class:`CachedProvider` keeps any provider's matrices on disk, and
:func:`problem_matrices` computes the matrices of a problem's points.
"""

from __future__ import annotations

from routeopt.matrix._base import MatrixProvider, TravelMatrix
from routeopt.matrix.cache import CachedProvider
from routeopt.matrix.greatcircle import GreatCircle, haversine_m
from routeopt.matrix.osrm import OSRM, OSRMTable
from routeopt.matrix.providers import PROVIDERS, problem_matrices, provider_for
from routeopt.matrix.road import RoadNetwork

__all__ = [
    "OSRM",
    "PROVIDERS",
    "CachedProvider",
    "GreatCircle",
    "MatrixProvider",
    "OSRMTable",
    "RoadNetwork",
    "TravelMatrix",
    "haversine_m",
    "problem_matrices",
    "provider_for",
]
