"""Plan folders for the atomic-write and integrity tests (see ``plan_helpers.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from plan_helpers import SmallPlans, make_small_plans


@pytest.fixture(scope="package")
def small(tmp_path_factory: pytest.TempPathFactory) -> SmallPlans:
    """12 outlets and one rep, planned over 1 and over 8 weeks (tables written once)."""
    return make_small_plans(tmp_path_factory.mktemp("small-plans"))
