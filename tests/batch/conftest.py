"""Small territory folders for the batch tests (see ``batch_helpers.py``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

# batch_helpers.py (folders, misbehaving tasks) must be importable by module name,
# in this process and in the worker processes.
sys.path.insert(0, str(Path(__file__).parent))

from batch_helpers import BATCH_TOML, break_outlets, write_territory


@pytest.fixture
def make_batch(tmp_path: Path) -> Callable[..., Path]:
    """``make_batch(names, bad=())``: a territories folder with ``batch.toml``.

    Territory ``k`` in ``names`` gets seed ``100 + k``; those in ``bad`` get a
    latitude that is not a number on line 3 of their ``outlets.csv``.
    """

    def make(names: Iterable[str], bad: Iterable[str] = ()) -> Path:
        root = tmp_path / "territories"
        root.mkdir(exist_ok=True)
        (root / "batch.toml").write_text(BATCH_TOML, encoding="utf-8")
        for k, name in enumerate(names):
            write_territory(root / name, seed=100 + k)
        for name in bad:
            break_outlets(root / name)
        return root

    return make
