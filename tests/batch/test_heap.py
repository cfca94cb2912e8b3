"""run_job keeps freed memory in the worker while a job runs, where the
environment asks glibc to trim the heap at once (Dask's workers)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from routeopt.batch import TerritoryOptions, task

M_TRIM = -1


class FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int] | tuple[str, int]] = []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", pad))
        return 1


@pytest.fixture
def libc(monkeypatch: pytest.MonkeyPatch) -> FakeLibc:
    fake = FakeLibc()
    monkeypatch.setattr(task, "_glibc", lambda: fake)
    return fake


def test_a_small_trim_threshold_is_relaxed_during_the_job_and_restored(
        libc: FakeLibc, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    with task._heap_kept():
        assert libc.calls == [("mallopt", M_TRIM, task.JOB_TRIM_THRESHOLD)]
    assert libc.calls[1:] == [("mallopt", M_TRIM, 65536), ("malloc_trim", 0)]


def test_overlapping_jobs_restore_once_the_last_ends(libc: FakeLibc,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with task._heap_kept():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=other)
    with task._heap_kept():
        t.start()
        assert inside.wait(10)
    assert libc.calls == [("mallopt", M_TRIM, task.JOB_TRIM_THRESHOLD)]  # the other still runs
    release.set()
    t.join(10)
    assert libc.calls[1:] == [("mallopt", M_TRIM, 65536), ("malloc_trim", 0)]


@pytest.mark.parametrize("value", [None, "", "auto", str(1 << 30)])
def test_nothing_changes_without_a_small_threshold(libc: FakeLibc, monkeypatch: pytest.MonkeyPatch,
                                                   value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    else:
        monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", value)
    with task._heap_kept():
        pass
    assert libc.calls == []


def test_run_job_runs_the_task_with_the_heap_kept(libc: FakeLibc,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    seen: list[Any] = []

    def probe(job: task.TaskInput) -> dict[str, Any]:
        seen.append(list(libc.calls))
        return {}

    out = task.run_job(probe, task.Job("t", {}, TerritoryOptions()))
    assert out.ok
    assert seen == [[("mallopt", M_TRIM, task.JOB_TRIM_THRESHOLD)]]
    assert libc.calls[-1] == ("malloc_trim", 0)


def test_the_real_glibc_accepts_the_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    if task._glibc() is None:
        pytest.skip("not glibc")
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    with task._heap_kept():
        pass
