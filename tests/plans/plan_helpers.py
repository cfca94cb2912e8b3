"""Helpers of the plan folder tests: a small territory planned twice, a small disk.

The small disk is a real tmpfs where mounting is possible (root on Linux, as
in CI), else a fault-injecting wrapper around ``open`` that fails a write
with ``ENOSPC`` once the files under a folder would take more than the
capacity, counted in 4 KiB blocks as a file system does.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routeopt import Plan, Problem, SolveParams, solve
from routeopt.datasets import make_territory
from routeopt.read import read_problem

START = "2026-11-30"  # a Monday
FAST = SolveParams(max_iterations=20, time_limit=60, seed=0)


@dataclass(frozen=True)
class SmallPlans:
    root: Path
    outlets: Path
    reps: Path
    problem1: Problem
    week: Plan  # 1 week
    weeks8: Plan  # 8 weeks


def make_small_plans(root: Path) -> SmallPlans:
    import warnings

    outlets, reps = make_territory(12, 1, seed=1)
    o, r = root / "outlets.csv", root / "reps.csv"
    outlets.to_csv(o, index=False)
    reps.to_csv(r, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 1/4weeks outlets in a 1-week plan: rounded up
        p1 = read_problem(o, r, start=START, weeks=1)
        p8 = read_problem(o, r, start=START, weeks=8)
    return SmallPlans(root, o, r, p1, solve(p1, FAST), solve(p8, FAST))


# -- a small disk ------------------------------------------------------------------------------
BLOCK = 4096


class SmallDisk:
    """Files under ``root`` may take ``capacity`` bytes, in blocks of ``block`` bytes."""

    def __init__(self, root: Path, capacity: int, block: int = BLOCK) -> None:
        self.root, self.capacity, self.block = root.resolve(), capacity, block
        self.failures = 0

    def blocks(self, size: int) -> int:
        return -(-size // self.block) * self.block

    def used(self, but: str | None = None) -> int:
        total = 0
        for dirpath, _, names in os.walk(self.root):
            for n in names:
                p = os.path.join(dirpath, n)
                if p != but:
                    with suppress(OSError):
                        total += self.blocks(os.path.getsize(p))
        return total

    def holds(self, path: str) -> bool:
        return os.path.abspath(path).startswith(str(self.root) + os.sep)


class _Limited:
    """A file object whose writes fail with ENOSPC when the small disk is full."""

    def __init__(self, f: Any, disk: SmallDisk, path: str) -> None:
        self._f, self._disk, self._path = f, disk, path

    def write(self, data: Any) -> int:
        self._f.flush()
        size = os.path.getsize(self._path)
        n = len(data.encode("utf-8") if isinstance(data, str) else data)
        room = self._disk.capacity - self._disk.used(but=self._path)
        if self._disk.blocks(size + n) > room:
            fits = max(0, room // self._disk.block * self._disk.block - size)
            if fits:
                self._f.write(data[:fits])
                self._f.flush()
            self._disk.failures += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self._path)
        return int(self._f.write(data))

    def __enter__(self) -> _Limited:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)


@contextmanager
def wrapped_disk(root: Path, capacity: int, block: int = BLOCK) -> Iterator[SmallDisk]:
    """Patch ``open`` (builtins and ``io``, which pathlib and ``os.fdopen`` use) so that
    files under ``root`` live on a :class:`SmallDisk`."""
    root.mkdir(parents=True, exist_ok=True)
    disk = SmallDisk(root, capacity, block)
    real = io.open

    def limited_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        f = real(file, mode, *args, **kwargs)
        if not any(c in mode for c in "wax+"):
            return f
        if isinstance(file, int):
            try:
                path = os.readlink(f"/proc/self/fd/{file}")
            except OSError:
                return f
        else:
            path = os.path.abspath(os.fsdecode(file))
        return _Limited(f, disk, path) if disk.holds(path) else f

    io.open = builtins.open = limited_open  # type: ignore[assignment]
    try:
        yield disk
    finally:
        io.open = builtins.open = real


@contextmanager
def tmpfs(root: Path, capacity: int) -> Iterator[bool]:
    """Mount a tmpfs of ``capacity`` bytes at ``root``; yields whether it could."""
    root.mkdir(parents=True, exist_ok=True)
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={capacity}", "tmpfs",
                            str(root)], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        yield False
        return
    if r.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(root)], capture_output=True, timeout=20)


@contextmanager
def small_disk(root: Path, capacity: int, kind: str) -> Iterator[str]:
    """A folder whose files may take ``capacity`` bytes: a real tmpfs for ``kind="tmpfs"``
    where it can be mounted (else the wrapper, and the kind yielded says so), the
    fault-injecting wrapper for ``kind="wrapper"``."""
    if kind == "tmpfs":
        with tmpfs(root, capacity) as mounted:
            if mounted:
                yield "tmpfs"
                return
    with wrapped_disk(root, capacity):
        yield "wrapper"
