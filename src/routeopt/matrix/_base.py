from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from routeopt._types import IntMatrix, TravelMatrix

if TYPE_CHECKING:
    from routeopt._types import Location

__all__ = ["IntMatrix", "MatrixProvider", "TravelMatrix"]


@runtime_checkable
class MatrixProvider(Protocol):
    """Anything that computes a :class:`TravelMatrix` for points and a mode."""

    def matrix(self, points: Sequence[Location], mode: str) -> TravelMatrix:
        """Travel between every pair of ``points`` by ``mode``."""
        ...
