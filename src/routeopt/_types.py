"""Small value types at the bottom of the package, imported by the model and
the matrix providers alike (so that neither imports the other for them).

``routeopt.problem`` re-exports :class:`Location` and ``routeopt.matrix``
re-exports :class:`TravelMatrix`: users import them from there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from routeopt.exceptions import MatrixError

__all__ = ["Attributes", "IntMatrix", "Location", "TravelMatrix"]

IntMatrix = npt.NDArray[np.int64]


class Attributes(Mapping[str, str]):
    """A read-only mapping of text to text that keeps its order: an outlet's extra columns.

    Equal to any mapping with the same items (order aside, as for ``dict``),
    hashable, so that an :class:`~routeopt.Outlet` holding one stays frozen,
    hashable and comparable. Values are not checked here: ``Outlet`` checks
    them.

    Examples
    --------
    >>> a = Attributes({"phone": "+377 93 15 00 00", "contact": "M. Rossi"})
    >>> list(a), a["contact"], a == {"contact": "M. Rossi", "phone": "+377 93 15 00 00"}
    (['phone', 'contact'], 'M. Rossi', True)
    >>> hash(a) == hash(Attributes(reversed(list(a.items()))))
    True
    """

    __slots__ = ("_map",)

    def __init__(self, items: Mapping[str, str] | Any = ()) -> None:
        self._map: dict[str, str] = dict(items.items() if isinstance(items, Mapping) else items)

    def __getitem__(self, key: str) -> str:
        return self._map[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def __hash__(self) -> int:
        return hash(frozenset(self._map.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._map == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"Attributes({self._map!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Attributes, (tuple(self._map.items()),))


@dataclass(frozen=True, slots=True)
class Location:
    """A WGS-84 point."""

    lat: float
    lon: float


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Travel time and distance between every pair of points.

    Parameters
    ----------
    durations
        Square array of travel times in whole seconds, ``durations[i, j]``
        from point ``i`` to point ``j``.
    distances
        Square array of distances in whole metres, same shape.

    Raises
    ------
    MatrixError
        If the arrays are not square, differ in shape, or hold negative or
        non-finite values.

    Examples
    --------
    >>> m = TravelMatrix([[0, 60], [70, 0]], [[0, 500], [520, 0]])
    >>> m.size, int(m.durations[1, 0])
    (2, 70)
    """

    durations: IntMatrix
    distances: IntMatrix

    def __post_init__(self) -> None:
        arrays = []
        for name in ("durations", "distances"):
            raw = np.asarray(getattr(self, name))
            if raw.ndim != 2 or raw.shape[0] != raw.shape[1]:
                raise MatrixError(f"{name} must be a square 2-d array, got shape {raw.shape}")
            if raw.dtype.kind == "f" and not np.isfinite(raw).all():
                i, j = np.argwhere(~np.isfinite(raw))[0]
                raise MatrixError(
                    f"{name}[{i}, {j}] is not finite: point {j} cannot be reached from {i}; "
                    "drop the point or fix the matrix"
                )
            if raw.dtype.kind == "f":
                arr = np.rint(raw).astype(np.int64)
            else:  # an int64 array already read-only is kept as it is (no n x n copy)
                arr = raw.astype(np.int64, copy=raw.dtype != np.int64 or raw.flags.writeable)
            if (arr < 0).any():
                i, j = np.argwhere(arr < 0)[0]
                raise MatrixError(f"{name}[{i}, {j}] is negative")
            arr.setflags(write=False)
            arrays.append(arr)
        if arrays[0].shape != arrays[1].shape:
            raise MatrixError(
                f"durations {arrays[0].shape} and distances {arrays[1].shape} differ in shape"
            )
        object.__setattr__(self, "durations", arrays[0])
        object.__setattr__(self, "distances", arrays[1])

    @property
    def size(self) -> int:
        """Number of points."""
        return int(self.durations.shape[0])
