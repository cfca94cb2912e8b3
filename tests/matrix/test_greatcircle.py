from __future__ import annotations

import numpy as np
import pytest

from routeopt import GreatCircle, MatrixError, TravelMatrix
from routeopt.matrix import MatrixProvider, haversine_m
from routeopt.problem import Location


def test_haversine_known_distance() -> None:
    # Paris (Notre-Dame) to London (Charing Cross): about 343.5 km
    d = haversine_m([48.8530, 51.5073], [2.3499, -0.1276])
    assert d[0, 1] == pytest.approx(343_500, rel=0.005)
    assert d[1, 0] == d[0, 1] and d[0, 0] == 0


def test_modes_differ_in_time_not_in_straight_line() -> None:
    pts = [Location(43.73, 7.42), Location(43.75, 7.44), Location(43.70, 7.30)]
    gc = GreatCircle()
    drive, walk = gc.matrix(pts, "drive"), gc.matrix(pts, "walk")
    assert (walk.durations > drive.durations).sum() == 6
    assert np.all(np.diag(drive.durations) == 0)
    assert drive.durations.dtype == np.int64 and drive.distances.dtype == np.int64
    assert isinstance(gc, MatrixProvider)


def test_triangle_inequality_holds() -> None:
    rng = np.random.default_rng(1)
    pts = [Location(float(a), float(b)) for a, b in zip(rng.uniform(43.6, 43.9, 30),
                                                        rng.uniform(7.2, 7.6, 30), strict=True)]
    t = GreatCircle().matrix(pts, "drive").durations
    via = t[:, :, None] + t[None, :, :]  # i->j->k
    assert np.all(t[:, None, :] <= via + 1)  # rounding


def test_unknown_mode() -> None:
    with pytest.raises(MatrixError, match="no speed for travel mode 'rocket'"):
        GreatCircle().matrix([Location(0, 0)], "rocket")


@pytest.mark.parametrize(
    ("dur", "dist", "match"),
    [([[0, 1, 2]], [[0, 1, 2]], "square"),
     ([[0, -1], [1, 0]], [[0, 1], [1, 0]], "negative"),
     ([[0, np.inf], [1, 0]], [[0, 1], [1, 0]], "cannot be reached"),
     ([[0, 1], [1, 0]], [[0, 1, 1], [1, 0, 1], [1, 1, 0]], "differ in shape")],
)
def test_user_matrix_is_checked(dur: object, dist: object, match: str) -> None:
    with pytest.raises(MatrixError, match=match):
        TravelMatrix(dur, dist)  # type: ignore[arg-type]


def test_user_matrix_is_read_only_ints() -> None:
    m = TravelMatrix(np.array([[0.0, 10.4], [9.6, 0.0]]), [[0, 100], [100, 0]])
    assert m.durations.tolist() == [[0, 10], [10, 0]]
    with pytest.raises(ValueError):
        m.durations[0, 1] = 5
