"""The annealing schedule's start (solver/_loop.py, ``Annealing.start``)."""

from __future__ import annotations

import pytest

from routeopt.solver._loop import Annealing
from routeopt.solver._tuning import Tuning


@pytest.mark.parametrize("power", [1.0, 2.0, 3.0])
def test_small_plans_keep_the_share_of_their_travel(power: float) -> None:
    tn = Tuning(temp_start=0.02, temp_outlets=150, temp_power=power)
    for size in (1, 60, 150):
        assert Annealing.start(tn, 5e5, size).temp0 == pytest.approx(0.02 * 5e5)


def test_large_plans_shrink_by_the_power_of_the_outlet_ratio() -> None:
    one = Annealing.start(Tuning(temp_outlets=150, temp_power=1.0), 1e6, 450)
    two = Annealing.start(Tuning(temp_outlets=150, temp_power=2.0), 1e6, 450)
    base = Tuning().temp_start * 1e6
    assert one.temp0 == pytest.approx(base / 3)
    assert two.temp0 == pytest.approx(base / 9)
    assert one.ratio == two.ratio == Tuning().temp_end
    # the cooling ends at temp_end of the start, whatever the size
    assert two.temperature(1.0) == pytest.approx(two.temp0 * Tuning().temp_end)


def test_size_zero_is_safe() -> None:
    assert Annealing.start(Tuning(), 1000.0, 0).temp0 == pytest.approx(Tuning().temp_start * 1000)
